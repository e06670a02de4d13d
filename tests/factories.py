"""Factories for the records every part's tests need (agencies, people, children) and the dates
relative to today. Each part's own records have their factories beside its tests."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from agreements.models import Agency, AgencyKind
from consent.models import Child
from consent.services import child_agency_link

PASSWORD = "correct-horse-battery-staple"


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.LOCAL_AUTHORITY


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    agency = factory.SubFactory(AgencyFactory)
    role = Role.PRACTITIONER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def days_ago(days: int) -> datetime.date:
    """The date ``days`` before today in the service's time zone (a negative number: after)."""
    return timezone.localdate() - datetime.timedelta(days=days)


def born_years_ago(years: int, extra_days: int = 100) -> datetime.date:
    """A birth date ``years`` (and some days) ago: the child is ``years`` old today."""
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28)) - datetime.timedelta(
        days=extra_days
    )


class ChildFactory(DjangoModelFactory):
    """A child held by the agency of ``created_by`` (who must be given)."""

    class Meta:
        model = Child
        skip_postgeneration_save = True

    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.LazyFunction(lambda: born_years_ago(13))
    nhs_number = ""

    @factory.post_generation
    def _link(obj, create, extracted, **kwargs):
        if create:
            child_agency_link(child=obj, agency=obj.created_by.agency)
