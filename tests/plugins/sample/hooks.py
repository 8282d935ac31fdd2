"""Hook implementations of the sample test plugin: one for every hook in
``core/hookspecs.py``, each with an effect a test can see."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import click
from pydantic import Field
from sqlalchemy import func
from sqlmodel import select
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from core import hookimpl
from core.api import N_, FederatedKind, FeedItem, NewsletterItem, NoticeKind, tag_authority
from core.contributions import (
    AssociationRef,
    Block,
    DailyJob,
    Figure,
    NavItem,
    Place,
    PlaceBooking,
    PlaceBookingOutcome,
    SearchResult,
)
from core.search import index_text, match
from core.settings import PluginSettings
from tests.plugins.sample import views
from tests.plugins.sample.models import SampleThing

if TYPE_CHECKING:
    from jinja2 import Environment
    from sqlmodel import Session
    from starlette.requests import Request
    from starlette.routing import BaseRoute
    from starlette.types import ASGIApp, Receive, Scope, Send

    from core.site import Site

DEMO_THINGS = ["Demosak ett", "Demosak två"]


class SampleSettings(PluginSettings):
    greeting: str = "Hej från provtillägget"
    max_results: int = Field(default=3, ge=1, le=10)


@hookimpl
def settings_model() -> type[SampleSettings]:
    return SampleSettings


@hookimpl
def routes(site: Site) -> list[BaseRoute]:
    return [
        Route("/", views.index, name="index"),
        Route("/delad", views.shared, name="shared"),
        Route("/livscykel", views.lifecycle, name="lifecycle"),
        Route("/saker.atom", views.things_feed, name="things_feed"),
    ]


@hookimpl
def nav_items(site: Site, request: Request) -> list[NavItem]:
    return [NavItem("Provsidan", f"{site.prefix('sample')}/", order=60)]


@hookimpl
def admin_links(site: Site, request: Request) -> list[NavItem]:
    return [NavItem("Provtillägget", f"{site.prefix('sample')}/", order=70, description="Sköt provtilläggets saker.")]


@hookimpl
def front_page_blocks(site: Site, request: Request, session: Session) -> list[Block]:
    count = session.exec(select(func.count()).select_from(SampleThing)).one()
    return [Block("Provblocket", "sample/block.html", {"thing_count": count}, order=70)]


@hookimpl
def federated_kinds(site: Site) -> list[FederatedKind]:
    """Sample things as a federated kind, three to a feed page."""

    def ref(thing: SampleThing) -> str:
        return f"tag:{tag_authority(site)},2026:things/{thing.id}"

    def items(session: Session) -> list[FeedItem]:
        things = session.exec(select(SampleThing).order_by(SampleThing.created_at.desc(), SampleThing.id.desc()))
        return [
            FeedItem(
                id=ref(t),
                title=t.name,
                link=site.absolute_url(f"{site.prefix('sample')}/"),
                published=t.created_at,
                updated=t.created_at,
                fields={"name": t.name},
            )
            for t in things.all()
        ]

    return [
        FederatedKind(
            name="things",
            title="Provsaker",
            feed_id=f"tag:{tag_authority(site)},2026:things",
            items=items,
            model=SampleThing,
            ref_of=ref,
            is_public=lambda thing: True,
            page_size=3,
        )
    ]


@hookimpl
def search_results(site: Site, query: str, session: Session, request: Request) -> list[SearchResult]:
    clause = match(SampleThing.search_text, query)
    if clause is None:
        return []
    limit = site.plugin_settings("sample").max_results
    things = session.exec(select(SampleThing).where(clause).order_by(SampleThing.name).limit(limit)).all()
    prefix = site.prefix("sample")
    return [SearchResult(t.name, f"{prefix}/", summary="En sak i provtillägget.", kind="Provsaker") for t in things]


@hookimpl
def report_figures(site: Site, session: Session, start: date, end: date) -> list[Figure]:
    since = datetime.combine(start, time.min, tzinfo=UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    query = select(func.count()).select_from(SampleThing)
    count = session.exec(query.where(SampleThing.created_at >= since, SampleThing.created_at < until)).one()
    return [Figure("Nya provsaker", count, "st")]


@hookimpl
def daily_jobs(site: Site) -> list[DailyJob]:
    """Two jobs: one deletes things more than 30 days old, one fails while a
    thing named "Krascha" exists (so a test sees one failure stop nothing)."""

    def prune(site: Site, now: datetime) -> str:
        with site.session() as db:
            old = db.exec(select(SampleThing).where(SampleThing.created_at < now - timedelta(days=30))).all()
            for thing in old:
                db.delete(thing)
            db.commit()
        return f"Raderade gamla saker: {len(old)}"

    def fail(site: Site, now: datetime) -> str:
        with site.session() as db:
            if db.exec(select(SampleThing).where(SampleThing.name == "Krascha")).first() is not None:
                raise RuntimeError("provjobbet kraschade")
        return "Inget kraschade"

    return [DailyJob("sample-gallra", "Provtillägget: gallring", prune), DailyJob("sample-krasch", "Provkrasch", fail)]


@hookimpl
def demo_data(site: Site, session: Session) -> None:
    for name in DEMO_THINGS:
        if session.exec(select(SampleThing).where(SampleThing.name == name)).first() is None:
            session.add(SampleThing(name=name, search_text=index_text(name)))


@click.command("sample-hello")
@click.option("--name", default="världen")
def hello(name: str) -> None:
    """Hälsa från provtillägget."""
    click.echo(f"Hej, {name}!")


@hookimpl
def cli_commands() -> list[click.Command]:
    return [hello]


@hookimpl
def template_context(site: Site, request: Request) -> dict[str, Any]:
    return {"sample_greeting": site.plugin_settings("sample").greeting}


@hookimpl
async def startup(site: Site) -> None:
    """Async on purpose: the entry is written only if the app awaits us."""
    await asyncio.sleep(0)
    site.state.lifecycle = [*getattr(site.state, "lifecycle", []), "startad"]


@hookimpl
async def shutdown(site: Site) -> None:
    await asyncio.sleep(0)
    site.state.lifecycle = [*getattr(site.state, "lifecycle", []), "stoppad"]


PING_PATH = "/-/prov-ping"


@hookimpl
def asgi_wrapper(site: Site) -> Callable[[ASGIApp], ASGIApp]:
    """Answers ``PING_PATH`` itself, in front of the session and CSRF
    middleware (a POST needs no token); everything else goes on."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and scope["path"] == PING_PATH:
                await PlainTextResponse(f"pong från {site.name}")(scope, receive, send)
            else:
                await app(scope, receive, send)

        return wrapped

    return wrap


