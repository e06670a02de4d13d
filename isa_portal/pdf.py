"""PDFs: printing our own pages (decision records, chronologies, summaries, subject access
bundles) and checking the ones people upload (agreement documents)."""

import mimetypes
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string


def _static_directories() -> list[Path]:
    return [Path(directory).resolve() for directory in [*settings.STATICFILES_DIRS, settings.STATIC_ROOT]]


@cache
def static_only_fetcher_class() -> type:
    """WeasyPrint's URL fetcher, narrowed to the product's own static files.

    A page printed to PDF may carry text someone typed; WeasyPrint's own fetcher follows any
    ``http:``, ``https:``, ``ftp:`` or ``file:`` URL in it (server-side request forgery, or
    reading a file off the server). This one serves a ``file:`` URL only when it resolves
    inside the static directories, and a ``data:`` URL (which fetches nothing); anything else
    is refused, and WeasyPrint leaves that resource out. (A class made on first use: importing
    WeasyPrint is slow.)
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url: str, headers=None):
            parts = urlsplit(url)
            if parts.scheme.lower() == "data":
                return super().fetch(url, headers)
            if parts.scheme.lower() == "file":
                path = Path(unquote(parts.path)).resolve()
                if path.is_file() and any(path.is_relative_to(root) for root in _static_directories()):
                    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})
            raise ValueError(f"Not one of the product's static files: {url[:200]}")

    return StaticOnlyFetcher


def html_to_pdf(html: str) -> bytes:
    import weasyprint  # slow to import (it compiles its stylesheets): only when a PDF is asked for

    fetcher = static_only_fetcher_class()(allowed_protocols={"data", "file"}, allow_redirects=False)
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()


def render_pdf(template_name: str, context: dict, *, request: HttpRequest | None = None) -> bytes:
    """Render a template and print it with WeasyPrint.

    PDF templates carry their styles inline. No base URL is given and the fetcher serves
    only our static files, so WeasyPrint never fetches from the network or our own server.
    """
    return html_to_pdf(render_to_string(template_name, context, request=request))


def is_readable_pdf(upload) -> bool:
    """Whether an uploaded file is a PDF that parses, with at least one page.

    The ``%PDF-`` header alone says nothing about the rest: anything can follow it.
    pypdf reads the cross-reference table and the page tree; it is lenient about the small
    faults real word processors leave, and refuses what is not a PDF at all.
    """
    from pypdf import PdfReader

    upload.seek(0)
    try:
        reader = PdfReader(upload)
        readable = len(reader.pages) > 0
    except Exception:
        readable = False
    finally:
        upload.seek(0)
    return readable
