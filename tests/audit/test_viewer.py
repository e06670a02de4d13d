"""The audit trail viewer: who sees which entries, the filters, one entry, pages and the CSV export."""

import csv
import datetime as dt
import html
import io
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from agreements.models import Agency
from audit import views
from audit.context import audit_context
from audit.models import AuditEntry, Event
from audit.services import record_event
from tests.audit.factories import write_entries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("audit:entry_list")
EXPORT = reverse("audit:entry_export")


def _listed_ids(response) -> list[int]:
    return [entry.pk for entry in response.context["page"].items]


@pytest.fixture
def agency_ig_elsewhere(other_agency):
    """An IG officer of the other agency only (not partnership-wide)."""
    return UserFactory(email="ig-elsewhere@example.org", agency=other_agency, role=Role.IG_OFFICER)


@pytest.fixture
def mixed_trail(practitioner, outsider, agency, other_agency):
    """One entry by home staff about a home record, one by an outsider about a home record,
    one by home staff about another agency's record, one wholly elsewhere."""
    with audit_context(source="tests", actor=practitioner):
        home_home = record_event(Event.VIEW, practitioner, label="home about home")
        home_other = record_event(Event.VIEW, outsider, label="home about other")
    with audit_context(source="tests", actor=outsider):
        other_home = record_event(Event.VIEW, practitioner, label="other about home")
        other_other = record_event(Event.VIEW, outsider, label="other about other")
    return {
        "home_home": home_home.pk,
        "home_other": home_other.pk,
        "other_home": other_home.pk,
        "other_other": other_other.pk,
    }


def _ids_for(client, user, **params) -> set[int]:
    client.force_login(user)
    response = client.get(LIST, {"actor": "", **params})
    assert response.status_code == 200
    return set(_listed_ids(response))


def test_an_agency_ig_officer_sees_entries_about_or_by_their_agency_only(client, ig_officer, mixed_trail):
    seen = _ids_for(client, ig_officer)
    assert {mixed_trail["home_home"], mixed_trail["home_other"], mixed_trail["other_home"]} <= seen
    assert mixed_trail["other_other"] not in seen


def test_a_partnership_ig_officer_sees_every_agency(client, partnership_ig, mixed_trail):
    assert set(mixed_trail.values()) <= _ids_for(client, partnership_ig)


@pytest.mark.parametrize("persona", ["practitioner", "lead", "admin", "outsider"])
def test_other_roles_are_refused_and_the_refusal_is_recorded(client, personas, persona):
    client.force_login(personas[persona])
    for url in (LIST, EXPORT):
        assert client.get(url).status_code == 403
    assert AuditEntry.objects.filter(event=Event.DENIED, actor=personas[persona]).count() == 2


def test_an_entry_outside_the_officers_agency_is_not_found(client, agency_ig_elsewhere, mixed_trail):
    client.force_login(agency_ig_elsewhere)
    url = reverse("audit:entry_detail", args=[mixed_trail["home_home"]])
    assert client.get(url).status_code == 404
    own = reverse("audit:entry_detail", args=[mixed_trail["other_other"]])
    assert client.get(own).status_code == 200


def test_filter_by_actor_agency_type_record_and_what_happened(
    client, partnership_ig, practitioner, outsider, agency, mixed_trail
):
    assert _ids_for(client, partnership_ig, actor="PRACTITIONER@example.org ") >= {
        mixed_trail["home_home"],
        mixed_trail["home_other"],
    }
    by_actor = _ids_for(client, partnership_ig, actor=practitioner.email)
    assert mixed_trail["other_home"] not in by_actor

    by_agency = _ids_for(client, partnership_ig, agency=outsider.agency_id)
    assert {mixed_trail["home_other"], mixed_trail["other_home"], mixed_trail["other_other"]} <= by_agency
    assert mixed_trail["home_home"] not in by_agency

    user_type = ContentType.objects.get_for_model(User).pk
    one_record = _ids_for(client, partnership_ig, record_type=user_type, record_id=str(outsider.pk))
    assert one_record >= {mixed_trail["home_other"], mixed_trail["other_other"]}
    assert not one_record & {mixed_trail["home_home"], mixed_trail["other_home"]}
    assert all(AuditEntry.objects.get(pk=pk).object_pk == str(outsider.pk) for pk in one_record)

    created = _ids_for(client, partnership_ig, activity="create")
    assert created and all(AuditEntry.objects.get(pk=pk).action == AuditEntry.Action.CREATE for pk in created)
    assert not created & set(mixed_trail.values())
    viewed = _ids_for(client, partnership_ig, activity="view")
    assert set(mixed_trail.values()) == viewed

    agency_type = ContentType.objects.get_for_model(Agency).pk
    agencies = _ids_for(client, partnership_ig, record_type=agency_type)
    assert agencies == set(
        AuditEntry.objects.filter(content_type_id=agency_type).values_list("pk", flat=True)
    )


