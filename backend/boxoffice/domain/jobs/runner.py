"""The job runner of one process: claims due jobs, runs their handler, marks them done or failed.

Any number of runners may run at once (one per booking instance): a claim takes rows with FOR
UPDATE SKIP LOCKED and moves `available_at` out by the lease, so a job is worked on by one runner
at a time unless that runner outlives its lease (handlers are safe twice at once anyway). A runner
that dies mid-job leaves it `pending`: it is claimed again when the lease lapses.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import asyncpg

from boxoffice.config import Config
from boxoffice.domain.jobs import repository as jobs
from boxoffice.domain.jobs.repository import Claimed
from boxoffice.domain.outbox.relay import backoff_s
from boxoffice.infra.metrics import JOBS_DEAD, JOBS_DONE, JOBS_LAG

log = logging.getLogger("boxoffice.jobs")

Handler = Callable[[str], Awaitable[object]]  # called with the job's subject


@dataclass(frozen=True, slots=True)
class JobSettings:
    lease_s: float = 60.0  # a claimed job is left alone this long (then a dead runner's job is retaken)
    max_attempts: int = 12  # then the job is `dead`
    poll_s: float = 1.0  # the fallback when no NOTIFY arrives
    batch: int = 4  # jobs claimed (and run side by side) at once
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 300.0
    metrics_every_s: float = 5.0

    @classmethod
    def from_config(cls, config: Config) -> JobSettings:
        return cls(lease_s=config.jobs_lease_s, max_attempts=config.jobs_max_attempts, poll_s=config.jobs_poll_s)


class JobRunner:
    """Runs jobs of the kinds it has handlers for (others are left to runners that know them);
    `run()` until `stop()`, or `run_due()` by hand."""

    def __init__(
        self,
        *,
        handlers: Mapping[str, Handler],
        settings: JobSettings | None = None,
        rng: Callable[[], float] = random.random,
    ):
        self.handlers = dict(handlers)
        self.settings = settings or JobSettings()
        self.rng = rng
        self._wake = asyncio.Event()
        self._stopping = False
        self._listener: asyncpg.Connection | None = None

    async def run_due(self) -> int:
        """Claim the jobs due now and run them; returns how many were claimed."""
        claimed = await jobs.claim(kinds=list(self.handlers), lease_s=self.settings.lease_s, limit=self.settings.batch)
        await asyncio.gather(*(self._run(job) for job in claimed))
        return len(claimed)

    async def _run(self, job: Claimed) -> None:
        handler = self.handlers[job.kind]
        try:
            if job.attempts > self.settings.max_attempts:  # its runners died every time
                raise RuntimeError(f"claimed {job.attempts} times without an answer")
            await handler(job.subject)
        except asyncio.CancelledError:
            raise  # the lease lapses and another runner (or this one, restarted) takes it
        except Exception as exc:
            delay = backoff_s(
                job.attempts, base=self.settings.backoff_base_s, cap=self.settings.backoff_cap_s, rng=self.rng
            )
            await jobs.mark_failed(
                job.id, error=f"{type(exc).__name__}: {exc}", delay_s=delay, max_attempts=self.settings.max_attempts
            )
            log.warning(
                "job failed",
                extra={
                    "job_id": job.id,
                    "kind": job.kind,
                    "subject": job.subject,
                    "attempts": job.attempts,
                    "error": str(exc)[:500],
                },
            )
            return
        await jobs.mark_done(job.id)
        JOBS_DONE.labels(job.kind).inc()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self, *, database_url: str | None = None) -> None:
        """Run due jobs until `stop()`: at once after a NOTIFY, else every `poll_s`."""
        next_metrics = 0.0
        try:
            while not self._stopping:
                await self._ensure_listener(database_url)
                self._wake.clear()
                claimed = await self._guarded(self.run_due(), 0)
                if time.monotonic() >= next_metrics:
                    next_metrics = time.monotonic() + self.settings.metrics_every_s
                    await self._guarded(self.record_health(), None)
                if not claimed and not self._stopping:
                    try:
                        await asyncio.wait_for(self._wake.wait(), self.settings.poll_s)
                    except TimeoutError:
                        pass
        finally:
            if self._listener is not None and not self._listener.is_closed():
                await self._listener.close()

    async def record_health(self) -> None:
        lag, dead = await jobs.health()
        JOBS_LAG.set(lag)
        JOBS_DEAD.set(dead)

    async def _guarded(self, work: Awaitable, fallback):
        """A runner outlives any one failure (PostgreSQL restarting): log, wait a little, go on."""
        try:
            return await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("job runner step failed")
            await asyncio.sleep(self.settings.poll_s)
            return fallback

    async def _ensure_listener(self, database_url: str | None) -> None:
        if database_url is None or (self._listener is not None and not self._listener.is_closed()):
            return
        try:
            self._listener = await asyncpg.connect(database_url, timeout=5)
            await self._listener.add_listener(jobs.CHANNEL, lambda *_: self._wake.set())
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            log.warning("jobs LISTEN unavailable, polling", extra={"error": str(exc)})
            self._listener = None
