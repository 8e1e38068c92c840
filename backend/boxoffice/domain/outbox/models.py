"""The transactional outbox: a row is written in the same transaction as the change it announces."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


class OutboxRow(Model):
    id = fields.BigIntField(primary_key=True)
    aggregate_id = fields.CharField(max_length=64, db_index=True)  # the event id: delivery is ordered per event
    kind = fields.CharField(max_length=64)  # e.g. event.upserted, event.deleted, event.availability
    version = fields.IntField()  # the event's version: the external version in Elasticsearch
    payload = fields.JSONField()
    status = fields.CharEnumField(OutboxStatus, max_length=16, default=OutboxStatus.PENDING)
    attempts = fields.IntField(default=0)
    available_at = fields.DatetimeField(auto_now_add=True)  # not before: the backoff
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox"
        indexes = (("status", "available_at"),)
