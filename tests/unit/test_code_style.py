"""The code keeps one style: ruff's lint rules and its formatter (settings in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUFF = [sys.executable, "-m", "ruff"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*RUFF, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_ruff_finds_nothing_to_lint():
    answer = run("check", "--output-format", "concise", ".")
    assert answer.returncode == 0, answer.stdout + answer.stderr


def test_every_file_is_formatted():
    answer = run("format", "--check", ".")
    assert answer.returncode == 0, answer.stdout + answer.stderr
