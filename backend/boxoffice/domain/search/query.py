"""Elasticsearch request bodies for the search API, as pure functions of the checked parameters.

Facets follow the multi-select pattern: the category and city filters go into `post_filter`, and
each facet is computed under every filter but its own, so picking "Zürich" still shows how many
events the other cities have.
"""

from __future__ import annotations

from datetime import datetime

from boxoffice.domain.search.documents import fold, rfc3339
from boxoffice.domain.search.schemas import SearchParams

TEXT_FIELDS = ("title^3", "performer^3", "venue_name^2", "description")
FOLDED_FIELDS = ("title.folded^3", "performer.folded^3", "venue_name.folded^2", "description.folded")
HIGHLIGHT_FIELDS = ("title", "performer", "venue_name", "description")
ITEM_FIELDS = (
    "id",
    "title",
    "performer",
    "category",
    "city",
    "venue_name",
    "starts_at",
    "min_price",
    "max_price",
    "currency",
    "available_seats",
)
CARD_FIELDS = (*ITEM_FIELDS, "timezone")  # the web UI's cards show the time in the venue's zone
FACET_SIZE = 20
SUGGEST_SIZE = 10
SUGGEST_OVERFETCH = 40  # ended events are dropped after the suggester answers

SORTS: dict[str, list] = {
    "relevance": ["_score", {"starts_at": "asc"}, {"id": "asc"}],
    "date": [{"starts_at": "asc"}, {"id": "asc"}],
    "price_asc": [{"min_price": "asc"}, {"starts_at": "asc"}, {"id": "asc"}],
    "price_desc": [{"min_price": "desc"}, {"starts_at": "asc"}, {"id": "asc"}],
}


def listed() -> list[dict]:
    """Only what buyers may see: published events that have not ended. `now/m` (rounded to the minute)
    lets Elasticsearch cache the filter; an event stays listed for at most a minute after its end."""
    return [{"term": {"status": "published"}}, {"range": {"ends_at": {"gte": "now/m"}}}]


def text_query(q: str) -> dict:
    """Typo-tolerant match over the stemmed fields; exact folded words and phrases score higher."""
    return {
        "bool": {
            "must": [
                {
                    "multi_match": {
                        "query": q,
                        "fields": list(TEXT_FIELDS),
                        "type": "best_fields",
                        "tie_breaker": 0.3,
                        "fuzziness": "AUTO",
                        "prefix_length": 1,
                        "max_expansions": 20,
                    }
                }
            ],
            "should": [
                {"multi_match": {"query": q, "fields": list(FOLDED_FIELDS), "type": "best_fields", "boost": 2}},
                {
                    "multi_match": {
                        "query": q,
                        "fields": ["title.folded^2", "performer.folded^2"],
                        "type": "phrase",
                        "boost": 3,
                    }
                },
            ],
        }
    }


def range_filters(params: SearchParams) -> list[dict]:
    filters: list[dict] = []
    starts: dict = {}
    if params.from_ is not None:
        starts["gte"] = rfc3339(params.from_)
    if params.to is not None:
        starts["lte"] = rfc3339(params.to)
    if starts:
        filters.append({"range": {"starts_at": starts}})
    if params.min_price is not None:  # some price of the event lies in [min_price, max_price]
        filters.append({"range": {"max_price": {"gte": params.min_price}}})
    if params.max_price is not None:
        filters.append({"range": {"min_price": {"lte": params.max_price}}})
    if params.available:
        filters.append({"range": {"available_seats": {"gt": 0}}})
    return filters


def facet_filters(params: SearchParams) -> dict[str, dict]:
    """The filters that also narrow a facet: keyed by the facet they belong to."""
    filters = {}
    if params.category is not None:
        filters["category"] = {"term": {"category": str(params.category)}}
    if params.city:
        filters["city"] = {"term": {"city_key": fold(params.city)}}
    return filters


def _facet(name: str, field: str, others: list[dict]) -> dict:
    terms = {"terms": {"field": field, "size": FACET_SIZE, "order": [{"_count": "desc"}, {"_key": "asc"}]}}
    return {"filter": {"bool": {"filter": others}}, "aggs": {name: terms}}


