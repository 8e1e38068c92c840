"""Booking fixtures: the domain wired to the test stack's PostgreSQL and Redis, buyers with real
tokens (minted with the stack's own JWT settings, so the gateway verifies them as usual), events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import coredis
import pytest
from tortoise import Tortoise

from boxoffice.config import Config
from boxoffice.db import tortoise_config
from boxoffice.domain.holds.scripts import SeatScripts
from boxoffice.domain.holds.service import Holds
from boxoffice.domain.orders.idempotency import Policy
from boxoffice.domain.orders.service import Checkout
from boxoffice.domain.payments.provider import SimulatedProvider
from boxoffice.domain.seats.catalog import Catalog
from boxoffice.infra.redis import RedisClient
from boxoffice.infra.tokens import TokenIssuer
from tests.integration.booking.factories import MadeEvent, make_event
from tests.support import User

GOOD_CARD = {"method": "card", "card_number": "4242 4242 4242 4242", "expiry": "12/39", "cvc": "123"}
DECLINED_CARD = {**GOOD_CARD, "card_number": "4000000000000002"}
POOR_CARD = {**GOOD_CARD, "card_number": "4000000000009995"}


@dataclass
class Domain:
    config: Config
    redis: coredis.Redis
    scripts: SeatScripts
    holds: Holds
    checkout: Checkout


@pytest.fixture(scope="session")
def stack_config(stack) -> Config:
    return Config.from_env(stack.service_env(include_os_environ=False))


@pytest.fixture(scope="session")
async def domain(stack, stack_config):
    await Tortoise.init(config=tortoise_config(stack.database_url))
    client = RedisClient(stack.redis_url)
    await client.start()
    scripts = SeatScripts(client.client, maxlen=stack_config.seat_stream_maxlen)
    holds = Holds(redis=client.client, scripts=scripts, catalog=Catalog(refresh_s=0.0), config=stack_config)
    checkout = Checkout(
        holds=holds,
        catalog=holds.catalog,
        provider=SimulatedProvider(client.client),
        redis=client.client,
        idempotency=Policy.from_config(stack_config),
    )
    yield Domain(stack_config, client.client, scripts, holds, checkout)
    await client.stop()
    await Tortoise.close_connections()


@pytest.fixture(scope="session")
def mint(stack_config):
    """mint() -> a buyer (a fresh user id with a real access token)."""
    issuer = TokenIssuer(stack_config)

    def new_buyer(role: str = "buyer") -> User:
        user_id = str(uuid.uuid4())
        return User(user_id, f"{user_id}@example.test", role, issuer.issue(user_id, [role]))

    return new_buyer


@pytest.fixture
async def event(domain) -> MadeEvent:
    """Two rows of ten standard seats and a row of six VIP seats, on sale now, 8 per buyer."""
    return await make_event(
        rows=[("A", 10, "standard"), ("B", 10, "standard"), ("C", 6, "vip")], prices={"standard": 5000, "vip": 9000}
    )