@hookimpl
def prepare_jinja2_environment(site: Site, env: Environment) -> None:
    env.filters["prov_rop"] = lambda text: f"{str(text).upper()}!"


# -- accounts: own data (issue 13) ----------------------------------------------------------
#: A thing "belongs" to a person when its name is "<e-mail> ...": the sample
#: table has no owner column, and a plugin may find its rows any way it likes.


def _things_of(session: Session, user: Any) -> list[SampleThing]:
    return [t for t in session.exec(select(SampleThing)).all() if t.name.startswith(f"{user.email} ")]


@hookimpl
def own_data(site: Site, session: Session, user: Any) -> dict[str, list[dict[str, Any]]]:
    return {"saker": [{"namn": t.name, "skapad": t.created_at} for t in _things_of(session, user)]}


@hookimpl
def forget_user(site: Site, session: Session, user: Any) -> None:
    for thing in _things_of(session, user):
        thing.name = "(borttagen person)" + thing.name.removeprefix(user.email)
        session.add(thing)


# -- events (issue 14) -----------------------------------------------------------------------------


@hookimpl
def association_page_blocks(site: Site, request: Request, session: Session, slug: str) -> list[Block]:
    count = session.exec(select(func.count()).select_from(SampleThing)).one()
    return [Block(f"Provblock för {slug}", "sample/block.html", {"thing_count": count}, order=70)]


