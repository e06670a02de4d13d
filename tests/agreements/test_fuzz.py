"""Generated input through every form: never a server error, and either a whole write or none."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from agreements.models import (
    Agency,
    AgencyKind,
    Agreement,
    AgreementPurpose,
    AgreementStatus,
    AgreementVersion,
    Incident,
    IncidentKind,
    IncidentOutcome,
    IncidentStatus,
    NominatedRepresentative,
    Signature,
)
from isa_portal.vocabulary import Article6Basis, Article9Condition, SharingPurpose
from tests.agreements.factories import (
    IncidentFactory,
    RepresentativeFactory,
    SignatureFactory,
    in_force_agreement,
)
from tests.fuzz import fuzz_settings

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]
FUZZ = fuzz_settings(50)
MODELS = [Agency, NominatedRepresentative, Agreement, AgreementPurpose, AgreementVersion, Signature, Incident]

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
digits = st.one_of(st.integers(-5, 3000).map(str), text)


def date(name: str):
    return st.fixed_dictionaries({f"{name}_0": digits, f"{name}_1": digits, f"{name}_2": digits})


def choice(values):
    return st.one_of(st.sampled_from(list(values)), text)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def post(client, url, data, *, allowed_new: set[str]):
    before = counts()
    response = client.post(url, data)
    assert response.status_code in (200, 302), response.status_code
    after = counts()
    changed = {name for name in before if before[name] != after[name]}
    if response.status_code == 200:
        assert changed == set(), "a refused form must save nothing"
    else:
        assert changed <= allowed_new
    return response


def merge(*dicts):
    out = {}
    for d in dicts:
        out.update(d)
    return out


@FUZZ
@given(
    data=st.tuples(
        st.fixed_dictionaries(
            {
                "name": text,
                "kind": choice(AgencyKind.values),
                "address": text,
                "ico_registration_number": text,
                "group": choice(["core", "virtual"]),
                "commissioned_by": st.one_of(st.just(""), text),
                "is_active": st.sampled_from(["", "on"]),
            }
        ),
        date("ico_registration_expires_on"),
    ).map(lambda parts: merge(*parts))
)
def test_fuzz_agency_create(client, partnership_admin, data):
    client.force_login(partnership_admin)
    post(client, reverse("agreements:agency_create"), data, allowed_new={"Agency"})


@FUZZ
@given(
    data=st.tuples(
        st.fixed_dictionaries(
            {
                "name": text,
                "kind": choice(AgencyKind.values),
                "ico_registration_number": text,
                "group": choice(["core", "virtual"]),
                "lock_version": digits,
            }
        ),
        date("ico_registration_expires_on"),
    ).map(lambda parts: merge(*parts))
)
def test_fuzz_agency_edit(client, admin, agency, data):
    client.force_login(admin)
    before = Agency.objects.get(pk=agency.pk).lock_version
    response = post(client, reverse("agreements:agency_edit", args=[agency.pk]), data, allowed_new=set())
    after = Agency.objects.get(pk=agency.pk).lock_version
    assert after == (before + 1 if response.status_code == 302 else before)


@FUZZ
@given(
    data=st.tuples(
        st.fixed_dictionaries({"name": text, "email": text, "phone": text}), date("started_on")
    ).map(lambda parts: merge(*parts))
)
def test_fuzz_representative(client, admin, agency, data):
    client.force_login(admin)
    post(
        client,
        reverse("agreements:representative_appoint", args=[agency.pk]),
        data,
        allowed_new={"NominatedRepresentative"},
    )
    assert NominatedRepresentative.objects.filter(agency=agency, ended_on__isnull=True).count() <= 1


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {
            "title": text,
            "tier": choice(["protocol", "code_of_practice", "service"]),
            "parent": digits,
            "owner": digits,
            "purposes": st.lists(choice(SharingPurpose.values), max_size=3),
            "review_interval_months": digits,
            "lawful_basis": choice(Article6Basis.values),
            "article9_condition": choice(Article9Condition.values),
            "purpose": text,
            "dpia_reference": text,
        }
    )
)
def test_fuzz_agreement_create(client, admin, agency, data):
    client.force_login(admin)
    data = {**data, "owner": agency.pk} if data["owner"].startswith("1") else data
    response = post(
        client, reverse("agreements:agreement_create"), data, allowed_new={"Agreement", "AgreementPurpose"}
    )
    if response.status_code == 302:
        assert Agreement.objects.latest("pk").purposes.exists()


@FUZZ
@given(data=st.fixed_dictionaries({"status": choice(AgreementStatus.values), "lock_version": digits}))
def test_fuzz_agreement_status(client, admin, agency, data):
    agreement, _ = in_force_agreement(owner=agency)
    client.force_login(admin)
    post(client, reverse("agreements:agreement_status", args=[agreement.pk]), data, allowed_new=set())


@FUZZ
@given(
    data=st.tuples(
        st.fixed_dictionaries(
            {"number": text, "author": text, "summary_of_changes": text, "text": text, "signed_off_by": text}
        ),
        date("signed_off_on"),
        date("next_review_date"),
    ).map(lambda parts: merge(*parts))
)
def test_fuzz_version_create(client, admin, agency, data):
    agreement, _ = in_force_agreement(owner=agency)
    client.force_login(admin)
    post(
        client,
        reverse("agreements:version_create", args=[agreement.pk]),
        data,
        allowed_new={"AgreementVersion"},
    )


@FUZZ
@given(
    data=st.tuples(
        st.fixed_dictionaries(
            {
                "agency": digits,
                "signed_by_name": text,
                "signed_by_role": text,
                "group": choice(["core", "virtual"]),
            }
        ),
        date("signed_on"),
    ).map(lambda parts: merge(*parts))
)
def test_fuzz_signature(client, admin, agency, data):
    if agency.current_representative is None:
        RepresentativeFactory(agency=agency)
    _, version = in_force_agreement(owner=agency)
    client.force_login(admin)
    if data["agency"] == "1":
        data = {**data, "agency": agency.pk}
    post(client, reverse("agreements:signature_create", args=[version.pk]), data, allowed_new={"Signature"})
    assert Signature.objects.filter(agency=agency, agreement=version.agreement, state="live").count() <= 1


@FUZZ
@given(data=st.tuples(st.fixed_dictionaries({"reason": text}), date("withdrawn_on")).map(lambda p: merge(*p)))
def test_fuzz_withdraw(client, admin, agency, data):
    _, version = in_force_agreement(owner=agency)
    signature = SignatureFactory(version=version, agency=agency)
    client.force_login(admin)
    response = post(
        client, reverse("agreements:signature_withdraw", args=[signature.pk]), data, allowed_new=set()
    )
    signature.refresh_from_db()
    assert (signature.state == "withdrawn") is (response.status_code == 302)


INCIDENT = st.tuples(
    st.fixed_dictionaries(
        {
            "kind": choice(IncidentKind.values),
            "agency": digits,
            "agreement": digits,
            "reported_by": text,
            "summary": text,
            "status": choice(IncidentStatus.values),
            "outcome": choice(IncidentOutcome.values),
            "lessons_learned": text,
            "lock_version": digits,
        }
    ),
    date("reported_on"),
    date("occurred_on"),
    date("closed_on"),
).map(lambda parts: merge(*parts))


@FUZZ
@given(data=INCIDENT)
def test_fuzz_incident_create(client, ig_officer, agency, data):
    client.force_login(ig_officer)
    data = {**data, "agency": agency.pk} if data["agency"].startswith("1") else data
    post(client, reverse("agreements:incident_create"), data, allowed_new={"Incident"})


@FUZZ
@given(data=INCIDENT)
def test_fuzz_incident_edit(client, ig_officer, agency, data):
    incident = IncidentFactory(agency=agency)
    client.force_login(ig_officer)
    data = {**data, "agency": agency.pk} if data["agency"].startswith("1") else data
    post(client, reverse("agreements:incident_edit", args=[incident.pk]), data, allowed_new=set())


@FUZZ
@given(
    query=st.fixed_dictionaries(
        {
            "agreement": digits,
            "state": choice(["signed_current", "signed_earlier", "not_signed", "withdrawn"]),
            "kind": choice(AgencyKind.values),
            "group": choice(["core", "virtual"]),
            "q": text,
            "format": st.sampled_from(["", "csv", "xlsx", "pdf"]),
        }
    )
)
def test_fuzz_register_filters(client, practitioner, protocol, query):
    client.force_login(practitioner)
    response = client.get(reverse("agreements:signatory_register"), query)
    assert response.status_code == 200
