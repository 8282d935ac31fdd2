"""Where ``paraply serve`` listens, and which base URL a site gets while it
is served somewhere its site.toml does not say (issue 17: a new site stayed
on http://127.0.0.1:8000 in its links and feeds when served on another port).

Only a site whose base_url is still on this machine (a loopback address or
``localhost``, as ``paraply new-site`` writes it) and plain http gets a
stand-in: a real address (https://förening.example) is left alone, since a
proxy in front of the server is expected to answer there, and so is an
https address on this machine (uvicorn serves http only, so an https
base_url means a proxy such as Caddy answers there).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOCAL_NAMES = {"localhost"}
ANY_ADDRESS = {"0.0.0.0", "::", ""}


def is_local(host: str) -> bool:
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def local_port(base_url: str) -> int | None:
    """The port of a base URL on this machine (http://127.0.0.1:8004 → 8004),
    else None."""
    parts = urlsplit(base_url)
    if not is_local(parts.hostname or ""):
        return None
    return parts.port or (443 if parts.scheme == "https" else 80)


def served_address(host: str, port: int) -> str:
    """The address a browser on this machine opens for ``host``:``port``."""
    shown = "127.0.0.1" if host in ANY_ADDRESS else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def stand_in_base_url(base_url: str, host: str, port: int) -> str | None:
    """The base URL to use while serving at ``host``:``port``, when the
    configured one is on this machine and names another address; else None."""
    if local_port(base_url) is None or urlsplit(base_url).scheme == "https":
        return None
    served = served_address(host, port)
    if urlsplit(base_url)._replace(path="").geturl().rstrip("/") == served:
        return None
    return served
