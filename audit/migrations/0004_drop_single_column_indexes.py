import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# At ten million entries (issue 8) every index is written on every entry. These single-column
# indexes (auditlog's db_index=True, and Django's on each foreign key) are each covered by a
# composite index of 0002 that leads with the same column, which the viewer's filters use:
# (actor, timestamp), (actor_agency, timestamp), (agency, timestamp), (content_type, ...),
# (action, timestamp), (timestamp, id). Nothing reads object_pk, object_id or cid alone.
# Together they were about 1 GB at 11 million entries. Index names as 0001 made them.


def _drop_fk_index(field_name: str, field, index: str):
    """Only the index goes: a plain AlterField would also drop and re-add the foreign key,
    which re-checks every entry under a lock."""
    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name="auditentry", name=field_name, field=field)],
        database_operations=[
            migrations.RunSQL(
                f'DROP INDEX IF EXISTS "{index}"',
                reverse_sql=f'CREATE INDEX IF NOT EXISTS "{index}" ON "audit_auditentry" ("{field_name}_id")',
            )
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0004_agreement_retention_years"),
        ("audit", "0003_append_only_triggers"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.PositiveSmallIntegerField(
                choices=[(0, "create"), (1, "update"), (2, "delete"), (3, "access")], verbose_name="action"
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="cid",
            field=models.CharField(blank=True, max_length=255, null=True, verbose_name="Correlation ID"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="object_id",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="object id"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="object_pk",
            field=models.CharField(max_length=255, verbose_name="object pk"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="timestamp",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="timestamp"),
        ),
        _drop_fk_index(
            "actor",
            models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
            "audit_auditentry_actor_id_8ab278be",
        ),
        _drop_fk_index(
            "actor_agency",
            models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="The actor's agency at the time.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="agreements.agency",
            ),
            "audit_auditentry_actor_agency_id_ef024c06",
        ),
        _drop_fk_index(
            "agency",
            models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="The agency whose record this entry is about.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="agreements.agency",
            ),
            "audit_auditentry_agency_id_c319747c",
        ),
        _drop_fk_index(
            "content_type",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="content type",
            ),
            "audit_auditentry_content_type_id_3fc095fb",
        ),
    ]
