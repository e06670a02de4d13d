import re

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


def test_each_line_goes_through_its_own_values_however_many_lines_share_them():
    """Lines of a partnership-wide figure share most of their points (the same few small counts): each
    is still drawn through its own values, in its own look, with a marker at each."""
    series = [f"Agency {n}" for n in range(20)]
    data = FigureData(
        series=series,
        rows=[Row(month, [n % 3 * (m + 1) for n in range(20)]) for m, month in enumerate("ABC")],
    )
    svg = str(charts.line_chart(data, chart_id="c", title="t"))
    top = charts.axis_ticks(6)[-1]
    left, plot_w, plot_h = 56, charts.WIDTH - 56 - 36, 300 - charts.PLOT_TOP - 40
    polyline = r'<polyline points="([^"]*)" fill="none" stroke="(#\w+)" stroke-width="3"'
    lines = re.findall(polyline + r'( stroke-dasharray="[^"]*")?/>', svg)
    assert len(lines) == len(series)
    for n, (points, colour, dash) in enumerate(lines):
        look = charts.style_for(n)
        assert colour == look["colour"]
        assert dash == (f' stroke-dasharray="{look["dash"]}"' if look["dash"] else "")
        expected = [
            (left + m * plot_w / 2, charts.PLOT_TOP + plot_h - (row.values[n] / top) * plot_h)
            for m, row in enumerate(data.rows)
        ]
        assert points == " ".join(f"{x:.1f},{y:.1f}" for x, y in expected)
    markers = svg[svg.index("<polyline") :]
    assert len(re.findall(r"<(circle|rect|polygon) ", markers)) == len(series) * len(data.rows)
    assert markers.count(f'fill="{charts.style_for(9)["colour"]}"') == 3 * markers.count(
        f'stroke="{charts.style_for(9)["colour"]}"'
    )


def test_a_key_names_each_series_escaped_beside_a_sample_of_its_look():
    data = FigureData(series=[f"<b>{n}</b>" for n in range(10)], rows=[Row("Jan", [1] * 10)])
    key = str(charts.key(data, kind="line"))
    items = re.findall(r"<li>(<svg .*?</svg>) ([^<]*)</li>", key)
    assert [name for _, name in items] == [f"&lt;b&gt;{n}&lt;/b&gt;" for n in range(10)]
    assert [sample for sample, _ in items] == [str(charts.legend_swatch(n, "line")) for n in range(10)]
    assert items[9][0] == items[1][0] and items[8][0] != items[1][0]  # the looks come round again
    assert f'stroke="{charts.style_for(3)["colour"]}"' in items[3][0]
    assert f'fill="{charts.style_for(3)["colour"]}"' in str(charts.key(data, kind="bar")).split("<li>")[4]


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
    items = str(drawn["key"]).split("<li>")[1:]
    assert [item.split("</svg> ")[1].removesuffix("</li>") for item in items] == SIGNATURES.series
    assert all('aria-hidden="true"' in item for item in items)
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
