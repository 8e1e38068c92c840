"""Operators list dead rows and re-queue them, through the API (operator role) and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid

from tests.integration.events.conftest import ROOT_DIR
from tests.support import assert_problem


async def dead_row(db) -> int:
    """A dead delete of an event Elasticsearch never had: once re-queued, the relay delivers it (404)."""
    return await db.fetchval(
        "INSERT INTO outbox (aggregate_id, kind, version, payload, status, attempts, available_at, created_at,"
        " last_error) VALUES ($1, 'event.deleted', 1, '{}', 'dead', 12, now(), now(), 'ConnectionError: gave up')"
        " RETURNING id",
        str(uuid.uuid4()),
    )


async def test_an_operator_lists_dead_rows_and_requeues_one_which_the_relay_then_delivers(api, operator, main_db):
    row_id = await dead_row(main_db)
    dead = api.get("/api/outbox", params={"status": "dead", "limit": 100}, user=operator)
    assert dead.status_code == 200, dead.text
    listed = {r["id"]: r for r in dead.json()["items"]}
    assert listed[row_id]["status"] == "dead" and listed[row_id]["last_error"] == "ConnectionError: gave up"
    requeued = api.post(f"/api/outbox/{row_id}/requeue", user=operator)
    assert requeued.status_code == 200 and requeued.json()["status"] in ("pending", "delivered")
    assert requeued.json()["attempts"] == 0
    deadline = time.monotonic() + 10
    while await main_db.fetchval("SELECT status FROM outbox WHERE id = $1", row_id) != "delivered":
        assert time.monotonic() < deadline, "the relay never delivered the re-queued row"
        time.sleep(0.1)
    assert_problem(api.post(f"/api/outbox/{row_id}/requeue", user=operator), 409)
    assert_problem(api.post("/api/outbox/999999999/requeue", user=operator), 404)


def test_organizers_and_buyers_are_not_operators(api, organizer, buyer):
    for user in (organizer, buyer):
        assert_problem(api.get("/api/outbox?status=dead", user=user), 403)
        assert_problem(api.post("/api/outbox/1/requeue", user=user), 403)
    assert_problem(api.get("/api/outbox"), 401)


async def test_the_cli_lists_dead_rows_and_requeues_them_all(stack, main_db):
    row_id = await dead_row(main_db)
    cli = [sys.executable, "-m", "boxoffice.cli", "outbox"]
    env = stack.service_env()
    listed = subprocess.run(
        cli + ["list", "--status", "dead", "--limit", "100"],
        env=env,
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert row_id in [json.loads(line)["id"] for line in listed.stdout.splitlines()]
    requeued = subprocess.run(
        cli + ["requeue", "--all-dead"], env=env, cwd=ROOT_DIR, capture_output=True, text=True, check=True
    )
    assert requeued.stdout.startswith("re-queued ")
    assert await main_db.fetchval("SELECT status FROM outbox WHERE id = $1", row_id) in ("pending", "delivered")
    refused = subprocess.run(cli + ["requeue"], env=env, cwd=ROOT_DIR, capture_output=True, text=True)
    assert refused.returncode != 0 and "--all-dead" in refused.stderr
