"""The index definition: strict, explicit, and agreeing with the search document's fields."""

from __future__ import annotations

from datetime import UTC, datetime

from boxoffice.domain.search import index
from boxoffice.domain.search.documents import suggest_weight

DOCUMENT_FIELDS = {
    "id",
    "title",
    "description",
    "performer",
    "category",
    "status",
    "venue_id",
    "venue_name",
    "city",
    "city_key",
    "timezone",
    "starts_at",
    "ends_at",
    "on_sale_at",
    "published_at",
    "min_price",
    "max_price",
    "currency",
    "seat_count",
    "available_seats",
    "suggest",
}


def test_mapping_is_strict_and_names_every_document_field():
    mapping = index.mappings()
    assert mapping["dynamic"] == "strict"
    assert set(mapping["properties"]) == DOCUMENT_FIELDS


def test_text_fields_are_stemmed_with_folded_and_prefix_sub_fields():
    title = index.mappings()["properties"]["title"]
    assert title["analyzer"] == "boxoffice_text"
    assert title["fields"]["folded"]["analyzer"] == "boxoffice_folded"
    assert title["fields"]["prefix"] == {
        "type": "text",
        "analyzer": "boxoffice_prefix",
        "search_analyzer": "boxoffice_folded",
    }


def test_suggestions_fold_accents_and_know_the_status():
    suggest = index.mappings()["properties"]["suggest"]
    assert suggest["type"] == "completion"
    assert index.settings()["analysis"]["analyzer"][suggest["analyzer"]]["filter"] == [
        "lowercase",
        "boxoffice_ascii_folding",
    ]
    assert suggest["contexts"] == [{"name": "status", "type": "category", "path": "status"}]


def test_settings_refresh_fast_enough_for_the_freshness_target_without_replicas():
    settings = index.settings()
    assert settings["refresh_interval"] == "500ms"
    assert settings["number_of_replicas"] == 0


def test_index_names_are_versioned_and_time_stamped():
    name = index.new_index_name("events", datetime(2027, 1, 2, 3, 4, 5, 6, tzinfo=UTC))
    assert name == f"events-v{index.MAPPING_VERSION}-20270102030405000006"


def test_a_later_ending_event_weighs_more_in_suggestions():
    early = suggest_weight(datetime(2027, 1, 1, tzinfo=UTC))
    assert suggest_weight(datetime(2027, 1, 2, tzinfo=UTC)) == early + 1
    assert suggest_weight(None) == 1
