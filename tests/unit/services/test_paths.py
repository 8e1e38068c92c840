"""The one canonical path rule (the same nginx applies before it picks a location)."""

from __future__ import annotations

import pytest

from boxoffice.services.common.paths import canonical_path


@pytest.mark.parametrize(
    "spelled, canonical",
    [
        ("/", "/"),
        ("//", "/"),
        ("/api/holds", "/api/holds"),
        ("/api/holds/", "/api/holds"),
        ("/api/holds///", "/api/holds"),
        ("/api//holds", "/api/holds"),
        ("/api/./holds", "/api/holds"),
        ("/api/x/../holds", "/api/holds"),
        ("/api/../../holds", "/holds"),
        ("/api/hold%73", "/api/holds"),
        ("/api/hold%2e/x", "/api/hold./x"),
        ("/api/%2E%2E/holds", "/holds"),
        ("/api/events/a%7bb%7D", "/api/events/a%7Bb%7D"),
        ("/api/events/a%2fb", "/api/events/a%2Fb"),
        ("/api/events/a%20b/", "/api/events/a%20b"),
        (
            "/api/holds/0f8fad5b-d9cb-469f-a165-70867728950e.0123456789abcdef/seats/",
            "/api/holds/0f8fad5b-d9cb-469f-a165-70867728950e.0123456789abcdef/seats",
        ),
        ("/api/a+b:c@d", "/api/a+b:c@d"),
    ],
)
def test_every_spelling_of_a_path_has_one_canonical_form(spelled, canonical):
    assert canonical_path(spelled) == canonical
    assert canonical_path(canonical) == canonical


@pytest.mark.parametrize(
    "as_nginx_sends_it",
    [
        "/api/holds",
        "/api/events/%7BAB%7D",
        "/api/events/a%20b",
        "/api/events/%E2%82%AC",
        "/api/a:b@c;d,e=f!g'h(i)j*k~l",
        "/api/a%22b%3Cc%3Ed%5Ce%5Ef%60g%7Ch",
        "/api/events/a%25b",
        "/api/events/a%3Fb",
    ],
)
def test_what_nginx_forwards_is_already_canonical_so_no_service_redirects_it_again(as_nginx_sends_it):
    assert canonical_path(as_nginx_sends_it) == as_nginx_sends_it
