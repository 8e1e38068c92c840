#!/usr/bin/env bash
# Install what is missing, then start the development stack (PostgreSQL, Redis, Elasticsearch, the
# four services, nginx) and seed demo data. Args go to `boxoffice up` (e.g. --instances 2 --no-seed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/install.sh
exec .venv/bin/boxoffice up "$@"
