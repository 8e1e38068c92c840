"""The payment-provider interface and the built-in `simulated` provider.

Every call carries our order id as its reference, and providers treat it as an idempotency key:
charging the same reference twice charges once, refunding it twice refunds once, so a retried or
recovered checkout never pays twice and a retried cancellation never refunds twice. `void` closes
an attempt for good (a charge sent after it is declined): whoever decides that an order was never
paid voids it first, so a charge still on its way cannot land on an order already given up.
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


class NotCharged(Exception):
    """A refund for a reference that was never charged."""


VOIDED = "voided"  # the decline reason of a charge attempted after its reference was voided


class PaymentProvider(Protocol):
    name: str

    async def charge(self, *, reference: str, amount: int, currency: str, card: Card) -> Charge:
        """Charge once per reference; raises Declined (reason `voided` once the reference was voided)."""

    async def void(self, *, reference: str) -> Charge | None:
        """No charge can be taken for this reference from now on; the charge already taken, if any."""

    async def lookup(self, *, reference: str) -> Charge | None:
        """What happened to a charge attempt, None if the provider never saw it."""

    async def refund(self, *, reference: str, amount: int) -> str:
        """Refund the reference's charge once per reference; returns the refund id. Raises NotCharged."""


DECLINES = {
    "4000000000000002": "card_declined",
    "4000000000009995": "insufficient_funds",
}


class SimulatedProvider:
    """The familiar test cards: 4242... succeeds, 4000...0002 declined, 4000...9995 insufficient funds.

    Its ledger lives in Redis so any booking instance (and the reconciler after a crash) can look up
    a charge attempt by reference: one record per reference, written once (SET NX) by the charge or
    the void that came first, and one refund record per reference, written once the same way.
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
            if not await self.redis.set(
                keys.simulated_payment(reference), json.dumps(record), ex=self.keep_s, condition=coredis.PureToken.NX
            ):
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

    async def void(self, *, reference: str) -> Charge | None:
        record = {"charge_ref": None, "declined": VOIDED}
        if await self.redis.set(
            keys.simulated_payment(reference), json.dumps(record), ex=self.keep_s, condition=coredis.PureToken.NX
        ):
            return None
        previous = await self.lookup(reference=reference)
        return previous if previous and previous.charge_ref else None

    async def refund(self, *, reference: str, amount: int) -> str:
        raw = await self.redis.get(keys.simulated_payment(reference))
        record = json.loads(raw) if raw else {}
        if not record.get("charge_ref"):
            raise NotCharged(reference)
        if record.get("refund_ref"):  # refunded before refunds had their own record
            return record["refund_ref"]
        refund = {"refund_ref": f"re_{secrets.token_hex(12)}", "amount": amount}
        key = keys.simulated_refund(reference)
        if not await self.redis.set(key, json.dumps(refund), ex=self.keep_s, condition=coredis.PureToken.NX):
            refund = json.loads(await self.redis.get(key))
        return refund["refund_ref"]

    async def refunded(self, *, reference: str) -> dict | None:
        """The refund record of a reference (`refund_ref`, `amount`), None if never refunded."""
        raw = await self.redis.get(keys.simulated_refund(reference))
        return json.loads(raw) if raw else None


def make_provider(name: str, redis: coredis.Redis) -> PaymentProvider:
    if name == "simulated":
        return SimulatedProvider(redis)
    raise ValueError(f"unknown payment provider {name!r}")