def search_body(params: SearchParams, fields: tuple[str, ...] = ITEM_FIELDS) -> dict:
    """The whole `_search` body for one page of results with facets and highlights."""
    main = {"bool": {"filter": listed() + range_filters(params)}}
    if params.q:
        main["bool"]["must"] = [text_query(params.q)]
    narrowing = facet_filters(params)
    sort = SORTS["date"] if params.sort == "relevance" and not params.q else SORTS[params.sort]
    body: dict = {
        "query": main,
        "sort": sort,
        "from": params.offset,
        "size": params.size,
        "track_total_hits": True,
        "_source": list(fields),
        "aggs": {
            "category": _facet("category", "category", [f for k, f in narrowing.items() if k != "category"]),
            "city": _facet("city", "city.keyword", [f for k, f in narrowing.items() if k != "city"]),
        },
    }
    if narrowing:
        body["post_filter"] = {"bool": {"filter": list(narrowing.values())}}
    if params.q:
        body["highlight"] = highlight(params.q)
    return body


def highlight(q: str) -> dict:
    """Highlights of the original text (accents and case as written), HTML-escaped.

    Each field gets its own one-field highlight query: highlighting with the whole boosted, fuzzy
    multi-field query costs ten times the search itself. Descriptions are highlighted without
    fuzziness (long texts make fuzzy highlighting slow)."""

    def fuzzy(field: str) -> dict:
        return {"match": {field: {"query": q, "fuzziness": "AUTO", "prefix_length": 1, "max_expansions": 20}}}

    whole = {"number_of_fragments": 0}
    return {
        "encoder": "html",
        "pre_tags": ["<em>"],
        "post_tags": ["</em>"],
        "type": "unified",
        "fields": {
            **{field: {**whole, "highlight_query": fuzzy(field)} for field in ("title", "performer", "venue_name")},
            "description": {
                "fragment_size": 150,
                "number_of_fragments": 2,
                "highlight_query": {"match": {"description": {"query": q}}},
            },
        },
    }


def search_result(answer: dict, params: SearchParams, fields: tuple[str, ...] = ITEM_FIELDS) -> dict:
    """The API's answer from Elasticsearch's."""
    items = [item(hit, fields) for hit in answer["hits"]["hits"]]
    aggs = answer.get("aggregations", {})
    return {
        "total": answer["hits"]["total"]["value"],
        "page": params.page,
        "size": params.size,
        "items": items,
        "facets": {name: facet(aggs, name) for name in ("category", "city")},
        "took_ms": answer.get("took", 0),
    }


def item(hit: dict, fields: tuple[str, ...] = ITEM_FIELDS) -> dict:
    source = hit["_source"]
    found = {field: source.get(field) for field in fields}
    found["highlights"] = {field: fragments for field, fragments in hit.get("highlight", {}).items()}
    return found


def facet(aggs: dict, name: str) -> list[dict]:
    buckets = aggs.get(name, {}).get(name, {}).get("buckets", [])
    return [{"key": b["key"], "count": b["doc_count"]} for b in buckets]


def suggest_body(prefix: str) -> dict:
    """Completion suggestions among published events; ended ones are dropped by `suggestions`."""
    return {
        "_source": ["id", "ends_at"],
        "suggest": {
            "events": {
                "prefix": prefix,
                "completion": {
                    "field": "suggest",
                    "size": SUGGEST_OVERFETCH,
                    "skip_duplicates": True,
                    "contexts": {"status": ["published"]},
                },
            }
        },
    }


def suggestions(answer: dict, *, now: datetime) -> dict:
    """At most SUGGEST_SIZE `{text, event_id}` of events that have not ended at `now`."""
    found: list[dict] = []
    for entry in answer.get("suggest", {}).get("events", []):
        for option in entry.get("options", []):
            ends_at = option.get("_source", {}).get("ends_at")
            if ends_at and datetime.fromisoformat(ends_at.replace("Z", "+00:00")) >= now:
                found.append({"text": option["text"], "event_id": option["_id"]})
    return {"suggestions": found[:SUGGEST_SIZE]}
