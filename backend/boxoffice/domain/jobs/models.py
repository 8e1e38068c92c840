"""Durable jobs: work that must be finished after the transaction that asked for it, whatever crashes.

A job row is written in the same PostgreSQL transaction as the change that needs it (like the
outbox), so the change never commits without it. Runners (every booking instance) claim due rows
with FOR UPDATE SKIP LOCKED and a lease: a runner that dies leaves its job to be claimed again once
the lease lapses. Handlers are idempotent and safe to run twice at once. A failing job backs off
exponentially with jitter and ends `dead` with its last error, for operators to see and re-queue.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class JobStatus(StrEnum):
    PENDING = "pending"  # due at `available_at` (or being run, under a lease until then)
    DONE = "done"
    DEAD = "dead"  # gave up after the allowed attempts: operators re-queue it


class JobKind(StrEnum):
    EVENT_CANCELLED = "event.cancelled"  # subject: the event id; refund and settle every order


class Job(Model):
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=64)
    subject = fields.CharField(max_length=64)  # what the job is about, e.g. an event id
    status = fields.CharEnumField(JobStatus, max_length=16, default=JobStatus.PENDING)
    attempts = fields.IntField(default=0)  # claims so far
    available_at = fields.DatetimeField()  # not before: its backoff, or the lease of the runner on it
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "jobs"
        indexes = (("status", "available_at"),)
