"""Demo data: a year of the partnership. Assignments from the municipality,
the region, companies and organisations (some matched and carried out, some
declined by the associations offered, some still open, two new), five
consultation answers, interests registered on the public open ones (from a
member association and from a neighbour umbrella's), twelve meetings with actions, four joint project
applications, and the report for the last tertial with staff's comments,
sent (frozen). Idempotent: rows are looked up by their titles."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from core.api import AssociationRef, Site, editable_associations, get_user_by_email, member_associations
from plugins.samverkan import periods, report
from plugins.samverkan.common import documents_dir
from plugins.samverkan.models import (
    Action,
    Assignment,
    AssignmentStatus,
    Interest,
    Meeting,
    Offer,
    Project,
    Report,
    SocialEnterprise,
    Statement,
)

# (days ago, kind, requester, title, description, place, scope, compensation, social, public, outcome)
# outcome: ("done", hours, kronor) | ("matched", hours, kronor) | ("closed",) | ("open",) | ("new",)
ASSIGNMENTS: list[tuple[int, str, str, str, str, str, str, str, bool, bool, tuple[object, ...]]] = [
    (
        350,
        "kommun",
        "Kultur- och fritidsförvaltningen",
        "Fikaservering vid medborgardialog om Bofors station",
        "Servering av kaffe och bulle till cirka 80 deltagare vid kvällens dialogmöte om stationsområdet.",
        "Folkets hus",
        "3 personer, 4 timmar",
        "4 000 kr",
        False,
        True,
        ("done", 12.0, 4000),
    ),
    (
        320,
        "region",
        "Region Örebro län, folkhälsoenheten",
        "Promenadledare för seniorer under hälsoveckan",
        "Fem ledda promenader i bostadsområden, med fika efteråt. Passar en pensionärs- eller friluftsförening.",
        "Karlskoga",
        "2 ledare, 5 tillfällen",
        "6 000 kr",
        False,
        True,
        ("done", 20.0, 6000),
    ),
    (
        290,
        "foretag",
        "Bergslagens Energi AB",
        "Städning av Möckelnstranden inför sommaren",
        "Strandstädning och skräpplockning längs badplatserna. Arbetsintegrerande socialt företag välkommet.",
        "Möckelnstranden",
        "6 personer, en lördag",
        "8 000 kr",
        True,
        True,
        ("done", 36.0, 8000),
    ),
    (
        260,
        "kommun",
        "Socialförvaltningen",
        "Läxhjälp för mellanstadiet på biblioteket",
        "Frivilliga läxhjälpare två eftermiddagar i veckan under höstterminen.",
        "Stadsbiblioteket",
        "4 personer, 2 x 2 timmar i veckan",
        "Ingen ersättning, material ingår",
        False,
        True,
        ("closed",),
    ),
    (
        230,
        "organisation",
        "Svenska kyrkan Karlskoga",
        "Julbord för ensamstående äldre",
        "Matlagning och servering vid julbord för cirka 60 gäster på juldagen.",
        "Församlingshemmet",
        "8 personer, 6 timmar",
        "5 000 kr",
        False,
        False,
        ("done", 48.0, 5000),
    ),
    (
        200,
        "kommun",
        "Tekniska förvaltningen",
        "Skötsel av planteringar i parken vid stationen",
        "Vattning och rensning av perennrabatter under sommaren, en gång i veckan.",
        "Bofors station",
        "2 personer, 2 timmar i veckan",
        "12 000 kr för säsongen",
        True,
        True,
        ("done", 52.0, 12000),
    ),
    (
        170,
        "kommun",
        "Kultur- och fritidsförvaltningen",
        "Funktionärer vid Karlskoga stadsfest",
        "Funktionärer vid entréer och informationstält under två dagar.",
        "Torget",
        "10 personer, 2 dagar",
        "15 000 kr",
        False,
        True,
        ("done", 160.0, 15000),
    ),
    (
        140,
        "region",
        "Region Örebro län, vårdcentralerna",
        "Språkcafé för nyanlända föräldrar",
        "Samtalsledare till språkcafé varannan vecka, gärna med arabiska eller tigrinja.",
        "Vårdcentralen Karlskoga",
        "2 samtalsledare",
        "300 kr per tillfälle",
        False,
        True,
        ("closed",),
    ),
    (
        110,
        "foretag",
        "Saab Dynamics",
        "Prova-på-dag för anställdas barn under sportlovet",
        "Föreningar som visar sin idrott eller hobby för barn 7-12 år en dag under sportlovet.",
        "Nobelhallen",
        "3-4 föreningar, 5 timmar",
        "2 500 kr per förening",
        False,
        True,
        ("matched", 15.0, 2500),
    ),
    (
        80,
        "kommun",
        "Arbetsmarknadsenheten",
        "Cykelreparationer till Fritidsbanken",
        "Laga och serva inlämnade cyklar. Passar ett arbetsintegrerande socialt företag.",
        "Fritidsbanken",
        "2 personer, 10 timmar i månaden",
        "Timersättning enligt avtal",
        True,
        True,
        ("matched", 30.0, 9000),
    ),
    (
        40,
        "kommun",
        "Kultur- och fritidsförvaltningen",
        "Värdar vid Kulturnatten",
        "Värdar som tar emot besökare och berättar om föreningslivet under Kulturnatten.",
        "Kulturhuset",
        "6 personer, en kväll",
        "3 000 kr",
        False,
        True,
        ("open",),
    ),
    (
        20,
        "organisation",
        "Karlskoga Hembygdsförening",
        "Guidning av skolklasser i hembygdsgården",
        "Guider till sex skolklasser i maj. Historieintresse viktigare än erfarenhet.",
        "Hembygdsgården",
        "2 guider, 6 förmiddagar",
        "1 800 kr",
        False,
        True,
        ("open",),
    ),
    (
        6,
        "kommun",
        "Miljökontoret",
        "Fågelholkar till stadsparken",
        "Bygga och sätta upp 30 fågelholkar tillsammans med en skolklass.",
        "Stadsparken",
        "2-3 personer, 2 dagar",
        "Material och 4 000 kr",
        False,
        True,
        ("new",),
    ),
    (
        2,
        "foretag",
        "ICA Maxi Karlskoga",
        "Insamling till matkassar inför jul",
        "Föreningar som står vid entrén och tar emot varor till matkassar, tre lördagar i december.",
        "ICA Maxi",
        "2 personer per pass",
        "1 000 kr per pass",
        False,
        False,
        ("new",),
    ),
]

# (days ago, topic, recipient, summary, outcome)
STATEMENTS = [
    (
        330,
        "Remiss: Kultur- och fritidsplan 2027–2030",
        "Kommunstyrelsen",
        "Föreningslivet vill se bidrag som följer med ökade hyror, och ett eget mål för ungas föreningsengagemang.",
        "Målet om ungas engagemang kom med i planen.",
    ),
    (
        250,
        "Synpunkter på nya bidragsregler för föreningar",
        "Kultur- och fritidsnämnden",
        "Förenkla ansökan för små föreningar och behåll lokalbidraget.",
        "Ansökan förenklades; lokalbidraget finns kvar.",
    ),
    (
        180,
        "Remiss: Regional utvecklingsstrategi",
        "Region Örebro län",
        "Civilsamhällets roll i folkhälsoarbetet behöver pekas ut och finansieras långsiktigt.",
        "",
    ),
    (
        100,
        "Skrivelse om föreningarnas tillgång till skollokaler",
        "Barn- och utbildningsnämnden",
        "Föreningar behöver kunna boka skolornas idrottshallar och matsalar kvällstid till taxa A.",
        "Nämnden utreder frågan till våren.",
    ),
    (
        30,
        "Remiss: Plan för trygghet och brottsförebyggande arbete",
        "Kommunstyrelsen",
        "Föreningarnas nattvandringar och fritidsaktiviteter bör ingå i planen med stöd.",
        "",
    ),
]

# (days ago, kind, title, civil society, municipality, region, business)
MEETINGS = [
    (345, "samverkansgrupp", "Samverkansgruppen, årets första möte", 4, 4, 0, 0),
    (310, "natverk", "Nätverksträff: föreningar och folkhälsa", 24, 2, 3, 0),
    (275, "utbildning", "Kassörsnätverket: bokslut och årsmöte", 18, 0, 0, 1),
    (240, "dialog", "Dialog med kultur- och fritidsnämnden", 9, 6, 0, 0),
    (215, "samverkansgrupp", "Samverkansgruppen, uppföljning tertial 1", 4, 5, 0, 0),
    (180, "natverk", "Nätverksträff: unga i föreningslivet", 21, 3, 0, 0),
    (150, "utbildning", "Kassörsnätverket: Swish och föreningskonto", 15, 0, 0, 2),
    (120, "dialog", "Dialog om föreningarnas lokaler", 12, 4, 0, 0),
    (95, "samverkansgrupp", "Samverkansgruppen, uppföljning tertial 2", 4, 4, 0, 0),
    (60, "natverk", "Nätverksträff: sociala företag och uppdrag", 16, 3, 1, 4),
    (35, "utbildning", "GDPR för föreningar", 27, 1, 0, 0),
    (12, "dialog", "Medborgardialog om Bofors station", 14, 7, 0, 2),
]

# (title, funder, applied, granted, status, submitted days ago, start in days, end in days)
PROJECTS = [
    ("Föreningslivet möter nyanlända", "Allmänna arvsfonden", 1_800_000, 1_650_000, "granted", 300, -200, 900),
    (
        "Ätbart för bi och människa, etapp 2",
        "Länsstyrelsen i Örebro län, LONA",
        240_000,
        0,
        "submitted",
        50,
        None,
        None,
    ),
    ("Unga ledare i idrott och kultur", "Leader Bergslagen", 450_000, 0, "declined", 190, None, None),
    ("Gemensam föreningsbuss", "Karlskoga kommun, utvecklingsbidrag", 120_000, 0, "writing", None, None, None),
]


#: (association, contact, e-mail, message): one from the directory, one from a neighbour's.
INTERESTS = [
    ("", "Maja Medlem", "maja@forening.example", "Vi har gjort liknande uppdrag förut och har sex medlemmar som kan."),
    (
        "Storfors Hembygdsförening",
        "Sten Storfors",
        "sten@storfors.example",
        "Vi såg uppdraget hos grannföreningsrådet och kan ställa upp med fyra personer.",
    ),
]


def _interests(session: Session, refs: list[AssociationRef]) -> None:
    """A couple of interests on each public open assignment that has none."""
    rows = session.exec(
        select(Assignment)
        .where(Assignment.status == AssignmentStatus.OPEN, col(Assignment.show_public).is_(True))
        .order_by(col(Assignment.id))
    ).all()
    for n, row in enumerate(rows):
        if row.id is None or session.exec(select(Interest).where(Interest.assignment_id == row.id)).first():
            continue
        for i, (name, contact, email, message) in enumerate(INTERESTS[: 1 + n % 2]):
            session.add(
                Interest(
                    assignment_id=row.id,
                    association_name=name or (refs[(n + 5) % len(refs)].name if refs else "Föreningen Vänner"),
                    contact_name=contact,
                    contact_email=email,
                    message=message,
                    created_at=row.created_at + timedelta(days=1 + i),
                )
            )


def _at(today: date, days_ago: int) -> datetime:
    return datetime.combine(today - timedelta(days=days_ago), time(9, 30), tzinfo=UTC)


def _names(refs: list[str], start: int, count: int) -> list[str]:
    return [refs[(start + i) % len(refs)] for i in range(count)] if refs else []


def load(site: Site, session: Session) -> None:
    """Add what is missing of the demo partnership. The caller commits."""
    today = site.clock.today()
    refs = member_associations(site, session)
    names = [r.name for r in refs]
    editor = get_user_by_email(session, f"redaktor@{site.slug}.example")
    editor_refs = editable_associations(site, session, editor) if editor else []
    social = refs[3:5] if len(refs) > 5 else refs[:1]
    for ref in social:
        if session.exec(select(SocialEnterprise).where(SocialEnterprise.association_slug == ref.slug)).first() is None:
            session.add(SocialEnterprise(association_slug=ref.slug, association_name=ref.name))
    for n, (ago, kind, requester, title, text, place, scope, pay, for_social, public, outcome) in enumerate(
        ASSIGNMENTS
    ):
        if session.exec(select(Assignment).where(Assignment.title == title)).first() is not None:
            continue
        status = str(outcome[0])
        created = _at(today, ago)
        row = Assignment(
            title=title,
            description=text,
            requester_kind=kind,
            requester=requester,
            contact_name="Kim Kontakt",
            contact_email=f"uppdrag{n + 1}@kommun.example",
            when_text=(today - timedelta(days=ago - 21)).isoformat(),
            place=place,
            scope=scope,
            compensation=pay,
            deadline=today + timedelta(days=14 + 7 * n) if status == "open" else None,
            social_enterprise=for_social,
            show_public=public,
            status={"new": "new", "open": "open", "closed": "closed"}.get(status, status),
            created_at=created,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        offered = [refs[(n * 3 + i) % len(refs)] for i in range(3)] if refs and status != "new" else []
        if status == "open" and editor_refs:
            offered = [editor_refs[0], *[r for r in offered if r.slug != editor_refs[0].slug][:2]]
        for i, ref in enumerate(offered):
            answer = "pending"
            if status in ("done", "matched"):
                answer = "yes" if i == 0 else "no"
            elif status == "closed":
                answer = "no"
            elif status == "open" and i == 2:
                answer = "question"
            session.add(
                Offer(
                    assignment_id=row.id,
                    association_slug=ref.slug,
                    association_name=ref.name,
                    answer=answer,
                    message="Hur många timmar rör det sig om totalt?" if answer == "question" else "",
                    offered_at=created + timedelta(days=2),
                    answered_at=None if answer == "pending" else created + timedelta(days=5),
                )
            )
        if status in ("done", "matched") and offered:
            row.matched_slug, row.matched_name = offered[0].slug, offered[0].name
            row.matched_at = created + timedelta(days=6)
            row.hours, row.paid_kronor = float(str(outcome[1])), int(str(outcome[2]))
            if status == "done":
                row.outcome = "Genomfört enligt plan. Beställaren vill gärna anlita föreningen igen."
        if status in ("done", "closed"):
            row.closed_at = created + timedelta(days=30)
        session.add(row)
    _interests(session, refs)
    for n, (ago, topic, recipient, summary, result) in enumerate(STATEMENTS):
        if session.exec(select(Statement).where(Statement.topic == topic)).first() is None:
            session.add(
                Statement(
                    topic=topic,
                    recipient=recipient,
                    day=today - timedelta(days=ago),
                    associations="\n".join(_names(names, n * 4, 4 + n)),
                    summary=summary,
                    outcome=result,
                    document=_demo_document(site, n, topic, recipient, summary) if n == 0 else "",
                )
            )
    places = ["Föreningarnas hus, Stora salen", "Föreningarnas hus, Mötesrum Ekan", "Kulturhuset", "Folkets hus"]
    for n, (ago, kind, title, civil, municipal, region, business) in enumerate(MEETINGS):
        if session.exec(select(Meeting).where(Meeting.title == title)).first() is not None:
            continue
        meeting = Meeting(
            title=title,
            kind=kind,
            day=today - timedelta(days=ago),
            place=places[n % len(places)],
            agenda="1. Välkommen och presentation\n2. Läget sedan sist\n3. Aktuella frågor\n4. Nästa steg",
            minutes=(
                "## Minnesanteckningar\n\n"
                f"{civil} deltagare från civilsamhället var med. Vi gick igenom läget och bestämde nästa steg.\n\n"
                "- Föreningarna lyfte behovet av fler lokaler på kvällstid.\n"
                "- Kommunen informerade om kommande remisser."
            ),
            civil_society=civil,
            municipality=municipal,
            region=region,
            business=business,
            associations="\n".join(_names(names, n * 2, min(civil // 3, 8))),
        )
        session.add(meeting)
        session.flush()
        assert meeting.id is not None
        session.add(
            Action(
                meeting_id=meeting.id,
                what="Skicka minnesanteckningarna till deltagarna",
                owner="Kansliet",
                due=meeting.day + timedelta(days=7),
                done=ago > 14,
            )
        )
        if kind == "samverkansgrupp":
            session.add(
                Action(
                    meeting_id=meeting.id,
                    what="Ta fram siffror för nästa uppföljning",
                    owner="Kansliet och kommunens föreningskonsulent",
                    due=meeting.day + timedelta(days=60),
                    done=ago > 60,
                )
            )
    for n, (title, funder, applied, granted, status, submitted, starts, ends) in enumerate(PROJECTS):
        if session.exec(select(Project).where(Project.title == title)).first() is not None:
            continue
        partners = _names(names, 5 + n * 3, 3)
        session.add(
            Project(
                title=title,
                lead=partners[0] if partners else "Föreningsrådet",
                partners="\n".join(partners[1:]),
                funder=funder,
                applied_kronor=applied,
                granted_kronor=granted,
                status=status,
                submitted=today - timedelta(days=submitted) if submitted is not None else None,
                starts=today + timedelta(days=starts) if starts is not None else None,
                ends=today + timedelta(days=ends) if ends is not None else None,
                notes="Kansliet har samordnat ansökan och budgeten.",
            )
        )
    session.flush()
    _last_report(site, session, today)


def _last_report(site: Site, session: Session, today: date) -> None:
    """The last tertial's report: comments per area, and a frozen copy as sent."""
    period = periods.last_tertial(today)
    found = session.exec(select(Report).where(Report.start == period.start, Report.end == period.end)).all()
    if found:
        return
    comments = Report(
        start=period.start,
        end=period.end,
        comment_voice="Två remissvar och tre nätverksträffar. Fler föreningar än förra tertialen deltog.",
        comment_coordination="Uppdragen från kommunen ökar; de sociala företagen tog två av dem.",
        comment_projects="Arvsfondsprojektet är i gång. LONA-ansökan väntar på beslut.",
    )
    session.add(comments)
    session.flush()
    document = report.build(site, session, period, comments)
    session.add(
        Report(
            start=period.start,
            end=period.end,
            comment_voice=comments.comment_voice,
            comment_coordination=comments.comment_coordination,
            comment_projects=comments.comment_projects,
            frozen=json.dumps(document, ensure_ascii=False),
            sent_at=datetime.combine(period.end + timedelta(days=10), time(10), tzinfo=UTC),
        )
    )


def _demo_document(site: Site, n: int, topic: str, recipient: str, summary: str) -> str:
    """The demo's consultation answer as a PDF file under uploads/."""
    name = f"remissvar-demo-{n}.pdf"
    (documents_dir(site) / name).write_bytes(_one_page_pdf([f"Remissvar: {topic}", f"Till {recipient}", "", summary]))
    return name


def _one_page_pdf(lines: list[str]) -> bytes:
    """A one-page PDF of short lines in Helvetica. Written by hand: WeasyPrint
    would add a second or more to every demo load for a stand-in document."""

    def text(line: str) -> str:
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    wrapped: list[str] = []
    for line in lines:
        words, current = line.split(), ""
        for word in words:
            if current and len(current) + len(word) > 80:
                wrapped.append(current)
                current = word
            else:
                current = f"{current} {word}".strip()
        wrapped.append(current)
    stream = "BT /F1 12 Tf 16 TL 60 780 Td " + " ".join(f"({text(w)}) Tj T*" for w in wrapped) + " ET"
    content = stream.encode("cp1252", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
