import pytest
from django.urls import reverse

from agreements.models import Agency, AgencyKind, NominatedRepresentative
from tests.agreements.factories import RepresentativeFactory
from tests.agreements.helpers import date_fields
from tests.factories import AgencyFactory, days_ago

pytestmark = pytest.mark.django_db


def agency_data(**overrides):
    data = {
        "name": "Northshire Hospice",
        "kind": AgencyKind.VOLUNTARY,
        "address": "1 High Street",
        "ico_registration_number": "za123456",
        **date_fields("ico_registration_expires_on", days_ago(-200)),
        "group": "virtual",
        "commissioned_by": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_a_partnership_admin_adds_an_agency(client, partnership_admin):
    client.force_login(partnership_admin)
    response = client.post(reverse("agreements:agency_create"), agency_data())
    agency = Agency.objects.get(name="Northshire Hospice")
    assert response.status_code == 302
    assert agency.ico_registration_number == "ZA123456"  # normalised
    assert not agency.is_public_authority


def test_adding_an_agency_says_so_on_the_page_it_lands_on(client, partnership_admin):
    client.force_login(partnership_admin)
    response = client.post(reverse("agreements:agency_create"), agency_data(), follow=True)
    assert "Agency added" in response.content.decode()


def test_a_malformed_ico_number_is_refused_with_a_clear_error_and_nothing_saved(client, partnership_admin):
    client.force_login(partnership_admin)
    response = client.post(reverse("agreements:agency_create"), agency_data(ico_registration_number="Z12AB"))
    assert response.status_code == 200
    assert "Enter an ICO registration number in the right format" in response.content.decode()
    assert 'class="govuk-error-summary' in response.content.decode()
    assert not Agency.objects.filter(name="Northshire Hospice").exists()


def test_an_agency_admin_cannot_add_agencies_nor_change_another_agency(client, admin, other_agency):
    client.force_login(admin)
    assert client.get(reverse("agreements:agency_create")).status_code == 403
    assert client.get(reverse("agreements:agency_edit", args=[other_agency.pk])).status_code == 404
    assert (
        client.post(reverse("agreements:representative_appoint", args=[other_agency.pk]), {}).status_code
        == 404
    )


def test_an_agency_admin_changes_their_own_agency(client, admin, agency):
    client.force_login(admin)
    data = agency_data(name=agency.name, kind=agency.kind, lock_version=agency.lock_version)
    response = client.post(reverse("agreements:agency_edit", args=[agency.pk]), data)
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.address == "1 High Street" and agency.lock_version == 1


def test_a_stale_edit_is_shown_back_with_the_current_values(client, admin, agency):
    client.force_login(admin)
    url = reverse("agreements:agency_edit", args=[agency.pk])
    first = agency_data(name=agency.name, kind=agency.kind, address="Their address", lock_version=0)
    assert client.post(url, first).status_code == 302
    mine = agency_data(name=agency.name, kind=agency.kind, address="My address", lock_version=0)
    response = client.post(url, mine)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this agency after you opened it" in page
    assert "Their address" in page  # what the record says now
    assert "My address" in page  # the user's answers are kept
    assert 'name="lock_version" value="1"' in page  # saving again is possible
    agency.refresh_from_db()
    assert agency.address == "Their address"
    assert client.post(url, {**mine, "lock_version": 1}).status_code == 302


def test_appointing_a_representative_through_the_page(client, admin, agency):
    RepresentativeFactory(agency=agency, name="Old Holder", started_on=days_ago(300))
    client.force_login(admin)
    url = reverse("agreements:representative_appoint", args=[agency.pk])
    data = {
        "name": "New Holder",
        "email": "new@example.org",
        "phone": "",
        **date_fields("started_on", days_ago(1)),
    }
    assert client.post(url, data).status_code == 302
    assert agency.current_representative.name == "New Holder"
    assert NominatedRepresentative.objects.get(name="Old Holder").ended_on == days_ago(1)
    page = client.get(reverse("agreements:agency_detail", args=[agency.pk])).content.decode()
    assert "Old Holder" in page and "New Holder" in page


def test_the_agency_list_takes_a_fixed_number_of_queries(client, practitioner, django_assert_num_queries):
    for n in range(12):
        agency = AgencyFactory(name=f"Agency number {n}")
        RepresentativeFactory(agency=agency)
    client.force_login(practitioner)
    client.get(reverse("agreements:agency_list"))  # warm the session
    # session, user (with the header's agency), agencies, representatives
    with django_assert_num_queries(4):
        response = client.get(reverse("agreements:agency_list"))
    assert response.status_code == 200
    assert "Agency number 11" in response.content.decode()


def test_only_the_most_specific_navigation_item_is_current(client, admin):
    client.force_login(admin)
    navigation = client.get(reverse("agreements:agency_list")).context["navigation"]
    assert [item["label"] for item in navigation if item["active"]] == ["Agencies"]
    navigation = client.get(reverse("agreements:incident_list")).context["navigation"]
    assert [item["label"] for item in navigation if item["active"]] == ["Incidents"]


def test_an_admin_must_say_whether_an_other_agency_is_a_public_authority(client, partnership_admin):
    client.force_login(partnership_admin)
    data = agency_data(name="Northshire Fire and Rescue", kind=AgencyKind.OTHER)
    response = client.post(reverse("agreements:agency_create"), data)
    assert response.status_code == 200
    assert "Select whether this agency is a public authority" in response.content.decode()
    assert not Agency.objects.filter(name="Northshire Fire and Rescue").exists()
    client.post(reverse("agreements:agency_create"), {**data, "public_authority": "yes"})
    agency = Agency.objects.get(name="Northshire Fire and Rescue")
    assert agency.is_public_authority is True and agency.is_competent_authority is False
