from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from isa_portal import views
from isa_portal.admin import OperationsAdminSite, OperationsAdminSiteWithoutOTP

# The Django admin asks for the same second factor as the service (unless a local demo turned it off),
# and records every page staff open (isa_portal.admin).
admin.site.__class__ = OperationsAdminSite if settings.OTP_REQUIRED else OperationsAdminSiteWithoutOTP

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("agreements/", include("agreements.urls")),
    path("children/", include("consent.urls")),
    path("decisions/", include("decisions.urls")),
    path("audit/", include("audit.urls")),
    path("reports/", include("reports.urls")),
    path("operations/", include("operations.urls")),
    path("api/", include("api.urls")),
]
# The Django admin is off unless ADMIN_URL names its path.
if settings.ADMIN_URL:
    urlpatterns.append(path(settings.ADMIN_URL, admin.site.urls))

handler400 = "isa_portal.views.bad_request"
handler403 = "isa_portal.views.permission_denied"
handler404 = "isa_portal.views.page_not_found"
handler500 = "isa_portal.views.server_error"
