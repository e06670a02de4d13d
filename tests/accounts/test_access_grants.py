"""Two people to grant access to children's records (issue 14, item 2).

The hole: an agency admin invited an "IG officer" at an address they controlled and read child
records with it. Now a role that reads children's records waits for a second person: a partnership
administrator or a safeguarding lead of the agency, never the one who asked.
"""

import pytest
from django.urls import reverse

from accounts.models import AccessGrant, GrantStatus, Role, User
from audit.models import AuditEntry, Event
from tests.factories import ChildFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wide_admin(other_agency):
    return UserFactory(
        email="wide-admin@example.org", agency=other_agency, role=Role.ADMIN, partnership_wide=True
    )


def _invite(client, by, agency, role=Role.IG_OFFICER, email="mine@example.org"):
    client.force_login(by)
    data = {"email": email, "full_name": "My Other Self", "job_title": "", "agency": agency.pk, "role": role}
    return client.post(reverse("accounts:user_create"), data)


def _decide(client, by, grant, decision="approve"):
    client.force_login(by)
    return client.post(reverse("accounts:grant_detail", args=[grant.pk]), {"decision": decision})


def test_an_invited_ig_officer_reads_no_child_record_until_a_second_person_approves(
    client, admin, practitioner, lead, ig_officer
):
    child = ChildFactory(created_by=practitioner)
    assert _invite(client, admin, admin.agency).status_code == 302
    me = User.objects.get(email="mine@example.org")
    assert me.role == Role.IG_OFFICER and not me.role_approved
    grant = AccessGrant.objects.get(user=me)
    assert grant.status == GrantStatus.PENDING and grant.requested_by == admin

    client.force_login(me)
    assert client.get(reverse("consent:child_detail", args=[child.pk])).status_code in (403, 404)
    assert client.get(reverse("audit:entry_list")).status_code == 403
    assert "waiting for approval" in client.get(reverse("home")).content.decode()

    # The administrator who asked cannot approve it themselves.
    assert _decide(client, admin, grant).status_code == 403
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PENDING

    # The agency's safeguarding lead approves it; now the account reads what an IG officer reads.
    assert _decide(client, lead, grant)["Location"] == reverse("accounts:grant_list")
    me.refresh_from_db()
    assert me.role_approved
    client.force_login(me)
    assert client.get(reverse("consent:child_detail", args=[child.pk])).status_code == 200

    # Both steps are named events about the request, which the agency's IG officer reads.
    asked = AuditEntry.objects.get(event=Event.ACCESS_REQUESTED)
    approved = AuditEntry.objects.get(event=Event.ACCESS_APPROVED)
    assert (asked.actor, approved.actor) == (admin, lead)
    visible = AuditEntry.objects.visible_to(ig_officer)
    assert asked in visible and approved in visible


def test_a_partnership_admin_approves_but_never_their_own_request(client, wide_admin, admin, agency):
    _invite(client, admin, agency, role=Role.PRACTITIONER)
    grant = AccessGrant.objects.get()
    assert _decide(client, wide_admin, grant).status_code == 302
    assert User.objects.get(email="mine@example.org").role_approved

    _invite(client, wide_admin, agency, role=Role.LEAD, email="second@example.org")
    own = AccessGrant.objects.get(user__email="second@example.org")
    assert _decide(client, wide_admin, own).status_code == 403
    assert AccessGrant.objects.get(pk=own.pk).status == GrantStatus.PENDING


def test_an_agency_admin_a_practitioner_and_another_agencys_lead_cannot_approve(
    client, admin, practitioner, ig_officer, other_agency, wide_admin, agency
):
    _invite(client, wide_admin, agency, role=Role.PRACTITIONER)
    grant = AccessGrant.objects.get()
    assert _decide(client, admin, grant).status_code == 403  # an agency's administrator
    assert _decide(client, ig_officer, grant).status_code == 403  # reads it, cannot decide it
    assert _decide(client, practitioner, grant).status_code == 403
    stranger = UserFactory(agency=other_agency, role=Role.LEAD)
    assert _decide(client, stranger, grant).status_code == 404
    assert AccessGrant.objects.get().status == GrantStatus.PENDING


