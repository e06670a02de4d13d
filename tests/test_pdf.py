"""Printing our pages to PDF fetches nothing but the product's own static files."""

import http.server
import threading
from pathlib import Path

import pytest
from django.conf import settings

from isa_portal.pdf import html_to_pdf, static_only_fetcher_class


@pytest.fixture
def listener():
    """A web server on this machine that counts the requests it is sent."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_a_pdf_never_fetches_from_the_network(listener):
    base, hits = listener
    html = (
        f'<link rel="stylesheet" href="{base}/style.css">'
        f'<p>Typed by someone: <img src="{base}/tracker.png"></p>'
        f"<style>@import url({base}/imported.css);</style>"
    )
    assert html_to_pdf(html).startswith(b"%PDF-")
    assert hits == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///etc/hostname",
        f"file://{settings.BASE_DIR}/pyproject.toml",
        f"file://{settings.BASE_DIR}/static/../pyproject.toml",
        "http://127.0.0.1/",
        "https://example.org/x.png",
        "ftp://example.org/x",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files(url):
    fetcher = static_only_fetcher_class()()
    with pytest.raises(ValueError, match="Not one of the product's static files"):
        fetcher(url)


def test_the_fetcher_serves_the_products_static_files():
    static_file = next(path for path in Path(settings.STATICFILES_DIRS[0]).rglob("*.css"))
    response = static_only_fetcher_class()()(static_file.resolve().as_uri())
    assert response.read() == static_file.read_bytes()
    assert response.content_type == "text/css"
