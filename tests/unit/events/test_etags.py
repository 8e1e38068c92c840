import pytest

from boxoffice.domain.events.etags import etag, matches, require_match
from boxoffice.errors import PreconditionRequired, StaleEtag


def test_etag_is_the_weak_version():
    assert etag(3) == 'W/"3"'


@pytest.mark.parametrize("header", ['W/"3"', '"3"', "*", '"1", W/"3"', ' W/"3" '])
def test_if_match_accepts_the_current_version_weak_strong_star_or_in_a_list(header):
    assert matches(header, 3)


@pytest.mark.parametrize("header", ['W/"2"', '"4"', '"31"', "W/3x"])
def test_if_match_refuses_other_versions(header):
    assert not matches(header, 3)


def test_missing_if_match_is_428_and_stale_is_412_naming_the_current_etag():
    with pytest.raises(PreconditionRequired):
        require_match(None, 3)
    with pytest.raises(StaleEtag) as stale:
        require_match('"2"', 3)
    assert stale.value.status == 412 and stale.value.headers["ETag"] == 'W/"3"'
    require_match('W/"3"', 3)
