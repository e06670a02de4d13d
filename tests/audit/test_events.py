"""Named events commit with the change they record, or neither does; pages record after rendering.

These tests commit for real (``transaction=True``): the outer test transaction would otherwise hide
whether a service's writes and its event share one transaction, and whether a page runs in one.
"""

import ast
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.dispatch import receiver
from django.urls import reverse

from audit.models import AuditEntry, Event
from audit.services import record_event
from decisions import services as decision_services
from decisions.models import DecisionReview, Status
from decisions.signals import decision_submitted
from isa_portal.transactions import no_request_transaction
from tests.decisions.factories import draft_decision, submitted_decision
from tests.factories import AgencyFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_a_review_whose_event_cannot_be_written_leaves_the_decision_as_it_was(
    practitioner, lead, monkeypatch
):
    decision = submitted_decision(practitioner, AgencyFactory())
    entries = AuditEntry.objects.count()

    def refuse(event, *args, **kwargs):
        if event == Event.DECISION_ENDORSED:
            raise RuntimeError("the audit trail is unavailable")
        return record_event(event, *args, **kwargs)

    monkeypatch.setattr(decision_services, "record_event", refuse)
    with pytest.raises(RuntimeError):
        decision_services.decision_review(decision=decision, action="endorse", comments="", by=lead)
    decision.refresh_from_db()
    assert (decision.status, decision.countersigned_at) == (Status.AWAITING_REVIEW, None)
    assert not DecisionReview.objects.exists()
    assert AuditEntry.objects.count() == entries  # nor the review's or the decision's field changes


@pytest.mark.django_db(transaction=True)
def test_a_submission_refused_by_a_listener_leaves_neither_the_change_nor_its_event(practitioner):
    decision = draft_decision(practitioner, AgencyFactory())

    @receiver(decision_submitted, dispatch_uid="tests_refuse_submission")
    def refuse(sender, decision, **kwargs):
        raise RuntimeError("the report counts could not be written")

    try:
        with pytest.raises(RuntimeError):
            decision_services.decision_submit(decision=decision, by=practitioner)
    finally:
        decision_submitted.disconnect(dispatch_uid="tests_refuse_submission")
    decision.refresh_from_db()
    assert (decision.status, decision.reference) == (Status.DRAFT, None)
    assert not AuditEntry.objects.filter(event=Event.DECISION_SUBMITTED).exists()


@pytest.mark.django_db(transaction=True)
def test_a_domain_event_outside_a_transaction_is_refused(practitioner):
    with pytest.raises(transaction.TransactionManagementError):
        record_event(Event.AGENCY_CHANGED, practitioner.agency, actor=practitioner)
    assert not AuditEntry.objects.filter(event=Event.AGENCY_CHANGED).exists()


@pytest.mark.django_db
def test_a_domain_event_names_its_actor(practitioner):
    with pytest.raises(ValueError, match="actor"):
        record_event(Event.AGENCY_CHANGED, practitioner.agency)


@pytest.mark.django_db
def test_a_command_with_no_person_behind_it_is_named_by_its_context(agency):
    from audit.context import audit_context

    with audit_context(source="command:seed_demo", actor_label="system (seed_demo)"), transaction.atomic():
        entry = record_event(Event.AGENCY_CHANGED, agency)
    assert (entry.actor, entry.actor_email, entry.source) == (None, "system (seed_demo)", "command:seed_demo")


@pytest.mark.django_db
def test_a_named_actor_is_stamped_without_an_audit_context(practitioner):
    """A management command or a seeder calls services with no request: the entry still says who."""
    with transaction.atomic():
        entry = record_event(Event.AGENCY_CHANGED, practitioner.agency, actor=practitioner)
    assert (entry.actor_email, entry.actor_role, entry.actor_agency_id) == (
        practitioner.email,
        practitioner.role,
        practitioner.agency_id,
    )


def test_every_event_fits_its_column():
    width = AuditEntry._meta.get_field("event").max_length
    assert all(len(event) <= width for event in Event.values)


def _rendered_outside_a_transaction(monkeypatch, module, seen: list) -> None:
    """Note, as each page renders, whether a transaction is open and what the trail holds by then."""
    original = module.render

    def render(*args, **kwargs):
        seen.append((connection.in_atomic_block, AuditEntry.objects.filter(event=Event.VIEW).count()))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, "render", render)


@pytest.mark.django_db(transaction=True)
def test_record_pages_render_outside_any_transaction_and_record_the_view_after(
    client, practitioner, ig_officer, monkeypatch
):
    from agreements import views as agreement_views
    from consent import views as consent_views
    from decisions import views as decision_views
    from tests.agreements.factories import IncidentFactory
    from tests.consent.factories import make_consent

    decision = submitted_decision(practitioner, AgencyFactory())
    consent = make_consent(decision.child, practitioner)
    incident = IncidentFactory(agency=practitioner.agency)
    seen: list = []
    for module in (decision_views, consent_views, agreement_views):
        _rendered_outside_a_transaction(monkeypatch, module, seen)
    client.force_login(practitioner)
    pages = [
        reverse("decisions:detail", args=[decision.pk]),
        reverse("consent:child_detail", args=[decision.child_id]),
        reverse("consent:consent_detail", args=[consent.pk]),
    ]
    for number, url in enumerate(pages):
        assert client.get(url).status_code == 200, url
        assert seen[-1] == (False, number), url  # no transaction, and this page's entry not yet written
        assert AuditEntry.objects.filter(event=Event.VIEW).count() == number + 1
    client.force_login(ig_officer)
    assert client.get(reverse("agreements:incident_detail", args=[incident.pk])).status_code == 200
    assert seen[-1] == (False, len(pages))
    assert AuditEntry.objects.filter(event=Event.VIEW).count() == len(pages) + 1


def test_no_request_wide_transaction(settings):
    assert no_request_transaction() == []
    assert not any(database.get("ATOMIC_REQUESTS") for database in settings.DATABASES.values())


def test_turning_on_a_request_wide_transaction_is_refused(monkeypatch, settings):
    monkeypatch.setitem(settings.DATABASES["default"], "ATOMIC_REQUESTS", True)
    [error] = no_request_transaction()
    assert error.id == "isa_portal.E001"


def test_decisions_does_not_import_reports():
    """The decision log sends ``decision_submitted``; reports listens. Never the other way."""
    imports = set()
    for path in (ROOT / "decisions").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imports.add((path.name, node.module.split(".")[0]))
            elif isinstance(node, ast.Import):
                imports.update((path.name, alias.name.split(".")[0]) for alias in node.names)
    assert [name for name, module in imports if module == "reports"] == []
