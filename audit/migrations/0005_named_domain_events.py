# The named domain events that services write (audit.models.DOMAIN_EVENTS). Choices only: no SQL.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0004_drop_single_column_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='event',
            field=models.CharField(choices=[('change', 'Change'), ('view', 'Viewed a record'), ('list', 'Viewed a list'), ('export', 'Exported'), ('download', 'Downloaded'), ('print', 'Printed'), ('denied', 'Refused access'), ('sign_in', 'Signed in'), ('sign_in_failed', 'Failed sign-in'), ('sign_out', 'Signed out'), ('lockout', 'Locked out'), ('password_reset', 'Password reset'), ('decision_started', 'Decision started'), ('decision_submitted', 'Decision submitted'), ('decision_endorsed', 'Decision endorsed'), ('decision_returned', 'Decision returned'), ('decision_escalated', 'Decision escalated'), ('decision_resolved', 'Disagreement resolved'), ('addendum_added', 'Addendum added'), ('child_added', 'Child added'), ('assessment_recorded', 'Competence assessment recorded'), ('consent_recorded', 'Consent recorded'), ('consent_withdrawn', 'Consent withdrawn'), ('access_granted', 'Access granted'), ('role_changed', 'Role or agency changed'), ('user_changed', "Person's details changed"), ('access_revoked', 'Account turned off'), ('access_restored', 'Account turned on'), ('session_ended', 'Session ended'), ('two_factor_set_up', 'Two-step sign-in set up'), ('backup_codes_issued', 'Backup codes issued'), ('agency_added', 'Agency added'), ('agency_changed', 'Agency changed'), ('representative_named', 'Nominated representative recorded'), ('agreement_added', 'Agreement added'), ('agreement_changed', 'Agreement changed'), ('agreement_status', 'Agreement status changed'), ('version_added', 'Agreement version added'), ('version_changed', 'Agreement version changed'), ('signature_recorded', 'Signature recorded'), ('signature_withdrawn', 'Signature withdrawn'), ('incident_recorded', 'Incident recorded'), ('incident_changed', 'Incident changed')], default='change', max_length=20),
        ),
    ]
