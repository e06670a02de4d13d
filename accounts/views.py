import time
from base64 import b32encode
from binascii import unhexlify
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import segno
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts import grants, oidc, reauthentication, services
from accounts.access import get_visible_or_404, require, signed_in
from accounts.forms import (
    ChooseNewPasswordForm,
    EmptyForm,
    GrantDecisionForm,
    NewBackupCodesForm,
    ResetRequestForm,
    SecondFactorForm,
    SetUpAppForm,
    SignInForm,
    UserEditForm,
    UserInviteForm,
)
from accounts.middleware import LAST_SEEN_KEY, is_verified
from accounts.models import AccessGrant, GrantStatus, Passkey, Role, User, UserSession
from accounts.permissions import Perm
from agreements.models import Agency, SignatureInvitation
from agreements.selectors import landing_flags
from audit.models import AuditEntry, Event
from audit.services import record_list, record_view
from consent.selectors import recent_children
from isa_portal.concurrency import EditConflict
from isa_portal.web import add_service_errors, posted, save_if_valid


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # The single sign-on buttons, and why the last single sign-on was refused (accounts.oidc).
        return super().get_context_data(
            sso_providers=oidc.providers().values(),
            sso_refusal=self.request.session.pop(oidc.REFUSAL_SESSION_KEY, None),
            **kwargs,
        )

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Django checks the password and signs in inside this call, and what that writes goes
        # through its signals (a failure's count and a lockout by django-axes, the session's
        # record, their audit entries): the one view whose writes are not a service's call, so
        # it opens their transaction itself.
        with transaction.atomic():
            return super().post(request, *args, **kwargs)


class SignOutView(auth_views.LogoutView):
    """Sign out is POST only (Django refuses GET), so a link cannot sign anyone out."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        services.user_sign_out(request=request)
        return redirect(self.get_success_url())


class ResetRequestView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class ResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password never signs anyone in: the next sign-in still asks for the second factor."""

    form_class = ChooseNewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context.get("validlink") and not oidc.password_sign_in_allowed(self.user):
            context["sso_only"] = oidc.password_refusal(self.user)
        return context

    def form_valid(self, form):
        if not oidc.password_sign_in_allowed(self.user):
            return self.render_to_response(self.get_context_data(form=form))
        services.user_password_reset(user=self.user, password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return redirect(self.get_success_url())


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def _home_context(request: HttpRequest) -> dict:
    """What each role's landing page shows. Sections grow as their parts of the product land."""
    user = request.user
    if user.is_admin:
        from operations.jobs import late_jobs

        return {
            "agencies": Agency.objects.in_scope_of(user),
            "flags": landing_flags(user),
            "late_jobs": late_jobs(),
        }
    from decisions.selectors import home_context

    context = home_context(user)
    if user.is_ig_officer:
        context["flags"] = landing_flags(user)
    if user.can(Perm.VIEW_CHILD_RECORDS):
        context["recent_children"] = recent_children(user=user)
    if user.can(Perm.EXPORT_SUBJECT_ACCESS):
        from audit.models import SubjectAccessRequest

        today = timezone.localdate()
        open_requests = SubjectAccessRequest.objects.visible_to(user).open().select_related("child")
        # The clock: the open requests, the one due soonest first.
        context["open_requests"] = sorted(
            ((sar, sar.clock.state(today)) for sar in open_requests),
            key=lambda pair: (pair[0].due_on, pair[0].pk),
        )
    if user.can(Perm.VIEW_AUDIT):
        context["recent_refusals"] = (
            AuditEntry.objects.visible_to(user).filter(event=Event.DENIED).select_related("actor_agency")[:5]
        )
    return context


@signed_in
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.role_approved:
        return render(request, "home/waiting_for_approval.html")
    role = request.user.role
    template = f"home/{role}.html" if role in Role.values else "home/practitioner.html"
    context = _home_context(request)
    # Whoever is an agency's nominated representative, in any role, sees what waits for them to sign.
    # The session's user says whether they hold the post (accounts.backends); a user loaded another
    # way is asked.
    if getattr(request.user, "is_current_representative", True):
        context["signatures_waiting"] = SignatureInvitation.objects.waiting_for(request.user).count()
    return render(request, template, context)


@signed_in
@require_safe
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds left before the idle time-out, for the warning in the browser."""
    last_seen = request.session.get(LAST_SEEN_KEY, int(time.time()))
    remaining = max(0, settings.SESSION_IDLE_TIMEOUT - (int(time.time()) - last_seen))
    return JsonResponse({"remaining": remaining})


@require_safe
def signed_out(request: HttpRequest) -> HttpResponse:
    """Where the server's time-out and the page's countdown both land: says why, and signing in
    again returns to the page the person was on, where what they typed is filled in again."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    sign_in = reverse("accounts:login") + (f"?{urlencode({'next': target})}" if target else "")
    return render(
        request,
        "accounts/signed_out.html",
        {
            "reason": request.GET.get("reason", "idle"),
            "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
            "absolute_hours": settings.SESSION_ABSOLUTE_LIMIT // 3600,
            "sign_in_url": sign_in,
        },
    )


@signed_in
@require_POST
def session_extend(request: HttpRequest) -> HttpResponse:
    """ "Stay signed in": any request counts as activity; this one answers for scripts and forms."""
    request.session[LAST_SEEN_KEY] = int(time.time())
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"remaining": settings.SESSION_IDLE_TIMEOUT})
    return render(request, "accounts/session_extended.html")


