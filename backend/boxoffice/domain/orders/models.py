"""Orders, tickets and idempotency records: the truth about who owns which seat.

An order moves through these states, and only along these arrows; every move is one guarded
write (`UPDATE ... WHERE status = <the state it expects>`), and a write that matched no row changes
nothing else (the caller re-reads and goes on from the state it finds):

    pending ──charged, seats booked──────────────► confirmed ──buyer or event cancels──► cancelling
      │  ╲                                              ▲                                    │
      │   ╲ stale: the reconciler takes it              │                       refunded, seats
      │    ► reconciling ──charged, seats booked────────┘                       released
      │           │                                                                  ▼
      │           ├──charged, but the event was cancelled──► cancelling ──────► cancelled
      ▼           ▼
    failed  (never charged: declined, or voided at the provider first; tickets void)

- pending: the order and its valid tickets are written; a checkout is charging it.
- reconciling: the checkout stopped (a crash, a lost client); the reconciler finishes it like
  the checkout would (confirmed) or undoes it (failed), deciding with the provider's `void`,
  which also makes any charge still on its way fail.
- confirmed: charged (`payment_ref`), tickets valid. Only while its event is not cancelled: the
  confirming write locks the event row (FOR KEY SHARE) and checks it, as order creation does.
- cancelling: a refund is owed; tickets stay valid until it is made. Whoever finds an order here
  (the buyer's request, the event-cancellation job, the reconciler) refunds (once per order at the
  provider), releases the seats in Redis, then writes cancelled + refund + void tickets at once.
- failed, cancelled: final; their tickets are void and the seats free.

So a finished order is either confirmed with valid tickets and a charge, or failed / cancelled
with void tickets and no charge or a refund; anything in between is durable and finished by the
reconciler (`service.reconcile`).
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class OrderStatus(StrEnum):
    PENDING = "pending"  # tickets written, a checkout is charging
    RECONCILING = "reconciling"  # the checkout stopped: the reconciler finishes or undoes it
    CONFIRMED = "confirmed"
    CANCELLING = "cancelling"  # a refund is owed: finished by whoever finds it, the reconciler last
    FAILED = "failed"  # never charged: its tickets are void
    CANCELLED = "cancelled"  # refunded: its tickets are void


LIVE = (OrderStatus.PENDING, OrderStatus.RECONCILING)  # being paid for
FINAL = (OrderStatus.FAILED, OrderStatus.CANCELLED)


class TicketStatus(StrEnum):
    VALID = "valid"  # a pending, reconciling, confirmed or cancelling order: the seat is taken
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
    failure = fields.CharField(max_length=200, null=True)  # why it failed or was cancelled
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "orders"
        indexes = (
            ("user_id", "created_at"),  # GET /api/orders: a buyer's orders, newest first
            ("event_id", "status"),
        )  # a cancelled event's orders still to settle


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
