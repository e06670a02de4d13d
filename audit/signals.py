"""Sign-ins, sign-outs and failed sign-ins go into the audit trail."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import Event
from audit.services import record_event


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def _signed_in(sender, request, user, **kwargs) -> None:
    # A single sign-on names its provider and who did the second step (accounts.oidc).
    record_event(Event.SIGN_IN, user, actor=user, detail=getattr(request, "sign_in_detail", None))


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def _signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record_event(Event.SIGN_OUT, user, actor=user)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password in `credentials`; keep only the name tried.
    tried = str(credentials.get("username") or credentials.get("email") or "")[:254]
    # The agency of the account tried (if it is one), so its lead can see attempts on its staff.
    agency_id = (
        get_user_model()
        .objects.filter(email=tried.strip().lower())
        .values_list("agency_id", flat=True)
        .first()
        if tried
        else None
    )
    record_event(
        Event.SIGN_IN_FAILED,
        model=get_user_model(),
        label=tried or "(no email given)",
        detail={"username": tried},
        agency_id=agency_id,
    )
