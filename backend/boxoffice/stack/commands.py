"""`boxoffice up / down / status`: the development stack (var/dev, default ports).

cli.py wires these to subcommands, e.g. `up --instances N --no-seed`, `down`, `status`;
`root` is normally `boxoffice.stack.default_root()`.
"""

from __future__ import annotations

import time
from pathlib import Path

from boxoffice.stack.core import Ports, Stack, StackError, progress

DEV_NAME = "dev"
DEMO_PASSWORD = "boxoffice-demo"
DEMO_LOGINS = ("organizer@example.com", "buyer@example.com")


def dev_stack(
    root: Path | str, instances: int = 1, env_overrides: dict[str, str] | None = None, *, redis_cluster: bool = False
) -> Stack:
    return Stack(
        Path(root),
        DEV_NAME,
        Ports(),
        instances=instances,
        env_overrides=env_overrides,
        test=False,
        redis_cluster=redis_cluster,
    )


def up(
    root: Path | str,
    instances: int = 1,
    seed: bool = True,
    env_overrides: dict[str, str] | None = None,
    *,
    redis_cluster: bool = False,
) -> Stack:
    """Start (or reuse) the whole dev stack, migrate, ensure the search index, seed demo data
    (`redis_cluster`: Redis as a three-primary cluster on ports 6380-6382)."""
    t0 = time.monotonic()
    stack = dev_stack(root, instances, env_overrides, redis_cluster=redis_cluster)
    # Elasticsearch boots in the background (20-40 s) while PostgreSQL, Redis and migrations run.
    stack.launch_elasticsearch()
    stack.start_postgres()
    stack.start_redis()
    stack.run_cli("migrate", echo=True)
    stack.wait_elasticsearch()
    stack.run_cli("index", "ensure", echo=True)
    # Restart services that run an older version of the code; reuse is only for infrastructure.
    stack.stop_services()
    stack.start_services()
    stack.start_nginx()
    if seed:
        stack.run_cli("seed", echo=True)
    p = stack.ports
    print(
        f"\nboxoffice is up ({time.monotonic() - t0:.0f} s, {instances} instance(s) of each service):\n"
        f"  https://localhost:{p.https}/   (self-signed certificate)\n"
        f"  http://localhost:{p.http}/\n"
        f"  demo logins: {' / '.join(DEMO_LOGINS)}, password {DEMO_PASSWORD}\n"
        f"  logs: {stack.log_dir}   stop: scripts/down.sh\n"
    )
    return stack


def down(root: Path | str) -> None:
    """Stop every process of the dev stack (by its pid files). Data in var/dev stays."""
    stack = dev_stack(root)
    stack.stop()
    progress("dev stack stopped")


def status(root: Path | str) -> bool:
    """Print one line per process of the dev stack; True when everything is up."""
    stack = dev_stack(root)
    rows = stack.describe()
    for name, pid, address, ok in rows:
        print(f"{name:<15} {'up' if ok else 'down':<5} {str(pid or '-'):>8}  {address}")
    return all(ok for *_, ok in rows)


__all__ = ["up", "down", "status", "dev_stack", "StackError"]
