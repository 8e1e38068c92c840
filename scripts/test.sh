#!/usr/bin/env bash
# Install what is missing, then run pytest (args are passed on). The test session starts its own
# stack on ports shifted by BOXOFFICE_TEST_PORT_OFFSET (default 20000); BOXOFFICE_KEEP_STACK=1 leaves
# it running. The exit code is pytest's (5 = no tests collected is a failure too).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/install.sh
exec .venv/bin/python -m pytest "$@"
