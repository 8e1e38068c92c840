"""Pure pieces of holds and the seat feed: hold ids, stream ids, SSE framing, request bodies."""

import uuid

import pytest

from boxoffice.domain.holds.schemas import HoldRequest
from boxoffice.domain.holds.service import hold_event, new_hold_id
from boxoffice.domain.seats.feed import PING, RESET, Change, stream_id, valid_cursor
from boxoffice.errors import NotFound, ValidationFailed
from boxoffice.services.booking.seats import sse_message
from boxoffice.services.common.validation import validate


def test_a_hold_id_names_its_event_and_any_other_spelling_of_it_is_not_found():
    event_id = str(uuid.uuid4())
    assert hold_event(new_hold_id(event_id)) == event_id
    token = new_hold_id(event_id).partition(".")[2]
    for bad in (
        "",
        "abc",
        f"{event_id}.",
        f"{event_id}.x-y",
        "not-a-uuid.abcdef",
        f"{event_id}.{token.upper()}",
        f"{event_id.upper()}.{token}",
        f"{{{event_id}}}.{token}",
        f"{event_id.replace('-', '')}.{token}",
        f"{event_id}.{token}0",
        f"{event_id}.{token[:-1]}",
    ):
        with pytest.raises(NotFound):
            hold_event(bad)


def test_stream_ids_compare_as_numbers_not_text():
    assert stream_id("1700000000000-10") > stream_id("1700000000000-9")
    assert stream_id("999-0") < stream_id("1000-0")
    assert valid_cursor("1-0") and not valid_cursor("abc") and not valid_cursor(None)


def test_sse_messages_carry_id_event_and_compact_data_and_never_a_holder():
    change = Change("5-1", "released", ["1", "2"], "expired")
    assert (
        sse_message(change)
        == 'id: 5-1\nevent: seats\ndata: {"type":"released","seat_ids":["1","2"],"reason":"expired"}\n\n'
    )
    assert sse_message(PING) == ": ping\n\n"
    assert sse_message(RESET).startswith("event: reset\n")
    assert Change("6-0", "held", ["3"]).data() == {"type": "held", "seat_ids": ["3"]}


def test_a_hold_request_takes_seat_ids_or_a_quantity_but_not_both_and_no_extra_fields():
    event_id = str(uuid.uuid4())
    assert validate(HoldRequest, {"event_id": event_id, "seat_ids": ["1", "1", "2"]}).seat_ids == ["1", "2"]
    assert validate(HoldRequest, {"event_id": event_id, "quantity": 2, "category": "vip"}).quantity == 2
    for bad in (
        {"event_id": event_id},
        {"event_id": event_id, "seat_ids": ["1"], "quantity": 1},
        {"event_id": event_id, "seat_ids": ["1"], "category": "vip"},
        {"event_id": event_id, "seat_ids": ["x"]},
        {"event_id": event_id, "quantity": 1, "user_id": "u"},
        {"event_id": "e", "quantity": 1},
    ):
        with pytest.raises(ValidationFailed):
            validate(HoldRequest, bad)
