"""What the webportal holds about an account (core's ``own_data`` and
``forget_user`` hooks): the associations it edits and the news it wrote.
When the account is deleted the news stays with its association, without
an author; the editor links go."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, delete, select, update

from core.api import User
from plugins.webportal.models import Association, AssociationEditor, News


def data_of(session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    edits = session.exec(
        select(Association)
        .join(AssociationEditor, col(AssociationEditor.association_id) == col(Association.id))
        .where(AssociationEditor.user_id == user.id)
        .order_by(col(Association.name))
    ).all()
    news = session.exec(select(News).where(News.author_id == user.id).order_by(col(News.published_at))).all()
    names = {a.id: a.name for a in session.exec(select(Association)).all()} if news else {}
    return {
        "foreningar_som_redaktor": [{"id": a.id, "förening": a.name, "slug": a.slug} for a in edits],
        "nyheter": [
            {
                "id": n.id,
                "rubrik": n.title,
                "ingress": n.summary,
                "text": n.body,
                "förening": names.get(n.association_id, ""),
                "publicerad": n.published,
                "publicerad_den": n.published_at,
                "ändrad": n.updated_at,
            }
            for n in news
        ],
    }


def forget(session: Session, user: User) -> None:
    session.exec(delete(AssociationEditor).where(col(AssociationEditor.user_id) == user.id))
    session.exec(update(News).where(col(News.author_id) == user.id).values(author_id=None))
