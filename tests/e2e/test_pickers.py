"""Pickers that scale (issue 16, item 5) in Chromium: GOV.UK's accessible-autocomplete in front of a
select (a child, found by the server's search; an agency, from the select's own options) and in front
of the consent recipients' checkboxes (chosen by search, listed with a remove button)."""

import pytest

from tests.decisions.factories import child_for
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import AgencyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_child_is_found_by_typing_their_name(page, practitioner):
    child_for(practitioner, given_name="Amy", family_name="Brook")
    wanted = child_for(practitioner, given_name="Jack", family_name="Harding")
    sign_in(page, practitioner.email)
    page.goto("/decisions/new/")
    picker = page.get_by_role("combobox", name="Which child is the decision about?")
    picker.fill("hard")
    option = page.get_by_role("option", name="Jack Harding, born 4 March 2015")
    option.click()
    assert page.locator("select[name='child']").input_value() == str(wanted.pk)
    assert_accessible(page)
    page.get_by_role("button", name="Start the decision").click()
    page.wait_for_load_state()
    assert "/answers/request/" in page.url
    assert "Decision about Jack Harding" in page.content()
    assert page.console_errors == []


def test_an_agency_is_chosen_by_typing_its_name(page, practitioner):
    AgencyFactory(name="Northshire Police", kind="police")
    wanted = AgencyFactory(name="Southvale Constabulary", kind="police")
    child = child_for(practitioner)
    sign_in(page, practitioner.email)
    page.goto("/decisions/new/")
    page.locator("select[name='child']").select_option(str(child.pk), force=True)
    page.get_by_role("button", name="Start the decision").click()
    page.wait_for_load_state()
    page.get_by_role("combobox", name="Their agency").fill("southv")
    page.get_by_role("option", name="Southvale Constabulary").click()
    assert page.locator("select[name='requester_agency']").input_value() == str(wanted.pk)
    assert page.console_errors == []


def test_consent_recipients_are_chosen_by_search_not_a_wall_of_boxes(page, practitioner):
    for name in ("Northshire Police", "Riverside Primary School", "Hillcrest Surgery"):
        AgencyFactory(name=name)
    child = child_for(practitioner)
    sign_in(page, practitioner.email)
    page.goto(f"/children/{child.pk}/consents/new/recipients/")
    assert page.locator("input[name='recipients']").first.is_hidden()
    search = page.get_by_role("combobox", name="Add an agency")
    search.fill("river")
    page.get_by_role("option", name="Riverside Primary School").click()
    search.fill("police")
    page.get_by_role("option", name="Northshire Police").click()
    chosen = page.locator(".app-choose-by-search__chosen li")
    assert chosen.count() == 2
    assert_accessible(page)
    page.get_by_role("button", name="Remove Riverside Primary School").click()
    checked = page.eval_on_selector_all(
        "input[name='recipients']:checked", "boxes => boxes.map(box => box.labels[0].textContent.trim())"
    )
    assert checked == ["Northshire Police"]
    assert page.console_errors == []
