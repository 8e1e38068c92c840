"""Redis frozen (SIGSTOP: the port still accepts, nothing answers): what needs it is a 503 problem
within seconds rather than a hang, the gateway's limiter stops waiting for it at once, and everything
goes on when it thaws."""

from __future__ import annotations

import os
import signal
import time
import uuid

from tests.integration.outages.helpers import Traffic, answer_of, assert_honest, assert_outage_problem, hold, seat_ids


def test_a_hanging_redis_is_a_503_within_seconds_and_the_gateway_keeps_serving_what_does_not_need_it(stack, api, org):
    event = org.published(title=f"Frozen Redis {uuid.uuid4().hex[:8]}")
    seats = seat_ids(api, event["id"])
    traffic = Traffic(
        {
            "event": lambda: api.get(f"/api/events/{event['id']}"),
            "search": lambda: api.get("/api/search/events", params={"q": "frozen"}),
        }
    )
    redis = stack._redis_pid()
    with traffic:
        os.kill(redis, signal.SIGSTOP)
        try:
            time.sleep(1)
            answer = answer_of("hold", lambda: hold(api, api.new_user(), event["id"], seats[:1]))
            assert_outage_problem(answer)
            assert answer.seconds < 7, f"{answer.seconds:.1f} s: one command timeout (5 s), not three"
            quick = answer_of("event", lambda: api.get(f"/api/events/{event['id']}"))
            assert quick.status == 200 and quick.seconds < 2.5, quick
        finally:
            os.kill(redis, signal.SIGCONT)
        assert hold(api, api.new_user(), event["id"], seats[1:2]).status_code == 201
    assert_honest(traffic.answers)
    assert traffic.statuses("event") == traffic.statuses("search") == {200}
