"""`boxoffice`: run the stack or one service, migrate, seed, manage the search index, the outbox
and jobs, regenerate the API reference."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from pathlib import Path

from boxoffice.config import Config

SERVICES = ("gateway", "events", "booking", "search")
ROOT = Path(__file__).resolve().parents[2]


def serve(args: argparse.Namespace) -> None:
    module = importlib.import_module(f"boxoffice.services.{args.service}.app")
    app = module.create_app(Config.from_env())
    # A deep accept queue: an on-sale storm opens thousands of connections at once, and with Sanic's
    # default of 100 the kernel drops SYNs that are retried 1, 3, 7, 15 s later (the tail of the storm).
    app.run(host=args.host, port=args.port, single_process=True, access_log=False, motd=False, backlog=4096)


def migrate(args: argparse.Namespace) -> None:
    from boxoffice.commands.migrate import upgrade

    applied = asyncio.run(upgrade(Config.from_env().database_url))
    print(f"migrations applied: {', '.join(applied) if applied else 'none (up to date)'}")


def seed(args: argparse.Namespace) -> None:
    from boxoffice.commands.seed import seed as run_seed

    asyncio.run(run_seed(Config.from_env(), size=args.size))


def index(args: argparse.Namespace) -> None:
    from boxoffice.commands import index as index_commands

    asyncio.run(getattr(index_commands, args.action)(Config.from_env()))


def outbox(args: argparse.Namespace) -> None:
    from boxoffice.commands import outbox as outbox_commands
    from boxoffice.errors import BoxOfficeError

    config = Config.from_env()
    try:
        if args.action == "list":
            asyncio.run(outbox_commands.list_rows(config, status=args.status, limit=args.limit))
        else:
            if (args.id is None) == (not args.all_dead):
                sys.exit("outbox requeue: give a row ID or --all-dead")
            asyncio.run(outbox_commands.requeue(config, row_id=args.id, all_dead=args.all_dead))
    except BoxOfficeError as exc:
        sys.exit(f"outbox {args.action}: {exc.detail}")


def jobs(args: argparse.Namespace) -> None:
    from boxoffice.commands import jobs as job_commands
    from boxoffice.errors import BoxOfficeError

    config = Config.from_env()
    try:
        if args.action == "list":
            asyncio.run(job_commands.list_jobs(config, status=args.status, limit=args.limit))
        else:
            if (args.id is None) == (not args.all_dead):
                sys.exit("jobs requeue: give a job ID or --all-dead")
            asyncio.run(job_commands.requeue(config, job_id=args.id, all_dead=args.all_dead))
    except BoxOfficeError as exc:
        sys.exit(f"jobs {args.action}: {exc.detail}")


def docs(args: argparse.Namespace) -> None:
    from boxoffice.commands import docs as docs_commands

    current = docs_commands.api(check=args.check)
    if args.check and not current:
        sys.exit("docs/API.md is out of date: run `boxoffice docs api`")
    print("docs/API.md " + ("is current" if current else "regenerated"))


def stack(args: argparse.Namespace) -> None:
    from boxoffice.stack import commands

    if args.command == "up":
        commands.up(ROOT, instances=args.instances, seed=not args.no_seed, redis_cluster=args.redis_cluster)
    elif args.command == "down":
        commands.down(ROOT)
    else:
        commands.status(ROOT)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="boxoffice", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run one service in the foreground")
    s.add_argument("service", choices=SERVICES)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, required=True)
    s.set_defaults(func=serve)
    sub.add_parser("migrate", help="apply aerich migrations").set_defaults(func=migrate)
    s = sub.add_parser("seed", help="load demo accounts, venues, events and sales")
    s.add_argument("--size", default="small", help="small, medium, or a number of events (e.g. 100000)")
    s.set_defaults(func=seed)
    s = sub.add_parser("index", help="the search index: ensure (create if missing) or reindex (rebuild, swap alias)")
    s.add_argument("action", choices=("ensure", "reindex"))
    s.set_defaults(func=index)
    s = sub.add_parser("outbox", help="the outbox: list rows (e.g. --status dead), re-queue dead rows")
    outbox_sub = s.add_subparsers(dest="action", required=True)
    o = outbox_sub.add_parser("list", help="rows oldest first, one JSON object a line")
    o.add_argument("--status", choices=("pending", "delivered", "dead"))
    o.add_argument("--limit", type=int, default=100)
    o = outbox_sub.add_parser("requeue", help="dead rows back to pending with fresh attempts")
    o.add_argument("id", nargs="?", type=int)
    o.add_argument("--all-dead", action="store_true")
    s.set_defaults(func=outbox)
    s = sub.add_parser("jobs", help="durable jobs (e.g. refunds of a cancelled event): list, re-queue dead ones")
    jobs_sub = s.add_subparsers(dest="action", required=True)
    j = jobs_sub.add_parser("list", help="jobs oldest first, one JSON object a line")
    j.add_argument("--status", choices=("pending", "done", "dead"))
    j.add_argument("--limit", type=int, default=100)
    j = jobs_sub.add_parser("requeue", help="dead jobs back to pending with fresh attempts")
    j.add_argument("id", nargs="?", type=int)
    j.add_argument("--all-dead", action="store_true")
    s.set_defaults(func=jobs)
    s = sub.add_parser("docs", help="regenerate the endpoint and problem tables of docs/API.md from the code")
    s.add_argument("what", choices=("api",))
    s.add_argument("--check", action="store_true", help="change nothing; fail if the tables are out of date")
    s.set_defaults(func=docs)
    s = sub.add_parser("up", help="install what is missing, start everything, load demo data")
    s.add_argument("--instances", type=int, default=1)
    s.add_argument("--redis-cluster", action="store_true", help="Redis as a three-primary cluster (ports 6380-6382)")
    s.add_argument("--no-seed", action="store_true")
    s.set_defaults(func=stack)
    sub.add_parser("down", help="stop what `up` started").set_defaults(func=stack)
    sub.add_parser("status", help="what is running").set_defaults(func=stack)
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main(sys.argv[1:])
