"""Search fixtures: documents written straight to the `events` alias (as the outbox relay does, with
external versions), an emptied index before each test, and a factory for search documents."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from boxoffice.domain.search.documents import fold, rfc3339, suggest_weight

ALIAS = "events"


class SearchIndex:
    """The test stack's Elasticsearch, seen through the alias the services use."""

    def __init__(self, url: str):
        self.http = httpx.Client(base_url=url, timeout=30)

    def put(self, doc: dict, version: int = 1) -> httpx.Response:
        return self.http.put(
            f"/{ALIAS}/_doc/{doc['id']}", params={"version": version, "version_type": "external"}, json=doc
        )

    def add(self, *docs: dict) -> list[dict]:
        for doc in docs:
            answer = self.put(doc)
            assert answer.status_code in (200, 201), answer.text
        self.refresh()
        return list(docs)

    def get(self, doc_id: str) -> dict:
        return self.http.get(f"/{ALIAS}/_doc/{doc_id}").json()

    def refresh(self) -> None:
        self.http.post(f"/{ALIAS}/_refresh").raise_for_status()

    def indices(self) -> list[str]:
        return sorted(self.http.get(f"/_alias/{ALIAS}").json())

    def empty(self) -> None:
        self.refresh()
        hits = self.http.post(f"/{ALIAS}/_search", json={"size": 10000, "_source": False}).json()["hits"]["hits"]
        if hits:
            lines = "".join(f'{{"delete": {{"_id": "{h["_id"]}"}}}}\n' for h in hits)
            self.http.post(f"/{ALIAS}/_bulk", content=lines, headers={"Content-Type": "application/x-ndjson"})
        self.refresh()


def event_doc(
    title: str,
    *,
    performer: str = "Various Artists",
    description: str = "",
    category: str = "concert",
    status: str = "published",
    city: str = "Berlin",
    venue_name: str = "Town Hall",
    days: float = 30,
    hours: float = 3,
    min_price: int = 2500,
    max_price: int = 9000,
    available_seats: int = 100,
) -> dict:
    """A search document as documents.event_document builds it; `days` from now until it starts."""
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    ends = starts + timedelta(hours=hours)
    return {
        "id": str(uuid.uuid4()),
        "title": title,
        "description": description,
        "performer": performer,
        "category": category,
        "status": status,
        "venue_id": str(uuid.uuid4()),
        "venue_name": venue_name,
        "city": city,
        "city_key": fold(city),
        "timezone": "Europe/Berlin",
        "starts_at": rfc3339(starts),
        "ends_at": rfc3339(ends),
        "on_sale_at": None,
        "published_at": rfc3339(datetime.now(UTC)),
        "min_price": min_price,
        "max_price": max_price,
        "currency": "EUR",
        "seat_count": 100,
        "available_seats": available_seats,
        "suggest": {"input": [title, performer], "weight": suggest_weight(ends)},
    }


@pytest.fixture(scope="session")
def search_index(stack) -> SearchIndex:
    index = SearchIndex(stack.elasticsearch_url)
    yield index
    index.http.close()


@pytest.fixture(autouse=True)
def empty_index(search_index):
    search_index.empty()


def search(api, **params) -> httpx.Response:
    return api.get("/api/search/events", params=params)


def found(api, **params) -> dict:
    answer = search(api, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def titles(api, **params) -> list[str]:
    return [item["title"] for item in found(api, **params)["items"]]
