"""Which member associations suit an assignment: the assignment's words,
stemmed as the site's search stems them (Swedish), against each
association's search words from the directory (name, descriptions,
activities, category), plus its municipality named in the assignment, plus
the social-enterprise mark when the assignment asks for one. Staff choose;
the association always decides."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from core.api import AssociationRef, Site, index_text, member_associations
from plugins.samverkan.models import Assignment, SocialEnterprise

#: Common words that say nothing about what an association does.
STOP = frozenset(
    "och att för med som till på av den det en ett i är vi ni de om vid kan ska har från eller inte under där".split()
)


@dataclass(frozen=True)
class Suggestion:
    ref: AssociationRef
    score: int
    reasons: tuple[str, ...]
    social: bool


def social_slugs(db: Session) -> set[str]:
    return set(db.exec(select(SocialEnterprise.association_slug)).all())


def suggest(site: Site, db: Session, assignment: Assignment, skip: set[str], limit: int = 8) -> list[Suggestion]:
    wanted = {t for t in index_text(assignment.title, assignment.description).split() if len(t) > 2 and t not in STOP}
    where = f"{assignment.place} {assignment.requester} {assignment.description}".casefold()
    social = social_slugs(db)
    found: list[Suggestion] = []
    for ref in member_associations(site, db):
        if ref.slug in skip:
            continue
        shared = sorted(wanted & set(ref.search_text.split()))
        score, reasons = len(shared), [", ".join(shared[:4])] if shared else []
        if ref.municipality and ref.municipality.casefold() in where:
            score += 2
            reasons.append(ref.municipality)
        if assignment.social_enterprise and ref.slug in social:
            score += 3
            reasons.append("socialt företag")
        if score > 0:
            found.append(Suggestion(ref, score, tuple(reasons), ref.slug in social))
    found.sort(key=lambda s: (-s.score, s.ref.name))
    return found[:limit]
