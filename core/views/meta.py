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
    from core.memo import remember_for
    from core.web_settings import refresh_quietly, restart_pending

    refresh_quietly(site)
    context = {
        "links": links,
        "restart": restart_pending(site),
        # Alembic reads every migration script to tell: 0.4 s (issue 21), so
        # asked again only after a change (a migration bumps the content version).
        "pending_migrations": remember_for(site, request, "core.pending_migrations", lambda: pending_migrations(site)),
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


SEARCH_PER_PAGE = 20


def search(request: Request) -> Response:
    """The site search: the site's own content and its peers' federated
    copies from the search index, ranked together and paged in SQL, each hit
    marked with its site; filters by kind (``typ``) and site (``sajt``:
    ``egen`` or a peer's id). Plugins without indexed kinds add their hits
    below on the first page (``search_results`` hook)."""
    from core import search_index
    from core.paging import page_link, page_number

    site = _site(request)
    query = (request.query_params.get("q") or "").strip()[:200]
    labels = {k.name: k.title for k in collect(site.pm, "federated_kinds", site=site)}
    labels |= {name: kind.label for name, kind in search_index.kinds(site).items()}
    kind = request.query_params.get("typ", "")
    kind = kind if kind in labels else ""
    chosen = request.query_params.get("sajt", "")
    origins: list[int] | None = None
    if chosen == "egen":
        origins = [0]
    elif chosen.isdigit() and len(chosen) < 10 and int(chosen) > 0:
        origins = [int(chosen)]
    else:
        chosen = ""
    groups: list[tuple[str, list[SearchResult]]] = []
    found = None
    if query:
        with site.session() as db:
            found = search_index.search(
                db,
                query,
                kinds=[kind] if kind else list(labels),
                origins=origins,
                page=page_number(request),
                per_page=SEARCH_PER_PAGE,
                facets=True,
            )
            results: list[SearchResult] = []
            if found.page == 1 and not kind and not chosen:
                results = collect(site.pm, "search_results", site=site, query=query, session=db, request=request)
        for group, items in groupby(results, key=lambda r: r.kind):
            groups.append((group, list(items)))
    sites = {"egen": site.name}
    if found is not None:
        sites |= {str(o): name for o, name in sorted(found.origin_names.items(), key=lambda i: i[1]) if o}
    total = (found.total if found else 0) + sum(len(items) for _, items in groups)
    return site.render(
        request,
        "search.html",
        {
            "query": query,
            "groups": groups,
            "total": total,
            "found": found,
            "labels": labels,
            "kind": kind,
            "chosen": chosen,
            "sites": sites,
            "page_link": page_link("/sok", {"q": query, "typ": kind, "sajt": chosen}),
        },
    )
