"""Report figures against hand-computed fixtures, the scope each reader gets, and the downloads."""

import csv
import datetime as dt
import io
import itertools
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import load_workbook

from accounts.models import User
from audit.context import audit_context
from audit.models import AuditEntry, Event
from isa_portal.web import time_of_day
from reports import figures, registry, rollups
from reports.models import AuditCount, RollupRefresh
from reports.registry import FigureData, ReportScope, Row
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
UTC = dt.UTC
HOME = "Home County Children's Services"
OTHER = "Other Town Police"
# January to March 2026, in London time.
Q1 = ReportScope(start=dt.datetime(2026, 1, 1, tzinfo=LONDON), end=dt.datetime(2026, 4, 1, tzinfo=LONDON))


def _entry(when: dt.datetime, event: Event, *, actor=None, agency=None) -> AuditEntry:
    with audit_context(source="tests", actor=actor):
        entry = AuditEntry(
            event=event,
            action=AuditEntry.Action.ACCESS,
            timestamp=when,
            content_type=ContentType.objects.get_for_model(User),
            object_pk="1",
            object_repr="fixture",
            agency=agency,
        )
        entry.save()
    return entry


@pytest.fixture
def q1_trail(practitioner, lead, outsider, agency, other_agency):
    """Hand-placed entries around the edges of January to March 2026 (GMT, then BST from 29 March)."""
    sign_in = Event.SIGN_IN
    _entry(dt.datetime(2025, 12, 31, 23, 59, tzinfo=UTC), sign_in, actor=practitioner)  # before
    _entry(dt.datetime(2026, 1, 1, 0, 0, tzinfo=UTC), sign_in, actor=practitioner)  # Jan
    _entry(dt.datetime(2026, 1, 15, 9, 0, tzinfo=UTC), sign_in, actor=lead)  # Jan
    _entry(dt.datetime(2026, 1, 31, 23, 30, tzinfo=UTC), sign_in, actor=practitioner)  # Jan (GMT)
    _entry(dt.datetime(2026, 2, 10, 12, 0, tzinfo=UTC), sign_in, actor=outsider)  # Feb
    _entry(dt.datetime(2026, 3, 31, 22, 59, tzinfo=UTC), sign_in, actor=outsider)  # Mar (23:59 BST)
    _entry(dt.datetime(2026, 3, 31, 23, 30, tzinfo=UTC), sign_in, actor=practitioner)  # 1 Apr BST: after
    # Other events in the same months must not be counted as sign-ins.
    _entry(dt.datetime(2026, 2, 1, 12, 0, tzinfo=UTC), Event.SIGN_OUT, actor=practitioner)
    _entry(dt.datetime(2026, 2, 2, 12, 0, tzinfo=UTC), Event.DENIED, actor=practitioner)
    _entry(dt.datetime(2026, 2, 3, 12, 0, tzinfo=UTC), Event.DENIED, actor=practitioner)
    _entry(dt.datetime(2026, 3, 3, 12, 0, tzinfo=UTC), Event.DENIED, actor=outsider)
    _entry(dt.datetime(2026, 1, 5, 12, 0, tzinfo=UTC), Event.LOCKOUT, agency=agency)
    _entry(dt.datetime(2026, 3, 5, 12, 0, tzinfo=UTC), Event.LOCKOUT, agency=other_agency)
    _entry(dt.datetime(2026, 3, 6, 12, 0, tzinfo=UTC), Event.LOCKOUT, agency=other_agency)
    _entry(dt.datetime(2026, 1, 7, 12, 0, tzinfo=UTC), Event.VIEW, actor=practitioner)
    _entry(dt.datetime(2026, 2, 7, 12, 0, tzinfo=UTC), Event.VIEW, actor=practitioner)
    _entry(dt.datetime(2026, 3, 7, 12, 0, tzinfo=UTC), Event.VIEW, actor=lead)
    _entry(dt.datetime(2026, 3, 8, 12, 0, tzinfo=UTC), Event.VIEW, actor=outsider)
    _entry(dt.datetime(2026, 4, 8, 12, 0, tzinfo=UTC), Event.VIEW, actor=outsider)  # after
    _entry(dt.datetime(2026, 2, 9, 12, 0, tzinfo=UTC), Event.EXPORT, actor=lead)
    _entry(dt.datetime(2026, 2, 9, 13, 0, tzinfo=UTC), Event.DOWNLOAD, actor=outsider)
    _entry(dt.datetime(2026, 2, 9, 14, 0, tzinfo=UTC), Event.PRINT, actor=outsider)


