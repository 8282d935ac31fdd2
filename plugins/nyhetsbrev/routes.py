"""The newsletter's routes, under the plugin's prefix (``/nyhetsbrev``)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from core.api import ONE_CLICK_SUFFIX
from plugins.nyhetsbrev import views

GET_POST = ["GET", "POST"]


def nyhetsbrev_routes() -> list[BaseRoute]:
    return [
        Route("/", views.archive, name="archive"),
        Route("/nyhetsbrev.atom", views.feed, name="feed"),
        Route("/nummer/{issue_id:id}", views.issue_page, name="issue"),
        Route("/prenumerera", views.subscribe, methods=GET_POST, name="subscribe"),
        Route("/prenumerera/tack", views.subscribed, name="subscribed"),
        Route("/bekrafta/{token}", views.confirm, methods=GET_POST, name="confirm"),
        Route("/prenumeration/{token}", views.subscription_settings, methods=GET_POST, name="settings"),
        Route("/avsluta/{token}", views.unsubscribe, methods=GET_POST, name="unsubscribe"),
        Route("/avslutad", views.unsubscribed, name="unsubscribed"),
        Route("/avsluta/{token}" + ONE_CLICK_SUFFIX, views.one_click, methods=["POST"], name="one_click"),
        Route("/admin", views.admin, methods=GET_POST, name="admin"),
        Route("/admin/{issue_id:id}", views.edit, methods=GET_POST, name="edit"),
        Route("/admin/{issue_id:id}/forhandsgranska", views.preview, name="preview"),
        Route("/admin/{issue_id:id}/provutskick", views.test_send, methods=["POST"], name="test"),
        Route("/admin/{issue_id:id}/skicka", views.send, methods=["POST"], name="send"),
    ]
