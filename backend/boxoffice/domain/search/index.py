"""The events index: an explicit mapping, versioned index names behind an alias, and the rebuild.

Writers (the outbox relay) and readers (the search service) only ever use the alias. A rebuild
creates `<alias>-v<MAPPING_VERSION>-<timestamp>`, fills it from PostgreSQL with each event's
`search_version` as the external version, swaps the alias in one `_aliases` call and deletes the
old index; searches never see a missing or half-filled index.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

from elasticsearch import AsyncElasticsearch, NotFoundError

from boxoffice.config import Config
from boxoffice.domain.search.repository import VersionedDocument, all_documents, current_versions
from boxoffice.infra.elasticsearch import client

MAPPING_VERSION = 2  # 2: the venue's `timezone`; `index ensure` rebuilds an index of an older version
REFRESH_INTERVAL = "500ms"  # freshness target: p95 <= 1.5 s from publish to searchable
_PLUGIN_ANALYSIS = Path(__file__).resolve().parents[3] / "es-plugin" / "analysis.json"


def analysis() -> dict:
    """The analysis block: the plugin's analyzers (backend/es-plugin/analysis.json)."""
    return json.loads(_PLUGIN_ANALYSIS.read_text())


def _text(*, prefix: bool = False, keyword: bool = False) -> dict:
    """Stemmed, folded text; `.folded` keeps the words whole (exact-ish matches). Offsets in the postings
    let the unified highlighter work without analysing the text again (fuzzy matches made that slow)."""
    fields: dict = {"folded": {"type": "text", "analyzer": "boxoffice_folded"}}
    if prefix:
        fields["prefix"] = {"type": "text", "analyzer": "boxoffice_prefix", "search_analyzer": "boxoffice_folded"}
    if keyword:
        fields["keyword"] = {"type": "keyword", "ignore_above": 256}
    return {"type": "text", "analyzer": "boxoffice_text", "index_options": "offsets", "fields": fields}


def mappings() -> dict:
    return {
        "dynamic": "strict",
        "_meta": {"mapping_version": MAPPING_VERSION},
        "properties": {
            "id": {"type": "keyword"},
            "title": _text(prefix=True, keyword=True),
            "performer": _text(prefix=True, keyword=True),
            "description": _text(),
            "venue_name": _text(prefix=True, keyword=True),
            "venue_id": {"type": "keyword"},
            "city": {"type": "text", "analyzer": "boxoffice_folded", "fields": {"keyword": {"type": "keyword"}}},
            "city_key": {"type": "keyword"},  # folded in Python: 'Zürich' -> 'zurich'
            "timezone": {"type": "keyword", "index": False},  # the venue's IANA zone, only shown
            "category": {"type": "keyword"},
            "status": {"type": "keyword"},
            "starts_at": {"type": "date"},
            "ends_at": {"type": "date"},
            "on_sale_at": {"type": "date"},
            "published_at": {"type": "date"},
            "min_price": {"type": "long"},  # minor units
            "max_price": {"type": "long"},
            "currency": {"type": "keyword"},
            "seat_count": {"type": "integer"},
            "available_seats": {"type": "integer"},
            "suggest": {
                "type": "completion",
                "analyzer": "boxoffice_suggest",
                "max_input_length": 60,
                # Only published events are suggested; whether one has ended is checked per query.
                "contexts": [{"name": "status", "type": "category", "path": "status"}],
            },
        },
    }


def settings() -> dict:
    blocks = analysis()
    blocks["analyzer"]["boxoffice_suggest"] = {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["lowercase", "boxoffice_ascii_folding"],
    }
    return {
        "number_of_shards": 1,
        "number_of_replicas": 0,
        "refresh_interval": REFRESH_INTERVAL,
        "max_result_window": 10_000,
        "analysis": blocks,
    }


def new_index_name(alias: str, now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)).strftime("%Y%m%d%H%M%S%f")
    return f"{alias}-v{MAPPING_VERSION}-{moment}"


async def indices_behind(es: AsyncElasticsearch, alias: str) -> list[str]:
    """The concrete indices the alias points at ([] when the alias does not exist)."""
    try:
        return sorted((await es.indices.get_alias(name=alias)).keys())
    except NotFoundError:
        return []


async def create_index(es: AsyncElasticsearch, name: str, *, refresh_interval: str = REFRESH_INTERVAL) -> None:
    body = settings() | {"refresh_interval": refresh_interval}
    await es.indices.create(index=name, settings=body, mappings=mappings())


async def forbid_auto_create(es: AsyncElasticsearch, alias: str) -> None:
    """A write to a missing alias must fail, not create a dynamically mapped index of that name."""
    await es.cluster.put_settings(persistent={"action.auto_create_index": f"-{alias}*,+*"})


