"""Forms: WTForms with its Swedish messages, fed from Starlette's form data.

WTForms ships Swedish translations of its validation messages, so fields
validate and explain themselves in Swedish without our own catalogue.
Templates render fields with ``core/templates/macros/forms.html``, which links
each error to its field for screen readers.

Views are plain ``def`` functions, which Starlette runs in its thread pool so
their database queries and template rendering never hold up the event loop.
Such a view reads the posted body with ``Form.bind`` or ``read_form``: the
body is parsed on the event loop (it is network I/O) while the view's thread
waits, then the view goes on in its thread.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from anyio import from_thread
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from wtforms import Field, ValidationError, widgets
from wtforms import Form as _Form
from wtforms.fields.choices import Choice
from wtforms.meta import DefaultMeta

from core.i18n import BABEL_LOCALES, SOURCE_LOCALE, current_locale, gettext

F = TypeVar("F", bound="Form")

#: Largest request body a form may send (logo and image uploads included).
MAX_FORM_BYTES = 8 * 1024 * 1024
#: A phone number as people type it: digits, spaces, +, parentheses and dashes.
PHONE_PATTERN = re.compile(r"^[0-9 +()\-]{5,40}$")


class _TranslatedSelect(widgets.Select):
    """A select whose option labels are looked up in the catalogues as they
    render: fixed choices are module constants (``SelectChoice("x", "Synlig
    för alla")``), made before there is a request. Labels from data that are
    not msgids come out unchanged."""

    @classmethod
    def render_option(cls, choice: Choice, **kwargs: Any) -> Any:
        if type(choice.label) is str and choice.label:
            choice = choice._replace(label=gettext(choice.label))
        return super().render_option(choice, **kwargs)


class Form(_Form):
    class Meta(DefaultMeta):
        cache_translations = True

        def render_field(self, field: Any, render_kw: dict[str, Any]) -> Any:
            if type(field.widget) is widgets.Select:
                field.widget = _TranslatedSelect(multiple=field.widget.multiple)
            return super().render_field(field, render_kw)

        @property
        def locales(self) -> list[str]:  # type: ignore[override]
            """WTForms' own messages ("Inte ett giltigt heltal") in the
            request's language, like the rest of the page; Swedish outside a request."""
            lang = current_locale.get() or SOURCE_LOCALE
            return [BABEL_LOCALES.get(lang, lang), lang]

    @classmethod
    async def from_request(cls: type[F], request: Request, **kwargs: Any) -> F:
        """Bind the posted form (or nothing, on GET) to a new form, in an
        ``async def`` view."""
        if request.method == "POST":
            data: FormData = await request.form(max_part_size=MAX_FORM_BYTES)
            return cls(formdata=_Adapter(data), **kwargs)
        return cls(**kwargs)

    @classmethod
    def bind(cls: type[F], request: Request, **kwargs: Any) -> F:
        """Bind the posted form (or nothing, on GET) to a new form, in a plain
        ``def`` view (which runs in the thread pool)."""
        if request.method == "POST":
            return cls(formdata=_Adapter(read_form(request)), **kwargs)
        return cls(**kwargs)

    def error_count(self) -> int:
        return sum(len(f.errors) for f in self)


def read_form(request: Request) -> FormData:
    """The posted form of a plain ``def`` view: parsed on the event loop
    (Starlette keeps it, so a second call costs nothing) while the view's
    thread waits. Parts are capped at ``MAX_FORM_BYTES``, and so is the whole
    body (core.bodylimit)."""

    async def parse() -> FormData:
        return await request.form(max_part_size=MAX_FORM_BYTES)

    return from_thread.run(parse)


class _Adapter:
    """What WTForms expects of form data (``getlist``, ``__contains__``).
    Empty file inputs arrive as an UploadFile without a name; they are dropped
    so an optional file field is simply empty."""

    def __init__(self, data: FormData) -> None:
        self.data = data

    def __iter__(self) -> Any:
        return iter(self.data.keys())

    def __len__(self) -> int:
        return len(self.data)

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def getlist(self, key: str) -> list[Any]:
        return [v for v in self.data.getlist(key) if not (isinstance(v, UploadFile) and not v.filename)]


class PhoneNumber:
    """A phone number field's validator: trims the value and refuses anything
    but digits, spaces, ``+``, ``()`` and ``-``. Empty passes (a phone number is
    optional wherever we ask for one). Each form shows an example its users
    know, so the example is a parameter; one with words in it ("eller") is
    marked with ``N_`` where it is defined and translated here, when shown."""

    def __init__(self, example: str) -> None:
        self.example = example

    def __call__(self, form: _Form, field: Field) -> None:
        value = (field.data or "").strip()
        field.data = value
        if value and not PHONE_PATTERN.match(value):
            raise ValidationError(
                gettext("Skriv telefonnumret med siffror, till exempel %(example)s.")
                % {"example": gettext(self.example)}
            )
