"""Ports, and a Stack: one set of PostgreSQL, Redis, Elasticsearch, services and nginx under var/<name>.

Every process writes its pid to var/<name>/run (PostgreSQL: its own postmaster.pid) and logs to
var/<name>/log; `stop()` stops exactly those. Starting something that already runs (pid alive and
port answering) reuses it. Every wait is bounded and fails with the tail of the process's log.
PostgreSQL and Elasticsearch run as the system user `boxoffice` when we are root.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path

SERVICES = ("gateway", "events", "booking", "search")
ES_VERSION = "8.15.5"
SERVICE_USER = "boxoffice"
DEFAULT_JAVA_HOME = "/usr/lib/jvm/java-17-openjdk-amd64"

PG_TIMEOUT = 30.0
REDIS_TIMEOUT = 30.0
ES_TIMEOUT = 120.0
SERVICE_TIMEOUT = 30.0
NGINX_TIMEOUT = 30.0


class StackError(RuntimeError):
    """A process of the stack failed to start or stop; the message includes the tail of its log."""


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def default_root() -> Path:
    """The repository root: $BOXOFFICE_ROOT, else the checkout this package lives in, else cwd's."""
    if os.environ.get("BOXOFFICE_ROOT"):
        return Path(os.environ["BOXOFFICE_ROOT"]).resolve()
    candidates = [Path(__file__).resolve().parents[3], *Path.cwd().resolve().parents, Path.cwd().resolve()]
    for c in candidates:
        if (c / "pyproject.toml").is_file() and (c / "backend" / "boxoffice").is_dir():
            return c
    raise StackError("cannot find the boxoffice repository root (set BOXOFFICE_ROOT)")


@dataclass(frozen=True)
class Ports:
    http: int = 8000
    https: int = 8443
    gateway: int = 8080
    events: int = 8081
    booking: int = 8082
    search: int = 8083
    postgres: int = 5432
    redis: int = 6380
    es_http: int = 9200
    es_transport: int = 9300

    def shifted(self, offset: int) -> Ports:
        return Ports(**{f.name: getattr(self, f.name) + offset for f in fields(self)})

    def service(self, name: str, instance: int = 0) -> int:
        """Port of instance `instance` of service `name` (port + 100 * instance)."""
        if name not in SERVICES:
            raise ValueError(f"unknown service {name!r}")
        return getattr(self, name) + 100 * instance


# --- small process / network helpers -------------------------------------------------------------


def _port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _http_get(port: int, path: str, timeout: float = 2.0) -> tuple[int, bytes] | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int | None) -> bool:
    if not pid or pid <= 0:
        return False
    try:  # reap it if it is our own exited child
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return True


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _pid_of(path: Path, marker: str) -> int | None:
    """The pid in `path` if that process is alive and its command line contains `marker`;
    a stale pid file is removed."""
    pid = _read_pid(path)
    if pid and _alive(pid) and marker in _cmdline(pid):
        return pid
    if path.exists() and path.name != "postmaster.pid":
        try:
            path.unlink()
        except OSError:
            pass
    return None


def _tail(path: Path, lines: int = 40) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 64 * 1024))
            text = f.read().decode(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:]) or f"(empty log {path})"


def _fail(what: str, logs: Iterable[Path], reason: str) -> StackError:
    parts = [f"{what}: {reason}"]
    for log in logs:
        parts.append(f"--- last lines of {log} ---\n{_tail(log)}")
    return StackError("\n".join(parts))


def _wait_for(
    ready: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    logs: Iterable[Path],
    proc: subprocess.Popen | None = None,
    pid_alive: Callable[[], bool] | None = None,
    interval: float = 0.2,
) -> float:
    """Poll `ready` until true; fail early if the process died. Returns seconds waited."""
    start = time.monotonic()
    logs = list(logs)
    while True:
        if ready():
            return time.monotonic() - start
        if proc is not None and proc.poll() is not None and proc.returncode != 0:
            raise _fail(what, logs, f"process exited with status {proc.returncode}")
        if pid_alive is not None and not pid_alive():
            raise _fail(what, logs, "process died")
        if time.monotonic() - start > timeout:
            raise _fail(what, logs, f"not ready after {timeout:.0f} s")
        time.sleep(interval)


def _terminate(pid: int, *, what: str, timeout: float = 30.0, sig: int = signal.SIGTERM, group: bool = False) -> None:
    def send(s: int) -> None:
        try:
            if group and os.getpgid(pid) == pid:
                os.killpg(pid, s)
            else:
                os.kill(pid, s)
        except ProcessLookupError:
            pass

    send(sig)
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            progress(f"{what} (pid {pid}) did not stop in {timeout:.0f} s: killing it")
            send(signal.SIGKILL)
            end = time.monotonic() + 5
            while _alive(pid) and time.monotonic() < end:
                time.sleep(0.1)
            return
        time.sleep(0.1)


