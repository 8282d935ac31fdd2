"""What the partnership shares with peer sites: its open public assignments.

One federated kind, ``uppdrag``: every assignment that is open and that the
requester let be shown publicly, as a complete document (RFC 5005
``fh:complete``), so a neighbouring umbrella's associations can see it and a
receiver simply replaces its copy; an assignment that is matched, closed,
withdrawn or hidden again drops out of the next document (so does one whose last day to report
interest, ``deadline``, has passed), and federation
watches the table, so the change is pushed to subscribers at once (a tombstone). Entry ids are tag
URIs built from the database id (``tag:<authority>,<tag_year>:samverkan/uppdrag/<id>``, the year
a plugin setting, 2026 by default).

No personal data travels: what, when, where, scope, compensation and the
requesting organisation, never the contact person, e-mail or phone; the link
goes to the home site's public page, where one reports interest to its office.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session, col, or_, select

from core.api import FederatedKind, FeedItem, Site, absolute_url_for, tag_authority, url_for
from plugins.samverkan.common import settings_of
from plugins.samverkan.models import Assignment, AssignmentStatus, offered_as_open

KIND = "uppdrag"


def tag_uri(site: Site, specific: str) -> str:
    """A tag URI; its year is the ``tag_year`` setting (2026 unless set), fixed once published."""
    return f"tag:{tag_authority(site)},{settings_of(site).tag_year}:{specific}"


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def public_open(db: Session, today: date) -> list[Assignment]:
    """The open assignments the requester let be shown whose last day to
    report interest (if any) is not before ``today``, newest first."""
    return list(
        db.exec(
            select(Assignment)
            .where(
                col(Assignment.show_public).is_(True),
                Assignment.status == AssignmentStatus.OPEN,
                or_(col(Assignment.deadline).is_(None), col(Assignment.deadline) >= today),
            )
            .order_by(col(Assignment.created_at).desc())
        ).all()
    )


def assignment_items(site: Site, db: Session) -> list[FeedItem]:
    items = []
    for row in public_open(db, site.clock.today()):
        details = [part for part in (row.when_text, row.place, row.scope) if part]
        summary = row.description[:600]
        items.append(
            FeedItem(
                id=tag_uri(site, f"samverkan/{KIND}/{row.id}"),
                title=row.title,
                link=absolute_url_for(site, "samverkan:index") + f"#uppdrag-{row.id}",
                published=_aware(row.created_at),
                updated=_aware(row.created_at),
                summary=" · ".join([*details, summary]) if details else summary,
                author=row.requester,
                categories=(KIND,),
                fields={
                    "when": row.when_text,
                    "place": row.place,
                    "scope": row.scope,
                    "compensation": row.compensation,
                    "deadline": row.deadline.isoformat() if row.deadline else "",
                },
            )
        )
    return items


def kinds(site: Site) -> list[FederatedKind]:
    return [
        FederatedKind(
            name=KIND,
            title="Öppna uppdrag",
            feed_id=tag_uri(site, f"samverkan/{KIND}"),
            items=lambda db: assignment_items(site, db),
            model=Assignment,
            ref_of=lambda row: tag_uri(site, f"samverkan/{KIND}/{row.id}") if row.id else None,
            is_public=lambda row: bool(row.show_public) and offered_as_open(row, site.clock.today()),
            complete=True,
            page_path=url_for(site, "samverkan:index"),
            description="Öppna uppdrag som söker en förening; intresse anmäls till föreningsrådet som har uppdraget.",
        )
    ]
