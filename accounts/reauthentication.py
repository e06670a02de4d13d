"""Proving it is still the account's owner before adding a way in to it (a passkey, an authenticator
app, a new set of backup codes): a session left open on a shared computer must not be enough.

One rule for all of them, so they cannot drift apart.
"""

import time

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import oidc
from accounts.middleware import SIGNED_IN_AT_KEY

# Someone who signs in only through single sign-on has no password to give again, so their
# sign-in must be this recent instead.
RECENT_SIGN_IN = 10 * 60

PASSWORD = "password"  # noqa: S105 (a way to confirm, not a secret)
RECENT = "recent sign-in"


def confirmed_by(request: HttpRequest) -> str | None:
    """How this signed-in session confirms it is its owner: ``PASSWORD`` (ask for it again), ``RECENT``
    (a single-sign-on-only person who signed in within ``RECENT_SIGN_IN``: nothing more to ask), or
    None: they must sign out and in again first."""
    user = request.user
    if user.has_usable_password() and oidc.password_sign_in_allowed(user):
        return PASSWORD
    if time.time() - request.session.get(SIGNED_IN_AT_KEY, 0) < RECENT_SIGN_IN:
        return RECENT
    return None


def sign_in_again(request: HttpRequest, action: str) -> HttpResponse:
    """The page for someone who must sign in again before they can ``action``."""
    return render(
        request,
        "accounts/passkeys/sign_in_again.html",
        {"action": action, "minutes": RECENT_SIGN_IN // 60},
    )
