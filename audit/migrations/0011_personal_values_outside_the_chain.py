# Personal values outside the chain (audit.erasure): the chain holds each value's salted
# commitment, this table the value and its salt, so retention can delete them. PostgreSQL refuses
# to change a row (the trail's refusal, from 0003); deleting one is erasure.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from isa_portal.postgresql import postgresql_only

INSTALL = """
CREATE TRIGGER audit_auditvalue_refuse_update
    BEFORE UPDATE ON audit_auditvalue
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""
REMOVE = "DROP TRIGGER IF EXISTS audit_auditvalue_refuse_update ON audit_auditvalue;"


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0010_subject_access_review_and_redactions'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditValue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('commitment', models.CharField(max_length=64, unique=True)),
                ('salt', models.CharField(max_length=32)),
                ('value', models.TextField(help_text='The value as canonical JSON, exactly as committed.')),
                ('object_pk', models.CharField(max_length=255)),
                ('field', models.CharField(help_text="The field, or object_repr for the record's name.", max_length=100)),
                ('child_id', models.BigIntegerField(blank=True, null=True)),
                ('content_type', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='contenttypes.contenttype')),
                ('entry', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUDITLOG_LOGENTRY_MODEL)),
            ],
            options={
                'verbose_name': 'audit value',
                'indexes': [models.Index(fields=['content_type', 'object_pk', 'field'], name='audit_value_record'), models.Index(fields=['child_id'], name='audit_value_child')],
            },
        ),
        postgresql_only(INSTALL, REMOVE),
    ]
