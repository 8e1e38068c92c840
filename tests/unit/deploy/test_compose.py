"""deploy/ without a Docker engine: compose.yml parses, names only pinned images and paths that
exist, runs every service with replicas, and uses exactly the settings the code reads; the
Dockerfiles are pinned and copy what exists; nginx.conf is the template's current rendering and
passes `nginx -t`."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from boxoffice.config import Config
from boxoffice.stack import SERVICES
from boxoffice.stack.nginx import render_compose_config

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
CONFIG_NAMES = {f"BOXOFFICE_{f.name.upper()}" for f in fields(Config)}
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?][^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yml").read_text())


def env_example() -> dict[str, str]:
    pairs = [
        line.split("=", 1)
        for line in (DEPLOY / ".env.example").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return {name.strip(): value for name, value in pairs}


def test_compose_runs_the_whole_system_with_a_replica_count_per_service(compose):
    services = compose["services"]
    assert {"postgres", "redis", "elasticsearch", "kibana", "nginx", "migrate", *SERVICES} <= services.keys()
    assert services["kibana"]["profiles"] == ["kibana"]
    for name in SERVICES:
        assert services[name]["deploy"]["replicas"] >= 1
        command = services[name]["command"]
        assert command[:3] == ["boxoffice", "serve", name] and command[command.index("--host") + 1] == "0.0.0.0"
    assert "boxoffice migrate" in " ".join(services["migrate"]["command"])
    for name in SERVICES:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_every_image_is_pinned_to_a_version_and_the_engines_are_the_promised_ones(compose):
    images = {name: s["image"] for name, s in compose["services"].items() if "image" in s}
    for name, image in images.items():
        repository, _, tag = image.rpartition(":")
        assert repository and tag and tag != "latest" and re.search(r"\d", tag), f"{name}: {image}"
    assert images["postgres"].startswith("postgres:16.") and images["redis"].startswith("redis:7.")
    assert images["elasticsearch"].endswith(":8.15.5") and images["kibana"].endswith(":8.15.5")
    for dockerfile in DEPLOY.glob("*Dockerfile"):
        for line in dockerfile.read_text().splitlines():
            if line.startswith("FROM "):
                image = line.split()[1]
                assert ":" in image and not image.endswith(":latest"), f"{dockerfile.name}: {line}"


def test_every_build_context_dockerfile_copied_path_and_mounted_path_exists(compose):
    for name, service in compose["services"].items():
        if "build" in service:
            context = (DEPLOY / service["build"]["context"]).resolve()
            dockerfile = context / service["build"]["dockerfile"]
            assert dockerfile.is_file(), f"{name}: {dockerfile}"
            for line in dockerfile.read_text().splitlines():
                if line.startswith("COPY ") and "--from" not in line:
                    for source in line.split()[1:-1]:
                        assert (context / source).exists(), f"{dockerfile.name}: {source}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), f"{name}: {source}"
        for env_file in service.get("env_file", []):
            if isinstance(env_file, str) or env_file.get("required", True):
                assert (DEPLOY / (env_file if isinstance(env_file, str) else env_file["path"])).is_file()
    assert (ROOT / "backend" / "es-plugin" / "pom.xml").is_file()
    assert "elasticsearch-plugin install" in (DEPLOY / "elasticsearch.Dockerfile").read_text()


def test_compose_and_the_env_example_use_exactly_settings_the_services_read(compose):
    used = set()
    for service in compose["services"].values():
        used |= {n for n in (service.get("environment") or {}) if n.startswith("BOXOFFICE_")}
    example = env_example()
    used |= {n for n in example if n.startswith("BOXOFFICE_")}
    assert used <= CONFIG_NAMES, sorted(used - CONFIG_NAMES)
    text = (DEPLOY / "compose.yml").read_text()
    for name, default in VARIABLE.findall(text):
        assert name in example or default.startswith((":-", "-")), (
            f"${{{name}}} is neither in .env.example nor defaulted"
        )


def test_the_env_example_offers_every_setting_of_the_readme_table(compose):
    readme = (ROOT / "README.md").read_text()
    table = [line for line in readme.splitlines() if line.startswith("| `BOXOFFICE_")]
    named = {n for line in table for n in re.findall(r"BOXOFFICE_[A-Z0-9_]+", line)}
    wanted = named & CONFIG_NAMES
    offered = set(env_example()) | set(compose["x-app"]["environment"])
    assert wanted and wanted <= offered, sorted(wanted - offered)


def test_deploy_nginx_conf_is_the_current_rendering_of_the_template():
    template = (ROOT / "nginx" / "nginx.conf.template").read_text()
    assert (DEPLOY / "nginx.conf").read_text() == render_compose_config(template), (
        "run: python -m boxoffice.stack.nginx --compose deploy/nginx.conf"
    )


def test_deploy_nginx_conf_passes_nginx_t_with_the_compose_names_mapped_to_this_machine(tmp_path, compose):
    """Inside compose `gateway` resolves to the gateway replicas; here it does not resolve at all, so
    the upstream host is mapped to loopback after checking it names a compose service on the port it
    serves. The image's paths are mapped into a scratch directory with a fresh certificate."""
    conf = (DEPLOY / "nginx.conf").read_text()
    upstreams = re.findall(r"server ([a-z0-9-]+):(\d+)", conf)
    assert upstreams
    for host, port in upstreams:
        assert compose["services"][host]["command"][-1] == port
        conf = conf.replace(f"server {host}:{port}", f"server 127.0.0.1:{port}")
    for mounted in ("/var/cache/nginx", "/var/log/nginx", "/etc/nginx/tls", "/srv/boxoffice/static"):
        (tmp_path / mounted.strip("/")).mkdir(parents=True, exist_ok=True)
        conf = conf.replace(mounted, str(tmp_path / mounted.strip("/")))
    conf = conf.replace("/var/run/nginx.pid", str(tmp_path / "nginx.pid"))
    tls = tmp_path / "etc/nginx/tls"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(tls / "server.key"),
            "-out",
            str(tls / "server.crt"),
        ],
        check=True,
        capture_output=True,
    )
    (tmp_path / "nginx.conf").write_text(conf)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    checked = subprocess.run(
        [nginx, "-t", "-p", f"{tmp_path}/", "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
