"""Queue-enabled events and buyers for the waiting-room tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from boxoffice.domain.queue.admission import AdmissionTokens, admission_key
from tests.integration.booking.factories import MadeEvent, make_event, set_event


async def queued_event(
    *, per_minute: int = 6000, minutes: int = 10, on_sale_in_s: float = -60, seats: int = 20
) -> MadeEvent:
    """A published event with an enabled waiting room, on sale `on_sale_in_s` from now."""
    made = await make_event(
        rows=[("A", seats, "standard")], on_sale_at=datetime.now(UTC) + timedelta(seconds=on_sale_in_s)
    )
    await set_event(
        made.id,
        waiting_room=json.dumps({"enabled": True, "admit_per_minute": per_minute, "admission_minutes": minutes}),
    )
    return made


def tokens_of(stack) -> AdmissionTokens:
    """The admission signer of this stack's gateways (its key derives from the internal secret)."""
    return AdmissionTokens(admission_key(stack.service_env()["BOXOFFICE_INTERNAL_SECRET"]))


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.token}"}
