"""Indexes on the decision log for the figures still counted from it as the page loads.

They live here rather than in decisions/migrations so that branches adding decision
migrations in parallel do not clash; Django's model state does not need to know them.
On SQLite (the local demo) nothing is needed.
"""

from django.db import migrations

INDEXES = [
    # "Awaiting review now" for every agency or one: a few per cent of decisions, read from the index.
    (
        "decision_waiting_for_lead",
        "ON decisions_decision (agency_id, submitted_at) WHERE status IN ('awaiting_review', 'escalated')",
    ),
    # Decisions submitted in part of a month (dates that start or end inside one), across agencies.
    ("decision_submitted_at", "ON decisions_decision (submitted_at) WHERE submitted_at IS NOT NULL"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _ in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_monthly_and_daily_counts"),
        ("decisions", "0004_retention_legal_hold_and_tombstone"),
    ]

    operations = [migrations.RunPython(create, drop)]
