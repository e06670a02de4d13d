import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.mark.django_db
def test_reset_sends_a_single_use_link_that_sets_a_new_password(client, practitioner):
    response = client.post(reverse("accounts:password_reset"), {"email": practitioner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    new_password = "a brand new long passphrase"
    response = client.post(set_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.check_password(new_password)
    # Resetting does not sign anyone in, and the link is spent.
    assert "_auth_user_id" not in client.session
    assert "This link has expired" in client.get(link, follow=True).content.decode()


@pytest.mark.django_db
def test_unknown_email_gets_the_same_page_and_no_mail(client, practitioner):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "This password is too short"),
        ("password1234", "This password is too common"),
    ],
)
def test_weak_new_passwords_are_refused_with_a_clear_message(client, practitioner, password, message):
    client.post(reverse("accounts:password_reset"), {"email": practitioner.email})
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert message in response.content.decode()
    practitioner.refresh_from_db()
    assert practitioner.check_password(PASSWORD)


@pytest.mark.django_db
def test_malformed_email_gets_a_govuk_error(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "not an email"})
    assert response.status_code == 200
    assert "Enter an email address in the correct format" in response.content.decode()
