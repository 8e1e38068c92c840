"""The search request bodies and the parameter checks, without Elasticsearch."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from boxoffice.domain.search import query
from boxoffice.domain.search.schemas import SearchParams, SuggestParams
from boxoffice.errors import ValidationFailed
from boxoffice.services.common.validation import validate


def params(**args) -> SearchParams:
    return validate(SearchParams, {k: str(v) for k, v in args.items()})


def error_fields(**args) -> set[str]:
    with pytest.raises(ValidationFailed) as caught:
        params(**args)
    return {e["field"] for e in caught.value.extra["errors"]}


def test_every_search_shows_only_published_events_that_have_not_ended():
    filters = query.search_body(params())["query"]["bool"]["filter"]
    assert {"term": {"status": "published"}} in filters
    assert {"range": {"ends_at": {"gte": "now/m"}}} in filters


def test_text_query_is_fuzzy_over_boosted_title_performer_venue_and_description():
    body = query.search_body(params(q="tylor swift"))
    match = body["query"]["bool"]["must"][0]["bool"]["must"][0]["multi_match"]
    assert match["fuzziness"] == "AUTO"
    assert match["fields"] == ["title^3", "performer^3", "venue_name^2", "description"]


def test_folded_words_and_title_phrases_add_to_the_score():
    should = query.text_query("beyonce concert")["bool"]["should"]
    assert should[0]["multi_match"]["fields"][0] == "title.folded^3"
    assert should[1]["multi_match"]["type"] == "phrase"


def test_highlights_are_html_escaped_whole_titles():
    body = query.search_body(params(q="motorhead"))
    assert body["highlight"]["encoder"] == "html"
    assert body["highlight"]["fields"]["title"]["number_of_fragments"] == 0


def test_each_field_is_highlighted_with_its_own_query_fuzzy_except_the_description():
    fields = query.highlight("tylor")["fields"]
    assert fields["performer"]["highlight_query"]["match"]["performer"]["fuzziness"] == "AUTO"
    assert fields["description"]["highlight_query"] == {"match": {"description": {"query": "tylor"}}}


def test_without_words_there_is_no_highlight_and_relevance_falls_back_to_date():
    body = query.search_body(params())
    assert "highlight" not in body and "must" not in body["query"]["bool"]
    assert body["sort"] == query.SORTS["date"]


@pytest.mark.parametrize(
    ("sort", "first"),
    [("date", {"starts_at": "asc"}), ("price_asc", {"min_price": "asc"}), ("price_desc", {"min_price": "desc"})],
)
def test_sort_whitelist_maps_to_fields(sort, first):
    assert query.search_body(params(sort=sort, q="x"))["sort"][0] == first


def test_relevance_with_words_sorts_by_score_first():
    assert query.search_body(params(q="rock"))["sort"][0] == "_score"


def test_city_filter_uses_the_folded_key_and_leaves_the_city_facet_unfiltered():
    body = query.search_body(params(city="ZÜRICH", category="concert"))
    assert body["post_filter"]["bool"]["filter"] == [
        {"term": {"category": "concert"}},
        {"term": {"city_key": "zurich"}},
    ]
    assert body["aggs"]["city"]["filter"]["bool"]["filter"] == [{"term": {"category": "concert"}}]
    assert body["aggs"]["category"]["filter"]["bool"]["filter"] == [{"term": {"city_key": "zurich"}}]
    assert body["aggs"]["city"]["aggs"]["city"]["terms"]["field"] == "city.keyword"


def test_price_range_matches_events_with_any_price_inside_it():
    filters = query.range_filters(params(min_price=1000, max_price=5000))
    assert {"range": {"max_price": {"gte": 1000}}} in filters
    assert {"range": {"min_price": {"lte": 5000}}} in filters


def test_a_whole_day_to_includes_that_day():
    filters = query.range_filters(params(**{"from": "2027-01-01", "to": "2027-01-31"}))
    assert filters == [{"range": {"starts_at": {"gte": "2027-01-01T00:00:00Z", "lte": "2027-01-31T23:59:59.999999Z"}}}]


def test_available_only_asks_for_free_seats():
    assert query.range_filters(params(available="true")) == [{"range": {"available_seats": {"gt": 0}}}]
    assert query.range_filters(params(available="false")) == []


def test_paging_becomes_from_and_size():
    body = query.search_body(params(page=3, size=25))
    assert (body["from"], body["size"]) == (50, 25)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"sort": "popularity"}, "sort"),
        ({"size": 101}, "size"),
        ({"size": 0}, "size"),
        ({"page": 0}, "page"),
        ({"page": 101, "size": 100}, "size"),
        ({"from": "2027-02-01", "to": "2027-01-01"}, "to"),
        ({"min_price": -1}, "min_price"),
        ({"min_price": 500, "max_price": 100}, "max_price"),
        ({"from": "next tuesday"}, "from"),
        ({"to": "2027-13-40"}, "to"),
        ({"category": "opera-buffa"}, "category"),
        ({"page": "two"}, "page"),
    ],
)
def test_bad_parameters_are_field_errors(args, field):
    assert field in error_fields(**args)


def test_the_last_allowed_page_is_accepted():
    assert params(page=100, size=100).offset == 9900


def test_suggest_needs_some_text():
    with pytest.raises(ValidationFailed):
        validate(SuggestParams, {"q": "  "})


def test_suggestions_drop_ended_events_and_stop_at_ten():
    now = datetime(2027, 1, 1, tzinfo=UTC)
    options = [{"text": f"Show {i}", "_id": f"e{i}", "_source": {"ends_at": "2027-06-01T20:00:00Z"}} for i in range(12)]
    options.insert(0, {"text": "Old", "_id": "old", "_source": {"ends_at": "2026-12-31T23:00:00Z"}})
    answer = {"suggest": {"events": [{"options": options}]}}
    found = query.suggestions(answer, now=now)["suggestions"]
    assert len(found) == 10
    assert found[0] == {"text": "Show 0", "event_id": "e0"}


def test_search_result_renders_items_facets_and_highlights():
    answer = {
        "took": 4,
        "hits": {
            "total": {"value": 1},
            "hits": [{"_source": {"id": "e1", "title": "Beyoncé"}, "highlight": {"title": ["<em>Beyoncé</em>"]}}],
        },
        "aggregations": {"city": {"city": {"buckets": [{"key": "Zürich", "doc_count": 1}]}}},
    }
    result = query.search_result(answer, params())
    assert result["items"][0]["highlights"] == {"title": ["<em>Beyoncé</em>"]}
    assert result["items"][0]["available_seats"] is None
    assert result["facets"] == {"category": [], "city": [{"key": "Zürich", "count": 1}]}
    assert (result["total"], result["took_ms"], result["page"], result["size"]) == (1, 4, 1, 20)
