"""``paraply import-members``: bring an umbrella's member register (a CSV file,
usually saved from Excel) into the directory.

Nothing is half-imported. Every row is checked first (``plan_import``, usable
without click, e.g. by the demo data), then all accepted rows are written in
one transaction. By default one bad row stops the whole file, because a
register with errors in it is better fixed and re-run than partly loaded;
``--skip-invalid`` imports the good rows and reports the others.

Rows match existing associations by slug, else by name (case-insensitive);
those are updated, the others created approved and public. A blank cell leaves
the stored value as it is (association editors may have written a longer
description than the register has): to empty a field, edit it on the site.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from core.api import PHONE_PATTERN, Site, load_site, pending_migrations, site_option, utcnow
from plugins.webportal.directory import normalise_website, refresh_search_text, set_status
from plugins.webportal.models import Association, Status, Visibility
from plugins.webportal.settings import WebportalSettings
from plugins.webportal.slugs import slugify, unique_slug

PLUGIN = "webportal"
FIRST_DATA_ROW = 2  # the header is row 1, as in Excel

#: Column headers people write (case and spaces/dashes ignored) -> field name.
ALIASES: dict[str, str] = {
    "name": "name",
    "namn": "name",
    "foreningens_namn": "name",
    "föreningens_namn": "name",
    "forening": "name",
    "förening": "name",
    "slug": "slug",
    "adressnamn": "slug",
    "category": "category",
    "kategori": "category",
    "municipality": "municipality",
    "kommun": "municipality",
    "short_description": "short_description",
    "kort_beskrivning": "short_description",
    "kortbeskrivning": "short_description",
    "description": "description",
    "beskrivning": "description",
    "website": "website",
    "webbplats": "website",
    "webbadress": "website",
    "hemsida": "website",
    "email": "email",
    "e_mail": "email",
    "e_post": "email",
    "epost": "email",
    "e_postadress": "email",
    "epostadress": "email",
    "phone": "phone",
    "telefon": "phone",
    "telefonnummer": "phone",
    "address": "address",
    "adress": "address",
    "founded_year": "founded_year",
    "founded": "founded_year",
    "grundad": "founded_year",
    "grundat": "founded_year",
    "grundad_år": "founded_year",
    "grundår": "founded_year",
    "activities": "activities",
    "aktiviteter": "activities",
    "verksamheter": "activities",
    "visibility": "visibility",
    "synlighet": "visibility",
}
#: Swedish header to show in messages for each field.
LABELS: dict[str, str] = {
    "name": "namn",
    "slug": "slug",
    "category": "kategori",
    "municipality": "kommun",
    "short_description": "kort_beskrivning",
    "description": "beskrivning",
    "website": "webbplats",
    "email": "e-post",
    "phone": "telefon",
    "address": "adress",
    "founded_year": "grundad",
    "activities": "aktiviteter",
    "visibility": "synlighet",
}
REQUIRED = ("name", "category", "municipality")
#: Column lengths of ``Association``: a longer value would fail on PostgreSQL.
MAX_LENGTHS: dict[str, int] = {
    "name": 200,
    "slug": 120,
    "short_description": 300,
    "website": 300,
    "email": 254,
    "phone": 40,
    "address": 300,
    "activities": 1000,
}
VISIBILITY_WORDS: dict[str, str] = {
    "public": Visibility.PUBLIC.value,
    "synlig": Visibility.PUBLIC.value,
    "offentlig": Visibility.PUBLIC.value,
    "ja": Visibility.PUBLIC.value,
    "hidden": Visibility.HIDDEN.value,
    "dold": Visibility.HIDDEN.value,
    "nej": Visibility.HIDDEN.value,
}
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class CsvImportError(Exception):
    """A problem with the whole file (encoding, missing columns), worded for
    the person running the import."""


# -- the plan -----------------------------------------------------------------------------


@dataclass
class Rejection:
    row: int
    name: str
    reasons: list[str]


@dataclass
class PlannedRow:
    """An accepted row: the cleaned, non-blank values to store, and which
    association they go to (``existing_id`` None: a new one with ``slug``)."""

    row: int
    slug: str
    values: dict[str, Any]
    existing_id: int | None = None


@dataclass
class ImportPlan:
    new: list[PlannedRow] = field(default_factory=list)
    updated: list[PlannedRow] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> list[PlannedRow]:
        return [*self.new, *self.updated]

    def summary(self) -> str:
        """ "12 nya, 3 uppdaterade, 2 avvisade", with Swedish singulars."""
        n, u, r = len(self.new), len(self.updated), len(self.rejected)
        return (
            f"{n} {'ny' if n == 1 else 'nya'}, "
            f"{u} {'uppdaterad' if u == 1 else 'uppdaterade'}, "
            f"{r} {'avvisad' if r == 1 else 'avvisade'}"
        )


def canonical_column(header: str) -> str | None:
    """The field a header means, or None: 'E-post', 'e_post' and 'Epost' are one."""
    key = re.sub(r"[\s\-]+", "_", header.strip().casefold())
    return ALIASES.get(key)


def _clean(raw: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Values keyed by field name, stripped; and the headers not understood."""
    values: dict[str, str] = {}
    unknown: list[str] = []
    for header, value in raw.items():
        if header is None:  # csv puts surplus cells of a row under None
            continue
        name = canonical_column(str(header))
        if name is None:
            if str(header).strip():
                unknown.append(str(header).strip())
            continue
        text = "" if value is None else str(value).strip()
        if text and not values.get(name):
            values[name] = text
    return values, unknown


