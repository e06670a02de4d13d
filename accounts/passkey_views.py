"""Passkeys: made at set-up or from the security page, used at sign-in's second step, removed.

Making or using one is a WebAuthn ceremony: the page's script (static/js/passkeys.js) asks a
"begin" endpoint for a challenge, has the browser sign it, and posts the answer to a "complete"
endpoint. Those endpoints are django-otp-webauthn's views, subclassed so that they answer in the
service's words and write through ``accounts.passkeys``. The library's own URLs, template tags and
scripts are not used: its script tags carry no CSP nonce, and it would let a passkey be made
without a name.
"""

import time
from typing import ClassVar

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from django_otp_webauthn import views as webauthn
from django_otp_webauthn.exceptions import CredentialNotFound, InvalidState, OTPWebAuthnApiError

from accounts import passkeys, reauthentication, services
from accounts.access import get_visible_or_404, signed_in
from accounts.forms import AddAppForm, EmptyForm, PasskeyNameForm
from accounts.middleware import is_verified
from accounts.models import Passkey
from accounts.views import FAILURES_SESSION, NEW_CODES_SESSION, _next_url, app_key_context
from isa_portal.web import posted, save_if_valid

# The name a person gave the passkey their browser is about to make, and when: it waits in the
# server-side session between the form and the ceremony, for PENDING_FOR seconds at most.
PENDING_SESSION = "passkey_pending"
PENDING_FOR = 10 * 60
# The secret of an authenticator app being added, until the person proves they set it up.
APP_KEY_SESSION = "otp_add_app_key"


def _pending(request: HttpRequest) -> dict | None:
    pending = request.session.get(PENDING_SESSION)
    if not pending or time.time() - pending["at"] > PENDING_FOR:
        return None
    return pending


def _may_add(request: HttpRequest) -> bool:
    """Whether this session may add a passkey: one past the second step, or one making its first
    second step. A password alone never adds a second step to an account that has one."""
    return is_verified(request) or not user_has_device(request.user)


@signed_in
@require_safe
def security(request: HttpRequest) -> HttpResponse:
    """The person's ways of giving the second step: passkeys (each removable), the app, backup codes."""
    user = request.user
    return render(
        request,
        "accounts/passkeys/security.html",
        {
            "passkeys": Passkey.objects.visible_to(user),
            "app": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
            "codes_left": StaticToken.objects.filter(device__user=user).count(),
        },
    )


@signed_in
@require_http_methods(["GET", "POST"])
def passkey_add(request: HttpRequest) -> HttpResponse:
    """Name the new passkey (and give the password again, once signed in); the browser makes it next."""
    if not _may_add(request):
        return redirect("accounts:two_factor")
    verified = is_verified(request)
    confirmed_by = reauthentication.confirmed_by(request) if verified else "first second step"
    if confirmed_by is None:
        return reauthentication.sign_in_again(request, "add a passkey")
    ask_password = confirmed_by == reauthentication.PASSWORD
    form = PasskeyNameForm(posted(request), ask_password=ask_password)
    name = save_if_valid(
        request,
        form,
        lambda: passkeys.passkey_name_check(
            user=request.user,
            name=form.cleaned_data["name"],
            password=form.cleaned_data["password"] if ask_password else None,
        ),
    )
    if name is not None:
        request.session[PENDING_SESSION] = {"name": name, "at": int(time.time())}
        return redirect("accounts:passkey_create")
    return render(
        request,
        "accounts/passkeys/add.html",
        {
            "form": form,
            "heading": "Name your passkey",
            "first": not verified,
            "back_url": reverse("accounts:security" if verified else "accounts:two_factor_setup"),
        },
    )


@signed_in
@require_safe
def passkey_create(request: HttpRequest) -> HttpResponse:
    """Where the person's browser makes the passkey they have just named."""
    if not _may_add(request):
        return redirect("accounts:two_factor")
    pending = _pending(request)
    if pending is None:
        return redirect("accounts:passkey_add")
    return render(
        request,
        "accounts/passkeys/create.html",
        {"name": pending["name"], "first": not is_verified(request)},
    )