def test_sign_ins_by_month_and_agency_in_london_time(q1_trail):
    assert figures.sign_ins(Q1) == FigureData(
        series=[HOME, OTHER],
        rows=[Row("Jan 2026", [3, 0]), Row("Feb 2026", [0, 1]), Row("Mar 2026", [0, 1])],
    )


def test_refusals_and_lockouts_by_month_and_agency(q1_trail):
    assert figures.refusals(Q1) == FigureData(
        series=[HOME, OTHER],
        rows=[Row("Jan 2026", [0, 0]), Row("Feb 2026", [2, 0]), Row("Mar 2026", [0, 1])],
    )
    assert figures.lockouts(Q1) == FigureData(
        series=[HOME, OTHER],
        rows=[Row("Jan 2026", [1, 0]), Row("Feb 2026", [0, 0]), Row("Mar 2026", [0, 2])],
    )


def test_views_and_exports_by_agency(q1_trail):
    assert figures.record_views(Q1) == FigureData(
        series=["Records viewed"], rows=[Row(HOME, [3]), Row(OTHER, [1])], label_heading="Agency"
    )
    assert figures.exports(Q1) == FigureData(
        series=["Exports, downloads and prints"],
        rows=[Row(HOME, [1]), Row(OTHER, [2])],
        label_heading="Agency",
    )


def test_one_agencys_scope_counts_only_that_agency(q1_trail, agency):
    home_only = ReportScope(start=Q1.start, end=Q1.end, agency_ids=frozenset({agency.pk}))
    assert figures.sign_ins(home_only).series == [HOME]
    assert [row.values for row in figures.sign_ins(home_only).rows] == [[3], [0], [0]]
    assert figures.record_views(home_only).rows == [Row(HOME, [3])]


def test_an_empty_period_still_lists_every_month_with_zero(q1_trail):
    empty = ReportScope(
        start=dt.datetime(2024, 11, 1, tzinfo=LONDON), end=dt.datetime(2025, 2, 1, tzinfo=LONDON)
    )
    data = figures.sign_ins(empty)
    assert [row.label for row in data.rows] == ["Nov 2024", "Dec 2024", "Jan 2025"]
    assert data.is_empty


def test_failed_sign_ins_count_for_the_agency_of_the_account_tried(client, practitioner, outsider):
    for email in (practitioner.email, practitioner.email, outsider.email.upper(), "nobody@example.org"):
        response = client.post(reverse("accounts:login"), {"username": email, "password": "wrong"})
        assert response.status_code == 200
    client.post(reverse("accounts:login"), {"username": practitioner.email, "password": PASSWORD})
    today = dt.datetime.now(LONDON)
    month = ReportScope(
        start=today.replace(day=1, hour=0, minute=0, second=0, microsecond=0),
        end=today + dt.timedelta(days=1),
    )
    data = figures.failed_sign_ins(month)
    assert data.series == [HOME, OTHER, "No agency"]
    assert data.rows[-1].values == [2, 1, 1]


def _figure(response, key):
    for section in response.context["sections"]:
        for item in section["figures"]:
            if item["figure"].key == key:
                return item
    raise AssertionError(f"no figure {key}")


Q1_QUERY = {
    "date_from_0": "1",
    "date_from_1": "1",
    "date_from_2": "2026",
    "date_to_0": "31",
    "date_to_1": "3",
    "date_to_2": "2026",
}


def test_a_lead_sees_only_their_agency_and_cannot_widen_it(client, lead, q1_trail, other_agency):
    client.force_login(lead)
    response = client.get(reverse("reports:index"), {**Q1_QUERY, "agency": other_agency.pk})
    assert response.status_code == 200
    assert "agency" not in response.context["form"].fields
    assert _figure(response, "sign_ins")["data"].series == [HOME]
    assert _figure(response, "record_views")["data"].rows == [Row(HOME, [3])]


def test_an_agency_ig_officer_is_kept_to_their_agency_too(client, other_agency, q1_trail):
    from accounts.models import Role

    officer = UserFactory(agency=other_agency, role=Role.IG_OFFICER)
    client.force_login(officer)
    response = client.get(reverse("reports:index"), Q1_QUERY)
    assert _figure(response, "lockouts")["data"].series == [OTHER]