# --- Two-step sign-in ---------------------------------------------------------------------

SETUP_KEY_SESSION = "otp_setup_key"
NEW_CODES_SESSION = "otp_new_backup_codes"
FAILURES_SESSION = "otp_failures"


def _next_url(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


@signed_in
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app, or a backup code."""
    if is_verified(request):
        return redirect(_next_url(request))
    user = request.user
    if not user_has_device(user):
        return redirect("accounts:two_factor_setup")
    form = SecondFactorForm(posted(request))
    if request.method == "POST" and form.is_valid():
        failures = request.session.get(FAILURES_SESSION, 0) + 1
        device = services.second_factor_check(user=user, code=form.cleaned_data["code"], failures=failures)
        if device is not None:
            otp_login(request, device)
            services.session_cycle_key(request=request)
            request.session.pop(FAILURES_SESSION, None)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.info(request, f"You used a backup code. You have {left} left.")
            return redirect(_next_url(request))
        request.session[FAILURES_SESSION] = failures
        if failures >= settings.OTP_MAX_FAILURES:
            services.user_sign_out(request=request)
            messages.info(request, "You entered a wrong code too many times. Sign in again to carry on.")
            return redirect("accounts:login")
        form.add_error("code", "Enter the code your authenticator app shows now, or an unused backup code")
    # Someone with a passkey is offered it first (accounts.passkey_views), the codes below it.
    has_passkey = Passkey.objects.filter(user=user, confirmed=True).exists()
    has_app = not has_passkey or TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    if not has_app:
        form.fields["code"].help_text = "One of your backup codes."
    return render(
        request,
        "accounts/two_factor/verify.html",
        {
            "form": form,
            "heading": "Confirm it's you" if has_passkey else "Enter the code from your authenticator app",
            "has_passkey": has_passkey,
            "has_app": has_app,
        },
    )


@signed_in
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """First sign-in: set up an authenticator app. Only for someone with no confirmed app yet."""
    user = request.user
    if user_has_device(user):
        return redirect("accounts:two_factor" if not is_verified(request) else "home")
    key_hex = request.session.get(SETUP_KEY_SESSION)
    if not key_hex:
        # The secret waits in the server-side session until the person proves they set it up.
        key_hex = request.session[SETUP_KEY_SESSION] = random_hex(20)
    form = SetUpAppForm(posted(request))
    enrolled = save_if_valid(
        request,
        form,
        lambda: services.two_factor_enrol(
            user=user, key_hex=key_hex, token=form.cleaned_data["code"], by=user
        ),
    )
    if enrolled is not None:
        device, codes = enrolled
        request.session.pop(SETUP_KEY_SESSION, None)
        otp_login(request, device)
        services.session_cycle_key(request=request)
        request.session[NEW_CODES_SESSION] = codes
        return redirect("accounts:backup_codes")
    return render(
        request,
        "accounts/two_factor/setup.html",
        {"form": form, "heading": "Set up two-step sign-in", **app_key_context(user, key_hex)},
    )


def app_key_context(user, key_hex: str) -> dict:
    """The new authenticator app's secret as the page shows it: a QR code, and the key to type."""
    device = TOTPDevice(user=user, key=key_hex, name="Authenticator app")
    return {
        "qr_code": _qr_code(device.config_url),
        "manual_key": " ".join(_chunks(b32encode(unhexlify(key_hex)).decode(), 4)),
    }


@lru_cache(maxsize=64)
def _qr_code(config_url: str) -> str:
    """The QR code as an inline SVG image (the CSP allows data: images); kept while the page is re-shown."""
    return segno.make(config_url, error="m").svg_data_uri(scale=5, border=4)


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


@signed_in
@require_http_methods(["GET", "POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    """Backup codes: shown once when made; a person can replace the whole set, giving their password
    again (or, signing in only through single sign-on, soon after signing in)."""
    confirmed_by = reauthentication.confirmed_by(request)
    if confirmed_by is None and request.method == "POST":
        return reauthentication.sign_in_again(request, "make new backup codes")
    ask_password = confirmed_by == reauthentication.PASSWORD
    form = NewBackupCodesForm(posted(request), ask_password=ask_password)
    codes = save_if_valid(
        request,
        form,
        lambda: services.backup_codes_regenerate(
            user=request.user,
            password=form.cleaned_data["password"] if ask_password else None,
            by=request.user,
        ),
    )
    if codes is not None:
        request.session[NEW_CODES_SESSION] = codes
        return redirect("accounts:backup_codes")
    codes = request.session.pop(NEW_CODES_SESSION, None) if request.method == "GET" else None
    left = StaticToken.objects.filter(device__user=request.user).count()
    return render(
        request,
        "accounts/two_factor/backup_codes.html",
        {
            "codes": codes,
            "left": left,
            "form": form,
            "ask_password": ask_password,
            "sign_in_again": confirmed_by is None,
            "minutes": reauthentication.RECENT_SIGN_IN // 60,
        },
    )


# --- Sessions ---------------------------------------------------------------------------------


@signed_in
@require_safe
def session_list(request: HttpRequest) -> HttpResponse:
    """Where the person is signed in now, with a button to end each other session."""
    tracked = list(UserSession.objects.visible_to(request.user))
    live = {
        session.session_key: session
        for session in Session.objects.filter(
            session_key__in=[t.session_key for t in tracked], expire_date__gt=timezone.now()
        )
    }
    rows = []
    for item in tracked:
        session = live.get(item.session_key)
        if session is None:
            continue
        last_seen = session.get_decoded().get(LAST_SEEN_KEY)
        rows.append(
            {
                "session": item,
                "current": item.session_key == request.session.session_key,
                "last_seen": datetime.fromtimestamp(last_seen, tz=UTC) if last_seen else None,
            }
        )
    return render(request, "accounts/sessions.html", {"rows": rows})


@signed_in
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    tracked = get_visible_or_404(UserSession, request.user, pk=pk)
    form = EmptyForm(request.POST)
    if form.is_valid():
        current = tracked.session_key == request.session.session_key
        services.session_end(tracked=tracked, by=request.user)
        if current:
            return redirect("accounts:login")
        messages.success(request, "That session has ended. It will have to sign in again.")
    return redirect("accounts:session_list")


# --- Managing users ---------------------------------------------------------------------------


@require(Perm.MANAGE_USERS)
@require_safe
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.visible_to(request.user).select_related("agency").order_by("full_name", "email")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/users/list.html", {"page": page})


@require(Perm.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserInviteForm(posted(request), by=request.user)
    user = save_if_valid(
        request,
        form,
        lambda: services.user_invite(
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            job_title=form.cleaned_data["job_title"],
            agency=form.cleaned_data["agency"],
            role=form.cleaned_data["role"],
            partnership_wide=form.cleaned_data.get("partnership_wide", False),
            base_url=request.build_absolute_uri("/"),
            by=request.user,
        ),
    )
    if user is not None:
        messages.success(request, f"{user.full_name} has been sent an invitation to {user.email}.")
        return redirect("accounts:user_list")
    return render(
        request,
        "form_page.html",
        {"form": form, "heading": "Add a person", "cancel_url": reverse("accounts:user_list")},
    )


@signed_in
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_visible_or_404(User.objects.select_related("agency"), request.user, pk=pk)
    if not request.user.can(Perm.MANAGE_USERS):
        raise PermissionDenied
    initial = {name: getattr(person, name) for name in services.EDITABLE_FIELDS}
    initial["lock_version"] = person.lock_version
    form = UserEditForm(posted(request), initial=initial, by=request.user)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {name: data[name] for name in services.EDITABLE_FIELDS if name in data}
        try:
            services.user_update(
                user=person, expected_version=data["lock_version"], by=request.user, **changes
            )
        except EditConflict as error:
            conflict = error.current
            # Re-show the person's answers against the current version, so saving again is a choice.
            resubmitted = request.POST.copy()
            resubmitted["lock_version"] = str(conflict.lock_version)
            form = UserEditForm(resubmitted, initial=initial, by=request.user)
            form.is_valid()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{person.full_name}'s details have been saved.")
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/users/edit.html",
        {
            "form": form,
            "person": person,
            "conflict": conflict,
            "heading": f"Change {person.full_name}'s details",
            "cancel_url": reverse("accounts:user_list"),
        },
    )


def _user_status_change(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    person = get_visible_or_404(User, request.user, pk=pk)
    if not request.user.can(Perm.MANAGE_USERS):
        raise PermissionDenied
    if EmptyForm(request.POST).is_valid():
        try:
            if active:
                services.user_reactivate(user=person, by=request.user)
                messages.success(request, f"{person.full_name} can sign in again.")
            else:
                services.user_deactivate(user=person, by=request.user)
                messages.success(
                    request, f"{person.full_name} has been deactivated and signed out everywhere."
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("accounts:user_edit", pk=person.pk)


@signed_in
@require_POST
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_status_change(request, pk, active=False)


@signed_in
@require_POST
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _user_status_change(request, pk, active=True)


# --- Lockouts ---------------------------------------------------------------------------------


def _attempts_visible_to(user: User):
    """Failed sign-ins an admin may see: a partnership admin all, an agency admin their people's."""
    attempts = AccessAttempt.objects.all()
    if not user.is_authenticated or not user.can(Perm.MANAGE_USERS):
        return attempts.none()
    if user.partnership_wide:
        return attempts
    return attempts.filter(username__in=User.objects.visible_to(user).values("email"))


@require(Perm.MANAGE_USERS)
@require_safe
def lockout_list(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME)
    attempts = _attempts_visible_to(request.user).filter(attempt_time__gte=since).order_by("-attempt_time")
    rows = [{"attempt": a, "locked": a.failures_since_start >= settings.AXES_FAILURE_LIMIT} for a in attempts]
    return render(request, "accounts/lockouts.html", {"rows": rows, "limit": settings.AXES_FAILURE_LIMIT})


@signed_in
@require_POST
def lockout_lift(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        attempt = _attempts_visible_to(request.user).get(pk=pk)
    except (AccessAttempt.DoesNotExist, ValueError):
        raise Http404 from None
    if EmptyForm(request.POST).is_valid():
        services.lockout_lift(attempt=attempt, by=request.user)
        messages.success(request, f"The lock on {attempt.username} has been lifted.")
    return redirect("accounts:lockout_list")


# --- Access to children's records: asked for by one person, approved by another ----------------


@require(Perm.VIEW_ACCESS_GRANTS)
@require_safe
def grant_list(request: HttpRequest) -> HttpResponse:
    """Requests for roles that read children's records: those waiting first, then the latest decided."""
    visible = AccessGrant.objects.visible_to(request.user).select_related(
        "user", "agency", "requested_by", "decided_by"
    )
    waiting = list(visible.pending().order_by("requested_at", "id"))
    decided = list(visible.exclude(status=GrantStatus.PENDING).order_by("-decided_at", "-id")[:20])
    response = render(
        request,
        "accounts/grants/list.html",
        {"waiting": [(g, grants.can_decide(g, request.user)) for g in waiting], "decided": decided},
    )
    record_list(AccessGrant, label="Requests for access to children's records")
    return response


@require(Perm.VIEW_ACCESS_GRANTS)
@require_http_methods(["GET", "POST"])
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: who asked, for whom, what; approve or refuse it (POST), if it is yours to decide."""
    grant = get_visible_or_404(
        AccessGrant.objects.select_related("user", "agency", "requested_by", "decided_by"),
        request.user,
        pk=pk,
    )
    allowed = grants.can_decide(grant, request.user)
    form = GrantDecisionForm(posted(request))
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied
        decided = save_if_valid(
            request,
            form,
            lambda: (
                grants.access_grant_approve
                if form.cleaned_data["decision"] == "approve"
                else grants.access_grant_refuse
            )(grant=grant, by=request.user),
        )
        if decided is not None:
            done = "approved" if decided.status == GrantStatus.APPROVED else "refused"
            role = decided.get_role_display().lower()
            messages.success(request, f"You have {done} {role} access for {decided.user}.")
            return redirect("accounts:grant_list")
    response = render(
        request,
        "accounts/grants/detail.html",
        {"grant": grant, "form": form, "allowed": allowed, "why_not": grants.why_not(grant, request.user)},
    )
    record_view(grant)
    return response
