"""Passkeys in tests without a browser: an authenticator written in Python.

``SoftAuthenticator`` does what a security key or a phone does in a WebAuthn ceremony: it makes an
ES256 key pair for the relying party (attestation "none") and signs challenges with it, as the
browser would send them (clientDataJSON with the page's origin). The server checks its answers with
the same code as a real one's: nothing in the application is stubbed. The browser tests use
Chromium's own virtual authenticator instead (tests/e2e/test_passkeys.py).
"""

import base64
import hashlib
import json
import secrets

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftAuthenticator:
    def __init__(self, *, origin: str | None = None, rp_id: str | None = None):
        self.origin = origin or settings.OTP_WEBAUTHN_ALLOWED_ORIGINS[0]
        self.rp_id = rp_id or settings.OTP_WEBAUTHN_RP_ID
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.sign_count = 0

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        ).encode()

    def _public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )

    def register(self, options: dict) -> dict:
        """The browser's answer to ``navigator.credentials.create`` with these options."""
        client_data = self._client_data("webauthn.create", options["challenge"])
        flags = 0x01 | 0x04 | 0x40  # user present, user verified, credential data included
        auth_data = (
            hashlib.sha256(self.rp_id.encode()).digest()
            + bytes([flags])
            + self.sign_count.to_bytes(4, "big")
            + bytes(16)  # AAGUID: none given
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self._public_key()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
            "authenticatorAttachment": "platform",
        }

    def sign(self, options: dict) -> dict:
        """The browser's answer to ``navigator.credentials.get`` with these options."""
        client_data = self._client_data("webauthn.get", options["challenge"])
        self.sign_count += 1
        auth_data = (
            hashlib.sha256(self.rp_id.encode()).digest()
            + bytes([0x01 | 0x04])
            + self.sign_count.to_bytes(4, "big")
        )
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }


def passkey_for(user, authenticator: SoftAuthenticator | None = None, name: str = "Work laptop"):
    """A passkey of ``user`` made by ``authenticator`` (a new one if none), through the library's
    helper as the ceremony makes it, without its audit entries (test set-up)."""
    from auditlog.context import disable_auditlog

    from accounts.passkeys import PasskeyHelper

    authenticator = authenticator or SoftAuthenticator()
    helper = PasskeyHelper(request=None)
    helper.passkey_name = name
    options, state = helper.register_begin(user=user)
    with disable_auditlog():
        return helper.register_complete(user=user, state=state, data=authenticator.register(options))
