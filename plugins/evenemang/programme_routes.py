"""The routes of festival programmes and of registration, added to the
plugin's list by ``hooks.routes`` (the plugin sits at the site root, so
paths are written whole)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.evenemang import programme, programme_admin, registration

GET_POST = ["GET", "POST"]


def programme_routes() -> list[BaseRoute]:
    return [
        Route("/evenemang/program", programme.programme_list, name="programmes"),
        Route("/evenemang/nytt-program", programme_admin.programme_edit, methods=GET_POST, name="programme_new"),
        Route("/evenemang/program/{slug}", programme.programme_page, name="programme"),
        Route("/evenemang/program/{slug}/utskrift", programme.programme_print, name="programme_print"),
        Route("/evenemang/program/{slug}/kalender.ics", programme.programme_ics, name="programme_ics"),
        Route(
            "/evenemang/program/{slug}/redigera",
            programme_admin.programme_edit,
            methods=GET_POST,
            name="programme_edit",
        ),
        Route("/evenemang/program/{slug}/bidra", programme.submit, methods=GET_POST, name="programme_submit"),
        Route("/evenemang/program/{slug}/granska", programme_admin.review_queue, name="programme_review"),
        Route("/evenemang/mina-bidrag", programme.my_items, name="my_items"),
        Route("/evenemang/bidrag/{item_id:id}", programme.item_edit, methods=GET_POST, name="item_edit"),
        Route(
            "/evenemang/bidrag/{item_id:id}/granska",
            programme_admin.review_decide,
            methods=["POST"],
            name="item_review",
        ),
    ]


def registration_routes() -> list[BaseRoute]:
    return [
        Route("/evenemang/{event_id:id}/anmal", registration.sign_up_page, methods=GET_POST, name="sign_up"),
        Route("/evenemang/bekrafta/{token}", registration.confirm_page, methods=GET_POST, name="registration_confirm"),
        Route("/evenemang/avboka/{token}", registration.cancel_page, methods=GET_POST, name="registration_cancel"),
        Route("/evenemang/{event_id:id}/deltagare", registration.participants_page, name="participants"),
        Route("/evenemang/{event_id:id}/deltagare.csv", registration.participants_csv, name="participants_csv"),
        Route("/evenemang/{event_id:id}/anmalan", registration.setup_view, methods=["POST"], name="registration_setup"),
    ]
