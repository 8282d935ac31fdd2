"""Joining the network from the web (issue 19), between real servers on
127.0.0.1: Möckeln's admin asks Filipstad, Filipstad's admin accepts, and
news then flows both ways; a replayed or forged request, and an address
that is not a Paraply site, are refused with Swedish messages and change
nothing."""

from __future__ import annotations

import json

import httpx
from sqlmodel import select

from federation import keys
from federation.models import JoinRequest, Nonce, Peer
from tests.federation.harness import Browser, eventually, text_of
from tests.federation.test_propagation import write_news


def _requests(site) -> list[JoinRequest]:
    with site.session() as db:
        return list(db.exec(select(JoinRequest).where(JoinRequest.outgoing == False)).all())  # noqa: E712


def _peers(site) -> list[str]:
    with site.session() as db:
        return [p.url for p in db.exec(select(Peer)).all()]


def test_join_from_the_web_then_news_flows_both_ways(network):
    mockeln = network.site("mockeln", "Möckelnföreningarna", poll_interval=3600)
    filipstad = network.site("filipstad", "Filipstads föreningar", poll_interval=3600)
    a, b = Browser(network.url("mockeln")), Browser(network.url("filipstad"))
    a.login()
    b.login()

    assert "Gå med i ett nätverk / Lägg till en granne" in a.text("/-/admin/natverket")
    shown = a.get("/-/admin/natverket/ga-med", params={"adress": network.url("filipstad")})
    assert shown.status_code == 200
    page = text_of(shown.text)
    fingerprint = _fingerprint(filipstad)
    assert "Filipstads föreningar" in page and network.url("filipstad") in page and fingerprint in page

    sent = a.submit("/-/admin/natverket/ga-med", {"adress": network.url("filipstad")})
    assert sent.status_code == 303, text_of(sent.text)[:500]
    assert "Förfrågan är skickad till Filipstads föreningar" in a.text("/-/admin/natverket")

    incoming = _requests(filipstad)
    assert [(r.url, r.name, r.status) for r in incoming] == [(network.url("mockeln"), "Möckelnföreningarna", "pending")]
    admin_page = b.text("/-/admin/natverket")
    assert "Förfrågningar att bli grannar" in admin_page and "Möckelnföreningarna" in admin_page

    answered = b.submit(f"/-/admin/natverket/forfragan/{incoming[0].id}", {"svar": "godta"})
    assert answered.status_code == 303
    assert "Möckelnföreningarna är nu granne" in b.text("/-/admin/natverket")
    assert network.url("mockeln") in _peers(filipstad)
    assert network.url("filipstad") in _peers(mockeln)
    assert "Förfrågningar att bli grannar" not in b.text("/-/admin/natverket")
    eventually(lambda: "Filipstads föreningar" in a.text("/-/admin/natverket"), message="A's Nätverket never listed B")

    write_news(a, "Sommarfest på Möckeln")
    write_news(b, "Loppis i Filipstad")
    eventually(
        lambda: "Sommarfest på Möckeln" in b.text("/natverket/nyheter"), timeout=20, message="A's news never reached B"
    )
    eventually(
        lambda: "Loppis i Filipstad" in a.text("/natverket/nyheter"), timeout=20, message="B's news never reached A"
    )
    a.close()
    b.close()


def _fingerprint(site) -> str:
    from federation.join import fingerprint

    return fingerprint(keys.discovery_entry(site))


def test_replayed_and_forged_requests_are_refused(network):
    mockeln = network.site("mockeln", "Möckelnföreningarna", poll_interval=3600)
    filipstad = network.site("filipstad", "Filipstads föreningar", poll_interval=3600)
    url = network.url("filipstad") + "/-/federation/join"
    message = keys.sign(
        mockeln, {"type": "join", "from": network.url("mockeln"), "name": "Möckeln", "to": network.url("filipstad")}
    )
    first = httpx.post(url, content=json.dumps(message), timeout=10)
    assert first.status_code == 202, first.text
    assert len(_requests(filipstad)) == 1

    with filipstad.session() as db:
        db.delete(db.exec(select(JoinRequest)).one())
    replay = httpx.post(url, content=json.dumps(message), timeout=10)
    assert replay.status_code == 403
    assert "redan tagits emot" in replay.json()["error"]
    assert _requests(filipstad) == []

    forged = dict(
        keys.sign(
            filipstad, {"type": "join", "from": network.url("mockeln"), "name": "Falsk", "to": network.url("filipstad")}
        )
    )
    refused = httpx.post(url, content=json.dumps(forged), timeout=10)
    assert refused.status_code == 403
    assert "Signaturen stämmer inte" in refused.json()["error"]
    changed = dict(message, name="Ändrad", nonce="ett-nytt-engangsvarde")
    assert httpx.post(url, content=json.dumps(changed), timeout=10).status_code == 403
    assert _requests(filipstad) == []
    with filipstad.session() as db:
        assert len(db.exec(select(Nonce)).all()) == 1

    for junk in (b"inte json", b"[]", json.dumps({"type": "join"}).encode()):
        answer = httpx.post(url, content=junk, timeout=10)
        assert answer.status_code == 400 and answer.json()["error"]
    assert _requests(filipstad) == []


