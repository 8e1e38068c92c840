"""Request bodies of the order endpoints; card checks give 422 field errors before any charge."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from boxoffice.domain.payments.cards import cvc_ok, expiry_problem, luhn_ok, normalize_number
from boxoffice.domain.payments.provider import Card
from boxoffice.services.common.validation import Body, Query


class Payment(Body):
    method: Literal["card"]
    card_number: str = Field(min_length=12, max_length=32)
    expiry: str = Field(min_length=5, max_length=5)
    cvc: str = Field(min_length=3, max_length=4)

    @field_validator("card_number")
    @classmethod
    def luhn(cls, value: str) -> str:
        number = normalize_number(value)
        if not luhn_ok(number):
            raise ValueError("not a valid card number")
        return number

    @field_validator("expiry")
    @classmethod
    def not_expired(cls, value: str) -> str:
        if problem := expiry_problem(value):
            raise ValueError(problem)
        return value

    @field_validator("cvc")
    @classmethod
    def cvc_digits(cls, value: str) -> str:
        if not cvc_ok(value):
            raise ValueError("must be 3 or 4 digits")
        return value

    def card(self) -> Card:
        return Card(self.card_number, self.expiry, self.cvc)


class OrderRequest(Body):
    hold_id: str = Field(min_length=1, max_length=64)
    payment: Payment

    def fingerprinted(self) -> dict:
        """What the Idempotency-Key's fingerprint covers: the request without its CVC (a CVC is
        never stored in any form; the card number only inside the HMAC)."""
        return self.model_dump(exclude={"payment": {"cvc"}})


class OrderListQuery(Query):
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=200)
