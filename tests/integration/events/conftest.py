"""Events fixtures: API factories for venues and events, and a private outbox world for relay tests.

Relay tests run relays in this process against a database of their own on the test stack's
PostgreSQL (migrated like the real one) and an alias of their own on its Elasticsearch (the real
mapping), so the events service's own relays never touch their rows.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from elasticsearch import AsyncElasticsearch
from tortoise import Tortoise
from tortoise.connection import get_connection

from boxoffice.db import tortoise_config
from boxoffice.domain.events.models import Event, EventCategory, EventStatus, Venue
from boxoffice.domain.outbox import repository as outbox
from boxoffice.domain.search.documents import event_document
from boxoffice.domain.search.index import create_index
from tests.support import Api, User

ROOT_DIR = __import__("pathlib").Path(__file__).resolve().parents[3]


def later(days: float = 30, hours: float = 0) -> str:
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days, hours=hours)
    return moment.isoformat().replace("+00:00", "Z")


def venue_body(**changes) -> dict:
    body = {
        "name": "Town Hall",
        "city": "Zürich",
        "address": "Hauptstrasse 1",
        "timezone": "Europe/Zurich",
        "sections": [
            {
                "name": "Stalls",
                "rows": [
                    {"label": "A", "seat_count": 10, "category": "premium"},
                    {"label": "B", "seat_count": 12, "category": "standard"},
                ],
            },
            {"name": "Balcony", "rows": [{"label": "C", "seat_count": 8, "category": "standard"}]},
        ],
    }
    return body | changes


def event_body(venue_id: str, **changes) -> dict:
    body = {
        "title": "Motörhead Tribute",
        "description": "Loud.",
        "category": "concert",
        "performer": "Lemmy's Ghosts",
        "venue_id": venue_id,
        "starts_at": later(30),
        "ends_at": later(30, 3),
        "currency": "EUR",
        "price_categories": [{"category": "premium", "price": 9000}, {"category": "standard", "price": 4500}],
        "max_tickets_per_order": 6,
    }
    return body | changes


class Organizer:
    """An organizer and the calls it makes through nginx."""

    def __init__(self, api: Api, user: User):
        self.api, self.user = api, user

    def venue(self, **changes) -> dict:
        answer = self.api.post("/api/venues", user=self.user, json=venue_body(**changes))
        assert answer.status_code == 201, answer.text
        return answer.json()

    def event(self, venue_id: str | None = None, **changes) -> dict:
        venue_id = venue_id or self.venue()["id"]
        answer = self.api.post("/api/events", user=self.user, json=event_body(venue_id, **changes))
        assert answer.status_code == 201, answer.text
        return answer.json()

    def published(self, **changes) -> dict:
        event = self.event(**changes)
        answer = self.api.post(f"/api/events/{event['id']}/publish", user=self.user)
        assert answer.status_code == 200, answer.text
        return answer.json()


@pytest.fixture
def org_a(api, organizer) -> Organizer:
    return Organizer(api, organizer)


@pytest.fixture
def org_b(api) -> Organizer:
    return Organizer(api, api.new_user("organizer"))


@pytest.fixture(scope="session")
async def main_db(stack):
    """A connection to the stack's own database (what the services use)."""
    conn = await asyncpg.connect(stack.database_url)
    yield conn
    await conn.close()


@pytest.fixture
async def operator(api, main_db) -> User:
    """A user with the `operator` role (no API grants it: an administrator sets it in the database)."""
    user = api.new_user("buyer")
    await main_db.execute("""UPDATE users SET roles = '["operator"]'::jsonb WHERE id = $1::uuid""", user.id)
    token = api.post("/api/auth/token", json={"email": user.email, "password": "correct horse battery"})
    return User(user.id, user.email, "operator", token.json()["access_token"])


# --- the private outbox world ------------------------------------------------------------------


@pytest.fixture(scope="session")
async def relay_db(stack) -> str:
    """A migrated database of its own; Tortoise in this process points at it."""
    name = f"relaytest_{uuid.uuid4().hex[:10]}"
    admin_url = stack.database_url.rsplit("/", 1)[0] + "/postgres"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f"CREATE DATABASE {name}")
    url = stack.database_url.rsplit("/", 1)[0] + f"/{name}"
    env = stack.service_env() | {"BOXOFFICE_DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "boxoffice.cli", "migrate"], env=env, check=True, cwd=ROOT_DIR, capture_output=True
    )
    await Tortoise.init(config=tortoise_config(f"{url}?maxsize=10"))
    yield url
    await Tortoise.close_connections()
    await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    await admin.close()


@pytest.fixture(scope="session")
async def es(stack):
    client = AsyncElasticsearch(stack.elasticsearch_url, request_timeout=10)
    yield client
    await client.close()


@pytest.fixture
async def alias(es) -> str:
    """A fresh index with the real mapping behind an alias of its own."""
    name = f"relaytest-{uuid.uuid4().hex[:10]}"
    await create_index(es, f"{name}-v1", refresh_interval="100ms")
    await es.indices.put_alias(index=f"{name}-v1", name=name)
    yield name
    await es.indices.delete(index=f"{name}-v1", ignore_unavailable=True)


@pytest.fixture
async def empty_outbox(relay_db):
    await get_connection("default").execute_query("TRUNCATE outbox")


def document(event_id: str, version: int, *, title: str | None = None) -> dict:
    """A real search document (documents.event_document) whose title names its version."""
    venue = Venue(
        id=uuid.uuid4(),
        name="Relay Hall",
        city="Köln",
        address="x",
        timezone="Europe/Berlin",
        sections=[],
        seat_count=10,
    )
    starts = datetime.now(UTC) + timedelta(days=10)
    event = Event(
        id=event_id,
        owner_id=uuid.uuid4(),
        title=title or f"v{version}",
        description="",
        category=EventCategory.CONCERT,
        performer="Relay Band",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        on_sale_at=None,
        currency="EUR",
        price_categories=[{"category": "standard", "price": 1000}],
        status=EventStatus.PUBLISHED,
        seat_count=10,
        published_at=None,
    )
    return event_document(event, venue, sold=0)


async def queue(event_id: str, version: int, kind: str = "event.upserted") -> int:
    row = await outbox.add(aggregate_id=event_id, kind=kind, version=version, payload=document(event_id, version))
    return row.id


async def rows_of(*event_ids: str) -> list[dict]:
    return await get_connection("default").execute_query_dict(
        "SELECT id, aggregate_id, version, status, attempts, available_at, delivered_at, last_error, now() AS now "
        "FROM outbox WHERE aggregate_id = ANY($1::text[]) ORDER BY id",
        [list(event_ids)],
    )


async def indexed(es: AsyncElasticsearch, alias: str, event_id: str) -> dict | None:
    answer = await es.options(ignore_status=404).get(index=alias, id=event_id)
    return answer.body if answer.body.get("found") else None
