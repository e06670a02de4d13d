from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from accounts import views as account_views
from isa_portal import views

# The Django admin asks for the same second factor as the service (unless a local demo turned it off).
if settings.OTP_REQUIRED:
    admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("agreements/", include("agreements.urls")),
    path("children/", include("consent.urls")),
    path("decisions/", include("decisions.urls")),
    path("audit/", include("audit.urls")),
    path("reports/", include("reports.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = "isa_portal.views.bad_request"
handler403 = "isa_portal.views.permission_denied"
handler404 = "isa_portal.views.page_not_found"
handler500 = "isa_portal.views.server_error"
