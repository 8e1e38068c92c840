"""GET /api/search/suggest: completion as you type, published upcoming events only."""

from __future__ import annotations

from tests.integration.search.conftest import event_doc
from tests.support import assert_problem


def suggestions(api, q: str) -> list[dict]:
    answer = api.get("/api/search/suggest", params={"q": q})
    assert answer.status_code == 200, answer.text
    return answer.json()["suggestions"]


def test_a_prefix_suggests_the_performer_and_the_event(api, search_index):
    (doc,) = search_index.add(event_doc("The Eras Tour", performer="Taylor Swift"))
    assert suggestions(api, "tay") == [{"text": "Taylor Swift", "event_id": doc["id"]}]


def test_an_unaccented_prefix_suggests_the_accented_name(api, search_index):
    (doc,) = search_index.add(event_doc("Renaissance", performer="Beyoncé"))
    assert suggestions(api, "beyo") == [{"text": "Beyoncé", "event_id": doc["id"]}]


def test_suggestions_skip_drafts_cancelled_and_ended_events(api, search_index):
    search_index.add(
        event_doc("Tamara Draft", status="draft"),
        event_doc("Tamara Cancelled", status="cancelled"),
        event_doc("Tamara Past", days=-3),
    )
    assert suggestions(api, "tam") == []


def test_a_shared_name_is_suggested_once_pointing_at_an_upcoming_event(api, search_index):
    past = event_doc("Tour 2020", performer="Tame Impala", days=-30)
    upcoming = event_doc("Tour 2027", performer="Tame Impala", days=30)
    search_index.add(past, upcoming)
    found = suggestions(api, "tame")
    assert [s for s in found if s["text"] == "Tame Impala"] == [{"text": "Tame Impala", "event_id": upcoming["id"]}]
    assert {s["event_id"] for s in found} == {upcoming["id"]}


def test_at_most_ten_suggestions(api, search_index):
    search_index.add(*(event_doc(f"Tango Night {i}", performer=f"Tango Orchestra {i}") for i in range(12)))
    assert len(suggestions(api, "tango")) == 10


def test_an_empty_prefix_is_a_422(api):
    assert_problem(api.get("/api/search/suggest", params={"q": ""}), 422)
