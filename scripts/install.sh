#!/usr/bin/env bash
# Installs everything boxoffice needs on a Debian 12 machine, as root. Idempotent: a second run
# only checks (a few seconds).
#
#   scripts/install.sh                        install / check
#   scripts/install.sh --update-constraints   re-resolve pyproject's deps into constraints.txt
#
# Env: BOXOFFICE_PYTHON  interpreter for .venv (default: python3 from PATH if >= 3.11, else /usr/bin/python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ES_VERSION=8.15.5
ES_HOME="$ROOT/.cache/elasticsearch-$ES_VERSION"
SERVICE_USER=boxoffice
APT_PACKAGES=(postgresql redis-server nginx openjdk-17-jre-headless maven chromium fonts-liberation openssl unzip curl python3-venv wrk)

START=$(date +%s.%N)
step() { printf '==> %s\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi
}

pick_python() {
  local cand
  for cand in "${BOXOFFICE_PYTHON:-}" python3 /usr/bin/python3; do
    [[ -n "$cand" ]] || continue
    command -v "$cand" >/dev/null 2>&1 || continue
    if "$cand" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$cand"; return 0
    fi
  done
  die "no Python >= 3.11 with the venv module found (set BOXOFFICE_PYTHON)"
}

# --- constraints.txt regeneration ------------------------------------------------------------------
if [[ "${1:-}" == "--update-constraints" ]]; then
  PY="$(pick_python)"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  step "resolving pyproject.toml dependencies (incl. [test]) in a fresh venv"
  "$PY" -m venv "$tmp/venv"
  "$tmp/venv/bin/pip" install -q --progress-bar off -e "$ROOT[test]"  # editable: leaves no build/ behind
  {
    echo "# Pinned versions of every dependency (incl. the test extra). Regenerate: scripts/install.sh --update-constraints"
    "$tmp/venv/bin/pip" freeze --all --exclude-editable | grep -Eiv "^(boxoffice|pip)[= @]"
  } > "$ROOT/constraints.txt"
  step "wrote constraints.txt ($(grep -vc '^#' constraints.txt) pins)"
  exit 0
fi

# --- Debian packages -------------------------------------------------------------------------------
step "Debian packages"
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  note "installing: ${missing[*]}"
  # Don't let the package create and start a 'main' PostgreSQL cluster on 5432 (our dev port), and
  # don't let package scripts start daemons we don't use.
  if ! dpkg -s postgresql-common >/dev/null 2>&1; then
    as_root mkdir -p /etc/postgresql-common
    [[ -e /etc/postgresql-common/createcluster.conf ]] ||
      echo "create_main_cluster = false" | as_root tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  policy_added=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q
  as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
  ((policy_added)) && as_root rm -f /usr/sbin/policy-rc.d
else
  note "all present"
fi

# --- service user ----------------------------------------------------------------------------------
step "system user $SERVICE_USER"
if ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
  as_root useradd --system --user-group --home-dir /var/lib/$SERVICE_USER --create-home \
    --shell /usr/sbin/nologin "$SERVICE_USER"
  note "created"
else
  note "exists"
fi
# PostgreSQL and Elasticsearch run as $SERVICE_USER on files inside the repo, and nginx workers
# (www-data) read frontend/static: every directory above the repo must be traversable (o+x only).
d="$ROOT"
while [[ "$d" != "/" ]]; do
  d="$(dirname "$d")"
  if ! runuser -u "$SERVICE_USER" -- test -x "$d" 2>/dev/null; then
    as_root chmod o+x "$d"
    note "chmod o+x $d (so $SERVICE_USER and nginx workers can reach the repo)"
  fi
done

# --- Elasticsearch ---------------------------------------------------------------------------------
step "Elasticsearch $ES_VERSION"
if [[ ! -x "$ES_HOME/bin/elasticsearch" ]]; then
  mkdir -p "$ROOT/.cache"
  zip="$ROOT/.cache/elasticsearch-$ES_VERSION.zip"
  if [[ ! -s "$zip" ]]; then
    note "downloading from Maven Central (org.elasticsearch.distribution.integ-test-zip)"
    (cd "$ROOT/.cache" && mvn -q -B -Dstyle.color=never dependency:copy \
      -Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip \
      -DoutputDirectory="$ROOT/.cache")
  fi
  note "unpacking"
  tmpdir="$(mktemp -d "$ROOT/.cache/unzip.XXXXXX")"
  unzip -q "$zip" -d "$tmpdir"
  rm -rf "$ES_HOME"
  mv "$tmpdir/elasticsearch-$ES_VERSION" "$ES_HOME"
  rm -rf "$tmpdir" "$zip"
  chown -R "$SERVICE_USER:$SERVICE_USER" "$ES_HOME"
else
  note "present in .cache/elasticsearch-$ES_VERSION"
fi

# Our analysis plugin: (re)installed when scripts/es-plugin.sh or the plugin's sources change.
if [[ -f "$ROOT/scripts/es-plugin.sh" ]]; then
  plugin_hash="$( { cat "$ROOT/scripts/es-plugin.sh";
                    if [[ -d "$ROOT/backend/es-plugin" ]]; then
                      find "$ROOT/backend/es-plugin" -path '*/target' -prune -o -type f -print0 |
                        sort -z | xargs -0 -r sha256sum; fi; } | sha256sum | cut -c1-64)"
  stamp="$ES_HOME/.boxoffice-plugin-stamp"
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$plugin_hash" ]]; then
    step "Elasticsearch plugin (scripts/es-plugin.sh)"
    bash "$ROOT/scripts/es-plugin.sh" "$ES_HOME"
    chown -R "$SERVICE_USER:$SERVICE_USER" "$ES_HOME"
    echo "$plugin_hash" > "$stamp"
  else
    note "plugin up to date"
  fi
fi

# --- Python virtualenv -----------------------------------------------------------------------------
step "Python virtualenv .venv"
PY="$(pick_python)"
want="$( { cat pyproject.toml constraints.txt; "$PY" -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-64)"
stamp="$ROOT/.venv/.boxoffice-install-stamp"
if [[ -x "$ROOT/.venv/bin/boxoffice" && "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
  note "up to date"
else
  if [[ ! -x "$ROOT/.venv/bin/python" ]] || ! "$ROOT/.venv/bin/python" -c 'import sys' 2>/dev/null; then
    rm -rf "$ROOT/.venv"
    note "creating with $PY ($("$PY" -c 'import platform; print(platform.python_version())'))"
    "$PY" -m venv "$ROOT/.venv"
  fi
  note "pip install -c constraints.txt -e .[test]"
  "$ROOT/.venv/bin/pip" install --progress-bar off -c constraints.txt -e '.[test]'
  echo "$want" > "$stamp"
fi

# --- browser-test tools from npm (axe-core) ------------------------------------------------------
step "npm packages for the browser tests (tests/e2e/package-lock.json)"
if ! command -v npm >/dev/null 2>&1; then
  note "installing Debian's nodejs and npm"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends nodejs npm
fi
want="$(sha256sum tests/e2e/package-lock.json | cut -c1-64)"
stamp="$ROOT/tests/e2e/node_modules/.boxoffice-install-stamp"
if [[ "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
  note "up to date"
else
  npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

awk -v s="$START" -v e="$(date +%s.%N)" 'BEGIN { printf "==> install done in %.1f s\n", e - s }' >&2
