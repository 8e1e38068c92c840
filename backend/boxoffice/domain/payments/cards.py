"""Card checks done before any provider is asked: number (Luhn), expiry (MM/YY, not past), cvc."""

from __future__ import annotations

import re
from datetime import date

EXPIRY = re.compile(r"^(\d{2})/(\d{2})$")
CVC = re.compile(r"^\d{3,4}$")


def normalize_number(number: str) -> str:
    return re.sub(r"[\s-]", "", number)


def luhn_ok(number: str) -> bool:
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for i, digit in enumerate(int(d) for d in reversed(number)):
        if i % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def expiry_problem(expiry: str, today: date | None = None) -> str | None:
    """Why `MM/YY` is not usable, or None. A card is valid through the last day of its month."""
    match = EXPIRY.match(expiry)
    if not match:
        return "must be MM/YY"
    month, year = int(match[1]), 2000 + int(match[2])
    if not 1 <= month <= 12:
        return "month must be 01-12"
    today = today or date.today()
    if (year, month) < (today.year, today.month):
        return "card has expired"
    return None


def cvc_ok(cvc: str) -> bool:
    return bool(CVC.match(cvc))
