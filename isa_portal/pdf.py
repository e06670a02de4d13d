"""PDFs of our own pages (decision records, chronologies, summaries, subject access bundles)."""

from django.http import HttpRequest
from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict, *, request: HttpRequest | None = None) -> bytes:
    """Render a template and print it with WeasyPrint.

    PDF templates carry their styles inline and load nothing, so no base URL is
    given: WeasyPrint never fetches from the network or from our own server.
    """
    import weasyprint  # slow to import (it compiles its stylesheets): only when a PDF is asked for

    return weasyprint.HTML(string=render_to_string(template_name, context, request=request)).write_pdf()
