"""The front page: a way into the directory, Månadens förening, the latest
news, and then whatever blocks the site's plugins contribute through the
``front_page_blocks`` hook (LISA, Fritidsbanken, the park, Forum's news ...).

Blocks are rendered inside the database session that produced them, so a
block's template may read attributes of the rows in its context. The whole
content is the same for every visitor, so it is rendered once while nothing
on the site changes (``remember``), for anonymous and signed-in alike.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from core.api import (
    Block,
    Site,
    all_front_page_blocks,
    page_language,
    remember,
    render_fragment,
    site_of,
    url_for,
)
from plugins.webportal import directory
from plugins.webportal.news import FRONT_PAGE_NEWS, association_url, feed_links, item_url, latest


def local_today(site: Site) -> date:
    """Today where the umbrella is (Europe/Stockholm unless the site says
    otherwise), so the month of Månadens förening turns at local midnight."""
    return datetime.now(ZoneInfo(site.config.site.timezone)).date()


def blocks(site: Site, request: Request, session: Session) -> list[Block]:
    """Every plugin's front-page blocks, by their ``order`` (plugin order breaks ties)."""
    return all_front_page_blocks(site, request, session)


def front_page(request: Request) -> Response:
    site = site_of(request)
    # The content is the same for every visitor: rendered once while nothing
    # changes, so a signed-in visitor's page costs only their own menu.
    main = remember(request, ("webportal.front", page_language(site)), lambda: _main(site, request))
    return site.render(request, "webportal/front.html", {"main": main, **feed_links(site)})


def _main(site: Site, request: Request) -> Markup:
    with site.session() as db:
        featured = directory.featured_for(db, local_today(site))
        return render_fragment(
            site,
            "webportal/_front_main.html",
            {
                "featured": featured[0] if featured else None,
                "motivation": featured[1].motivation if featured else "",
                "news": latest(db, FRONT_PAGE_NEWS),
                "blocks": blocks(site, request, db),
                "associations_url": url_for(site, "webportal:associations"),
                "apply_url": url_for(site, "webportal:association_apply"),
                "news_url": url_for(site, "webportal:news_list"),
                "item_url": lambda n: item_url(site, n.id),
                "association_url": lambda a: association_url(site, a),
                **feed_links(site),
            },
        )