@signed_in
@require_http_methods(["GET", "POST"])
def app_add(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app beside the person's passkeys (their first second step was a passkey).
    The first app at the first sign-in is ``views.two_factor_setup``'s; one app per person."""
    user = request.user
    if not is_verified(request):
        return redirect("accounts:two_factor")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        messages.error(
            request, "You have already set up an authenticator app. To use a new one, remove it first."
        )
        return redirect("accounts:security")
    confirmed_by = reauthentication.confirmed_by(request)
    if confirmed_by is None:
        return reauthentication.sign_in_again(request, "add an authenticator app")
    ask_password = confirmed_by == reauthentication.PASSWORD
    key_hex = request.session.get(APP_KEY_SESSION)
    if not key_hex:
        # The secret waits in the server-side session until the person proves they set it up.
        key_hex = request.session[APP_KEY_SESSION] = random_hex(20)
    form = AddAppForm(posted(request), ask_password=ask_password)
    device = save_if_valid(
        request,
        form,
        lambda: services.two_factor_app_add(
            user=user,
            key_hex=key_hex,
            token=form.cleaned_data["code"],
            password=form.cleaned_data["password"] if ask_password else None,
            by=user,
        ),
    )
    if device is not None:
        request.session.pop(APP_KEY_SESSION, None)
        messages.success(request, "Your authenticator app has been added.")
        return redirect("accounts:security")
    return render(
        request,
        "accounts/two_factor/add_app.html",
        {
            "form": form,
            "heading": "Add an authenticator app",
            "back_url": reverse("accounts:security"),
            **app_key_context(user, key_hex),
        },
    )


@signed_in
@require_POST
def app_remove(request: HttpRequest) -> HttpResponse:
    """Remove the person's authenticator app, unless it is their only second step. Removing it ends
    every session of theirs, this one too (``accounts.signals``)."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None or not EmptyForm(request.POST).is_valid():
        return redirect("accounts:security")
    try:
        passkeys.app_remove(device=device, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:security")
    services.user_sign_out(request=request)
    messages.info(request, "You removed your authenticator app. Sign in again with your passkey.")
    return redirect("accounts:login")


@signed_in
@require_POST
def passkey_remove(request: HttpRequest, pk: int) -> HttpResponse:
    passkey = get_visible_or_404(Passkey, request.user, pk=pk)
    if not EmptyForm(request.POST).is_valid():
        return redirect("accounts:security")
    name = passkey.name
    signed_in_with_it = request.session.get(DEVICE_ID_SESSION_KEY) == passkey.persistent_id
    try:
        passkeys.passkey_remove(passkey=passkey, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:security")
    if signed_in_with_it:
        services.user_sign_out(request=request)
        messages.info(request, f"You removed '{name}', the passkey you signed in with. Sign in again.")
        return redirect("accounts:login")
    messages.success(request, f"Your passkey '{name}' has been removed.")
    return redirect("accounts:security")


# --- The ceremonies' JSON endpoints -------------------------------------------------------------


class _InServiceWords:
    """Refusals as JSON the page's script shows as they are: plain words, and the library's code."""

    failure = "Something went wrong. Try again."
    failures: ClassVar[dict[str, str]] = {}

    def handle_exception(self, exc):
        if isinstance(exc, OTPWebAuthnApiError):
            detail = self.failures.get(exc.code, self.failure)
            return JsonResponse({"detail": detail, "code": exc.code}, status=exc.status_code)
        return super().handle_exception(exc)


class RegisterBegin(_InServiceWords, webauthn.BeginCredentialRegistrationView):
    """The options for the browser to make a passkey with: only once the person has named it, and
    (the library checks) only in a session past the second step unless this is the first one."""

    failure = "Your passkey could not be added. Go back and try again."

    def check_can_register(self):
        if _pending(self.request) is None:
            raise InvalidState()


class RegisterComplete(_InServiceWords, webauthn.CompleteCredentialRegistrationView):
    failure = "Your passkey could not be added. Try again."

    def post(self, *args, **kwargs):
        request = self.request
        state = self.get_state()  # taken out of the session first: a challenge is answered once
        pending = _pending(request)
        if pending is None:
            raise InvalidState()
        first = not is_verified(request)
        passkey, codes = passkeys.passkey_register(
            helper=self.get_helper(),
            user=request.user,
            state=state,
            data=request.data,
            name=pending["name"],
            first=first,
        )
        request.session.pop(PENDING_SESSION, None)
        if first:
            # The passkey it has just made is the person's second step: their sign-in is complete.
            otp_login(request, passkey)
            services.session_cycle_key(request=request)
            request.session[NEW_CODES_SESSION] = codes
            return JsonResponse({"redirect_url": reverse("accounts:backup_codes")})
        messages.success(request, f"Your passkey '{passkey.name}' has been added.")
        return JsonResponse({"redirect_url": reverse("accounts:security")})


class VerifyBegin(_InServiceWords, webauthn.BeginCredentialAuthenticationView):
    """A challenge for one of the signed-in person's own passkeys (the library lists them)."""

    failure = "Your passkey could not be checked. Try again, or enter a code instead."

    def check_can_authenticate(self):
        super().check_can_authenticate()
        if not Passkey.objects.filter(user=self.request.user, confirmed=True).exists():
            raise CredentialNotFound()


class VerifyComplete(_InServiceWords, webauthn.CompleteCredentialAuthenticationView):
    """The second step given with a passkey: the session is marked verified exactly as a code does
    it (``django_otp.login`` with the device), and failures count towards the same limit."""

    failure = "Your passkey could not be checked. Try again, or enter a code instead."
    not_yours = "That passkey is not one you added to your account. Try another, or enter a code."
    failures: ClassVar[dict[str, str]] = {
        "credential_not_found": not_yours,
        "credential_user_mismatch": not_yours,
    }

    def post(self, *args, **kwargs):
        request = self.request
        if is_verified(request):
            return JsonResponse({"redirect_url": _next_url(request)})
        state = self.get_state()  # taken out of the session first: a challenge is answered once
        failures = request.session.get(FAILURES_SESSION, 0) + 1
        try:
            passkey = passkeys.passkey_check(
                helper=self.get_helper(), user=request.user, state=state, data=request.data, failures=failures
            )
        except OTPWebAuthnApiError as error:
            request.session[FAILURES_SESSION] = failures
            if failures < settings.OTP_MAX_FAILURES:
                raise
            services.user_sign_out(request=request)
            messages.info(request, "Your second step failed too many times. Sign in again to carry on.")
            detail = self.failures.get(error.code, self.failure)
            return JsonResponse(
                {"detail": detail, "redirect_url": reverse("accounts:login")}, status=error.status_code
            )
        otp_login(request, passkey)
        services.session_cycle_key(request=request)
        request.session.pop(FAILURES_SESSION, None)
        return JsonResponse({"redirect_url": _next_url(request)})


# Signed in (the password given) and POST only; each view checks the rest itself.
register_begin = signed_in(require_POST(RegisterBegin.as_view()))
register_complete = signed_in(require_POST(RegisterComplete.as_view()))
verify_begin = signed_in(require_POST(VerifyBegin.as_view()))
verify_complete = signed_in(require_POST(VerifyComplete.as_view()))
