#!/usr/bin/env bash
# One long fuzzing run of one target that keeps going past crashes:
# libFuzzer's fork mode with one worker process at a time, crashes, timeouts
# and out-of-memory inputs saved to fuzz/artifacts/<target>/ (one per
# distinct stack), new inputs to fuzz/corpus/<target>/.
#
#   fuzz/run.sh TARGET [SECONDS]     (default 600)
set -euo pipefail

t="$1"
secs="${2:-600}"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$(dirname "$here")"
mkdir -p "$here/corpus/$t"
dict=()
if [ -f "$here/dicts/$t.dict" ]; then
    dict=("-dict=$here/dicts/$t.dict")
fi
# pbf like production (-O, no overflow checks): see smoke.sh.
mode=()
if [ "$t" = pbf ]; then mode=(-O); fi
exec cargo +nightly fuzz run "${mode[@]}" "$t" "$here/corpus/$t" "$here/seeds/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -print_final_stats=1 "${dict[@]}"
