#!/usr/bin/env bash
# Checks the boxoffice analysis plugin on a running Elasticsearch that has it installed.
#
#   backend/es-plugin/check.sh <ES_URL>        e.g. backend/es-plugin/check.sh http://127.0.0.1:9200
#
# Calls _analyze with each boxoffice_* filter, then creates a scratch index with analysis.json as its
# settings.analysis, analyzes with each analyzer, indexes one document and searches it. Prints
# "N passed, M failed"; exits 1 when anything failed. Needs curl and python3.
set -uo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 <ES_URL>" >&2; exit 2; }
ES=${1%/}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
INDEX="boxoffice-es-plugin-check-$$"
passed=0
failed=0

cleanup() { curl -s -o /dev/null -X DELETE "$ES/$INDEX" || true; }
trap cleanup EXIT

# req METHOD PATH [JSON_BODY] -> prints the response body; returns 1 on a non-2xx status
req() {
    local out status
    out=$(curl -sS -w '\n%{http_code}' -X "$1" -H 'Content-Type: application/json' \
        ${3:+--data-binary "$3"} "$ES$2") || return 1
    status=${out##*$'\n'}
    printf '%s' "${out%$'\n'*}"
    [[ $status == 2* ]]
}

ok()   { passed=$((passed + 1)); printf 'ok    %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$1"; [[ -n "${2:-}" ]] && printf '      %s\n' "$2"; }

# expect_tokens LABEL PATH BODY EXPECTED...   (EXPECTED: the tokens in order)
expect_tokens() {
    local label=$1 path=$2 body=$3; shift 3
    local expected="$*" resp got
    if ! resp=$(req POST "$path" "$body"); then
        fail "$label" "POST $path failed: $resp"
        return
    fi
    got=$(printf '%s' "$resp" | python3 -c 'import json,sys; print(" ".join(t["token"] for t in json.load(sys.stdin)["tokens"]))')
    if [[ "$got" == "$expected" ]]; then
        ok "$label -> $got"
    else
        fail "$label" "expected tokens [$expected], got [$got]"
    fi
}

# analyze_filter LABEL FILTER_JSON TEXT EXPECTED...
analyze_filter() {
    local label=$1 filter=$2 text=$3; shift 3
    expect_tokens "$label" /_analyze \
        "{\"tokenizer\":\"standard\",\"filter\":[\"lowercase\",$filter],\"text\":$(printf '%s' "$text" | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')}" \
        "$@"
}

if ! health=$(req GET /_cluster/health); then
    echo "Elasticsearch at $ES is not answering /_cluster/health: $health" >&2
    exit 1
fi

echo "== filters"
analyze_filter "boxoffice_ascii_folding: Beyoncé" '"boxoffice_ascii_folding"' "Beyoncé" beyonce
analyze_filter "boxoffice_ascii_folding: Motörhead" '"boxoffice_ascii_folding"' "Motörhead" motorhead
analyze_filter "boxoffice_ascii_folding preserve_original" \
    '{"type":"boxoffice_ascii_folding","preserve_original":true}' "Beyoncé" beyonce beyoncé
analyze_filter "boxoffice_english_possessive: Taylor's" '"boxoffice_english_possessive"' "Taylor's" taylor
analyze_filter "boxoffice_english_possessive: Taylor’s (U+2019)" '"boxoffice_english_possessive"' "Taylor’s" taylor
analyze_filter "boxoffice_english_stem: concerts" '"boxoffice_english_stem"' "concerts" concert
analyze_filter "boxoffice_english_stem: concert" '"boxoffice_english_stem"' "concert" concert
analyze_filter "boxoffice_edge_ngram: swift" '"boxoffice_edge_ngram"' "swift" sw swi swif swift
analyze_filter "boxoffice_edge_ngram min_gram=3 max_gram=4" \
    '{"type":"boxoffice_edge_ngram","min_gram":3,"max_gram":4}' "swift" swi swif

echo "== analyzers from analysis.json (index $INDEX)"
settings=$(python3 - "$HERE/analysis.json" <<'PY'
import json, sys
analysis = json.load(open(sys.argv[1]))
print(json.dumps({
    "settings": {"number_of_shards": 1, "number_of_replicas": 0, "analysis": analysis},
    "mappings": {"properties": {"title": {
        "type": "text", "analyzer": "boxoffice_text",
        "fields": {
            "folded": {"type": "text", "analyzer": "boxoffice_folded"},
            "prefix": {"type": "text", "analyzer": "boxoffice_prefix", "search_analyzer": "boxoffice_folded"},
        },
    }}},
}))
PY
)
if resp=$(req PUT "/$INDEX" "$settings"); then
    ok "create index with analysis.json"
    expect_tokens "boxoffice_text: Motörhead's Concerts" "/$INDEX/_analyze" \
        '{"analyzer":"boxoffice_text","text":"Motörhead'"'"'s Concerts"}' motorhead concert
    expect_tokens "boxoffice_folded: Beyoncé's Concerts" "/$INDEX/_analyze" \
        '{"analyzer":"boxoffice_folded","text":"Beyoncé'"'"'s Concerts"}' "beyonce's" concerts
    expect_tokens "boxoffice_prefix: Swift" "/$INDEX/_analyze" \
        '{"analyzer":"boxoffice_prefix","text":"Swift"}' sw swi swif swift

    # end to end: index one title, find it by folded/stemmed words and by a typed prefix
    if req PUT "/$INDEX/_doc/1?refresh=true" '{"title":"Beyoncé'"'"'s Concerts"}' >/dev/null; then
        for q in 'title:beyonce concert' 'title.prefix:beyo' "title.folded:BEYONCÉ'S concerts"; do
            field=${q%%:*} text=${q#*:}
            hits=$(req POST "/$INDEX/_search" "{\"query\":{\"match\":{\"$field\":{\"query\":\"$text\",\"operator\":\"and\"}}}}" \
                | python3 -c 'import json,sys; print(json.load(sys.stdin)["hits"]["total"]["value"])' 2>/dev/null)
            if [[ "$hits" == 1 ]]; then ok "search $field \"$text\" finds \"Beyoncé's Concerts\""
            else fail "search $field \"$text\"" "expected 1 hit, got ${hits:-an error}"; fi
        done
    else
        fail "index a document into $INDEX"
    fi
else
    fail "create index with analysis.json" "$resp"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
