"""Finding events: the views by day, today, weekend, week and month; the
filters and Swedish search; paging; the front page and the site search;
the report's figures."""

from __future__ import annotations

from datetime import date

from core.testing import text_of
from tests.evenemang.conftest import ADMIN, EDITOR, event_form


def _publish(client, **fields) -> str:
    response = client.submit("/evenemang/nytt", event_form(**fields))
    assert response.status_code == 303, text_of(response.text)[:400]
    return response.headers["location"]


def test_today_weekend_week_and_day_show_what_happens_then(ev_site, as_user):
    admin = as_user(ev_site, ADMIN)
    _publish(admin, title="Onsdagsfika", start_date="2026-12-02", start_time="14:00", end_time="15:00")
    _publish(admin, title="Lördagsloppis", start_date="2026-12-05", start_time="10:00", end_time="14:00")
    _publish(admin, title="Söndagskonsert", start_date="2026-12-06", start_time="16:00", end_time="17:00")
    _publish(admin, title="Nästa vecka", start_date="2026-12-09", start_time="18:00", end_time="19:00")
    visitor = as_user(ev_site, None)
    today = text_of(visitor.get("/evenemang/idag").text)
    assert "Onsdagsfika" in today and "Lördagsloppis" not in today
    weekend = text_of(visitor.get("/evenemang/i-helgen").text)
    assert "Lördagsloppis" in weekend and "Söndagskonsert" in weekend and "Onsdagsfika" not in weekend
    week = text_of(visitor.get("/evenemang/vecka").text)
    assert "Vecka 49, 2026" in week and "Söndagskonsert" in week and "Nästa vecka" not in week
    assert "Nästa vecka" in text_of(visitor.get("/evenemang/vecka?dag=2026-12-09").text)
    day = text_of(visitor.get("/evenemang/dag?datum=2026-12-06").text)
    assert "Söndag 6 december 2026" in day and "Söndagskonsert" in day and "Lördagsloppis" not in day


def test_a_busy_day_in_the_week_shows_twelve_and_links_to_all_of_them(ev_site, as_user):
    admin = as_user(ev_site, ADMIN)
    for hour in range(8, 22):  # fourteen events on Wednesday 9 December
        _publish(
            admin,
            title=f"Pass {hour:02}",
            start_date="2026-12-09",
            start_time=f"{hour:02}:00",
            end_time=f"{hour:02}:45",
        )
    _publish(admin, title="Torsdagskör", start_date="2026-12-10", start_time="19:00", end_time="20:00")
    visitor = as_user(ev_site, None)
    html = visitor.get("/evenemang/vecka?dag=2026-12-09").text
    week = text_of(html)
    assert [f"Pass {hour:02}" in week for hour in range(8, 22)] == [True] * 12 + [False] * 2  # by start time
    assert "Alla 14 evenemang den här dagen (Onsdag 9 december 2026)" in week and "Torsdagskör" in week
    assert 'href="/evenemang/dag?datum=2026-12-09"' in html
    assert "Alla 1 evenemang" not in week  # Thursday's one event needs no link
    day = text_of(visitor.get("/evenemang/dag?datum=2026-12-09").text)
    assert all(f"Pass {hour:02}" in day for hour in range(8, 22)) and "Alla 14" not in day


def test_month_grid_is_a_table_with_every_day_and_links_to_the_day(ev_site, as_user):
    _publish(
        as_user(ev_site, ADMIN), title="Luciafirande", start_date="2026-12-13", start_time="17:00", end_time="18:00"
    )
    html = as_user(ev_site, None).get("/evenemang/manad?manad=2026-12").text
    assert "<h1>December 2026</h1>" in html
    assert '<th scope="col">måndag</th>' in html
    assert html.count("<tr>") == 6  # header + five weeks (30 Nov – 3 Jan)
    assert 'href="/evenemang/dag?datum=2026-12-13"' in html and "Luciafirande" in html
    assert 'aria-current="date"' in html  # today, 2 December


def test_filters_and_swedish_search(ev_site, as_user):
    admin = as_user(ev_site, ADMIN)
    _publish(
        admin, title="Barnteater", category="Kultur och musik", age_group="children", organisers="degerfors-skidklubb"
    )
    _publish(admin, title="Föreläsning om bin", is_free=None, price="50 kr", municipality="Degerfors")
    _publish(
        admin,
        title="Rullstolsdans",
        step_free="y",
        description="Dans för alla, även från rullstol.",
        category="Idrott och motion",
    )
    visitor = as_user(ev_site, None)

    def titles(query: str) -> set[str]:
        page = text_of(visitor.get("/evenemang?" + query).text)
        return {t for t in ("Barnteater", "Föreläsning om bin", "Rullstolsdans") if t in page}

    assert titles("") == {"Barnteater", "Föreläsning om bin", "Rullstolsdans"}
    assert titles("kategori=Kultur+och+musik") == {"Barnteater"}
    assert titles("barn=1") == {"Barnteater"}
    assert titles("gratis=1") == {"Barnteater", "Rullstolsdans"}
    assert titles("tillganglig=1") == {"Rullstolsdans"}
    assert titles("kommun=Degerfors") == {"Föreläsning om bin"}
    assert titles("forening=degerfors-skidklubb") == {"Barnteater"}
    assert titles("q=FÖRELÄSNINGAR") == {"Föreläsning om bin"}  # case and stem
    assert titles("q=rullstol") == {"Rullstolsdans"}  # in the description
    assert titles("q=bin&gratis=1") == set()
    empty = text_of(visitor.get("/evenemang?q=ingenting").text)
    assert "Inga evenemang hittades" in empty and "visa alla evenemang" in empty


