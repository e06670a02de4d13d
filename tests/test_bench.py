"""The benchmark's own pieces still fit the product (``bench/run`` itself is never run in tests)."""

import importlib

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from bench.cast import session_cookie
from tests.auth import authenticator_for


def test_the_bench_settings_serve_the_bench_urls_with_the_query_counter_first():
    bench_settings = importlib.import_module("bench.settings")

    assert bench_settings.ROOT_URLCONF == "bench.urls"
    assert bench_settings.MIDDLEWARE[0] == "bench.middleware.count_queries"
    assert bench_settings.MIDDLEWARE[1:] == settings.MIDDLEWARE


@pytest.mark.django_db
@override_settings(
    ROOT_URLCONF="bench.urls", MIDDLEWARE=["bench.middleware.count_queries", *settings.MIDDLEWARE]
)
def test_the_floor_answers_and_the_count_matches_the_pinned_tests_count(client, django_assert_num_queries):
    with django_assert_num_queries(0):  # no request-wide transaction: nothing at all
        response = client.get("/bench/floor/", headers={"X-Bench-Count-Queries": "1"})

    assert response.status_code == 200
    assert response.content == b"floor"
    assert response["X-Bench-Queries"] == "0"
    assert float(response["X-Bench-Query-Ms"]) >= 0
    assert "X-Bench-Queries" not in client.get("/bench/floor/")


@pytest.mark.django_db
def test_a_bench_session_is_signed_in_past_the_second_factor(client, practitioner):
    name, key = session_cookie(practitioner, authenticator_for(practitioner)).split("=", 1)
    client.cookies[name] = key

    response = client.get(reverse("decisions:list"))

    assert response.status_code == 200
    assert response.context["user"] == practitioner