def test_a_partnership_ig_officer_sees_every_agency_or_chooses_one(client, partnership_ig, q1_trail, agency):
    client.force_login(partnership_ig)
    everyone = client.get(reverse("reports:index"), Q1_QUERY)
    assert _figure(everyone, "sign_ins")["data"].series == [HOME, OTHER]
    one = client.get(reverse("reports:index"), {**Q1_QUERY, "agency": agency.pk})
    assert _figure(one, "sign_ins")["data"].series == [HOME]


def test_the_page_draws_each_figure_as_svg_with_a_table_and_no_inline_style(client, partnership_ig, q1_trail):
    client.force_login(partnership_ig)
    body = client.get(reverse("reports:index"), Q1_QUERY).content.decode()
    # Six audit figures; failed sign-ins has nothing in this period and says so instead of an empty
    # chart. Of the agreement figures (agreements.reports) only ICO registration has something: both
    # agencies have none recorded.
    assert body.count('<svg class="app-chart"') == 6
    assert body.count('<table class="govuk-table">') == 6
    # The seven decision figures (reports.decision_figures) and three of the four agreement figures have
    # nothing in this audit-only fixture.
    assert body.count("Nothing to count in this period.") == 11
    assert "style=" not in body
    assert "<style" not in body
    assert 'aria-labelledby="chart-sign_ins-title chart-sign_ins-desc"' in body
    assert "<polyline" in body and "<rect" in body


def test_the_default_period_is_the_last_twelve_months(client, lead):
    client.force_login(lead)
    scope = client.get(reverse("reports:index")).context["scope"]
    assert len(scope.months()) == 12
    assert scope.last_day == dt.datetime.now(LONDON).date()


def test_dates_the_wrong_way_round_are_explained(client, lead):
    client.force_login(lead)
    query = {**Q1_QUERY, "date_to_1": "12", "date_to_2": "2025"}
    response = client.get(reverse("reports:index"), query)
    assert "govuk-error-summary" in response.content.decode()
    assert response.context["sections"] == []
    assert client.get(reverse("reports:download", args=["sign_ins", "csv"]), query).status_code == 400


def test_csv_and_xlsx_downloads_hold_the_table_and_are_recorded(client, partnership_ig, q1_trail):
    client.force_login(partnership_ig)
    response = client.get(reverse("reports:download", args=["sign_ins", "csv"]), Q1_QUERY)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    # Fit for a board paper: what the figures are, whose, which period and when, above the table.
    assert rows[0] == ["Sign-ins by month and agency"]
    assert rows[1] == ["Agency", "Every agency in the partnership"]
    assert rows[2] == ["Period", "1 January 2026 to 31 March 2026"]
    assert rows[3][0] == "As at" and rows[4] == []
    assert rows[5:] == [
        ["Month", HOME, OTHER],
        ["Jan 2026", "3", "0"],
        ["Feb 2026", "0", "1"],
        ["Mar 2026", "0", "1"],
    ]

    response = client.get(reverse("reports:download", args=["record_views", "xlsx"]), Q1_QUERY)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert values[1] == ("Agency", "Every agency in the partnership")
    assert values[values.index(("Agency", "Records viewed")) :] == [
        ("Agency", "Records viewed"),
        (HOME, 3),
        (OTHER, 1),
    ]

    exports = AuditEntry.objects.filter(event=Event.EXPORT, actor=partnership_ig).order_by("id")
    assert [entry.object_repr for entry in exports] == [
        "Report: Sign-ins by month and agency (CSV)",
        "Report: Records viewed by agency (XLSX)",
    ]
    assert exports[0].additional_data == {
        "figure": "sign_ins",
        "date_from": "2026-01-01",
        "date_to": "2026-03-31",
        "agencies": "all",
    }


def test_an_unknown_figure_is_not_found(client, lead):
    client.force_login(lead)
    assert client.get(reverse("reports:download", args=["nope", "csv"])).status_code == 404


