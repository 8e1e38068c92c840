"""Rendering nginx/nginx.conf.template into var/<stack>/nginx/nginx.conf, and the self-signed TLS cert.

Placeholders in the template are `{{NAME}}`; an unknown or missing one is an error. Rate limits come
from the stack's environment (process env, overridden by the stack's env_overrides):
BOXOFFICE_NGINX_API_RATE (100r/s), BOXOFFICE_NGINX_API_BURST (200), BOXOFFICE_NGINX_AUTH_RATE (5r/s),
BOXOFFICE_NGINX_AUTH_BURST (10), and BOXOFFICE_NGINX_HSTS_MAX_AGE (one year; 0 on a development stack,
whose http://localhost a year of HSTS would break: HSTS binds the host name, not the port).

In production (the stack's BOXOFFICE_ENV, and deploy/nginx.conf) plain HTTP is answered with a redirect
to HTTPS and nothing else.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from boxoffice.stack.core import Stack

NGINX_DEFAULTS = {
    "BOXOFFICE_NGINX_API_RATE": "100r/s",
    "BOXOFFICE_NGINX_API_BURST": "200",
    "BOXOFFICE_NGINX_AUTH_RATE": "5r/s",
    "BOXOFFICE_NGINX_AUTH_BURST": "10",
    "BOXOFFICE_NGINX_HSTS_MAX_AGE": "31536000",
}
_RATE = re.compile(r"^[1-9][0-9]*r/[sm]$")
_PLACEHOLDER = re.compile(r"\{\{([A-Z0-9_]+)\}\}")


def nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_cmd(stack: Stack, conf: Path) -> list[str]:
    return [nginx_binary(), "-p", f"{stack.nginx_dir}/", "-c", str(conf), "-e", str(stack.nginx_dir / "error.log")]


def _setting(stack: Stack, name: str, default: str | None = None) -> str:
    value = stack.env_overrides.get(name, os.environ.get(name, default or NGINX_DEFAULTS[name])).strip()
    if name.endswith("_RATE") and not _RATE.match(value):
        raise ValueError(f"{name}={value!r}: expected like 100r/s or 300r/m")
    if name.endswith(("_BURST", "_MAX_AGE")) and not value.isdigit():
        raise ValueError(f"{name}={value!r}: expected a whole number")
    return value


def stack_env(stack: Stack) -> str:
    """The BOXOFFICE_ENV the stack's services run with (Stack.service_env)."""
    return stack.env_overrides.get("BOXOFFICE_ENV", "test" if stack.test else "development")


def http_redirect(https_port: int) -> str:
    """Production's answer to plain HTTP: the same URL over HTTPS, for every path."""
    port = "" if https_port == 443 else f":{https_port}"
    return (
        "# Production: plain HTTP only redirects to HTTPS.\n"
        f"        if ($scheme = http) {{\n            return 301 https://$host{port}$request_uri;\n        }}"
    )


NO_REDIRECT = "# Not production: plain HTTP is served as well as HTTPS."


def _ipv6_available() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def ensure_tls(stack: Stack) -> tuple[Path, Path]:
    """A self-signed certificate for localhost, made once per stack."""
    stack.tls_dir.mkdir(parents=True, exist_ok=True)
    cert, key = stack.tls_dir / "localhost.crt", stack.tls_dir / "localhost.key"
    if cert.exists() and key.exists():
        return cert, key
    from boxoffice.stack.core import StackError, progress

    progress(f"making a self-signed TLS certificate in {stack.tls_dir}")
    out = subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-sha256",
            "-days",
            "825",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if out.returncode != 0:
        raise StackError(f"openssl failed to make a certificate: {out.stderr.strip()}")
    os.chmod(key, 0o600)
    return cert, key


def _worker_user() -> str:
    if os.geteuid() != 0:
        return ""  # an unprivileged master cannot switch users
    for name in ("www-data", "nobody"):
        try:
            pw = pwd.getpwnam(name)
            return f"user {name} {_group_name(pw.pw_gid)};"
        except KeyError:
            continue
    return ""


