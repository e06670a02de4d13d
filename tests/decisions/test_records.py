"""The record page, its PDF, reviews through the pages, lists, the log and the digest."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry, Event
from decisions import services
from decisions.models import Decision, Status
from isa_portal import pagination
from tests.decisions.factories import answer_all, child_for, draft_decision, submitted_decision
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_viewing_the_record_is_audited(client, lead, practitioner, recipient):
    decision = submitted_decision(practitioner, recipient)
    client.force_login(lead)
    response = client.get(reverse("decisions:detail", args=[decision.pk]))
    assert response.status_code == 200
    assert decision.reference in response.content.decode()
    entry = AuditEntry.objects.get(event=Event.VIEW, object_pk=str(decision.pk))
    assert entry.actor == lead and entry.agency == practitioner.agency


def test_the_pdf_is_a_pdf_and_its_download_is_audited(client, ig_officer, practitioner, recipient):
    decision = submitted_decision(practitioner, recipient)
    client.force_login(ig_officer)
    response = client.get(reverse("decisions:pdf", args=[decision.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert decision.reference in response["Content-Disposition"]
    assert AuditEntry.objects.filter(
        event=Event.DOWNLOAD, object_pk=str(decision.pk), actor=ig_officer
    ).exists()


def test_a_lead_endorses_through_the_page(client, lead, practitioner, recipient):
    decision = submitted_decision(practitioner, recipient)
    client.force_login(lead)
    assert client.get(reverse("decisions:review", args=[decision.pk])).status_code == 200
    response = client.post(
        reverse("decisions:review", args=[decision.pk]), {"action": "endorse", "comments": ""}
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == Status.ENDORSED and decision.countersigned_by == lead
    assert AuditEntry.objects.filter(content_type__model="decisionreview", actor=lead).exists()


def test_a_stale_review_page_gets_a_clear_message(client, lead, practitioner, recipient):
    decision = submitted_decision(practitioner, recipient)
    other_lead = UserFactory(agency=lead.agency, role="lead")
    services.decision_review(decision=decision, action="return", comments="More please", by=other_lead)
    client.force_login(lead)
    response = client.post(
        reverse("decisions:review", args=[decision.pk]), {"action": "endorse", "comments": ""}, follow=True
    )
    assert "nothing to review" in response.content.decode() or "not changed" in response.content.decode()
    decision.refresh_from_db()
    assert decision.status == Status.RETURNED


def test_a_lead_cannot_review_their_own_decision_through_the_page(client, lead, recipient):
    decision = submitted_decision(lead, recipient)
    client.force_login(lead)
    assert (
        client.post(reverse("decisions:review", args=[decision.pk]), {"action": "endorse"}).status_code == 403
    )
    decision.refresh_from_db()
    assert decision.status == Status.AWAITING_REVIEW


def test_a_returned_decision_shows_the_comments_to_its_author(client, practitioner, lead, recipient):
    decision = submitted_decision(practitioner, recipient)
    services.decision_review(decision=decision, action="return", comments="Say which dates", by=lead)
    client.force_login(practitioner)
    page = client.get(reverse("decisions:detail", args=[decision.pk])).content.decode()
    assert "Returned to you" in page and "Say which dates" in page


def test_the_author_adds_an_addendum_through_the_page(client, practitioner, recipient):
    decision = submitted_decision(practitioner, recipient)
    client.force_login(practitioner)
    response = client.post(reverse("decisions:addendum", args=[decision.pk]), {"text": "Also told the GP"})
    assert response.status_code == 302
    assert decision.addenda.get().author == practitioner
    response = client.post(reverse("decisions:addendum", args=[decision.pk]), {"text": ""})
    assert response.status_code == 200 and decision.addenda.count() == 1


def test_reconsider_through_the_page_opens_a_linked_draft(client, practitioner, recipient):
    decision = submitted_decision(
        practitioner, recipient, other_reason={"other_reasons": []}, outcome={"outcome": "do_not_share"}
    )
    client.force_login(practitioner)
    token = "2b1d6c58-3c59-4d42-a9e5-3b0a4c1e1f00"
    client.post(reverse("decisions:reconsider", args=[decision.pk]), {"token": token})
    client.post(reverse("decisions:reconsider", args=[decision.pk]), {"token": token})  # double click
    assert Decision.objects.filter(reconsiders=decision).count() == 1


def test_the_record_lists_reviews_and_addenda_oldest_first_from_its_own_query(
    client, practitioner, lead, recipient
):
    """Read as rows of the record's own query (selectors.with_record_parts), the reviews and addenda are
    listed as the ORM orders them (created, then id), each with what it said."""
    decision = submitted_decision(practitioner, recipient)
    services.decision_review(decision=decision, action="return", comments="Which dates?", by=lead)
    services.decision_add_addendum(decision=decision, text="The dates are 3 and 4 May", by=practitioner)
    services.decision_review(decision=decision, action="endorse", comments="Thank you", by=lead)
    services.decision_add_addendum(decision=decision, text="Told the GP", by=lead)
    client.force_login(practitioner)
    response = client.get(reverse("decisions:detail", args=[decision.pk]))
    assert response.context["reviews"] == list(decision.reviews.order_by("created", "id"))
    assert response.context["addenda"] == list(decision.addenda.order_by("created", "id"))
    page = response.content.decode()
    order = ["Which dates?", "Thank you", "The dates are 3 and 4 May", "Told the GP"]
    assert [page.index(text) for text in order] == sorted(page.index(text) for text in order)
    assert f"<strong>Return to the practitioner with comments</strong> by {lead.full_name}" in page
    # The agencies the answers name come in the same query, whole (their facts decide what applies).
    record = response.context["decision"]
    assert record.recipient_agency == recipient and record.agency == practitioner.agency
    assert not record.agency.get_deferred_fields() and not record.recipient_agency.get_deferred_fields()
    answers = {row.label: row.value for section in response.context["sections"] for row in section.rows}
    assert recipient.name in answers.values(), answers


def test_the_record_built_once_shows_each_change_at_once(client, practitioner, lead, recipient):
    """The record's query is built once per process (views._record_queryset), never its rows: an
    addendum, a review or a reconsideration written after one view shows on the next, and a user
    moved out of the agency no longer sees the record."""
    decision = submitted_decision(
        practitioner, recipient, other_reason={"other_reasons": []}, outcome={"outcome": "do_not_share"}
    )
    page = reverse("decisions:detail", args=[decision.pk])
    client.force_login(lead)
    assert client.get(page).context["addenda"] == []
    services.decision_add_addendum(decision=decision, text="Told the GP", by=lead)
    services.decision_review(decision=decision, action="endorse", comments="Agreed", by=lead)
    later = services.decision_reconsider(decision=decision, by=practitioner)
    response = client.get(page)
    assert [note.text for note in response.context["addenda"]] == ["Told the GP"]
    assert [review.comments for review in response.context["reviews"]] == ["Agreed"]
    assert response.context["reconsiderations"] == [later]
    lead.agency = recipient
    lead.save()
    assert client.get(page).status_code == 404


def test_the_record_links_a_reconsideration_both_ways_in_the_same_queries(
    client, django_assert_num_queries, practitioner, recipient
):
    """The decision reconsidered and those reconsidering it come in the record's own query, as rows of a
    column (selectors.with_record_parts), not a join of the earlier decision: 4 queries either way."""
    earlier = submitted_decision(
        practitioner, recipient, other_reason={"other_reasons": []}, outcome={"outcome": "do_not_share"}
    )
    later = services.decision_reconsider(decision=earlier, by=practitioner)
    later = services.decision_submit(decision=answer_all(later, practitioner, recipient), by=practitioner)
    client.force_login(practitioner)
    client.get(reverse("home"))
    with django_assert_num_queries(4):
        page = client.get(reverse("decisions:detail", args=[later.pk]))
    assert (
        '<dt class="govuk-summary-list__key">Reconsiders</dt>'
        f'<dd class="govuk-summary-list__value">{earlier.reference}</dd>'
    ) in page.content.decode()
    assert page.context["reconsiderations"] == []
    with django_assert_num_queries(4):
        page = client.get(reverse("decisions:detail", args=[earlier.pk]))
    assert page.context["reconsiderations"] == [later] and later.reference in page.content.decode()
    assert "Reconsiders</dt>" not in page.content.decode()


# Lists and pinned query counts --------------------------------------------------------------------


def _many(practitioner, recipient, count):
    child = child_for(practitioner)
    return [submitted_decision(practitioner, recipient, child=child) for _ in range(count)]


@pytest.mark.parametrize("count", [1, 6])
def test_query_counts_do_not_grow_with_the_page(
    client, django_assert_num_queries, monkeypatch, practitioner, lead, recipient, count
):
    """Each page at most 8 queries (issue 8), the same for one row as for a full page and the next.

    Every page: the session, then the user with their agency (the header). No page runs in a
    request-wide transaction (isa_portal.transactions), so none has a savepoint pair.
    """
    monkeypatch.setattr(pagination, "PAGE_SIZE", 4)
    decisions = _many(practitioner, recipient, count)
    for decision in decisions:
        services.decision_add_addendum(decision=decision, text="note", by=practitioner)
    services.decision_review(decision=decisions[0], action="return", comments="c", by=lead)
    client.force_login(practitioner)
    client.get(reverse("home"))  # the first request after signing in also saves the session
    with django_assert_num_queries(3):  # + the page of decisions
        assert client.get(reverse("decisions:list")).status_code == 200
    with django_assert_num_queries(5):  # with the consent part's recent children and the draft to continue
        assert client.get(reverse("home")).status_code == 200
    # + the decision with its joins and, in the same query, its reviews, addenda, reconsiderations and
    # the agencies its answers name (selectors.with_record_parts), the "viewed" entry (one INSERT)
    with django_assert_num_queries(4):
        assert client.get(reverse("decisions:detail", args=[decisions[0].pk])).status_code == 200

    client.force_login(lead)
    client.get(reverse("decisions:review_queue"))
    with django_assert_num_queries(6):  # with the consent part's recent children and the draft to continue
        assert client.get(reverse("home")).status_code == 200
    with django_assert_num_queries(3):  # + the decisions waiting
        queue = client.get(reverse("decisions:review_queue"))
    assert len(queue.context["rows"]) == min(count - 1, 4)  # the first was returned: not waiting
    if queue.context["next_query"]:
        with django_assert_num_queries(3):
            rest = client.get(f"{reverse('decisions:review_queue')}?{queue.context['next_query']}")
        waited = [decision.submitted_at for decision, _ in queue.context["rows"] + rest.context["rows"]]
        assert waited == sorted(waited) and len(waited) == count - 1
    log = reverse("decisions:log")
    # + the practitioners for the filter, the page, the "listed" entry (one INSERT)
    with django_assert_num_queries(5):
        first = client.get(log)
    assert len(first.context["page"].items) == min(count, 4)
    filters = {"outcome": "share", "status": "returned", "practitioner": practitioner.pk}
    with django_assert_num_queries(5):
        assert client.get(log, filters).status_code == 200
    with django_assert_num_queries(6):  # + the child named by the filter
        assert client.get(log, {"child": decisions[0].child_id}).status_code == 200
    if first.context["next_query"]:
        with django_assert_num_queries(5):
            deeper = client.get(f"{log}?{first.context['next_query']}")
        assert len(deeper.context["page"].items) == count - 4


def test_the_review_queue_is_the_leads_own_agencys_waiting_decisions_longest_waiting_first(
    practitioner, lead, outsider, recipient
):
    first, returned, second = _many(practitioner, recipient, 3)
    services.decision_review(decision=returned, action="return", comments="c", by=lead)
    submitted_decision(outsider, recipient)  # another agency's: never in this lead's queue
    assert list(Decision.objects.review_queue_for(lead)) == [first, second]
    assert not Decision.objects.review_queue_for(practitioner).exists()  # practitioners do not review
    other_lead = UserFactory(email="lead2@example.org", agency=outsider.agency, role="lead")
    assert [d.agency_id for d in Decision.objects.review_queue_for(other_lead)] == [outsider.agency_id]


def test_the_practitioner_list_shows_own_drafts_and_submitted_only(client, practitioner, lead, recipient):
    mine = submitted_decision(practitioner, recipient)
    draft = draft_decision(practitioner, recipient)
    theirs = submitted_decision(lead, recipient)
    client.force_login(practitioner)
    page = client.get(reverse("decisions:list")).content.decode()
    assert mine.reference in page and theirs.reference not in page
    assert reverse("decisions:resume", args=[draft.pk]) in page


def test_the_review_queue_shows_waiting_time(client, practitioner, lead, recipient):
    decision = submitted_decision(practitioner, recipient)
    client.force_login(lead)
    page = client.get(reverse("decisions:review_queue")).content.decode()
    assert decision.reference in page and "less than an hour" in page
    assert decision.reference in client.get(reverse("home")).content.decode()


def test_log_filters_and_keyset_pages(
    client, monkeypatch, practitioner, lead, ig_officer, recipient, consent_found
):
    shares = _many(practitioner, recipient, 3)
    no_share = submitted_decision(
        lead, recipient, other_reason={"other_reasons": []}, outcome={"outcome": "do_not_share"}
    )
    draft = draft_decision(practitioner, recipient)
    client.force_login(ig_officer)

    def refs(query=""):
        page = client.get(reverse("decisions:log") + query).context["page"]
        return [d.reference for d in page.items]

    assert refs() == [no_share.reference, *[d.reference for d in reversed(shares)]]
    assert draft.reference is None
    assert refs("?outcome=do_not_share") == [no_share.reference]
    assert refs("?consent_position=without_consent") == [d.reference for d in reversed(shares)]
    assert refs(f"?practitioner={lead.pk}") == [no_share.reference]
    assert refs(f"?child={shares[0].child_id}") == [d.reference for d in reversed(shares)]
    assert (
        refs("?status=awaiting_review&article6_basis=public_task")
        == [no_share.reference, *[d.reference for d in reversed(shares)]][1:]
    )
    today = timezone.localdate()
    assert refs(f"?date_from={today + timedelta(days=1)}") == []
    assert len(refs(f"?date_to={today}")) == 4
    assert len(refs("?outcome=nonsense&date_from=not-a-date")) == 4  # bad filters are ignored, not a 500

    with monkeypatch.context() as patch:
        patch.setattr(pagination, "PAGE_SIZE", 2)
        first = client.get(reverse("decisions:log"))
        second = client.get(reverse("decisions:log") + "?" + first.context["next_query"])
        seen = [d.pk for d in first.context["page"].items + second.context["page"].items]
        assert len(seen) == len(set(seen)) == 4
        assert second.context["next_query"] is None
    assert client.get(reverse("decisions:log") + "?after=garbage").status_code == 200
    assert AuditEntry.objects.filter(event=Event.LIST, actor=ig_officer).exists()


def test_an_agency_ig_officer_sees_only_their_agencys_log(client, ig_officer, outsider, recipient):
    theirs = submitted_decision(outsider, recipient)
    client.force_login(ig_officer)
    assert theirs.reference not in client.get(reverse("decisions:log")).content.decode()


def test_a_partnership_wide_officer_filters_by_agency_then_by_its_practitioners(
    client, django_assert_num_queries, partnership_ig, practitioner, outsider, recipient
):
    """Not one select of every practitioner in the partnership: thousands of names at scale."""
    ours, theirs = submitted_decision(practitioner, recipient), submitted_decision(outsider, recipient)
    client.force_login(partnership_ig)
    log = reverse("decisions:log")
    client.get(log)
    # session, user with their agency, the agencies for the filter, the page, the "listed" entry
    with django_assert_num_queries(5):
        form = client.get(log).context["form"]
    assert "agency" in form.fields and "practitioner" not in form.fields
    with django_assert_num_queries(5):  # the chosen agency's practitioners come with the agencies
        response = client.get(log, {"agency": outsider.agency_id})
    assert [d.reference for d in response.context["page"].items] == [theirs.reference]
    assert [name for _, name in response.context["form"].fields["practitioner"].choices] == [
        "Anyone",
        outsider.full_name,
    ]
    both = client.get(log, {"agency": practitioner.agency_id, "practitioner": practitioner.pk})
    assert [d.reference for d in both.context["page"].items] == [ours.reference]


# Digest --------------------------------------------------------------------------------------------


def test_the_digest_lists_decisions_waiting_more_than_two_working_days(
    practitioner, lead, recipient, monkeypatch
):
    real_now = timezone.now
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: real_now() - timedelta(days=7))
        old = submitted_decision(practitioner, recipient)
    fresh = submitted_decision(practitioner, recipient)
    endorsed = submitted_decision(practitioner, recipient)
    services.decision_review(decision=endorsed, action="endorse", comments="", by=lead)
    mail.outbox.clear()
    call_command("send_review_digest")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [lead.email]
    assert old.reference in mail.outbox[0].body
    assert fresh.reference not in mail.outbox[0].body and endorsed.reference not in mail.outbox[0].body


def test_working_days_skip_weekends():
    from datetime import datetime

    from decisions.management.commands.send_review_digest import working_days_before

    monday = datetime(2026, 11, 23, 9, 0)
    assert working_days_before(monday, 2) == datetime(2026, 11, 19, 9, 0)  # Thursday
