"""Reports fit for a board paper (issue 15): bounded dates with a GOV.UK error (never a 500),
a contents list, long tables summarised with the download holding every row."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import views
from reports.registry import FigureData, Row

pytestmark = pytest.mark.django_db

INDEX = reverse("reports:index")


def _dates(start: dt.date, end: dt.date) -> dict:
    return {
        "date_from_0": start.day,
        "date_from_1": start.month,
        "date_from_2": start.year,
        "date_to_0": end.day,
        "date_to_1": end.month,
        "date_to_2": end.year,
    }


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (dt.date(1, 1, 1), dt.date(9999, 12, 31), "on or after 25 May 2018"),
        (dt.date(1900, 1, 1), timezone.localdate(), "on or after 25 May 2018"),
        (dt.date(2026, 1, 1), dt.date(9999, 12, 31), "The &#x27;to&#x27; date must be today or in the past"),
    ],
)
def test_dates_out_of_bounds_are_a_govuk_error_not_a_500(client, partnership_ig, start, end, message):
    client.force_login(partnership_ig)
    response = client.get(INDEX, _dates(start, end))
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body and message in body
    assert response.context["sections"] == []
    download = client.get(reverse("reports:download", args=["sign_ins", "csv"]), _dates(start, end))
    assert download.status_code == 400
    for url in (reverse("audit:entry_list"), reverse("audit:entry_export")):
        assert client.get(url, _dates(start, end)).status_code in (200, 400)


def test_the_page_has_a_contents_list_linking_every_figure(client, partnership_ig):
    client.force_login(partnership_ig)
    response = client.get(INDEX)
    body = response.content.decode()
    assert 'aria-labelledby="contents-heading"' in body
    for section in response.context["sections"]:
        for item in section["figures"]:
            assert f'href="#heading-{item["figure"].key}"' in body
            assert f'id="heading-{item["figure"].key}"' in body


def test_a_long_table_shows_a_screenful_and_says_the_download_has_the_rest():
    data = FigureData(label_heading="Month", series=["A"], rows=[Row(f"Row {i}", [i]) for i in range(40)])
    drawn = views._drawn(type("Figure", (), {"chart": "bar", "key": "x", "title": "Lots"})(), data)
    table = str(drawn["table"])
    assert table.count('<tr class="govuk-table__row"><th scope="row"') == views.TABLE_ROWS
    assert "the first 15 of 40 rows" in table
    assert drawn["more_rows"] == 40 - views.TABLE_ROWS


def _section(data, *, description="", query=""):
    figure = type(
        "Figure",
        (),
        {"chart": "bar", "key": "views", "title": "Views <by> Agency", "description": description},
    )()
    return str(views.figure_section(figure, data, query=query))


def test_a_figure_reads_as_a_section_with_its_chart_key_table_and_downloads_for_the_same_query():
    data = FigureData(label_heading="Month", series=["A & B"], rows=[Row(f"Row {i}", [i]) for i in range(17)])
    html = _section(data, description="Views <counted> by agency.", query="date_from_0=1&agency=3")
    assert html.startswith('<section class="app-report-figure" aria-labelledby="heading-views">')
    assert '<h3 class="govuk-heading-m" id="heading-views">Views &lt;by&gt; Agency</h3>' in html
    assert '<p class="govuk-body">Views &lt;counted&gt; by agency.</p>' in html
    assert '<svg class="app-chart" ' in html and '<svg class="app-chart-narrow" ' in html and "<table" in html
    assert (
        '<ul class="govuk-list app-chart-key" aria-hidden="true"><li><svg' in html
        and " A &amp; B</li>" in html
    )
    assert "2 more rows not shown: download the table below for every row." in html
    for fmt, label in (("csv", "CSV"), ("xlsx", "Excel (XLSX)")):
        url = reverse("reports:download", kwargs={"key": "views", "fmt": fmt})
        assert (
            f'<a class="govuk-link" href="{url}?date_from_0=1&amp;agency=3">{label}'
            '<span class="govuk-visually-hidden"> for views &lt;by&gt; agency</span></a>'
        ) in html
    assert html.endswith("</section>")
    one_more = _section(FigureData(series=["A"], rows=[Row(f"Row {i}", [1]) for i in range(16)]))
    assert "1 more row not shown" in one_more and 'href="/reports/views.csv">' in one_more


def test_a_figure_with_nothing_to_count_says_so_and_still_offers_the_downloads():
    html = _section(FigureData(series=["A"], rows=[Row("Jan 2026", [0])]))
    assert '<p class="govuk-body">Nothing to count in this period.</p>' in html
    assert "<svg" not in html and "<table" not in html and "app-chart-key" not in html
    assert "more row" not in html and '<p class="govuk-body">Views' not in html
    assert html.count('class="govuk-link" href="/reports/views.') == 2


def test_every_figures_download_links_are_the_download_urls_with_the_pages_query(client, partnership_ig):
    from reports import registry

    client.force_login(partnership_ig)
    query = _dates(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    body = client.get(INDEX, query).content.decode()
    asked = "&amp;".join(f"{name}={value}" for name, value in query.items())
    for figure in registry.figures():
        for fmt in ("csv", "xlsx"):
            url = reverse("reports:download", kwargs={"key": figure.key, "fmt": fmt})
            assert f'href="{url}?{asked}"' in body, (figure.key, fmt)
