import pytest
from django.urls import reverse

from agreements.models import Agreement, AgreementStatus, AgreementTier
from tests.agreements.factories import AgreementFactory, SignatureFactory, VersionFactory, in_force_agreement

pytestmark = pytest.mark.django_db


def agreement_data(owner, **overrides):
    data = {
        "title": "Youth Justice Information Sharing Agreement",
        "tier": AgreementTier.PROTOCOL,
        "parent": "",
        "owner": owner.pk,
        "purposes": ["safeguarding", "crime"],
        "review_interval_months": "12",
        "lawful_basis": "public_task",
        "article9_condition": "9_2_g_sch1_18",
        "purpose": "To keep children safe.",
    }
    data.update(overrides)
    return data


def test_an_admin_adds_an_agreement_with_its_purposes(client, admin, agency):
    client.force_login(admin)
    response = client.post(reverse("agreements:agreement_create"), agreement_data(agency))
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert agreement.status == AgreementStatus.DRAFT
    assert sorted(agreement.purpose_values) == ["crime", "safeguarding"]


def test_an_agency_admin_can_only_own_agreements_for_their_agency(client, admin, other_agency):
    client.force_login(admin)
    response = client.post(reverse("agreements:agreement_create"), agreement_data(other_agency))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Agreement.objects.exists()


def test_a_service_agreement_needs_a_parent(client, admin, agency):
    client.force_login(admin)
    response = client.post(
        reverse("agreements:agreement_create"), agreement_data(agency, tier=AgreementTier.SERVICE)
    )
    assert "Select the agreement this service agreement sits beneath" in response.content.decode()
    assert not Agreement.objects.exists()


def test_changing_purposes_and_a_stale_edit(client, admin, agency):
    agreement = AgreementFactory(owner=agency, purposes=["safeguarding"])
    client.force_login(admin)
    url = reverse("agreements:agreement_edit", args=[agreement.pk])
    theirs = agreement_data(agency, title="Their title", purposes=["early_help"], lock_version=0)
    assert client.post(url, theirs).status_code == 302
    assert Agreement.objects.get().purpose_values == ["early_help"]
    mine = agreement_data(agency, title="My title", lock_version=0)
    page = client.post(url, mine).content.decode()
    assert "Someone else changed this agreement after you opened it" in page
    assert "Their title" in page and "Early help and prevention" in page
    assert Agreement.objects.get().title == "Their title"


def test_putting_in_force_without_a_signed_off_version_is_refused_on_the_form(client, admin, agency):
    agreement = AgreementFactory(owner=agency)
    client.force_login(admin)
    url = reverse("agreements:agreement_status", args=[agreement.pk])
    response = client.post(url, {"status": "in_force", "lock_version": 0})
    assert (
        "Add a version and record its sign-off before putting the agreement in force"
        in response.content.decode()
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    VersionFactory(agreement=agreement)
    assert client.post(url, {"status": "in_force", "lock_version": 0}).status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_FORCE


def test_the_status_page_offers_only_allowed_moves(client, admin, agency):
    agreement = AgreementFactory(owner=agency, status=AgreementStatus.IN_FORCE)
    client.force_login(admin)
    response = client.post(
        reverse("agreements:agreement_status", args=[agreement.pk]), {"status": "draft", "lock_version": 0}
    )
    assert "Select a valid choice" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_FORCE


def test_other_roles_read_but_cannot_change(client, practitioner, agency):
    agreement, _ = in_force_agreement(owner=agency)
    client.force_login(practitioner)
    page = client.get(reverse("agreements:agreement_detail", args=[agreement.pk])).content.decode()
    assert agreement.title in page and "Change agreement" not in page
    assert client.post(reverse("agreements:agreement_edit", args=[agreement.pk]), {}).status_code == 403


def test_agreement_list_takes_a_fixed_number_of_queries(client, practitioner, django_assert_num_queries):
    for _ in range(8):
        _agreement, version = in_force_agreement()
        SignatureFactory(version=version)
    client.force_login(practitioner)
    client.get(reverse("agreements:agreement_list"))
    # session, user (with the header's agency), agreements (with owner and parent), versions, purposes
    with django_assert_num_queries(5):
        response = client.get(reverse("agreements:agreement_list"))
    assert response.status_code == 200


def test_agreement_detail_takes_a_fixed_number_of_queries(client, practitioner, django_assert_num_queries):
    agreement, version = in_force_agreement()
    for _ in range(6):
        SignatureFactory(version=version)
    client.force_login(practitioner)
    url = reverse("agreements:agreement_detail", args=[agreement.pk])
    client.get(url)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.content.decode().count("Withdraw") == 0


def test_an_admin_sets_the_retention_period_that_apply_retention_reads(client, admin, agency):
    client.force_login(admin)
    client.post(reverse("agreements:agreement_create"), agreement_data(agency, retention_years="7"))
    agreement = Agreement.objects.get()
    assert agreement.retention_years == 7
    page = client.get(reverse("agreements:agreement_detail", args=[agreement.pk])).content.decode()
    assert "Decisions kept for" in page


def test_a_retention_period_over_a_century_is_refused(client, admin, agency):
    client.force_login(admin)
    data = agreement_data(agency, retention_years="500")
    response = client.post(reverse("agreements:agreement_create"), data)
    assert response.status_code == 200
    assert "The retention period must be 100 years or fewer" in response.content.decode()
    assert not Agreement.objects.exists()
