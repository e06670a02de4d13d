"""The benchmark's own pieces still fit the product (``bench/run`` itself is never run in tests)."""

import importlib

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from bench.cast import session_cookie
from tests.auth import authenticator_for
from tests.decisions.factories import child_for, submitted_decision


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


# The lean peers of issue 19 -------------------------------------------------------------------


@pytest.fixture
def recipient(db):
    from agreements.models import AgencyKind
    from tests.factories import AgencyFactory

    return AgencyFactory(name="Recipient Police", kind=AgencyKind.POLICE)


bench_urls = override_settings(
    ROOT_URLCONF="bench.urls", MIDDLEWARE=["bench.middleware.count_queries", *settings.MIDDLEWARE]
)


@pytest.mark.django_db
@bench_urls
def test_the_lean_list_shows_the_25_newest_decisions_the_person_may_see(
    client, django_assert_num_queries, practitioner, outsider, recipient
):
    child = child_for(practitioner)
    mine = [submitted_decision(practitioner, recipient, child=child) for _ in range(26)]
    theirs = submitted_decision(outsider, recipient, child=child_for(outsider))
    client.force_login(practitioner)
    client.get("/bench/lean/list/")  # the first request after signing in also saves the session

    with django_assert_num_queries(3):  # the session, the user, the decisions with their children
        page = client.get("/bench/lean/list/").content.decode()

    assert page.count("<li>") == 25
    assert mine[-1].reference in page and mine[0].reference not in page  # the oldest is 26th
    assert theirs.reference not in page


@pytest.mark.django_db
@bench_urls
def test_the_lean_detail_is_scoped_like_the_record(
    client, django_assert_num_queries, practitioner, outsider, recipient
):
    decision = submitted_decision(practitioner, recipient)
    client.force_login(practitioner)
    client.get(f"/bench/lean/detail/{decision.pk}/")

    with django_assert_num_queries(5):  # the session, the user, the decision, its reviews, its addenda
        response = client.get(f"/bench/lean/detail/{decision.pk}/")

    assert response.status_code == 200 and decision.reference in response.content.decode()
    client.force_login(outsider)
    assert client.get(f"/bench/lean/detail/{decision.pk}/").status_code == 404
    client.logout()
    assert client.get("/bench/lean/list/").status_code == 302  # to the sign-in page


def _timed(name, kind, p50, peer_p50=None, **extra):
    from bench.client import Latency
    from bench.measure import Page

    page = Page(name, "someone", f"/{name}/", kind=kind, **extra)
    page.latency = Latency(p50=p50, p95=p50, samples=3, failures=0)
    if peer_p50 is not None:
        page.peer = Latency(p50=peer_p50, p95=peer_p50, samples=3, failures=0)
    return page


def test_each_kind_of_page_is_held_to_its_ratio_of_its_lean_peer():
    from bench.client import Throughput
    from bench.measure import _page_budget, ratio_budget, ratio_to_peer

    plenty = Throughput(rps=1000, failures=0, tool="wrk")
    first = _timed("log", "list", 10.0, 8.0)
    cases = [
        (first, ("lean list", 1.25), 1.25, True),
        (_timed("log-deep", "deep", 10.1, 8.0, first=first), ("lean list", 1.25), 1.2625, False),
        (_timed("record", "detail", 7.5, 5.0), ("lean detail", 1.5), 1.5, True),
        (_timed("register", "detail", 7.6, 5.0), ("lean detail", 1.5), 1.52, False),
        (_timed("reports", "reports", 24.0, 8.0), ("lean list", 3.0), 3.0, True),
        (_timed("reports-slow", "reports", 24.8, 8.0), ("lean list", 3.0), 3.1, False),
    ]
    for page, budget, ratio, within in cases:
        assert ratio_budget(page) == budget
        assert ratio_to_peer(page) == pytest.approx(ratio)
        text, checks = _page_budget(page, plenty, min_rps=10)
        assert text.startswith(f"≤ {budget[1]:g}x {budget[0]}")
        assert checks[0][1] is within, page.name


def test_the_page_table_prints_each_ratio_and_fails_a_page_over_its_budget():
    from bench.client import Throughput
    from bench.measure import _page_table

    floor = _timed("floor", "floor", 1.0)
    over = _timed("register", "detail", 8.0, 5.0)
    within = _timed("log", "list", 9.0, 8.0)
    for page in (floor, over, within):
        page.throughput = Throughput(rps=3000 if page is floor else 500, failures=0, tool="wrk")
        page.queries = 4

    header, _, _floor, over_row, within_row = _page_table([floor, over, within])

    assert "÷ peer" in header and "load" in header
    assert "1.60x" in over_row and "FAIL 1.60x lean detail > 1.5x" in over_row
    assert "1.12x" in within_row and "PASS" in within_row
    assert "lean list 8.0" in within_row


def test_a_page_and_its_peer_are_timed_alternately(monkeypatch):
    from bench import client as bench_client

    server = bench_client.Server(1, {})
    asked = []
    clock = iter(range(1, 1000))

    def one(path, headers, *, count, seconds, minimum):
        asked.append(path)
        return [float(next(clock))], 0

    monkeypatch.setattr(server, "_one_by_one", one)

    page, peer = server.interleaved("/a/", "/b/", None, requests=4, seconds=60, warm_up=1)

    assert asked == ["/a/", "/b/", "/a/", "/b/", "/b/", "/a/", "/a/", "/b/", "/b/", "/a/"]
    assert page.samples == peer.samples == 4
    assert page.p50 == pytest.approx(6.5) and peer.p50 == pytest.approx(6.5)


@pytest.mark.django_db
def test_the_bench_sees_a_migrated_database_as_having_no_unapplied_migrations():
    from bench.measure import unapplied_migrations

    assert unapplied_migrations() == []