def _group_name(gid: int) -> str:
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def render_config(stack: Stack) -> Path:
    template = stack.root / "nginx" / "nginx.conf.template"
    text = template.read_text()
    cert, key = ensure_tls(stack)
    nginx_dir = stack.nginx_dir
    for sub in ("", "temp", "logs"):
        (nginx_dir / sub).mkdir(parents=True, exist_ok=True)
    ipv6 = _ipv6_available()

    def listen(port: int, extra: str = "") -> str:
        lines = [f"listen {port}{extra};"]
        if ipv6:
            lines.append(f"listen [::]:{port}{extra};")
        return "\n        ".join(lines)

    mime = Path("/etc/nginx/mime.types")
    values = {
        "USER_DIRECTIVE": _worker_user(),
        "NGINX_DIR": str(nginx_dir),
        "PID_FILE": str(nginx_dir / "nginx.pid"),
        "ERROR_LOG": str(nginx_dir / "error.log"),
        "ACCESS_LOG": str(nginx_dir / "access.log"),
        "TEMP_DIR": str(nginx_dir / "temp"),
        "MIME_TYPES": f"include {mime};" if mime.exists() else "",
        "HTTP_LISTEN": listen(stack.ports.http),
        "HTTPS_LISTEN": listen(stack.ports.https, " ssl http2"),
        "TLS_CERT": str(cert),
        "TLS_KEY": str(key),
        "STATIC_DIR": str(stack.root / "frontend" / "static") + "/",
        "GATEWAY_SERVERS": "\n        ".join(
            f"server 127.0.0.1:{stack.ports.service('gateway', i)} max_fails=0;" for i in range(stack.instances)
        ),
        "API_RATE": _setting(stack, "BOXOFFICE_NGINX_API_RATE"),
        "API_BURST": _setting(stack, "BOXOFFICE_NGINX_API_BURST"),
        "AUTH_RATE": _setting(stack, "BOXOFFICE_NGINX_AUTH_RATE"),
        "AUTH_BURST": _setting(stack, "BOXOFFICE_NGINX_AUTH_BURST"),
        "HSTS_MAX_AGE": _setting(
            stack, "BOXOFFICE_NGINX_HSTS_MAX_AGE", "0" if stack_env(stack) == "development" else None
        ),
        "HTTP_REDIRECT": http_redirect(stack.ports.https) if stack_env(stack) == "production" else NO_REDIRECT,
        "STACK_NAME": stack.name,
    }
    unknown = sorted(set(_PLACEHOLDER.findall(text)) - set(values))
    if unknown:
        raise ValueError(f"{template}: unknown placeholders {unknown}")
    rendered = _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)
    conf = nginx_dir / "nginx.conf"
    conf.write_text(rendered)
    return conf


# --- deploy/nginx.conf: the same template for docker compose ------------------------------------

COMPOSE_VALUES = {
    "USER_DIRECTIVE": "",
    "NGINX_DIR": "/var/cache/nginx",
    "PID_FILE": "/var/run/nginx.pid",
    "ERROR_LOG": "/var/log/nginx/error.log",
    "ACCESS_LOG": "/var/log/nginx/access.log",
    "TEMP_DIR": "/var/cache/nginx",
    "MIME_TYPES": "include /etc/nginx/mime.types;",
    "HTTP_LISTEN": "listen 8000;",
    "HTTPS_LISTEN": "listen 8443 ssl http2;",
    "TLS_CERT": "/etc/nginx/tls/server.crt",
    "TLS_KEY": "/etc/nginx/tls/server.key",
    "STATIC_DIR": "/srv/boxoffice/static/",
    # compose's DNS answers `gateway` with every replica; nginx balances over them
    "GATEWAY_SERVERS": "server gateway:8080 max_fails=0;",
    "API_RATE": NGINX_DEFAULTS["BOXOFFICE_NGINX_API_RATE"],
    "API_BURST": NGINX_DEFAULTS["BOXOFFICE_NGINX_API_BURST"],
    "AUTH_RATE": NGINX_DEFAULTS["BOXOFFICE_NGINX_AUTH_RATE"],
    "AUTH_BURST": NGINX_DEFAULTS["BOXOFFICE_NGINX_AUTH_BURST"],
    "HSTS_MAX_AGE": NGINX_DEFAULTS["BOXOFFICE_NGINX_HSTS_MAX_AGE"],
    "HTTP_REDIRECT": http_redirect(8443),  # compose publishes HTTPS on 8443 (compose.yml)
    "STACK_NAME": "docker compose (deploy/compose.yml)",
}


def render_compose_config(template: str) -> str:
    """nginx/nginx.conf.template filled in for deploy/compose.yml (paths of the nginx image)."""
    unknown = sorted(set(_PLACEHOLDER.findall(template)) - set(COMPOSE_VALUES))
    if unknown:
        raise ValueError(f"nginx template: placeholders without a compose value {unknown}")
    header = "# GENERATED from nginx/nginx.conf.template by `python -m boxoffice.stack.nginx --compose`; do not edit.\n"
    return header + _PLACEHOLDER.sub(lambda m: COMPOSE_VALUES[m.group(1)], template)


def main(argv: list[str] | None = None) -> None:
    import argparse

    from boxoffice.stack.core import default_root

    parser = argparse.ArgumentParser(prog="python -m boxoffice.stack.nginx")
    parser.add_argument("--compose", metavar="OUT", required=True, help="write the compose nginx.conf here")
    args = parser.parse_args(argv)
    template = (default_root() / "nginx" / "nginx.conf.template").read_text()
    Path(args.compose).write_text(render_compose_config(template))


if __name__ == "__main__":
    main()
