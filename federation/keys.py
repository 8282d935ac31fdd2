"""Site keys: one Ed25519 key pair per site, for signed federation requests.

The private key is kept in the data folder (``federation_key``, PEM, mode
0600), created on first use like the session secret; the public key is
published in ``/.well-known/paraply`` so a neighbour can check that a
request claiming to come from a site was signed by that site. A signed
message is a JSON object; the signature covers its canonical bytes (sorted
keys, no spaces, UTF-8) without the ``signature`` field. ``check`` refuses
a bad signature and a timestamp outside the allowed window with a Swedish
message; remembering nonces against replay is the caller's job.
"""

from __future__ import annotations

import base64
import json
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from core.api import Site, kept_secret
from core.api import gettext as _

KEY_FILE = "federation_key"
ALGORITHM = "ed25519"
WINDOW = timedelta(minutes=5)


def key_path(site: Site) -> Path:
    return site.data_dir / KEY_FILE


def private_key(site: Site) -> Ed25519PrivateKey:
    """The site's private key, created (mode 0600) on first use, once
    however many workers ask at the same moment."""
    path = key_path(site)

    def new_key() -> bytes:
        return Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    loaded = serialization.load_pem_private_key(kept_secret(path, new_key), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 key")
    return loaded


def public_key_text(site: Site) -> str:
    """The public key as unpadded URL-safe base64 of its 32 raw bytes."""
    raw = private_key(site).public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _b64(raw)


def discovery_entry(site: Site) -> dict[str, str]:
    """What ``/.well-known/paraply`` publishes under ``key``."""
    return {"type": ALGORITHM, "public": public_key_text(site)}


def canonical(message: dict[str, object]) -> bytes:
    body = {k: v for k, v in message.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(site: Site, message: dict[str, object], now: datetime | None = None) -> dict[str, object]:
    """``message`` with a timestamp, a fresh nonce and the site's signature."""
    signed: dict[str, object] = dict(message)
    signed["timestamp"] = (now or datetime.now(UTC)).astimezone(UTC).isoformat()
    signed["nonce"] = secrets.token_urlsafe(18)
    signed["signature"] = _b64(private_key(site).sign(canonical(signed)))
    return signed


def check(message: dict[str, object], published: object, now: datetime | None = None) -> str | None:
    """``None`` if ``message`` is signed by the key in ``published`` (a
    discovery ``key`` entry) and its timestamp is within five minutes of
    ``now``; otherwise a Swedish message saying what is wrong."""
    if not isinstance(published, dict) or published.get("type") != ALGORITHM:
        return _("Adressen publicerar ingen nyckel för signerade förfrågningar.")
    try:
        public = Ed25519PublicKey.from_public_bytes(_unb64(str(published.get("public") or "")))
        signature = _unb64(str(message.get("signature") or ""))
    except ValueError:
        return _("Nyckeln eller signaturen är felaktigt kodad.")
    try:
        public.verify(signature, canonical(message))
    except InvalidSignature:
        return _("Signaturen stämmer inte: förfrågan kommer inte från den webbplats den säger.")
    try:
        stamp = datetime.fromisoformat(str(message.get("timestamp") or ""))
    except ValueError:
        return _("Förfrågan saknar giltig tidsstämpel.")
    if stamp.tzinfo is None:
        return _("Förfrågan saknar giltig tidsstämpel.")
    if abs((now or datetime.now(UTC)) - stamp) > WINDOW:
        return _("Förfrågan är för gammal eller dateras i framtiden; försök igen.")
    if not message.get("nonce"):
        return _("Förfrågan saknar engångsvärde (nonce).")
    return None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as error:
        raise ValueError(str(error)) from error
