"""The audit trail in the Django admin (operations staff only): read-only, searchable by our fields.

auditlog registers an admin for the log-entry model whose search includes
``actor__first_name``, which our user model does not have; ours replaces it.
The IG officers' viewer is ``/audit/``; this is for operators.
"""

from auditlog.admin import LogEntryAdmin
from django.contrib import admin

from audit.models import AuditEntry


class AuditEntryAdmin(LogEntryAdmin):
    search_fields = ["object_repr", "actor_email", "actor__full_name", "object_pk"]
    list_filter = ["event", "action"]

    def has_delete_permission(self, request, obj=None):
        return False  # append-only: the database refuses it anyway


if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)
admin.site.register(AuditEntry, AuditEntryAdmin)
