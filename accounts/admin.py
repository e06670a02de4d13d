"""People's accounts in the operations admin: read-only, no secrets, one operation.

Roles and agencies are changed only in the service (``accounts:user_edit``), where a role that
reads children's records needs a second person's approval; never here. Authenticator apps and
backup codes are not shown at all (django-otp's own admin pages are taken out): the one thing
operations staff do with them is reset them, which ends the person's sessions and is audited.
"""

from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import User

# What the libraries register for themselves shows secrets (keys, codes) or is unused (groups).
for model in (TOTPDevice, StaticDevice, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "agency", "role", "is_active", "is_staff", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    list_select_related = ["agency"]
    fields = [
        "email",
        "full_name",
        "job_title",
        "agency",
        "role",
        "partnership_wide",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
    ]
    readonly_fields = fields
    actions = ["reset_two_step_sign_in"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Reset two-step sign-in (they set up a new app at their next sign-in)")
    def reset_two_step_sign_in(self, request, queryset):
        for person in queryset:
            services.two_factor_reset(user=person, by=request.user)
        count = queryset.count()
        messages.success(request, f"Two-step sign-in reset for {count} people; their sessions ended.")