def _redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _redis_command(port: int, *args: str) -> bytes:
    payload = f"*{len(args)}\r\n".encode() + b"".join(
        f"${len(a.encode())}\r\n".encode() + a.encode() + b"\r\n" for a in args
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10.0) as s:
        s.sendall(payload)
        return s.recv(4096)


# --- the stack -----------------------------------------------------------------------------------


class Stack:
    """One local stack under <root>/var/<name>.

    `test` (default: name starts with "test") selects the test profile: BOXOFFICE_ENV=test, no
    fsync in PostgreSQL, no Redis persistence (unless `durable_redis`), a smaller Elasticsearch heap.
    """

    def __init__(
        self,
        root: Path | str,
        name: str,
        ports: Ports | None = None,
        instances: int = 1,
        env_overrides: dict[str, str] | None = None,
        *,
        test: bool | None = None,
        es_home: Path | None = None,
        redis_cluster: bool = False,
        durable_redis: bool | None = None,
    ):
        if instances < 1:
            raise ValueError("instances must be >= 1")
        self.root = Path(root).resolve()
        self.name = name
        self.ports = ports or Ports()
        self.instances = instances
        self.redis_cluster = redis_cluster  # three primaries on ports.redis + 0..2 (stack/redis_cluster.py)
        self.env_overrides = {k: str(v) for k, v in (env_overrides or {}).items()}
        self.test = name.startswith("test") if test is None else test
        self.durable_redis = not self.test if durable_redis is None else durable_redis  # append-only file
        self.var = self.root / "var" / name
        self.es_home = Path(es_home) if es_home else self.root / ".cache" / f"elasticsearch-{ES_VERSION}"
        self._procs: dict[str, subprocess.Popen] = {}
        self._es_launcher: subprocess.Popen | None = None
        self._es_started_at = 0.0

    def __repr__(self) -> str:
        return f"Stack({self.name!r}, root={str(self.root)!r}, instances={self.instances})"

    # paths
    @property
    def log_dir(self) -> Path:
        return self.var / "log"

    @property
    def run_dir(self) -> Path:
        return self.var / "run"

    @property
    def pg_dir(self) -> Path:
        return self.var / "pg"

    @property
    def redis_dir(self) -> Path:
        return self.var / "redis"

    @property
    def es_dir(self) -> Path:
        return self.var / "es"

    @property
    def nginx_dir(self) -> Path:
        return self.var / "nginx"

    @property
    def tls_dir(self) -> Path:
        return self.var / "tls"

    @property
    def pg_socket_dir(self) -> Path:
        d = self.run_dir / "pg"
        if len(str(d)) + len("/.s.PGSQL.65535.lock") > 100:  # unix socket paths are limited to 107 bytes
            digest = hashlib.sha1(str(self.var).encode()).hexdigest()[:12]
            d = Path("/tmp") / f"boxoffice-pg-{digest}"
        return d

    @property
    def database_url(self) -> str:
        return f"postgres://{SERVICE_USER}@127.0.0.1:{self.ports.postgres}/boxoffice"

    @property
    def redis_url(self) -> str:
        if self.redis_cluster:
            from boxoffice.stack import redis_cluster

            return redis_cluster.cluster_url(self)
        return f"redis://127.0.0.1:{self.ports.redis}/0"

    @property
    def elasticsearch_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.es_http}"

    def service_urls(self, service: str) -> str:
        return ",".join(f"http://127.0.0.1:{self.ports.service(service, i)}" for i in range(self.instances))

    def service_env(self, *, include_os_environ: bool = True) -> dict[str, str]:
        """Environment for the services and the CLI (the process environment plus ours on top)."""
        env = dict(os.environ) if include_os_environ else {}
        env.update(
            {
                "BOXOFFICE_ENV": "test" if self.test else "development",
                "BOXOFFICE_DATABASE_URL": self.database_url,
                "BOXOFFICE_REDIS_URL": self.redis_url,
                "BOXOFFICE_ELASTICSEARCH_URL": self.elasticsearch_url,
                "BOXOFFICE_EVENTS_URLS": self.service_urls("events"),
                "BOXOFFICE_BOOKING_URLS": self.service_urls("booking"),
                "BOXOFFICE_SEARCH_URLS": self.service_urls("search"),
                "BOXOFFICE_STACK_NAME": self.name,
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.secrets())
        env.update(self.env_overrides)
        return env

    def secrets(self) -> dict[str, str]:
        """This stack's own JWT and internal secrets, made once and kept in var/<name>/secrets.json."""
        path = self.var / "secrets.json"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            made = {
                "BOXOFFICE_JWT_SECRET": secrets.token_urlsafe(48),
                "BOXOFFICE_INTERNAL_SECRET": secrets.token_urlsafe(48),
            }
            path.write_text(json.dumps(made))
            path.chmod(0o600)
        return json.loads(path.read_text())

    # users and directories
    @staticmethod
    def _is_root() -> bool:
        return os.geteuid() == 0

    def _service_user(self) -> pwd.struct_passwd | None:
        if not self._is_root():
            return None
        try:
            return pwd.getpwnam(SERVICE_USER)
        except KeyError:
            raise StackError(f"system user {SERVICE_USER!r} is missing: run scripts/install.sh") from None

    def _as_user(self, cmd: list[str]) -> list[str]:
        return ["runuser", "-u", SERVICE_USER, "--", *cmd] if self._is_root() else cmd

    def _chown(self, path: Path, recursive: bool = False) -> None:
        user = self._service_user()
        if user is None:
            return
        os.chown(path, user.pw_uid, user.pw_gid)
        if recursive and path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                for n in dirnames + filenames:
                    os.lchown(os.path.join(dirpath, n), user.pw_uid, user.pw_gid)

    def _prepare(self) -> None:
        for d in (self.var, self.log_dir, self.run_dir):
            d.mkdir(parents=True, exist_ok=True)
        if self._is_root():
            self._service_user()
            # boxoffice writes pid files, sockets and logs here too (root can write anywhere)
            self._chown(self.log_dir)
            self._chown(self.run_dir)
            self._ensure_traversable()

    def _ensure_traversable(self) -> None:
        """The service user and nginx workers must be able to reach files inside the repo."""
        for d in [*reversed(self.var.parents), self.var]:
            if not d.exists():
                continue
            mode = d.stat().st_mode
            if not mode & stat.S_IXOTH:
                os.chmod(d, mode | stat.S_IXOTH)
                progress(f"chmod o+x {d} (so {SERVICE_USER} and nginx workers can reach the repo)")

    def _log(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def _pidfile(self, name: str) -> Path:
        return self.run_dir / f"{name}.pid"

    def _user_log(self, name: str) -> Path:
        """A log file the service user may append to."""
        path = self._log(name)
        path.touch(exist_ok=True)
        self._chown(path)
        return path

    # ---------------------------------------------------------------- PostgreSQL
    def _pg_bin(self, tool: str) -> str:
        version_file = self.pg_dir / "PG_VERSION"
        if version_file.exists():
            exact = Path(f"/usr/lib/postgresql/{version_file.read_text().strip()}/bin/{tool}")
            if exact.exists():
                return str(exact)
        found = sorted(
            Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"),
            key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
        )
        if found:
            return str(found[-1])
        if shutil.which(tool):
            return shutil.which(tool)  # type: ignore[return-value]
        raise StackError(f"PostgreSQL's {tool} not found: run scripts/install.sh")

    def _pg_pid(self) -> int | None:
        return _pid_of(self.pg_dir / "postmaster.pid", "postgres")

    def postgres_running(self) -> bool:
        return bool(self._pg_pid()) and _port_open(self.ports.postgres)

    def _psql(self, sql: str, database: str = "postgres") -> str:
        out = subprocess.run(
            [
                self._pg_bin("psql"),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.ports.postgres),
                "-U",
                SERVICE_USER,
                "-d",
                database,
                "-tAc",
                sql,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PGCONNECT_TIMEOUT": "5"},
        )
        if out.returncode != 0:
            raise StackError(f"psql failed ({sql}): {out.stderr.strip()}")
        return out.stdout.strip()

    def _pg_config(self) -> str:
        lines = [
            "# written by boxoffice.stack on every start",
            "listen_addresses = '127.0.0.1'",
            f"port = {self.ports.postgres}",
            f"unix_socket_directories = '{self.pg_socket_dir}'",
            "max_connections = 200",
            "shared_buffers = 128MB",
            "timezone = 'UTC'",
            "log_timezone = 'UTC'",
            "logging_collector = off",
            "log_line_prefix = '%m [%p] %q%u@%d '",
        ]
        if self.test:
            lines += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        return "\n".join(lines) + "\n"

    def start_postgres(self) -> None:
        self._prepare()
        log = self._user_log("postgres")
        if self.postgres_running():
            progress(f"PostgreSQL already running on 127.0.0.1:{self.ports.postgres}")
            self._ensure_database()
            return
        if _port_open(self.ports.postgres):
            raise StackError(f"PostgreSQL: port {self.ports.postgres} is taken by another process")
        t0 = time.monotonic()
        progress(f"starting PostgreSQL on 127.0.0.1:{self.ports.postgres} ...")
        if not (self.pg_dir / "PG_VERSION").exists():
            if self.pg_dir.exists():
                shutil.rmtree(self.pg_dir)
            self.pg_dir.mkdir(parents=True)
            self._chown(self.pg_dir)
            cmd = [
                self._pg_bin("initdb"),
                "-D",
                str(self.pg_dir),
                "-U",
                SERVICE_USER,
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--auth-local=trust",
                "--auth-host=trust",
            ]
            if self.test:
                cmd.append("--no-sync")
            out = subprocess.run(self._as_user(cmd), capture_output=True, text=True, cwd=self.var, timeout=120)
            if out.returncode != 0:
                raise StackError(f"PostgreSQL initdb failed:\n{out.stdout}\n{out.stderr}")
            with open(self.pg_dir / "postgresql.conf", "a") as f:
                f.write("\ninclude_if_exists = 'boxoffice.conf'\n")
        self._clear_stale_postmaster_pid()
        conf = self.pg_dir / "boxoffice.conf"
        conf.write_text(self._pg_config())
        self._chown(conf)
        sock = self.pg_socket_dir
        sock.mkdir(parents=True, exist_ok=True)
        self._chown(sock)
        cmd = [
            self._pg_bin("pg_ctl"),
            "-D",
            str(self.pg_dir),
            "-l",
            str(log),
            "-w",
            "-t",
            str(int(PG_TIMEOUT)),
            "start",
        ]
        out = subprocess.run(self._as_user(cmd), capture_output=True, text=True, cwd=self.var, timeout=PG_TIMEOUT + 15)
        if out.returncode != 0:
            raise _fail("PostgreSQL", [log], f"pg_ctl start failed: {out.stdout.strip()} {out.stderr.strip()}")
        _wait_for(lambda: _port_open(self.ports.postgres), timeout=PG_TIMEOUT, what="PostgreSQL", logs=[log])
        self._ensure_database()
        progress(f"PostgreSQL ready in {time.monotonic() - t0:.1f} s")

    def _clear_stale_postmaster_pid(self) -> None:
        """After a crash (postmaster killed), postmaster.pid stays; PostgreSQL refuses to start while
        that pid exists, even as an unreaped zombie. Once no process of the cluster is left (they all
        have the data directory as cwd), the file is removed."""
        sock_lock = self.pg_socket_dir / f".s.PGSQL.{self.ports.postgres}.lock"
        sock_pid = _read_pid(sock_lock)
        if sock_lock.exists() and not (sock_pid and _alive(sock_pid)):
            sock_lock.unlink(missing_ok=True)
            (self.pg_socket_dir / f".s.PGSQL.{self.ports.postgres}").unlink(missing_ok=True)
        lock = self.pg_dir / "postmaster.pid"
        pid = _read_pid(lock)
        if not lock.exists() or (pid and _alive(pid)):
            return

        def leftovers() -> list[int]:
            found = []
            for proc in Path("/proc").iterdir():
                if proc.name.isdigit() and _alive(int(proc.name)):
                    try:
                        if os.readlink(proc / "cwd") == str(self.pg_dir):
                            found.append(int(proc.name))
                    except OSError:
                        pass
            return found

        deadline = time.monotonic() + 15
        while (left := leftovers()) and time.monotonic() < deadline:
            time.sleep(0.2)
        if left:
            raise StackError(f"PostgreSQL: processes {left} of a crashed server still use {self.pg_dir}")
        progress(f"PostgreSQL: removing stale {lock} (pid {pid} is gone)")
        lock.unlink(missing_ok=True)

    def _ensure_database(self) -> None:
        if self._psql("SELECT 1 FROM pg_database WHERE datname = 'boxoffice'") != "1":
            self._psql("CREATE DATABASE boxoffice")

    def reset_postgres(self) -> None:
        """Drop and recreate the database (the server keeps running)."""
        self._psql("DROP DATABASE IF EXISTS boxoffice WITH (FORCE)")
        self._psql("CREATE DATABASE boxoffice")

    def stop_postgres(self) -> None:
        pid = self._pg_pid()
        if not pid:
            return
        t0 = time.monotonic()
        progress("stopping PostgreSQL ...")
        out = subprocess.run(
            self._as_user([self._pg_bin("pg_ctl"), "-D", str(self.pg_dir), "-m", "fast", "-w", "-t", "30", "stop"]),
            capture_output=True,
            text=True,
            cwd=self.var,
            timeout=60,
        )
        if out.returncode != 0 and _alive(pid):
            _terminate(pid, what="PostgreSQL", timeout=10, sig=signal.SIGQUIT)
        progress(f"PostgreSQL stopped in {time.monotonic() - t0:.1f} s")

    # ---------------------------------------------------------------- Redis
    def _redis_pid(self) -> int | None:
        return _pid_of(self._pidfile("redis"), "redis-server")

    def redis_running(self) -> bool:
        if self.redis_cluster:
            from boxoffice.stack import redis_cluster

            return redis_cluster.running(self)
        return bool(self._redis_pid()) and _redis_ping(self.ports.redis)

    def start_redis(self) -> None:
        if self.redis_cluster:
            from boxoffice.stack import redis_cluster

            return redis_cluster.start(self)
        self._prepare()
        if self.redis_running():
            progress(f"Redis already running on 127.0.0.1:{self.ports.redis}")
            return
        if _port_open(self.ports.redis):
            raise StackError(f"Redis: port {self.ports.redis} is taken by another process")
        t0 = time.monotonic()
        progress(f"starting Redis on 127.0.0.1:{self.ports.redis} ...")
        self.redis_dir.mkdir(parents=True, exist_ok=True)
        log = self._log("redis")
        persistence = (
            ['save ""', "appendonly yes", "appendfsync everysec"]
            if self.durable_redis
            else ['save ""', "appendonly no"]
        )
        conf = self.redis_dir / "redis.conf"
        conf.write_text(
            "\n".join(
                [
                    "# written by boxoffice.stack on every start",
                    "bind 127.0.0.1",
                    "protected-mode yes",
                    f"port {self.ports.redis}",
                    "daemonize yes",
                    f"pidfile {self._pidfile('redis')}",
                    f"logfile {log}",
                    f"dir {self.redis_dir}",
                    "databases 16",
                    "maxclients 10000",
                    *persistence,
                ]
            )
            + "\n"
        )
        redis_server = shutil.which("redis-server") or "/usr/bin/redis-server"
        out = subprocess.run([redis_server, str(conf)], capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise _fail("Redis", [log], f"redis-server failed: {out.stdout.strip()} {out.stderr.strip()}")
        _wait_for(lambda: _redis_ping(self.ports.redis), timeout=REDIS_TIMEOUT, what="Redis", logs=[log])
        progress(f"Redis ready in {time.monotonic() - t0:.1f} s")

    def reset_redis(self) -> None:
        if self.redis_cluster:
            from boxoffice.stack import redis_cluster

            return redis_cluster.reset(self)
        reply = _redis_command(self.ports.redis, "FLUSHALL")
        if not reply.startswith(b"+OK"):
            raise StackError(f"Redis FLUSHALL failed: {reply!r}")

    def stop_redis(self) -> None:
        from boxoffice.stack import redis_cluster

        redis_cluster.stop(self)  # cluster nodes this stack left running, if any
        pid = self._redis_pid()
        if not pid:
            return
        t0 = time.monotonic()
        progress("stopping Redis ...")
        _terminate(pid, what="Redis", timeout=30)
        progress(f"Redis stopped in {time.monotonic() - t0:.1f} s")

    # ---------------------------------------------------------------- Elasticsearch
    def _es_pid(self) -> int | None:
        return _pid_of(self._pidfile("elasticsearch"), "java")

    def _es_processes(self) -> list[int]:
        """Every live process (launcher or node) running with our ES_PATH_CONF: also finds a node
        that is still booting and has not written its pid file yet."""
        marker = f"ES_PATH_CONF={self.es_dir / 'config'}".encode()
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                if marker in (proc / "environ").read_bytes().split(b"\0") and _alive(int(proc.name)):
                    found.append(int(proc.name))
            except OSError:
                continue
        pid = self._es_pid()
        if pid and pid not in found:
            found.append(pid)
        return found

    def _es_health(self) -> bool:
        got = _http_get(self.ports.es_http, "/_cluster/health", timeout=3.0)
        if not got or got[0] != 200:
            return False
        try:
            return json.loads(got[1]).get("status") in ("green", "yellow")
        except ValueError:
            return False

    def elasticsearch_running(self) -> bool:
        return bool(self._es_pid()) and self._es_health()

    def _es_java_home(self) -> str:
        java_home = os.environ.get("BOXOFFICE_ES_JAVA_HOME", DEFAULT_JAVA_HOME)
        if not Path(java_home, "bin", "java").exists():
            raise StackError(f"Java 17 not found at {java_home}: run scripts/install.sh")
        return java_home

    def _es_cluster_log(self) -> Path:
        return self.es_dir / "logs" / f"boxoffice-{self.name}.log"

    def launch_elasticsearch(self) -> None:
        """Start Elasticsearch without waiting for it (see wait_elasticsearch)."""
        self._prepare()
        if self.elasticsearch_running():
            progress(f"Elasticsearch already running on 127.0.0.1:{self.ports.es_http}")
            self._es_launcher = None
            return
        if self._es_processes():  # alive but not answering yet (still booting): wait for it
            progress(f"Elasticsearch on 127.0.0.1:{self.ports.es_http} is booting: waiting for it")
            self._es_started_at = time.monotonic()
            return
        for port in (self.ports.es_http, self.ports.es_transport):
            if _port_open(port):
                raise StackError(f"Elasticsearch: port {port} is taken by another process")
        launcher = self.es_home / "bin" / "elasticsearch"
        if not launcher.exists():
            raise StackError(f"Elasticsearch not found at {self.es_home}: run scripts/install.sh")
        progress(f"starting Elasticsearch on 127.0.0.1:{self.ports.es_http} ...")
        self._es_started_at = time.monotonic()
        config = self.es_dir / "config"
        if not (config / "jvm.options").exists():
            shutil.copytree(self.es_home / "config", config, dirs_exist_ok=True)
        for sub in ("data", "logs"):
            (self.es_dir / sub).mkdir(parents=True, exist_ok=True)
        (config / "jvm.options.d").mkdir(exist_ok=True)
        (config / "elasticsearch.yml").write_text(
            "\n".join(
                [
                    "# written by boxoffice.stack on every start",
                    f"cluster.name: boxoffice-{self.name}",
                    f"node.name: {self.name}",
                    f"path.data: {self.es_dir / 'data'}",
                    f"path.logs: {self.es_dir / 'logs'}",
                    "network.host: 127.0.0.1",
                    f"http.port: {self.ports.es_http}",
                    f"transport.port: {self.ports.es_transport}",
                    "discovery.type: single-node",
                    "xpack.security.enabled: false",
                    "cluster.routing.allocation.disk.threshold_enabled: false",
                    "action.destructive_requires_name: false",
                ]
            )
            + "\n"
        )
        heap = "384m" if self.test else "512m"
        (config / "jvm.options.d" / "boxoffice.options").write_text(f"-Xms{heap}\n-Xmx{heap}\n")
        self._chown(self.es_dir, recursive=True)
        env = {**os.environ, "ES_JAVA_HOME": self._es_java_home(), "ES_PATH_CONF": str(config)}
        env.pop("JAVA_HOME", None)
        log = self._user_log("elasticsearch")
        with open(log, "ab") as out:
            self._es_launcher = subprocess.Popen(
                self._as_user([str(launcher), "-d", "-p", str(self._pidfile("elasticsearch"))]),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.var,
                env=env,
                start_new_session=True,
            )

    def wait_elasticsearch(self, timeout: float = ES_TIMEOUT) -> None:
        if self._es_launcher is None and not self._es_started_at:
            if not self.elasticsearch_running():
                raise StackError("Elasticsearch was not started")
            return
        launcher = self._es_launcher
        logs = [self._log("elasticsearch"), self._es_cluster_log()]
        try:
            _wait_for(
                self._es_health,
                timeout=timeout,
                what="Elasticsearch",
                logs=logs,
                proc=launcher,
                pid_alive=lambda: (launcher is not None and launcher.poll() is None) or bool(self._es_processes()),
                interval=0.5,
            )
        finally:
            self._es_launcher = None
        if launcher is not None:
            try:
                launcher.wait(timeout=30)  # the -d launcher exits once the node is up
            except subprocess.TimeoutExpired:
                pass
        progress(f"Elasticsearch ready in {time.monotonic() - self._es_started_at:.1f} s")
        self._es_started_at = 0.0

    def start_elasticsearch(self) -> None:
        self.launch_elasticsearch()
        self.wait_elasticsearch()

    def reset_elasticsearch(self) -> None:
        """Delete every non-system index (the node keeps running)."""
        got = _http_get(self.ports.es_http, "/_cat/indices?h=index&expand_wildcards=all&format=json", 10.0)
        if not got or got[0] != 200:
            raise StackError(f"Elasticsearch: cannot list indices: {got!r}")
        names = [i["index"] for i in json.loads(got[1]) if not i["index"].startswith(".")]
        for name in names:
            conn = http.client.HTTPConnection("127.0.0.1", self.ports.es_http, timeout=30)
            try:
                conn.request("DELETE", f"/{name}")
                resp = conn.getresponse()
                body = resp.read()
                if resp.status not in (200, 404):
                    raise StackError(f"Elasticsearch: deleting {name} failed: {resp.status} {body[:300]!r}")
            finally:
                conn.close()

    def stop_elasticsearch(self) -> None:
        launcher, self._es_launcher = self._es_launcher, None
        self._es_started_at = 0.0
        pids = self._es_processes()
        if launcher is not None and launcher.poll() is None:
            pids.append(launcher.pid)
        if not pids:
            return
        t0 = time.monotonic()
        progress("stopping Elasticsearch ...")
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for pid in pids:
            _terminate(pid, what="Elasticsearch", timeout=60)
        if launcher is not None:
            launcher.poll()
        progress(f"Elasticsearch stopped in {time.monotonic() - t0:.1f} s")

    # ---------------------------------------------------------------- services
    def _service_keys(self) -> list[tuple[str, int, str]]:
        return [(svc, i, f"{svc}-{i}") for svc in SERVICES for i in range(self.instances)]

    def _service_pid(self, key: str) -> int | None:
        return _pid_of(self._pidfile(key), "boxoffice")

    def _service_healthy(self, port: int) -> bool:
        got = _http_get(port, "/healthz", timeout=2.0)
        return bool(got) and got[0] == 200

    def start_services(self) -> None:
        self._prepare()
        exe = self.root / ".venv" / "bin" / "boxoffice"
        if not exe.exists():
            raise StackError(f"{exe} not found: run scripts/install.sh")
        env = self.service_env()
        t0 = time.monotonic()
        pending: list[tuple[str, int, subprocess.Popen]] = []
        for svc, i, key in self._service_keys():
            port = self.ports.service(svc, i)
            pid = self._service_pid(key)
            if pid and self._service_healthy(port):
                continue
            if pid:  # ours but not answering: restart it
                _terminate(pid, what=key, timeout=10, group=True)
            if _port_open(port):
                raise StackError(f"{key}: port {port} is taken by another process")
            log = self._log(key)
            with open(log, "ab") as out:
                out.write(f"\n=== {time.strftime('%Y-%m-%dT%H:%M:%S')} starting {key} on port {port}\n".encode())
                out.flush()
                proc = subprocess.Popen(
                    [str(exe), "serve", svc, "--port", str(port)],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    cwd=self.root,
                    env=env,
                    start_new_session=True,
                )
            self._procs[key] = proc
            self._pidfile(key).write_text(f"{proc.pid}\n")
            pending.append((key, port, proc))
        if not pending:
            progress(f"services already running ({len(SERVICES)} x {self.instances})")
            return
        progress(f"starting {', '.join(k for k, _, _ in pending)} ...")
        deadline = time.monotonic() + SERVICE_TIMEOUT
        try:
            for key, port, proc in pending:
                _wait_for(
                    lambda port=port: self._service_healthy(port),
                    timeout=max(1.0, deadline - time.monotonic()),
                    what=f"service {key} (port {port})",
                    logs=[self._log(key)],
                    proc=proc,
                    pid_alive=lambda proc=proc: proc.poll() is None,
                )
        except StackError:
            for key, _, proc in pending:  # don't leave half a set of services behind
                if proc.poll() is None:
                    _terminate(proc.pid, what=key, timeout=10, group=True)
                self._pidfile(key).unlink(missing_ok=True)
                self._procs.pop(key, None)
            raise
        progress(f"services ready in {time.monotonic() - t0:.1f} s")

    def stop_services(self) -> None:
        pids = [(key, pid) for _, _, key in self._all_service_keys() if (pid := self._service_pid(key))]
        if not pids:
            return
        t0 = time.monotonic()
        progress(f"stopping {', '.join(k for k, _ in pids)} ...")
        for _, pid in pids:
            try:
                os.killpg(pid, signal.SIGTERM) if os.getpgid(pid) == pid else os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for key, pid in pids:
            _terminate(pid, what=key, timeout=15, group=True)
            self._pidfile(key).unlink(missing_ok=True)
            self._procs.pop(key, None)
        progress(f"services stopped in {time.monotonic() - t0:.1f} s")

    def _all_service_keys(self) -> list[tuple[str, int, str]]:
        """Our configured instances plus any other instance whose pid file is present."""
        keys = {k: (s, i, k) for s, i, k in self._service_keys()}
        if self.run_dir.exists():
            for f in self.run_dir.glob("*-*.pid"):
                svc, _, idx = f.stem.rpartition("-")
                if svc in SERVICES and idx.isdigit():
                    keys.setdefault(f.stem, (svc, int(idx), f.stem))
        return list(keys.values())

    # ---------------------------------------------------------------- nginx
    def _nginx_pid(self) -> int | None:
        return _pid_of(self.nginx_dir / "nginx.pid", "nginx")

    def nginx_running(self) -> bool:
        return bool(self._nginx_pid()) and _port_open(self.ports.http)

    def render_nginx(self) -> Path:
        from boxoffice.stack.nginx import render_config

        return render_config(self)

    def start_nginx(self) -> None:
        from boxoffice.stack.nginx import nginx_binary, nginx_cmd

        self._prepare()
        conf = self.render_nginx()
        errlog = self.nginx_dir / "error.log"
        test = subprocess.run([*nginx_cmd(self, conf), "-t", "-q"], capture_output=True, text=True, timeout=30)
        if test.returncode != 0:
            raise StackError(f"nginx: configuration test of {conf} failed:\n{test.stderr.strip()}")
        pid = self._nginx_pid()
        if pid:
            os.kill(pid, signal.SIGHUP)  # reload the freshly rendered config
            _wait_for(lambda: _port_open(self.ports.http), timeout=NGINX_TIMEOUT, what="nginx", logs=[errlog])
            progress(f"nginx already running on :{self.ports.http} / :{self.ports.https} (reloaded)")
            return
        for port in (self.ports.http, self.ports.https):
            if _port_open(port):
                raise StackError(f"nginx: port {port} is taken by another process")
        t0 = time.monotonic()
        progress(f"starting nginx on :{self.ports.http} (HTTP) and :{self.ports.https} (HTTPS) ...")
        out = subprocess.run(nginx_cmd(self, conf), capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            raise _fail("nginx", [errlog], f"{nginx_binary()} failed: {out.stderr.strip()}")
        _wait_for(
            lambda: bool(self._nginx_pid()) and _port_open(self.ports.http) and _port_open(self.ports.https),
            timeout=NGINX_TIMEOUT,
            what="nginx",
            logs=[errlog],
        )
        progress(f"nginx ready in {time.monotonic() - t0:.1f} s")

    def stop_nginx(self) -> None:
        pid = self._nginx_pid()
        if not pid:
            return
        t0 = time.monotonic()
        progress("stopping nginx ...")
        _terminate(pid, what="nginx", timeout=15, sig=signal.SIGQUIT)
        progress(f"nginx stopped in {time.monotonic() - t0:.1f} s")

    # ---------------------------------------------------------------- everything
    def run_cli(self, *args: str, timeout: float = 600.0, echo: bool = False) -> subprocess.CompletedProcess:
        """Run `<root>/.venv/bin/boxoffice <args>` with service_env(); raise with its output on failure."""
        exe = self.root / ".venv" / "bin" / "boxoffice"
        if not exe.exists():
            raise StackError(f"{exe} not found: run scripts/install.sh")
        t0 = time.monotonic()
        try:
            out = subprocess.run(
                [str(exe), *args],
                capture_output=True,
                text=True,
                env=self.service_env(),
                cwd=self.root,
                timeout=timeout,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as e:
            raise StackError(f"`boxoffice {' '.join(args)}` did not finish in {timeout:.0f} s") from e
        if out.returncode != 0:
            tail = "\n".join((out.stdout + "\n" + out.stderr).strip().splitlines()[-60:])
            raise StackError(f"`boxoffice {' '.join(args)}` failed with status {out.returncode}:\n{tail}")
        if echo and out.stdout.strip():
            print(out.stdout.rstrip(), file=sys.stderr)
        progress(f"boxoffice {' '.join(args)}: done in {time.monotonic() - t0:.1f} s")
        return out

    def start(self, *, services: bool = True, nginx: bool = True) -> None:
        """Start everything (Elasticsearch boots while PostgreSQL and Redis start)."""
        self.launch_elasticsearch()
        self.start_postgres()
        self.start_redis()
        self.wait_elasticsearch()
        if services:
            self.start_services()
        if nginx:
            self.start_nginx()

    def stop(self) -> None:
        """Stop what this stack started (by pid files): services, nginx, Elasticsearch, Redis, PostgreSQL."""
        errors = []
        for step in (self.stop_services, self.stop_nginx, self.stop_elasticsearch, self.stop_redis, self.stop_postgres):
            try:
                step()
            except Exception as e:  # keep stopping the rest
                errors.append(f"{step.__name__}: {e}")
        if errors:
            raise StackError("; ".join(errors))

    def running(self) -> dict[str, bool]:
        """Which processes of this stack are up (pid alive and port answering)."""
        state = {
            "postgres": self.postgres_running(),
            "redis": self.redis_running(),
            "elasticsearch": self.elasticsearch_running(),
        }
        for svc, i, key in self._all_service_keys():
            state[key] = bool(self._service_pid(key)) and self._service_healthy(self.ports.service(svc, i))
        state["nginx"] = self.nginx_running()
        return state

    def describe(self) -> list[tuple[str, int | None, str, bool]]:
        """(process, pid, address, up) rows for `boxoffice status`."""
        rows: list[tuple[str, int | None, str, bool]] = [
            ("postgres", self._pg_pid(), f"127.0.0.1:{self.ports.postgres}", self.postgres_running()),
            ("redis", self._redis_pid(), f"127.0.0.1:{self.ports.redis}", self.redis_running()),
            ("elasticsearch", self._es_pid(), f"127.0.0.1:{self.ports.es_http}", self.elasticsearch_running()),
        ]
        for svc, i, key in self._all_service_keys():
            port = self.ports.service(svc, i)
            pid = self._service_pid(key)
            rows.append((key, pid, f"127.0.0.1:{port}", bool(pid) and self._service_healthy(port)))
        rows.append(("nginx", self._nginx_pid(), f":{self.ports.http} :{self.ports.https}", self.nginx_running()))
        return rows

    def wipe(self) -> None:
        """Delete this stack's data (PostgreSQL, Redis, Elasticsearch). Only when nothing runs."""
        for d in (self.pg_dir, self.redis_dir, self.es_dir / "data"):
            if d.exists():
                shutil.rmtree(d)
