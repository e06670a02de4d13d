import re

import pytest
from django.urls import reverse

from audit.models import AuditEntry, Event
from tests.auth import authenticator_for, current_code
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"
WRONG = "Enter a correct email address and password"


@pytest.mark.django_db
def test_correct_email_and_password_lead_to_the_second_step_then_home(client, practitioner):
    device = authenticator_for(practitioner)
    response = client.post(LOGIN, {"username": practitioner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    second_step = client.get(reverse("home"))
    assert second_step["Location"].startswith(reverse("accounts:two_factor"))
    client.post(second_step["Location"], {"code": current_code(device)})
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_email_is_matched_whatever_its_case_and_spaces(client, practitioner):
    response = client.post(LOGIN, {"username": "  PRACTITIONER@Example.org ", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({}, ["Enter your email address", "Enter your password"]),
        ({"username": "practitioner@example.org"}, ["Enter your password"]),
        ({"username": "practitioner@example.org", "password": "wrong"}, [WRONG]),
        ({"username": "nobody@example.org", "password": PASSWORD}, [WRONG]),
        ({"username": "x" * 300, "password": "y"}, ["Email address must be 254 characters or fewer"]),
        ({"username": "\x00é😀", "password": "\x00"}, []),
    ],
)
def test_bad_sign_in_is_shown_as_a_govuk_error_summary_never_a_server_error(
    client, practitioner, data, messages
):
    response = client.post(LOGIN, data)
    assert response.status_code in (200, 400)
    body = response.content.decode()
    if response.status_code == 200:
        assert "govuk-error-summary" in body
        assert "<title>Error: " in body
    for message in messages:
        assert message in body
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_wrong_password_and_unknown_email_get_the_same_answer(client, practitioner):
    def page_without(email: str, response) -> str:
        html = response.content.decode().replace(email, "EMAIL")
        # The CSRF token and CSP nonce differ on every response.
        return re.sub(r'(value|nonce)="[^"]*"', r'\1=""', html)

    wrong = client.post(LOGIN, {"username": practitioner.email, "password": "wrong"})
    unknown = client.post(LOGIN, {"username": "nobody@example.org", "password": "wrong"})
    assert wrong.status_code == unknown.status_code == 200
    assert page_without(practitioner.email, wrong) == page_without("nobody@example.org", unknown)


@pytest.mark.django_db
def test_the_email_typed_is_kept_on_the_reshown_form(client, practitioner):
    response = client.post(LOGIN, {"username": practitioner.email, "password": "wrong"})
    assert f'value="{practitioner.email}"' in response.content.decode()


@pytest.mark.django_db
def test_inactive_user_cannot_sign_in(client, practitioner):
    practitioner.is_active = False
    practitioner.save()
    response = client.post(LOGIN, {"username": practitioner.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_in_sign_out_and_failed_sign_in_are_audited(client, practitioner):
    client.post(LOGIN, {"username": practitioner.email, "password": "wrong"})
    client.post(LOGIN, {"username": practitioner.email, "password": PASSWORD})
    client.post(reverse("accounts:logout"))

    entries = list(AuditEntry.objects.order_by("id").values_list("event", "actor_id", "object_repr"))
    events = [(event, actor) for event, actor, _ in entries if event != Event.CHANGE]
    assert events == [
        (Event.SIGN_IN_FAILED, None),
        (Event.SIGN_IN, practitioner.pk),
        (Event.SIGN_OUT, practitioner.pk),
    ]
    failed = AuditEntry.objects.get(event=Event.SIGN_IN_FAILED)
    assert failed.object_repr == practitioner.email
    assert failed.remote_addr == "127.0.0.1"
    assert "wrong" not in str(failed.additional_data)


@pytest.mark.django_db
def test_sign_out_is_post_only_and_ends_the_session(client, practitioner):
    client.force_login(practitioner)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_sign_out_without_a_csrf_token_is_refused(practitioner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(practitioner)
    assert client.post(reverse("accounts:logout")).status_code == 403