def _choose(value: str, options: list[str]) -> str | None:
    """The configured spelling of ``value`` (case-insensitive), or None."""
    folded = value.casefold()
    return next((o for o in options if o.casefold() == folded), None)


def _check_choice(values: dict[str, Any], key: str, options: list[str], what: str, errors: list[str]) -> None:
    value = values.get(key)
    if not value:
        return
    chosen = _choose(value, options)
    if chosen is None:
        errors.append(f"Okänd {what} ”{value}”. Använd en av: {', '.join(options)}.")
    else:
        values[key] = chosen


def _check_website(values: dict[str, Any], errors: list[str]) -> None:
    """Only http(s) addresses with a host name, never javascript: or data:."""
    if "website" not in values:
        return
    website = normalise_website(values["website"])
    try:
        parts = urlsplit(website)
        scheme, host = parts.scheme, parts.hostname or ""
    except ValueError:  # e.g. an unclosed [ in the host
        scheme, host = "", ""
    if scheme not in ("http", "https") or " " in website or ("." not in host and host != "localhost"):
        errors.append(f"Webbplatsen ”{values['website']}” är ingen webbadress. Skriv den som https://foreningen.se.")
    values["website"] = website


def _check_email(values: dict[str, Any], errors: list[str]) -> None:
    if "email" not in values:
        return
    try:
        validate_email(values["email"], check_deliverability=False)
    except EmailNotValidError:
        errors.append(f"E-postadressen ”{values['email']}” är inte giltig. Skriv den som namn@foreningen.se.")


def _check_phone(values: dict[str, Any], errors: list[str]) -> None:
    if "phone" in values and not PHONE_PATTERN.match(values["phone"]):
        errors.append(
            f"Telefonnumret ”{values['phone']}” går inte att läsa. Skriv det med siffror, till exempel 0586-123 45."
        )


def _check_year(values: dict[str, Any], errors: list[str]) -> None:
    if "founded_year" not in values:
        return
    raw = values["founded_year"]
    this_year = date.today().year
    text = raw[:-2] if raw.endswith(".0") else raw  # Excel sometimes writes 1985.0
    if not re.fullmatch(r"\d{4}", text) or not 1800 <= int(text) <= this_year:
        errors.append(f"Grundad ”{raw}” är inget årtal. Skriv ett år mellan 1800 och {this_year}, till exempel 1985.")
        return
    values["founded_year"] = int(text)


