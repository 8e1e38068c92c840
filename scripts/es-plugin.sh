#!/usr/bin/env bash
# Build (if needed) and install (if needed) the boxoffice analysis plugin into an Elasticsearch home.
#
#   scripts/es-plugin.sh <ES_HOME>
#
# - builds backend/es-plugin/target/boxoffice-analysis-<es version>.zip when it is missing or older than
#   backend/es-plugin/{pom.xml,src/}  (mvn -q -B package -DskipTests)
# - installs it offline with <ES_HOME>/bin/elasticsearch-plugin unless the installed plugin's files are
#   byte-identical to the zip's; a different installed version is removed first
# - if run as root, hands the plugin directory back to the owner of ES_HOME (e.g. the `boxoffice` user)
# Idempotent. A running Elasticsearch only sees a (re)installed plugin after a restart.
# Env: ES_JAVA_HOME (default: Debian's Java 17, else the JDK of `java` on PATH), MVN (default: mvn).
set -euo pipefail

PLUGIN_NAME=boxoffice-analysis
ES_VERSION=8.15.5

log() { printf '[es-plugin] %s\n' "$*"; }
die() { printf '[es-plugin] error: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 1 ]] || die "usage: $0 <ES_HOME>"
[[ -d "$1" ]] || die "ES_HOME '$1' is not a directory"
ES_HOME=$(cd "$1" && pwd -P)
[[ -x "$ES_HOME/bin/elasticsearch-plugin" ]] || die "$ES_HOME/bin/elasticsearch-plugin not found"

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
SRC="$REPO/backend/es-plugin"
ZIP="$SRC/target/$PLUGIN_NAME-$ES_VERSION.zip"
INSTALLED="$ES_HOME/plugins/$PLUGIN_NAME"

if [[ -z "${ES_JAVA_HOME:-}" ]]; then
    if [[ -x /usr/lib/jvm/java-17-openjdk-amd64/bin/java ]]; then
        ES_JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
    elif command -v java >/dev/null; then
        ES_JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    else
        die "no Java found: set ES_JAVA_HOME"
    fi
fi
export ES_JAVA_HOME

# ---- build ----------------------------------------------------------------------------------------
if [[ ! -f "$ZIP" ]]; then
    log "building $ZIP (missing)"
    build=1
elif [[ -n "$(find "$SRC/pom.xml" "$SRC/src" -newer "$ZIP" -print -quit)" ]]; then
    log "rebuilding $ZIP (sources changed)"
    build=1
else
    log "zip up to date: $ZIP"
    build=0
fi
if [[ $build == 1 ]]; then
    (cd "$SRC" && JAVA_HOME="${JAVA_HOME:-$ES_JAVA_HOME}" "${MVN:-mvn}" -q -B -Dstyle.color=never package -DskipTests)
    [[ -f "$ZIP" ]] || die "build did not produce $ZIP"
fi

# ---- compare with what is installed -----------------------------------------------------------------
# exit 0 when every file of the zip exists in the installed plugin dir with identical content
same_as_installed() {
    [[ -d "$INSTALLED" ]] || return 1
    python3 - "$ZIP" "$INSTALLED" <<'PY'
import hashlib, pathlib, sys, zipfile
zip_path, plugin_dir = sys.argv[1], pathlib.Path(sys.argv[2])
with zipfile.ZipFile(zip_path) as z:
    for name in z.namelist():
        if name.endswith("/"):
            continue
        target = plugin_dir / name
        if not target.is_file():
            sys.exit(1)
        if hashlib.sha256(z.read(name)).digest() != hashlib.sha256(target.read_bytes()).digest():
            sys.exit(1)
PY
}

if same_as_installed; then
    log "$PLUGIN_NAME already installed in $ES_HOME and identical to the built zip: nothing to do"
    exit 0
fi

# ---- (re)install ------------------------------------------------------------------------------------
owner=$(stat -c %U "$ES_HOME")
group=$(stat -c %G "$ES_HOME")
if [[ $EUID -ne 0 && ! -w "$ES_HOME/plugins" ]]; then
    die "$ES_HOME/plugins is not writable by $(id -un): run as root or as $owner"
fi

if [[ -e "$INSTALLED" ]]; then
    log "installed $PLUGIN_NAME differs from the built zip: removing it"
    if ! "$ES_HOME/bin/elasticsearch-plugin" remove "$PLUGIN_NAME"; then
        log "elasticsearch-plugin remove failed: deleting $INSTALLED by hand"
        rm -rf -- "$INSTALLED"
    fi
fi

log "installing $ZIP into $ES_HOME (ES_JAVA_HOME=$ES_JAVA_HOME)"
"$ES_HOME/bin/elasticsearch-plugin" install --batch "file://$ZIP"

if [[ $EUID -eq 0 && "$owner" != root ]]; then
    log "chown -R $owner:$group $INSTALLED"
    chown -R "$owner:$group" "$INSTALLED"
fi

same_as_installed || die "installed plugin does not match $ZIP after install"
log "installed $PLUGIN_NAME; restart Elasticsearch if it is running"
