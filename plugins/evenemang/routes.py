"""Every route of the evenemang plugin, in one explicit list. The plugin
sits at the site root (see ``settings.py``): its paths are written whole."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.evenemang import calendars, editing, network, public

GET_POST = ["GET", "POST"]


def evenemang_routes() -> list[BaseRoute]:
    return [
        # finding
        Route("/evenemang", public.event_list, name="events"),
        Route("/evenemang/idag", public.today_view, name="today"),
        Route("/evenemang/i-helgen", public.weekend_view, name="weekend"),
        Route("/evenemang/dag", public.day_view, name="day"),
        Route("/evenemang/vecka", public.week_view, name="week"),
        Route("/evenemang/manad", public.month_view, name="month"),
        Route("/kalender", public.calendar_redirect, name="calendar"),
        Route("/evenemang/{event_id:id}", public.event_page, name="event"),
        # iCalendar
        Route("/evenemang/kalender.ics", calendars.site_ics, name="site_ics"),
        Route("/evenemang/forening/{slug}/kalender.ics", calendars.association_ics, name="association_ics"),
        Route("/evenemang/{event_id:id}.ics", calendars.event_ics, name="event_ics"),
        # writing
        Route("/evenemang/nytt", editing.event_edit, methods=GET_POST, name="new"),
        Route("/evenemang/{event_id:id}/redigera", editing.event_edit, methods=GET_POST, name="edit"),
        Route("/evenemang/{event_id:id}/ta-bort", editing.event_delete, methods=["POST"], name="delete"),
        Route("/evenemang/mina", editing.my_events, name="mine"),
        Route("/evenemang/granska", editing.review_queue, name="review_queue"),
        Route("/evenemang/{event_id:id}/granska", editing.review_decide, methods=["POST"], name="review"),
        # the network
        Route("/natverket/kalender", network.network_calendar, name="network"),
    ]
