"""The kinds a site federates: what its enabled plugins contribute.

``FederatedKind``, ``FeedItem`` and ``tag_authority`` belong to the hook
interface and live in core (``core.api``); they are imported here too, so
federation's modules find them beside ``kinds_for``.
"""

from __future__ import annotations

from core.api import FederatedKind, FeedItem, Site, tag_authority

__all__ = ["FederatedKind", "FeedItem", "kinds_for", "tag_authority"]


def kinds_for(site: Site) -> dict[str, FederatedKind]:
    """Every kind the site's enabled plugins contribute, in plugin order;
    the first plugin to claim a name keeps it."""
    found: dict[str, FederatedKind] = {}
    for kinds in site.pm.hook.federated_kinds(site=site):
        for kind in kinds or ():
            found.setdefault(kind.name, kind)
    return found
