"""The webportal plugin's tables, all prefixed ``webportal_``."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core.api import utcnow


class Status(StrEnum):
    PENDING = "pending"  # applied, waiting for an admin
    APPROVED = "approved"
    REJECTED = "rejected"


class Visibility(StrEnum):
    PUBLIC = "public"  # listed and searchable
    HIDDEN = "hidden"  # kept in the register, not shown publicly


class Association(SQLModel, table=True):
    __tablename__ = "webportal_association"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, index=True)
    name: str = Field(max_length=200)
    category: str = Field(max_length=60, index=True)
    municipality: str = Field(max_length=80, index=True)
    short_description: str = Field(default="", max_length=300)
    description: str = Field(default="")  # Markdown, sanitized when shown
    website: str = Field(default="", max_length=300)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    address: str = Field(default="", max_length=300)
    logo: str = Field(default="", max_length=200)  # file name under uploads/
    founded_year: int | None = None
    activities: str = Field(default="", max_length=1000)  # comma-separated
    visibility: str = Field(default=Visibility.PUBLIC, max_length=16)
    status: str = Field(default=Status.PENDING, max_length=16, index=True)
    # Who applied, so the admin can answer; kept only while pending.
    applicant_name: str = Field(default="", max_length=120)
    applicant_email: str = Field(default="", max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    approved_at: datetime | None = None
    search_text: str = Field(default="")

    @property
    def is_public(self) -> bool:
        return self.status == Status.APPROVED and self.visibility == Visibility.PUBLIC

    @property
    def activity_list(self) -> list[str]:
        return [a.strip() for a in self.activities.split(",") if a.strip()]


class AssociationEditor(SQLModel, table=True):
    """Links an editor account to an association it may edit."""

    __tablename__ = "webportal_editor"
    __table_args__ = (UniqueConstraint("association_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    association_id: int = Field(foreign_key="webportal_association.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="core_user.id", index=True, ondelete="CASCADE")


class News(SQLModel, table=True):
    __tablename__ = "webportal_news"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=400)
    body: str = Field(default="")  # Markdown
    image: str = Field(default="", max_length=200)
    image_alt: str = Field(default="", max_length=300)
    association_id: int | None = Field(
        default=None, foreign_key="webportal_association.id", index=True, ondelete="SET NULL"
    )
    author_id: int | None = Field(default=None, foreign_key="core_user.id", ondelete="SET NULL")
    published: bool = Field(default=True)
    published_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    search_text: str = Field(default="")


class Page(SQLModel, table=True):
    """An admin-edited page (Om oss, Kontakt, Tillgänglighetsredogörelse...)."""

    __tablename__ = "webportal_page"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, index=True)
    title: str = Field(max_length=200)
    body: str = Field(default="")  # Markdown
    in_nav: bool = Field(default=True)
    in_footer: bool = Field(default=False)
    nav_order: int = Field(default=50)
    updated_at: datetime = Field(default_factory=utcnow)
    search_text: str = Field(default="")


class Featured(SQLModel, table=True):
    """Månadens förening: one association per month, chosen by admins."""

    __tablename__ = "webportal_featured"

    id: int | None = Field(default=None, primary_key=True)
    month: date = Field(unique=True, index=True)  # first day of the month
    association_id: int = Field(foreign_key="webportal_association.id", ondelete="CASCADE")
    motivation: str = Field(default="", max_length=600)
    created_at: datetime = Field(default_factory=utcnow)
