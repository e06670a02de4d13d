# Seals (audit.seals): the named events, and the salts of the seals' erasable fields. A salt is
# written once and deleted when its record is erased; PostgreSQL refuses to change one (the
# append-only trail's refusal, from 0003).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from isa_portal.postgresql import postgresql_only

INSTALL = """
CREATE TRIGGER audit_sealsalt_refuse_update
    BEFORE UPDATE ON audit_sealsalt
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""
REMOVE = "DROP TRIGGER IF EXISTS audit_sealsalt_refuse_update ON audit_sealsalt;"


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0005_named_domain_events'),
    ]

    operations = [
        migrations.CreateModel(
            name='SealSalt',
            fields=[
                ('entry', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to=settings.AUDITLOG_LOGENTRY_MODEL)),
                ('salt', models.CharField(max_length=64)),
            ],
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='event',
            field=models.CharField(choices=[('change', 'Change'), ('view', 'Viewed a record'), ('list', 'Viewed a list'), ('export', 'Exported'), ('download', 'Downloaded'), ('print', 'Printed'), ('denied', 'Refused access'), ('sign_in', 'Signed in'), ('sign_in_failed', 'Failed sign-in'), ('sign_out', 'Signed out'), ('lockout', 'Locked out'), ('password_reset', 'Password reset'), ('decision_started', 'Decision started'), ('decision_submitted', 'Decision submitted'), ('decision_endorsed', 'Decision endorsed'), ('decision_returned', 'Decision returned'), ('decision_escalated', 'Decision escalated'), ('decision_resolved', 'Disagreement resolved'), ('addendum_added', 'Addendum added'), ('child_added', 'Child added'), ('assessment_recorded', 'Competence assessment recorded'), ('consent_recorded', 'Consent recorded'), ('consent_withdrawn', 'Consent withdrawn'), ('access_granted', 'Access granted'), ('role_changed', 'Role or agency changed'), ('user_changed', "Person's details changed"), ('access_revoked', 'Account turned off'), ('access_restored', 'Account turned on'), ('session_ended', 'Session ended'), ('two_factor_set_up', 'Two-step sign-in set up'), ('backup_codes_issued', 'Backup codes issued'), ('agency_added', 'Agency added'), ('agency_changed', 'Agency changed'), ('representative_named', 'Nominated representative recorded'), ('agreement_added', 'Agreement added'), ('agreement_changed', 'Agreement changed'), ('agreement_status', 'Agreement status changed'), ('version_added', 'Agreement version added'), ('version_changed', 'Agreement version changed'), ('signature_recorded', 'Signature recorded'), ('signature_withdrawn', 'Signature withdrawn'), ('incident_recorded', 'Incident recorded'), ('incident_changed', 'Incident changed'), ('record_sealed', 'Record sealed'), ('record_disposed', 'Erased under retention'), ('legal_hold_placed', 'Legal hold placed'), ('legal_hold_lifted', 'Legal hold lifted')], default='change', max_length=20),
        ),
        postgresql_only(INSTALL, REMOVE),
    ]
