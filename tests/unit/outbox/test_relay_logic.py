"""The relay's pure parts: backoff, bulk actions, which Elasticsearch answers count as delivered."""

import pytest

from boxoffice.domain.outbox.relay import backoff_s, bulk_operations, item_error, latest_per_event
from boxoffice.domain.outbox.repository import Claimed


def row(id_: int, aggregate: str = "e1", version: int = 1, kind: str = "event.upserted") -> Claimed:
    return Claimed(id_, aggregate, kind, version, {"id": aggregate, "v": version}, 0)


def test_backoff_grows_exponentially_from_half_a_second_up_to_the_cap():
    ceiling = [backoff_s(n, base=0.5, cap=60, rng=lambda: 1.0) for n in range(10)]
    assert ceiling[:4] == [0.5, 1.0, 2.0, 4.0]
    assert ceiling[-1] == 60 and max(ceiling) == 60
    assert backoff_s(500, base=0.5, cap=60, rng=lambda: 1.0) == 60


def test_backoff_is_full_jitter_between_zero_and_the_ceiling():
    assert backoff_s(3, base=0.5, cap=60, rng=lambda: 0.0) == 0
    samples = [backoff_s(3, base=0.5, cap=60) for _ in range(500)]
    assert all(0 <= s < 4.0 for s in samples) and max(samples) - min(samples) > 2


def test_bulk_actions_carry_the_row_version_as_external_version():
    ops = bulk_operations("events", [row(1, "e1", 7), row(2, "e2", 3, kind="event.deleted")])
    assert ops == [
        {"index": {"_index": "events", "_id": "e1", "version": 7, "version_type": "external"}},
        {"id": "e1", "v": 7},
        {"delete": {"_index": "events", "_id": "e2", "version": 3, "version_type": "external"}},
    ]


@pytest.mark.parametrize(
    "item",
    [
        {"index": {"status": 201, "result": "created"}},
        {"index": {"status": 200, "result": "updated"}},
        {"index": {"status": 409, "error": {"type": "version_conflict_engine_exception"}}},
        {"delete": {"status": 404, "result": "not_found"}},
        {"delete": {"status": 409, "error": {"type": "version_conflict_engine_exception"}}},
    ],
)
def test_written_superseded_or_already_deleted_counts_as_delivered(item):
    assert item_error(item) is None


def test_other_item_failures_are_errors_with_their_reason():
    assert (
        item_error(
            {"index": {"status": 400, "error": {"type": "strict_dynamic_mapping_exception", "reason": "no field [x]"}}}
        )
        == "400 strict_dynamic_mapping_exception: no field [x]"
    )
    assert item_error({"index": {"status": 404, "error": {"type": "index_not_found_exception"}}}).startswith("404")
    assert item_error({"index": {"status": 429, "error": {"type": "es_rejected_execution_exception"}}})


def test_only_the_newest_claimed_row_of_each_event_is_written():
    latest = latest_per_event([row(1, "a", 1), row(2, "b", 1), row(3, "a", 2), row(4, "a", 3)])
    assert {k: v.id for k, v in latest.items()} == {"a": 4, "b": 2}
