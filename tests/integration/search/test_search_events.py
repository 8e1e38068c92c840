"""GET /api/search/events through nginx and the gateway, against the real Elasticsearch."""

from __future__ import annotations

import pytest

from tests.integration.search.conftest import event_doc, found, search, titles
from tests.support import assert_problem


def test_a_typo_still_finds_the_performer(api, search_index):
    search_index.add(
        event_doc("The Eras Tour", performer="Taylor Swift"), event_doc("Jazz Night", performer="Miles Band")
    )
    assert titles(api, q="tylor swift") == ["The Eras Tour"]


def test_unaccented_plural_words_find_and_highlight_the_original_spelling(api, search_index):
    search_index.add(event_doc("Beyoncé Concert", performer="Beyoncé"))
    result = found(api, q="beyonce concerts")
    assert [item["title"] for item in result["items"]] == ["Beyoncé Concert"]
    assert result["items"][0]["highlights"]["title"] == ["<em>Beyoncé</em> <em>Concert</em>"]


def test_umlauts_fold_motorhead_finds_motorhead(api, search_index):
    search_index.add(event_doc("Motörhead Tribute Night", performer="Motörhead"))
    result = found(api, q="motorhead")
    assert result["total"] == 1
    assert result["items"][0]["highlights"]["performer"] == ["<em>Motörhead</em>"]


def test_plural_query_matches_singular_words(api, search_index):
    search_index.add(event_doc("Symphony Concert"), event_doc("Comedy Evening", category="comedy"))
    assert titles(api, q="concerts") == ["Symphony Concert"]


def test_a_title_match_ranks_above_a_description_match(api, search_index):
    search_index.add(
        event_doc("An Evening Out", description="With songs by the great Adele and friends"),
        event_doc("Adele Live", description="An evening out with a great voice"),
    )
    assert titles(api, q="adele") == ["Adele Live", "An Evening Out"]


def test_highlights_escape_html_in_the_original_text(api, search_index):
    search_index.add(event_doc("Rock <script> & Roll"))
    highlight = found(api, q="rock")["items"][0]["highlights"]["title"][0]
    assert "<script>" not in highlight and "&lt;script&gt;" in highlight and "<em>Rock</em>" in highlight


def test_items_carry_exactly_the_spec_fields(api, search_index):
    (doc,) = search_index.add(event_doc("Field Check", available_seats=7))
    item = found(api)["items"][0]
    assert set(item) == {
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
        "highlights",
    }
    assert (item["id"], item["available_seats"], item["starts_at"]) == (doc["id"], 7, doc["starts_at"])


def test_drafts_cancelled_and_ended_events_never_appear(api, search_index):
    search_index.add(
        event_doc("Gala Draft", status="draft"),
        event_doc("Gala Cancelled", status="cancelled"),
        event_doc("Gala Ended", days=-2),
        event_doc("Gala Running Now", days=-0.05, hours=3),
        event_doc("Gala Published"),
    )
    assert sorted(titles(api, q="gala")) == ["Gala Published", "Gala Running Now"]
    assert found(api)["total"] == 2


def test_city_filter_folds_accents_and_case(api, search_index):
    search_index.add(event_doc("Lake Show", city="Zürich"), event_doc("River Show", city="Basel"))
    assert titles(api, city="zurich") == ["Lake Show"]
    assert titles(api, city="ZÜRICH") == ["Lake Show"]


def test_category_filter(api, search_index):
    search_index.add(event_doc("Match Day", category="sports"), event_doc("Stand Up", category="comedy"))
    assert titles(api, category="sports") == ["Match Day"]


def test_date_range_filters_on_the_start_day_inclusive(api, search_index):
    soon, later, latest = search_index.add(
        event_doc("Soon", days=5), event_doc("Later", days=40), event_doc("Latest", days=90)
    )
    day = later["starts_at"][:10]
    assert titles(api, **{"from": day, "to": day}) == ["Later"]
    assert titles(api, **{"from": soon["starts_at"], "to": later["starts_at"]}, sort="date") == ["Soon", "Later"]


def test_price_range_keeps_events_with_a_price_inside_it(api, search_index):
    search_index.add(
        event_doc("Cheap", min_price=1000, max_price=2000),
        event_doc("Mid", min_price=3000, max_price=6000),
        event_doc("Dear", min_price=20000, max_price=50000),
    )
    assert sorted(titles(api, min_price=1500, max_price=3500)) == ["Cheap", "Mid"]
    assert titles(api, min_price=10000) == ["Dear"]


