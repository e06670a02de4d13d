"""Drop decision_waiting_for_lead: decisions' own decision_waiting has the same condition and
columns (agency_id, submitted_at, id), so it serves "awaiting review now" as well, and every
submitted decision would otherwise update two copies of the same index."""

from django.db import migrations

NAME = "decision_waiting_for_lead"
DEFINITION = (
    "ON decisions_decision (agency_id, submitted_at) WHERE status IN ('awaiting_review', 'escalated')"
)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} {DEFINITION}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_indexes_for_live_decision_figures"),
        ("decisions", "0005_indexes_for_a_million_decisions"),
    ]

    operations = [migrations.RunPython(drop, create)]
