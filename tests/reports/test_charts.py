import pytest

from reports import charts
from reports.registry import FigureData, Row


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (10, [0, 5, 10]),
        (180, [0, 50, 100, 150, 200]),
    ],
)
def test_gridlines_are_whole_round_numbers(largest, ticks):
    assert charts.axis_ticks(largest) == ticks


def test_text_in_a_chart_is_escaped_and_nothing_is_styled_inline():
    data = FigureData(
        series=["<script>alert(1)</script>"], rows=[Row("<b>Agency & co</b>", [3])], label_heading="Agency"
    )
    for kind in ("bar", "line"):
        svg = str(charts.draw(data, kind=kind, chart_id="c", title='Views "by" <agency>'))
        assert "<script>" not in svg and "<b>" not in svg
        assert "&lt;agency&gt;" in svg
        assert "style" not in svg
    assert "&lt;b&gt;Agency &amp; co&lt;/b&gt;" in str(charts.bar_chart(data, chart_id="c", title="t"))


def test_each_line_differs_by_more_than_colour():
    looks = [charts.style_for(i) for i in range(4)]
    assert len({(look["dash"], look["marker"]) for look in looks}) == 4


def test_the_table_holds_every_figure_with_escaped_headings():
    data = FigureData(
        series=["<i>Home</i>", "Other & co"], rows=[Row("Jan 2026", [3, 0]), Row("Feb 2026", [33.3, 1])]
    )
    table = str(charts.table(data, title="Views <by> agency"))
    assert (
        '<caption class="govuk-table__caption govuk-table__caption--s">Views &lt;by&gt; agency: the figures'
        in table
    )
    assert '<th scope="col" class="govuk-table__header">Month</th>' in table
    assert "&lt;i&gt;Home&lt;/i&gt;</th>" in table and "Other &amp; co</th>" in table
    assert table.count('<tr class="govuk-table__row">') == 3
    cells = [cell.split("<")[0] for cell in table.split('govuk-table__cell--numeric">')[1:]]
    assert cells == ["3", "0", "33.3", "1"]
    assert "<i>" not in table and "style" not in table


SIGNATURES = FigureData(
    label_heading="Agreement",
    series=["Signed the current version", "Not signed"],
    rows=[
        Row("Northshire Safeguarding Partnership Information Sharing Protocol", [8, 9]),
        Row("MASH", [4, 18]),
    ],
)


@pytest.mark.parametrize("kind", ["bar", "line"])
def test_every_chart_has_a_key_naming_each_series(kind):
    from reports import views

    figure = type("Figure", (), {"chart": kind, "key": "signatures", "title": "Signatures"})()
    drawn = views._drawn(figure, SIGNATURES)
    assert [name for name, _swatch in drawn["key"]] == SIGNATURES.series
    assert all('aria-hidden="true"' in str(swatch) for _name, swatch in drawn["key"])
    assert "<table" in str(drawn["table"])


@pytest.mark.parametrize("kind", ["bar", "line"])
def test_a_phone_gets_a_narrow_drawing_whose_text_stays_readable(kind):
    """The wide drawing's 13-unit text in a 680-unit box shrinks to about 6 px on a 320 px screen;
    the narrow drawing's text is at least 12 px there (the page's content is 290 px wide)."""
    svg = str(charts.draw(SIGNATURES, kind=kind, chart_id="c", title="Signatures"))
    assert svg.count("<svg ") == 2
    assert '<svg class="app-chart" ' in svg and '<svg class="app-chart-narrow" ' in svg
    narrow = svg[svg.index('<svg class="app-chart-narrow"') :]
    assert f'viewBox="0 0 {charts.NARROW_WIDTH} ' in narrow
    assert 'id="c-narrow-title"' in narrow  # its own ids: no id is repeated on the page
    assert charts.NARROW_FONT_SIZE * 290 / charts.NARROW_WIDTH >= 12
    assert f'font-size="{charts.NARROW_FONT_SIZE}"' in narrow
    for label in ("MASH", "Northshire Safeguarding Partnership Inf"):
        assert label in narrow
