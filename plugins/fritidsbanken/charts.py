"""Bar charts as server-rendered SVG: no JavaScript, nothing from another
host, printable, and readable by screen readers (a title and a description,
and every chart sits next to a table of the same numbers). Titles and labels
come translated from the caller.

Drawn for a phone: 360 units wide with 14-unit text, so on a 375 px screen
(343 px of content) a unit is about a pixel and every label is about 13 px;
the stylesheet caps the width at 30rem, where the text is about 19 px. (At
720 units, shrunk to a phone's width, the labels had been 6 px.) The bars
carry their labels on a line of their own above each bar, so a long name
fits the narrow drawing. Columns are named by the month alone, level and on
two alternating lines; more than twelve become bars."""

from __future__ import annotations

from markupsafe import Markup, escape

from core.api import gettext as _

BAR = "#1d4e89"  # the default theme's primary: 8.6:1 on white
TEXT = "#1a1a1a"
GRID = "#c8c8c8"
WIDTH = 360
FONT = 14
MAX_COLUMNS = 12


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


def columns(title: str, data: list[tuple[str, int]], chart_id: str, colour: str = BAR) -> Markup:
    """Vertical columns, one per label (months along the bottom); bars when
    there are more than twelve."""
    if len(data) > MAX_COLUMNS:
        return bars(title, data, chart_id, colour)
    width, height, left, bottom, top = WIDTH, 230, 40, 44, 20
    n = max(1, len(data))
    peak = _nice_max(max((v for _, v in data), default=0))
    slot = (width - left - 8) / n
    bar = max(4.0, slot * 0.7)
    plot_h = height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" font-family="system-ui, sans-serif" font-size="{FONT}">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(_describe(data))}</desc>',
    ]
    for i in range(5):
        value = peak * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" x2="{width - 4}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT}">{int(value)}</text>')
    for i, (label, value) in enumerate(data):
        h = plot_h * value / peak if peak else 0
        x = left + slot * i + (slot - bar) / 2
        y = top + plot_h - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}"/>')
        if value:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" fill="{TEXT}">{value}</text>'
            )
        # The month's name level under its column, every other one a line lower, so neighbours never
        # touch (a column is 27 units, a name up to 26); the year is in the table beside the chart.
        lx, ly = x + bar / 2, height - bottom + 18 + (18 if i % 2 else 0)
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="middle" fill="{TEXT}">{escape(label.split(" ")[0])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(title: str, data: list[tuple[str, int]], chart_id: str, colour: str = BAR) -> Markup:
    """Horizontal bars, one row per label (categories, branches, items)."""
    row, width, top = 42, WIDTH, 4
    height = top * 2 + row * max(1, len(data))
    peak = max((v for _, v in data), default=0) or 1
    plot_w = width - 48
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" font-family="system-ui, sans-serif" font-size="{FONT}">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(_describe(data))}</desc>',
    ]
    for i, (label, value) in enumerate(data):
        y = top + row * i
        w = plot_w * value / peak
        short = label if len(label) <= 44 else label[:43] + "…"
        parts.append(f'<text x="0" y="{y + 15}" fill="{TEXT}">{escape(short)}</text>')
        parts.append(f'<rect x="0" y="{y + 20}" width="{w:.1f}" height="16" fill="{colour}"/>')
        parts.append(f'<text x="{w + 6:.1f}" y="{y + 33}" fill="{TEXT}">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _describe(data: list[tuple[str, int]]) -> str:
    return "; ".join(f"{label}: {value}" for label, value in data) or _("Inga lån under perioden.")
