"""The shared view helpers (``isa_portal.web``): posted answers, a service's refusal on the form,
values and dates as people read them."""

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from agreements.models import Agency, IncidentKind
from audit.models import AuditEntry, Event
from isa_portal.web import (
    add_service_errors,
    display_value,
    field_display,
    long_date,
    posted,
)
from tests.agreements.factories import IncidentFactory, SignatureFactory, in_force_agreement
from tests.consent.factories import make_consent
from tests.factories import ChildFactory, UserFactory

# Every form page, posted with no answers at all: each must show its error summary and write nothing.
# (Until these pages read the POST through ``posted``, an empty POST showed the blank form again.)
EMPTY_POSTS = {
    "add an agency": ("partnership_admin", lambda o: reverse("agreements:agency_create")),
    "change an agency": ("admin", lambda o: reverse("agreements:agency_edit", args=[o["agency"].pk])),
    "appoint a representative": (
        "admin",
        lambda o: reverse("agreements:representative_appoint", args=[o["agency"].pk]),
    ),
    "add an agreement": ("admin", lambda o: reverse("agreements:agreement_create")),
    "change an agreement": (
        "admin",
        lambda o: reverse("agreements:agreement_edit", args=[o["agreement"].pk]),
    ),
    "change an agreement's status": (
        "admin",
        lambda o: reverse("agreements:agreement_status", args=[o["agreement"].pk]),
    ),
    "add a version": ("admin", lambda o: reverse("agreements:version_create", args=[o["agreement"].pk])),
    "record a signature": ("admin", lambda o: reverse("agreements:signature_create", args=[o["version"].pk])),
    "withdraw a signature": (
        "admin",
        lambda o: reverse("agreements:signature_withdraw", args=[o["signature"].pk]),
    ),
    "record an incident": ("ig_officer", lambda o: reverse("agreements:incident_create")),
    "change an incident": (
        "ig_officer",
        lambda o: reverse("agreements:incident_edit", args=[o["incident"].pk]),
    ),
    "add a child": ("practitioner", lambda o: reverse("consent:child_create")),
    "withdraw consent": (
        "practitioner",
        lambda o: reverse("consent:consent_withdraw", args=[o["consent"].pk]),
    ),
    "add a person": ("admin", lambda o: reverse("accounts:user_create")),
    "change a person": ("admin", lambda o: reverse("accounts:user_edit", args=[o["practitioner"].pk])),
    "record a decision": ("practitioner", lambda o: reverse("decisions:new")),
}


@pytest.fixture
def records(agency, practitioner, admin, ig_officer, other_agency):
    agreement, version = in_force_agreement(owner=agency)
    return {
        "agency": agency,
        "agreement": agreement,
        "version": version,
        "signature": SignatureFactory(version=version, agency=agency),
        "incident": IncidentFactory(agency=agency, kind=IncidentKind.COMPLAINT),
        "consent": make_consent(ChildFactory(created_by=practitioner), practitioner),
        "practitioner": practitioner,
        "users": {
            "practitioner": practitioner,
            "admin": admin,
            "ig_officer": ig_officer,
            "partnership_admin": UserFactory(
                email="partnership-admin@example.org",
                agency=other_agency,
                role=Role.ADMIN,
                partnership_wide=True,
            ),
        },
    }


@pytest.mark.django_db
@pytest.mark.parametrize("page", list(EMPTY_POSTS))
def test_an_empty_post_shows_the_error_summary_and_writes_nothing(client, records, page):
    role, url = EMPTY_POSTS[page]
    client.force_login(records["users"][role])
    changes = AuditEntry.objects.filter(event=Event.CHANGE).count()
    agencies = Agency.objects.count()
    response = client.post(url(records), {})
    assert response.status_code == 200
    assert 'class="govuk-error-summary' in response.content.decode()
    assert AuditEntry.objects.filter(event=Event.CHANGE).count() == changes
    assert Agency.objects.count() == agencies


def test_posted_is_the_post_even_empty_and_none_on_a_get():
    factory = RequestFactory()
    empty = factory.post("/", {})
    assert posted(empty) is empty.POST and not posted(empty)
    assert posted(factory.post("/", {"name": "x"}))["name"] == "x"
    assert posted(factory.get("/", {"name": "x"})) is None


class _Form(forms.Form):
    name = forms.CharField()
    start = forms.DateField()


def test_a_service_refusal_is_put_beside_its_answer_or_above_the_form():
    form = _Form({"name": "x", "start": "2026-03-05"})
    assert form.is_valid()
    add_service_errors(
        form, ValidationError({"start": "The start date is too early", "owner": "Not an owner's form field"})
    )
    assert form.errors["start"] == ["The start date is too early"]
    assert form.non_field_errors() == ["Not an owner's form field"]

    form = _Form({"name": "x", "start": "2026-03-05"})
    assert form.is_valid()
    add_service_errors(form, ValidationError("Refused as a whole"))
    assert form.non_field_errors() == ["Refused as a whole"]


def test_a_value_reads_as_a_person_would_say_it():
    choices = [("share", "Share"), ("do_not_share", "Do not share")]
    assert display_value("share", choices=choices) == "Share"
    assert display_value("unknown", choices=choices) == "unknown"
    assert display_value(["share", "do_not_share"], choices=choices) == "Share, Do not share"
    assert display_value(["share", "do_not_share"], choices=choices, joiner="\n") == "Share\nDo not share"
    assert display_value(True) == "Yes" and display_value(False) == "No"
    assert display_value(dt.date(2026, 3, 5)) == "5 March 2026"
    assert display_value(7) == "7"
    for nothing in (None, "", []):
        assert display_value(nothing) == "Not given"
        assert display_value(nothing, empty="None") == "None"


@pytest.mark.django_db
def test_a_records_field_reads_by_its_own_choices(agency):
    agency.ico_registration_expires_on = dt.date(2027, 1, 9)
    agency.group = "virtual"
    agency.commissioned_by = None
    assert field_display(agency, "kind") == "Local authority children's services"
    assert field_display(agency, "group") == "Virtual group"
    assert field_display(agency, "is_active") == "Yes"
    assert field_display(agency, "ico_registration_expires_on") == "9 January 2027"
    assert field_display(agency, "commissioned_by") == "Not given"
    assert field_display(agency, "name") == agency.name


@pytest.mark.django_db
def test_a_yes_or_no_question_left_blank_is_not_answered(practitioner):
    from decisions.models import Decision

    decision = Decision(confidential=None, clear_purpose=True)
    assert field_display(decision, "confidential") == "Not answered"
    assert field_display(decision, "clear_purpose") == "Yes"


def test_a_date_reads_the_same_in_python_and_in_a_template(settings):
    settings.TIME_ZONE = "Europe/London"
    template = Template(
        '{{ day|long_date }} / {{ moment|long_date }} / {{ nothing|long_date|default:"Not set" }}'
    )
    # 23:30 UTC on 31 May is already 1 June in London (summer time): both read the local calendar.
    moment = dt.datetime(2026, 5, 31, 23, 30, tzinfo=dt.UTC)
    with timezone.override("Europe/London"):
        rendered = template.render(Context({"day": dt.date(2026, 3, 5), "moment": moment, "nothing": None}))
        assert rendered == "5 March 2026 / 1 June 2026 / Not set"
        assert long_date(dt.date(2026, 3, 5)) == "5 March 2026"
        assert long_date(moment) == "1 June 2026"
