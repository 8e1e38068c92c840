from datetime import UTC, datetime

import pytest

from boxoffice.domain.events import paging
from boxoffice.errors import ValidationFailed


def test_a_cursor_round_trips_its_sort_key_and_id():
    moment = datetime(2030, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)
    item_id = "0b5ff0ae-5b53-4c0c-9d4e-1a9e4a8e3b11"
    assert paging.decode(paging.encode(moment, item_id)) == (moment, item_id)


@pytest.mark.parametrize("cursor", ["nope", "", "W10", "eyJ4IjoxfQ"])
def test_a_foreign_cursor_is_a_422_on_the_cursor_field(cursor):
    with pytest.raises(ValidationFailed) as failed:
        paging.decode(cursor)
    assert failed.value.extra["errors"][0]["field"] == "cursor"


def forged(*parts) -> str:
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        forged("2020-01-01T00:00:00+00:00", "abc"),
        forged("2020-01-01T00:00:00+00:00", 1),
        forged("9999-12-31T23:59:59-23:00", "0b5ff0ae-5b53-4c0c-9d4e-1a9e4a8e3b11"),
        forged("2020-01-01", None),
    ],
)
def test_a_forged_cursor_with_a_foreign_id_or_an_impossible_time_is_a_422_not_a_database_error(cursor):
    with pytest.raises(ValidationFailed):
        paging.decode(cursor)
