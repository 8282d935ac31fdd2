"""Shared set-up for tests that need member associations in the database:
the directory, news, feeds, the report, permissions and federation tests all
start from "an approved association exists", so they make it the same way."""

from __future__ import annotations

from typing import Any

from core.models import User, utcnow
from core.site import Site
from plugins.webportal import directory
from plugins.webportal.models import Association, AssociationEditor, Status, Visibility
from plugins.webportal.slugs import slugify


def add_association(site: Site, name: str, *, editor: User | None = None, **fields: Any) -> Association:
    """An association straight into the database, as an approved application
    leaves it: approved and public in Karlskoga, category Idrott, with a short
    description and its search text, unless ``fields`` say otherwise. With
    ``editor``, that account may edit it."""
    values: dict[str, Any] = {
        "slug": slugify(name),
        "name": name,
        "category": "Idrott",
        "municipality": "Karlskoga",
        "status": Status.APPROVED,
        "visibility": Visibility.PUBLIC,
    }
    values.update(fields)
    values.setdefault("approved_at", utcnow() if values["status"] == Status.APPROVED else None)
    values.setdefault("short_description", f"{name} i {values['municipality']}.")
    association = Association(**values)
    directory.refresh_search_text(association)
    with site.session() as db:
        db.add(association)
        db.commit()
        db.refresh(association)
        if editor is not None:
            db.add(AssociationEditor(association_id=association.id, user_id=editor.id))
            db.commit()
            db.refresh(association)
    return association
