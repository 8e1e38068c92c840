"""One typed configuration, read from BOXOFFICE_* environment variables and checked at start-up."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, fields
from typing import Any

DEV_PLACEHOLDER = "dev-only-change-me"
ENVIRONMENTS = ("development", "test", "production")


class ConfigError(RuntimeError):
    """The environment does not describe a startable service."""


@dataclass(frozen=True, slots=True)
class RateLimit:
    """A token bucket: `replenish_rate` tokens/s, at most `burst_capacity`, `requested_tokens` a call."""

    replenish_rate: float
    burst_capacity: int
    requested_tokens: int = 1


DEFAULT_RATE_LIMITS: dict[str, RateLimit] = {
    "booking_write": RateLimit(10, 20),
    "auth": RateLimit(5, 10),  # per client address: sign-in and sign-up (each hashes a password)
    "auth_email": RateLimit(0.1, 10),  # per target account: login attempts from anywhere
    "search": RateLimit(30, 60),
    "default": RateLimit(50, 100),
}


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _rate_limits(value: str) -> dict[str, RateLimit]:
    limits = dict(DEFAULT_RATE_LIMITS)
    for group, spec in json.loads(value).items():
        limits[group] = RateLimit(**spec)
    return limits


@dataclass(frozen=True, slots=True)
class Config:
    env: str = "development"
    stack_name: str = "dev"
    database_url: str = "postgres://boxoffice@127.0.0.1:5432/boxoffice"
    redis_url: str = "redis://127.0.0.1:6380/0"
    elasticsearch_url: str = "http://127.0.0.1:9200"
    search_alias: str = "events"
    jwt_algorithms: tuple[str, ...] = ("HS256",)
    jwt_secret: str = DEV_PLACEHOLDER
    jwt_private_key: str = ""
    jwt_public_key: str = ""
    jwt_issuer: str = "boxoffice"
    jwt_audience: str = "boxoffice-api"
    jwt_ttl_s: int = 3600
    internal_secret: str = DEV_PLACEHOLDER
    events_urls: tuple[str, ...] = ("http://127.0.0.1:8081",)
    booking_urls: tuple[str, ...] = ("http://127.0.0.1:8082",)
    search_urls: tuple[str, ...] = ("http://127.0.0.1:8083",)
    upstream_timeout_s: float = 30.0
    rate_limits: dict[str, RateLimit] = field(default_factory=lambda: dict(DEFAULT_RATE_LIMITS))
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    hold_ttl_s: int = 600
    hold_extend_s: int = 300
    hold_max_lifetime_s: int = 1200
    sse_max_connections: int = 5000
    sse_ping_s: float = 15.0
    sse_max_lifetime_s: float = 3600.0
    seat_stream_maxlen: int = 10000  # seat-change stream entries kept per event (approximate trim)
    checkout_lease_s: int = 60  # a hold in checkout is safe from the sweeper this long
    sweep_interval_s: float = 0.2  # how often each booking instance looks for lapsed holds
    reconcile_after_s: int = 120  # a pending order older than this is finished or undone
    search_flush_s: float = 1.0  # how often sold/released seats reach the search outbox
    idempotency_ttl_s: int = 86400
    idempotency_lock_s: int = 60  # an in-flight Idempotency-Key is refused (409) this long
    event_cache_s: float = 2.0  # how long a booking process trusts its copy of an event's sale window
    payment_provider: str = "simulated"
    booking_pg_pool: int = 20  # PostgreSQL connections per booking process (orders, idempotency)
    pg_connect_timeout_s: float = 3.0  # a PostgreSQL that is down or hangs is a 503 within seconds
    pg_command_timeout_s: float = 5.0
    log_level: str = "INFO"
    outbox_relays: int = 1  # relay tasks per events-service process (0: this instance relays nothing)
    outbox_batch_size: int = 500
    outbox_max_attempts: int = 12  # then the row is `dead`
    outbox_poll_s: float = 1.0  # the fallback when no NOTIFY arrives
    outbox_retention_s: int = 86400  # delivered rows are deleted after this
    jobs_lease_s: float = 60.0  # a claimed job is retaken after this if its runner died
    jobs_max_attempts: int = 12  # then the job is `dead` (boxoffice jobs list --status dead)
    jobs_poll_s: float = 1.0  # the fallback when no NOTIFY arrives

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Config:
        """Build the configuration from BOXOFFICE_<FIELD> variables; unknown values fail loudly."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(f"BOXOFFICE_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _parse(f.name, f.type, raw)
        config = cls(**values)
        config.check()
        return config

    def check(self) -> None:
        """Refuse configurations that must never serve traffic."""
        if self.env not in ENVIRONMENTS:
            raise ConfigError(f"BOXOFFICE_ENV must be one of {ENVIRONMENTS}, not {self.env!r}")
        if self.env == "production":
            for name in ("jwt_secret", "internal_secret"):
                if getattr(self, name) == DEV_PLACEHOLDER or len(getattr(self, name)) < 32:
                    raise ConfigError(f"BOXOFFICE_{name.upper()} must be a real secret (32+ chars) in production")
        if any(alg.startswith("RS") for alg in self.jwt_algorithms) and not self.jwt_public_key:
            raise ConfigError("RS* JWT algorithms need BOXOFFICE_JWT_PUBLIC_KEY")
        if "none" in (alg.lower() for alg in self.jwt_algorithms):
            raise ConfigError("the 'none' JWT algorithm is never accepted")

    @property
    def is_dev(self) -> bool:
        return self.env == "development"


def _parse(name: str, kind: Any, raw: str) -> Any:
    try:
        if name == "rate_limits":
            return _rate_limits(raw)
        if "tuple" in str(kind):
            return _split(raw)
        if kind in ("int", int):
            return int(raw)
        if kind in ("float", float):
            return float(raw)
        return raw
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"BOXOFFICE_{name.upper()}={raw!r}: {exc}") from exc
