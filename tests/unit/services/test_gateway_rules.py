"""The gateway's pure rules: which paths are operators' (however spelled), which requests check a
password, whose budget they spend, and which account they are about."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from boxoffice.infra.tokens import Identity
from boxoffice.services.common.identity import is_operator_path
from boxoffice.services.gateway import guard
from boxoffice.services.gateway.routing import checks_credentials, rate_limit_group


@pytest.mark.parametrize(
    "path",
    [
        "/metrics",
        "/readyz",
        "/docs",
        "/docs/openapi.json",
        "/metrics/",
        "//metrics",
        "/%6detrics",
        "/METRICS",
        "/search/../metrics",
        "/search/%2e%2e/docs/swagger",
        "/events/x/..%2f..%2freadyz",
        "/./readyz",
    ],
)
def test_every_spelling_of_an_operator_path_is_recognised(path):
    assert is_operator_path(path)


@pytest.mark.parametrize(
    "path",
    ["/healthz", "/", "/api/events", "/events/metrics", "/search?q=docs", "/metricsx", "/documents", "/api/docs"],
)
def test_other_paths_are_not_operators(path):
    assert not is_operator_path(path)


def test_sign_in_and_sign_up_are_the_auth_group_in_any_spelling_and_only_logins_check_credentials():
    for method, path in (
        ("POST", "/api/auth/token"),
        ("POST", "/api/auth/register"),
        ("POST", "/login"),
        ("POST", "/login/"),
        ("POST", "/register/"),
        ("GET", "/api/auth/token"),
    ):
        assert rate_limit_group(method, path, "events") == "auth", (method, path)
    assert rate_limit_group("GET", "/login", "events") == "default"
    assert checks_credentials("POST", "/api/auth/token") and checks_credentials("POST", "/login/")
    assert not checks_credentials("GET", "/login") and not checks_credentials("POST", "/api/auth/register")


def request(path="/api/auth/token", *, json=None, form=None, user=None, ip="198.51.100.7", bad_json=False):
    class Request(SimpleNamespace):
        @property
        def json(self):
            if bad_json:
                raise ValueError("not JSON")
            return json

    return Request(
        path=path, method="POST", form=form, headers={"X-Real-IP": ip}, ip="127.0.0.1", ctx=SimpleNamespace(user=user)
    )


def test_a_login_is_about_the_trimmed_lower_case_email_of_its_json_body_or_form():
    assert guard.target_email(request(json={"email": "  Bob@Example.COM ", "password": "x"})) == "bob@example.com"
    assert guard.target_email(request("/login", form={"email": "Bob@example.com"})) == "bob@example.com"
    for nameless in (
        request(json={"password": "x"}),
        request(json=["bob@example.com"]),
        request(json={"email": 7}),
        request(json={"email": "  "}),
        request(bad_json=True),
        request(json=None),
        request("/login", form=None),
    ):
        assert guard.target_email(nameless) is None


def test_sign_ins_spend_the_address_budget_even_with_a_token_while_other_calls_spend_the_users():
    user = Identity("u-1", ("buyer",))
    assert guard.caller(request(user=user), "auth") == "ip:198.51.100.7"
    assert guard.caller(request(user=user), "booking_write") == "user:u-1"
    assert guard.caller(request(), "booking_write") == "ip:198.51.100.7"