def _check_visibility(values: dict[str, Any], errors: list[str]) -> None:
    if "visibility" not in values:
        return
    chosen = VISIBILITY_WORDS.get(values["visibility"].casefold())
    if chosen is None:
        errors.append(f"Synlighet ”{values['visibility']}” känns inte igen. Skriv synlig eller dold.")
    else:
        values["visibility"] = chosen


def _check_slug(values: dict[str, Any], errors: list[str]) -> None:
    if "slug" in values:
        values["slug"] = values["slug"].lower()
        if not SLUG_PATTERN.match(values["slug"]):
            errors.append(
                f"Slug ”{values['slug']}” får bara ha små bokstäver a–z, siffror och bindestreck, "
                "till exempel karlskoga-simklubb. Lämna tomt så skapas den från namnet."
            )


def check_row(values: dict[str, Any], settings: WebportalSettings) -> list[str]:
    """Every problem with one row, in Swedish, each saying what to write
    instead. Normalises ``values`` in place (configured spelling of category
    and municipality, https:// on bare web addresses, the year as a number)."""
    errors: list[str] = []
    for key in REQUIRED:
        if not values.get(key):
            errors.append(f"Kolumnen {LABELS[key]} är tom. Den måste fyllas i.")
    for key, limit in MAX_LENGTHS.items():
        if len(values.get(key, "")) > limit:
            errors.append(f"{LABELS[key].capitalize()} är för lång: högst {limit} tecken.")
    if "name" in values:
        values["name"] = " ".join(values["name"].split())
    if "activities" in values:
        values["activities"] = ", ".join(a.strip() for a in values["activities"].split(",") if a.strip())
    _check_slug(values, errors)
    _check_choice(values, "category", settings.categories, "kategori", errors)
    _check_choice(values, "municipality", settings.municipalities, "kommun", errors)
    _check_website(values, errors)
    _check_email(values, errors)
    _check_phone(values, errors)
    _check_year(values, errors)
    _check_visibility(values, errors)
    return errors


def plan_import(
    site: Site,
    rows: Iterable[Mapping[str, Any]],
    session: Session | None = None,
    *,
    first_row: int = FIRST_DATA_ROW,
) -> ImportPlan:
    """Check ``rows`` (dicts keyed by column header, English or Swedish) and
    decide for each: new, update of an existing association, or rejected
    with reasons. Writes nothing. Row numbers count from ``first_row``."""
    if session is None:
        with site.session() as own:
            return plan_import(site, rows, own, first_row=first_row)
    settings = site.plugin_settings(PLUGIN, WebportalSettings)
    existing = session.exec(select(Association.id, Association.slug, Association.name)).all()
    by_slug = {slug: (id_, slug) for id_, slug, _ in existing}
    by_name = {name.casefold(): (id_, slug) for id_, slug, name in existing}
    taken = set(by_slug)
    seen: dict[str, int] = {}  # slug or folded name -> row that claimed it
    plan = ImportPlan()
    for number, raw in enumerate(rows, start=first_row):
        values, unknown = _clean(raw)
        plan.unknown_columns += [u for u in unknown if u not in plan.unknown_columns]
        if not any(values.values()):
            continue  # an empty line at the end of a spreadsheet
        errors = check_row(values, settings)
        match = by_slug.get(values.get("slug", "")) or by_name.get(values.get("name", "").casefold())
        slug = match[1] if match else values.get("slug") or unique_slug(slugify(values.get("name", "")), taken)
        keys = {slug, values.get("name", "").casefold()} - {""}
        earlier = next((seen[k] for k in keys if k in seen), None)
        if earlier is not None:
            errors.append(f"Föreningen finns redan på rad {earlier} i filen. Ta bort en av raderna.")
        if errors:
            plan.rejected.append(Rejection(number, values.get("name", ""), errors))
            continue
        for key in keys:
            seen[key] = number
        taken.add(slug)
        values.pop("slug", None)
        if match:
            plan.updated.append(PlannedRow(number, slug, values, existing_id=match[0]))
        else:
            plan.new.append(PlannedRow(number, slug, values))
    return plan


