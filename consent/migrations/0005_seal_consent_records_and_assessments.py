"""PostgreSQL refuses to change or delete a consent record, its recipients or a competence assessment.

Neither is ever edited (a withdrawal is a new record), so the model had nothing to refuse with
and raw SQL could rewrite either. A superuser who switches the triggers off
(``session_replication_role = replica``) is caught by the record's seal (audit.seals).
"""

from django.db import migrations

from isa_portal.postgresql import postgresql_only

TABLES = ("consent_consentrecord", "consent_consentrecord_recipients", "consent_competenceassessment")

CREATE = """
CREATE FUNCTION consent_refuse_change_once_recorded() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: a record of consent or competence is never changed', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
CREATE TRIGGER {table}_locked
BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION consent_refuse_change_once_recorded();
"""
    for table in TABLES
)

DROP = "".join(f"DROP TRIGGER IF EXISTS {table}_locked ON {table};\n" for table in TABLES) + (
    "DROP FUNCTION IF EXISTS consent_refuse_change_once_recorded();"
)


class Migration(migrations.Migration):
    dependencies = [("consent", "0004_delete_draft_moved_to_journeys")]

    operations = [postgresql_only(CREATE, DROP)]
