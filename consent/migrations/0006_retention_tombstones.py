"""Retention's tombstones for children, consent records and competence assessments.

0005 refused every change to a consent record or an assessment. Widened here, by design, for one
thing: retention may tombstone one once, setting tombstoned_at and tombstone_reason and blanking
(never otherwise changing) the personal text it lists; nothing else may change, and a tombstone is
final. The recipients table keeps 0005's refusal.
"""

from django.db import migrations, models

from isa_portal.postgresql import postgresql_only

ERASED = {
    "consent_consentrecord": [
        "parent_name",
        "parent_relationship",
        "not_sought_note",
        "discussion_note",
        "best_interests_reasoning",
    ],
    "consent_competenceassessment": ["matter_detail", "answers", "reason"],
}

CREATE = """
CREATE FUNCTION consent_refuse_change_unless_tombstoning() RETURNS trigger AS $$
DECLARE
    erased text[] := TG_ARGV;
    name text;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.tombstoned_at IS NULL AND NEW.tombstoned_at IS NOT NULL
       AND (to_jsonb(NEW) - erased - 'tombstoned_at' - 'tombstone_reason')
           = (to_jsonb(OLD) - erased - 'tombstoned_at' - 'tombstone_reason') THEN
        FOREACH name IN ARRAY erased LOOP
            IF (to_jsonb(NEW) -> name) NOT IN ('""'::jsonb, '{}'::jsonb) THEN
                RAISE EXCEPTION '% % may only be tombstoned by blanking its text', TG_TABLE_NAME, OLD.id;
            END IF;
        END LOOP;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% on % refused: a record of consent or competence is never changed', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
DROP TRIGGER IF EXISTS {table}_locked ON {table};
CREATE TRIGGER {table}_locked
BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION consent_refuse_change_unless_tombstoning({", ".join(f"'{n}'" for n in names)});
"""
    for table, names in ERASED.items()
)

DROP = (
    "".join(
        f"""
DROP TRIGGER IF EXISTS {table}_locked ON {table};
CREATE TRIGGER {table}_locked
BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION consent_refuse_change_once_recorded();
"""
        for table in ERASED
    )
    + "DROP FUNCTION IF EXISTS consent_refuse_change_unless_tombstoning();"
)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0005_seal_consent_records_and_assessments"),
    ]

    operations = [
        migrations.AddField(
            model_name="child",
            name="tombstone_reason",
            field=models.TextField(blank=True, default="", db_default=""),
        ),
        migrations.AddField(
            model_name="child",
            name="tombstoned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="competenceassessment",
            name="tombstone_reason",
            field=models.TextField(blank=True, default="", db_default=""),
        ),
        migrations.AddField(
            model_name="competenceassessment",
            name="tombstoned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="consentrecord",
            name="tombstone_reason",
            field=models.TextField(blank=True, default="", db_default=""),
        ),
        migrations.AddField(
            model_name="consentrecord",
            name="tombstoned_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        postgresql_only(CREATE, DROP),
    ]
