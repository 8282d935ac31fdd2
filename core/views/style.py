"""The living style page, ``/-/stil``: every component of the design system
(core/static/paraply.css, core/templates/macros/) rendered by its own macro,
with a line on when to use it. For the site's staff and plugin authors, so
it is for admins only; the browser tests run axe on it at both widths."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    validators,
)

from core.forms import Form, SelectChoice
from core.images import make_variants
from core.permissions import require_admin
from core.site import Site


class ExampleForm(Form):
    """Fields of every kind, two of them filled in wrongly, so the page shows
    hints, errors (WTForms' Swedish messages) and the error summary."""

    name = StringField("Föreningens namn", [validators.InputRequired()], description="Som den står i stadgarna.")
    members = IntegerField("Antal medlemmar", [validators.Optional()])
    category = SelectField(
        "Kategori", choices=[SelectChoice("idrott", "Idrott"), SelectChoice("kultur", "Kultur och musik")]
    )
    founded = DateField("Bildad", [validators.Optional()])
    about = TextAreaField("Om föreningen", description="Några meningar om vad ni gör.")
    newsletter = BooleanField("Skicka nyhetsbrevet till mig")


def _example_form() -> ExampleForm:
    sent = FormData([("exempel-name", ""), ("exempel-members", "tre"), ("exempel-category", "kultur")])
    form = ExampleForm(formdata=sent, prefix="exempel")
    form.validate()
    return form


#: The style page's example picture, drawn once into the uploads folder (with its sizes).
EXAMPLE_PICTURE = "stil-exempel-0000000000000000.png"


def _example_picture(site: Site) -> str:
    """A picture for the examples, so the page shows the real markup with
    sizes; drawn with Pillow the first time the page is shown."""
    if not (site.uploads_dir / EXAMPLE_PICTURE).is_file():
        from PIL import Image, ImageDraw

        img = Image.new("RGB", (960, 640), "#cfe3f3")
        draw = ImageDraw.Draw(img)
        draw.ellipse((640, 80, 800, 240), fill="#ffd23f")
        draw.polygon([(0, 640), (0, 420), (300, 300), (620, 440), (960, 360), (960, 640)], fill="#5fa052")
        site.uploads_dir.mkdir(parents=True, exist_ok=True)
        img.save(site.uploads_dir / EXAMPLE_PICTURE, format="PNG")
        make_variants(site.uploads_dir, EXAMPLE_PICTURE)
    return EXAMPLE_PICTURE


def style_guide(request: Request) -> Response:
    site: Site = request.app.state.site
    require_admin(request)
    return site.render(
        request, "admin/style.html", {"form": _example_form(), "example_picture": _example_picture(site)}
    )
