"""The request fingerprint behind Idempotency-Key decisions."""

import pytest

from boxoffice.domain.orders.idempotency import check_key, fingerprint
from boxoffice.errors import BadRequest


def test_the_same_body_in_another_key_order_has_the_same_fingerprint():
    assert fingerprint("POST", "/api/orders", {"a": 1, "b": {"c": 2, "d": 3}}) == \
        fingerprint("POST", "/api/orders", {"b": {"d": 3, "c": 2}, "a": 1})


def test_another_body_or_path_has_another_fingerprint():
    base = fingerprint("POST", "/api/orders", {"hold_id": "h"})
    assert base != fingerprint("POST", "/api/orders", {"hold_id": "i"})
    assert base != fingerprint("POST", "/api/other", {"hold_id": "h"})


def test_a_missing_or_silly_key_is_a_400():
    for bad in (None, "", "x" * 256, "new\nline"):
        with pytest.raises(BadRequest):
            check_key(bad)
    assert check_key("a-key") == "a-key"
