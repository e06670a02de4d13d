import pytest

from tests.audit.factories import write_entries
from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_ig_officer_filters_the_trail_and_reads_an_entry(page, ig_officer, practitioner):
    practitioner.job_title = "Social worker"
    practitioner.save()  # an update entry with a field change
    write_entries(3, actor=practitioner)
    sign_in(page, ig_officer.email)
    page.get_by_role("link", name="Audit trail", exact=True).click()
    assert page.locator("h1").inner_text() == "Audit trail"
    assert_accessible(page)

    page.get_by_text("Filter the trail").click()
    page.get_by_label("What happened").select_option(label="Changed a record")
    page.get_by_role("button", name="Apply filters").click()
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    assert "Changed" in rows.first.inner_text()
    assert_accessible(page)

    rows.first.get_by_role("link").click()
    table = page.get_by_role("table", name="What changed")
    assert "Social worker" in table.inner_text()
    assert_accessible(page)
    assert page.console_errors == []


def test_reports_draw_charts_a_screen_reader_can_read_as_tables(page, lead):
    write_entries(2, actor=lead)
    sign_in(page, lead.email)
    page.get_by_role("link", name="Reports", exact=True).click()
    assert page.locator("h1").inner_text() == "Reports"
    assert page.get_by_role("img", name="Sign-ins by month and agency").count() == 1
    assert page.get_by_role("table", name="Sign-ins by month and agency: the figures").count() == 1
    assert_accessible(page)
    assert page.console_errors == []