@hookimpl
def my_associations_sections(
    site: Site, request: Request, session: Session, user: Any, associations: list[AssociationRef]
) -> list[Block]:
    if not associations:
        return []
    count = session.exec(select(func.count()).select_from(SampleThing)).one()
    names = ", ".join(a.name for a in associations)
    return [Block(f"Provsektion för {names} ({user.email})", "sample/block.html", {"thing_count": count}, order=70)]


@hookimpl
def bookable_places(site: Site, session: Session) -> list[Place]:
    return [Place("sample:1", "Provsalen", "Provgatan 1, Karlskoga")]


@hookimpl
def place_bookings(site: Site, session: Session, ref: str, start: datetime, end: datetime) -> list[PlaceBooking] | None:
    """Provsalen is booked on Wednesday 13 January 2027, 18-20 Stockholm time."""
    if ref != "sample:1":
        return None
    held = PlaceBooking("Upptaget", datetime(2027, 1, 13, 17, tzinfo=UTC), datetime(2027, 1, 13, 19, tzinfo=UTC))
    return [held] if held.start < end and held.end > start else []


@hookimpl
def book_place(
    site: Site,
    ref: str,
    spans: list[tuple[datetime, datetime]],
    association: AssociationRef,
    title: str,
    user: Any,
    dry_run: bool,
) -> PlaceBookingOutcome | None:
    """Provsalen takes any time but Wednesday 13 January 2027, 18-20; a
    booking is kept as a thing named "Bokad: <title> (<association>)"."""
    if ref != "sample:1":
        return None
    held = (datetime(2027, 1, 13, 17, tzinfo=UTC), datetime(2027, 1, 13, 19, tzinfo=UTC))
    if any(start < held[1] and end > held[0] for start, end in spans):
        return PlaceBookingOutcome(problems=("Provsalen är upptagen onsdag 13 januari 2027 18:00–20:00.",))
    if dry_run:
        return PlaceBookingOutcome(status="confirmed")
    with site.session() as db:
        db.add(SampleThing(name=f"Bokad: {title} ({association.name})"))
        db.commit()
    return PlaceBookingOutcome(status="confirmed", saved=True, url="/sample/")


@hookimpl
def openapi_paths(site: Site) -> dict[str, Any]:
    """The ping answer, in the site's ``/-/openapi.json`` (a text answer: the
    description may list more than JSON)."""
    return {
        "paths": {
            PING_PATH: {
                "get": {
                    "operationId": "sample_ping",
                    "summary": "Pong",
                    "responses": {
                        "200": {
                            "description": "pong",
                            "content": {"text/plain": {"schema": {"$ref": "#/components/schemas/sample_pong"}}},
                        }
                    },
                }
            }
        },
        "schemas": {"sample_pong": {"type": "string"}},
    }


@hookimpl
def notice_kinds(site: Site) -> list[NoticeKind]:
    return [NoticeKind("sample.ping", N_("provtillägget pingar mig"))]


@hookimpl
def newsletter_items(site: Site, session: Session, start: datetime, end: datetime) -> list[NewsletterItem]:
    """The sample's things made in the period, under two headings."""
    things = session.exec(select(SampleThing).order_by(SampleThing.name)).all()
    found = [t for t in things if start <= t.created_at.replace(tzinfo=t.created_at.tzinfo or UTC) < end]
    return [
        NewsletterItem("Saker" if n % 2 else "Först", t.name, f"{site.base_url}/sak/{t.id}", order=20 - 10 * (n % 2))
        for n, t in enumerate(found)
    ]
