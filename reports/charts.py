"""Charts drawn on the server as SVG: no script, no inline style, so the CSP holds.

Colours are told apart by more than colour: each line has its own dash pattern
and marker. Every chart is followed on the page by a table of the same figures,
which is what a screen reader reads; the SVG carries a title and a one-line
description pointing to it.
"""

import html
import math

from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe

from reports.registry import FigureData

# GOV.UK Design System colours with at least 3:1 contrast against white.
COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#28a197", "#b58840", "#d53880"]
DASHES = ["", "8 4", "2 3", "10 3 2 3", "4 4", "12 4 4 4", "1 5", "6 2 2 2 2 2"]
MARKERS = ["circle", "square", "triangle", "diamond"]
# The looks repeat every LOOKS series.
LOOKS = math.lcm(len(COLOURS), len(DASHES), len(MARKERS))

WIDTH = 680
# The phone drawing: half as wide, so its text, drawn larger, reads at about 14 to 17 px on a
# 320 to 390 px screen (the wide drawing's 13-unit text would shrink to about 6 px there).
NARROW_WIDTH = 340
PLOT_TOP = 16
FONT_SIZE = 13
NARROW_FONT_SIZE = 16


def _axis_text(font_size: int) -> str:
    return f'font-family="Arial, sans-serif" font-size="{font_size}" fill="#0b0c0c"'


def escape(text) -> str:
    """Django's escape without its wrapper for lazy strings: the same text, and a figure has
    hundreds of labels and names to escape (Django's is ``html.escape(str(text))`` too)."""
    return html.escape(str(text))


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


def _svg_open(chart_id: str, title: str, height: int, *, narrow: bool = False) -> str:
    css_class, width = ("app-chart-narrow", NARROW_WIDTH) if narrow else ("app-chart", WIDTH)
    return (
        f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
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


def line_chart(data: FigureData, *, chart_id: str, title: str, narrow: bool = False) -> SafeString:
    """Points in time along the bottom, one line per series."""
    width = NARROW_WIDTH if narrow else WIDTH
    text = _axis_text(NARROW_FONT_SIZE if narrow else FONT_SIZE)
    height, left, right, bottom = (240, 48, 24, 40) if narrow else (300, 56, 36, 40)
    plot_w, plot_h = width - left - right, height - PLOT_TOP - bottom
    ticks = axis_ticks(max((v for row in data.rows for v in row.values), default=0))
    top_value = ticks[-1]
    count = len(data.rows)
    step = plot_w / max(count - 1, 1)

    def x(i: int) -> float:
        return left + (i * step if count > 1 else plot_w / 2)

    def y(value: float) -> float:
        return PLOT_TOP + plot_h - (value / top_value) * plot_h

    parts = [_svg_open(chart_id, title, height, narrow=narrow)]
    for value in ticks:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#b1b4b6" stroke-width="1"/>'
            f'<text x="{left - 8}" y="{y(value) + 4:.1f}" text-anchor="end" {text}>'
            f"{_number(value)}</text>"
        )
    # Room for each label: about six along the wide axis, three along the narrow one.
    every = max(1, math.ceil(count / (3 if narrow else 6)))
    for i, row in enumerate(data.rows):
        if i % every == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 20}" text-anchor="middle" {text}>'
                f"{escape(row.label)}</text>"
            )
    # A partnership-wide figure has a line per agency, mostly over the same few small counts: each
    # point and marker is written once per place it stands (and look), then reused.
    columns = list(enumerate(data.rows))
    point_at: dict[tuple[int, float], str] = {}
    marker_at: dict[tuple[int, int, float], str] = {}
    for s, _name in enumerate(data.series):
        look = style_for(s)
        look_index = s % LOOKS
        points, markers = [], []
        for i, row in columns:
            value = row.values[s]
            point = point_at.get((i, value))
            if point is None:
                point = point_at[(i, value)] = f"{x(i):.1f},{y(value):.1f}"
            points.append(point)
            marker = marker_at.get((look_index, i, value))
            if marker is None:
                marker = marker_at[(look_index, i, value)] = _marker(
                    look["marker"], x(i), y(value), look["colour"]
                )
            markers.append(marker)
        dash = f' stroke-dasharray="{look["dash"]}"' if look["dash"] else ""
        line = " ".join(points)
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{look["colour"]}" stroke-width="3"{dash}/>'
        )
        parts.extend(markers)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped; numbers are ours)


