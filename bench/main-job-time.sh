#!/usr/bin/env bash
# Wall time of the README's main job (java -jar examples/target/tribuo-adapt.jar run), ROUNDS times on the idle
# machine and ROUNDS times beside one other CPU-bound process, interleaved. One JSON line per run, tagged with the
# load average just before it; summarize.py gives the medians.
#
#   bench/main-job-time.sh [ROUNDS] > main-job.jsonl && python3 bench/summarize.py main-job.jsonl
#
# Targets (issue 10): at most 90 s idle, at most twice that beside the other process.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
jar=examples/target/tribuo-adapt.jar
out=$(mktemp -d)
trap 'rm -rf "$out"; [ -n "${hog:-}" ] && kill "$hog" 2>/dev/null || true' EXIT
. bench/common.sh
echo "{$(machine_fields), \"rounds\": $rounds}"

timed() {
    local round=$1 condition=$2 load start end
    load=$(cut -d' ' -f1 /proc/loadavg)
    start=$(date +%s.%N)
    java -jar "$jar" run --out "$out/$condition-$round" > /dev/null 2>&1
    end=$(date +%s.%N)
    echo "{\"round\": $round, \"condition\": \"$condition\", \"load1\": $load, \"seconds\": $(echo "$end - $start" | bc)}"
}

for round in $(seq 1 "$rounds"); do
    timed "$round" idle
    sh -c 'while :; do :; done' & hog=$!
    timed "$round" beside-one-cpu-bound-process
    kill "$hog"; wait "$hog" 2>/dev/null || true; hog=
done
