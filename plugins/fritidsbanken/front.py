"""The front-page block: the newest things in the catalogue."""

from __future__ import annotations

from sqlmodel import Session, col, select

from core.api import Block, Site
from core.api import gettext as _
from plugins.fritidsbanken.models import Item, ItemStatus

NEWEST = 4


def newest(session: Session, limit: int = NEWEST) -> list[Item]:
    return list(
        session.exec(
            select(Item)
            .where(col(Item.status).in_((ItemStatus.AVAILABLE, ItemStatus.ON_LOAN, ItemStatus.RESERVED)))
            .order_by(col(Item.created_at).desc(), col(Item.id).desc())
            .limit(limit)
        ).all()
    )


def newest_block(site: Site, session: Session) -> Block | None:
    items = newest(session)
    if not items:
        return None
    settings = site.plugin_settings("fritidsbanken")
    return Block(
        title=_("Nytt hos %(title)s") % {"title": settings.title},
        template="fritidsbanken/front_block.html",
        context={"items": items, "title": settings.title},
        order=60,
    )