def test_filter_by_dates_is_inclusive_in_local_time(client, partnership_ig, practitioner):
    zone = timezone.get_current_timezone()
    stamps = {
        "before": dt.datetime(2026, 3, 31, 23, 59, 59, tzinfo=zone),
        "first": dt.datetime(2026, 4, 1, 0, 0, 0, tzinfo=zone),
        "last": dt.datetime(2026, 4, 30, 23, 59, 59, tzinfo=zone),
        "after": dt.datetime(2026, 5, 1, 0, 0, 0, tzinfo=zone),
    }
    ids = {}
    with audit_context(source="tests", actor=practitioner):
        for name, when in stamps.items():
            entry = AuditEntry(
                event=Event.VIEW,
                action=AuditEntry.Action.ACCESS,
                timestamp=when,
                object_repr=name,
                content_type=ContentType.objects.get_for_model(User),
                object_pk=str(practitioner.pk),
            )
            entry.save()
            ids[name] = entry.pk
    found = _ids_for(
        client,
        partnership_ig,
        date_from_0="1",
        date_from_1="4",
        date_from_2="2026",
        date_to_0="30",
        date_to_1="4",
        date_to_2="2026",
    )
    assert found == {ids["first"], ids["last"]}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"record_id": "7"}, "Select a type of record to see the trail of one record"),
        ({"actor": "not an email"}, "Enter an email address in the correct format"),
        ({"activity": "smuggle"}, "Select what happened from the list"),
        (
            {
                "date_from_0": "2",
                "date_from_1": "4",
                "date_from_2": "2026",
                "date_to_0": "1",
                "date_to_1": "4",
                "date_to_2": "2026",
            },
            "The &#x27;to&#x27; date must be the same as or after the &#x27;from&#x27; date",
        ),
    ],
)
def test_a_wrong_filter_is_explained_and_shows_nothing(client, partnership_ig, params, message):
    client.force_login(partnership_ig)
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    assert response.context["page"].items == []
    assert client.get(EXPORT, params).status_code == 400


def test_an_entry_shows_each_changed_field_before_and_after(client, partnership_ig, practitioner):
    with audit_context(source="tests", actor=practitioner):
        practitioner.job_title = "Senior social worker"
        practitioner.save()
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, object_pk=str(practitioner.pk)).get()
    client.force_login(partnership_ig)
    response = client.get(reverse("audit:entry_detail", args=[entry.pk]))
    assert response.status_code == 200
    assert response.context["changes"] == [
        {"field": "Job title", "before": "", "after": "Senior social worker"}
    ]
    body = response.content.decode()
    assert "Senior social worker" in body
    assert entry.entry_hash in body


def test_a_choice_is_shown_by_its_label(client, partnership_ig, agency, lead):
    from agreements.models import AgencyKind

    with audit_context(source="tests", actor=lead):
        agency.kind = AgencyKind.SCHOOL
        agency.save()
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, object_pk=str(agency.pk)).get()
    client.force_login(partnership_ig)
    changes = client.get(reverse("audit:entry_detail", args=[entry.pk])).context["changes"]
    assert changes == [
        {"field": "Kind", "before": "Local authority children's services", "after": "School or academy"}
    ]


def test_pages_walk_the_whole_trail_newest_first_and_back(client, partnership_ig, practitioner, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 7)
    write_entries(30, actor=practitioner)
    client.force_login(partnership_ig)  # itself an entry (a sign-in)
    expected = list(AuditEntry.objects.order_by("-timestamp", "-id").values_list("pk", flat=True))

    seen, pages, params = [], [], {}
    while True:
        page = client.get(LIST, params).context["page"]
        pages.append(page)
        seen.extend(entry.pk for entry in page.items)
        if not page.next_cursor:
            break
        params = {"older": page.next_cursor}
    assert seen == expected
    assert pages[0].previous_cursor is None

    back = client.get(LIST, {"newer": pages[2].previous_cursor}).context["page"]
    assert [entry.pk for entry in back.items] == [entry.pk for entry in pages[1].items]


def test_a_forged_cursor_shows_the_first_page(client, partnership_ig, practitioner):
    write_entries(3, actor=practitioner)
    client.force_login(partnership_ig)
    client.get("/")  # the first request after signing in stamps the session (an entry)
    newest = AuditEntry.objects.order_by("-timestamp", "-id").first().pk
    response = client.get(LIST, {"older": "nonsense_x"})
    assert response.status_code == 200
    assert _listed_ids(response)[0] == newest


