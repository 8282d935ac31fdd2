"""The odling plugin's route list, mounted at its prefix (``/parken`` by
default). Public pages first, then a member's own pages (a secret link),
then the coordinators' pages under ``/samordning``."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.odling import coordination, crops, members, observations, park, sessions

GET_POST = ["GET", "POST"]
POST = ["POST"]


def odling_routes() -> list[BaseRoute]:
    return [
        # public
        Route("/", park.overview, name="park"),
        Route("/badd/{bed_id:id}", park.bed_page, name="bed"),
        Route("/vaxter", crops.crop_list, name="crops"),
        Route("/blommar", crops.blooming_now, name="blooming"),
        Route("/bli-medlem", members.join, methods=GET_POST, name="join"),
        Route("/medlem/lank", members.resend_link, methods=GET_POST, name="resend_link"),
        Route("/pass", sessions.session_list, name="sessions"),
        Route("/pass.ics", sessions.ical_feed, name="sessions_ics"),
        Route("/pass/{session_id:id}", sessions.session_page, name="session"),
        Route("/pollinatorer", observations.overview, name="pollinators"),
        Route("/pollinatorer.csv", observations.darwin_core_csv, name="darwin_core"),
        Route("/pollinatorer/ny", observations.user_log, methods=GET_POST, name="observation_new"),
        # a member's own pages, reached by their secret link
        Route("/mitt/{token}", members.my_page, name="my_page"),
        Route("/mitt/{token}/pass/{session_id:id}/anmal", sessions.sign_up, methods=POST, name="sign_up"),
        Route("/mitt/{token}/pass/{session_id:id}/avboka", sessions.cancel, methods=POST, name="cancel"),
        Route("/mitt/{token}/observation", observations.member_log, methods=GET_POST, name="member_observation"),
        Route("/mitt/{token}/radera", members.delete_me, methods=POST, name="delete_me"),
        # coordinators
        Route("/samordning", coordination.dashboard, name="dashboard"),
        Route("/samordning/samordnare", coordination.coordinators, methods=POST, name="coordinators"),
        Route("/samordning/medlemmar", members.member_list, name="members"),
        Route("/samordning/medlemmar/gallra", members.prune_now, methods=POST, name="prune"),
        Route(
            "/samordning/medlemmar/{member_id:id}/ta-bort", members.member_delete, methods=POST, name="member_delete"
        ),
        Route("/samordning/baddar/ny", park.bed_edit, methods=GET_POST, name="bed_new"),
        Route("/samordning/baddar/{bed_id:id}", park.bed_edit, methods=GET_POST, name="bed_edit"),
        Route("/samordning/plantering/ny", park.planting_new, methods=GET_POST, name="planting_new"),
        Route(
            "/samordning/plantering/{planting_id:id}/ta-bort",
            park.planting_delete,
            methods=POST,
            name="planting_delete",
        ),
        Route("/samordning/skord", park.harvests, methods=GET_POST, name="harvests"),
        Route("/samordning/vaxter/ny", crops.crop_edit, methods=GET_POST, name="crop_new"),
        Route("/samordning/vaxter/{crop_id:id}", crops.crop_edit, methods=GET_POST, name="crop_edit"),
        Route("/samordning/pass/ny", sessions.session_edit, methods=GET_POST, name="session_new"),
        Route("/samordning/pass/{session_id:id}", sessions.session_edit, methods=GET_POST, name="session_edit"),
        Route("/samordning/pass/{session_id:id}/narvaro", sessions.attendance, methods=POST, name="attendance"),
        Route("/samordning/paminnelser", sessions.remind_now, methods=POST, name="remind"),
    ]
