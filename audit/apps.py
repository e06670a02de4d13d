from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from audit import signals  # noqa: F401  (connects the sign-in receivers)
        from isa_portal.db_roles import grant_after_migrate

        # After each migrate (once: this app's signal), the application role's grants on every
        # table, the audit trail's append-only (isa_portal/db_roles.py).
        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="isa_portal.db_roles")
