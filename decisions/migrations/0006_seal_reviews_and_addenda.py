"""PostgreSQL refuses to change or delete a review or an addendum, as it does a submitted decision.

``AppendOnly.save`` already refuses; this catches raw SQL and console sessions. Retention is the
one writer allowed in: once the decision is tombstoned (0004), the review's comments or the
addendum's text may be blanked, and nothing else changed. A superuser who switches the triggers
off (``session_replication_role = replica``) is caught by the record's seal (audit.seals).
"""

from django.db import migrations

from isa_portal.postgresql import postgresql_only

CREATE = """
CREATE FUNCTION decisions_refuse_change_once_appended() RETURNS trigger AS $$
DECLARE
    erased text := TG_ARGV[0];
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% % cannot be deleted: it is part of the record', TG_TABLE_NAME, OLD.id;
    END IF;
    IF (to_jsonb(NEW) - erased) = (to_jsonb(OLD) - erased)
       AND to_jsonb(NEW) ->> erased = ''
       AND EXISTS (
           SELECT 1 FROM decisions_decision WHERE id = NEW.decision_id AND tombstoned_at IS NOT NULL
       ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% % cannot be changed once written; add an addendum', TG_TABLE_NAME, OLD.id;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER decisions_review_locked
BEFORE UPDATE OR DELETE ON decisions_decisionreview
FOR EACH ROW EXECUTE FUNCTION decisions_refuse_change_once_appended('comments');

CREATE TRIGGER decisions_addendum_locked
BEFORE UPDATE OR DELETE ON decisions_decisionaddendum
FOR EACH ROW EXECUTE FUNCTION decisions_refuse_change_once_appended('text');
"""

DROP = """
DROP TRIGGER IF EXISTS decisions_addendum_locked ON decisions_decisionaddendum;
DROP TRIGGER IF EXISTS decisions_review_locked ON decisions_decisionreview;
DROP FUNCTION IF EXISTS decisions_refuse_change_once_appended();
"""


class Migration(migrations.Migration):
    dependencies = [("decisions", "0005_indexes_for_a_million_decisions")]

    operations = [postgresql_only(CREATE, DROP)]
