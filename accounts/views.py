import time

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts.access import signed_in
from accounts.forms import ChooseNewPasswordForm, ResetRequestForm, SignInForm
from accounts.middleware import LAST_SEEN_KEY
from accounts.models import Role
from accounts.permissions import Perm
from agreements.models import Agency
from agreements.selectors import landing_flags
from audit.models import AuditEntry, Event
from consent.selectors import recent_children


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Sign out is POST only (Django refuses GET), so a link cannot sign anyone out."""


class ResetRequestView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class ResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ChooseNewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def _home_context(request: HttpRequest) -> dict:
    """What each role's landing page shows. Sections grow as their parts of the product land."""
    user = request.user
    if user.role == Role.ADMIN:
        agencies = Agency.objects.visible_to(user)
        if not user.partnership_wide:
            agencies = agencies.filter(pk=user.agency_id)
        return {"agencies": agencies, "flags": landing_flags(user)}
    from decisions.selectors import home_context

    context = home_context(user)
    if user.role == Role.IG_OFFICER:
        context["flags"] = landing_flags(user)
    if user.can(Perm.VIEW_CHILD_RECORDS):
        context["recent_children"] = recent_children(user=user)
    if user.can(Perm.VIEW_AUDIT):
        context["recent_refusals"] = (
            AuditEntry.objects.visible_to(user).filter(event=Event.DENIED).select_related("actor_agency")[:5]
        )
    return context


@signed_in
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    role = request.user.role
    template = f"home/{role}.html" if role in Role.values else "home/practitioner.html"
    return render(request, template, _home_context(request))


@signed_in
@require_safe
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds left before the idle time-out, for the warning in the browser."""
    last_seen = request.session.get(LAST_SEEN_KEY, int(time.time()))
    remaining = max(0, settings.SESSION_IDLE_TIMEOUT - (int(time.time()) - last_seen))
    return JsonResponse({"remaining": remaining})


@signed_in
@require_POST
def session_extend(request: HttpRequest) -> HttpResponse:
    """"Stay signed in": any request counts as activity; this one answers for scripts and forms."""
    request.session[LAST_SEEN_KEY] = int(time.time())
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"remaining": settings.SESSION_IDLE_TIMEOUT})
    return render(request, "accounts/session_extended.html")
