"""Passwords: Argon2 first, at least 12 characters, common ones refused, no composition rules, no rotation."""

import importlib
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.accounts.conftest import password_step
from tests.auth import authenticator_for
from tests.factories import PASSWORD


def _production_settings():
    return importlib.import_module("isa_portal.settings")


def test_argon2_hashes_new_passwords_in_production():
    hashers = _production_settings().PASSWORD_HASHERS
    assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_a_password_must_have_at_least_12_characters():
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("elevenchars")
    validate_password("twelve chars")


def test_a_common_password_is_refused():
    with pytest.raises(ValidationError, match="too common"):
        validate_password("password1234")


@pytest.mark.parametrize("password", ["all lower case words", "ONLYCAPITALSHERE", "1234987612349876"])
def test_no_composition_rules(password):
    validate_password(password)  # no demand for mixed case, digits or symbols


def test_the_validators_are_only_length_common_and_similarity():
    names = {type(v).__name__ for v in get_default_password_validators()}
    assert names == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
    }


def test_no_forced_rotation_an_old_password_still_signs_in(plain_client, practitioner):
    practitioner.date_joined = timezone.now() - timedelta(days=5 * 365)
    practitioner.last_login = timezone.now() - timedelta(days=4 * 365)
    practitioner.save()
    authenticator_for(practitioner)
    response = password_step(plain_client, practitioner.email, PASSWORD)
    assert response.status_code == 302
    names = [name for name in dir(_production_settings()) if name.isupper() and "PASSWORD" in name]
    assert not [name for name in names if any(word in name for word in ("EXPIR", "ROTAT", "MAX_AGE"))]


def test_long_passphrases_are_welcome(plain_client, practitioner):
    long_one = "a sentence I will remember " * 5  # 135 characters, spaces and all
    validate_password(long_one)
    practitioner.set_password(long_one)
    practitioner.save()
    authenticator_for(practitioner)
    assert password_step(plain_client, practitioner.email, long_one).status_code == 302


def test_a_reset_link_works_once(plain_client, practitioner):
    from django.core import mail
    from django.urls import reverse

    plain_client.post(reverse("accounts:password_reset"), {"email": practitioner.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line).strip()
    path = link[link.index("/accounts/") :]
    form = plain_client.get(path, follow=True)
    new = "a brand new passphrase"
    plain_client.post(form.request["PATH_INFO"], {"new_password1": new, "new_password2": new})
    again = plain_client.get(path, follow=True)
    assert "This link has expired" in again.content.decode()
