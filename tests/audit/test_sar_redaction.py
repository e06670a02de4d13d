"""The reviewer's redaction step of a subject access request (issue 15, item 4): a reviewer marks
passages and third-party names to withhold, each with its exemption; the bundle (PDF and CSV files)
shows a black bar and the reason and never holds the words; each redaction is audited, made by
POST with CSRF, and fixed once the bundle is issued. Driven through the views, without JavaScript."""

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from audit import sar as services
from audit.models import AuditEntry, Event, SubjectAccessRequest, SubjectAccessStatus
from audit.sar_models import SubjectAccessRedaction
from isa_portal.vocabulary import SubjectAccessExemption
from tests.decisions.conftest import consent_found, cover_found, recipient  # noqa: F401
from tests.decisions.factories import child_for, submitted_decision
from tests.factories import UserFactory, days_ago

pytestmark = pytest.mark.django_db

PASSAGE = "the uncle said he would hurt her"
BAR = "\u2588" * 6
CRIME_BAR = f"{BAR} [withheld under DPA 2018 Sch 2 para 2, crime prevention or detection]"
THIRD_PARTY_BAR = f"{BAR} [withheld under DPA 2018 Sch 2 para 16, it would identify another person]"


@pytest.fixture
def case(practitioner, recipient):  # noqa: F811 (the fixture imported above)
    child = child_for(practitioner, given_name="Amy", family_name="Brook", nhs_number="")
    decision = submitted_decision(
        practitioner,
        recipient,
        child,
        purpose={"purpose_detail": f"Police told us {PASSAGE}. Neighbour Carol Vance called it in."},
    )
    return {"child": child, "decision": decision}


@pytest.fixture
def request_in_review(case, ig_officer):
    sar = services.sar_record(
        request=SubjectAccessRequest(
            child=case["child"],
            requester_name="Jo Brook",
            requester_relationship="Mother",
            identity_check="Passport seen",
            received_on=days_ago(5),
        ),
        by=ig_officer,
    )
    return services.sar_start_review(request=sar, by=ig_officer)


def _withhold_passage(client, sar, decision, text=PASSAGE, exemption=SubjectAccessExemption.CRIME):
    url = reverse("audit:sar_redaction_new", args=[sar.pk])
    return client.post(
        f"{url}?record=decisions.Decision&id={decision.pk}",
        {"field_name": "purpose_detail", "text": text, "exemption": exemption},
    )


def _withhold_name(client, sar, name="Carol Vance"):
    return client.post(
        reverse("audit:sar_redaction_new", args=[sar.pk]),
        {"text": name, "exemption": SubjectAccessExemption.THIRD_PARTY},
    )