def test_an_address_that_is_not_paraply_gets_a_clear_message(network):
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    network.site("mockeln", "Möckelnföreningarna", poll_interval=3600)
    network.serve("annan", Starlette(routes=[Route("/{path:path}", lambda r: HTMLResponse("<p>Hej</p>"))]))
    a = Browser(network.url("mockeln"))
    a.login()
    assert "Grannens adress" in a.text("/-/admin/natverket/ga-med")  # the empty form, no error
    shown = a.get("/-/admin/natverket/ga-med", params={"adress": network.url("annan")})
    assert shown.status_code == 400
    assert "Adressen är inte en Paraply-sajt" in text_of(shown.text)
    sent = a.submit("/-/admin/natverket/ga-med", {"adress": network.url("annan")})
    assert sent.status_code == 400 and "inte en Paraply-sajt" in text_of(sent.text)
    a.close()


def test_an_acceptance_nobody_asked_for_is_refused_and_requests_are_rate_limited(network):
    mockeln = network.site("mockeln", "Möckelnföreningarna", poll_interval=3600)
    filipstad = network.site("filipstad", "Filipstads föreningar", poll_interval=3600)
    claim = {"type": "accept", "from": network.url("mockeln"), "name": "Möckeln", "to": network.url("filipstad")}
    unasked = httpx.post(network.url("filipstad") + "/-/federation/accepted", json=keys.sign(mockeln, claim))
    assert unasked.status_code == 403 and "har inte bett" in unasked.json()["error"]
    assert _peers(filipstad) == []

    wrong = {"type": "join", "from": network.url("mockeln"), "name": "Möckeln", "to": "https://annan.example"}
    answers = [httpx.post(network.url("filipstad") + "/-/federation/join", json=wrong).status_code for _ in range(12)]
    assert answers[:9] == [400] * 9 and answers[-1] == 429
    limited = httpx.post(network.url("filipstad") + "/-/federation/join", json=wrong)
    assert "För många förfrågningar" in limited.json()["error"]
    assert _requests(filipstad) == []


def test_leaving_tells_the_other_side_and_deletes_or_keeps_the_copies(network):
    from federation.models import Entry

    mockeln = network.site("mockeln", "Möckelnföreningarna", poll_interval=1)
    filipstad = network.site("filipstad", "Filipstads föreningar", poll_interval=1)
    a, b = Browser(network.url("mockeln")), Browser(network.url("filipstad"))
    a.login()
    write_news(b, "Loppis i Filipstad")
    assert a.submit("/-/admin/natverket/ga-med", {"adress": network.url("filipstad")}).status_code == 303
    b.login()
    request_id = _requests(filipstad)[0].id
    assert b.submit(f"/-/admin/natverket/forfragan/{request_id}", {"svar": "godta"}).status_code == 303
    eventually(lambda: "Loppis i Filipstad" in a.text("/natverket/nyheter"), timeout=20, message="never fetched")
    with mockeln.session() as db:
        peer = db.exec(select(Peer).where(Peer.url == network.url("filipstad"))).one()

    left = a.submit(f"/-/admin/natverket/{peer.id}/lamna", {"kopior": "ta-bort"})
    assert left.status_code == 303
    told = a.text("/-/admin/natverket")
    said = told[told.find("Ni är inte längre") :][:300]  # what the admin was told, when it is not the expected
    assert "Ni är inte längre grannar med Filipstads föreningar, och de har fått veta det." in told, said
    assert "Loppis i Filipstad" not in a.text("/natverket/nyheter")
    with mockeln.session() as db:
        assert db.exec(select(Peer)).all() == [] and db.exec(select(Entry)).all() == []
    with filipstad.session() as db:
        row = db.exec(select(Peer).where(Peer.url == network.url("mockeln"))).one()
        assert row.joined is False  # Filipstad stops following Möckeln
    assert "Sajten samarbetar inte med några andra sajter ännu" in b.text("/natverket/nyheter")
    a.close()
    b.close()


def test_join_requests_are_deleted_after_their_date(make_site):
    """Answered requests go ``ANSWERED_DAYS`` after the answer, unanswered
    ones ``PENDING_DAYS`` after they came, by the daily job; a neighbour
    accepted stays a peer."""
    from datetime import UTC, datetime, timedelta

    from core import daily
    from federation.join import ANSWERED_DAYS, PENDING_DAYS

    site = make_site()
    now = datetime(2027, 6, 1, 2, 30, tzinfo=UTC)  # 04:30 in Sweden, after the jobs' hour
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    rows = [
        JoinRequest(url="https://a.example", name="Godtagen förr", status="accepted", answered_at=days(91)),
        JoinRequest(url="https://b.example", name="Avböjd nyss", status="declined", answered_at=days(89)),
        JoinRequest(url="https://c.example", name="Vi frågade", outgoing=True, status="accepted", answered_at=days(95)),
        JoinRequest(url="https://d.example", name="Obesvarad länge", created_at=days(181)),
        JoinRequest(url="https://e.example", name="Obesvarad", created_at=days(179)),
        JoinRequest(url="https://f.example", name="Vi väntar länge", outgoing=True, created_at=days(200)),
    ]
    with site.session() as db:
        db.add_all(rows)
        db.add(Peer(url="https://a.example", name="Godtagen förr", joined=True))
    assert (ANSWERED_DAYS, PENDING_DAYS) == (90, 180)
    runs = daily.run_due(site, now)
    run = next(r for r in runs if r.job == "federation-grannforfragningar")
    assert run.ok and run.summary == "Gamla grannförfrågningar borttagna: 4"
    with site.session() as db:
        left = sorted(r.name for r in db.exec(select(JoinRequest)).all())
    assert left == ["Avböjd nyss", "Obesvarad"]
    assert _peers(site) == ["https://a.example"]
