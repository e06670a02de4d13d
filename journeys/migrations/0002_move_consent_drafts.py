"""Unfinished assessments and consent records move from ``consent.Draft`` to ``journeys.Draft``.

Each keeps its id (so earlier audit entries still name it), its answers, its return address
and when it was last saved (the child's page shows that). The move writes no audit entry: it
changes no one's answers, only the table that holds them.
"""

from django.core.management.color import no_style
from django.db import migrations

FIELDS = ("id", "user_id", "child_id", "journey", "answers", "next_url")


def _move(source, target, schema_editor) -> None:
    for draft in source.objects.order_by("id"):
        target.objects.create(**{field: getattr(draft, field) for field in FIELDS})
        # updated_at is auto_now: create() stamps the time of the move, so put the real one back.
        target.objects.filter(pk=draft.pk).update(updated_at=draft.updated_at)
        draft.delete()
    # Rows written with their own ids leave PostgreSQL's id sequence behind them.
    for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [target]):
        schema_editor.execute(sql)


def forwards(apps, schema_editor):
    _move(apps.get_model("consent", "Draft"), apps.get_model("journeys", "Draft"), schema_editor)


def backwards(apps, schema_editor):
    _move(apps.get_model("journeys", "Draft"), apps.get_model("consent", "Draft"), schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0003_child_legal_hold"),
        ("journeys", "0001_create_draft"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
