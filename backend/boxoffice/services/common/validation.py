"""Request bodies and query strings parsed into pydantic models; failures become 422 field errors."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from sanic import Request

from boxoffice.domain.seats.feed import check_cursor
from boxoffice.errors import BadRequest, ValidationFailed

M = TypeVar("M", bound=BaseModel)


def storable(value: Any) -> Any:
    """PostgreSQL text cannot hold a NUL character: a string with one is refused (422), not a 500."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if isinstance(value, (list, tuple)):
        for item in value:
            storable(item)
    return value


class Body(BaseModel):
    """Base of every request body: unknown members are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return storable(value)


class Query(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return storable(value)


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    errors = []
    for err in exc.errors(include_url=False):
        field = ".".join(str(part) for part in err["loc"]) or "body"
        message = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        errors.append({"field": field, "message": message})
    return errors


def validate(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(field_errors(exc)) from None


def parse_body(request: Request, model: type[M]) -> M:
    """The JSON body as `model`; a missing or malformed body is a 400, a wrong one a 422."""
    if not request.body:
        raise BadRequest("A JSON request body is required")
    data = request.json  # Sanic raises BadRequest on malformed JSON
    if not isinstance(data, dict):
        raise ValidationFailed([{"field": "body", "message": "must be a JSON object"}])
    return validate(model, data)


def parse_query(request: Request, model: type[M]) -> M:
    return validate(model, {key: request.args.get(key) for key in request.args})


def resume_point(request: Request) -> str | None:
    """Where a seat stream resumes: `Last-Event-ID` (what EventSource sends), else `?cursor=`, else
    None (from now); an absurd one is a 422 naming the header or parameter."""
    if request.headers.get("Last-Event-ID"):
        return check_cursor(request.headers["Last-Event-ID"], field="Last-Event-ID")
    return check_cursor(request.args.get("cursor"), field="cursor")
