#!/usr/bin/env bash
# Stop the development stack (data in var/dev stays).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
exec .venv/bin/boxoffice down "$@"
