from django.utils import timezone

from accounts.models import Role, UserSession
from tests.factories import UserFactory
from tests.url_matrix import LOGIN, PERSONAS, Route, allow, everyone


def _colleague(personas) -> dict:
    """A person in the home agency, for the user-admin pages."""
    return {"pk": UserFactory(agency=personas["practitioner"].agency, role=Role.PRACTITIONER).pk}


def _practitioners_other_session(personas) -> dict:
    tracked = UserSession.objects.create(
        user=personas["practitioner"],
        session_key=f"other-session-{UserSession.objects.count()}-{timezone.now().timestamp()}",
        signed_in_at=timezone.now(),
    )
    return {"pk": tracked.pk}


def _failed_attempts(personas) -> dict:
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(
        username=personas["practitioner"].email,
        ip_address="192.0.2.10",
        user_agent=f"test browser {AccessAttempt.objects.count()}",
        failures_since_start=10,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )
    return {"pk": attempt.pk}


def _pending_grant(personas) -> dict:
    """A new practitioner of the home agency, asked for by its administrator, waiting for approval."""
    from accounts.models import AccessGrant

    home = personas["practitioner"].agency
    person = UserFactory(agency=home, role=Role.PRACTITIONER, role_approved=False)
    grant = AccessGrant.objects.create(
        user=person, role=Role.PRACTITIONER, agency=home, requested_by=personas["admin"]
    )
    return {"pk": grant.pk}


def _practitioners_passkey(personas) -> dict:
    from tests.webauthn import passkey_for

    return {"pk": passkey_for(personas["practitioner"]).pk}


# Admin-only pages about one person or one lock: anyone who cannot see it gets 404.
ADMIN_ONLY_OBJECT = everyone(404, anonymous=LOGIN, admin=200)

ROUTES = {
    "home": Route(allow(*PERSONAS)),
    "healthz": Route(everyone(200)),
    "accounts:login": Route(everyone(302, anonymous=200)),
    # Sign-out is POST only: a link or an image tag cannot sign anyone out.
    "accounts:logout": Route(everyone(405)),
    # Single sign-on: an answer no sign-in of this browser waits for goes back to the sign-in page;
    # the suite configures no provider, so a provider's address is not found (tests/accounts/test_sso.py).
    "accounts:sso_callback": Route(everyone(302)),
    "accounts:sso_start": Route(everyone(404), kwargs=lambda personas: {"provider": "northshire"}),
    # Already past the second factor: both steps send the person on.
    "accounts:two_factor": Route(everyone(302, anonymous=LOGIN)),
    "accounts:two_factor_setup": Route(everyone(302, anonymous=LOGIN)),
    "accounts:backup_codes": Route(allow(*PERSONAS)),
    # Passkeys: each person's own. Making one starts from its name (no name yet: back to that page);
    # the ceremonies' JSON endpoints take POST only.
    "accounts:security": Route(allow(*PERSONAS)),
    "accounts:passkey_add": Route(allow(*PERSONAS)),
    # Each persona has an authenticator app already: a second is refused, back to the security page.
    "accounts:app_add": Route(everyone(302, anonymous=LOGIN)),
    # ... and it is their only second step, so it stays: back to the security page, refused.
    "accounts:app_remove": Route(everyone(302, anonymous=LOGIN), method="POST"),
    "accounts:passkey_create": Route(everyone(302, anonymous=LOGIN)),
    "accounts:passkey_remove": Route(
        everyone(404, anonymous=LOGIN, practitioner=302), kwargs=_practitioners_passkey, method="POST"
    ),
    "accounts:passkey_register_begin": Route(everyone(405, anonymous=LOGIN)),
    "accounts:passkey_register_complete": Route(everyone(405, anonymous=LOGIN)),
    "accounts:passkey_verify_begin": Route(everyone(405, anonymous=LOGIN)),
    "accounts:passkey_verify_complete": Route(everyone(405, anonymous=LOGIN)),
    "accounts:password_reset": Route(everyone(200)),
    "accounts:password_reset_done": Route(everyone(200)),
    "accounts:password_reset_confirm": Route(
        everyone(200), kwargs=lambda personas: {"uidb64": "MQ", "token": "not-a-token"}
    ),
    "accounts:password_reset_complete": Route(everyone(200)),
    "accounts:signed_out": Route(everyone(200)),
    "accounts:session_status": Route(allow(*PERSONAS)),
    "accounts:session_extend": Route(everyone(405, anonymous=LOGIN)),
    "accounts:session_list": Route(allow(*PERSONAS)),
    "accounts:session_end": Route(
        everyone(404, anonymous=LOGIN, practitioner=302),
        kwargs=_practitioners_other_session,
        method="POST",
    ),
    "accounts:user_list": Route(allow("admin")),
    "accounts:user_create": Route(allow("admin")),
    "accounts:user_edit": Route(ADMIN_ONLY_OBJECT, kwargs=_colleague),
    "accounts:user_deactivate": Route(
        everyone(404, anonymous=LOGIN, admin=302), kwargs=_colleague, method="POST"
    ),
    "accounts:user_reactivate": Route(
        everyone(404, anonymous=LOGIN, admin=302), kwargs=_colleague, method="POST"
    ),
    "accounts:lockout_list": Route(allow("admin")),
    # Requests for access to children's records: administrators, leads and IG officers see them.
    "accounts:grant_list": Route(allow("lead", "ig_officer", "partnership_ig", "admin")),
    "accounts:grant_detail": Route(
        allow("lead", "ig_officer", "partnership_ig", "admin"), kwargs=_pending_grant
    ),
    "accounts:lockout_lift": Route(
        everyone(404, anonymous=LOGIN, admin=302), kwargs=_failed_attempts, method="POST"
    ),
}
