"""The OpenAPI 3 document of each service's JSON API, from the same pydantic models the handlers
validate with, so the document is never looser than the handlers.

pydantic puts nested models under `$defs`, referenced relative to the model's own schema; inside an
OpenAPI document those references resolve nowhere, so nested models are written out in place. (Not
registered as components: `boxoffice docs api` builds each service's document afresh, and reads
bodies' members from the operations themselves.)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydantic import BaseModel
from sanic_ext.extensions.openapi.builders import OperationStore, SpecificationBuilder
from sanic_ext.extensions.openapi.definitions import Parameter, RequestBody, Response

H = TypeVar("H", bound=Callable[..., Any])
UUID = {"type": "string", "format": "uuid"}
# Path parameters by name, wherever they appear: the forms the handlers accept.
PATH = {
    "event_id": UUID,
    "venue_id": UUID,
    "order_id": UUID,
    "hold_id": {
        "type": "string",
        "pattern": r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.[0-9a-f]{16}$",
        "description": "`<event id>.<16 hex digits>`, as POST /api/holds answers it",
    },
    "seat_id": {"type": "string", "pattern": r"^[0-9]{1,19}$"},
    "row_id": {"type": "integer", "minimum": 1},
}
PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details; validation errors name each field in `errors`",
    "required": ["type", "title", "status", "detail", "correlation_id"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "correlation_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
MEANINGS = {
    200: "OK",
    201: "Created",
    204: "No content",
    400: "Bad request (e.g. a body that is not JSON)",
    401: "Not logged in",
    402: "Payment declined",
    403: "Not allowed",
    404: "No such resource (or not yours)",
    409: "Conflict with the current state",
    410: "Gone (e.g. a lapsed hold)",
    412: "The If-Match version is stale",
    422: "Validation failed: `errors` names each field",
    428: "If-Match required",
    429: "Rate limited",
    503: "A store this request needs is not answering; retry after Retry-After",
}
ALWAYS = (429, 503)


def schema_of(model: type[BaseModel]) -> dict:
    """`model`'s JSON schema with the models it nests written out in place (pydantic refers to them
    under `$defs`, which resolves nowhere inside an OpenAPI document)."""
    schema = model.model_json_schema(by_alias=True)
    return _inline(schema, schema.pop("$defs", {}))


def query_parameters(model: type[BaseModel]) -> list[Parameter]:
    """One query parameter per field of a Query model (by its alias: `from`), optional unless required."""
    schema = schema_of(model)
    required = set(schema.get("required", ()))
    return [
        Parameter(name, _not_null(prop), "query", required=name in required)
        for name, prop in schema["properties"].items()
    ]


def api(
    *,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    headers: Iterable[tuple[str, dict, bool]] = (),
    answers: Iterable[int] = (200,),
    auth: bool = False,
    content: str = "application/json",
) -> Callable[[H], H]:
    """Document one JSON API operation: its body, query, headers (name, schema, required), the statuses it
    answers (and 429 / 503, which any may), whether it needs a bearer token. Path parameters are found
    by name in the handler's signature."""

    def document(handler: H) -> H:
        operation = OperationStore()[handler]
        for name in inspect.signature(handler).parameters:
            if name in PATH:
                operation.parameters.append(Parameter(name, PATH[name], "path", required=True))
        if query is not None:
            operation.parameters.extend(query_parameters(query))
        for name, schema, required in headers:
            operation.parameters.append(Parameter(name, schema, "header", required=required))
        if body is not None:
            operation.requestBody = RequestBody({"application/json": {"schema": schema_of(body)}}, required=True)
        for status in (*answers, *ALWAYS):
            operation.responses[status] = _response(status, content)
        if auth:
            _bearer()
            operation.secured("bearer")
        return handler

    return document


def _response(status: int, content: str) -> Response:
    if status == 204:
        return Response(description=MEANINGS[status])
    if status < 400:
        return Response({content: {}}, description=MEANINGS.get(status, "OK"))
    return Response({"application/problem+json": {"schema": PROBLEM}}, description=MEANINGS.get(status, "Error"))


def _bearer() -> None:
    spec = SpecificationBuilder()
    if not spec.has_component("securitySchemes", "bearer"):
        spec.add_security_scheme(
            "bearer", "http", bearer_format="JWT", description="An access token from POST /api/auth/token"
        )


def _not_null(schema: dict) -> dict:
    """A query parameter is absent rather than null: `anyOf: [X, null]` documents X (and no null default)."""
    options = [option for option in schema.get("anyOf", ()) if option.get("type") != "null"]
    if len(options) == 1 and len(schema.get("anyOf", ())) == 2:
        schema = {**options[0], **{k: v for k, v in schema.items() if k != "anyOf"}}
    return {k: v for k, v in schema.items() if k != "title" and not (k == "default" and v is None)}


def _inline(node: Any, definitions: dict) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return {**_inline(definitions[node["$ref"].rsplit("/", 1)[-1]], definitions), **rest}
        return {k: _inline(v, definitions) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, definitions) for v in node]
    return node
