"""Finding, adding and reading a child: scope, duplicates, the chronology and its audit trail."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditEntry, Event
from consent.models import Child, ChildAgency
from consent.services import consent_withdraw
from tests.consent.factories import make_assessment, make_consent
from tests.factories import ChildFactory, days_ago

pytestmark = pytest.mark.django_db

LIST = reverse("consent:child_list")
CREATE = reverse("consent:child_create")


def detail(child) -> str:
    return reverse("consent:child_detail", kwargs={"pk": child.pk})


def names(response) -> list[str]:
    return sorted(str(child) for child in response.context["page"].object_list)


# The list and search ------------------------------------------------------------------------------


def test_practitioners_and_leads_see_only_their_agencys_children(client, child, practitioner, lead, outsider):
    theirs = ChildFactory(given_name="Other", family_name="Agency", created_by=outsider)
    for user in (practitioner, lead):
        client.force_login(user)
        assert names(client.get(LIST)) == ["Amara Okoye"]
        assert client.get(detail(theirs)).status_code == 404
    client.force_login(outsider)
    assert names(client.get(LIST)) == ["Other Agency"]
    assert client.get(detail(child)).status_code == 404


def test_a_child_becomes_visible_to_an_agency_that_records_about_them(client, child, outsider):
    make_consent(child, outsider)
    client.force_login(outsider)
    assert client.get(detail(child)).status_code == 200


def test_ig_officers_see_their_agencys_children_and_partnership_ig_sees_all(
    client, child, outsider, ig_officer, partnership_ig
):
    ChildFactory(given_name="Other", family_name="Agency", created_by=outsider)
    client.force_login(ig_officer)
    assert names(client.get(LIST)) == ["Amara Okoye"]
    client.force_login(partnership_ig)
    assert names(client.get(LIST)) == ["Amara Okoye", "Other Agency"]


def test_admins_are_refused_every_child_page(client, admin, child):
    client.force_login(admin)
    consent = make_consent(child, child.created_by)
    assessment = make_assessment(child, child.created_by)
    for url in (
        LIST,
        CREATE,
        detail(child),
        reverse("consent:chronology_pdf", kwargs={"pk": child.pk}),
        reverse("consent:chronology_print", kwargs={"pk": child.pk}),
        reverse("consent:consent_detail", kwargs={"pk": consent.pk}),
        reverse("consent:assessment_detail", kwargs={"pk": assessment.pk}),
        reverse("consent:consent_step", kwargs={"pk": child.pk, "step": "purpose"}),
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"name": "amara"}, ["Amara Okoye"]),
        ({"name": "OKOYE amara"}, ["Amara Okoye"]),
        ({"name": "Ben"}, ["Ben Smith"]),
        ({"nhs_number": "943 476 5919"}, ["Ben Smith"]),
        ({"date_of_birth_0": "1", "date_of_birth_1": "2", "date_of_birth_2": "2015"}, ["Ben Smith"]),
        ({"name": "Nobody"}, []),
    ],
)
def test_search_by_name_date_of_birth_or_nhs_number(client, practitioner, child, outsider, query, expected):
    ChildFactory(
        given_name="Ben",
        family_name="Smith",
        nhs_number="9434765919",
        date_of_birth=datetime.date(2015, 2, 1),
        created_by=practitioner,
    )
    # The same NHS number held by another agency is not found.
    ChildFactory(given_name="Ben", family_name="Elsewhere", nhs_number="9434765919", created_by=outsider)
    client.force_login(practitioner)
    assert names(client.get(LIST, query)) == expected


def test_an_invalid_search_shows_errors_and_nothing_else(client, practitioner, child):
    client.force_login(practitioner)
    response = client.get(LIST, {"date_of_birth_0": "40", "date_of_birth_1": "2", "date_of_birth_2": "2015"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert names(response) == []


def test_listing_and_searching_are_recorded(client, practitioner, child):
    client.force_login(practitioner)
    client.get(LIST, {"name": "amara"})
    entry = AuditEntry.objects.get(event=Event.LIST)
    assert entry.actor == practitioner
    assert entry.additional_data == {"searched_by": ["name"]}
    assert "amara" not in str(entry.additional_data)


def test_the_list_shows_the_agencys_own_reference(client, practitioner, outsider, child):
    link = ChildAgency.objects.get(child=child)
    link.local_reference = "LA-77"
    link.save()
    make_consent(child, outsider)
    client.force_login(practitioner)
    assert client.get(LIST).context["page"].object_list[0].local_reference == "LA-77"
    client.force_login(outsider)
    assert client.get(LIST).context["page"].object_list[0].local_reference == ""


def test_the_list_takes_the_same_queries_whatever_its_length(client, practitioner, django_assert_num_queries):
    client.force_login(practitioner)
    ChildFactory(created_by=practitioner)
    client.get(LIST)  # warm the content type cache
    with django_assert_num_queries(5):
        client.get(LIST)
    for _ in range(30):
        ChildFactory(created_by=practitioner)
    with django_assert_num_queries(5):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 25


# Adding a child -------------------------------------------------------------------------------------


def child_data(**overrides):
    data = {
        "given_name": "Amara",
        "family_name": "Okoye",
        "date_of_birth_0": "1",
        "date_of_birth_1": "5",
        "date_of_birth_2": "2012",
        "nhs_number": "",
        "local_reference": "LA-9",
    }
    return {**data, **overrides}


def test_adding_a_child_links_the_agency_and_is_audited(client, practitioner):
    client.force_login(practitioner)
    response = client.post(CREATE, child_data(nhs_number="943 476 5919"))
    child = Child.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(child)
    assert child.nhs_number == "9434765919"
    assert ChildAgency.objects.get(child=child).local_reference == "LA-9"
    entry = AuditEntry.objects.get(content_type__model="child", action=AuditEntry.Action.CREATE)
    assert (entry.actor, entry.source) == (practitioner, "web")


def test_a_bad_nhs_number_is_refused_and_the_answers_kept(client, practitioner):
    client.force_login(practitioner)
    response = client.post(CREATE, child_data(nhs_number="9434765918"))
    assert response.status_code == 200
    assert "fails its check digit" in response.content.decode()
    assert 'value="Amara"' in response.content.decode()
    assert not Child.objects.exists()


def test_a_date_of_birth_in_the_future_is_refused(client, practitioner):
    client.force_login(practitioner)
    future = days_ago(-2)
    data = child_data(date_of_birth_0=future.day, date_of_birth_1=future.month, date_of_birth_2=future.year)
    assert client.post(CREATE, data).status_code == 200
    assert not Child.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"given_name": "AMARA", "family_name": "okoye"},
        {"given_name": "Amarah", "family_name": "Okoye"},
    ],
)
def test_a_possible_duplicate_warns_and_offers_the_existing_record(client, practitioner, overrides):
    existing = ChildFactory(
        given_name="Amara",
        family_name="Okoye",
        date_of_birth=datetime.date(2012, 5, 1),
        nhs_number="9434765919",
        created_by=practitioner,
    )
    client.force_login(practitioner)
    response = client.post(CREATE, child_data(**overrides))
    assert response.status_code == 200
    assert response.context["duplicates"] == [existing]
    assert detail(existing) in response.content.decode()
    assert Child.objects.count() == 1
    # Saving again from the warning says "this is a different child".
    confirmed = child_data(**overrides, confirmed_different=str(existing.pk))
    assert client.post(CREATE, confirmed).status_code == 302
    assert Child.objects.count() == 2


def test_a_child_another_agency_holds_is_offered_without_a_link_to_its_record(client, practitioner, outsider):
    """One child, one record (issue 12, item 8): tests/consent/test_child_matching.py."""
    other = ChildFactory(
        given_name="Amara", family_name="Okoye", date_of_birth=datetime.date(2012, 5, 1), created_by=outsider
    )
    client.force_login(practitioner)
    response = client.post(CREATE, child_data())
    assert response.status_code == 200 and response.context["duplicates"] == [other]
    assert detail(other) not in response.content.decode()


def test_a_confirmation_covers_only_the_records_shown(client, practitioner):
    first = ChildFactory(
        given_name="Amara",
        family_name="Okoye",
        date_of_birth=datetime.date(2012, 5, 1),
        created_by=practitioner,
    )
    ChildFactory(
        given_name="Amarah",
        family_name="Okoye",
        date_of_birth=datetime.date(2012, 5, 1),
        created_by=practitioner,
    )
    client.force_login(practitioner)
    response = client.post(CREATE, child_data(confirmed_different=str(first.pk)))
    assert response.status_code == 200 and len(response.context["duplicates"]) == 2


# The child's page and chronology ------------------------------------------------------------------


@pytest.fixture
def history(child, practitioner, outsider):
    assessment = make_assessment(child, practitioner, on=days_ago(30))
    given = make_consent(child, practitioner, on=days_ago(20))
    consent_withdraw(
        consent=given,
        by=practitioner,
        withdrawn_on=days_ago(5),
        how_obtained="phone",
        discussion_note="No longer.",
    )
    make_consent(child, practitioner, answer="not_sought", on=days_ago(2))
    make_consent(child, outsider, answer="refused", on=days_ago(1))  # another agency's: not shown
    return assessment


def test_the_chronology_shows_the_agencys_records_newest_first(
    client, practitioner, outsider, child, history
):
    client.force_login(practitioner)
    response = client.get(detail(child))
    entries = response.context["entries"]
    # One read of the records serves both: the summary weighs every agency's, the chronology lists its own.
    summary = response.context["consent_summary"]
    assert [b.record.agency_id for b in summary.bearings].count(outsider.agency_id) == 1
    assert [(e.kind, e.title) for e in entries] == [
        ("Consent", "Consent not sought"),
        ("Consent", "Consent withdrawn"),
        ("Consent", "Consent given"),
        ("Competence assessment", "Competent to decide"),
    ]


def test_an_assessments_entry_names_its_agency_and_assessor(client, practitioner, child, history):
    """Read with only the columns the entry shows (consent.sources.ASSESSMENT_FIELDS), in the same one
    query however many there are; the assessor named as everywhere else (their name, else email)."""
    client.force_login(practitioner)
    (entry,) = [e for e in client.get(detail(child)).context["entries"] if e.kind == "Competence assessment"]
    assert (entry.agency_name, entry.recorded_by) == (history.agency.name, str(history.assessor))
    assert entry.summary == (f"{history.get_matter_display()}. Aged {history.age_at_assessment} at the time.")
    assert entry.url == reverse("consent:assessment_detail", kwargs={"pk": history.pk})


def test_partnership_ig_sees_every_agencys_records(client, partnership_ig, child, history):
    client.force_login(partnership_ig)
    assert len(client.get(detail(child)).context["entries"]) == 5


def test_viewing_a_child_is_recorded(client, practitioner, child):
    client.force_login(practitioner)
    client.get(detail(child))
    entry = AuditEntry.objects.get(event=Event.VIEW)
    assert (entry.object_pk, entry.actor, entry.agency_id) == (
        str(child.pk),
        practitioner,
        practitioner.agency_id,
    )


def test_the_pdf_download_is_a_pdf_and_is_recorded(client, practitioner, child, history):
    client.force_login(practitioner)
    response = client.get(reverse("consent:chronology_pdf", kwargs={"pk": child.pk}))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == f'attachment; filename="chronology-{child.pk}.pdf"'
    entry = AuditEntry.objects.get(event=Event.DOWNLOAD)
    assert (entry.object_pk, entry.actor) == (str(child.pk), practitioner)


def test_the_print_page_is_recorded_and_uses_the_print_stylesheet(client, practitioner, child, history):
    client.force_login(practitioner)
    response = client.get(reverse("consent:chronology_print", kwargs={"pk": child.pk}))
    assert 'href="/static/css/print.css" media="print"' in response.content.decode()
    assert len(response.context["entries"]) == 4
    assert AuditEntry.objects.filter(event=Event.PRINT, object_pk=str(child.pk), actor=practitioner).exists()


def test_the_child_page_takes_the_same_queries_however_long_the_chronology(
    client, practitioner, child, django_assert_num_queries
):
    client.force_login(practitioner)
    make_consent(child, practitioner)
    make_assessment(child, practitioner)
    client.get(detail(child))
    # session, user with their agency, the child with the agency's reference and the user's
    # unfinished journeys, the "viewed" entry (one statement, which also writes the child's name
    # outside the chain so that it can be erased: audit.erasure), every agency's consent records with
    # their recipients in the same query, read once for both the consent summary at the top and the
    # chronology (consent.position.with_every_record), assessments, decisions. No request transaction.
    with django_assert_num_queries(7):
        client.get(detail(child))
    for _ in range(10):
        make_consent(child, practitioner)
        make_assessment(child, practitioner)
    with django_assert_num_queries(7):
        response = client.get(detail(child))
    assert len(response.context["entries"]) == 22


def test_the_child_page_names_each_consents_recipients_in_name_order(client, practitioner, child):
    """The recipients read in the consent records' own query (consent.position.with_every_record) are
    the agencies each record names, in their own order (by name), in the summary and the chronology."""
    from tests.factories import AgencyFactory

    zeta, alpha = AgencyFactory(name="Zeta Health Trust"), AgencyFactory(name="Alpha Academy")
    make_consent(child, practitioner, recipients=[zeta, practitioner.agency, alpha])
    make_consent(child, practitioner, recipients=[zeta], purpose="education")
    client.force_login(practitioner)
    response = client.get(detail(child))
    with_whom = [bearing.with_whom for bearing in response.context["consent_summary"].standing]
    both = f"Alpha Academy, {practitioner.agency.name}, Zeta Health Trust"
    assert sorted(with_whom) == [both, "Zeta Health Trust"]
    summaries = [entry.summary for entry in response.context["entries"] if entry.kind == "Consent"]
    assert sorted(summary.split("; with ")[1] for summary in summaries) == [f"{both}.", "Zeta Health Trust."]


def test_the_landing_page_lists_the_agencys_recent_children(client, practitioner, child, outsider):
    ChildFactory(given_name="Other", family_name="Agency", created_by=outsider)
    client.force_login(practitioner)
    response = client.get(reverse("home"))
    assert [str(c) for c in response.context["recent_children"]] == ["Amara Okoye"]
    assert detail(child) in response.content.decode()


def test_a_chronology_entrys_day_reads_as_the_date_filter_wrote_it():
    """``ChronologyEntry.day`` (plain Python) writes what ``{{ entry.when|date:"j M Y" }}`` wrote, on the
    local calendar: an entry late on a summer evening in UTC is the next day in London."""
    from django.template import engines

    from consent.chronology import ChronologyEntry

    template = engines["django"].from_string('{{ when|date:"j M Y" }}')
    for when in (
        datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC),
        datetime.datetime(2026, 12, 5, 9, 0, tzinfo=datetime.UTC),
        datetime.datetime(2027, 1, 1, 0, 0, tzinfo=datetime.UTC),
    ):
        entry = ChronologyEntry(
            when=when, kind="Consent", title="", summary="", agency_name="", recorded_by=""
        )
        assert entry.day == template.render({"when": when})
    assert entry.day == "1 Jan 2027"
