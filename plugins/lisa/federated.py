"""LISA services as a federated kind, ``help``: each site shares its own
directory with its peers, and shows theirs where help reaches across a
municipal border (a support line for the whole county, a women's shelter
that takes people from the neighbouring towns).

The feed is complete (RFC 5005 ``fh:complete``) like the member listing: a
receiver replaces its copy of a peer's directory with each document, so an
ended service disappears from the network. Ids are tag URIs built from the
database id (``tag:<authority>,<year>:lisa/services/<id>``). Only directory
facts travel; referrals never do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from core.api import (
    FederatedKind,
    FeedItem,
    ReceivedEntry,
    Site,
    absolute_url_for,
    received_entries,
    render_markdown,
    tag_authority,
    url_for,
)
from plugins.lisa import directory
from plugins.lisa.models import Service, ServiceStatus

KIND = "help"


def tag_uri(site: Site, specific: str) -> str:
    """LISA's ``tag_authority``, or the site's (core's rule: ``[federation]
    tag_authority``, else the host; ``<slug>.localhost`` for a host that is an
    IP address or localhost, so sites sharing 127.0.0.1 do not take each
    other's services for their own and skip them)."""
    settings = directory.settings_of(site)
    authority = settings.tag_authority or tag_authority(site)
    return f"tag:{authority},{settings.tag_year}:{specific}"


def service_tag(site: Site, service_id: int | None) -> str:
    return tag_uri(site, f"lisa/services/{service_id}")


def _aware(value: datetime | None) -> datetime:
    value = value or datetime.now(UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_public(service: Service) -> bool:
    return service.status != ServiceStatus.ENDED


def help_items(site: Site, session: Session) -> list[FeedItem]:
    """Every service that is not ended, in name order, with the facts a peer
    needs to show it and link back."""
    services = [s for s in session.exec(select(Service).order_by(col(Service.name))).all() if is_public(s)]
    orgs = directory.organisations_by_id(session, {s.organisation_id for s in services})
    ids = [s.id for s in services if s.id is not None]
    openings = directory.schedules_for(session, ids)
    needs = directory.terms_for(session, ids)
    items = []
    for s in services:
        org = orgs.get(s.organisation_id)
        terms = needs[s.id or 0]
        fields = {
            "organisation": org.name if org else "",
            "municipality": s.municipality,
            "needs": ", ".join(t.name for t in terms),
            "need_codes": ",".join(t.code for t in terms),
            "phone": s.phone,
            "email": s.email,
            "website": s.website,
            "free": "ja" if s.free else "nej",
            "languages": ",".join(s.language_list),
            "opening_hours": "; ".join(directory.opening_lines(openings.get(s.id or 0, []), localise=False)),
            "address": ", ".join(p for p in (s.location_name, s.address, s.city) if p),
            "status": s.status,
            "status_message": s.status_message,
            "hsds_id": s.uid,
        }
        items.append(
            FeedItem(
                id=service_tag(site, s.id),
                title=s.name,
                link=absolute_url_for(site, "lisa:service", service_id=s.id),
                published=_aware(s.created_at),
                updated=_aware(s.updated_at),
                summary=s.summary,
                content_html=render_markdown(s.description or ""),
                author=org.name if org else site.name,
                categories=tuple(t.name for t in terms),
                fields={k: v for k, v in fields.items() if v},
            )
        )
    return items


def kinds(site: Site) -> list[FederatedKind]:
    def ref(row: Any) -> str | None:
        return service_tag(site, row.id) if row.id is not None else None

    # The title and description travel in the feed to peers, whose readers'
    # language is unknown: they stay in the site's language, Swedish.
    return [
        FederatedKind(
            name=KIND,
            title="Hitta rätt hjälp",
            feed_id=tag_uri(site, "lisa/services"),
            items=lambda session: help_items(site, session),
            model=Service,
            ref_of=ref,
            is_public=is_public,
            complete=True,
            page_path=url_for(site, "lisa:search"),
            description=f"Hjälp från föreningar, kyrkor och kommunen i {site.name}s område (LISA).",
        )
    ]


def peer_help(site: Site, session: Session, filters: directory.Filters, limit: int = 10) -> list[ReceivedEntry]:
    """Peers' services that match a visitor's need and words, for the
    "hjälp hos grannarna" list. Federated copies are shown with their origin
    and link there; they are never republished."""
    if not (filters.q or filters.behov):
        return []
    rows = sorted(received_entries(site, session, KIND, filters.q), key=lambda e: e.title)
    if filters.behov:
        rows = [e for e in rows if filters.behov in e.fields.get("need_codes", "").split(",")]
    if filters.gratis:
        rows = [e for e in rows if e.fields.get("free") == "ja"]
    if filters.sprak:
        rows = [e for e in rows if filters.sprak in e.fields.get("languages", "").split(",")]
    return rows[:limit]