@pytest.mark.parametrize("size", [5, 50])
def test_the_list_costs_the_same_queries_whatever_the_page_size(
    client, ig_officer, practitioner, outsider, monkeypatch, django_assert_num_queries, size
):
    monkeypatch.setattr(views, "PAGE_SIZE", size)
    write_entries(2 * size + 1, actor=practitioner)
    write_entries(5, actor=outsider)
    client.force_login(ig_officer)
    older = client.get(LIST).context["page"].next_cursor
    # session, user with their agency (header), the page, agencies for the filter (one read),
    # and the entry recording that the trail was read; content types are cached; no request
    # transaction (the page only reads). No COUNT, whatever the page size.
    with django_assert_num_queries(5):
        response = client.get(LIST, {"older": older})
    assert len(response.context["page"].items) == size
    by_record = {"record_type": ContentType.objects.get_for_model(User).pk, "record_id": str(practitioner.pk)}
    by_actor = {
        "actor": practitioner.email,
        **_date_fields("date_from", timezone.localdate() - dt.timedelta(days=30)),
        **_date_fields("date_to", timezone.localdate()),
    }
    for filters in (by_record, by_actor):
        with django_assert_num_queries(5):
            response = client.get(LIST, filters)
        assert response.context["form"].is_valid()
        assert len(response.context["page"].items) == size


def _date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def test_the_export_streams_the_filtered_scoped_trail_and_is_recorded(
    client, ig_officer, practitioner, mixed_trail
):
    with audit_context(source="tests", actor=practitioner):
        record_event(Event.VIEW, practitioner, label='=HYPERLINK("http://evil")')
    client.force_login(ig_officer)
    response = client.get(EXPORT, {"activity": "view"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeffAudit trail")  # the byte order mark, then what the file holds
    rows = list(csv.reader(io.StringIO(text[1:])))
    at = rows.index(views.EXPORT_HEADER)
    assert ["What happened", "Viewed a record"] in rows[:at]  # the filters, in words, above the header
    header, body = rows[at], rows[at + 1 :]
    assert header == views.EXPORT_HEADER
    ids = {int(row[0]) for row in body}
    assert ids >= {mixed_trail["home_home"], mixed_trail["home_other"], mixed_trail["other_home"]}
    assert mixed_trail["other_other"] not in ids
    assert '\'=HYPERLINK("http://evil")' in {row[10] for row in body}

    export = AuditEntry.objects.filter(event=Event.EXPORT, actor=ig_officer).get()
    assert export.additional_data == {"filters": {"activity": "view"}}
    assert export.object_repr == "Audit trail (CSV)"


def test_the_ig_officers_home_page_shows_the_latest_refusals_in_their_scope(
    client, ig_officer, practitioner, outsider
):
    for user in (practitioner, outsider):
        client.force_login(user)
        client.get(LIST)  # refused, and recorded
    client.force_login(ig_officer)
    refusals = list(client.get(reverse("home")).context["recent_refusals"])
    assert [entry.actor for entry in refusals] == [practitioner]


def test_an_entry_page_costs_a_fixed_number_of_queries(
    client, partnership_ig, practitioner, django_assert_num_queries
):
    [entry] = write_entries(1, actor=practitioner)
    client.force_login(partnership_ig)
    url = reverse("audit:entry_detail", args=[entry.pk])
    client.get(url)  # the first request after signing in also stamps the session
    # session, user with their agency (header), the entry with its joins, and the entry recording it was read
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200


def test_a_yes_or_no_field_reads_yes_or_no(client, partnership_ig, agency, lead):
    with audit_context(source="tests", actor=lead):
        agency.is_active = False
        agency.save()
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, object_pk=str(agency.pk)).get()
    client.force_login(partnership_ig)
    changes = client.get(reverse("audit:entry_detail", args=[entry.pk])).context["changes"]
    assert changes == [{"field": "Active", "before": "Yes", "after": "No"}]


def test_each_listed_row_reads_as_the_template_filters_wrote_it(client, ig_officer, practitioner):
    """The rows are written in Python for speed (issue 19): the same time, words and link as the
    ``date``, ``truncatechars`` and ``url`` of the template they replace, escaped by the template."""
    from django.template.defaultfilters import date, truncatechars

    with audit_context(source="tests", actor=practitioner):
        short = record_event(Event.VIEW, practitioner, label="<b>short</b>")
        long = record_event(Event.VIEW, practitioner, label="x" * 300)
    client.force_login(ig_officer)
    response = client.get(LIST)
    rows = {row[0]: row for row in response.context["rows"]}
    page = response.content.decode()

    for entry in AuditEntry.objects.filter(pk__in=[short.pk, long.pk]).select_related("agency"):
        _pk, url, when, what, kind, record_type, agency = rows[entry.pk]
        assert url == reverse("audit:entry_detail", args=[entry.pk])
        assert when == date(timezone.localtime(entry.timestamp), "j M Y H:i:s")
        assert what == truncatechars(entry.sentence, 200)
        assert (kind, record_type) == (entry.activity_label, entry.record_type_label)
        assert agency == entry.agency.name
    assert len(rows[long.pk][3]) == 200 and rows[long.pk][3].endswith("…")
    assert "&lt;b&gt;short&lt;/b&gt;" in page and "<b>short</b>" not in page


def test_the_agency_filter_lists_every_agency_by_name_read_as_ids_and_names(
    client, ig_officer, practitioner, outsider, agency, other_agency, mixed_trail
):
    """The agency select's options are read once a page as (id, name), not as agencies (issue 19):
    every agency in name order, the chosen one selected, the export naming it in words."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(ig_officer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"agency": other_agency.pk})
    agency_reads = [q["sql"] for q in queries.captured_queries if 'FROM "agreements_agency"' in q["sql"]]
    assert len(agency_reads) == 1
    columns = agency_reads[0].split(" FROM ")[0]
    assert re.fullmatch(
        r'SELECT "agreements_agency"\."id"( AS "\w+")?, "agreements_agency"\."name"( AS "\w+")?', columns
    )
    assert _listed_ids(response) == sorted(
        {mixed_trail["home_other"], mixed_trail["other_home"]}, reverse=True
    )  # the officer's own agency's part of the trail, about or by the other agency

    page = response.content.decode()
    names = list(Agency.objects.order_by("name").values_list("pk", "name"))
    options = "".join(
        f'<option value="{pk}"{" selected" if pk == other_agency.pk else ""}>{html.escape(name)}</option>'
        for pk, name in names
    )
    assert f'<option value="">Any agency</option>{options}\n' in page

    export = client.get(EXPORT, {"agency": other_agency.pk})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode()[1:])))
    assert ["Agency", other_agency.name] in rows[:5]

    unknown = client.get(LIST, {"agency": max(pk for pk, _ in names) + 1})
    assert "Select an agency from the list" in unknown.content.decode()
    assert unknown.context["page"].items == []


def test_the_person_filter_reads_their_entries_by_their_id_and_an_unknown_email_shows_none(
    client, ig_officer, practitioner, lead, mixed_trail
):
    """The filter "Who did it" looks the person up once, as a value, and walks their entries (issue
    19): the same entries as the join it replaced; an email nobody has matches nothing, not all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with audit_context(source="tests", actor=lead):
        by_lead = record_event(Event.VIEW, practitioner, label="the lead's view")
    client.force_login(ig_officer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"actor": practitioner.email.upper()})
    page_query = next(q["sql"] for q in queries.captured_queries if 'FROM "audit_auditentry"' in q["sql"])
    assert '"actor_id" = (SELECT' in page_query
    # The page's ids are chosen on the trail alone, then only they are joined to the names shown.
    assert re.search(r'WHERE "audit_auditentry"\."id" IN \(SELECT .* LIMIT 51\) ORDER BY', page_query)
    expected = AuditEntry.objects.visible_to(ig_officer).filter(actor__email=practitioner.email)
    assert _listed_ids(response) == list(expected.order_by("-timestamp", "-id").values_list("pk", flat=True))
    assert mixed_trail["home_home"] in _listed_ids(response)
    assert by_lead.pk not in _listed_ids(response)

    nobody = client.get(LIST, {"actor": "nobody@example.org"})
    assert nobody.context["form"].is_valid()
    assert nobody.context["page"].items == []


