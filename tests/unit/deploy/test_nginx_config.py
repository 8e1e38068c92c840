"""The nginx configuration as rendered for each kind of stack and for docker compose: production only
redirects plain HTTP, HSTS over HTTPS (not a year of it on the development stack's localhost),
operators' endpoints answered 404, the strict zone on everything that checks a password."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from boxoffice.stack.core import Ports, Stack
from boxoffice.stack.nginx import nginx_cmd, render_config

ROOT = Path(__file__).resolve().parents[3]
REDIRECT = re.compile(r"if \(\$scheme = http\) \{\s*return 301 https://\$host(:\d+)?\$request_uri;\s*\}")


@pytest.fixture
def rendered():
    """rendered(env) -> the nginx.conf text of a stack whose services run with BOXOFFICE_ENV=env
    (checked with `nginx -t`)."""
    made: list[Stack] = []

    def render(env: str) -> str:
        stack = Stack(
            ROOT,
            f"unit-nginx-{uuid.uuid4().hex[:8]}",
            Ports().shifted(30000),
            env_overrides={"BOXOFFICE_ENV": env},
            test=env != "development",
        )
        made.append(stack)
        conf = render_config(stack)
        checked = subprocess.run([*nginx_cmd(stack, conf), "-t", "-q"], capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0, checked.stderr
        return conf.read_text()

    yield render
    for stack in made:
        shutil.rmtree(stack.var, ignore_errors=True)


def test_production_redirects_plain_http_to_the_same_url_over_https_and_other_stacks_serve_it(rendered):
    production = rendered("production")
    assert REDIRECT.search(production).group(1) == f":{8443 + 30000}"
    for env in ("test", "development"):
        assert not REDIRECT.search(rendered(env))


def test_hsts_is_sent_over_https_only_for_a_year_but_never_pins_the_development_stacks_localhost(rendered):
    for env, max_age in (("production", "31536000"), ("test", "31536000"), ("development", "0")):
        conf = rendered(env)
        assert re.search(
            r'map \$scheme \$strict_transport_security \{\s*https "max-age=' + max_age + r'";\s*default "";', conf
        ), env
        assert "add_header Strict-Transport-Security $strict_transport_security always;" in conf


def test_deploy_nginx_conf_redirects_plain_http_sends_hsts_and_hides_operator_endpoints():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert REDIRECT.search(conf).group(1) == ":8443"  # compose publishes HTTPS on 8443
    assert 'https "max-age=31536000";' in conf
    assert re.search(r"location ~\* \^/\(metrics\|readyz\|docs\)\(/\|\$\) \{\s*return 404;", conf)
    for location in (r"location ~ \^/api/auth/\(token\|register\)/\?\$", r"location ~ \^/\(login\|register\)/\?\$"):
        assert re.search(location + r" \{\s*limit_req zone=credentials ", conf), location


def test_every_location_with_headers_of_its_own_repeats_hsts_and_nosniff():
    """add_header is inherited only by locations that set none: each that does must repeat HSTS."""
    template = (ROOT / "nginx" / "nginx.conf.template").read_text()
    blocks = [chunk.split("\n        }")[0] for chunk in template.split("\n        location ")[1:]]
    with_headers = [b for b in blocks if "add_header" in b]
    assert len(with_headers) >= 6
    for block in with_headers:
        assert "Strict-Transport-Security $strict_transport_security always" in block, block
        assert "X-Content-Type-Options nosniff always" in block, block
