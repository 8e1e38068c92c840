"""Admission tokens: bound to buyer and event, expiring, signed with a key of their own."""

from __future__ import annotations

import time

import jwt
import pytest

from boxoffice.domain.queue.admission import AUDIENCE, AdmissionTokens, admission_key
from boxoffice.domain.queue.schemas import Place, WaitingRoom
from boxoffice.errors import AdmissionRequired

KEY = admission_key("internal-secret-for-tests-0123456789")
NOW_MS = int(time.time() * 1000)


def token(**over) -> str:
    values = {"user_id": "u1", "event_id": "e1", "admitted_ms": NOW_MS, "expires_ms": NOW_MS + 600_000, **over}
    return AdmissionTokens(KEY).issue(**values)


def refusal(presented: str | None, user_id: str = "u1", event_id: str = "e1") -> dict:
    with pytest.raises(AdmissionRequired) as raised:
        AdmissionTokens(KEY).check(presented, user_id=user_id, event_id=event_id)
    assert raised.value.status == 403
    return raised.value.extra


def test_a_token_admits_its_buyer_to_its_event_and_is_the_same_from_every_gateway():
    AdmissionTokens(KEY).check(token(), user_id="u1", event_id="e1")
    assert token() == token()


def test_missing_expired_forged_other_buyers_and_other_events_tokens_are_refused_with_the_queue_url():
    assert refusal(None)["queue_url"] == "/api/events/e1/queue"
    refusal(token(admitted_ms=NOW_MS - 700_000, expires_ms=NOW_MS - 100_000))
    refusal(
        AdmissionTokens(admission_key("another-secret-entirely-0123456789")).issue(
            user_id="u1", event_id="e1", admitted_ms=NOW_MS, expires_ms=NOW_MS + 600_000
        )
    )
    refusal(token(), user_id="u2")
    assert refusal(token(), event_id="e2")["queue_url"] == "/api/events/e2/queue"
    refusal("not-a-jwt")


def test_an_access_token_signed_with_the_same_key_is_not_an_admission():
    access = jwt.encode(
        {
            "sub": "u1",
            "evt": "e1",
            "exp": NOW_MS // 1000 + 60,
            "iat": NOW_MS // 1000,
            "iss": "boxoffice",
            "aud": "boxoffice-api",
        },
        KEY,
        algorithm="HS256",
    )
    refusal(access)
    unsigned = jwt.encode({"sub": "u1", "evt": "e1", "aud": AUDIENCE}, "", algorithm="none")
    refusal(unsigned)


def test_places_say_early_without_position_and_admitted_with_token_and_expiry():
    assert Place("early", None, None, 30).public() == {
        "status": "early",
        "position": None,
        "ahead": None,
        "estimated_wait_s": 30,
    }
    body = Place("admitted", None, 0, 0, "tok", 1_800_000_000_000).public()
    assert body["admission_token"] == "tok" and body["admission_expires_at"] == "2027-01-15T08:00:00.000Z"


def test_a_room_exists_only_for_a_published_event_with_it_enabled():
    event = {
        "id": "e1",
        "status": "published",
        "on_sale_at": "2030-01-01T00:00:00Z",
        "ends_at": "2030-02-01T00:00:00Z",
        "waiting_room": {"enabled": True, "admit_per_minute": 120, "admission_minutes": 5},
    }
    room = WaitingRoom.of_event(event)
    assert room and room.admit_per_minute == 120 and room.admission_ms == 300_000 and room.seconds_for(3) == 2
    assert WaitingRoom.of_event({**event, "status": "draft"}) is None
    assert WaitingRoom.of_event({**event, "waiting_room": {"enabled": False}}) is None
    assert WaitingRoom.of_event({**event, "waiting_room": None}) is None


def test_a_seat_taking_write_needs_an_admission_only_at_an_event_with_a_waiting_room():
    tokens = AdmissionTokens(KEY)
    for presented in (None, "junk", token(event_id="e2")):
        tokens.require(presented, user_id="u1", event_id="e1", waiting_room=False)
        with pytest.raises(AdmissionRequired):
            tokens.require(presented, user_id="u1", event_id="e1", waiting_room=True)
    tokens.require(token(), user_id="u1", event_id="e1", waiting_room=True)
