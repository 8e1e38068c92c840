"""Venues with their seat maps, and events with their own copy of the venue's seats."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class EventCategory(StrEnum):
    CONCERT = "concert"
    THEATRE = "theatre"
    SPORTS = "sports"
    COMEDY = "comedy"
    FAMILY = "family"
    FESTIVAL = "festival"
    OTHER = "other"


class Venue(Model):
    id = fields.UUIDField(primary_key=True)
    owner_id = fields.UUIDField(db_index=True)
    name = fields.CharField(max_length=200)
    city = fields.CharField(max_length=120)
    address = fields.CharField(max_length=300)
    timezone = fields.CharField(max_length=64)
    sections = fields.JSONField()  # the layout as submitted: [{name, rows: [{label, seat_count, category}]}]
    seat_count = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "venues"


class SeatFields(Model):
    """What a seat is, wherever it is copied: its place in the map and its price category."""

    label = fields.CharField(max_length=32)
    section = fields.CharField(max_length=120)
    row = fields.CharField(max_length=16)
    number = fields.IntField()
    category = fields.CharField(max_length=64)
    x = fields.IntField()
    y = fields.IntField()

    class Meta:
        abstract = True


class VenueSeat(SeatFields):
    id = fields.BigIntField(primary_key=True)
    venue = fields.ForeignKeyField("models.Venue", related_name="seats", on_delete=fields.CASCADE)

    class Meta:
        table = "venue_seats"
        unique_together = (("venue", "label"),)


class Event(Model):
    id = fields.UUIDField(primary_key=True)
    owner_id = fields.UUIDField(db_index=True)
    venue = fields.ForeignKeyField("models.Venue", related_name="events", on_delete=fields.RESTRICT)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    category = fields.CharEnumField(EventCategory, max_length=16)
    performer = fields.CharField(max_length=200)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    on_sale_at = fields.DatetimeField(null=True)
    currency = fields.CharField(max_length=3)
    price_categories = fields.JSONField()  # [{category, price}] prices in minor units
    max_tickets_per_order = fields.IntField(default=8)
    waiting_room = fields.JSONField(null=True)  # {enabled, admit_per_minute, admission_minutes}
    status = fields.CharEnumField(EventStatus, max_length=16, default=EventStatus.DRAFT, db_index=True)
    version = fields.IntField(default=1)  # bumped by every organizer change: the ETag
    search_version = fields.BigIntField(default=1)  # bumped by every change to the search document
    seat_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    published_at = fields.DatetimeField(null=True)

    class Meta:
        table = "events"


class EventSeat(SeatFields):
    """The event's own seat: what holds, orders and tickets refer to (its id is the seat id)."""

    id = fields.BigIntField(primary_key=True)
    event = fields.ForeignKeyField("models.Event", related_name="seats", on_delete=fields.CASCADE)

    class Meta:
        table = "event_seats"
        unique_together = (("event", "label"),)