@pytest.mark.parametrize("extra_agencies", [0, 5])
@pytest.mark.parametrize("refreshed", [False, True])
def test_the_page_costs_the_same_queries_however_many_agencies(
    client, partnership_ig, q1_trail, extra_agencies, refreshed, django_assert_num_queries
):
    from agreements.models import AgencyKind
    from tests.agreements.factories import SignatureFactory, in_force_agreement
    from tests.factories import AgencyFactory

    _, version = in_force_agreement(owner=partnership_ig.agency)
    SignatureFactory(version=version, agency=partnership_ig.agency)
    for n in range(extra_agencies):
        officer = UserFactory(agency=AgencyFactory(name=f"Extra {n}", kind=AgencyKind.SCHOOL))
        _entry(dt.datetime(2026, 2, 1, tzinfo=UTC), Event.SIGN_IN, actor=officer)
    if refreshed:
        _refresh()
    client.force_login(partnership_ig)
    client.get(reverse("reports:index"))  # the first request after signing in also stamps the session
    # session, user (with the header's agency), agencies for the filter (no request transaction: the
    # page only reads); when the counts were refreshed (reports.rollups); decisions: their counts
    # (or the decisions themselves before the first refresh), those awaiting review; the audit
    # trail: the counts and the entries since (or the entries themselves); agreements: those in
    # force, their versions, active agencies, signatures, incidents
    with django_assert_num_queries(13 if refreshed else 12):
        response = client.get(reverse("reports:index"), Q1_QUERY)
    assert len(_figure(response, "sign_ins")["data"].series) == 2 + extra_agencies


# The same figures from the monthly counts (reports.rollups) and the entries written since.

AUDIT_FIGURES = (
    figures.sign_ins,
    figures.failed_sign_ins,
    figures.lockouts,
    figures.refusals,
    figures.record_views,
    figures.exports,
)


