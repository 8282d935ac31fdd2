"""Every route of the lokaler plugin, in one explicit list (mounted at
``/lokaler`` by default)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.lokaler import booking, closed, manage, offices, public, requests, resources, stats_views

GET_POST = ["GET", "POST"]


def lokaler_routes() -> list[BaseRoute]:
    return [
        # the house, public
        Route("/", public.index, name="index"),
        Route("/{resource_id:id}", public.resource_page, name="resource"),
        Route("/{resource_id:id}/kalender.ics", public.resource_ics, name="resource_ics"),
        Route("/forening/{slug}/kalender.ics", public.association_ics, name="association_ics"),
        # booking
        Route("/{resource_id:id}/boka", booking.book_view, methods=GET_POST, name="book"),
        Route("/{resource_id:id}/forfragan", requests.request_view, methods=GET_POST, name="request"),
        Route("/{resource_id:id}/forfragan/tack", requests.thanks, name="request_thanks"),
        Route("/mina", manage.mine, name="mine"),
        Route("/forening/{slug}", manage.association_bookings, name="association"),
        Route("/bokning/{booking_id:id}", manage.booking_page, name="booking"),
        Route("/bokning/{booking_id:id}/avboka", manage.cancel, methods=["POST"], name="cancel"),
        # staff
        Route("/granska", manage.review, name="review"),
        Route("/bokning/{booking_id:id}/beslut", manage.decide, methods=["POST"], name="decide"),
        Route("/bokning/{booking_id:id}/flytta", manage.move, methods=GET_POST, name="move"),
        Route("/bokning/{booking_id:id}/tilltrade", manage.set_access, methods=["POST"], name="access"),
        Route("/huset", public.house_week, name="house_week"),
        Route("/dagblad", public.day_sheet, name="day_sheet"),
        Route("/statistik", stats_views.statistics, name="statistics"),
        Route("/ny", resources.edit, methods=GET_POST, name="new_resource"),
        Route("/{resource_id:id}/redigera", resources.edit, methods=GET_POST, name="edit_resource"),
        Route("/{resource_id:id}/ta-bort", resources.remove, methods=["POST"], name="remove"),
        Route("/stangt", closed.closed_days, methods=GET_POST, name="closed_days"),
        Route("/stangt/{closed_id:id}/ta-bort", closed.remove_closed_day, methods=["POST"], name="remove_closed_day"),
        # offices at Föreningsbyrån
        Route("/kontor", offices.vacancies, name="offices"),
        Route("/kontor/intresse", offices.interest, methods=GET_POST, name="interest"),
        Route("/kontor/alla", offices.offices_admin, name="offices_admin"),
        Route("/kontor/ny", offices.office_edit, methods=GET_POST, name="new_office"),
        Route("/kontor/{office_id:id}/redigera", offices.office_edit, methods=GET_POST, name="edit_office"),
    ]
