"""Questions a plugin asks the other plugins of its site, through hooks.

A plugin never imports another (that one may not be enabled, or installed);
it asks here, and whoever implements the hook answers. Each question is a
typed function so a plugin need not know how pluggy is called, nor what to
do when nobody answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from starlette.exceptions import HTTPException

if TYPE_CHECKING:
    from datetime import date

    from sqlmodel import Session
    from starlette.requests import Request
    from starlette.responses import Response

    from core.contributions import (
        AssociationRef,
        Block,
        Figure,
        NewsletterItem,
        Place,
        PlaceBooking,
        PlaceBookingOutcome,
        PlaceUse,
    )
    from core.models import User
    from core.received import ReceivedEntry
    from core.site import Site


def all_front_page_blocks(site: Site, request: Request, session: Session) -> list[Block]:
    """Every enabled plugin's ``front_page_blocks``, by their ``order``
    (site order breaks ties): for the plugin that draws the front page."""
    from core.plugins import collect

    found: list[Block] = collect(site.pm, "front_page_blocks", site=site, request=request, session=session)
    return sorted(found, key=lambda block: block.order)


def member_page_url(site: Site, session: Session, slug: str) -> str:
    """The public page of the member association ``slug`` (``member_page_url``
    hook), or ``""`` when there is none: no slug, no member directory on the
    site, or an association not listed publicly."""
    if not slug:
        return ""
    answer: str | None = site.pm.hook.member_page_url(site=site, session=session, slug=slug)
    return answer or ""


def received_entries(site: Site, session: Session, kind: str, query: str = "", limit: int = 0) -> list[ReceivedEntry]:
    """What peers sent of the federated kind ``kind`` (``received_entries``
    hook), newest first: those matching ``query`` if given, at most
    ``limit`` (0: all); ``[]`` when nothing on the site keeps such entries."""
    answer: list[ReceivedEntry] | None = site.pm.hook.received_entries(
        site=site, session=session, kind=kind, query=query, limit=limit
    )
    return answer or []


def received_stamp(site: Site, session: Session, kind: str) -> str:
    """A stamp that changes whenever ``received_entries(site, session,
    kind)`` would answer differently (``received_stamp`` hook), read from
    the database so it is right across worker processes; ``""`` when nothing
    on the site keeps received entries (do not cache on ``""``)."""
    answer: str | None = site.pm.hook.received_stamp(site=site, session=session, kind=kind)
    return answer or ""


def feed_response(request: Request, kind: str, fmt: str, self_path: str = "") -> Response:
    """The current Atom (``fmt="atom"``) or RSS (``"rss"``) document of this
    site's federated kind ``kind`` (``feed_document`` hook), for a plugin
    serving it at an address of its own, given as ``self_path``; 404 when
    nothing on the site publishes feeds."""
    site: Site = request.app.state.site
    answer: Response | None = site.pm.hook.feed_document(request=request, kind=kind, fmt=fmt, self_path=self_path)
    if answer is None:
        raise HTTPException(404)
    return answer


def member_associations(site: Site, session: Session) -> list[AssociationRef]:
    """Every member association listed publicly, by name
    (``member_associations`` hook); ``[]`` without a member directory."""
    answer: list[AssociationRef] | None = site.pm.hook.member_associations(site=site, session=session)
    return answer or []


def editable_associations(site: Site, session: Session, user: object) -> list[AssociationRef]:
    """The associations the account ``user`` may act for
    (``editable_associations`` hook); ``[]`` for no account, or without a
    member directory."""
    if user is None:
        return []
    answer: list[AssociationRef] | None = site.pm.hook.editable_associations(site=site, session=session, user=user)
    return answer or []


def association_editors(site: Site, session: Session, slug: str) -> list[User]:
    """The active accounts linked as editors to the member association
    ``slug`` (``association_editors`` hook); ``[]`` without a member
    directory."""
    answer: list[User] | None = site.pm.hook.association_editors(site=site, session=session, slug=slug)
    return answer or []


def association_page_blocks(site: Site, request: Request, session: Session, slug: str) -> list[Block]:
    """Every enabled plugin's blocks for the page of the association ``slug``
    (``association_page_blocks`` hook), by ``order``: for the plugin that
    draws that page."""
    from core.plugins import collect

    found: list[Block] = collect(
        site.pm, "association_page_blocks", site=site, request=request, session=session, slug=slug
    )
    return sorted(found, key=lambda block: block.order)


def my_associations_sections(
    site: Site, request: Request, session: Session, user: User, associations: list[AssociationRef]
) -> list[Block]:
    """Every enabled plugin's sections for the editor's page "Mina
    föreningar" (``my_associations_sections`` hook), by ``order``: for the
    plugin that draws that page. ``associations`` are those ``user`` edits."""
    from core.plugins import collect

    found: list[Block] = collect(
        site.pm,
        "my_associations_sections",
        site=site,
        request=request,
        session=session,
        user=user,
        associations=associations,
    )
    return sorted(found, key=lambda block: block.order)


def bookable_places(site: Site, session: Session) -> list[Place]:
    """Every place an enabled premises plugin lets events be held in
    (``bookable_places`` hook), in plugin order; ``[]`` when none."""
    from core.plugins import collect

    found: list[Place] = collect(site.pm, "bookable_places", site=site, session=session)
    return found


def place_uses(site: Site, session: Session, ref: str, start: datetime, end: datetime) -> list[PlaceUse]:
    """What enabled plugins hold in the place ``ref`` between ``start`` and
    ``end`` (aware UTC; hook ``place_uses``), by start; ``[]`` when none."""
    from core.plugins import collect

    found: list[PlaceUse] = collect(site.pm, "place_uses", site=site, session=session, ref=ref, start=start, end=end)
    return sorted(found, key=lambda use: use.start)


def place_bookings(site: Site, session: Session, ref: str, start: datetime, end: datetime) -> list[PlaceBooking]:
    """The bookings that hold the place ``ref`` between ``start`` and ``end``
    (aware UTC; hook ``place_bookings``, answered by the premises plugin that
    offered the place), by start; ``[]`` when none or no such plugin."""
    from core.plugins import collect

    found: list[PlaceBooking] = collect(
        site.pm, "place_bookings", site=site, session=session, ref=ref, start=start, end=end
    )
    return sorted(found, key=lambda booking: booking.start)


def book_place(
    site: Site,
    ref: str,
    spans: list[tuple[datetime, datetime]],
    *,
    association: AssociationRef,
    title: str,
    user: User,
    dry_run: bool = False,
) -> PlaceBookingOutcome | None:
    """Ask the premises plugin that offered the place ``ref`` to book it for
    ``association`` at each of ``spans`` (aware), under its own rules, all or
    none (hook ``book_place``); with ``dry_run`` only whether it could.
    ``None`` when no enabled plugin books that place."""
    answer: PlaceBookingOutcome | None = site.pm.hook.book_place(
        site=site, ref=ref, spans=spans, association=association, title=title, user=user, dry_run=dry_run
    )
    return answer


def report_figures(site: Site, session: Session, start: date, end: date, *, skip: tuple[str, ...] = ()) -> list[Figure]:
    """Every enabled plugin's figures for the follow-up report between
    ``start`` and ``end`` (inclusive; hook ``report_figures``), in plugin
    order, each with ``plugin`` set to the plugin that gave it: for the
    plugin that draws the partnership's report (samverkan). The plugins
    named in ``skip`` are not asked (the asking plugin has its own figures)."""
    from core.contributions import Figure

    found: list[Figure] = []
    for impl in reversed(site.pm.hook.report_figures.get_hookimpls()):
        if impl.plugin_name in skip:
            continue
        args = {"site": site, "session": session, "start": start, "end": end}
        result = cast("list[Figure] | None", impl.function(**{name: args[name] for name in impl.argnames}))
        for fig in result or []:
            found.append(Figure(fig.label, fig.value, fig.unit, fig.plugin or impl.plugin_name))
    return found


def newsletter_items(site: Site, session: Session, start: datetime, end: datetime) -> list[NewsletterItem]:
    """Every enabled plugin's ``newsletter_items`` for [start, end), by
    ``order`` then date (issue 20: what a newsletter is composed from)."""
    from core.plugins import collect

    found: list[NewsletterItem] = collect(site.pm, "newsletter_items", site=site, session=session, start=start, end=end)
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(found, key=lambda item: (item.order, item.when or far))
