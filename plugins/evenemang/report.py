"""Figures for the follow-up report (``report_figures``): events held in
the period (occurrences of published events that were not cancelled), in
all and per category."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlmodel import Session

from core.api import Figure, Site
from core.api import gettext as _
from plugins.evenemang import store, times
from plugins.evenemang.models import Status


def figures(site: Site, db: Session, start: date, after_end: date) -> list[Figure]:
    zone = site.config.site.timezone
    held = [
        o
        for o in store.occurrences(site, db, times.day_start_utc(start, zone), times.day_start_utc(after_end, zone))
        if o.event.status != Status.CANCELLED
    ]
    found = [Figure(_("Evenemang som hölls"), len(held), _("tillfällen"), "evenemang")]
    per_category = Counter(_(o.event.category) if o.event.category else _("Utan kategori") for o in held)
    for category, count in sorted(per_category.items()):
        found.append(Figure(_("Evenemang: %(category)s") % {"category": category}, count, _("tillfällen"), "evenemang"))
    return found
