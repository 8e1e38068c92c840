"""The Redis client's lifecycle and the typed wrappers of our Lua scripts.

coredis 6 runs its connection pool inside an async context (an anyio task group), which must be
entered and left in the same task: a small holder task keeps it open for the life of the process.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from importlib import resources

import coredis
from coredis.commands.script import Script
from coredis.retry import CompositeRetryPolicy, ConstantRetryPolicy

from boxoffice import keys
from boxoffice.config import RateLimit
from boxoffice.infra.pipelining import ScriptCalls

RedisErrors = (coredis.exceptions.ConnectionError, TimeoutError, OSError)


def load_lua(name: str) -> str:
    return resources.files("boxoffice.infra").joinpath("lua", f"{name}.lua").read_text()


CLUSTER_SCHEME = "redis-cluster://"
# A pooled connection that died with a restarted Redis fails at once: send again on a fresh one. A
# command that timed out is not resent (coredis would by default, three times the timeout in all).
RESEND_ON = (coredis.exceptions.ConnectionError,)


def cluster_nodes(url: str) -> list[tuple[str, int]]:
    """`redis-cluster://host:port,host:port,...` -> [(host, port), ...] (the startup nodes)."""
    nodes = []
    for part in url.removeprefix(CLUSTER_SCHEME).split("/")[0].split(","):
        host, _, port = part.strip().rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"{url!r}: expected redis-cluster://host:port[,host:port...]")
        nodes.append((host.strip("[]"), int(port)))
    return nodes


def connect(url: str, *, max_connections: int | None = None, stream_timeout: float = 5.0) -> coredis.Redis:
    """A client for `redis://...` (one server) or `redis-cluster://h:p,h:p,...` (a Redis Cluster:
    commands go to the node owning their key's slot; scripts to the node of their keys' hash tag)."""
    options = {"max_connections": max_connections} if max_connections else {}
    if url.startswith(CLUSTER_SCHEME):
        return coredis.RedisCluster(  # type: ignore[return-value]
            startup_nodes=[{"host": h, "port": p} for h, p in cluster_nodes(url)],
            decode_responses=True,
            connect_timeout=1.0,
            stream_timeout=stream_timeout,
            **options,
            retry_policy=CompositeRetryPolicy(
                ConstantRetryPolicy((coredis.exceptions.ClusterDownError,), retries=2, delay=0.1),
                ConstantRetryPolicy(RESEND_ON, retries=2, delay=0.1),
            ),
        )
    return coredis.Redis.from_url(
        url,
        decode_responses=True,
        connect_timeout=1.0,
        stream_timeout=stream_timeout,
        retry_policy=ConstantRetryPolicy(RESEND_ON, retries=2, delay=0.01),
        **options,
    )


class RedisClient:
    """Owns one coredis client; `start()` in before_server_start, `stop()` in after_server_stop."""

    def __init__(self, url: str, *, max_connections: int | None = None, stream_timeout: float = 5.0):
        self.client: coredis.Redis = connect(url, max_connections=max_connections, stream_timeout=stream_timeout)
        self._stop = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        ready = asyncio.Event()
        self._task = asyncio.create_task(self._hold(ready), name="redis-pool")
        await ready.wait()

    async def _hold(self, ready: asyncio.Event) -> None:
        async with self.client:
            ready.set()
            await self._stop.wait()

    async def stop(self) -> None:
        self._stop.set()
        if self._task:
            await asyncio.gather(self._task, return_exceptions=True)

    async def ping(self) -> bool:
        try:
            return bool(await self.client.ping())
        except RedisErrors:
            return False


@dataclass(frozen=True, slots=True)
class BucketAnswer:
    allowed: bool
    remaining: int
    retry_ms: int  # until the refused request would pass
    full_ms: int  # until the bucket is full again


class TokenBucket:
    """Typed wrapper of lua/token_bucket.lua."""

    def __init__(self, redis: coredis.Redis):
        self._script: Script = redis.register_script(load_lua("token_bucket"))
        self._calls = ScriptCalls(redis)

    async def take(self, group: str, identity: str, limit: RateLimit) -> BucketAnswer:
        allowed, remaining, retry_ms, full_ms = await self._calls(
            self._script,
            keys.rate_limit_bucket(group, identity),
            [limit.replenish_rate, limit.burst_capacity, limit.requested_tokens],
        )
        return BucketAnswer(bool(allowed), int(remaining), int(retry_ms), int(full_ms))


def use_redis(app, config) -> None:
    """Open the shared Redis client before serving and close it after."""
    from boxoffice.services.common.factory import add_ready_check

    app.ctx.redis = RedisClient(config.redis_url)

    @app.before_server_start
    async def open_redis(app) -> None:
        await app.ctx.redis.start()
        app.ext.dependency(app.ctx.redis)

    @app.after_server_stop
    async def close_redis(app) -> None:
        await app.ctx.redis.stop()

    add_ready_check(app, "redis", app.ctx.redis.ping)