def bar_chart(data: FigureData, *, chart_id: str, title: str, narrow: bool = False) -> SafeString:
    """One horizontal bar per row (e.g. per agency) and series, labelled with its value.

    Wide, each row's label sits left of its bars; narrow (phones), above them, so the bars keep
    the screen's width."""
    width = NARROW_WIDTH if narrow else WIDTH
    text = _axis_text(NARROW_FONT_SIZE if narrow else FONT_SIZE)
    label_w, label_h, right, bar_h, gap = (0, 22, 56, 22, 12) if narrow else (230, 0, 70, 22, 12)
    longest = 40 if narrow else 32
    series_count = max(len(data.series), 1)
    group_h = label_h + series_count * bar_h + gap
    height = PLOT_TOP + group_h * max(len(data.rows), 1) + 8
    plot_w = width - label_w - right
    top_value = axis_ticks(max((v for row in data.rows for v in row.values), default=0))[-1]
    parts = [_svg_open(chart_id, title, height, narrow=narrow)]
    colours = [style_for(s)["colour"] for s in range(series_count)]
    for r, row in enumerate(data.rows):
        group_y = PLOT_TOP + r * group_h
        label = row.label if len(row.label) <= longest else row.label[: longest - 1] + "…"
        if narrow:
            parts.append(f'<text x="2" y="{group_y + label_h - 7}" {text}>{escape(label)}</text>')
        else:
            parts.append(
                f'<text x="{label_w - 8}" y="{group_y + series_count * bar_h / 2 + 4:.1f}" text-anchor="end" '
                f"{text}>{escape(label)}</text>"
            )
        for s, value in enumerate(row.values):
            bar_w = plot_w * value / top_value
            bar_y = group_y + label_h + s * bar_h
            parts.append(
                f'<rect x="{label_w + 1}" y="{bar_y}" width="{bar_w:.1f}" height="{bar_h - 4}" '
                f'fill="{colours[s]}"/>'
                f'<text x="{label_w + bar_w + 6:.1f}" y="{bar_y + bar_h / 2 + 3:.1f}" {text}>'
                f"{_number(value)}</text>"
            )
    axis_x = label_w + 1
    parts.append(
        f'<line x1="{axis_x}" x2="{axis_x}" y1="{PLOT_TOP - 4}" y2="{height - 8}" stroke="#0b0c0c"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text above is escaped; numbers are ours)


def _swatch(index: int, kind: str) -> str:
    look = style_for(index)
    if kind == "bar":
        sample = f'<rect x="4" y="1" width="32" height="10" fill="{look["colour"]}"/>'
    else:
        dash = f' stroke-dasharray="{look["dash"]}"' if look["dash"] else ""
        sample = (
            f'<line x1="0" x2="40" y1="6" y2="6" stroke="{look["colour"]}" stroke-width="3"{dash}/>'
            f"{_marker(look['marker'], 20, 6, look['colour'])}"
        )
    return (
        '<svg class="app-chart-key__swatch" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 12" '
        f'width="40" height="12" aria-hidden="true" focusable="false">{sample}</svg>'
    )


# The key draws each sample once, not once a series.
_SWATCHES = {(i, kind): _swatch(i, kind) for kind in ("bar", "line") for i in range(LOOKS)}


def legend_swatch(index: int, kind: str = "line") -> SafeString:
    """A sample of a series' line (or bar), for the key beside the chart."""
    return mark_safe(_SWATCHES[(index % LOOKS, "bar" if kind == "bar" else "line")])  # noqa: S308


def key(data: FigureData, *, kind: str) -> SafeString:
    """Every chart's key: each series' name beside a sample of its line or bar, as the key's list
    items (written here, not by a template loop: a partnership-wide figure has a series per agency)."""
    return mark_safe(  # noqa: S308  (the names are escaped; the samples are constants)
        "".join(f"<li>{legend_swatch(i, kind)} {escape(name)}</li>" for i, name in enumerate(data.series))
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
    """The chart twice: the wide drawing, and the narrow one that app.css shows on phones instead
    (only one is ever displayed, so a screen reader meets one)."""
    chart = line_chart if kind == "line" else bar_chart
    wide = chart(data, chart_id=chart_id, title=title)
    narrow = chart(data, chart_id=f"{chart_id}-narrow", title=title, narrow=True)
    return mark_safe(wide + narrow)  # noqa: S308  (both drawn above from escaped text)
