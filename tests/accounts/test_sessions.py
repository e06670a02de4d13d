import time

import pytest
from django.urls import reverse

from accounts.middleware import LAST_SEEN_KEY


def _age_session(client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds
    session.save()


@pytest.mark.django_db
def test_idle_user_is_signed_out_with_an_explanation(client, practitioner, settings):
    client.force_login(practitioner)
    client.get(reverse("home"))
    _age_session(client, settings.SESSION_IDLE_TIMEOUT + 5)

    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[0][0] == reverse("accounts:login") + "?timed_out=1"
    assert "had not done anything for 30 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_activity_within_the_limit_keeps_the_user_signed_in(client, practitioner, settings):
    client.force_login(practitioner)
    client.get(reverse("home"))
    _age_session(client, settings.SESSION_IDLE_TIMEOUT - 60)
    assert client.get(reverse("home")).status_code == 200
    assert time.time() - client.session[LAST_SEEN_KEY] < 5


@pytest.mark.django_db
def test_polling_the_session_status_does_not_count_as_activity(client, practitioner, settings):
    client.force_login(practitioner)
    client.get(reverse("home"))
    _age_session(client, 600)
    remaining = client.get(reverse("accounts:session_status")).json()["remaining"]
    assert settings.SESSION_IDLE_TIMEOUT - 605 <= remaining <= settings.SESSION_IDLE_TIMEOUT - 600
    assert time.time() - client.session[LAST_SEEN_KEY] >= 600


@pytest.mark.django_db
def test_stay_signed_in_resets_the_clock(client, practitioner, settings):
    client.force_login(practitioner)
    client.get(reverse("home"))
    _age_session(client, settings.SESSION_IDLE_TIMEOUT - 30)
    response = client.post(reverse("accounts:session_extend"), HTTP_ACCEPT="application/json")
    assert response.json() == {"remaining": settings.SESSION_IDLE_TIMEOUT}
    remaining = client.get(reverse("accounts:session_status")).json()["remaining"]
    assert remaining >= settings.SESSION_IDLE_TIMEOUT - 2


@pytest.mark.django_db
def test_signed_in_pages_carry_the_timeout_for_the_warning(client, practitioner, settings):
    client.force_login(practitioner)
    html = client.get(reverse("home")).content.decode()
    assert f'data-idle-timeout="{settings.SESSION_IDLE_TIMEOUT}"' in html
    assert 'id="timeout-dialog"' in html


@pytest.mark.django_db
def test_signed_in_pages_are_never_cached_and_carry_a_nonce_csp(client, practitioner):
    client.force_login(practitioner)
    response = client.get(reverse("home"))
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "frame-ancestors 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
