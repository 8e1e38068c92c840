#!/usr/bin/env python3
"""Benchmark: a no-op authenticated request through nginx -> gateway -> booking, against the same
endpoint hit directly on the booking service, in one run. Prints requests/s, p50/p99 and the ratio.

Starts its own stack (ports shifted by --offset, generous rate limits so the bucket is exercised but
never refuses), drives it with wrk (C, so the load generator does not eat the machine's 2 cores the
way a Python client would), and stops the stack unless --keep.

    .venv/bin/python scripts/bench_gateway.py [--seconds 10] [--connections 64]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


WRK_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.3f %.3f %.3f %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.mean, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def wrk(url: str, headers: dict[str, str], seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_LUA)
    cmd = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "-s", script.name, "--latency"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    requests, duration_us, p50, p99, mean, bad_status, socket_errors = re.search(r"RESULT (.*)", out).group(1).split()
    return {
        "rps": int(requests) / (int(duration_us) / 1e6),
        "p50_ms": float(p50) / 1000,
        "p99_ms": float(p99) / 1000,
        "mean_ms": float(mean) / 1000,
        "non_2xx": int(bad_status),
        "socket_errors": int(socket_errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--offset", type=int, default=12000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: scripts/install.sh installs it")

    from boxoffice.stack.testing import bench_env, start_test_stack, stop_test_stack

    stack = start_test_stack(ROOT, offset=args.offset, env_overrides=bench_env())
    try:
        nginx = f"http://127.0.0.1:{stack.ports.http}"
        email = "bench@example.com"
        httpx.post(f"{nginx}/api/auth/register", json={"email": email, "password": "bench password", "name": "Bench"})
        token = httpx.post(f"{nginx}/api/auth/token", json={"email": email, "password": "bench password"}).json()[
            "access_token"
        ]
        user_id = httpx.get(f"{nginx}/api/me", headers={"Authorization": f"Bearer {token}"}).json()["id"]
        secret = stack.service_env()["BOXOFFICE_INTERNAL_SECRET"]
        direct_headers = {"X-Boxoffice-Internal": secret, "X-User-Id": user_id, "X-User-Roles": "buyer"}
        paths = {
            "direct (booking)": (f"http://127.0.0.1:{stack.ports.booking}/api/booking/noop", direct_headers),
            "gateway (no nginx)": (
                f"http://127.0.0.1:{stack.ports.gateway}/api/booking/noop",
                {"Authorization": f"Bearer {token}"},
            ),
            "nginx -> gateway -> booking": (f"{nginx}/api/booking/noop", {"Authorization": f"Bearer {token}"}),
        }
        for url, headers in paths.values():  # warm up connections and caches
            wrk(url, headers, 2, args.connections)
        results = {name: wrk(url, headers, args.seconds, args.connections) for name, (url, headers) in paths.items()}
    finally:
        if not args.keep:
            stop_test_stack(stack)

    print(f"\nno-op authenticated GET, {args.connections} connections, {args.seconds} s each, wrk 1 thread\n")
    print(f"{'path':32} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} {'errors':>7}")
    for name, r in results.items():
        print(
            f"{name:32} {r['rps']:9.0f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} {r['non_2xx']:8d} {r['socket_errors']:7d}"
        )
    direct = results["direct (booking)"]["rps"]
    full = results["nginx -> gateway -> booking"]["rps"]
    print(f"\nratio full path / direct: {full / direct:.2f} (target >= 0.50)")


if __name__ == "__main__":
    main()
