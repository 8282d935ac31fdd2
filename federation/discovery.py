"""Discovery: ``/.well-known/paraply`` and an OPML list of the network.

The JSON document tells a peer what this site publishes (name, base URL,
tag authority, hub, each kind's feeds with the current Atom document's ETag
as ``version``) and whom it federates with. The poller asks for it first,
conditionally, on every poll: a 304 (or unchanged versions) means none of
the peer's feeds changed, so an unchanged peer costs one request, not one
per kind. The OPML 2.0 file lists our feeds
and our peers' for people and feed readers.
"""

from __future__ import annotations

import json
from xml.etree.ElementTree import Element, SubElement, tostring

from sqlmodel import select
from starlette.requests import Request
from starlette.responses import Response

from core.api import Site
from core.api import gettext as _
from federation import PROTOCOL, keys, publish
from federation.kinds import kinds_for, tag_authority
from federation.models import Peer

OPML_PATH = "/natverket.opml"


def document(site: Site) -> dict[str, object]:
    feeds = {
        kind.name: {
            "title": kind.title,
            "atom": publish.feed_url(site, kind.name, "atom"),
            "rss": publish.feed_url(site, kind.name, "rss"),
            "complete": kind.complete,
            # The Atom document's ETag: a peer skips feeds whose version it has.
            "version": publish.version(site, kind.name),
        }
        for kind in kinds_for(site).values()
    }
    return {
        "protocol": PROTOCOL,
        "name": site.name,
        "base_url": site.base_url,
        "tag_authority": tag_authority(site),
        "hub": publish.hub_url(site),
        "feeds": feeds,
        "peers": [{"name": p.name, "url": p.url} for p in site.config.federation.peers],
        "opml": site.absolute_url(OPML_PATH),
        # The key that signs this site's join requests (federation.keys).
        "key": keys.discovery_entry(site),
    }


def well_known(request: Request) -> Response:
    site: Site = request.app.state.site
    body = json.dumps(document(site), ensure_ascii=False, indent=2).encode()
    response = publish.conditional_response(request, body, "application/json", None)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def opml(site: Site) -> bytes:
    root = Element("opml", version="2.0")
    head = SubElement(root, "head")
    SubElement(head, "title").text = _("Nätverket kring %(site)s") % {"site": site.name}
    body = SubElement(root, "body")

    def outline(parent: Element, title: str, xml_url: str, html_url: str) -> None:
        SubElement(parent, "outline", type="rss", text=title, title=title, xmlUrl=xml_url, htmlUrl=html_url)

    own = SubElement(body, "outline", text=site.name, title=site.name)
    for kind in kinds_for(site).values():
        title = _("%(feed)s från %(site)s") % {"feed": _(kind.title), "site": site.name}
        outline(own, title, publish.feed_url(site, kind.name, "atom"), site.base_url + "/")
    with site.session() as db:
        rows = {p.url: p for p in db.exec(select(Peer)).all()}
    for peer in site.config.federation.peers:
        group = SubElement(body, "outline", text=peer.name, title=peer.name)
        row = rows.get(peer.url)
        discovered = (row.discovery if row is not None else None) or {}
        for kind, info in (discovered.get("feeds") or {}).items():
            title = _("%(feed)s från %(site)s") % {"feed": _(info.get("title") or kind), "site": peer.name}
            outline(group, title, info["atom"], peer.url + "/")
    if site.config.federation.external:
        other = _("Andra flöden")
        group = SubElement(body, "outline", text=other, title=other)
        for external in site.config.federation.external:
            outline(group, external.name, external.url, external.url)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode")).encode()


def opml_file(request: Request) -> Response:
    site: Site = request.app.state.site
    return publish.conditional_response(request, opml(site), "text/x-opml; charset=utf-8", None)
