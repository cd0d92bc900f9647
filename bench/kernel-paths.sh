#!/usr/bin/env bash
# What the portable kernel path costs (docs/troubleshooting.md): `bench train` of the CNN (convolutions) on the
# oneDNN path and on the portable path (-Dtribuoadapt.kernels=portable), interleaved, each run in a fresh JVM.
# summarize.py reports portable against oneDNN as a ratio of medians (below 1: the portable path is slower).
#
#   bench/kernel-paths.sh [ROUNDS] > kernels.jsonl && python3 bench/summarize.py kernels.jsonl
#
# Needs the built jar (mvn -q -DskipTests package) and dataset-fashion-mnist. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
jar=examples/target/tribuo-adapt.jar
data=${DATA:-/usr/share/datasets/fashion-mnist}

. bench/common.sh

echo "{$(machine_fields), \"baseline\": \"onednn\", \"rounds\": $rounds}"
for round in $(seq 1 "$rounds"); do
    for path in onednn portable; do
        tagged "$round" "$path" java "-Dtribuoadapt.kernels=$path" -jar "$jar" bench train --model cnn --data "$data"
    done
done
