"""What Fritidsbanken shares with peer sites: "new in the catalogue".

One federated kind, ``fritidsbanken``: the items that came in during the
last ``new_days`` days (donations, mostly), so a neighbouring umbrella can
show what can be borrowed nearby. Its documents are complete (RFC 5005
``fh:complete``, at most ``NEW_LIMIT`` items): a receiver replaces its copy
each time, so an item that grows old, is retired or goes to repair simply
drops out, with no tombstones to keep.

The kind names no table to watch on purpose: an item's row changes on every
check-out and check-in, and pushing the feed to every subscriber at counter
speed would say nothing new. Peers poll it (conditional GET); what an item is
(name, size, category, branch) is what travels, never whether it is out on
loan right now. Entry ids are tag URIs built from the database id
(``tag:<authority>,<year>:fritidsbanken/<id>``), so renaming never changes them.

The feed is published content in the site's language (Swedish): its titles
and summaries are written once for every peer, not per visitor, and its
``fields`` keys are a machine format.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from core.api import FederatedKind, FeedItem, Site, absolute_url_for, url_for
from core.api import tag_authority as federation_authority
from plugins.fritidsbanken.models import Branch, Item, ItemStatus

PLUGIN = "fritidsbanken"
KIND = "fritidsbanken"
NEW_LIMIT = 100
SHOWN = (ItemStatus.AVAILABLE, ItemStatus.ON_LOAN, ItemStatus.RESERVED)


def tag_uri(site: Site, specific: str) -> str:
    settings = site.plugin_settings(PLUGIN)
    return f"tag:{settings.tag_authority or federation_authority(site)},{settings.tag_year}:{specific}"


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def new_items(site: Site, session: Session) -> list[FeedItem]:
    settings = site.plugin_settings(PLUGIN)
    since = site.clock.now() - timedelta(days=settings.new_days)
    rows = session.exec(
        select(Item, Branch)
        .join(Branch, col(Branch.id) == col(Item.branch_id))
        .where(col(Item.status).in_(SHOWN), col(Item.created_at) >= since)
        .order_by(col(Item.created_at).desc(), col(Item.id).desc())
        .limit(NEW_LIMIT)
    ).all()
    out = []
    for item, branch in rows:
        size = f", storlek {item.size}" if item.size else ""
        out.append(
            FeedItem(
                id=tag_uri(site, f"{KIND}/{item.id}"),
                title=f"{item.name}{' ' + item.size if item.size else ''}",
                link=absolute_url_for(site, "fritidsbanken:item", number=item.number),
                published=_aware(item.created_at),
                updated=_aware(item.created_at),
                summary=f"{item.category}{size}. Lånas gratis i {settings.loan_days} dagar hos {branch.name}.",
                author=branch.name,
                categories=(item.category,),
                fields={
                    "category": item.category,
                    "size": item.size,
                    "branch": branch.name,
                    "address": branch.address,
                    "number": item.number,
                },
            )
        )
    return out


def kinds(site: Site) -> list[FederatedKind]:
    title = site.plugin_settings(PLUGIN).title
    return [
        FederatedKind(
            name=KIND,
            title=f"Nytt hos {title}",
            feed_id=tag_uri(site, KIND),
            items=lambda session: new_items(site, session),
            complete=True,
            page_path=url_for(site, "fritidsbanken:catalogue"),
            description=f"Sport- och fritidsutrustning som nyss kommit in hos {title} i {site.name}: lånas gratis.",
        )
    ]
