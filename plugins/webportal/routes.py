"""The webportal plugin's route list, mounted at the plugin's prefix
(the site root by default)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.webportal import admin, directory, feeds, front, news, pages

GET_POST = ["GET", "POST"]


def webportal_routes() -> list[BaseRoute]:
    return [
        Route("/", front.front_page, name="front"),
        # member directory
        Route("/foreningar", directory.association_list, name="associations"),
        Route("/foreningar/ansok", directory.association_apply, methods=GET_POST, name="association_apply"),
        Route("/foreningar/{slug}", directory.association_page, name="association"),
        Route("/foreningar/{slug}/redigera", directory.association_edit, methods=GET_POST, name="association_edit"),
        Route("/mina-foreningar", directory.my_associations, name="my_associations"),
        # news
        Route("/nyheter", news.news_list, name="news_list"),
        Route("/nyheter/ny", news.news_edit, methods=GET_POST, name="news_new"),
        Route("/nyheter/{news_id:id}", news.news_item, name="news"),
        Route("/nyheter/{news_id:id}/redigera", news.news_edit, methods=GET_POST, name="news_edit"),
        Route("/nyheter/{news_id:id}/ta-bort", news.news_delete, methods=["POST"], name="news_delete"),
        Route("/nyheter.atom", feeds.news_atom, name="news_atom"),
        Route("/nyheter.rss", feeds.news_rss, name="news_rss"),
        # pages
        Route("/sida/{slug}", pages.page_view, name="page"),
        # admin
        Route("/admin/foreningar", admin.association_queue, name="admin_associations"),
        Route("/admin/foreningar/ny", directory.association_edit, methods=GET_POST, name="association_new"),
        Route(
            "/admin/foreningar/{association_id:id}/beslut",
            admin.association_decide,
            methods=["POST"],
            name="association_decide",
        ),
        Route(
            "/admin/foreningar/{association_id:id}/redaktorer",
            admin.association_editors,
            methods=["POST"],
            name="association_editors",
        ),
        Route(
            "/admin/foreningar/{association_id:id}/ta-bort",
            admin.association_delete,
            methods=["POST"],
            name="association_delete",
        ),
        Route("/admin/sidor", pages.page_admin_list, name="admin_pages"),
        Route("/admin/sidor/ny", pages.page_edit, methods=GET_POST, name="page_new"),
        Route("/admin/sidor/{page_id:id}", pages.page_edit, methods=GET_POST, name="page_edit"),
        Route("/admin/sidor/{page_id:id}/ta-bort", pages.page_delete, methods=["POST"], name="page_delete"),
        Route("/admin/manadens-forening", admin.featured, methods=GET_POST, name="admin_featured"),
    ]
