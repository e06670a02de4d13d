"""Queries per page, counted in the gunicorn worker that served the page."""

import time
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test.utils import CaptureQueriesContext

ASK_HEADER = "X-Bench-Count-Queries"
ANSWER_HEADER = "X-Bench-Queries"
TIME_HEADER = "X-Bench-Query-Ms"  # their time as the worker saw it (round trips included)


def count_queries(get_response: Callable[[HttpRequest], HttpResponse]):
    """Answer ``X-Bench-Queries`` (and their time) when a request asks; timed requests do not ask.

    Counted as ``django_assert_num_queries`` counts, so the figure compares with the
    pinned counts in the tests: every statement. Pages run without a request-wide
    transaction (isa_portal/transactions.py), so a page that only reads has no BEGIN
    and COMMIT; a write counts its service's.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if ASK_HEADER not in request.headers:
            return get_response(request)
        timer = _Timer()
        with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timer):
            response = get_response(request)
        response[ANSWER_HEADER] = str(len(queries))
        response[TIME_HEADER] = f"{timer.seconds * 1000:.2f}"
        return response

    return middleware


class _Timer:
    """Times each query precisely (the query log keeps only whole milliseconds)."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
