"""``paraply import-members``: a member register in CSV into the directory,
all or nothing, on both databases."""

from __future__ import annotations

import csv

from sqlmodel import select

from core.models import utcnow
from plugins.webportal.import_members import plan_import
from plugins.webportal.models import Association, Status, Visibility
from tests.conftest import text_of, write_site
from tests.test_cli import paraply  # noqa: F401  (fixture)

SWEDISH_EXCEL = (
    "Namn;Kategori;Kommun;Kort beskrivning;E-post;Webbplats;Telefon;Grundad;Aktiviteter;Synlighet\n"
    "Karlskoga Simklubb;idrott;KARLSKOGA;Simskola och vattengympa, för alla åldrar.;info@simklubben.example;"
    "simklubben.example;0586-612 40;1942;simskola,  vattengympa ,;synlig\n"
    "Degerfors Frimärksklubb;Intresse och hobby;Degerfors;Vilande.;;;;1954;;dold\n"
)


def _associations(site) -> dict[str, Association]:  # type: ignore[no-untyped-def]
    with site.session() as db:
        return {a.name: a for a in db.exec(select(Association)).all()}


def _write(tmp_path, text: str, name: str = "medlemmar.csv", encoding: str = "utf-8"):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_comma_csv_creates_approved_public_associations_that_can_be_found(paraply, site, client, tmp_path):  # noqa: F811
    path = _write(
        tmp_path,
        "name,category,municipality,short_description,description,activities\n"
        'Karlskoga Kammarkör,Kultur,Karlskoga,"Blandad kör, 35 sångare.","Vi sjunger **körsång** i advent.",'
        '"konserter, körresor"\n'
        "PRO Degerfors,Pensionärer,Degerfors,Månadsmöten och resor.,,bingo\n",
    )
    result = paraply("import-members", "--site", site.folder, path)
    assert result.exit_code == 0, result.output
    assert "Klart: 2 nya, 0 uppdaterade, 0 avvisade." in result.output

    rows = _associations(site)
    choir = rows["Karlskoga Kammarkör"]
    assert (choir.slug, choir.status, choir.visibility) == ("karlskoga-kammarkor", Status.APPROVED, Visibility.PUBLIC)
    assert choir.approved_at is not None
    assert choir.activities == "konserter, körresor"
    found = text_of(client.get("/foreningar", params={"q": "KÖRSÅNG"}).text)
    assert "Karlskoga Kammarkör" in found and "PRO Degerfors" not in found


