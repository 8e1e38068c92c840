"""With Redis unreachable the gateway lets traffic through, and says so in logs and metrics."""

from __future__ import annotations

import json
import subprocess
import time

import httpx
import pytest


@pytest.fixture
def gateway_without_redis(stack):
    port = stack.ports.gateway + 57
    env = stack.service_env() | {"BOXOFFICE_REDIS_URL": f"redis://127.0.0.1:{stack.ports.redis + 7}/0"}
    log = stack.log_dir / "gateway-no-redis.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(stack.root / ".venv/bin/boxoffice"), "serve", "gateway", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}", log
    process.terminate()
    process.wait(10)


def test_requests_pass_when_redis_is_down_and_the_fail_open_is_counted(gateway_without_redis, api):
    base, log = gateway_without_redis
    user = api.new_user()
    responses = [httpx.get(f"{base}/api/me", headers={"Authorization": f"Bearer {user.token}"}) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert "boxoffice_rate_limit_fail_open_total 3.0" in httpx.get(f"{base}/metrics").text
    warnings = [json.loads(line) for line in log.read_text().splitlines() if "fails open" in line]
    assert warnings and warnings[0]["level"] == "warning" and warnings[0]["correlation_id"]
    assert httpx.get(f"{base}/readyz").status_code == 503
