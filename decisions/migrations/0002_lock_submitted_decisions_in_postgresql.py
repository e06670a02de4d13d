"""Defence in depth: PostgreSQL itself refuses to change or delete a submitted decision.

``Decision.save`` already refuses; this catches what bypasses the ORM (raw SQL,
``QuerySet.update`` on another code path, a console session). Only the review
state may move: status, countersignature and the time of the change. Row-level
triggers do not fire on TRUNCATE, so test databases can still be emptied.
"""

from django.db import migrations

REVIEW_COLUMNS = "ARRAY['status', 'countersigned_by_id', 'countersigned_at', 'updated']"

CREATE = f"""
CREATE FUNCTION decisions_refuse_change_once_submitted() RETURNS trigger AS $$
BEGIN
    IF OLD.status <> 'draft' THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'Decision % was submitted and cannot be deleted', OLD.reference;
        END IF;
        IF NEW.status = 'draft'
           OR (to_jsonb(NEW) - {REVIEW_COLUMNS}) IS DISTINCT FROM (to_jsonb(OLD) - {REVIEW_COLUMNS}) THEN
            RAISE EXCEPTION 'Decision % was submitted and cannot be changed; add an addendum', OLD.reference;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER decisions_decision_locked
BEFORE UPDATE OR DELETE ON decisions_decision
FOR EACH ROW EXECUTE FUNCTION decisions_refuse_change_once_submitted();
"""

DROP = """
DROP TRIGGER IF EXISTS decisions_decision_locked ON decisions_decision;
DROP FUNCTION IF EXISTS decisions_refuse_change_once_submitted();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_create_decision_log")]

    operations = [migrations.RunPython(create, drop)]