async def bulk_write(es: AsyncElasticsearch, index: str, documents: list[VersionedDocument]) -> tuple[int, int]:
    """Index documents with external versions; returns (written, stale). A stale version loses quietly."""
    if not documents:
        return 0, 0
    operations: list[dict] = []
    for doc in documents:
        operations.append(
            {"index": {"_index": index, "_id": doc.id, "version": doc.version, "version_type": "external"}}
        )
        operations.append(doc.document)
    answer = await es.bulk(operations=operations, request_timeout=60)
    written = stale = 0
    for item in answer["items"]:
        result = item["index"]
        if result["status"] in (200, 201):
            written += 1
        elif result["status"] == 409:
            stale += 1
        else:
            raise RuntimeError(f"indexing {result['_id']} failed: {result.get('error')}")
    return written, stale


async def ensure_index(config: Config) -> str:
    """Create the index, filled from PostgreSQL, and the alias if the alias is missing, or rebuild it
    (no downtime) if the alias points at an index of an older mapping; idempotent."""
    async with client(config, request_timeout=30) as es:
        await forbid_auto_create(es, config.search_alias)
        behind = await indices_behind(es, config.search_alias)
        if not behind:
            return await _rebuild(es, config.search_alias)
        version = await mapping_version(es, behind[0])
        if version >= MAPPING_VERSION:
            _log(f"alias {config.search_alias} -> {', '.join(behind)}: nothing to do")
            return behind[0]
        _log(f"{behind[0]} has mapping version {version}, this code writes version {MAPPING_VERSION}: rebuilding")
        return await _rebuild(es, config.search_alias)


async def mapping_version(es: AsyncElasticsearch, index: str) -> int:
    """The mapping version an index was made with (indices of version 1 did not record it)."""
    answer = await es.indices.get_mapping(index=index)
    return int(answer[index]["mappings"].get("_meta", {}).get("mapping_version", 1))


async def reindex(config: Config) -> str:
    """Build a new index from PostgreSQL and swap the alias to it with no downtime for searches."""
    async with client(config, request_timeout=30) as es:
        await forbid_auto_create(es, config.search_alias)
        return await _rebuild(es, config.search_alias)


async def _rebuild(es: AsyncElasticsearch, alias: str) -> str:
    old = await indices_behind(es, alias)
    stray = not old and bool(await es.indices.exists(index=alias))  # a concrete index squatting the alias name
    name = new_index_name(alias)
    await create_index(es, name, refresh_interval="-1")
    _log(f"created {name}")
    try:
        loaded = await _load(es, name)
        await es.indices.put_settings(index=name, settings={"refresh_interval": REFRESH_INTERVAL})
        await es.indices.refresh(index=name)
        await _swap(es, alias, name, old, stray)
    except BaseException:
        await es.indices.delete(index=name, ignore_unavailable=True)
        raise
    await _catch_up(es, alias, name, loaded)
    for index in old:
        await es.indices.delete(index=index, ignore_unavailable=True)
        _log(f"deleted {index}")
    return name


async def _load(es: AsyncElasticsearch, index: str) -> dict[str, int]:
    """Fill `index` from PostgreSQL; returns the version written for each event."""
    loaded: dict[str, int] = {}
    total = len(await current_versions())
    started = time.perf_counter()
    async for batch in all_documents():
        await bulk_write(es, index, batch)
        loaded.update((doc.id, doc.version) for doc in batch)
        rate = len(loaded) / max(time.perf_counter() - started, 1e-6)
        _log(f"indexed {len(loaded)}/{total} events ({rate:.0f}/s)")
    if not loaded:
        _log("no events in PostgreSQL: the index starts empty")
    return loaded


async def _swap(es: AsyncElasticsearch, alias: str, name: str, old: list[str], stray: bool) -> None:
    actions: list[dict] = [{"add": {"index": name, "alias": alias}}]
    actions += [{"remove": {"index": index, "alias": alias}} for index in old]
    if stray:
        actions.append({"remove_index": {"index": alias}})
    await es.indices.update_aliases(actions=actions)
    _log(f"alias {alias} -> {name}" + (f" (was {', '.join(old)})" if old else ""))
    behind = await indices_behind(es, alias)
    if len(behind) > 1:  # another ensure raced us: the oldest name wins, we step back
        if behind[0] != name:
            await es.indices.update_aliases(actions=[{"remove": {"index": name, "alias": alias}}])
            raise RuntimeError(f"another index ({behind[0]}) took the alias {alias} at the same time")


async def _catch_up(es: AsyncElasticsearch, alias: str, name: str, loaded: dict[str, int]) -> None:
    """Changes the relay wrote to the old index while we loaded: write them again, now through the alias."""
    now = await current_versions()
    changed = [event_id for event_id, version in now.items() if loaded.get(event_id) != version]
    gone = [event_id for event_id in loaded if event_id not in now]
    if changed:
        async for batch in all_documents(ids=changed):
            await bulk_write(es, alias, batch)
    for event_id in gone:
        try:
            await es.delete(index=name, id=event_id)
        except NotFoundError:
            pass
    if changed or gone:
        _log(f"caught up {len(changed)} changed and {len(gone)} deleted events")


def _log(message: str) -> None:
    print(f"[index {time.strftime('%H:%M:%S')}] {message}", flush=True)
