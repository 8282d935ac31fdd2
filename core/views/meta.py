"""Pages about the site itself: the admin overview, the plugin list
(``/-/plugins`` and ``/-/plugins.json``) and the site-wide search."""

from __future__ import annotations

from itertools import groupby

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core.contributions import NavItem, SearchResult
from core.permissions import require_admin
from core.plugins import collect
from core.site import Site


def _site(request: Request) -> Site:
    site: Site = request.app.state.site  # Starlette's app state is untyped
    return site


def plugin_rows(site: Site) -> list[dict[str, object]]:
    rows = []
    for info in site.plugin_infos():
        rows.append(
            {
                "name": info.name,
                "version": info.version,
                "source": info.source,
                "prefix": "" if info.name == "core" else (site.prefix(info.name) or "/"),
                "hooks": sorted(h.name for h in site.pm.get_hookcallers(site.pm.get_plugin(info.name)) or []),
                "templates": info.templates_dir is not None,
                "static": info.static_dir is not None,
                "migrations": info.migrations_dir is not None,
            }
        )
    return rows


def plugins_json(request: Request) -> Response:
    site = _site(request)
    blocked = sorted(name for name in site.installed if name not in site.enabled)
    return JSONResponse({"site": site.slug, "plugins": plugin_rows(site), "installed_not_enabled": blocked})


def plugins_html(request: Request) -> Response:
    site = _site(request)
    blocked = sorted(name for name in site.installed if name not in site.enabled)
    return site.render(request, "plugins.html", {"plugins": plugin_rows(site), "blocked": blocked})


def admin_index(request: Request) -> Response:
    site = _site(request)
    require_admin(request)
    links: list[NavItem] = sorted(collect(site.pm, "admin_links", site=site, request=request), key=lambda n: n.order)
    from core import __version__
    from core.health import pending_migrations

    context = {
        "links": links,
        "pending_migrations": pending_migrations(site),
        "site_slug": site.slug,
        "paraply_version": __version__,
    }
    return site.render(request, "admin/index.html", context)


def daily_runs(request: Request) -> Response:
    """What the daily jobs did, day by day: staff see that reminders went out
    and personal data was deleted, or what went wrong."""
    from core import daily

    site = _site(request)
    require_admin(request)
    jobs = daily.jobs(site)
    return site.render(
        request,
        "admin/daily.html",
        {
            "runs": daily.recent_runs(site),
            "titles": {job.name: job.title for job in jobs},
            "run_from": daily.RUN_FROM,
            "jobs": jobs,
            "automatic": daily.enabled_by_environment(),
        },
    )


def search(request: Request) -> Response:
    site = _site(request)
    query = (request.query_params.get("q") or "").strip()[:200]
    groups: list[tuple[str, list[SearchResult]]] = []
    if query:
        with site.session() as db:
            results: list[SearchResult] = collect(
                site.pm, "search_results", site=site, query=query, session=db, request=request
            )
        for kind, items in groupby(results, key=lambda r: r.kind):
            groups.append((kind, list(items)))
    total = sum(len(items) for _, items in groups)
    return site.render(request, "search.html", {"query": query, "groups": groups, "total": total})
