"""One child, one record (issue 12, item 8): adding a child the partnership already holds links the
agency to that record, by the NHS number or by a near match the practitioner chooses."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEntry, Event
from consent.matching import NHS_NUMBER_DIFFERENT_BIRTH
from consent.models import Child, ChildAgency
from consent.services import NHS_NUMBER_HELD, child_create
from tests.consent.factories import make_consent
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("consent:child_create")
BORN = datetime.date(2012, 5, 1)


def detail(child) -> str:
    return reverse("consent:child_detail", kwargs={"pk": child.pk})


def child_data(**overrides):
    data = {
        "given_name": "Amara",
        "family_name": "Okoye",
        "date_of_birth_0": "1",
        "date_of_birth_1": "5",
        "date_of_birth_2": "2012",
        "nhs_number": "",
        "local_reference": "LA-9",
    }
    return {**data, **overrides}


@pytest.fixture
def held_elsewhere(outsider):
    """Amara, held by another agency, with her NHS number and a consent record of that agency's."""
    child = ChildFactory(
        given_name="Amara",
        family_name="Okoye",
        date_of_birth=BORN,
        nhs_number="9434765919",
        created_by=outsider,
    )
    make_consent(child, outsider, answer="refused")
    return child


def test_a_child_whose_nhs_number_another_agency_holds_is_linked_not_duplicated(
    client, practitioner, held_elsewhere
):
    client.force_login(practitioner)
    # Known by another first name at this agency: the NHS number and the birth date say who she is.
    response = client.post(CREATE, child_data(given_name="Mara", nhs_number="943 476 5919"))
    assert response.status_code == 302 and response["Location"] == detail(held_elsewhere)
    assert Child.objects.count() == 1
    link = ChildAgency.objects.get(child=held_elsewhere, agency=practitioner.agency)
    assert link.local_reference == "LA-9"
    entry = AuditEntry.objects.get(event=Event.CHILD_LINKED)
    assert (entry.actor, entry.agency_id) == (practitioner, practitioner.agency_id)
    assert entry.additional_data == {"child": held_elsewhere.pk, "matched_by": "nhs_number"}
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "already holds a record about Amara Okoye with this NHS number" in page.content.decode()
    # Linked, the agency sees the child and only its own records: not the other agency's refusal.
    assert page.context["entries"] == []


def test_adding_again_a_child_your_agency_holds_by_nhs_number_makes_no_second_record(client, practitioner):
    existing = ChildFactory(
        given_name="Amara",
        family_name="Okoye",
        date_of_birth=BORN,
        nhs_number="9434765919",
        created_by=practitioner,
    )
    client.force_login(practitioner)
    response = client.post(CREATE, child_data(given_name="Someone", nhs_number="9434765919"))
    assert response["Location"] == detail(existing)
    assert Child.objects.count() == 1
    assert not AuditEntry.objects.filter(event=Event.CHILD_LINKED).exists()
    assert "no second record was made" in client.get(response["Location"]).content.decode()


def test_an_nhs_number_held_for_a_child_born_another_day_is_refused(client, practitioner, held_elsewhere):
    client.force_login(practitioner)
    response = client.post(CREATE, child_data(nhs_number="9434765919", date_of_birth_2="2013"))
    assert response.status_code == 200
    assert response.context["form"].errors["nhs_number"] == [NHS_NUMBER_DIFFERENT_BIRTH]
    assert Child.objects.count() == 1
    assert not ChildAgency.objects.filter(agency=practitioner.agency).exists()


def test_a_near_match_another_agency_holds_is_offered_and_linked_when_chosen(
    client, practitioner, held_elsewhere
):
    client.force_login(practitioner)
    response = client.post(CREATE, child_data())  # no NHS number
    assert response.status_code == 200
    assert Child.objects.count() == 1
    choices = dict(response.context["form"].fields["same_child"].choices)
    assert choices[str(held_elsewhere.pk)] == (
        "Amara Okoye, born 1 May 2012 (known to another agency in the partnership)"
    )
    # Nothing the practitioner did not type is shown before they choose: no NHS number, no link.
    assert "9434765919" not in response.content.decode()
    assert detail(held_elsewhere) not in response.content.decode()
    response = client.post(CREATE, child_data(same_child=str(held_elsewhere.pk)))
    assert response["Location"] == detail(held_elsewhere)
    assert Child.objects.count() == 1
    entry = AuditEntry.objects.get(event=Event.CHILD_LINKED)
    assert entry.additional_data["matched_by"] == "name_and_birth"


def test_a_similar_child_is_offered_and_none_of_these_adds_a_new_child(client, practitioner, outsider):
    similar = ChildFactory(given_name="Amarah", family_name="Okoye", date_of_birth=BORN, created_by=outsider)
    swapped = ChildFactory(
        given_name="Amara", family_name="Okoye", date_of_birth=datetime.date(2012, 1, 5), created_by=outsider
    )
    ChildFactory(
        given_name="Amara", family_name="Okoye", date_of_birth=datetime.date(2011, 5, 1), created_by=outsider
    )
    client.force_login(practitioner)
    response = client.post(CREATE, child_data())
    offered = {value for value, _ in response.context["form"].fields["same_child"].choices}
    assert offered == {str(similar.pk), str(swapped.pk), "new"}
    response = client.post(CREATE, child_data(same_child="new"))
    new = Child.objects.latest("id")
    assert response["Location"] == detail(new)
    assert (new.given_name, Child.objects.count()) == ("Amara", 4)
    assert not AuditEntry.objects.filter(event=Event.CHILD_LINKED).exists()


def test_a_child_recorded_with_another_nhs_number_is_not_offered(client, practitioner, outsider):
    ChildFactory(
        given_name="Amara",
        family_name="Okoye",
        date_of_birth=BORN,
        nhs_number="4010232137",
        created_by=outsider,
    )
    client.force_login(practitioner)
    response = client.post(CREATE, child_data(nhs_number="9434765919"))
    assert response.status_code == 302
    assert Child.objects.count() == 2


def test_a_hand_made_post_cannot_link_a_child_that_does_not_match(
    client, practitioner, outsider, held_elsewhere
):
    other = ChildFactory(given_name="Noah", family_name="Williams", created_by=outsider)
    client.force_login(practitioner)
    response = client.post(CREATE, child_data(same_child=str(other.pk)))
    assert response.status_code == 200
    assert "Select one of the children listed, or none of these" in response.content.decode()
    assert not ChildAgency.objects.filter(agency=practitioner.agency).exists()
    assert client.get(detail(other)).status_code == 404


def test_linking_needs_a_post_with_its_csrf_token(csrf_client, practitioner, held_elsewhere):
    browser = csrf_client
    browser.force_login(practitioner)
    assert browser.get(CREATE, child_data(nhs_number="9434765919")).status_code == 200
    assert browser.post(CREATE, child_data(nhs_number="9434765919")).status_code == 403
    assert not ChildAgency.objects.filter(agency=practitioner.agency).exists()


def test_the_service_refuses_a_second_child_with_an_nhs_number_held(practitioner, held_elsewhere):
    with pytest.raises(ValidationError) as refused:
        child_create(
            given_name="Amara",
            family_name="Okoye",
            date_of_birth=BORN,
            nhs_number="9434765919",
            by=practitioner,
        )
    assert refused.value.message_dict["nhs_number"] == [NHS_NUMBER_HELD]
