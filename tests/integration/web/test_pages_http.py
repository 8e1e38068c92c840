"""Pages over HTTP through nginx: page or fragment, the session cookie, CSRF, friendly errors."""

from __future__ import annotations

import httpx

from tests.support import PASSWORD, page_csrf_token


def browser(stack) -> httpx.Client:
    return httpx.Client(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30)


def test_one_url_answers_the_whole_page_or_for_htmx_the_fragment_and_says_so_in_vary(stack):
    with browser(stack) as http:
        page = http.get("/login")
        fragment = http.post(
            "/login",
            headers={"HX-Request": "true", "X-CSRF-Token": page_csrf_token(page)},
            data={"email": "nobody@example.com", "password": "wrong"},
        )
    assert page.status_code == 200 and page.text.startswith("<!doctype html>")
    assert "HX-Request" in page.headers["vary"]
    assert fragment.status_code == 200 and fragment.text.startswith('<form id="login-form"')
    assert "do not match" in fragment.text


def test_login_sets_an_httponly_lax_session_cookie_that_pages_and_the_api_accept(stack, api):
    user = api.new_user("buyer")
    with browser(stack) as http:
        form = http.get("/login")
        answer = http.post(
            "/login",
            data={"email": user.email, "password": PASSWORD, "next": "/orders", "csrf_token": page_csrf_token(form)},
        )
        assert answer.status_code == 303 and answer.headers["location"] == "/orders"
        cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("bo_session="))
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
        orders = http.get("/orders")
        assert orders.status_code == 200
        assert http.get("/api/me").json()["id"] == user.id
        out = http.post("/logout", data={"csrf_token": page_csrf_token(orders)})
        assert out.status_code == 303 and 'bo_session=""' in out.headers["set-cookie"]


def test_cookie_authenticated_api_writes_need_the_csrf_token_but_bearer_clients_do_not(stack, api):
    user = api.new_user("buyer")
    with browser(stack) as http:
        http.cookies.set("bo_session", user.token)
        page = http.get("/")
        refused = http.post("/api/holds", json={"event_id": "x", "seat_ids": ["1"]})
        assert refused.status_code == 403 and refused.json()["type"].endswith("/csrf-failed")
        passed = http.post(
            "/api/holds", json={"event_id": "x", "seat_ids": ["1"]}, headers={"X-CSRF-Token": page_csrf_token(page)}
        )
        assert passed.status_code != 403
    bearer = api.post("/api/holds", user=user, json={"event_id": "x", "seat_ids": ["1"]})
    assert bearer.status_code != 403


def test_a_stale_session_cookie_on_a_page_means_logged_out_and_is_cleared(stack):
    with browser(stack) as http:
        http.cookies.set("bo_session", "not-a-token")
        answer = http.get("/")
    assert answer.status_code == 200 and "Log in" in answer.text
    assert 'bo_session=""' in answer.headers["set-cookie"]


def test_a_page_that_needs_a_login_redirects_there_and_unknown_pages_are_friendly_html(stack):
    with browser(stack) as http:
        orders = http.get("/orders")
        missing = http.get("/nowhere")
        api_missing = http.get("/api/nowhere")
    assert orders.status_code == 303 and orders.headers["location"].startswith("/login?next=")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "<!doctype html>" in missing.text and "Traceback" not in missing.text
    assert api_missing.headers["content-type"].startswith("application/problem+json")
