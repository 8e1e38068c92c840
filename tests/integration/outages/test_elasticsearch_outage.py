"""Elasticsearch stopped under the running services: search answers a 503 problem with Retry-After at
once (the home page says search is away), booking and publishing go on, and once it is back the same
processes search again and the index catches up with every change made meanwhile."""

from __future__ import annotations

import time
import uuid

from tests.integration.outages.helpers import (
    Traffic,
    answer_of,
    assert_honest,
    assert_outage_problem,
    hold,
    pay,
    searchable,
    seat_ids,
    service_pids,
)


def test_with_elasticsearch_down_search_is_a_prompt_503_the_rest_goes_on_and_the_index_catches_up(stack, api, org):
    tag = uuid.uuid4().hex[:8]
    before = org.published(title=f"Before the search outage {tag}")
    searchable(api, before["title"])
    buyer, pids = api.new_user(), service_pids(stack)
    traffic = Traffic(
        {
            "search": lambda: api.get("/api/search/events", params={"q": tag}),
            "home page": lambda: api.get("/", params={"q": tag}),
            "event": lambda: api.get(f"/api/events/{before['id']}"),
            "seats": lambda: api.get(f"/api/events/{before['id']}/seats"),
        }
    )
    with traffic:
        stack.stop_elasticsearch()
        try:
            assert_outage_problem(answer_of("search", lambda: api.get("/api/search/events", params={"q": tag})))
            assert_outage_problem(answer_of("suggest", lambda: api.get("/api/search/suggest", params={"q": "bef"})))
            home = api.get("/", params={"q": tag})
            assert home.status_code == 200 and "Search is taking a short break" in home.text
            during = org.published(title=f"Published during the search outage {tag}")
            seats = seat_ids(api, before["id"])
            assert pay(api, buyer, hold(api, buyer, before["id"], seats[:1]).json()["id"]).status_code == 201
            time.sleep(5)  # long enough for the relay to have used up every attempt the rows have (3)
        finally:
            stack.start_elasticsearch()
        searchable(api, during["title"], timeout=30)
    assert_honest(traffic.answers)
    assert 503 in traffic.statuses("search"), "the outage was not seen"
    assert traffic.statuses("home page") == traffic.statuses("event") == traffic.statuses("seats") == {200}
    found = {i["id"]: i for i in api.get("/api/search/events", params={"q": tag}).json()["items"]}
    assert set(found) == {before["id"], during["id"]}
    assert found[before["id"]]["available_seats"] == before["seat_count"] - 1, "the sale made meanwhile is indexed"
    assert service_pids(stack) == pids, "the services were not restarted"
