"""What makes browsers defend the pages, through nginx: a Content-Security-Policy without inline
script, no framing, no sniffing, a Referrer-Policy, HSTS over HTTPS (and, in production, plain HTTP
only redirects); a CSRF token bound to the browser and its session, needed by every cookie-carrying
write whatever other headers it has."""

from __future__ import annotations

import shutil
import socket
from contextlib import contextmanager

import httpx
import pytest

from boxoffice.stack.core import Ports, Stack
from tests.conftest import ROOT, TEST_ENV
from tests.integration.web.test_search_and_edit_pages import published_event
from tests.support import PASSWORD, Api, User, page_csrf_token

DEFENCES = {"x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "same-origin"}


@contextmanager
def browser(stack, user: User | None = None, *, https: bool = False):
    scheme, port = ("https", stack.ports.https) if https else ("http", stack.ports.http)
    with httpx.Client(base_url=f"{scheme}://127.0.0.1:{port}", timeout=30, verify=False) as http:
        if user is not None:
            http.cookies.set("bo_session", user.token)
        yield http


def policy(response: httpx.Response) -> dict[str, str]:
    directives = [d.strip().split(" ", 1) for d in response.headers["content-security-policy"].split(";")]
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


@pytest.fixture(scope="module")
def event_id(api: Api) -> str:
    return published_event(api, api.new_user("organizer"), "Defended Evening")["id"]


def test_every_page_carries_a_csp_without_inline_script_and_refuses_framing_and_sniffing(stack, api, event_id):
    organizer = api.new_user("organizer")
    with browser(stack, organizer) as http:
        pages = [
            http.get(path)
            for path in (
                "/",
                "/login",
                "/register",
                f"/events/{event_id}",
                "/orders",
                "/organizer",
                "/organizer/venues/new",
                "/no-such-page",
            )
        ]
        api_answer = http.get("/api/me")
    for page in [*pages, api_answer]:
        assert page.status_code in (200, 404), (page.url, page.status_code)
        rules = policy(page)
        assert rules["script-src"] == "'self'" and rules["style-src"] == "'self'", rules
        assert rules["frame-ancestors"] == "'none'" and rules["object-src"] == "'none'"
        assert "unsafe" not in page.headers["content-security-policy"]
        for name, value in DEFENCES.items():
            assert page.headers[name] == value, (page.url, name)
        assert "strict-transport-security" not in page.headers  # plain HTTP: HSTS means nothing there
    for page in pages:
        assert "<script>" not in page.text and " onclick=" not in page.text and "js:" not in page.text
        assert " style=" not in page.text and "<style" not in page.text


def test_over_https_every_answer_carries_hsts_and_static_files_are_not_sniffed(stack, event_id):
    with browser(stack, https=True) as http:
        answers = [
            http.get("/"),
            http.get(f"/events/{event_id}"),
            http.get("/api/me"),
            http.get("/static/css/app.css"),
            http.get("/static/js/app.js"),
            http.get("/metrics"),
            http.get("/static/nothing.js"),
        ]
    for answer in answers:
        hsts = answer.headers.get("strict-transport-security", "")
        assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 31536000, (answer.url, hsts)
        assert answer.headers["x-content-type-options"] == "nosniff", answer.url


def test_a_cookie_authenticated_write_needs_its_csrf_token_even_with_an_authorization_header(stack, api):
    user = api.new_user()
    bearer = {"Authorization": f"Bearer {user.token}"}
    with browser(stack, user) as http:
        token = page_csrf_token(http.get("/orders"))
        api_write = http.post("/api/holds", json={"event_id": "x", "seat_ids": ["1"]}, headers=bearer)
        page_write = http.post("/logout", data={}, headers=bearer)
        with_token = http.post(
            "/api/holds", json={"event_id": "x", "seat_ids": ["1"]}, headers={**bearer, "X-CSRF-Token": token}
        )
        assert http.get("/api/me").status_code == 200  # still logged in: the refused logout did nothing
    for refused in (api_write, page_write):
        assert refused.status_code == 403, refused.text
    assert api_write.json()["type"].endswith("/csrf-failed")
    assert with_token.status_code not in (401, 403), with_token.text
    alone = api.post("/api/holds", user=user, json={"event_id": "x", "seat_ids": ["1"]})  # no cookie: no check
    assert alone.status_code not in (401, 403), alone.text


def test_a_csrf_token_works_only_for_its_own_browser_and_session(stack, api):
    """A token is not the cookie's echo any more: a cookie planted in the victim's browser together with
    the attacker's token, or a token from before a login, no longer passes."""
    victim = api.new_user()
    with browser(stack) as attacker:
        attacker_token = page_csrf_token(attacker.get("/login"))
        attacker_cookie = attacker.cookies["bo_csrf"]
    with browser(stack, victim) as http:
        own_token = page_csrf_token(http.get("/orders"))
        http.cookies.set("bo_csrf", attacker_cookie)  # cookie tossing: the attacker's cookie...
        planted = http.post("/logout", data={"csrf_token": attacker_token})  # ...and its token
        assert planted.status_code == 403
        assert http.get("/api/me").status_code == 200
    with browser(stack) as http:
        logged_out_token = page_csrf_token(http.get("/login"))
        login = http.post("/login", data={"email": victim.email, "password": PASSWORD, "csrf_token": logged_out_token})
        assert login.status_code == 303
        stale = http.post("/logout", data={"csrf_token": logged_out_token})  # the session changed since
        assert stale.status_code == 403 and "form token" in stale.text
        fresh = http.post("/logout", data={"csrf_token": page_csrf_token(http.get("/orders"))})
        assert fresh.status_code == 303
    assert own_token != attacker_token


def test_the_csrf_cookie_is_httponly_and_cookies_are_secure_when_the_login_came_over_https(stack, api):
    """The test stack (like the development stack) serves HTTP and HTTPS: a login over HTTPS gets a
    Secure session cookie, one over plain HTTP a cookie that works there; production always sets
    Secure (and nginx only redirects plain HTTP there)."""
    user = api.new_user()
    cookies = {}
    for https in (False, True):
        with browser(stack, https=https) as http:
            form = http.get("/login")
            answer = http.post(
                "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": page_csrf_token(form)}
            )
            assert answer.status_code == 303
            cookies[https] = {
                h.split("=")[0]: h
                for h in [*form.headers.get_list("set-cookie"), *answer.headers.get_list("set-cookie")]
            }
    for https, made in cookies.items():
        assert "HttpOnly" in made["bo_csrf"] and "HttpOnly" in made["bo_session"]
        assert ("Secure" in made["bo_session"]) == https and ("Secure" in made["bo_csrf"]) == https


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def production_nginx(stack):
    """nginx rendered for production (BOXOFFICE_ENV=production) in front of the test stack's gateway."""
    ports = Ports(http=_free_port(), https=_free_port(), gateway=stack.ports.gateway)
    edge = Stack(
        ROOT,
        f"{stack.name}-production-edge",
        ports,
        env_overrides={**TEST_ENV, "BOXOFFICE_ENV": "production"},
        test=True,
    )
    edge.start_nginx()
    yield edge
    edge.stop_nginx()
    shutil.rmtree(edge.var, ignore_errors=True)


def test_in_production_plain_http_only_redirects_to_https_which_carries_hsts(production_nginx):
    ports = production_nginx.ports
    with httpx.Client(timeout=30, verify=False) as http:
        for path in ("/", "/login?next=/orders", "/api/me", "/static/css/app.css", "/healthz"):
            answer = http.get(f"http://127.0.0.1:{ports.http}{path}")
            assert answer.status_code == 301, (path, answer.status_code)
            assert answer.headers["location"] == f"https://127.0.0.1:{ports.https}{path}"
        posted = http.post(f"http://127.0.0.1:{ports.http}/api/auth/token", json={})
        assert posted.status_code == 301
        secure = http.get(f"https://127.0.0.1:{ports.https}/login")
    assert secure.status_code == 200 and secure.headers["strict-transport-security"] == "max-age=31536000"
    assert secure.headers["x-frame-options"] == "DENY"
