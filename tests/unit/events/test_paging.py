from datetime import datetime, timezone

import pytest

from boxoffice.domain.events import paging
from boxoffice.errors import ValidationFailed


def test_a_cursor_round_trips_its_sort_key_and_id():
    moment = datetime(2030, 5, 1, 12, 30, 15, 123456, tzinfo=timezone.utc)
    assert paging.decode(paging.encode(moment, "abc")) == (moment, "abc")


@pytest.mark.parametrize("cursor", ["nope", "", "W10", "eyJ4IjoxfQ"])
def test_a_foreign_cursor_is_a_422_on_the_cursor_field(cursor):
    with pytest.raises(ValidationFailed) as failed:
        paging.decode(cursor)
    assert failed.value.extra["errors"][0]["field"] == "cursor"
