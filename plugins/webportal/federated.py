"""What webportal shares with peer sites: its news and its member listing.

Both are ``core.api.FederatedKind`` objects, returned from the
``federated_kinds`` hook. Ids are the tag URIs the news feed has always used
(``tag:<authority>,<year>:news/<id>``; ``members/<id>`` for associations),
built from database ids so renaming never changes them. The member listing
is complete (RFC 5005): a peer replaces its copy with each document, so an
association that leaves, or is hidden, disappears from the network.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from core.api import (
    FederatedKind,
    FeedItem,
    Site,
    User,
    render_markdown,
    url_for,
)
from core.api import tag_authority as federation_authority
from plugins.webportal import directory
from plugins.webportal.models import Association, News
from plugins.webportal.news import is_visible, item_url, published_only, settings_of

NEWS_FEED_SIZE = 50


def tag_authority(site: Site) -> str:
    """``[plugin.webportal] tag_authority``, or else federation's
    (``[federation] tag_authority``, or the site's host name)."""
    return settings_of(site).tag_authority or federation_authority(site)


def tag_uri(site: Site, specific: str) -> str:
    """``tag:{authority},{year}:{specific}``; authority and year are fixed
    in the settings once feeds are published."""
    return f"tag:{tag_authority(site)},{settings_of(site).tag_year}:{specific}"


def news_tag(site: Site, news_id: int | None) -> str:
    """The permanent id of a news item, in both feeds and in federation."""
    return tag_uri(site, f"news/{news_id}")


def member_tag(site: Site, association_id: int | None) -> str:
    return tag_uri(site, f"members/{association_id}")


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def news_items(site: Site, session: Session) -> list[FeedItem]:
    """Every published news item, newest first, as feed items."""
    rows = session.exec(
        published_only(
            select(News, Association, User)
            .outerjoin(Association, col(News.association_id) == col(Association.id))
            .outerjoin(User, col(News.author_id) == col(User.id))
        ).order_by(col(News.published_at).desc(), col(News.id).desc())
    ).all()
    items = []
    for news, association, author in rows:
        fields = {}
        if association is not None:
            fields["association"] = association.name
            fields["municipality"] = association.municipality
            if association.is_public:
                fields["association_ref"] = member_tag(site, association.id)
        items.append(
            FeedItem(
                id=news_tag(site, news.id),
                title=news.title,
                link=site.absolute_url(item_url(site, news.id)),
                published=_aware(news.published_at),
                updated=_aware(news.updated_at),
                summary=news.summary,
                content_html=render_markdown(news.body or ""),
                author=author.name if author is not None else site.name,
                categories=(association.name,) if association is not None else (),
                fields=fields,
            )
        )
    return items


def member_items(site: Site, session: Session) -> list[FeedItem]:
    """Every public association: the whole listing, in name order."""
    items = []
    for association in directory.find_public(session):
        fields = {
            "category": association.category,
            "municipality": association.municipality,
            "activities": association.activities,
            "website": directory.safe_link(association.website),
            "email": association.email,
            "phone": association.phone,
            "address": association.address,
            "founded_year": str(association.founded_year or ""),
        }
        items.append(
            FeedItem(
                id=member_tag(site, association.id),
                title=association.name,
                link=site.absolute_url(directory.page_url(site, association)),
                published=_aware(association.approved_at or association.created_at),
                updated=_aware(association.updated_at),
                summary=association.short_description,
                content_html=render_markdown(association.description or ""),
                author=site.name,
                categories=(association.category,),
                fields={k: v for k, v in fields.items() if v},
            )
        )
    return items


def kinds(site: Site) -> list[FederatedKind]:

    def news_ref(row: Any) -> str | None:
        return news_tag(site, row.id) if row.id is not None else None

    def member_ref(row: Any) -> str | None:
        return member_tag(site, row.id) if row.id is not None else None

    return [
        FederatedKind(
            name="news",
            title="Nyheter",
            feed_id=tag_uri(site, "news"),
            items=lambda session: news_items(site, session),
            model=News,
            ref_of=news_ref,
            is_public=is_visible,
            page_size=NEWS_FEED_SIZE,
            page_path=url_for(site, "webportal:news_list"),
            description=site.config.site.description or f"Nyheter från {site.name} och dess medlemsföreningar.",
            aliases={
                "atom": url_for(site, "webportal:news_atom"),
                "rss": url_for(site, "webportal:news_rss"),
            },
        ),
        FederatedKind(
            name="members",
            title="Föreningar",
            feed_id=tag_uri(site, "members"),
            items=lambda session: member_items(site, session),
            model=Association,
            ref_of=member_ref,
            is_public=lambda row: bool(row.is_public),
            complete=True,
            page_path=url_for(site, "webportal:associations"),
            description=f"Medlemsföreningar i {site.name}.",
        ),
    ]
