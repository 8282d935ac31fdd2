"""Every route of the samverkan plugin, in one explicit list (mounted at
``/samverkan`` by default)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.samverkan import assignments, interests, offers, public, records, report_views

GET_POST = ["GET", "POST"]


def samverkan_routes() -> list[BaseRoute]:
    return [
        # public
        Route("/", public.index, name="index"),
        Route("/uppdrag/nytt", public.new_assignment, methods=GET_POST, name="new_assignment"),
        Route("/uppdrag/{assignment_id:id}/intresse", interests.register, methods=GET_POST, name="interest"),
        Route("/uppdrag/{assignment_id:id}/intresse/tack", interests.thanks, name="interest_thanks"),
        Route("/remissvar", public.statements, name="statements"),
        Route("/remissvar/{statement_id:id}/dokument.pdf", public.document, name="document"),
        # association editors
        Route("/erbjudanden", offers.mine, name="offers"),
        Route("/erbjudanden/{offer_id:id}/svar", offers.answer, methods=["POST"], name="answer"),
        # staff: uppdragsförmedling
        Route("/admin/uppdrag", assignments.admin_list, name="assignments"),
        Route("/admin/uppdrag/{assignment_id:id}", assignments.detail, name="assignment"),
        Route("/admin/uppdrag/{assignment_id:id}/lage", assignments.set_status, methods=["POST"], name="status"),
        Route("/admin/uppdrag/{assignment_id:id}/erbjud", assignments.offer, methods=["POST"], name="offer"),
        Route("/admin/uppdrag/{assignment_id:id}/utfall", assignments.outcome, methods=["POST"], name="outcome"),
        Route("/admin/intresse/{interest_id:id}/erbjud", interests.make_offer, methods=["POST"], name="interest_offer"),
        Route("/admin/intresse/{interest_id:id}/avboj", interests.decline, methods=["POST"], name="interest_decline"),
        Route("/admin/sociala-foretag", assignments.social, methods=GET_POST, name="social"),
        # staff: röstbärare, meetings, projektstöd
        Route("/admin/remissvar", records.statements_admin, name="statements_admin"),
        Route("/admin/remissvar/ny", records.statement_edit, methods=GET_POST, name="new_statement"),
        Route("/admin/remissvar/{statement_id:id}", records.statement_edit, methods=GET_POST, name="edit_statement"),
        Route("/admin/moten", records.meetings_admin, name="meetings"),
        Route("/admin/moten/ny", records.meeting_edit, methods=GET_POST, name="new_meeting"),
        Route("/admin/moten/{meeting_id:id}", records.meeting_page, name="meeting"),
        Route("/admin/moten/{meeting_id:id}/redigera", records.meeting_edit, methods=GET_POST, name="edit_meeting"),
        Route("/admin/moten/{meeting_id:id}/atgard", records.add_action, methods=["POST"], name="add_action"),
        Route("/admin/atgard/{action_id:id}/klar", records.action_done, methods=["POST"], name="action_done"),
        Route("/admin/projekt", records.projects_admin, name="projects"),
        Route("/admin/projekt/ny", records.project_edit, methods=GET_POST, name="new_project"),
        Route("/admin/projekt/{project_id:id}", records.project_edit, methods=GET_POST, name="edit_project"),
        # staff: the follow-up report
        Route("/admin/rapport", report_views.report_page, name="report"),
        Route("/admin/rapport/kommentarer", report_views.save_comments, methods=["POST"], name="comments"),
        Route("/admin/rapport/skicka", report_views.send, methods=["POST"], name="send"),
        Route("/admin/rapport/uppfoljning.pdf", report_views.export_pdf, name="report_pdf"),
        Route("/admin/rapport/uppfoljning.csv", report_views.export_csv, name="report_csv"),
        Route("/admin/rapport/uppfoljning.xlsx", report_views.export_xlsx, name="report_xlsx"),
        Route("/admin/rapport/skickad/{report_id:id}", report_views.sent_page, name="sent"),
        Route("/admin/rapport/skickad/{report_id:id}/uppfoljning.pdf", report_views.export_pdf, name="sent_pdf"),
        Route("/admin/rapport/skickad/{report_id:id}/uppfoljning.csv", report_views.export_csv, name="sent_csv"),
        Route("/admin/rapport/skickad/{report_id:id}/uppfoljning.xlsx", report_views.export_xlsx, name="sent_xlsx"),
    ]