def test_available_only_hides_sold_out_events(api, search_index):
    search_index.add(event_doc("Sold Out", available_seats=0), event_doc("Seats Left", available_seats=3))
    assert titles(api, available="true") == ["Seats Left"]
    assert sorted(titles(api)) == ["Seats Left", "Sold Out"]


def test_facets_count_categories_and_original_city_spellings(api, search_index):
    search_index.add(
        event_doc("A", city="Zürich"),
        event_doc("B", city="Zürich", category="comedy"),
        event_doc("C", city="Genève", category="comedy"),
        event_doc("D", city="Genève", status="draft"),
    )
    facets = found(api)["facets"]
    assert facets["category"] == [{"key": "comedy", "count": 2}, {"key": "concert", "count": 1}]
    assert facets["city"] == [{"key": "Zürich", "count": 2}, {"key": "Genève", "count": 1}]


def test_a_city_filter_narrows_items_and_categories_but_keeps_other_cities_countable(api, search_index):
    search_index.add(
        event_doc("A", city="Zürich"),
        event_doc("B", city="Zürich", category="comedy"),
        event_doc("C", city="Genève", category="comedy"),
    )
    result = found(api, city="zurich")
    assert result["total"] == 2
    assert result["facets"]["category"] == [{"key": "comedy", "count": 1}, {"key": "concert", "count": 1}]
    assert result["facets"]["city"] == [{"key": "Zürich", "count": 2}, {"key": "Genève", "count": 1}]


def test_sort_orders(api, search_index):
    search_index.add(
        event_doc("Far Cheap", days=60, min_price=1000),
        event_doc("Near Dear", days=3, min_price=9000),
        event_doc("Mid Mid", days=20, min_price=5000),
    )
    assert titles(api, sort="date") == ["Near Dear", "Mid Mid", "Far Cheap"]
    assert titles(api, sort="price_asc") == ["Far Cheap", "Mid Mid", "Near Dear"]
    assert titles(api, sort="price_desc") == ["Near Dear", "Mid Mid", "Far Cheap"]
    assert titles(api) == ["Near Dear", "Mid Mid", "Far Cheap"]  # relevance without words: soonest first


def test_pages_split_the_results_without_overlap(api, search_index):
    search_index.add(*(event_doc(f"Show {i:02d}", days=i + 1) for i in range(5)))
    first, second, third = (found(api, sort="date", size=2, page=p) for p in (1, 2, 3))
    assert [i["title"] for i in first["items"] + second["items"] + third["items"]] == [
        f"Show {i:02d}" for i in range(5)
    ]
    assert (first["total"], first["page"], first["size"], third["page"]) == (5, 1, 2, 3)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "popularity"}, "sort"),
        ({"size": "101"}, "size"),
        ({"size": "0"}, "size"),
        ({"page": "0"}, "page"),
        ({"page": "101", "size": "100"}, "size"),
        ({"from": "2030-02-01", "to": "2030-01-01"}, "to"),
        ({"min_price": "-5"}, "min_price"),
        ({"min_price": "900", "max_price": "100"}, "max_price"),
        ({"from": "tomorrow"}, "from"),
        ({"available": "maybe"}, "available"),
        ({"from": "9999-12-31T23:59:59-23:00"}, "from"),
        ({"to": "0001-01-01T00:00:00+23:00"}, "to"),
        ({"page": "99999999999"}, "page"),
        ({"page": "501"}, "size"),
        ({"min_price": "99999999999999999999999"}, "min_price"),
    ],
)
def test_bad_parameters_are_422_problems_with_field_errors(api, params, field):
    body = assert_problem(search(api, **params), 422)
    assert field in {e["field"] for e in body["errors"]}


def test_the_last_page_inside_the_window_is_allowed(api):
    assert search(api, page="100", size="100").status_code == 200


@pytest.mark.parametrize(
    "query", ["from=9999-12-31T23:59:59-23:00", "to=0001-01-01T00:00:00%2B23:00", "min_price=1e300", "max_price=inf"]
)
def test_odd_filters_on_the_search_page_are_explained_on_the_page_not_a_server_error(api, query):
    page = api.get(f"/?{query}")
    assert page.status_code == 200, page.text[:300]
    assert "Some filters are not valid" in page.text
