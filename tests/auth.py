"""Signing in, in tests, as the service does it: password, then a second factor.

``client.force_login(user)`` skips the password; ``VerifiedClient`` also marks
the session as having passed the second factor, exactly as
``django_otp.login`` does after a correct code, with a real confirmed device.
Nothing here changes the application: an ordinary ``Client`` that only calls
``force_login`` is stopped at the second-factor page, as a real person would be.
"""

from auditlog.context import disable_auditlog
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def authenticator_for(user) -> TOTPDevice:
    """The user's confirmed authenticator app, made (unaudited, as test set-up) if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        with disable_auditlog():
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def current_code(device: TOTPDevice) -> str:
    """The code the person's phone would show now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def mark_second_factor_passed(client: Client, user) -> None:
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator_for(user).persistent_id
    session.save()


class VerifiedClient(Client):
    """A test client whose ``force_login`` leaves the session fully signed in (both factors)."""

    def force_login(self, user, backend=None) -> None:
        super().force_login(user, backend)
        mark_second_factor_passed(self, user)
