# Signed checkpoints (audit.checkpoints): append-only, as the trail is (0003's refusal).

from django.db import migrations, models

from isa_portal.postgresql import postgresql_only

INSTALL = """
CREATE TRIGGER audit_auditcheckpoint_refuse_update_delete
    BEFORE UPDATE OR DELETE ON audit_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();

CREATE TRIGGER audit_auditcheckpoint_refuse_truncate
    BEFORE TRUNCATE ON audit_auditcheckpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""
REMOVE = """
DROP TRIGGER IF EXISTS audit_auditcheckpoint_refuse_truncate ON audit_auditcheckpoint;
DROP TRIGGER IF EXISTS audit_auditcheckpoint_refuse_update_delete ON audit_auditcheckpoint;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0006_seals"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("tree_size", models.BigIntegerField(help_text="Entries the checkpoint covers.")),
                ("last_entry_id", models.BigIntegerField(help_text="The id of the newest entry it covers.")),
                ("chain_head", models.CharField(max_length=64)),
                ("merkle_root", models.CharField(max_length=64)),
                ("signed_at", models.DateTimeField()),
                (
                    "note",
                    models.TextField(
                        help_text="The signed note, exactly as written to the checkpoint directory."
                    ),
                ),
            ],
            options={
                "verbose_name": "audit checkpoint",
                "indexes": [models.Index(fields=["tree_size"], name="audit_checkpoint_size")],
            },
        ),
        postgresql_only(INSTALL, REMOVE),
    ]
