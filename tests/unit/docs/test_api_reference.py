"""docs/API.md lists every route of every service and every problem type, and nothing that is gone.

The routes come from each service's router (its app built with create_app, never served), not from
the generator's OpenAPI reading, so a route the OpenAPI document leaves out is caught too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from boxoffice import errors
from boxoffice.commands import docs

ROOT = Path(__file__).resolve().parents[3]
REGENERATE = "run `.venv/bin/boxoffice docs api` and describe the change in docs/API.md"


@pytest.fixture(scope="module")
def api_doc() -> str:
    return (ROOT / "docs" / "API.md").read_text()


@pytest.fixture(scope="module")
def served() -> dict[str, frozenset[tuple[str, str]]]:
    return docs.service_routes()


def test_every_route_of_every_service_is_in_the_endpoint_tables(api_doc, served):
    assert all(served.values()) and set(served) == set(docs.SERVICES)
    assert docs.missing_routes(api_doc, served) == [], REGENERATE


def test_the_endpoint_tables_list_no_route_that_no_service_serves(api_doc, served):
    assert docs.unserved_routes(api_doc, served) == [], REGENERATE


def test_a_route_missing_from_the_tables_is_reported(api_doc, served):
    row = "| POST | `/api/holds` | booking |"
    assert row in api_doc
    without = "\n".join(line for line in api_doc.splitlines() if not line.startswith(row))
    before = set(docs.missing_routes(api_doc, served))
    assert set(docs.missing_routes(without, served)) - before == {"booking POST /api/holds"}
    added = {**served, "search": served["search"] | {("GET", "/api/search/new")}}
    assert set(docs.missing_routes(api_doc, added)) - before == {"search GET /api/search/new"}
    gone = {**served, "booking": served["booking"] - {("POST", "/api/holds")}}
    assert set(docs.unserved_routes(api_doc, gone)) - set(docs.unserved_routes(api_doc, served)) == {
        "booking POST /api/holds"
    }


def test_every_problem_type_the_code_answers_is_listed(api_doc):
    listed = docs.generated_block(api_doc, "problems")
    slugs = {
        cls.type_slug
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.BoxOfficeError) and cls.type_slug != "about:blank"
    }
    assert {"seats-taken", "admission-required", "rate-limited"} <= slugs
    assert [slug for slug in sorted(slugs) if f"| `{slug}` |" not in listed] == [], REGENERATE
    for slug, status, _, _ in docs.problem_types():
        assert f"| `{slug}` | {status} |" in listed, REGENERATE


def test_the_generated_tables_are_what_the_code_makes_now(api_doc):
    assert docs.rendered(api_doc) == api_doc, REGENERATE


def test_regenerating_replaces_only_the_text_between_the_markers():
    begin, end = "<!-- generated:endpoints:begin (boxoffice docs api) -->", "<!-- generated:endpoints:end -->"
    text = f"# By hand\n\n{begin}\nold rows\n{end}\n\nkept as written\n"
    expected = f"# By hand\n\n{begin}\nnew rows\n{end}\n\nkept as written\n"
    assert docs.with_block(text, "endpoints", "new rows") == expected
    with pytest.raises(docs.MarkerMissing):
        docs.with_block("# no markers\n", "endpoints", "rows")
