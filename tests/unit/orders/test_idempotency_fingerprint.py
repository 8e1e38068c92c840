"""The request fingerprint behind Idempotency-Key decisions: keyed, and blind to the CVC."""

import hashlib
import json

import pytest

from boxoffice.domain.orders.idempotency import FINGERPRINT_PREFIX, check_key, fingerprint, fingerprint_key
from boxoffice.domain.orders.schemas import OrderRequest
from boxoffice.errors import BadRequest

KEY = fingerprint_key("a server secret")
CARD = {"method": "card", "card_number": "4242 4242 4242 4242", "expiry": "12/39", "cvc": "123"}


def order(**payment) -> dict:
    return OrderRequest.model_validate({"hold_id": "h.1", "payment": {**CARD, **payment}}).fingerprinted()


def test_the_same_body_in_another_key_order_has_the_same_fingerprint():
    assert fingerprint(KEY, {"a": 1, "b": {"c": 2, "d": 3}}) == fingerprint(KEY, {"b": {"d": 3, "c": 2}, "a": 1})


def test_another_body_has_another_fingerprint():
    assert fingerprint(KEY, {"hold_id": "h"}) != fingerprint(KEY, {"hold_id": "i"})
    assert fingerprint(KEY, order()) != fingerprint(KEY, order(expiry="11/39"))
    assert fingerprint(KEY, order()) != fingerprint(KEY, order(card_number="4000 0000 0000 0002"))


def test_the_fingerprint_leaves_the_cvc_out_and_hides_the_card_number_behind_the_server_key():
    body = order()
    assert "cvc" not in body["payment"]
    assert fingerprint(KEY, body) == fingerprint(KEY, order(cvc="999"))
    plain = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    digest = fingerprint(KEY, body)
    assert digest.startswith(FINGERPRINT_PREFIX) and len(digest) <= 64
    assert plain not in digest and "4242" not in digest
    assert digest != fingerprint(fingerprint_key("another server"), body)


def test_a_missing_or_silly_key_is_a_400():
    for bad in (None, "", "x" * 256, "new\nline"):
        with pytest.raises(BadRequest):
            check_key(bad)
    assert check_key("a-key") == "a-key"
