"""Elasticsearch down or hanging: the search service answers 503 problems quickly and says so in /readyz,
while everything that does not need Elasticsearch keeps working. A second search service process is
pointed at a dead (or silent) address; the shared Elasticsearch is never stopped."""

from __future__ import annotations

import socket
import subprocess
import time
from contextlib import closing, contextmanager

import httpx
import pytest

from boxoffice.config import DEV_PLACEHOLDER
from tests.support import assert_problem


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def search_service(stack, elasticsearch_url: str):
    port = free_port()
    env = {**stack.service_env(), "BOXOFFICE_ELASTICSEARCH_URL": elasticsearch_url}
    log = open(stack.log_dir / f"search-unavailable-{port}.log", "w")
    process = subprocess.Popen(
        [str(stack.root / ".venv" / "bin" / "boxoffice"), "serve", "search", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    secret = env.get("BOXOFFICE_INTERNAL_SECRET", DEV_PLACEHOLDER)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=15, headers={"X-Boxoffice-Internal": secret})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "the search service did not start"
            time.sleep(0.2)
        yield client
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=15)
        log.close()


@pytest.fixture
def silent_address():
    """An address that accepts connections and never answers."""
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        yield f"http://127.0.0.1:{s.getsockname()[1]}"


def test_elasticsearch_down_is_a_503_problem_and_readyz_says_so(stack):
    with search_service(stack, f"http://127.0.0.1:{free_port()}") as service:
        body = assert_problem(service.get("/api/search/events", params={"q": "rock"}), 503)
        assert body["type"].endswith("/search-unavailable")
        assert_problem(service.get("/api/search/suggest", params={"q": "ro"}), 503)
        ready = assert_problem(service.get("/readyz"), 503)
        assert ready["checks"] == {"elasticsearch": False}
        assert service.get("/healthz").status_code == 200
        assert_problem(service.get("/api/search/events", params={"size": "500"}), 422)


def test_a_hanging_elasticsearch_is_a_quick_503(stack, silent_address):
    with search_service(stack, silent_address) as service:
        started = time.monotonic()
        assert_problem(service.get("/api/search/events", params={"q": "rock"}), 503)
        assert time.monotonic() - started < 5
