"""Queries per page, counted in the gunicorn worker that served the page."""

from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test.utils import CaptureQueriesContext

ASK_HEADER = "X-Bench-Count-Queries"
ANSWER_HEADER = "X-Bench-Queries"


def count_queries(get_response: Callable[[HttpRequest], HttpResponse]):
    """Answer ``X-Bench-Queries`` when a request asks for it; timed requests do not ask.

    Counted as ``django_assert_num_queries`` counts, so the figure compares with the
    pinned counts in the tests: every statement, and the request's transaction
    (ATOMIC_REQUESTS) as two, BEGIN and COMMIT, where the tests see a savepoint and
    its release. (With no query at all, as on the floor, Django still logs the pair
    but psycopg2 sends neither.)
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if ASK_HEADER not in request.headers:
            return get_response(request)
        with CaptureQueriesContext(connection) as queries:
            response = get_response(request)
        response[ANSWER_HEADER] = str(len(queries))
        return response

    return middleware
