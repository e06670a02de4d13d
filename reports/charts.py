"""Charts drawn on the server as SVG: no script, no inline style, so the CSP holds.

Colours are told apart by more than colour: each line has its own dash pattern
and marker. Every chart is followed on the page by a table of the same figures,
which is what a screen reader reads; the SVG carries a title and a one-line
description pointing to it.
"""

import math

from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reports.registry import FigureData

# GOV.UK Design System colours with at least 3:1 contrast against white.
COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#28a197", "#b58840", "#d53880"]
DASHES = ["", "8 4", "2 3", "10 3 2 3", "4 4", "12 4 4 4", "1 5", "6 2 2 2 2 2"]
MARKERS = ["circle", "square", "triangle", "diamond"]

WIDTH = 680
PLOT_TOP = 16
AXIS_TEXT = 'font-family="Arial, sans-serif" font-size="13" fill="#0b0c0c"'


def style_for(index: int) -> dict[str, str]:
    return {
        "colour": COLOURS[index % len(COLOURS)],
        "dash": DASHES[index % len(DASHES)],
        "marker": MARKERS[index % len(MARKERS)],
    }


def axis_ticks(largest: float) -> list[float]:
    """Gridline values from 0: a step of 1, 2 or 5 times a power of ten, at most about five lines."""
    step = 1.0
    if largest > 4:
        rough = largest / 4
        power = 10 ** math.floor(math.log10(rough))
        step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    count = max(1, math.ceil(largest / step))
    return [step * i for i in range(count + 1)]


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _svg_open(chart_id: str, title: str, height: int) -> str:
    return (
        f'<svg class="app-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">Chart. The table that follows gives the same figures.</desc>'
    )


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if kind == "diamond":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def line_chart(data: FigureData, *, chart_id: str, title: str) -> SafeString:
    """Points in time along the bottom, one line per series."""
    height, left, right, bottom = 300, 56, 36, 40
    plot_w, plot_h = WIDTH - left - right, height - PLOT_TOP - bottom
    ticks = axis_ticks(max((v for row in data.rows for v in row.values), default=0))
    top_value = ticks[-1]
    count = len(data.rows)
    step = plot_w / max(count - 1, 1)

    def x(i: int) -> float:
        return left + (i * step if count > 1 else plot_w / 2)

    def y(value: float) -> float:
        return PLOT_TOP + plot_h - (value / top_value) * plot_h

    parts = [_svg_open(chart_id, title, height)]
    for value in ticks:
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#b1b4b6" stroke-width="1"/>'
            f'<text x="{left - 8}" y="{y(value) + 4:.1f}" text-anchor="end" {AXIS_TEXT}>'
            f"{_number(value)}</text>"
        )
    every = max(1, math.ceil(count / 6))  # room for each label: about six along the axis
    for i, row in enumerate(data.rows):
        if i % every == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 20}" text-anchor="middle" {AXIS_TEXT}>'
                f"{escape(row.label)}</text>"
            )
    for s, _name in enumerate(data.series):
        look = style_for(s)
        points = " ".join(f"{x(i):.1f},{y(row.values[s]):.1f}" for i, row in enumerate(data.rows))
        dash = f' stroke-dasharray="{look["dash"]}"' if look["dash"] else ""
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{look["colour"]}" stroke-width="3"{dash}/>'
        )
        parts.extend(
            _marker(look["marker"], x(i), y(row.values[s]), look["colour"]) for i, row in enumerate(data.rows)
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped; numbers are ours)


def bar_chart(data: FigureData, *, chart_id: str, title: str) -> SafeString:
    """One horizontal bar per row (e.g. per agency) and series, labelled with its value."""
    label_w, right, bar_h, gap = 230, 70, 22, 12
    series_count = max(len(data.series), 1)
    group_h = series_count * bar_h + gap
    height = PLOT_TOP + group_h * max(len(data.rows), 1) + 8
    plot_w = WIDTH - label_w - right
    top_value = axis_ticks(max((v for row in data.rows for v in row.values), default=0))[-1]
    parts = [_svg_open(chart_id, title, height)]
    for r, row in enumerate(data.rows):
        group_y = PLOT_TOP + r * group_h
        label = row.label if len(row.label) <= 32 else row.label[:31] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{group_y + series_count * bar_h / 2 + 4:.1f}" text-anchor="end" '
            f"{AXIS_TEXT}>{escape(label)}</text>"
        )
        for s, value in enumerate(row.values):
            width = plot_w * value / top_value
            bar_y = group_y + s * bar_h
            parts.append(
                f'<rect x="{label_w}" y="{bar_y}" width="{width:.1f}" height="{bar_h - 4}" '
                f'fill="{style_for(s)["colour"]}"/>'
                f'<text x="{label_w + width + 6:.1f}" y="{bar_y + bar_h / 2 + 2:.1f}" {AXIS_TEXT}>'
                f"{_number(value)}</text>"
            )
    parts.append(
        f'<line x1="{label_w}" x2="{label_w}" y1="{PLOT_TOP - 4}" y2="{height - 8}" stroke="#0b0c0c"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped; numbers are ours)


def legend_swatch(index: int) -> SafeString:
    """A short sample of a series' line, for the key beside the chart."""
    look = style_for(index)
    dash = f' stroke-dasharray="{look["dash"]}"' if look["dash"] else ""
    return mark_safe(  # noqa: S308  (constants only)
        '<svg class="app-chart-key__swatch" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 12" '
        'width="40" height="12" aria-hidden="true" focusable="false">'
        f'<line x1="0" x2="40" y1="6" y2="6" stroke="{look["colour"]}" stroke-width="3"{dash}/>'
        f"{_marker(look['marker'], 20, 6, look['colour'])}</svg>"
    )


def table(data: FigureData, *, title: str, limit: int | None = None) -> SafeString:
    """The figures as a GOV.UK table, what a screen reader reads (built here: a partnership-wide
    figure has a column per agency, thousands of cells that a template would take far longer over)."""
    head = "".join(
        f'<th scope="col" class="govuk-table__header govuk-table__header--numeric">{escape(name)}</th>'
        for name in data.series
    )
    cells: dict[tuple[type, float], str] = {}  # a figure repeats few values; localising one is slow

    def cell(value: float) -> str:
        key = (type(value), value)
        if key not in cells:
            cells[key] = (
                f'<td class="govuk-table__cell govuk-table__cell--numeric">{escape(localize(value))}</td>'
            )
        return cells[key]

    rows = "".join(
        f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{escape(row.label)}</th>'
        + "".join(cell(value) for value in row.values)
        + "</tr>"
        for row in (data.rows[:limit] if limit else data.rows)
    )
    shown = len(data.rows) if not limit else min(limit, len(data.rows))
    caption = f"{escape(title)}: the figures"
    if shown < len(data.rows):
        caption += f" (the first {shown} of {len(data.rows)} rows: download the table for every row)"
    return mark_safe(  # noqa: S308  (every text is escaped)
        '<table class="govuk-table">'
        f'<caption class="govuk-table__caption govuk-table__caption--s">{caption}</caption>'
        f'<thead class="govuk-table__head"><tr class="govuk-table__row">'
        f'<th scope="col" class="govuk-table__header">{escape(data.label_heading)}</th>{head}</tr></thead>'
        f'<tbody class="govuk-table__body">{rows}</tbody></table>'
    )


def draw(data: FigureData, *, kind: str, chart_id: str, title: str) -> SafeString:
    return (line_chart if kind == "line" else bar_chart)(data, chart_id=chart_id, title=title)
