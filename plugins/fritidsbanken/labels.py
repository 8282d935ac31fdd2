"""Printable item labels with a QR code, made locally with segno.

The QR code holds the item's public address (…/artiklar/1234): a phone that
scans it opens the item's page, and a counter scanner that "types" it into
the check-out box works too, because ``lending.parse_numbers`` takes the ID
number from such an address. The number is also printed large, for typing.
"""

from __future__ import annotations

import segno
from markupsafe import Markup

from core.api import (
    Site,
    absolute_url_for,
)
from core.api import gettext as _
from plugins.fritidsbanken.models import Item


def item_address(site: Site, item: Item) -> str:
    return absolute_url_for(site, "fritidsbanken:item", number=item.number)


def qr_svg(data: str, scale: int = 3) -> Markup:
    """An inline SVG QR code (error correction M, quiet zone kept), with a
    title so a screen reader says what it is."""
    code = segno.make(data, error="m", micro=False)
    title = _("QR-kod: %(address)s") % {"address": data}
    svg = code.svg_inline(scale=scale, border=2, title=title, dark="#000", light="#fff")
    return Markup(svg)  # segno's own output; data is escaped by segno
