"""Operators' endpoints (/metrics, /readyz, /docs and the OpenAPI documents) are for the inside: 404
through nginx however the path is spelled, over HTTP and HTTPS, while each service, the gateway
included, still answers them on its own port (Prometheus scrapes there). /healthz stays public."""

from __future__ import annotations

import http.client
import ssl

import httpx
import pytest

from tests.support import assert_problem

OPERATOR_PATHS = (
    "/metrics",
    "/readyz",
    "/docs",
    "/docs/",
    "/docs/openapi.json",
    "/docs/swagger",
    "/docs/redoc",
    "/docs/swagger-config",
)
# What a client could try to get one of them past a rule that matches the plain spelling.
ODD_SPELLINGS = (
    "/metrics/",
    "//metrics",
    "/%6detrics",
    "/METRICS",
    "/metrics?format=text",
    "/./readyz",
    "/search/../metrics",
    "/search/%2e%2e/metrics",
    "/search/%2E%2E/docs/openapi.json",
    "/events/x/..%2f..%2freadyz",
    "/static/../docs",
    "/api/../metrics",
    "/docs;/openapi.json",
)
SERVICES = ("gateway", "events", "booking", "search")


def raw_get(host: str, port: int, path: str, *, tls: bool = False, headers: dict | None = None) -> tuple[int, str]:
    """GET `path` exactly as written (httpx would tidy dot segments and escapes away)."""
    if tls:
        connection = http.client.HTTPSConnection(host, port, timeout=30, context=ssl._create_unverified_context())
    else:
        connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.read().decode(errors="replace")
    finally:
        connection.close()


@pytest.mark.parametrize("path", OPERATOR_PATHS)
def test_operator_endpoints_are_a_404_problem_through_nginx_over_http_and_https(stack, path):
    for scheme, port in (("http", stack.ports.http), ("https", stack.ports.https)):
        answer = httpx.get(f"{scheme}://127.0.0.1:{port}{path}", verify=False, timeout=30)
        assert_problem(answer, 404)
        assert "boxoffice_request_seconds" not in answer.text and "openapi" not in answer.text


@pytest.mark.parametrize("path", ODD_SPELLINGS)
def test_no_spelling_of_an_operator_path_gets_through_nginx(stack, path):
    status, body = raw_get("127.0.0.1", stack.ports.http, path)
    assert status in (400, 404), (status, body[:200])
    assert "boxoffice_request_seconds" not in body and '"openapi"' not in body and '"checks"' not in body


@pytest.mark.parametrize(
    "path",
    (
        "/metrics",
        "/readyz",
        "/docs/openapi.json",
        "/search/%2e%2e/metrics",
        "/search/%2E%2E/docs/openapi.json",
        "/events/..%2freadyz",
    ),
)
def test_the_gateway_refuses_operator_paths_passed_on_by_a_proxy_and_never_proxies_them(stack, path):
    """Defence in depth: were nginx's rule to miss a spelling, the gateway neither answers it nor passes
    it to a service (whose HTTP client would resolve the dot segments)."""
    status, body = raw_get(
        "127.0.0.1", stack.ports.gateway, path, headers={"X-Real-IP": "203.0.113.9", "X-Forwarded-For": "203.0.113.9"}
    )
    assert status == 404, (status, body[:200])
    assert "boxoffice_request_seconds" not in body and '"openapi"' not in body


def test_healthz_stays_public_through_nginx(stack):
    for scheme, port in (("http", stack.ports.http), ("https", stack.ports.https)):
        answer = httpx.get(f"{scheme}://127.0.0.1:{port}/healthz", verify=False, timeout=30)
        assert answer.status_code == 200 and answer.json()["status"] == "ok"


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_still_answers_its_operator_endpoints_on_its_own_port(stack, service):
    base = f"http://127.0.0.1:{getattr(stack.ports, service)}"
    assert "boxoffice_request_seconds" in httpx.get(f"{base}/metrics", timeout=30).text
    assert httpx.get(f"{base}/readyz", timeout=30).status_code == 200
    assert httpx.get(f"{base}/docs/openapi.json", timeout=30).json()["openapi"].startswith("3.")
    assert httpx.get(f"{base}/docs", follow_redirects=True, timeout=30).status_code == 200
