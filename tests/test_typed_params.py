"""No number in a path or a query string reaches the database out of range.

Ids of 2**63 and above answered 500 (``OverflowError`` from the driver) on
``/hjalp/tjanst/<n>``, ``/parken/pass/<n>``, ``/nyheter/<n>`` and
``/fritidsbanken/?stalle=<n>``. Every route's numeric path parameter is now
core's bounded ``{x:id}`` convertor (core.params), and query strings go
through ``core.api.int_param``. The walk below finds the routes from the app,
as the permission walk does, so a new route is covered without a list.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.routing import Mount, Route

from core.app import create_app
from core.models import Role
from core.params import INT_MAX, IdConvertor, int_param, parse_int, query_int
from tests.conftest import DEFAULT_WEBPORTAL, add_user, text_of

ALL_PLUGINS = ["webportal", "lisa", "fritidsbanken", "odling", "evenemang", "samverkan", "lokaler", "nyhetsbrev"]
HOSTILE = [str(2**31), str(2**63), str(2**64), str(10**30), "-1", "0", "9" * 400, "²", "1e5", " 7"]
#: Query parameters the plugins read as numbers (and some they read as text).
QUERY_NAMES = [
    "page",
    "per_page",
    "sida",
    "stalle",
    "sasong",
    "ar",
    "manad",
    "badd",
    "plantering",
    "forening",
    "kategori",
    "kommun",
]


def walk(routes: list, prefix: str = "") -> Iterator[tuple[str, Route]]:
    for route in routes:
        if isinstance(route, Mount):
            yield from walk(route.routes or [], prefix + route.path)
        elif isinstance(route, Route):
            yield prefix + route.path, route


def numeric_routes(app) -> list[tuple[str, Route]]:
    found = []
    for path, route in walk(app.routes):
        if any(type(c).__name__ == "IntegerConvertor" for c in route.param_convertors.values()):
            raise AssertionError(f"{path} uses Starlette's unbounded int convertor")
        if any(isinstance(c, IdConvertor) for c in route.param_convertors.values()):
            found.append((path, route))
    return found


def fill(path: str, route: Route, value: str) -> str:
    for name, convertor in route.param_convertors.items():
        placeholder = "{" + name + ":id}"
        path = path.replace(placeholder, value if isinstance(convertor, IdConvertor) else "x")
        path = path.replace("{" + name + "}", "x")
    return path


@pytest.fixture
def everything(make_site):
    site = make_site(plugins=ALL_PLUGINS, plugin_settings={"webportal": DEFAULT_WEBPORTAL})
    add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")
    return site


def test_the_convertor_and_the_query_helper_refuse_what_a_column_cannot_hold():
    convertor = IdConvertor()
    import re

    pattern = re.compile(f"^{convertor.regex}$")
    assert pattern.match("1") and pattern.match(str(10**9 - 1))
    for value in (str(2**63), str(2**31), str(10**9), "-1", "1.5", "", "١٢"):
        assert not pattern.match(value), value
    assert parse_int("42") == 42 and parse_int("-3") == -3
    for value in (str(2**31), str(-(2**31) - 1), str(2**63), "1" * 30, "²", "١٢", "1e3", "", None, "0x10"):
        assert parse_int(value, 7) == 7, value
    assert parse_int("5", minimum=6) is None


def test_every_numeric_path_parameter_answers_404_never_500(everything, make_client):
    app = create_app(everything)
    routes = numeric_routes(app)
    assert len(routes) > 40, "the walk found too few routes: is it broken?"
    for role in ("anonymous", "admin"):
        client = make_client(everything)
        if role == "admin":
            client.login("admin@test.example")
        for path, route in routes:
            for value in (str(2**31), str(2**63), str(2**64), str(10**30), "-1", "0"):
                url = fill(path, route, value)
                if "GET" in (route.methods or set()):
                    answer = client.get(url, follow_redirects=False)
                    assert answer.status_code < 500, f"GET {url} as {role}: {answer.status_code}"
                    if role == "admin" and value != "0":
                        assert answer.status_code == 404, f"GET {url} as admin: {answer.status_code}"
                if "POST" in (route.methods or set()):
                    answer = client.submit(url, {"bekrafta": "ja"})
                    assert answer.status_code < 500, f"POST {url} as {role}: {answer.status_code}"


def test_numeric_query_parameters_never_answer_500(everything, make_client):
    app = create_app(everything)
    pages = [
        path for path, route in walk(app.routes) if "GET" in (route.methods or set()) and not route.param_convertors
    ]
    assert len(pages) > 30
    client = make_client(everything)
    client.login("admin@test.example")
    for path in pages:
        if path.startswith(("/konto/logga-ut", "/-/oidc")):
            continue
        for value in HOSTILE:
            query = "&".join(f"{name}={value}" for name in QUERY_NAMES)
            answer = client.get(f"{path}?{query}", follow_redirects=False)
            assert answer.status_code < 500, f"GET {path}?{query[:60]}: {answer.status_code}"


def test_the_reported_addresses(everything, make_client):
    client = make_client(everything)
    for url in ("/hjalp/tjanst/{n}", "/parken/pass/{n}", "/nyheter/{n}"):
        for n in (2**63, 2**64, 10**30):
            assert client.get(url.format(n=n)).status_code == 404, url
    # A filter the database cannot hold is refused, in words, not quietly dropped.
    catalogue = client.get(f"/fritidsbanken/?stalle={2**63}")
    assert catalogue.status_code == 400
    assert "Adressen har ett värde som inte går att använda (stalle)." in text_of(catalogue.text)
    assert client.get("/fritidsbanken/?stalle=").status_code == 200  # an empty choice is no choice
    assert client.get("/parken/blommar?manad=13").status_code == 400


def test_query_int_refuses_a_value_that_is_there_but_no_number():
    from starlette.exceptions import HTTPException
    from starlette.requests import Request

    scope = {"type": "http", "query_string": b"a=12&b=99999999999999999999999&c=x&d=&e=13", "headers": []}
    request = Request(scope)
    assert query_int(request, "a") == 12
    assert query_int(request, "d") is None and query_int(request, "missing") is None
    for name, maximum in (("b", INT_MAX), ("c", INT_MAX), ("e", 12)):
        with pytest.raises(HTTPException) as refused:
            query_int(request, name, minimum=1, maximum=maximum)
        assert refused.value.status_code == 400


def test_int_param_reads_the_query_string():
    from starlette.requests import Request

    scope = {"type": "http", "query_string": b"a=12&b=99999999999999999999999&c=x", "headers": []}
    request = Request(scope)
    assert int_param(request, "a") == 12
    assert int_param(request, "b", 1) == 1
    assert int_param(request, "c") is None
    assert int_param(request, "missing", 3) == 3
