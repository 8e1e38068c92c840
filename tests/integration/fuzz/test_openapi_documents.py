"""The OpenAPI documents a client (or Schemathesis) reads: every reference resolves, ids have their
formats, bodies, query parameters and answers of the JSON API are documented."""

from __future__ import annotations

import json

import httpx
import pytest


def references(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for value in node.values() for r in references(value)]
    if isinstance(node, list):
        return [r for value in node for r in references(value)]
    return []


def resolve(document: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


@pytest.fixture(scope="module")
def documents(stack) -> dict[str, dict]:
    return {
        service: httpx.get(f"http://127.0.0.1:{stack.ports.service(service)}/docs/openapi.json").json()
        for service in ("events", "booking", "search")
    }


@pytest.mark.parametrize("service", ["events", "booking", "search"])
def test_every_reference_resolves_inside_the_document(documents, service):
    document = documents[service]
    assert '"$defs"' not in json.dumps(document), "nested models are written out, not left under $defs"
    for ref in references(document):
        assert isinstance(resolve(document, ref), dict), ref


@pytest.mark.parametrize("service", ["events", "booking", "search"])
def test_every_json_api_operation_documents_its_body_and_what_it_answers(documents, service):
    for path, operations in documents[service]["paths"].items():
        if not path.startswith("/api/") or path.endswith("/ws"):  # pages, operators' endpoints, WebSockets
            continue
        for method, operation in operations.items():
            assert "default" not in operation["responses"] and "503" in operation["responses"], (method, path)
            if method in ("post", "patch") and not path.endswith(("/publish", "/cancel", "/extend", "/requeue")):
                assert operation["requestBody"]["content"]["application/json"]["schema"]["properties"], (method, path)


def test_ids_in_paths_are_uuids_and_query_parameters_are_documented(documents):
    for document in documents.values():
        for path, operations in document["paths"].items():
            if not path.startswith("/api/") or path.endswith("/ws"):
                continue
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "path" and parameter["name"] in ("event_id", "venue_id", "order_id"):
                        assert parameter["schema"]["format"] == "uuid", (path, parameter)
    search = documents["search"]["paths"]["/api/search/events"]["get"]["parameters"]
    assert {p["name"] for p in search} == {
        "q",
        "city",
        "category",
        "from",
        "to",
        "min_price",
        "max_price",
        "available",
        "sort",
        "page",
        "size",
    }
    orders = documents["booking"]["paths"]["/api/orders"]["post"]["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in orders] == [("Idempotency-Key", "header", True)]
