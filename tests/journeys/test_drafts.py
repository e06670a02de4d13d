"""The one draft model: unfinished assessments and consents moved into it, and back, with nothing lost."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from journeys.models import Draft
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

BEFORE = [("consent", "0003_child_legal_hold"), ("journeys", "0001_create_draft")]
KEPT = ("id", "user_id", "child_id", "journey", "answers", "next_url", "updated_at")


def test_the_move_keeps_every_draft_and_its_reverse_puts_them_back(practitioner, lead):
    with connection.cursor() as cursor:
        # Check foreign keys as rows are written: a table cannot be dropped with checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    child = ChildFactory(created_by=practitioner)
    Draft.objects.create(
        user=practitioner, child=child, journey="consent", answers={"sought": {"sought": "no"}}
    )
    Draft.objects.create(user=lead, child=child, journey="assessment", next_url="/decisions/4/")
    last_week = timezone.now() - datetime.timedelta(days=7)
    Draft.objects.filter(journey="consent").update(updated_at=last_week)  # a draft left a week ago
    drafts = list(Draft.objects.order_by("id").values(*KEPT))

    executor = MigrationExecutor(connection)
    executor.migrate([("journeys", "0001_create_draft")])
    old_apps = executor.loader.project_state(BEFORE).apps
    assert list(old_apps.get_model("consent", "Draft").objects.order_by("id").values(*KEPT)) == drafts
    assert not old_apps.get_model("journeys", "Draft").objects.exists()

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert list(Draft.objects.order_by("id").values(*KEPT)) == drafts
    assert drafts[0]["updated_at"] == last_week
    # New drafts take ids after the moved ones.
    later = Draft.objects.create(user=practitioner, child=child, journey="assessment")
    assert later.id > drafts[-1]["id"]
