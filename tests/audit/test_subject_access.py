"""The subject access bundle: everything held about one child, third parties protected, audited."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry, Event
from consent.models import Child
from consent.services import consent_withdraw
from decisions.models import Decision
from decisions.services import decision_add_addendum, decision_review
from tests.consent.factories import make_assessment, make_consent
from tests.decisions.conftest import consent_found, cover_found, recipient  # noqa: F401
from tests.decisions.factories import child_for, submitted_decision
from tests.factories import UserFactory, days_ago

pytestmark = pytest.mark.django_db

PROTECTED = ["Ann Protect", "Bob Witness"]


@pytest.fixture
def held(practitioner, lead, recipient):  # noqa: F811 (the fixture imported above)
    """A child with one of every kind of record, and a decision naming two protected people."""
    child = child_for(practitioner, given_name="Amy", family_name="Brook", nhs_number="")
    assessment = make_assessment(child, practitioner, on=days_ago(3), reason="Understood it well")
    consent = make_consent(child, practitioner, on=days_ago(2), parent_name="Jo Parentname")
    withdrawal = consent_withdraw(
        consent=consent,
        by=practitioner,
        withdrawn_on=days_ago(1),
        how_obtained="phone",
        discussion_note="Mother phoned to withdraw",
    )
    decision = submitted_decision(
        practitioner,
        recipient,
        child,
        purpose={"purpose_detail": "Ann Protect saw bruising at the park"},
        openness={"protected_identities": "Ann Protect\nBob Witness"},
    )
    addendum = decision_add_addendum(decision=decision, text="Bob Witness called again", by=practitioner)
    review = decision_review(decision=decision, action="endorse", comments="Agreed", by=lead)
    return {
        "child": child,
        "assessment": assessment,
        "consent": consent,
        "withdrawal": withdrawal,
        "decision": decision,
        "addendum": addendum,
        "review": review,
    }


@pytest.fixture
def other_child(practitioner, recipient):  # noqa: F811
    child = child_for(practitioner, given_name="Zed", family_name="Otherchild")
    submitted_decision(practitioner, recipient, child, purpose={"purpose_detail": "OTHER-CHILD-MARKER"})
    return child


def _bundle(client, user, child) -> zipfile.ZipFile:
    client.force_login(user)
    response = client.post(reverse("audit:subject_access_child", kwargs={"pk": child.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="subject-access-{child.pk}-{today}.zip"'
    return zipfile.ZipFile(io.BytesIO(response.content))


def _csv(bundle, name) -> list[dict]:
    return list(csv.DictReader(io.StringIO(bundle.read(name).decode("utf-8-sig"))))


def _all_text(bundle) -> str:
    return "\n".join(
        bundle.read(name).decode("utf-8-sig") for name in bundle.namelist() if name != "subject-access.pdf"
    )


def test_the_bundle_holds_a_pdf_and_a_csv_per_kind_of_record(client, ig_officer, held):
    bundle = _bundle(client, ig_officer, held["child"])
    names = set(bundle.namelist())
    assert {
        "subject-access.pdf",
        "child.csv",
        "agency_links.csv",
        "competence_assessments.csv",
        "consent_records.csv",
        "decisions.csv",
        "decision_addenda.csv",
        "decision_reviews.csv",
        "decision_recipients.csv",
        "audit_entries.csv",
        "REDACTIONS.txt",
    } <= names
    assert bundle.read("subject-access.pdf").startswith(b"%PDF")


def test_every_record_of_the_child_appears_and_no_other_childs(client, ig_officer, held, other_child):
    bundle = _bundle(client, ig_officer, held["child"])
    assert [row["id"] for row in _csv(bundle, "child.csv")] == [str(held["child"].pk)]
    assert {row["id"] for row in _csv(bundle, "competence_assessments.csv")} == {str(held["assessment"].pk)}
    assert {row["id"] for row in _csv(bundle, "consent_records.csv")} == {
        str(held["consent"].pk),
        str(held["withdrawal"].pk),
    }
    assert {row["id"] for row in _csv(bundle, "decisions.csv")} == {str(held["decision"].pk)}
    assert {row["id"] for row in _csv(bundle, "decision_addenda.csv")} == {str(held["addendum"].pk)}
    assert {row["id"] for row in _csv(bundle, "decision_reviews.csv")} == {str(held["review"].pk)}
    assert [row["reference"] for row in _csv(bundle, "decision_recipients.csv")] == [
        held["decision"].reference
    ]
    assert len(_csv(bundle, "agency_links.csv")) == 1
    # The consent record's parent is kept: consent records carry no protection flag.
    assert "Jo Parentname" in bundle.read("consent_records.csv").decode("utf-8-sig")

    audited = {(row["record type"], row["record"]) for row in _csv(bundle, "audit_entries.csv")}
    assert ("decision", held["decision"].reference) in audited
    assert ("child", "Amy Brook") in audited
    assert ("consentrecord", str(held["withdrawal"])) in audited

    text = _all_text(bundle)
    assert "OTHER-CHILD-MARKER" not in text
    assert "Otherchild" not in text
    other_decision = Decision.objects.get(child=other_child)
    assert other_decision.reference not in text


def test_protected_identities_are_absent_from_every_file_and_the_redaction_is_explained(
    client, ig_officer, held
):
    bundle = _bundle(client, ig_officer, held["child"])
    for name in bundle.namelist():
        if name == "subject-access.pdf":
            continue
        content = bundle.read(name).decode("utf-8-sig").lower()
        for person in PROTECTED:
            assert person.lower() not in content, f"{person} found in {name}"
    [decision_row] = _csv(bundle, "decisions.csv")
    assert decision_row["protected_identities"].startswith("[WITHHELD")
    assert "[REDACTED: protected third party] saw bruising" in decision_row["purpose_detail"]
    note = bundle.read("REDACTIONS.txt").decode()
    assert "Schedule 2" in note
    assert f"decisions {held['decision'].pk}, protected_identities" in note.lower()


def test_the_pdf_is_made_from_the_redacted_records(held, ig_officer):
    from audit.subject_access import gather, render_html

    sections, redactor = gather(held["child"], user=ig_officer)
    html = render_html(held["child"], sections, redactor, made_on=timezone.localdate())
    assert "Amy Brook" in html
    assert held["decision"].reference in html
    for person in PROTECTED:
        assert person not in html
    assert "Schedule 2" in html


def test_cells_are_neutralised_against_formula_injection(client, ig_officer, practitioner):
    child = child_for(practitioner, given_name="=HYPERLINK(1)", family_name="Brook")
    bundle = _bundle(client, ig_officer, child)
    [row] = _csv(bundle, "child.csv")
    assert row["given_name"] == "'=HYPERLINK(1)"


def test_creating_the_bundle_is_audited_without_personal_data(client, ig_officer, held):
    _bundle(client, ig_officer, held["child"])
    entry = AuditEntry.objects.filter(event=Event.EXPORT).get()
    assert entry.object_pk == str(held["child"].pk)
    assert entry.content_type.model == "child"
    assert entry.actor == ig_officer
    assert entry.additional_data["kind"] == "subject_access"
    assert entry.additional_data["records"]["decisions.csv"] == 1
    for person in PROTECTED:
        assert person not in str(entry.additional_data)


def test_partnership_wide_ig_officer_reaches_any_child(client, partnership_ig, held):
    bundle = _bundle(client, partnership_ig, held["child"])
    assert len(_csv(bundle, "decisions.csv")) == 1


@pytest.mark.parametrize("persona", ["practitioner", "lead", "admin"])
def test_non_ig_users_are_refused_and_nothing_is_exported(client, personas, held, persona):
    client.force_login(personas[persona])
    response = client.post(reverse("audit:subject_access_child", kwargs={"pk": held["child"].pk}))
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(event=Event.EXPORT).exists()


def test_an_agency_ig_officer_cannot_reach_another_agencys_child(client, other_agency, held):
    other_ig = UserFactory(agency=other_agency, role="ig_officer")
    client.force_login(other_ig)
    response = client.post(reverse("audit:subject_access_child", kwargs={"pk": held["child"].pk}))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(event=Event.EXPORT).exists()


def test_the_search_finds_children_in_scope_only(client, ig_officer, held, other_agency):
    outside = Child.objects.create(
        given_name="Amy",
        family_name="Brook",
        date_of_birth=held["child"].date_of_birth,
        created_by=UserFactory(agency=other_agency),
    )
    client.force_login(ig_officer)
    response = client.get(reverse("audit:subject_access_search"), {"name": "amy brook"})
    assert response.status_code == 200
    assert list(response.context["children"]) == [held["child"]]
    assert outside not in response.context["children"]
    page = response.content.decode()
    assert reverse("audit:subject_access_child", kwargs={"pk": held["child"].pk}) in page


def test_the_child_page_offers_the_button_and_changes_nothing(client, ig_officer, held):
    client.force_login(ig_officer)
    response = client.get(reverse("audit:subject_access_child", kwargs={"pk": held["child"].pk}))
    assert response.status_code == 200
    assert "Create the bundle" in response.content.decode()
    assert not AuditEntry.objects.filter(event=Event.EXPORT).exists()


def test_the_search_costs_the_same_queries_however_many_children_match(client, ig_officer, practitioner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(ig_officer)
    client.get(reverse("audit:subject_access_search"), {"name": "sameq"})  # warm the per-process caches
    counts = []
    for _ in range(2):
        child_for(practitioner, given_name="Sameq", family_name="Count")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("audit:subject_access_search"), {"name": "sameq"})
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.context["children"]) == 2
    assert counts[0] == counts[1]


@pytest.fixture
def known_to_two(held, outsider, recipient):  # noqa: F811
    """``held``'s child is known to a second agency too, which holds records of its own."""
    from consent.services import child_agency_link

    child = held["child"]
    child_agency_link(child=child, agency=outsider.agency, local_reference="THEIR-REF-9")
    return {
        "assessment": make_assessment(child, outsider, on=days_ago(2), reason="THEIR-ASSESSMENT"),
        "consent": make_consent(child, outsider, on=days_ago(1), parent_name="Kim Theirparent"),
        "decision": submitted_decision(
            outsider, recipient, child, purpose={"purpose_detail": "THEIR-DECISION-MARKER"}
        ),
    }


