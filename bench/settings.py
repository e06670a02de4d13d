"""The product's settings for the benchmark only (``bench/run``): a floor view and a query counter.

``bench/run`` sets the environment as a deployment would (DEBUG off, two-step sign-in
on, persistent connections); nothing here loosens the product's settings, and nothing
in the product points at ``bench/``.
"""

from isa_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# First, so the count covers every query of the request, the session's included.
MIDDLEWARE = ["bench.middleware.count_queries", *MIDDLEWARE]  # noqa: F405