# -- writing ------------------------------------------------------------------------------


def _apply_values(association: Association, values: Mapping[str, Any]) -> None:
    for key, value in values.items():
        setattr(association, key, value)
    association.updated_at = utcnow()
    refresh_search_text(association)


def new_association(planned: PlannedRow, status: Status = Status.APPROVED) -> Association:
    """A new association from an accepted row: approved and public unless
    the row says hidden (the demo data makes its applications pending)."""
    association = Association(slug=planned.slug, name="", category="", municipality="")
    set_status(association, status)
    _apply_values(association, planned.values)
    return association


def apply_plan(session: Session, plan: ImportPlan, progress: Callable[[int], None] | None = None) -> None:
    """Add and update the plan's accepted rows in ``session``. The caller
    commits, once, so the import is all or nothing."""
    for planned in plan.new:
        session.add(new_association(planned))
        if progress:
            progress(1)
    for planned in plan.updated:
        association = session.get(Association, planned.existing_id)
        if association is None:  # removed since the plan was made
            raise CsvImportError(f"Föreningen på rad {planned.row} togs bort under importen. Kör importen igen.")
        _apply_values(association, planned.values)
        session.add(association)
        if progress:
            progress(1)
    session.flush()


# -- reading the file ------------------------------------------------------------------------


def decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except LookupError as exc:
        raise CsvImportError(
            f"Teckenkodningen ”{encoding}” finns inte. "
            "Använd till exempel --encoding utf-8-sig eller --encoding cp1252."
        ) from exc
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvImportError(
            f"Filen kunde inte läsas som {encoding}: ett tecken på rad {line} går inte att tolka. "
            "Filer som sparats från Excel som ”CSV (semikolonavgränsad)” har ofta teckenkodningen Windows-1252: "
            "kör igen med --encoding cp1252 (eller spara filen som ”CSV UTF-8” i Excel)."
        ) from exc


def _header_fields(text: str, delimiter: str) -> list[str | None]:
    first = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    return [canonical_column(h) for h in first]


def detect_delimiter(text: str) -> str:
    """',' or ';' (Swedish Excel writes ';'). ``csv.Sniffer`` guesses from a
    sample; if its guess does not give a header with a known column but the
    other one does, the other one wins. Falls back to ','."""
    sample = text[:8192]
    try:
        guess = csv.Sniffer().sniff(sample, delimiters=",;").delimiter
    except csv.Error:
        guess = ","
    other = ";" if guess == "," else ","

    def known(d: str) -> int:
        return sum(1 for f in _header_fields(sample, d) if f)

    return other if known(other) > known(guess) else guess


