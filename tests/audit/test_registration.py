from auditlog.registry import auditlog
from django.apps import apps

OUR_APPS = {"accounts", "agreements", "consent", "decisions", "audit", "api"}
# The audit entry is the trail itself; it is append-only, not audited by itself.
# The salt of a seal is the secret that erasure deletes: copied into the trail, it could never go.
NOT_AUDITED = {"audit.AuditEntry", "audit.SealSalt", "audit.AuditValue", "audit.AuditCheckpoint"}


def test_every_model_of_our_apps_is_registered_with_the_audit_trail():
    ours = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]
    unregistered = sorted(
        m._meta.label for m in ours if not auditlog.contains(m) and m._meta.label not in NOT_AUDITED
    )
    assert unregistered == []
    assert len(ours) >= 5  # the test looks at real models, not an empty list


def test_passwords_are_never_written_to_the_audit_trail():
    from accounts.models import User

    excluded = auditlog.get_model_fields(User)["exclude_fields"]
    assert "password" in excluded