def test_a_long_list_pages(ev_site, as_user):
    admin = as_user(ev_site, ADMIN)
    _publish(
        admin,
        title="Daglig promenad",
        start_time="09:00",
        end_time="10:00",
        start_date="2026-12-03",
        repeat="custom",
        rrule="FREQ=DAILY;COUNT=40",
    )
    visitor = as_user(ev_site, None)
    first = text_of(visitor.get("/evenemang").text)
    assert "40 tillfällen" in first and "sida 1 av 2" in first
    second = visitor.get("/evenemang?sida=2")
    assert second.status_code == 200 and "sida 2 av 2" in text_of(second.text)
    assert "Torsdag 3 december 2026" in first and "Torsdag 3 december 2026" not in text_of(second.text)


def test_front_page_and_site_search_show_coming_events(ev_site, as_user):
    _publish(as_user(ev_site, EDITOR), title="Julmarknad på torget")
    visitor = as_user(ev_site, None)
    front = text_of(visitor.get("/").text)
    assert "På gång" in front and "Julmarknad på torget" in front
    found = text_of(visitor.get("/sok?q=julmarknad").text)
    assert "Julmarknad på torget" in found


def test_report_counts_events_held_per_category_leaving_out_cancelled(ev_site, as_user):
    from core.plugins import collect

    admin = as_user(ev_site, ADMIN)
    _publish(
        admin,
        title="Träning",
        category="Idrott och motion",
        start_date="2026-12-07",
        repeat="weekly",
        repeat_until="2026-12-28",
    )
    _publish(admin, title="Möte", category="Möte och föreläsning", start_date="2026-12-10")
    _publish(admin, title="Inställt möte", category="Möte och föreläsning", start_date="2026-12-11", status="cancelled")
    with ev_site.session() as db:
        figures = collect(
            ev_site.pm, "report_figures", site=ev_site, session=db, start=date(2026, 12, 1), end=date(2026, 12, 31)
        )
    mine = {f.label: f.value for f in figures if f.plugin == "evenemang"}
    assert mine == {
        "Evenemang som hölls": 5,
        "Evenemang: Idrott och motion": 4,
        "Evenemang: Möte och föreläsning": 1,
        # programmes and registration (test_registration.py counts these)
        "Programpunkter": 0,
        "Föreningar med programpunkter": 0,
        "Anmälda deltagare": 0,
    }


def test_the_pages_speak_english_when_asked(ev_site, as_user):
    location = _publish(as_user(ev_site, EDITOR), title="Julfest", is_free=None, price="50 kr")
    visitor = as_user(ev_site, None)
    visitor.get("/?lang=en")
    month = text_of(visitor.get("/evenemang/manad?manad=2026-12").text)
    assert "December 2026" in month and "Network calendar" in month and "Show events" in month
    event = text_of(visitor.get(location).text)
    assert "Tuesday 8 December 2026, 18:00–20:00" in event and "Price 50 kr" in event and "Organiser" in event
    editor = as_user(ev_site, EDITOR)
    editor.get("/?lang=en")
    wrong = editor.submit("/evenemang/nytt", event_form(start_time="20:00", end_time="18:00"))
    assert "The event must end after it starts." in text_of(wrong.text)


def test_the_filters_fold_and_say_how_many_are_chosen(ev_site, as_user):
    """On a phone the filters would fill the first screen: beyond the
    search they fold into a disclosure that counts the chosen ones."""
    visitor = as_user(ev_site, None)
    plain = visitor.get("/evenemang").text
    assert '<details class="disclosure evenemang-filters">' in plain
    assert "<summary>Fler filter</summary>" in plain
    folded = plain.index('<details class="disclosure evenemang-filters">')
    assert plain.index('id="filter-q"') < folded, "the search stays in sight"
    assert folded < plain.index('id="filter-kategori"') < plain.index("</details>", folded)
    chosen = text_of(visitor.get("/evenemang?gratis=1&barn=1").text)
    assert "Fler filter (2 valda)" in chosen
    assert "Fler filter (1 valt)" in text_of(visitor.get("/evenemang?gratis=1").text)