def read_rows(text: str, delimiter: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header cells and the data rows of a CSV text. Refuses a file whose
    header lacks a required column, with a hint when the delimiter looks wrong."""
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers = [h.strip() for h in (reader.fieldnames or [])]
    if not headers:
        raise CsvImportError("Filen är tom. Första raden ska ha kolumnrubriker, till exempel namn;kategori;kommun.")
    present = {canonical_column(h) for h in headers}
    missing = [LABELS[k] for k in REQUIRED if k not in present]
    if missing:
        hint = ""
        if len(headers) == 1 and re.search(r"[,;\t|:]", headers[0]):
            hint = " Kolumnerna verkar skilda med ett annat tecken: ange det med --delimiter ';' eller --delimiter ','."
        raise CsvImportError(
            f"Filen saknar {'kolumnen' if len(missing) == 1 else 'kolumnerna'} {', '.join(missing)}. "
            "Första raden ska ha kolumnrubriker, "
            f"till exempel namn;kategori;kommun;e-post (hittade: {', '.join(headers)}).{hint}"
        )
    return headers, list(reader)


def write_report(path: Path, plan: ImportPlan, delimiter: str) -> None:
    """The rejected rows as CSV (row number, name, reason), in UTF-8 with BOM
    and the input's delimiter so Excel opens it like the file it came from."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(["rad", "namn", "orsak"])
        for rejection in plan.rejected:
            writer.writerow([rejection.row, rejection.name, " ".join(rejection.reasons)])


# -- the command -----------------------------------------------------------------------------


def _load_site(site_name: str) -> Site:
    site = load_site(site_name)
    if PLUGIN not in site.enabled:
        raise click.ClickException(
            f"Webbplatsen {site.name} har inte tillägget webportal påslaget, så den har ingen föreningslista. "
            f'Lägg till "webportal" i site.plugins i {site.config_path}, eller välj en annan webbplats med --site.'
        )
    waiting = pending_migrations(site)
    if waiting:
        raise click.ClickException(
            f"Databasen behöver migreras ({', '.join(waiting)}). Kör: paraply migrate --site {site_name}"
        )
    return site


def _echo_rejections(plan: ImportPlan) -> None:
    for rejection in plan.rejected:
        name = f" ({rejection.name})" if rejection.name else ""
        click.echo(f"Rad {rejection.row}{name}:")
        for reason in rejection.reasons:
            click.echo(f"  - {reason}")


@click.command("import-members")
@site_option
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show what would happen; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows even if some are rejected.")
@click.option(
    "--report", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Write rejected rows to this CSV."
)
@click.option("--delimiter", help="Column separator; default: detect ',' or ';'.")
@click.option("--encoding", default="utf-8-sig", show_default=True, help="E.g. cp1252 for older Excel files.")
def import_members(
    site_name: str,
    csv_file: Path,
    dry_run: bool,
    skip_invalid: bool,
    report: Path | None,
    delimiter: str | None,
    encoding: str,
) -> None:
    """Import member associations from a CSV file (Swedish or English headers).

    Rows match existing associations by slug or name and update them; other
    rows become new, approved associations. Blank cells keep stored values.
    One rejected row stops the whole import unless --skip-invalid is given."""
    site = _load_site(site_name)
    if delimiter is not None and delimiter.lower() in ("tab", "\\t"):
        delimiter = "\t"
    if delimiter is not None and len(delimiter) != 1:
        raise click.BadParameter("ange ett enda tecken, till exempel ';' eller ','.", param_hint="--delimiter")
    try:
        text = decode(csv_file.read_bytes(), encoding)
        delimiter = delimiter or detect_delimiter(text)
        _headers, rows = read_rows(text, delimiter)
    except CsvImportError as exc:
        raise click.ClickException(str(exc)) from exc

    with site.session() as db:
        with click.progressbar(rows, label="Granskar raderna") as bar:
            plan = plan_import(site, bar, db)
        if plan.unknown_columns:
            click.echo(f"Okända kolumner hoppas över: {', '.join(plan.unknown_columns)}.")
        if report is not None:
            write_report(report, plan, delimiter)
            click.echo(f"Rapporten över avvisade rader ({len(plan.rejected)} st) är sparad i {report}.")
        _echo_rejections(plan)
        if plan.rejected and not skip_invalid:
            click.echo(
                f"Inget importerades ({plan.summary()}). Rätta raderna och kör igen, "
                "eller använd --skip-invalid för att importera de godkända raderna.",
                err=True,
            )
            click.get_current_context().exit(1)
        if dry_run:
            click.echo(f"Provkörning, inget sparades: {plan.summary()}.")
            return
        with click.progressbar(length=len(plan.accepted), label="Sparar") as bar:
            try:
                apply_plan(db, plan, progress=bar.update)
            except CsvImportError as exc:
                raise click.ClickException(str(exc)) from exc
        db.commit()
    click.echo(f"Klart: {plan.summary()}.")
