"""Orders, tickets and idempotency records: the truth about who owns which seat."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class OrderStatus(StrEnum):
    PENDING = "pending"  # tickets written, payment not yet confirmed
    CONFIRMED = "confirmed"
    FAILED = "failed"  # payment declined or abandoned: its tickets are void
    CANCELLED = "cancelled"  # refunded: its tickets are void


class TicketStatus(StrEnum):
    VALID = "valid"  # pending or confirmed order: the seat is taken
    VOID = "void"


class Order(Model):
    id = fields.UUIDField(primary_key=True)
    user_id = fields.UUIDField(db_index=True)
    event = fields.ForeignKeyField("models.Event", related_name="orders", on_delete=fields.RESTRICT)
    hold_id = fields.CharField(max_length=64, db_index=True)
    status = fields.CharEnumField(OrderStatus, max_length=16, default=OrderStatus.PENDING)
    total = fields.BigIntField()
    currency = fields.CharField(max_length=3)
    payment_provider = fields.CharField(max_length=32, default="simulated")
    payment_ref = fields.CharField(max_length=128, null=True)
    refund_ref = fields.CharField(max_length=128, null=True)
    failure = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "orders"
        indexes = (("user_id", "created_at"),)  # GET /api/orders: a buyer's orders, newest first


class Ticket(Model):
    """At most one valid ticket per (event, seat): a partial unique index, the final guard."""

    id = fields.UUIDField(primary_key=True)
    order = fields.ForeignKeyField("models.Order", related_name="tickets", on_delete=fields.CASCADE)
    event = fields.ForeignKeyField("models.Event", related_name="tickets", on_delete=fields.RESTRICT)
    seat = fields.ForeignKeyField("models.EventSeat", related_name="tickets", on_delete=fields.RESTRICT)
    code = fields.CharField(max_length=64, unique=True)
    status = fields.CharEnumField(TicketStatus, max_length=8, default=TicketStatus.VALID)
    price = fields.BigIntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tickets"


class IdempotencyRecord(Model):
    """One `Idempotency-Key` of one user: the request's fingerprint and, once done, the response."""

    id = fields.BigIntField(primary_key=True)
    user_id = fields.UUIDField()
    key = fields.CharField(max_length=255)
    request_hash = fields.CharField(max_length=64)
    locked_until = fields.DatetimeField(null=True)  # in flight until then (a crashed worker's lock lapses)
    response_status = fields.IntField(null=True)
    response_body = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "idempotency_records"
        unique_together = (("user_id", "key"),)