def test_a_role_change_that_reads_children_waits_and_the_old_role_stays(client, admin, practitioner, lead):
    client.force_login(admin)
    data = {
        "full_name": practitioner.full_name,
        "job_title": "Team manager",
        "agency": practitioner.agency_id,
        "role": Role.LEAD,
        "lock_version": practitioner.lock_version,
    }
    assert client.post(reverse("accounts:user_edit", args=[practitioner.pk]), data).status_code == 302
    practitioner.refresh_from_db()
    assert (practitioner.role, practitioner.job_title) == (Role.PRACTITIONER, "Team manager")
    grant = AccessGrant.objects.get(user=practitioner)
    assert (grant.role, grant.previous_role) == (Role.LEAD, Role.PRACTITIONER)
    # The person cannot approve their own promotion; the lead can.
    assert _decide(client, practitioner, grant).status_code == 403
    _decide(client, lead, grant)
    practitioner.refresh_from_db()
    assert practitioner.role == Role.LEAD


def test_a_refused_request_leaves_a_new_account_with_no_access(client, admin, lead, practitioner):
    child = ChildFactory(created_by=practitioner)
    _invite(client, admin, admin.agency, role=Role.PRACTITIONER)
    grant = AccessGrant.objects.get()
    assert _decide(client, lead, grant, "refuse").status_code == 302
    assert AccessGrant.objects.get().status == GrantStatus.REFUSED
    refused = AuditEntry.objects.get(event=Event.ACCESS_REFUSED)
    assert refused.actor == lead and refused.agency_id == admin.agency_id
    client.force_login(User.objects.get(email="mine@example.org"))
    assert client.get(reverse("consent:child_detail", args=[child.pk])).status_code in (403, 404)
    # Decided once: it cannot be approved afterwards.
    _decide(client, lead, grant, "approve")
    assert AccessGrant.objects.get().status == GrantStatus.REFUSED


def test_the_requests_page_lists_what_waits_for_the_lead_to_decide(client, admin, lead):
    _invite(client, admin, admin.agency, role=Role.PRACTITIONER)
    client.force_login(lead)
    page = client.get(reverse("accounts:grant_list")).content.decode()
    assert "My Other Self" in page and "Approve or refuse" in page
    detail = client.get(reverse("accounts:grant_detail", args=[AccessGrant.objects.get().pk]))
    assert "Do you approve this access?" in detail.content.decode()


def test_deciding_needs_post_and_a_csrf_token(csrf_client, admin, lead):
    from accounts import grants

    person = UserFactory(agency=admin.agency, role=Role.PRACTITIONER, role_approved=False)
    grant = AccessGrant.objects.create(
        user=person, role=Role.PRACTITIONER, agency=admin.agency, requested_by=admin
    )
    assert grants.can_decide(grant, lead)
    csrf_client.force_login(lead)
    url = reverse("accounts:grant_detail", args=[grant.pk])
    assert csrf_client.post(url, {"decision": "approve"}).status_code == 403
    assert AccessGrant.objects.get().status == GrantStatus.PENDING


def test_a_new_partnership_administrator_also_waits_for_another(client, wide_admin, other_agency):
    """Else a partnership administrator could make an administrator account of their own to approve
    what they asked for."""
    client.force_login(wide_admin)
    data = {
        "email": "alias@example.org",
        "full_name": "My Alias",
        "job_title": "",
        "agency": other_agency.pk,
        "role": Role.ADMIN,
        "partnership_wide": "on",
    }
    assert client.post(reverse("accounts:user_create"), data).status_code == 302
    alias = User.objects.get(email="alias@example.org")
    assert not alias.role_approved and AccessGrant.objects.get(user=alias).is_pending
    client.force_login(alias)
    assert client.get(reverse("accounts:user_list")).status_code == 403
