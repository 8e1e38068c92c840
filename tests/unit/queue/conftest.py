"""A private Redis server for the waiting room's Lua logic (started once for these unit tests)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from boxoffice.infra.redis import RedisClient


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url():
    port = _free_port()
    workdir = tempfile.mkdtemp(prefix="boxoffice-queue-redis-")
    server = subprocess.Popen(
        [
            shutil.which("redis-server") or "/usr/bin/redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(10)
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
async def redis(redis_url):
    client = RedisClient(redis_url)
    await client.start()
    yield client.client
    await client.stop()
