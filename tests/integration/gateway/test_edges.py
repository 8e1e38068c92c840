"""What every service promises at its edges: problems, correlation ids, the gateway as the only door,
health, readiness, metrics and docs."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from tests.support import assert_problem, burst

SERVICES = ("gateway", "events", "booking", "search")


def _log_lines(stack, service: str) -> list[dict]:
    lines = []
    for path in sorted((stack.var / "log").glob(f"{service}-*.log")):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                lines.append(json.loads(line))
    return lines


def test_a_correlation_id_sent_to_nginx_comes_back_and_reaches_the_service_log(api, stack):
    cid = f"trace-{uuid.uuid4().hex}"
    response = api.post(
        "/api/auth/token",
        json={"email": "x@example.com", "password": "whatever it is"},
        headers={"X-Correlation-Id": cid},
    )
    assert response.headers["x-correlation-id"] == cid
    assert response.json()["correlation_id"] == cid
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        seen = {
            svc
            for svc in ("gateway", "events")
            if any(line.get("correlation_id") == cid for line in _log_lines(stack, svc))
        }
        if seen == {"gateway", "events"}:
            break
        time.sleep(0.2)
    assert seen == {"gateway", "events"}


@pytest.mark.parametrize("bad", ["has spaces", "x" * 300, "semi;colon", "<script>"])
def test_an_insane_correlation_id_is_replaced(api, bad):
    response = api.get("/api/me", headers={"X-Correlation-Id": bad})
    assert response.headers["x-correlation-id"] != bad and len(response.headers["x-correlation-id"]) == 32


def test_a_made_up_correlation_id_is_returned_when_none_is_sent(api):
    assert len(api.get("/api/me").headers["x-correlation-id"]) == 32


def test_malformed_json_is_a_400_problem(api):
    body = assert_problem(
        api.post("/api/auth/register", content=b'{"email": ', headers={"Content-Type": "application/json"}), 400
    )
    assert "json" in body["detail"].lower()


def test_unknown_fields_are_a_422_problem_naming_them(api):
    body = assert_problem(
        api.post(
            "/api/auth/register",
            json={
                "email": f"u-{uuid.uuid4().hex[:8]}@example.com",
                "password": "long enough password",
                "name": "A",
                "role": "buyer",
                "roles": ["operator"],
                "user_id": "me",
            },
        ),
        422,
    )
    assert sorted(e["field"] for e in body["errors"]) == ["roles", "user_id"]
    assert all(e["message"] == "unknown field" for e in body["errors"])


def test_a_json_body_that_is_not_an_object_is_a_422(api):
    assert_problem(api.post("/api/auth/register", json=["a", "list"]), 422)


def test_an_unknown_api_route_is_a_404_problem(api):
    assert_problem(api.get("/api/no-such-thing"), 404)


def test_a_wrong_method_is_a_405_problem(api):
    assert_problem(api.request("PUT", "/api/auth/token", json={}), 405)


def test_a_body_over_the_limit_is_a_413_problem(api):
    assert_problem(
        api.post("/api/auth/register", content=b"x" * 1_010_000, headers={"Content-Type": "application/json"}), 413
    )


@pytest.mark.parametrize("service", ["events", "booking", "search"])
def test_a_request_that_bypasses_the_gateway_is_refused(stack, service):
    port = getattr(stack.ports, service)
    response = httpx.get(
        f"http://127.0.0.1:{port}/api/me", headers={"X-User-Id": str(uuid.uuid4()), "X-User-Roles": "organizer"}
    )
    assert_problem(response, 403)
    forged = httpx.get(
        f"http://127.0.0.1:{port}/api/booking/noop",
        headers={"X-Boxoffice-Internal": "a guess", "X-User-Id": str(uuid.uuid4())},
    )
    assert_problem(forged, 403)


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_alive_ready_measured_and_documented(stack, service):
    base = f"http://127.0.0.1:{getattr(stack.ports, service)}"
    assert httpx.get(f"{base}/healthz").json()["status"] == "ok"
    ready = httpx.get(f"{base}/readyz")
    assert ready.status_code == 200, ready.text
    assert "boxoffice_request_seconds" in httpx.get(f"{base}/metrics").text
    assert httpx.get(f"{base}/docs/openapi.json").json()["openapi"].startswith("3.")
    assert httpx.get(f"{base}/docs", follow_redirects=True).status_code == 200


def test_the_gateway_counts_rate_limit_rejections_in_metrics(api, stack):
    assert 429 in [r.status_code for r in burst(api, 40, "POST", "/api/holds", user=api.new_user(), json={})]
    metrics = httpx.get(f"http://127.0.0.1:{stack.ports.gateway}/metrics").text
    assert 'boxoffice_rate_limit_rejections_total{group="booking_write"}' in metrics


def test_https_with_http2_is_served(stack):
    with httpx.Client(http2=True, verify=False) as client:
        response = client.get(f"https://127.0.0.1:{stack.ports.https}/api/me")
    assert response.http_version == "HTTP/2" and response.status_code == 401
