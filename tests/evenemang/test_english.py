"""Categories are the site's data in Swedish, shown through the catalogue:
an English page names them in English (event page, list, filter), while
the filter still sends the Swedish value the events are stored with."""

from __future__ import annotations

from core.testing import text_of
from tests.evenemang.conftest import EDITOR, event_form


def test_categories_are_shown_in_english(ev_site, as_user):
    location = as_user(ev_site, EDITOR).submit("/evenemang/nytt", event_form()).headers["location"]
    visitor = as_user(ev_site, None)
    page = text_of(visitor.get(location + "?lang=en").text)
    assert "Category Meeting and talk" in page and "Möte och föreläsning" not in page
    listing = visitor.get("/evenemang?lang=en").text
    assert '<option value="Idrott och motion">Sport and exercise</option>' in listing
    assert "Meeting and talk" in text_of(listing)
    filtered = visitor.get("/evenemang?kategori=M%C3%B6te+och+f%C3%B6rel%C3%A4sning&lang=en")
    assert "Månadsmöte" in text_of(filtered.text)
    assert "Kategori Möte och föreläsning" in text_of(visitor.get(location + "?lang=sv").text)
