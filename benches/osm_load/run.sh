#!/bin/sh
# Load-stage time of `remoteness run` against `osmium fileinfo -e` on the
# same file, runs interleaved so that both see the same machine load.
#
#   benches/osm_load/run.sh BIN [RUNS]          # Liechtenstein and li8
#   benches/osm_load/run.sh "OLD NEW" [RUNS]    # two binaries, e.g. before/after
#
# li8 is eight copies of the Liechtenstein extract with ids renumbered
# apart (`osmium renumber`, then `osmium merge`): 9.7 MB, 1.14M nodes,
# 122k ways, 2,864 relations. Needs osmium-tool and python3.
set -eu
bins=$1
runs=${2:-5}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${TMPDIR:-/tmp}/remoteness-osm-load
mkdir -p "$work"
li=$root/fixtures/liechtenstein/liechtenstein.osm.pbf
if [ ! -f "$work/li8.osm.pbf" ]; then
  for k in 0 1 2 3 4 5 6 7; do
    osmium renumber -O -s $((k * 1000000000 + 1)),$((k * 100000000 + 1)),$((k * 10000000 + 1)) \
      "$li" -o "$work/copy$k.osm.pbf"
  done
  osmium merge -O "$work"/copy*.osm.pbf -o "$work/li8.osm.pbf"
  rm "$work"/copy*.osm.pbf
fi
printf '[inputs]\nosm = "li8.osm.pbf"\n\n[zones]\nh3_resolution = 7\n' > "$work/li8.toml"
median() { sort -n | awk '{a[NR] = $1} END {printf "%.3f", a[int((NR + 1) / 2)]}'; }
for case in "$root/fixtures/liechtenstein/liechtenstein.toml $li" "$work/li8.toml $work/li8.osm.pbf"; do
  set -- $case
  cfg=$1 pbf=$2
  rm -f "$work"/t-*
  i=0
  while [ $i -lt "$runs" ]; do
    n=0
    for b in $bins; do
      n=$((n + 1))
      for t in 1 2; do
        "$b" run "$cfg" --out "$work/out" -q --threads $t > /dev/null
        python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['timings_s']['load'])" \
          "$work/out/run.json" >> "$work/t-$n-$t"
      done
    done
    python3 -c "import subprocess,sys,time; s=time.perf_counter(); subprocess.run(['osmium','fileinfo','-e',sys.argv[1]],check=True,capture_output=True); print(time.perf_counter()-s)" \
      "$pbf" >> "$work/t-osmium"
    i=$((i + 1))
  done
  echo "$(basename "$pbf"): median of $runs, seconds"
  n=0
  for b in $bins; do
    n=$((n + 1))
    echo "  $b load: 1 thread $(median < "$work/t-$n-1"), 2 threads $(median < "$work/t-$n-2")"
  done
  echo "  osmium fileinfo -e: $(median < "$work/t-osmium")"
done
