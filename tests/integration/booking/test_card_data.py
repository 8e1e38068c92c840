"""Card data is never kept nor echoed: idempotency records hold a keyed fingerprint without the CVC,
and the checkout page never writes a card number or CVC back. Through nginx on the test stack."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from contextlib import contextmanager

import httpx
from tortoise.connection import get_connection

from tests.integration.booking.conftest import GOOD_CARD
from tests.integration.booking.test_orders_api import hold_seats, pay
from tests.support import page_csrf_token

NUMBER, DECLINED_NUMBER, CVC = "4242 4242 4242 4242", "4000 0000 0000 0002", "9876"


def spellings(number: str) -> list[str]:
    return [number, number.replace(" ", ""), number.replace(" ", "-")]


async def record_of(user_id: str, key: str) -> dict:
    rows = await get_connection("default").execute_query_dict(
        "SELECT * FROM idempotency_records WHERE user_id = $1 AND key = $2", [user_id, key]
    )
    return rows[0]


def former_fingerprints(body: dict) -> set[str]:
    """What earlier versions stored: a plain SHA-256 of the request, with or without the CVC."""
    without_cvc = {**body, "payment": {k: v for k, v in body["payment"].items() if k != "cvc"}}
    found = set()
    for request in (body, without_cvc):
        canonical = json.dumps(request, sort_keys=True, separators=(",", ":"))
        for text in (f"POST /api/orders\n{canonical}", canonical):
            found.add(hashlib.sha256(text.encode()).hexdigest())
    return found


async def test_an_idempotency_record_keeps_no_card_number_and_no_cvc_in_any_form(api, mint, event):
    buyer, key = mint(), uuid.uuid4().hex
    body = {
        "hold_id": hold_seats(api, buyer, event, [event.rows["B"][6]])["id"],
        "payment": {**GOOD_CARD, "card_number": NUMBER, "cvc": CVC},
    }
    first = pay(api, buyer, body["hold_id"], card=body["payment"], key=key)
    assert first.status_code == 201, first.text
    record = await record_of(buyer.id, key)
    stored = json.dumps({name: str(value) for name, value in record.items()})
    assert not any(s in stored for s in spellings(NUMBER) + [NUMBER[-4:] * 2]), stored
    assert CVC not in record["request_hash"]
    normalized = {**body, "payment": {**body["payment"], "card_number": NUMBER.replace(" ", "")}}
    assert record["request_hash"] not in former_fingerprints(body) | former_fingerprints(normalized)
    # the CVC is not part of the request's identity: the same payment with another CVC is a replay
    again = pay(api, buyer, body["hold_id"], card={**body["payment"], "cvc": "1234"}, key=key)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()


@contextmanager
def browser(stack, user):
    with httpx.Client(base_url=f"http://127.0.0.1:{stack.ports.http}", timeout=30) as http:
        http.cookies.set("bo_session", user.token)
        http.csrf_token = page_csrf_token(http.get("/orders"))  # the CSRF cookie, and this session's token
        yield http


def submit(http: httpx.Client, hold_id: str, key: str, **card) -> httpx.Response:
    return http.post(
        f"/checkout/{hold_id}",
        headers={"HX-Request": "true"},
        data={"csrf_token": http.csrf_token, "idempotency_key": key, **card},
    )


async def test_the_checkout_page_never_writes_the_card_number_or_cvc_back(stack, api, mint, event):
    buyer = mint()
    hold_id = hold_seats(api, buyer, event, [event.rows["B"][7]])["id"]
    key = uuid.uuid4().hex
    with browser(stack, buyer) as http:
        declined = submit(http, hold_id, key, card_number=DECLINED_NUMBER, expiry="12/39", cvc=CVC)
        invalid = submit(http, hold_id, uuid.uuid4().hex, card_number=NUMBER, expiry="13/39", cvc=CVC)
    assert declined.status_code == 200 and "declined" in declined.text
    assert invalid.status_code == 200 and "month must be 01-12" in invalid.text
    for page, number in ((declined, DECLINED_NUMBER), (invalid, NUMBER)):
        echoed = re.sub(r'<div class="test-cards">.*?</div>', "", page.text, flags=re.S)  # the printed test cards
        assert not any(s in echoed for s in spellings(number)), echoed
        assert CVC not in echoed
    assert 'value="12/39"' in declined.text  # the expiry may stay
    stored = json.dumps({name: str(value) for name, value in (await record_of(buyer.id, key)).items()})
    assert not any(s in stored for s in spellings(DECLINED_NUMBER)) and CVC not in stored


async def test_a_record_left_with_a_plain_fingerprint_is_not_matched_and_its_request_runs_again(api, mint, event):
    buyer, key = mint(), uuid.uuid4().hex
    hold_id = hold_seats(api, buyer, event, [event.rows["B"][8]])["id"]
    body = {"hold_id": hold_id, "payment": GOOD_CARD}
    [former] = former_fingerprints(body) & {
        hashlib.sha256(
            f"POST /api/orders\n{json.dumps(body, sort_keys=True, separators=(',', ':'))}".encode()
        ).hexdigest()
    }
    await get_connection("default").execute_query(  # what an earlier version kept: a stored 402 under a plain hash
        "INSERT INTO idempotency_records (user_id, key, request_hash, response_status, response_body, created_at,"
        " expires_at) VALUES ($1, $2, $3, 402, '{}'::jsonb, now(), now() + interval '1 day')",
        [buyer.id, key, former],
    )
    answer = pay(api, buyer, hold_id, key=key)
    assert answer.status_code == 201 and "idempotent-replayed" not in answer.headers
    assert (await record_of(buyer.id, key))["request_hash"] != former
