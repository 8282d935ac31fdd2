"""Federation's routes, given to core through hooks (``federation.hooks``).

``public_routes`` come through the ``routes`` hook, mounted at the site
root, and go through the normal middleware (sessions, CSRF, user).
``MachineEndpoints``, federation's ``asgi_wrapper``, serves the WebSub hub
and callbacks *before* that middleware: peers' servers call them without
cookies or CSRF tokens, and they are authenticated by intent verification
and HMAC signatures instead. The stylesheet in ``static/`` is served by
core's convention at ``/static/federation/``.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from federation import discovery, hub, join, publish, subscriber, views

MACHINE_PREFIX = "/-/websub"
#: Signed join, acceptance and leave requests from peers' servers (federation.join).
JOIN_PATHS = (join.JOIN_PATH, join.ACCEPTED_PATH, join.LEAVE_PATH)


def public_routes() -> list[BaseRoute]:
    return [
        Route("/.well-known/paraply", discovery.well_known, name="federation_well_known"),
        Route(discovery.OPML_PATH, discovery.opml_file, name="federation_opml"),
        Route(publish.PREFIX + "/{name}", publish.current_feed, name="federation_feed"),
        Route(publish.PREFIX + "/{kind}/arkiv/{page}", publish.archive_feed, name="federation_archive"),
        Route("/natverket/nyheter", views.network_news, name="federation_news"),
        Route("/natverket/foreningar", views.network_members, name="federation_members"),
        Route("/-/admin/natverket", views.admin_peers, name="federation_admin"),
        Route("/-/admin/natverket/ga-med", join.join_lookup, name="federation_join_lookup"),
        Route("/-/admin/natverket/ga-med", join.join_send, methods=["POST"], name="federation_join_send"),
        Route(
            "/-/admin/natverket/forfragan/{request_id:id}",
            join.join_answer,
            methods=["POST"],
            name="federation_join_answer",
        ),
        Route("/-/admin/natverket/{peer_id:id}/lamna", join.leave, methods=["POST"], name="federation_leave"),
        Route(
            "/-/admin/natverket/{peer_id:id}/hamta",
            views.admin_poll_now,
            methods=["POST"],
            name="federation_poll_now",
        ),
    ]


def machine_routes() -> list[BaseRoute]:
    return [
        Route(publish.HUB_PATH, hub.hub_endpoint, methods=["POST"], name="websub_hub"),
        Route(subscriber.CALLBACK_PATH + "{token}", subscriber.callback_endpoint, methods=["GET", "POST"]),
        Route(join.JOIN_PATH, join.join_endpoint, methods=["POST"]),
        Route(join.ACCEPTED_PATH, join.accepted_endpoint, methods=["POST"]),
        Route(join.LEAVE_PATH, join.leave_endpoint, methods=["POST"]),
    ]


class MachineEndpoints:
    """ASGI middleware: ``/-/websub...`` goes to the WebSub routes, all else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.router = Router(machine_routes())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (scope["path"].startswith(MACHINE_PREFIX) or scope["path"] in JOIN_PATHS):
            await self.router(scope, receive, send)
        else:
            await self.app(scope, receive, send)
