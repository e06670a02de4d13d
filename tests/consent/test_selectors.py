"""The consent position the decisions part relies on, in every state."""

import pytest

from consent.selectors import ConsentFound, consent_position
from consent.services import consent_withdraw
from tests.consent.factories import make_consent
from tests.factories import AgencyFactory, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def health():
    return AgencyFactory(name="Northshire NHS Trust")


def position(child, recipient, *, purpose="safeguarding", on=None):
    return consent_position(child=child, recipient=recipient, purpose=purpose, on=on or days_ago(0))


def test_no_record_is_none(child, health):
    assert position(child, health) == ConsentFound(status="none", record=None)


@pytest.mark.parametrize("answer", ["given", "refused", "not_sought"])
def test_a_record_in_force_gives_its_answer(child, practitioner, health, answer):
    record = make_consent(child, practitioner, answer=answer, recipients=[health], on=days_ago(5))
    assert position(child, health) == ConsentFound(status=answer, record=record)
    assert position(child, None) == ConsentFound(status=answer, record=record)


def test_a_withdrawal_wins_over_the_consent_it_withdraws(child, practitioner, health):
    given = make_consent(child, practitioner, recipients=[health], on=days_ago(10))
    withdrawal = consent_withdraw(
        consent=given,
        by=practitioner,
        withdrawn_on=days_ago(2),
        how_obtained="phone",
        discussion_note="Rang.",
    )
    assert position(child, health) == ConsentFound(status="withdrawn", record=withdrawal)
    # Before the withdrawal, the consent was in force.
    assert position(child, health, on=days_ago(5)) == ConsentFound(status="given", record=given)


def test_the_latest_applicable_record_wins(child, practitioner, health):
    make_consent(child, practitioner, answer="refused", recipients=[health], on=days_ago(10))
    later = make_consent(child, practitioner, answer="given", recipients=[health], on=days_ago(3))
    assert position(child, health).record == later
    assert position(child, health, on=days_ago(5)).status == "refused"


def test_a_record_applies_only_to_its_recipients_and_purpose(child, practitioner, health):
    make_consent(child, practitioner, recipients=[practitioner.agency], purpose="early_help")
    assert position(child, health, purpose="early_help").status == "none"
    assert position(child, practitioner.agency, purpose="safeguarding").status == "none"
    assert position(child, practitioner.agency, purpose="early_help").status == "given"


def test_nothing_applies_before_its_date_or_after_it_lapses(child, practitioner, health):
    make_consent(child, practitioner, recipients=[health], on=days_ago(20), valid_until=days_ago(10))
    assert position(child, health, on=days_ago(21)).status == "none"
    assert position(child, health, on=days_ago(10)).status == "given"
    assert position(child, health, on=days_ago(9)).status == "none"


def test_records_of_other_agencies_count(child, practitioner, outsider, health):
    record = make_consent(child, outsider, recipients=[health])
    assert position(child, health).record == record


def test_another_childs_records_do_not(child, practitioner, health):
    from tests.factories import ChildFactory

    other = ChildFactory(created_by=practitioner)
    make_consent(other, practitioner, recipients=[health])
    assert position(child, health).status == "none"
