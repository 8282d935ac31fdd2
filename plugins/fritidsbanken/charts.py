"""Bar charts as server-rendered SVG: no JavaScript, nothing from another
host, printable, and readable by screen readers (a title and a description,
and every chart sits next to a table of the same numbers). Titles and labels
come translated from the caller."""

from __future__ import annotations

from markupsafe import Markup, escape

from core.api import gettext as _

BAR = "#1d4e89"  # the default theme's primary: 8.6:1 on white
TEXT = "#1a1a1a"
GRID = "#c8c8c8"


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
    """Vertical columns, one per label (months along the bottom)."""
    width, height, left, bottom, top = 720, 300, 48, 56, 16
    n = max(1, len(data))
    peak = _nice_max(max((v for _, v in data), default=0))
    slot = (width - left - 8) / n
    bar = max(4.0, slot * 0.7)
    plot_h = height - top - bottom
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" font-family="system-ui, sans-serif" font-size="12">',
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
        lx, ly = x + bar / 2, height - bottom + 14
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="end" transform="rotate(-40 {lx:.1f} {ly:.1f})" '
            f'fill="{TEXT}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(title: str, data: list[tuple[str, int]], chart_id: str, colour: str = BAR) -> Markup:
    """Horizontal bars, one row per label (categories, branches, items)."""
    row, label_w, width, top = 26, 230, 720, 8
    height = top * 2 + row * max(1, len(data))
    peak = max((v for _, v in data), default=0) or 1
    plot_w = width - label_w - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(_describe(data))}</desc>',
    ]
    for i, (label, value) in enumerate(data):
        y = top + row * i
        w = plot_w * value / peak
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" fill="{TEXT}">{escape(short)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 17}" fill="{TEXT}">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _describe(data: list[tuple[str, int]]) -> str:
    return "; ".join(f"{label}: {value}" for label, value in data) or _("Inga lån under perioden.")
