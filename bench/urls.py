"""The product's URLs plus the benchmark's floor: a bare view with no query and no template."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from isa_portal.urls import handler400, handler403, handler404, handler500  # noqa: F401
from isa_portal.urls import urlpatterns as product_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    """What the stack costs before any page does anything: every middleware, no database."""
    return HttpResponse(b"floor", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *product_urlpatterns]
