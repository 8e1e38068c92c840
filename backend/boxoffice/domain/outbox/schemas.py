"""Operator queries over the outbox."""

from __future__ import annotations

from pydantic import Field

from boxoffice.domain.outbox.models import OutboxStatus
from boxoffice.services.common.validation import Query

MAX_ID = 2**63 - 1  # a bigint


class OutboxList(Query):
    status: OutboxStatus | None = None
    cursor: int | None = Field(default=None, ge=0, le=MAX_ID)  # the id of the last row of the previous page
    limit: int = Field(default=50, ge=1, le=100)
