"""isa_portal.rows: related rows read in their record's own query read as the ORM reads them."""

import datetime

import pytest
from django.db.models import OuterRef

from decisions import services
from decisions.models import Decision, DecisionAddendum, DecisionReview
from isa_portal.rows import instances, rows_of
from tests.decisions.factories import submitted_decision

pytestmark = pytest.mark.django_db


def test_rows_read_in_the_records_query_are_the_instances_a_query_of_their_own_reads(
    practitioner, lead, recipient
):
    decision = submitted_decision(practitioner, recipient)
    services.decision_review(decision=decision, action="return", comments="Which dates?", by=lead)
    services.decision_add_addendum(decision=decision, text="Dates added", by=practitioner)
    services.decision_review(decision=decision, action="endorse", comments="", by=lead)
    # Fields named out of the model's order, a foreign key by its name: each lands on its own attribute.
    fields = ("created", "reviewer", "action", "id", "comments", "decision")
    read = Decision.objects.annotate(
        review_rows=rows_of(DecisionReview.objects.filter(decision=OuterRef("pk")), fields),
        addendum_rows=rows_of(DecisionAddendum.objects.filter(decision=OuterRef("pk")), ("id", "text")),
    ).get(pk=decision.pk)

    reviews = instances(DecisionReview, fields, read.review_rows, order_by=("created", "id"))

    expected = list(DecisionReview.objects.filter(decision=decision).order_by("created", "id"))
    assert [r.action for r in reviews] == ["return", "endorse"]
    for made, real in zip(reviews, expected, strict=True):
        assert (made.pk, made.action, made.comments, made.reviewer_id, made.decision_id, made.created) == (
            real.pk,
            real.action,
            real.comments,
            real.reviewer_id,
            real.decision_id,
            real.created,
        )
        assert isinstance(made.created, datetime.datetime) and made.created.tzinfo is not None
        assert made.get_action_display() == real.get_action_display()
        assert made.get_deferred_fields() == {
            "escalated_to",
            "outcome",
            "reviewer_name",
            "reviewer_job_title",
        }
    (addendum,) = instances(DecisionAddendum, ("id", "text"), read.addendum_rows)
    assert addendum.text == "Dates added"


def test_no_related_rows_make_no_instances(practitioner, recipient):
    decision = submitted_decision(practitioner, recipient)
    read = Decision.objects.annotate(
        review_rows=rows_of(DecisionReview.objects.filter(decision=OuterRef("pk")), ("id",))
    ).get(pk=decision.pk)
    assert not read.review_rows  # None on PostgreSQL, [] on SQLite
    assert instances(DecisionReview, ("id",), read.review_rows) == []


def test_a_date_reads_as_a_date(practitioner, recipient):
    from consent.models import Child

    decision = submitted_decision(practitioner, recipient)
    read = Decision.objects.annotate(
        child_rows=rows_of(Child.objects.filter(pk=OuterRef("child_id")), ("id", "date_of_birth"))
    ).get(pk=decision.pk)
    (made,) = instances(Child, ("id", "date_of_birth"), read.child_rows)
    assert made.date_of_birth == decision.child.date_of_birth
    assert type(made.date_of_birth) is datetime.date
