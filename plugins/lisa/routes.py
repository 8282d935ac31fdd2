"""The LISA plugin's route list, mounted at its prefix (``/hjalp`` by default)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.lisa import admin, confirm, public, referrals, special_hours
from plugins.lisa.hsds import api, views

GET_POST = ["GET", "POST"]


def lisa_routes() -> list[BaseRoute]:
    return [
        # finding help
        Route("/", public.search, name="search"),
        Route("/tjanst/{service_id:id}", public.service_page, name="service"),
        Route("/tjanst/{service_id:id}/kort", public.service_card, name="service_card"),
        Route("/organisation/{organisation_id:id}", public.organisation_page, name="organisation"),
        # for health centres
        Route("/skriv-ut", public.posters, name="print_index"),
        Route("/skriv-ut/lista", public.print_view, name="print"),
        Route("/affisch/{kommun}", public.poster, name="poster"),
        Route("/affisch/{kommun}/qr.svg", public.poster_qr, name="poster_qr"),
        # referrals
        Route("/tjanst/{service_id:id}/remiss", referrals.new_referral, methods=GET_POST, name="referral_new"),
        Route("/remisser", referrals.referral_list, name="referrals"),
        Route("/remisser/{referral_id:id}", referrals.referral_page, name="referral"),
        Route("/remisser/{referral_id:id}/status", referrals.referral_status, methods=["POST"], name="referral_status"),
        # organisations keep their entries current
        Route("/mina-tjanster", confirm.my_services, name="my_services"),
        Route("/bekrafta/{token}", confirm.confirm_page, name="confirm"),
        Route("/bekrafta/{token}/{service_id:id}", confirm.confirm_service, methods=["POST"], name="confirm_service"),
        # HSDS 3.0 API and exports
        Route("/api", api.root, name="api_root"),
        Route("/api/", api.root, name="api_root_slash"),
        Route("/api/services", api.services, name="api_services"),
        Route("/api/services/{id}", api.service, name="api_service"),
        Route("/api/organizations", api.organizations, name="api_organizations"),
        Route("/api/organizations/{id}", api.organization, name="api_organization"),
        Route("/api/taxonomies", api.taxonomies, name="api_taxonomies"),
        Route("/api/taxonomies/{id}", api.taxonomy, name="api_taxonomy"),
        Route("/api/taxonomy_terms", api.taxonomy_terms, name="api_taxonomy_terms"),
        Route("/api/taxonomy_terms/{id}", api.taxonomy_term, name="api_taxonomy_term"),
        Route("/export/hsds.json", views.export_json, name="export_json"),
        Route("/export/hsds-csv.zip", views.export_csv, name="export_csv"),
        # admin
        Route("/admin", admin.overview, name="admin"),
        Route("/admin/tjanst/ny", admin.service_edit, methods=GET_POST, name="service_new"),
        Route("/admin/tjanst/{service_id:id}", admin.service_edit, methods=GET_POST, name="service_edit"),
        Route(
            "/admin/tjanst/{service_id:id}/kontrollerad", admin.service_verify, methods=["POST"], name="service_verify"
        ),
        Route(
            "/admin/tjanst/{service_id:id}/avvikelser",
            special_hours.special_hours_page,
            methods=GET_POST,
            name="special_hours",
        ),
        Route(
            "/admin/tjanst/{service_id:id}/avvikelser/{special_id:id}/ta-bort",
            special_hours.special_hours_delete,
            methods=["POST"],
            name="special_hours_delete",
        ),
        Route("/admin/organisationer", admin.organisation_list, name="admin_organisations"),
        Route("/admin/organisation/ny", admin.organisation_edit, methods=GET_POST, name="organisation_new"),
        Route(
            "/admin/organisation/{organisation_id:id}",
            admin.organisation_edit,
            methods=GET_POST,
            name="organisation_edit",
        ),
        Route("/admin/behov", admin.terms_page, methods=GET_POST, name="admin_terms"),
        Route("/admin/behov/{term_id:id}", admin.term_edit, methods=["POST"], name="term_edit"),
        Route("/admin/forslag/{proposal_id:id}", admin.proposal_decide, methods=["POST"], name="proposal_decide"),
        Route("/admin/roller", admin.roles_page, methods=GET_POST, name="admin_roles"),
        Route("/admin/roller/{membership_id:id}/ta-bort", admin.role_delete, methods=["POST"], name="role_delete"),
        Route("/admin/vardcentraler", admin.health_centre_add, methods=["POST"], name="health_centre_add"),
        Route("/admin/import", views.import_form, methods=GET_POST, name="import"),
    ]
