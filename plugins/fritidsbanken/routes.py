"""The Fritidsbanken plugin's route list, mounted at its prefix
(``/fritidsbanken`` by default)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.fritidsbanken import branches, catalogue, counter, items, nearby, selfservice, stats_views

GET_POST = ["GET", "POST"]
POST = ["POST"]


def fritidsbanken_routes() -> list[BaseRoute]:
    return [
        # public catalogue
        Route("/", catalogue.catalogue, name="catalogue"),
        Route("/artiklar/{number}", catalogue.item_page, name="item"),
        Route("/stallen", catalogue.branches_page, name="branches"),
        Route("/i-narheten", nearby.nearby, name="nearby"),
        # borrowers on their phones
        Route("/mina-lan", selfservice.my_loans, name="my_loans"),
        Route("/mina-lan/kod", selfservice.send_code, methods=GET_POST, name="send_code"),
        Route("/mina-lan/verifiera", selfservice.verify_code, methods=POST, name="verify_code"),
        Route("/mina-lan/lank/{token}", selfservice.link_login, name="link_login"),
        Route("/mina-lan/logga-ut", selfservice.phone_logout, methods=POST, name="phone_logout"),
        Route("/mina-lan/lan/{loan_id:id}/forlang", selfservice.extend, methods=POST, name="self_extend"),
        Route(
            "/mina-lan/reservationer/{reservation_id:id}/avboka", selfservice.cancel, methods=POST, name="self_cancel"
        ),
        Route("/artiklar/{number}/reservera", selfservice.reserve, methods=GET_POST, name="self_reserve"),
        Route("/registrera", selfservice.register, methods=GET_POST, name="register"),
        # the counter (staff)
        Route("/disk", counter.counter, name="counter"),
        Route("/disk/stalle", counter.choose_branch, methods=POST, name="choose_branch"),
        Route("/disk/aterlamna", counter.checkin, methods=POST, name="checkin"),
        Route("/disk/lantagare/ny", counter.borrower_edit, methods=GET_POST, name="borrower_new"),
        Route("/disk/lantagare/{borrower_id:id}", counter.borrower_page, name="borrower"),
        Route("/disk/lantagare/{borrower_id:id}/lana", counter.checkout, methods=POST, name="checkout"),
        Route("/disk/lantagare/{borrower_id:id}/andra", counter.borrower_edit, methods=GET_POST, name="borrower_edit"),
        Route(
            "/disk/lantagare/{borrower_id:id}/ta-bort", counter.borrower_delete, methods=POST, name="borrower_delete"
        ),
        Route("/disk/lantagare/{borrower_id:id}/reservera", counter.staff_reserve, methods=POST, name="staff_reserve"),
        Route("/disk/lan/{loan_id:id}/forlang", counter.staff_extend, methods=POST, name="staff_extend"),
        Route(
            "/disk/reservationer/{reservation_id:id}/avboka", counter.staff_cancel, methods=POST, name="staff_cancel"
        ),
        # catalogue administration (staff)
        Route("/admin/artiklar", items.item_list, name="admin_items"),
        Route("/admin/artiklar/ny", items.item_edit, methods=GET_POST, name="item_new"),
        Route("/admin/artiklar/{item_id:id}", items.item_edit, methods=GET_POST, name="item_edit"),
        Route("/admin/artiklar/{item_id:id}/reparation", items.item_repair, methods=POST, name="item_repair"),
        Route("/admin/artiklar/{item_id:id}/reparerad", items.item_repaired, methods=POST, name="item_repaired"),
        Route("/admin/etiketter", items.label_sheet, name="labels"),
        # branches (admins)
        Route("/admin/stallen", branches.branch_list, name="admin_branches"),
        Route("/admin/stallen/ny", branches.branch_edit, methods=GET_POST, name="branch_new"),
        Route("/admin/stallen/{branch_id:id}", branches.branch_edit, methods=GET_POST, name="branch_edit"),
        Route("/admin/stallen/{branch_id:id}/personal", branches.branch_staff, methods=POST, name="branch_staff"),
        # statistics (staff)
        Route("/admin/statistik", stats_views.statistics, name="statistics"),
        Route("/admin/statistik.csv", stats_views.statistics_csv, name="statistics_csv"),
    ]
