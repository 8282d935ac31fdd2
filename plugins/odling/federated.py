"""What the park shares with peer sites: its coming work sessions.

One federated kind, ``arbetspass``: every session that has not started, as a
complete document (RFC 5005 ``fh:complete``), so a neighbouring umbrella can
show "help out in the park" and a receiver simply replaces its copy; a
session that has passed or is cancelled drops out, with no tombstones to
keep. Entry ids are tag URIs built from the session's database id
(``tag:<authority>,<year>:odling/arbetspass/<id>``), so renaming a task never
changes them. No personal data travels: only task, time, place and free places.

Titles and summaries are in the site's language (Swedish), not a visitor's:
the feed is published once for every peer, like the iCal feed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from core.api import FederatedKind, FeedItem, Site, absolute_url_for, tag_authority, url_for
from plugins.odling import sessions, web

KIND = "arbetspass"


def tag_uri(site: Site, specific: str) -> str:
    return f"tag:{tag_authority(site)},{web.settings_of(site).tag_year}:{specific}"


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def session_items(site: Site, db: Session) -> list[FeedItem]:
    settings = web.settings_of(site)
    places = sessions.bed_names(db)
    items = []
    for work, taken in reversed(sessions.upcoming_with_counts(db, site)):  # newest (latest) first
        start, end = site.clock.local(work.starts_at), site.clock.local(work.ends_at)
        place = places.get(work.bed_id or 0, "hela parken")
        left = max(0, work.places - taken)
        items.append(
            FeedItem(
                id=tag_uri(site, f"odling/{KIND}/{work.id}"),
                title=f"{work.task}, {start:%Y-%m-%d} kl. {start:%H:%M}",
                link=absolute_url_for(site, "odling:session", session_id=work.id),
                published=_aware(work.created_at),
                updated=_aware(work.updated_at),
                summary=f"Arbetspass i {settings.park_name} ({place}), {start:%H:%M}–{end:%H:%M}. "
                f"{left} av {work.places} platser lediga.",
                author=settings.park_name,
                categories=("arbetspass",),
                fields={
                    "starts": start.isoformat(),
                    "ends": end.isoformat(),
                    "location": f"{settings.park_name}, {place}",
                    "places": str(work.places),
                    "free": str(left),
                },
            )
        )
    return items


def kinds(site: Site) -> list[FederatedKind]:
    settings = web.settings_of(site)
    return [
        FederatedKind(
            name=KIND,
            title=f"Arbetspass i {settings.park_name}",
            feed_id=tag_uri(site, f"odling/{KIND}"),
            items=lambda db: session_items(site, db),
            complete=True,
            page_path=url_for(site, "odling:sessions"),
            description=f"Kommande arbetspass i {settings.park_name}, öppna för alla som vill hjälpa till.",
        )
    ]
