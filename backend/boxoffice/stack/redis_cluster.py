"""A real three-primary Redis Cluster on loopback ports, for `Stack(..., redis_cluster=True)`.

Node i listens on ports.redis + i (its cluster bus on that + BUS_SHIFT, not Redis's default + 10000,
which lands test stacks in Linux's ephemeral port range where an outgoing connection may already
hold it) with its data and nodes.conf in
var/<stack>/redis/<port>/. The cluster is made once with `redis-cli --cluster create`; a restart of
the same nodes finds it again in their nodes.conf. The services reach it through
`redis-cluster://127.0.0.1:p0,127.0.0.1:p1,127.0.0.1:p2` (see boxoffice.infra.redis.connect).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from typing import TYPE_CHECKING

from boxoffice.stack.core import (
    REDIS_TIMEOUT,
    StackError,
    _fail,
    _pid_of,
    _port_open,
    _redis_command,
    _redis_ping,
    _terminate,
    _wait_for,
    progress,
)

if TYPE_CHECKING:
    from boxoffice.stack.core import Stack

NODES = 3
BUS_SHIFT = 300  # cluster bus port = node port + 300: clear of every other port a stack uses


def node_ports(stack: Stack) -> list[int]:
    return [stack.ports.redis + i for i in range(NODES)]


def cluster_url(stack: Stack) -> str:
    return "redis-cluster://" + ",".join(f"127.0.0.1:{p}" for p in node_ports(stack))


def _pid(stack: Stack, port: int) -> int | None:
    return _pid_of(stack._pidfile(f"redis-{port}"), "redis-server")


def cluster_ok(port: int) -> bool:
    try:
        return b"cluster_state:ok" in _redis_command(port, "CLUSTER", "INFO")
    except OSError:
        return False


def running(stack: Stack) -> bool:
    return all(_pid(stack, p) and _redis_ping(p) and cluster_ok(p) for p in node_ports(stack))


def start(stack: Stack) -> None:
    stack._prepare()
    if running(stack):
        progress(f"Redis Cluster already running on {', '.join(map(str, node_ports(stack)))}")
        return
    t0 = time.monotonic()
    progress(f"starting a Redis Cluster on 127.0.0.1:{', '.join(map(str, node_ports(stack)))} ...")
    for port in node_ports(stack):
        if not (_pid(stack, port) and _redis_ping(port)):
            _start_node(stack, port)
    if not cluster_ok(node_ports(stack)[0]):
        _create(stack)
    logs = [stack._log(f"redis-{p}") for p in node_ports(stack)]
    _wait_for(
        lambda: all(cluster_ok(p) for p in node_ports(stack)), timeout=REDIS_TIMEOUT, what="Redis Cluster", logs=logs
    )
    progress(f"Redis Cluster ready in {time.monotonic() - t0:.1f} s")


def _start_node(stack: Stack, port: int) -> None:
    if _port_open(port):
        raise StackError(f"Redis Cluster: port {port} is taken by another process")
    data = stack.redis_dir / str(port)
    data.mkdir(parents=True, exist_ok=True)
    log = stack._log(f"redis-{port}")
    conf = data / "redis.conf"
    conf.write_text(
        "\n".join(
            [
                "# written by boxoffice.stack on every start",
                "bind 127.0.0.1",
                "protected-mode yes",
                f"port {port}",
                "daemonize yes",
                f"pidfile {stack._pidfile(f'redis-{port}')}",
                f"logfile {log}",
                f"dir {data}",
                "cluster-enabled yes",
                f"cluster-port {port + BUS_SHIFT}",
                "cluster-config-file nodes.conf",
                "cluster-node-timeout 5000",
                "maxclients 10000",
                'save ""',
                "appendonly no",
            ]
        )
        + "\n"
    )
    server = shutil.which("redis-server") or "/usr/bin/redis-server"
    out = subprocess.run([server, str(conf)], capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise _fail(f"Redis Cluster node {port}", [log], f"redis-server failed: {out.stdout} {out.stderr}")
    _wait_for(lambda: _redis_ping(port), timeout=REDIS_TIMEOUT, what=f"Redis Cluster node {port}", logs=[log])


def _create(stack: Stack) -> None:
    cli = shutil.which("redis-cli") or "/usr/bin/redis-cli"
    nodes = [f"127.0.0.1:{p}" for p in node_ports(stack)]
    out = subprocess.run(
        [cli, "--cluster", "create", *nodes, "--cluster-replicas", "0", "--cluster-yes"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if out.returncode != 0:
        raise StackError(f"redis-cli --cluster create failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")


def reset(stack: Stack) -> None:
    """Empty every primary (the cluster stays formed)."""
    for port in node_ports(stack):
        reply = _redis_command(port, "FLUSHALL")
        if not reply.startswith(b"+OK"):
            raise StackError(f"Redis Cluster node {port}: FLUSHALL failed: {reply!r}")


def stop(stack: Stack) -> None:
    pids = [(p, pid) for p in node_ports(stack) if (pid := _pid(stack, p))]
    if not pids:
        return
    progress("stopping the Redis Cluster ...")
    for port, pid in pids:
        _terminate(pid, what=f"Redis Cluster node {port}", timeout=30)
