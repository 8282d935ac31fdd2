"""The sample test plugin's pages."""

from __future__ import annotations

from sqlmodel import select
from starlette.requests import Request
from starlette.responses import Response

from core.api import feed_response
from tests.plugins.sample.models import SampleThing


async def index(request: Request) -> Response:
    site = request.app.state.site
    with site.session() as db:
        things = db.exec(select(SampleThing).order_by(SampleThing.name)).all()
    return site.render(request, "sample/page.html", {"things": things})


async def shared(request: Request) -> Response:
    """Renders a template name that the ``other`` test plugin ships too, so
    the site's plugin order decides which file is used."""
    return request.app.state.site.render(request, "shared/hello.html")


def lifecycle(request: Request) -> Response:
    """What the sample plugin's ``startup`` hook recorded, shouted with the
    filter its ``prepare_jinja2_environment`` hook added."""
    site = request.app.state.site
    return site.render(request, "sample/lifecycle.html", {"events": getattr(site.state, "lifecycle", [])})


async def things_feed(request: Request) -> Response:
    """The ``things`` kind's Atom feed at the plugin's own address, as
    webportal serves ``/nyheter.atom`` (``feed_document`` hook)."""
    site = request.app.state.site
    return feed_response(request, "things", "atom", f"{site.prefix('sample')}/saker.atom")
