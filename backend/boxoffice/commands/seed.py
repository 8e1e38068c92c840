"""Demo data: accounts now; venues, events and sales as those domains land."""

from __future__ import annotations

from tortoise import Tortoise

from boxoffice.config import Config
from boxoffice.db import tortoise_config
from boxoffice.domain.accounts.models import User
from boxoffice.infra.passwords import Passwords

DEMO_PASSWORD = "boxoffice-demo"
DEMO_USERS = (
    ("organizer@example.com", "Olivia Organizer", "organizer"),
    ("buyer@example.com", "Bob Buyer", "buyer"),
    ("buyer2@example.com", "Bea Buyer", "buyer"),
)


async def seed(config: Config, *, size: str = "small") -> None:
    await Tortoise.init(config=tortoise_config(config.database_url))
    try:
        await seed_accounts(config)
    finally:
        await Tortoise.close_connections()


async def seed_accounts(config: Config) -> None:
    passwords = Passwords(time_cost=config.argon2_time_cost, memory_kib=config.argon2_memory_kib)
    for email, name, role in DEMO_USERS:
        if not await User.exists(email=email):
            await User.create(email=email, name=name, roles=[role], password_hash=await passwords.hash(DEMO_PASSWORD))
    print(f"demo accounts: {', '.join(e for e, _, _ in DEMO_USERS)} (password {DEMO_PASSWORD})")