def test_semicolon_csv_with_swedish_headers_from_excel(paraply, site, tmp_path):  # noqa: F811
    path = _write(tmp_path, SWEDISH_EXCEL, encoding="utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    result = paraply("import-members", "--site", site.folder, path)
    assert result.exit_code == 0, result.output
    assert "Klart: 2 nya, 0 uppdaterade, 0 avvisade." in result.output

    rows = _associations(site)
    swim = rows["Karlskoga Simklubb"]
    # Category and municipality take the configured spelling; a bare host gets https://.
    assert (swim.category, swim.municipality) == ("Idrott", "Karlskoga")
    assert swim.website == "https://simklubben.example"
    assert (swim.email, swim.phone, swim.founded_year) == ("info@simklubben.example", "0586-612 40", 1942)
    assert swim.activities == "simskola, vattengympa"
    assert rows["Degerfors Frimärksklubb"].visibility == Visibility.HIDDEN


def test_dry_run_writes_nothing(paraply, site, tmp_path):  # noqa: F811
    path = _write(tmp_path, SWEDISH_EXCEL)
    result = paraply("import-members", "--site", site.folder, path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Provkörning, inget sparades: 2 nya, 0 uppdaterade, 0 avvisade." in result.output
    assert _associations(site) == {}


def test_one_bad_row_rejects_the_whole_file_and_the_report_says_why(paraply, site, tmp_path):  # noqa: F811
    path = _write(
        tmp_path,
        SWEDISH_EXCEL + "Örebro Schackklubb;Intresse och hobby;Örebro;;schack(at)example;;;18;;\n",
    )
    report = tmp_path / "avvisade.csv"
    result = paraply("import-members", "--site", site.folder, path, "--report", report)
    assert result.exit_code == 1
    assert _associations(site) == {}  # nothing half-imported
    assert "Rad 4 (Örebro Schackklubb):" in result.output
    assert "Okänd kommun ”Örebro”. Använd en av: Karlskoga, Degerfors." in result.output
    assert "Inget importerades (2 nya, 0 uppdaterade, 1 avvisad)" in result.output
    assert "--skip-invalid" in result.output

    with report.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    assert rows[0] == ["rad", "namn", "orsak"]
    assert len(rows) == 2 and rows[1][:2] == ["4", "Örebro Schackklubb"]
    reason = rows[1][2]
    assert "Okänd kommun ”Örebro”" in reason
    assert "E-postadressen ”schack(at)example” är inte giltig" in reason
    assert "Grundad ”18” är inget årtal" in reason


def test_skip_invalid_imports_the_valid_rows_and_reports_the_rest(paraply, site, tmp_path):  # noqa: F811
    path = _write(tmp_path, SWEDISH_EXCEL + ";Idrott;Karlskoga;Namnet fattas.;;;;;;\n")
    result = paraply("import-members", "--site", site.folder, path, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "Rad 4:" in result.output and "Kolumnen namn är tom. Den måste fyllas i." in result.output
    assert "Klart: 2 nya, 0 uppdaterade, 1 avvisad." in result.output
    assert set(_associations(site)) == {"Karlskoga Simklubb", "Degerfors Frimärksklubb"}


def test_existing_associations_are_updated_by_name_or_slug_and_blank_cells_keep_values(paraply, site, tmp_path):  # noqa: F811
    with site.session() as db:
        db.add(
            Association(
                slug="karlskoga-simklubb",
                name="Karlskoga Simklubb",
                category="Idrott",
                municipality="Karlskoga",
                description="Vår långa beskrivning, skriven av föreningen.",
                phone="0586-000 00",
                status=Status.APPROVED,
                approved_at=utcnow(),
            )
        )
        db.add(
            Association(
                slug="pro-kga", name="PRO K", category="Pensionärer", municipality="Karlskoga", status="pending"
            )
        )
        db.commit()
    path = _write(
        tmp_path,
        "slug;namn;kategori;kommun;telefon;beskrivning\n"
        ";KARLSKOGA SIMKLUBB;Idrott;Karlskoga;0586-612 40;\n"
        "pro-kga;PRO Karlskoga;Pensionärer;Karlskoga;;Resor och boule.\n",
    )
    result = paraply("import-members", "--site", site.folder, path)
    assert result.exit_code == 0, result.output
    assert "Klart: 0 nya, 2 uppdaterade, 0 avvisade." in result.output

    rows = _associations(site)
    assert len(rows) == 2
    swim = rows["KARLSKOGA SIMKLUBB"]
    assert swim.slug == "karlskoga-simklubb"  # links keep working
    assert swim.phone == "0586-612 40"
    assert swim.description == "Vår långa beskrivning, skriven av föreningen."
    pro = rows["PRO Karlskoga"]
    assert (pro.slug, pro.description) == ("pro-kga", "Resor och boule.")
    assert "boul" in pro.search_text  # the search column follows the new text


def test_the_same_association_twice_in_a_file_is_rejected(site):
    rows = [
        {"namn": "Karlskoga Fotoklubb", "kategori": "Intresse och hobby", "kommun": "Karlskoga"},
        {"namn": "karlskoga fotoklubb", "kategori": "Intresse och hobby", "kommun": "Karlskoga"},
        {"namn": "Karlskoga Fotoklubb!", "kategori": "Intresse och hobby", "kommun": "Karlskoga"},
    ]
    plan = plan_import(site, rows)
    assert [p.slug for p in plan.new] == ["karlskoga-fotoklubb", "karlskoga-fotoklubb-2"]
    assert [(r.row, r.reasons) for r in plan.rejected] == [
        (3, ["Föreningen finns redan på rad 2 i filen. Ta bort en av raderna."])
    ]
    assert plan.summary() == "2 nya, 0 uppdaterade, 1 avvisad"
    assert _associations(site) == {}  # planning writes nothing


def test_a_file_that_is_not_utf8_gets_a_hint_about_cp1252(paraply, site, tmp_path):  # noqa: F811
    path = _write(tmp_path, SWEDISH_EXCEL, encoding="cp1252")
    result = paraply("import-members", "--site", site.folder, path)
    assert result.exit_code == 1
    assert "Filen kunde inte läsas som utf-8-sig" in result.output
    assert "kör igen med --encoding cp1252" in result.output
    assert _associations(site) == {}

    fixed = paraply("import-members", "--site", site.folder, path, "--encoding", "cp1252")
    assert fixed.exit_code == 0, fixed.output
    assert "Degerfors Frimärksklubb" in _associations(site)


def test_missing_columns_and_a_wrong_delimiter_are_explained(paraply, site, tmp_path):  # noqa: F811
    piped = _write(tmp_path, "namn|kategori|kommun\nA|Idrott|Karlskoga\n", "rör.csv")
    result = paraply("import-members", "--site", site.folder, piped)
    assert result.exit_code == 1
    assert "Filen saknar kolumnerna namn, kategori, kommun." in result.output
    assert "--delimiter" in result.output
    assert paraply("import-members", "--site", site.folder, piped, "--delimiter", "|").exit_code == 0

    no_place = _write(tmp_path, "namn,kategori\nB,Idrott\n", "utan-kommun.csv")
    result = paraply("import-members", "--site", site.folder, no_place)
    assert result.exit_code == 1
    assert "Filen saknar kolumnen kommun." in result.output


def test_refuses_a_site_without_the_webportal(paraply, tmp_path):  # noqa: F811
    folder = write_site(tmp_path / "sites", "utan", plugins=[])
    path = _write(tmp_path, SWEDISH_EXCEL)
    result = paraply("import-members", "--site", folder, path)
    assert result.exit_code == 1
    assert "har inte tillägget webportal påslaget" in result.output
    assert 'Lägg till "webportal" i site.plugins' in result.output
