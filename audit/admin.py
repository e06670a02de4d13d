"""The audit trail is not in the Django admin: it names children and what was shared about them.

django-auditlog registers an admin for its log-entry model (ours, ``AuditEntry``); it is taken out.
IG officers read the trail at ``/audit/``, where what they read is itself recorded.
"""

from django.contrib import admin

from audit.models import AuditEntry

if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)