def test_what_happened_offers_every_activity_in_order_with_the_chosen_one_selected(client, ig_officer):
    """Its options are shared by every form, not copied for each (issue 19): still every activity, the
    answer given selected on this page and on no other."""
    from audit.forms import ACTIVITY_CHOICES

    client.force_login(ig_officer)
    chosen = client.get(LIST, {"activity": "view"}).content.decode()
    plain = client.get(LIST).content.decode()
    for page, answer in ((chosen, "view"), (plain, "")):
        options = "".join(
            f'<option value="{value}"{" selected" if value == answer else ""}>{html.escape(label)}</option>'
            for value, label in ACTIVITY_CHOICES
        )
        assert options in page


def test_the_types_of_record_are_offered_in_the_ig_order_by_their_names(client, ig_officer):
    from audit.wording import IG_RECORD_TYPES, record_noun

    client.force_login(ig_officer)
    field = client.get(LIST).context["form"].fields["record_type"]
    by_model = {ct.model: ct.pk for ct in ContentType.objects.filter(model__in=IG_RECORD_TYPES)}
    assert [(str(pk), label) for pk, label in field.choices] == [
        ("", "Any type"),
        *[
            (str(by_model[name]), record_noun(name).capitalize())
            for name in IG_RECORD_TYPES
            if name in by_model
        ],
    ]
