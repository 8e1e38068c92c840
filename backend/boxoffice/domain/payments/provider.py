"""The payment-provider interface and the built-in `simulated` provider.

Every call carries our order id as its reference, and providers treat it as an idempotency key:
charging the same reference twice charges once, so a retried or recovered checkout never pays twice.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Protocol

import coredis

from boxoffice import keys


@dataclass(frozen=True, slots=True)
class Card:
    number: str
    expiry: str
    cvc: str


@dataclass(frozen=True, slots=True)
class Charge:
    reference: str  # our order id
    charge_ref: str | None  # the provider's id, None when declined
    declined: str | None = None  # the reason, when declined


class Declined(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class PaymentProvider(Protocol):
    name: str

    async def charge(self, *, reference: str, amount: int, currency: str, card: Card) -> Charge:
        """Charge once per reference; raises Declined."""

    async def lookup(self, *, reference: str) -> Charge | None:
        """What happened to a charge attempt, None if the provider never saw it."""

    async def refund(self, *, reference: str, amount: int) -> str:
        """Refund a charge once per reference; returns the refund id."""


DECLINES = {
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
}


class SimulatedProvider:
    """The familiar test cards: 4242... succeeds, 4000...0002 declined, 4000...9995 insufficient funds.

    Its ledger lives in Redis so any booking instance (and the reconciler after a crash) can look up
    a charge attempt by reference.
    """

    name = "simulated"

    def __init__(self, redis: coredis.Redis, *, keep_s: int = 7 * 86400):
        self.redis = redis
        self.keep_s = keep_s

    async def charge(self, *, reference: str, amount: int, currency: str, card: Card) -> Charge:
        previous = await self.lookup(reference=reference)
        if previous is None:
            reason = DECLINES.get(card.number)
            previous = Charge(reference, None if reason else f"ch_{secrets.token_hex(12)}", reason)
            record = {"charge_ref": previous.charge_ref, "declined": reason, "amount": amount, "currency": currency}
            if not await self.redis.set(keys.simulated_payment(reference), json.dumps(record), ex=self.keep_s,
                                        condition=coredis.PureToken.NX):
                previous = await self.lookup(reference=reference)
        if previous.declined:
            raise Declined(previous.declined)
        return previous

    async def lookup(self, *, reference: str) -> Charge | None:
        raw = await self.redis.get(keys.simulated_payment(reference))
        if raw is None:
            return None
        record = json.loads(raw)
        return Charge(reference, record.get("charge_ref"), record.get("declined"))

    async def refund(self, *, reference: str, amount: int) -> str:
        key = keys.simulated_payment(reference)
        record = json.loads(await self.redis.get(key) or "{}")
        if not record.get("refund_ref"):
            record["refund_ref"] = f"re_{secrets.token_hex(12)}"
            await self.redis.set(key, json.dumps(record), ex=self.keep_s)
        return record["refund_ref"]


def make_provider(name: str, redis: coredis.Redis) -> PaymentProvider:
    if name == "simulated":
        return SimulatedProvider(redis)
    raise ValueError(f"unknown payment provider {name!r}")
