#!/usr/bin/env bash
# Builds the fuzz targets and runs each one for N seconds (default 30), one
# after the other, from the committed seeds. Exits non-zero if any target
# crashes, times out or runs out of memory; the failing input is left in
# fuzz/artifacts/<target>/.
#
#   fuzz/smoke.sh [SECONDS] [TARGET...]
#
# Needs the nightly toolchain and cargo-fuzz (cargo install cargo-fuzz).
# New corpus entries go to a scratch folder, not to fuzz/corpus.
set -uo pipefail

secs="${1:-30}"
shift || true
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$root"

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    targets=(geojson csv shapefile pbf config scenarios crs dem)
fi

# Built like production (-O: no debug assertions or overflow checks), once
# for every target: osmpbf sums node deltas unchecked, so with overflow
# checks a corrupt extract aborts every pbf run (our range checks catch the
# wrapped coordinates), and one build keeps CI short. `run.sh` keeps
# cargo-fuzz's checks for every other target in long runs.
start=$(date +%s)
if ! cargo +nightly fuzz build -O; then
    echo "smoke: build failed" >&2
    exit 2
fi
built=$(date +%s)

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
failed=()
for t in "${targets[@]}"; do
    corpus="$scratch/$t"
    mkdir -p "$corpus"
    dict=()
    if [ -f "$here/dicts/$t.dict" ]; then
        dict=("-dict=$here/dicts/$t.dict")
    fi
    echo "smoke: $t for ${secs}s"
    if ! cargo +nightly fuzz run -O "$t" "$corpus" "$here/seeds/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 "${dict[@]}" >"$scratch/$t.log" 2>&1; then
        failed+=("$t")
        echo "smoke: $t FAILED; last lines of its log:" >&2
        tail -n 40 "$scratch/$t.log" >&2
    else
        grep -E '^stat::number_of_executed_units' "$scratch/$t.log" | sed "s/^/smoke: $t /"
    fi
done
end=$(date +%s)
echo "smoke: build $((built - start)) s, runs $((end - built)) s, total $((end - start)) s"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "smoke: failures in: ${failed[*]}" >&2
    exit 1
fi
echo "smoke: no crash in ${targets[*]}"
