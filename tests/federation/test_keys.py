"""Site keys: each site has an Ed25519 key pair kept in its data folder
(mode 0600, the same across restarts), publishes the public key in
discovery, and a signed message is accepted only when the published key
signed it and its timestamp is within five minutes."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta

from core.site import Site
from federation import keys


def test_the_key_is_made_once_private_and_published_in_discovery(site, client):
    published = client.get("/.well-known/paraply").json()["key"]
    path = keys.key_path(site)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert published == {"type": "ed25519", "public": keys.public_key_text(site)}
    again = Site.load(site.folder, data_dir=site.data_dir)  # a restart reads the same file
    assert keys.public_key_text(again) == published["public"]


def test_a_signed_message_is_checked_against_the_published_key(site, tmp_path):
    a, b = site, Site.load(site.folder, data_dir=tmp_path / "other")  # another site's key
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    message = keys.sign(a, {"type": "join", "from": a.base_url, "to": b.base_url}, now=now)
    assert keys.check(message, keys.discovery_entry(a), now=now + timedelta(minutes=4)) is None

    assert "Signaturen stämmer inte" in (keys.check(message, keys.discovery_entry(b), now=now) or "")
    forged = dict(message, to="https://annan.example")
    assert "Signaturen stämmer inte" in (keys.check(forged, keys.discovery_entry(a), now=now) or "")
    late = keys.check(message, keys.discovery_entry(a), now=now + timedelta(minutes=6))
    assert late is not None and "för gammal" in late
    assert "ingen nyckel" in (keys.check(message, None, now=now) or "")
    garbled = dict(message, signature="!!inte base64!!")
    assert keys.check(garbled, keys.discovery_entry(a), now=now) is not None
    assert keys.check(message, {"type": "ed25519", "public": "kort"}, now=now) is not None
    assert message["nonce"] != keys.sign(a, {"type": "join"}, now=now)["nonce"]


def test_workers_asking_for_the_key_at_once_on_a_fresh_site_all_get_the_same_whole_key(site, tmp_path):
    """The first requests to a new site come at once: every caller gets the
    one key written, never a half-written file (a 500 "Unable to load PEM
    file" before), and the site's generated session secret likewise."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    for attempt in range(20):
        fresh = Site.load(site.folder, data_dir=tmp_path / f"fresh-{attempt}")
        barrier = threading.Barrier(12)

        def ask(_n: int, fresh: Site = fresh, barrier: threading.Barrier = barrier) -> str:
            barrier.wait()
            return keys.public_key_text(fresh)

        with ThreadPoolExecutor(12) as pool:
            answers = set(pool.map(ask, range(12)))
        assert answers == {keys.public_key_text(Site.load(site.folder, data_dir=fresh.data_dir))}
        assert stat.S_IMODE(keys.key_path(fresh).stat().st_mode) == 0o600
        assert sorted(p.name for p in fresh.data_dir.iterdir() if "key" in p.name) == ["federation_key"]
