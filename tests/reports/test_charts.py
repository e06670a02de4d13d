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