def _bundle(client, sar) -> zipfile.ZipFile:
    response = client.post(reverse("audit:sar_bundle", args=[sar.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def _pdf_text(bundle) -> str:
    reader = PdfReader(io.BytesIO(bundle.read("subject-access.pdf")))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())  # lines wrap anywhere


def _csv_text(bundle) -> str:
    return "\n".join(
        bundle.read(name).decode("utf-8-sig") for name in bundle.namelist() if name != "subject-access.pdf"
    )


def test_the_reviewer_withholds_a_passage_and_a_name_and_the_bundle_shows_bars_with_the_reason(
    client, ig_officer, case, request_in_review
):
    sar = request_in_review
    client.force_login(ig_officer)
    review = client.get(reverse("audit:sar_review", args=[sar.pk]))
    assert review.status_code == 200
    assert PASSAGE in review.content.decode()  # the reviewer reads the answer before withholding

    assert _withhold_passage(client, sar, case["decision"]).status_code == 302
    assert _withhold_name(client, sar).status_code == 302
    passage, name = SubjectAccessRedaction.objects.order_by("id")
    assert (passage.kind, passage.field_name, passage.exemption) == (
        "passage",
        "purpose_detail",
        "dpa2018_sch2_para2",
    )
    assert (name.kind, name.text) == ("name", "Carol Vance")

    bundle = _bundle(client, sar)
    csvs, pdf = _csv_text(bundle), _pdf_text(bundle)
    for withheld in (PASSAGE, "Carol Vance", "uncle said"):
        assert withheld not in csvs and withheld not in pdf
        assert withheld.lower() not in csvs.lower()
    [row] = list(csv.DictReader(io.StringIO(bundle.read("decisions.csv").decode("utf-8-sig"))))
    assert row["purpose_detail"] == (f"Police told us {CRIME_BAR}. Neighbour {THIRD_PARTY_BAR} called it in.")
    # The PDF: a black bar and the reason where the words were, and the exemptions in full at the end.
    assert "withheld: DPA 2018 Sch 2 para 2, crime prevention or detection" in pdf
    assert "withheld: DPA 2018 Sch 2 para 16, it would identify another person" in pdf
    assert "DPA 2018 Schedule 2, paragraph 2" in pdf
    assert "Police told us" in pdf
    assert "DPA 2018 Schedule 2, paragraph 2" in bundle.read("REDACTIONS.txt").decode()
    # The audit entries' recorded changes of the decision held the passage too: withheld there as well.
    assert "Police told us" in bundle.read("audit_entries.csv").decode("utf-8-sig")


def test_the_pdf_draws_a_black_bar_for_each_redaction(client, ig_officer, case, request_in_review):
    from django.utils import timezone

    from audit.subject_access import gather, render_html

    client.force_login(ig_officer)
    _withhold_passage(client, request_in_review, case["decision"])
    sections, redactor = gather(case["child"], user=ig_officer, request=request_in_review)
    html = render_html(
        case["child"], sections, redactor, made_on=timezone.localdate(), request=request_in_review
    )
    assert '<span class="redacted" role="img" aria-label="Withheld">' in html
    assert "(withheld: DPA 2018 Sch 2 para 2, crime prevention or detection)" in html
    assert PASSAGE not in html


def test_each_redaction_is_audited_and_can_be_changed_and_removed_until_the_bundle_is_issued(
    client, ig_officer, case, request_in_review
):
    sar = request_in_review
    client.force_login(ig_officer)
    _withhold_passage(client, sar, case["decision"], exemption=SubjectAccessExemption.THIRD_PARTY)
    redaction = SubjectAccessRedaction.objects.get()
    steps = lambda: [  # noqa: E731
        e.additional_data.get("step")
        for e in AuditEntry.objects.filter(event=Event.SUBJECT_ACCESS_CHANGED).order_by("id")
    ]
    assert steps()[-1] == "redaction_added"
    created = AuditEntry.objects.get(event=Event.CHANGE, content_type__model="subjectaccessredaction")
    assert created.actor == ig_officer

    edit = reverse("audit:sar_redaction_edit", args=[redaction.pk])
    response = client.post(
        edit,
        {"field_name": "purpose_detail", "text": "the uncle said", "exemption": SubjectAccessExemption.CRIME},
    )
    assert response.status_code == 302
    redaction.refresh_from_db()
    assert (redaction.text, redaction.exemption) == ("the uncle said", "dpa2018_sch2_para2")
    assert steps()[-1] == "redaction_changed"

    assert client.post(reverse("audit:sar_redaction_remove", args=[redaction.pk])).status_code == 302
    assert not SubjectAccessRedaction.objects.exists()
    assert steps()[-1] == "redaction_removed"

    _withhold_name(client, sar)
    kept = SubjectAccessRedaction.objects.get()
    client.post(reverse("audit:sar_step", args=[sar.pk]), {"step": "finish_review"})
    assert client.post(reverse("audit:sar_step", args=[sar.pk]), {"step": "issue"}).status_code == 302
    sar.refresh_from_db()
    assert sar.status == SubjectAccessStatus.ISSUED and sar.responded_on is not None

    # Issued: fixed. Every way of changing what is withheld is refused with a message.
    refused = client.post(reverse("audit:sar_redaction_remove", args=[kept.pk]))
    assert refused.status_code == 400
    assert "The bundle has been issued" in refused.content.decode()
    changed = client.post(
        reverse("audit:sar_redaction_edit", args=[kept.pk]),
        {"text": "Someone Else", "exemption": SubjectAccessExemption.THIRD_PARTY},
    )
    assert changed.status_code == 400 and "The bundle has been issued" in changed.content.decode()
    added = _withhold_name(client, sar, name="Another Person")
    assert added.status_code == 400 and "The bundle has been issued" in added.content.decode()
    kept.refresh_from_db()
    assert kept.text == "Carol Vance" and SubjectAccessRedaction.objects.count() == 1


def test_words_not_in_the_answer_and_a_missing_exemption_are_explained(
    client, ig_officer, case, request_in_review
):
    client.force_login(ig_officer)
    response = _withhold_passage(
        client, request_in_review, case["decision"], text="words nobody wrote", exemption=""
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in page
    assert "Select the exemption relied on" in page
    response = _withhold_passage(client, request_in_review, case["decision"], text="words nobody wrote")
    assert response.status_code == 400
    assert "The words to withhold must be copied exactly from the answer" in response.content.decode()
    assert not SubjectAccessRedaction.objects.exists()


def test_nothing_is_withheld_before_the_review_starts(client, ig_officer, case):
    sar = services.sar_record(
        request=SubjectAccessRequest(
            child=case["child"],
            requester_name="Jo Brook",
            requester_relationship="Mother",
            identity_check="Passport seen",
            received_on=days_ago(5),
        ),
        by=ig_officer,
    )
    client.force_login(ig_officer)
    response = _withhold_name(client, sar)
    assert response.status_code == 400
    assert "Start the review before marking anything to withhold" in response.content.decode()


def test_a_redaction_is_a_post_with_csrf(csrf_client, ig_officer, case, request_in_review):
    strict = csrf_client
    strict.force_login(ig_officer)
    assert _withhold_name(strict, request_in_review).status_code == 403
    assert not SubjectAccessRedaction.objects.exists()
    # A GET only shows the form.
    strict.get(reverse("audit:sar_redaction_new", args=[request_in_review.pk]))
    assert not SubjectAccessRedaction.objects.exists()


def test_a_record_outside_the_officers_scope_cannot_be_named(
    client, ig_officer, outsider, case, request_in_review
):
    from tests.decisions.factories import child_for as other_child_for

    theirs = submitted_decision(outsider, case["decision"].recipient_agency, other_child_for(outsider))
    client.force_login(ig_officer)
    url = reverse("audit:sar_redaction_new", args=[request_in_review.pk])
    assert client.get(f"{url}?record=decisions.Decision&id={theirs.pk}").status_code == 404
    assert client.get(f"{url}?record=decisions.Decision&id={case['decision'].pk}").status_code == 200


def test_another_agencys_officer_cannot_reach_the_review_or_the_redactions(
    client, ig_officer, outsider, case, request_in_review
):
    client.force_login(ig_officer)
    _withhold_name(client, request_in_review)
    redaction = SubjectAccessRedaction.objects.get()
    client.force_login(UserFactory(agency=outsider.agency, role="ig_officer"))
    assert client.get(reverse("audit:sar_review", args=[request_in_review.pk])).status_code == 404
    assert client.post(reverse("audit:sar_redaction_remove", args=[redaction.pk])).status_code == 404
    assert client.post(reverse("audit:sar_bundle", args=[request_in_review.pk])).status_code == 404
    assert SubjectAccessRedaction.objects.exists()


def test_the_review_and_request_pages_cost_the_same_queries_however_much_is_withheld(
    client,
    ig_officer,
    practitioner,
    recipient,  # noqa: F811 (the fixture imported above)
    case,
    request_in_review,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(ig_officer)
    pages = [
        reverse("audit:sar_review", args=[request_in_review.pk]),
        reverse("audit:sar_detail", args=[request_in_review.pk]),
    ]
    for url in pages:
        client.get(url)  # warm the per-process caches
    counts = []
    for n in range(2):
        _withhold_name(client, request_in_review, name=f"Person Number{n}")
        submitted_decision(practitioner, recipient, case["child"], purpose={"purpose_detail": f"More {n}"})
        with CaptureQueriesContext(connection) as queries:
            for url in pages:
                assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