def _ids(bundle, name) -> set[str]:
    return {row["id"] for row in _csv(bundle, name)}


def _audited(bundle) -> set[tuple[str, str]]:
    return {(row["record type"], row["record"]) for row in _csv(bundle, "audit_entries.csv")}


def test_each_agencys_ig_officer_gets_only_their_agencys_records_of_a_shared_child(
    client, ig_officer, outsider, held, known_to_two
):
    theirs = known_to_two
    home = _bundle(client, ig_officer, held["child"])
    assert _ids(home, "decisions.csv") == {str(held["decision"].pk)}
    assert _ids(home, "consent_records.csv") == {str(held["consent"].pk), str(held["withdrawal"].pk)}
    assert _ids(home, "competence_assessments.csv") == {str(held["assessment"].pk)}
    assert [row["agency_id"] for row in _csv(home, "agency_links.csv")] == [str(ig_officer.agency_id)]
    assert ("decision", theirs["decision"].reference) not in _audited(home)
    assert ("consentrecord", str(theirs["consent"])) not in _audited(home)
    home_text = _all_text(home)
    for marker in ("THEIR-DECISION-MARKER", "Kim Theirparent", "THEIR-ASSESSMENT", "THEIR-REF-9"):
        assert marker not in home_text
    assert theirs["decision"].reference not in home_text

    other_ig = UserFactory(agency=outsider.agency, role="ig_officer")
    other = _bundle(client, other_ig, held["child"])
    assert _ids(other, "decisions.csv") == {str(theirs["decision"].pk)}
    assert _ids(other, "consent_records.csv") == {str(theirs["consent"].pk)}
    assert _ids(other, "competence_assessments.csv") == {str(theirs["assessment"].pk)}
    assert _ids(other, "decision_addenda.csv") == set()
    assert _ids(other, "decision_reviews.csv") == set()
    assert [row["agency_id"] for row in _csv(other, "agency_links.csv")] == [str(outsider.agency_id)]
    assert ("decision", held["decision"].reference) not in _audited(other)
    other_text = _all_text(other)
    for marker in ("Jo Parentname", "Understood it well", "Bob Witness called again"):
        assert marker not in other_text
    assert held["decision"].reference not in other_text


def test_a_partnership_wide_ig_officer_gets_both_agencies_records(
    client, partnership_ig, held, known_to_two
):
    bundle = _bundle(client, partnership_ig, held["child"])
    assert _ids(bundle, "decisions.csv") == {str(held["decision"].pk), str(known_to_two["decision"].pk)}
    assert len(_csv(bundle, "agency_links.csv")) == 2


def test_drafts_are_not_in_the_bundle(practitioner, recipient, held):  # noqa: F811
    from audit.subject_access import gather
    from tests.decisions.factories import draft_decision

    draft = draft_decision(practitioner, recipient, held["child"], purpose={"purpose_detail": "DRAFT-MARKER"})
    # Its author sees their own draft on every page; the bundle still leaves it out.
    assert Decision.objects.visible_to(practitioner).filter(pk=draft.pk).exists()
    sections, _ = gather(held["child"], user=practitioner)
    decisions = next(section for section in sections if section.filename == "decisions.csv")
    assert [row[0] for row in decisions.rows] == [held["decision"].pk]
    assert "DRAFT-MARKER" not in str([section.rows for section in sections])