def _live(figure, scope, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(rollups, "_answers", lambda scope, name: False)
        return figure(scope)


def _assert_counts_give_the_live_figures(agency, monkeypatch):
    mid_month = ReportScope(  # 6 January to 7 March: the edges of both months are left out
        start=dt.datetime(2026, 1, 6, tzinfo=LONDON), end=dt.datetime(2026, 3, 8, tzinfo=LONDON)
    )
    for scope in (Q1, mid_month):
        for agencies in (None, frozenset({agency.pk})):
            scope = ReportScope(scope.start, scope.end, agencies)
            assert rollups._answers(scope, RollupRefresh.AUDIT)
            for figure in AUDIT_FIGURES:
                assert figure(scope) == _live(figure, scope, monkeypatch), (figure.__name__, scope)


def _refresh(*args):
    call_command("refresh_rollups", *args, stdout=io.StringIO())


def test_figures_from_the_audit_counts_equal_those_counted_from_the_trail(
    q1_trail, agency, other_agency, practitioner, outsider, monkeypatch
):
    _refresh()
    _assert_counts_give_the_live_figures(agency, monkeypatch)
    # Written since the refresh: inside the period, at the edges of its months, and outside it.
    _entry(dt.datetime(2026, 1, 2, 12, 0, tzinfo=UTC), Event.SIGN_IN, actor=practitioner)
    _entry(dt.datetime(2026, 2, 20, 12, 0, tzinfo=UTC), Event.SIGN_IN, actor=outsider)
    _entry(dt.datetime(2026, 3, 20, 12, 0, tzinfo=UTC), Event.VIEW, actor=practitioner)
    _entry(dt.datetime(2026, 3, 9, 12, 0, tzinfo=UTC), Event.SIGN_IN_FAILED)
    _entry(dt.datetime(2026, 2, 9, 12, 0, tzinfo=UTC), Event.SIGN_IN_FAILED, agency=other_agency)
    _entry(dt.datetime(2026, 5, 1, 12, 0, tzinfo=UTC), Event.LOCKOUT, agency=agency)
    _assert_counts_give_the_live_figures(agency, monkeypatch)
    _refresh()
    _assert_counts_give_the_live_figures(agency, monkeypatch)
    _refresh("--rebuild")
    _assert_counts_give_the_live_figures(agency, monkeypatch)


def test_a_refresh_counts_each_entry_once_however_often_it_runs(q1_trail):
    _refresh()
    counted = sorted(AuditCount.objects.values_list("agency_id", "month", "event", "count"), key=str)
    assert sum(row[3] for row in counted) == 21  # q1_trail's entries of counted events (not the sign-out)
    _refresh()
    _refresh()
    assert sorted(AuditCount.objects.values_list("agency_id", "month", "event", "count"), key=str) == counted
    _refresh("--rebuild")
    assert sorted(AuditCount.objects.values_list("agency_id", "month", "event", "count"), key=str) == counted


def test_after_a_refresh_only_the_entries_since_are_read_from_the_trail(q1_trail, practitioner):
    _refresh()
    _entry(dt.datetime(2026, 2, 20, 12, 0, tzinfo=UTC), Event.SIGN_IN, actor=practitioner)
    with registry.reading_once(), CaptureQueriesContext(connection) as queries:
        assert figures.sign_ins(Q1).rows[1] == Row("Feb 2026", [1, 1])
        for figure in AUDIT_FIGURES:
            figure(Q1)
    assert len(queries) == 3  # when counted up to, the counts, the entries since
    assert (
        f"> {RollupRefresh.objects.get(name='audit').audit_entries_to}" in queries.captured_queries[2]["sql"]
    )


def test_the_page_says_how_current_its_figures_are(client, partnership_ig, q1_trail):
    client.force_login(partnership_ig)
    body = client.get(reverse("reports:index"), Q1_QUERY).content.decode()
    assert "Figures as at " in body
    assert "monthly summary" not in body  # before the first refresh every figure is counted afresh
    _refresh()
    refreshed_at = timezone.localtime(RollupRefresh.objects.get(name="audit").refreshed_at)
    body = client.get(reverse("reports:index"), Q1_QUERY).content.decode()
    assert (
        f"The audit trail's monthly summary was last brought up to date at "
        f"{time_of_day(refreshed_at)} on {date_format(refreshed_at, 'j F Y')}"
    ) in body


def test_the_agency_select_marks_the_agency_chosen_and_escapes_names(client, partnership_ig, agency):
    from tests.factories import AgencyFactory

    odd = AgencyFactory(name='Smith & "Sons" <School>')
    client.force_login(partnership_ig)
    body = client.get(reverse("reports:index"), {**Q1_QUERY, "agency": agency.pk}).content.decode()
    assert '<select name="agency" id="id_agency" class="govuk-select">' in body
    assert '<option value="">Every agency</option>' in body
    assert f'<option value="{agency.pk}" selected>{agency.name}</option>'.replace("'", "&#x27;") in body
    assert f'<option value="{odd.pk}">Smith &amp; &quot;Sons&quot; &lt;School&gt;</option>' in body
    assert body.count(" selected>") == 1


def test_the_filter_is_written_in_govuk_markup_keeping_what_was_typed_and_marking_errors(
    client, partnership_ig, agency
):
    client.force_login(partnership_ig)
    query = {**Q1_QUERY, "date_from_1": "13", "agency": "999999"}
    body = client.get(reverse("reports:index"), query).content.decode()
    start = body.index('<form method="get"')
    form = body[start : body.index("</form>", start)]
    # The agency first, then the dates, as before; each box keeps what was typed.
    assert (
        form.index('id="div_id_agency"')
        < form.index('id="div_id_date_from"')
        < form.index('id="div_id_date_to"')
    )
    assert '<div id="div_id_agency" class="govuk-form-group govuk-form-group--error">' in form
    assert '<select name="agency" id="id_agency" class="govuk-select govuk-select--error"' in form
    assert "Select an agency from the list" in form and "Enter a real date" in form
    assert 'name="date_from_1" id="id_date_from_1" value="13"' in form
    assert 'name="date_to_2" id="id_date_to_2" value="2026"' in form
    assert form.count("govuk-input--error") == 3  # the "from" date's three boxes
    assert '<a href="#id_agency">' in body and '<a href="#id_date_from">' in body  # the error summary
    assert "crispy" not in form and "style=" not in form


def test_the_scheduler_brings_the_audit_counts_up_to_date_every_ten_minutes():
    """So the entries the page counts from the trail itself (those since the last refresh) stay a few
    minutes' worth, not a day's: that part of the page's time grows with them."""
    from apscheduler.triggers.cron import CronTrigger
    from django.conf import settings

    from operations.jobs import BY_NAME

    job = BY_NAME["refresh_rollups"]
    assert job.command == "refresh_rollups" and job.arguments == ()
    trigger = CronTrigger(**job.cron, timezone=settings.TIME_ZONE)
    moment = dt.datetime(2026, 3, 29, 0, 0, tzinfo=LONDON)  # across a change to summer time
    fires = []
    while len(fires) < 24 * 6 + 1:
        moment = trigger.get_next_fire_time(None, moment + dt.timedelta(seconds=1))
        fires.append(moment.astimezone(UTC))  # (times in one zone subtract as wall times)
    assert max(later - earlier for earlier, later in itertools.pairwise(fires)) <= dt.timedelta(minutes=10)
