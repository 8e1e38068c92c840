"""Ids: every accepted spelling of a UUID becomes the one canonical spelling; nothing else is an id."""

from __future__ import annotations

import pytest

from boxoffice.domain.holds.schemas import HoldRequest
from boxoffice.domain.ids import canonical_uuid, is_uuid
from boxoffice.errors import ValidationFailed
from boxoffice.services.common.validation import validate

CANONICAL = "0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.mark.parametrize(
    "spelling",
    [
        CANONICAL,
        CANONICAL.upper(),
        f"  {CANONICAL}\t",
        "{" + CANONICAL.upper() + "}",
        f"urn:uuid:{CANONICAL}",
        f"URN:UUID:{CANONICAL.upper()}",
        CANONICAL.replace("-", ""),
        " {" + CANONICAL + "} ",
    ],
)
def test_every_accepted_spelling_of_a_uuid_becomes_the_canonical_one(spelling):
    assert canonical_uuid(spelling) == CANONICAL and is_uuid(spelling)


@pytest.mark.parametrize(
    "spelling",
    [
        "",
        "not-an-id",
        CANONICAL[:-1],
        CANONICAL + "0",
        "{" + CANONICAL,
        CANONICAL + "}",
        f"urn:uuid:{{{CANONICAL}}}",
        CANONICAL.replace("-", "", 1),
        "0f8fad5bd9cb-469f-a165-70867728950e",
        f"+{CANONICAL.replace('-', '')[1:]}",
        CANONICAL.replace("-", "")[:-1] + "_",
        f"{CANONICAL}/",
        f"uuid:{CANONICAL}",
        None,
        42,
        " " * 200 + CANONICAL,
    ],
)
def test_anything_else_is_no_id(spelling):
    with pytest.raises(ValueError):
        canonical_uuid(spelling)
    assert not is_uuid(spelling)


def test_a_hold_request_carries_the_canonical_event_id_and_refuses_what_is_no_id():
    assert validate(HoldRequest, {"event_id": " {" + CANONICAL.upper() + "} ", "quantity": 1}).event_id == CANONICAL
    with pytest.raises(ValidationFailed) as refused:
        validate(HoldRequest, {"event_id": CANONICAL + "x", "quantity": 1})
    assert refused.value.extra["errors"][0]["field"] == "event_id"
