"""User management for admins: scoped list, invitations, edits with optimistic locking, deactivation."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from accounts.services import user_update
from agreements.models import Agency
from audit.models import AuditEntry
from tests.factories import AgencyFactory, UserFactory


@pytest.fixture
def wide_admin(other_agency):
    return UserFactory(
        email="wide-admin@example.org", agency=other_agency, role=Role.ADMIN, partnership_wide=True
    )


def _invite(client, **overrides):
    data = {
        "email": "New.Person@Example.org",
        "full_name": "New Person",
        "job_title": "Health visitor",
        "agency": Agency.objects.first().pk,
        "role": Role.PRACTITIONER,
    } | overrides
    return client.post(reverse("accounts:user_create"), data)


def test_an_agency_admin_lists_only_their_agency(client, personas, admin):
    client.force_login(admin)
    page = client.get(reverse("accounts:user_list")).content.decode()
    assert personas["practitioner"].email in page
    assert personas["outsider"].email not in page


def test_a_partnership_admin_lists_everyone(client, personas, wide_admin):
    client.force_login(wide_admin)
    page = client.get(reverse("accounts:user_list")).content.decode()
    assert all(user.email in page for user in personas.values())


def test_user_list_query_count_does_not_grow_with_users(client, admin, django_assert_num_queries):
    client.force_login(admin)
    client.get(reverse("accounts:user_list"))
    # the user comes with their agency (the header), no query of its own
    with django_assert_num_queries(4):
        client.get(reverse("accounts:user_list"))
    UserFactory.create_batch(10, agency=admin.agency)
    with django_assert_num_queries(4):
        client.get(reverse("accounts:user_list"))


def test_an_invitation_creates_the_account_without_a_password_and_emails_a_set_password_link(client, admin):
    client.force_login(admin)
    response = _invite(client, agency=admin.agency_id)
    assert response["Location"] == reverse("accounts:user_list")
    person = User.objects.get(email="new.person@example.org")
    assert not person.has_usable_password()
    assert (person.agency, person.role) == (admin.agency, Role.PRACTITIONER)
    assert AuditEntry.objects.filter(content_type__model="user", object_pk=str(person.pk), action=0).exists()

    message = mail.outbox[-1]
    assert message.to == ["new.person@example.org"]
    link = next(line for line in message.body.splitlines() if "/password-reset/" in line).strip()

    invited = Client()
    form = invited.get(link[link.index("/accounts/") :], follow=True)
    password = "a long passphrase of my own"
    response = invited.post(form.request["PATH_INFO"], {"new_password1": password, "new_password2": password})
    assert response["Location"] == reverse("accounts:password_reset_complete")
    person.refresh_from_db()
    assert person.check_password(password)
    assert "_auth_user_id" not in invited.session  # choosing a password never signs in


def test_an_agency_admin_cannot_add_people_to_another_agency_or_give_partnership_access(
    client, admin, other_agency
):
    client.force_login(admin)
    response = _invite(client, agency=other_agency.pk)
    assert response.status_code == 200
    response = _invite(client, agency=admin.agency_id, role=Role.ADMIN, partnership_wide="on")
    assert response.status_code == 302
    assert not User.objects.get(email="new.person@example.org").partnership_wide  # the field is not offered
    assert not User.objects.filter(agency=other_agency, email="new.person@example.org").exists()


def test_a_duplicate_email_is_refused_with_a_message(client, admin, practitioner):
    client.force_login(admin)
    response = _invite(client, email=practitioner.email.upper(), agency=admin.agency_id)
    assert "already has an account" in response.content.decode()


def test_partnership_wide_access_is_only_for_ig_officers_and_admins(client, wide_admin, agency):
    client.force_login(wide_admin)
    response = _invite(client, agency=agency.pk, role=Role.PRACTITIONER, partnership_wide="on")
    assert response.status_code == 200
    assert "Only IG officers and administrators" in response.content.decode()


def _edit_data(person, **overrides):
    return {
        "full_name": person.full_name,
        "job_title": person.job_title,
        "agency": person.agency_id,
        "role": person.role,
        "lock_version": person.lock_version,
    } | overrides


def test_an_admin_changes_a_persons_role(client, admin, practitioner):
    # To a role that reads no child's record: at once (to one that does, it waits for approval:
    # tests/accounts/test_access_grants.py).
    client.force_login(admin)
    url = reverse("accounts:user_edit", kwargs={"pk": practitioner.pk})
    response = client.post(url, _edit_data(practitioner, role=Role.ADMIN))
    assert response["Location"] == reverse("accounts:user_list")
    practitioner.refresh_from_db()
    assert practitioner.role == Role.ADMIN and practitioner.lock_version == 1


def test_two_edits_from_the_same_version_never_silently_overwrite(client, admin, practitioner, ig_officer):
    client.force_login(admin)
    url = reverse("accounts:user_edit", kwargs={"pk": practitioner.pk})
    stale = _edit_data(practitioner, job_title="Senior social worker")
    # Someone else saves first.
    user_update(user=User.objects.get(pk=practitioner.pk), expected_version=0, by=admin, role=Role.ADMIN)

    response = client.post(url, stale)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else changed these details" in page
    assert "Administrator" in page  # their change is shown
    practitioner.refresh_from_db()
    assert (practitioner.role, practitioner.job_title) == (Role.ADMIN, "")
    # Saving again from the page shown now works.
    response = client.post(url, stale | {"lock_version": 1, "role": Role.ADMIN})
    assert response.status_code == 302
    practitioner.refresh_from_db()
    assert practitioner.job_title == "Senior social worker"


def test_an_admin_cannot_change_their_own_role(client, admin):
    client.force_login(admin)
    url = reverse("accounts:user_edit", kwargs={"pk": admin.pk})
    response = client.post(url, _edit_data(admin, role=Role.PRACTITIONER))
    assert response.status_code == 200
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_an_agency_admin_cannot_edit_someone_in_another_agency(client, admin, outsider):
    client.force_login(admin)
    url = reverse("accounts:user_edit", kwargs={"pk": outsider.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, _edit_data(outsider, role=Role.LEAD)).status_code == 404


def test_deactivating_and_reactivating(client, admin, practitioner):
    client.force_login(admin)
    response = client.post(reverse("accounts:user_deactivate", kwargs={"pk": practitioner.pk}))
    assert response["Location"] == reverse("accounts:user_edit", kwargs={"pk": practitioner.pk})
    practitioner.refresh_from_db()
    assert not practitioner.is_active
    client.post(reverse("accounts:user_reactivate", kwargs={"pk": practitioner.pk}))
    practitioner.refresh_from_db()
    assert practitioner.is_active


def test_deactivation_needs_post(client, admin, practitioner):
    client.force_login(admin)
    assert client.get(reverse("accounts:user_deactivate", kwargs={"pk": practitioner.pk})).status_code == 405
    practitioner.refresh_from_db()
    assert practitioner.is_active


def test_an_admin_cannot_deactivate_themselves(client, admin):
    client.force_login(admin)
    client.post(reverse("accounts:user_deactivate", kwargs={"pk": admin.pk}))
    admin.refresh_from_db()
    assert admin.is_active


def test_a_deactivated_person_cannot_sign_in(admin, practitioner):
    from accounts.services import user_deactivate

    user_deactivate(user=practitioner, by=admin)
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": practitioner.email, "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 200


def test_the_users_page_is_in_the_admins_navigation(client, admin):
    client.force_login(admin)
    assert f'href="{reverse("accounts:user_list")}"' in client.get("/").content.decode()


@pytest.mark.parametrize("persona", ["practitioner", "lead", "ig_officer", "partnership_ig", "outsider"])
def test_only_admins_manage_users(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("accounts:user_list")).status_code == 403
    assert client.get(reverse("accounts:user_create")).status_code == 403


def test_an_agency_created_elsewhere_is_not_offered_to_an_agency_admin(client, admin):
    AgencyFactory(name="Far Away Academy")
    client.force_login(admin)
    assert "Far Away Academy" not in client.get(reverse("accounts:user_create")).content.decode()


def test_an_invited_person_whose_link_expired_can_ask_for_a_new_one(client, admin):
    client.force_login(admin)
    _invite(client, agency=admin.agency_id)
    mail.outbox.clear()
    Client().post(reverse("accounts:password_reset"), {"email": "new.person@example.org"})
    assert [m.to for m in mail.outbox] == [["new.person@example.org"]]


def test_a_conflict_reshows_the_persons_own_answers(client, admin, practitioner):
    client.force_login(admin)
    url = reverse("accounts:user_edit", kwargs={"pk": practitioner.pk})
    stale = _edit_data(practitioner, job_title="Team manager")
    user_update(user=User.objects.get(pk=practitioner.pk), expected_version=0, by=admin, full_name="Renamed")
    page = client.post(url, stale).content.decode()
    assert 'value="Team manager"' in page
    assert 'name="lock_version" value="1"' in page
