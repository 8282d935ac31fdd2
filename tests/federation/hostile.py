"""A hostile peer: a Starlette app that serves what a broken or malicious
site might, so tests can point the real fetcher and a real site at it."""

from __future__ import annotations

import asyncio
import gzip

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

ATOM = "application/atom+xml; charset=utf-8"
BOMB_SIZE = 64 * 1024 * 1024  # 64 MiB of zeros, about 64 KiB gzipped
_bomb: bytes | None = None

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title>
<entry><id>tag:hostile.example,2026:news/1</id><title>&lol9;</title><updated>2026-01-01T00:00:00Z</updated></entry>
</feed>"""

#: Script in titles, links and SVG; duplicate and missing ids; wrong dates.
XSS_FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:p="urn:paraply:federation:1">
  <title>Fientliga föreningar</title>
  <id>tag:hostile.example,2026:news</id>
  <updated>2026-03-01T00:00:00Z</updated>
  <entry>
    <id>tag:hostile.example,2026:news/1</id>
    <title type="html">&lt;script&gt;alert('titel')&lt;/script&gt;Skriptrubrik</title>
    <link rel="alternate" href="javascript:alert('länk')"/>
    <updated>2026-03-01T10:00:00Z</updated>
    <summary type="html">&lt;img src=x onerror=alert(1)&gt;Sammanfattning</summary>
    <content type="html">&lt;p&gt;Text&lt;/p&gt;
      &lt;svg&gt;&lt;a xlink:href="javascript:alert(2)"&gt;&lt;text&gt;klicka&lt;/text&gt;&lt;/a&gt;&lt;/svg&gt;
      &lt;a href="javascript:alert(3)"&gt;länk&lt;/a&gt;&lt;iframe src="http://evil.example"&gt;&lt;/iframe&gt;</content>
    <p:field name="website">javascript:alert(4)</p:field>
    <p:field name="association">&lt;b onmouseover=alert(5)&gt;Klubben&lt;/b&gt;</p:field>
  </entry>
  <entry>
    <id>tag:hostile.example,2026:news/dup</id>
    <title>Dubblett, gammal</title>
    <link href="http://127.0.0.1/dup"/>
    <updated>2026-02-01T10:00:00Z</updated>
  </entry>
  <entry>
    <id>tag:hostile.example,2026:news/dup</id>
    <title>Dubblett, ny</title>
    <link href="http://127.0.0.1/dup"/>
    <updated>2026-02-02T10:00:00Z</updated>
  </entry>
  <entry>
    <title>Utan id och utan länk</title>
    <updated>2026-02-03T10:00:00Z</updated>
  </entry>
  <entry>
    <title>Utan id men med länk</title>
    <link href="https://hostile.example/nyhet"/>
    <updated>2026-02-03T10:00:00Z</updated>
  </entry>
  <entry>
    <id>tag:hostile.example,2026:news/future</id>
    <title>Från framtiden</title>
    <published>2999-12-31T00:00:00Z</published>
    <updated>2999-12-31T00:00:00Z</updated>
  </entry>
  <entry>
    <id>tag:hostile.example,2026:news/baddate</id>
    <title>Trasigt datum</title>
    <updated>igår vid lunch</updated>
  </entry>
  <entry>
    <id>{echo}</id>
    <title>Eko av en annan sajts nyhet</title>
    <updated>2026-02-04T10:00:00Z</updated>
  </entry>
</feed>
"""


def bomb() -> bytes:
    global _bomb
    if _bomb is None:
        _bomb = gzip.compress(b"\0" * BOMB_SIZE, compresslevel=9)
    return _bomb


def hostile_app(port: int, loopback_target: str = "", echo_id: str = "tag:echo.example,2026:news/1") -> Starlette:
    base = f"http://127.0.0.1:{port}"
    bomb()  # compressed once, before any fetcher's time-out starts

    async def well_known(request: Request) -> Response:
        return JSONResponse(
            {
                "name": "<script>alert('namn')</script>",
                "hub": "javascript:alert(1)",
                "feeds": {
                    "news": {"atom": f"{base}/xss.atom"},
                    "members": {"atom": f"{base}/bomb"},
                    "events": {"atom": f"{base}/laughs"},
                    "pages": {"atom": f"{base}/huge"},
                    "elsewhere": {"atom": "http://169.254.169.254/latest/meta-data"},
                },
            }
        )

    async def xss(request: Request) -> Response:
        return Response(XSS_FEED.replace("{echo}", echo_id), media_type=ATOM)

    async def huge(request: Request) -> Response:
        return Response(b"<feed>" + b"x" * (8 * 1024 * 1024), media_type=ATOM)

    async def gzip_bomb(request: Request) -> Response:
        return Response(bomb(), media_type=ATOM, headers={"Content-Encoding": "gzip"})

    async def laughs(request: Request) -> Response:
        return Response(BILLION_LAUGHS, media_type=ATOM)

    async def garbage(request: Request) -> Response:
        return Response(bytes(range(256)) * 40, media_type=ATOM)

    async def slow(request: Request) -> Response:
        await asyncio.sleep(10)
        return Response(XSS_FEED, media_type=ATOM)

    def redirect_to(target: str):  # type: ignore[no-untyped-def]
        async def handler(request: Request) -> Response:
            return RedirectResponse(target, status_code=302)

        return handler

    return Starlette(
        routes=[
            Route("/.well-known/paraply", well_known),
            Route("/xss.atom", xss),
            Route("/huge", huge),
            Route("/bomb", gzip_bomb),
            Route("/laughs", laughs),
            Route("/garbage", garbage),
            Route("/slow", slow),
            Route("/to-private", redirect_to("http://10.20.30.40/feed.atom")),
            Route("/to-metadata", redirect_to("http://169.254.169.254/latest/meta-data")),
            Route("/to-loopback", redirect_to(loopback_target or "http://127.0.0.1:9/")),
            Route("/to-file", redirect_to("file:///etc/passwd")),
            Route("/to-self", redirect_to(f"{base}/xss.atom")),
        ]
    )
