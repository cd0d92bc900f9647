#!/usr/bin/env bash
# Interleaved speed comparison with the plain-PyTorch peer (../shared/bench/peer_pytorch_lora.py).
# Each round runs, one after another and each in a fresh process: the peer's full training and our `bench train`
# (MLP, then CNN), then the peer's LoRA and our `bench peft` (MLP, then CNN). Every JSON line is tagged with its round
# and the load average just before it ran; summarize.py then takes medians and ratios of medians.
#
#   bench/peer-ratios.sh [ROUNDS] > peer.jsonl && python3 bench/summarize.py peer.jsonl
#
# Needs the built jar (mvn -q -DskipTests package) and Debian's python3-torch, libopenblas0-pthread and
# dataset-fashion-mnist. Without an optimised BLAS, Debian's PyTorch falls back to the reference BLAS and the peer
# runs many times slower (the header line names the BLAS in use). Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
jar=examples/target/tribuo-adapt.jar
peer=${PEER:-../shared/bench/peer_pytorch_lora.py}
python=${PEER_PYTHON:-/usr/bin/python3}
data=${DATA:-/usr/share/datasets/fashion-mnist}

. bench/common.sh

blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)
echo "{$(machine_fields), \"baseline\": \"peer\", \"peer_blas\": \"$blas\", \"rounds\": $rounds}"
for round in $(seq 1 "$rounds"); do
    for model in mlp cnn; do
        tagged "$round" peer "$python" "$peer" --full --model "$model" --data "$data"
        tagged "$round" ours java -jar "$jar" bench train --model "$model" --data "$data"
    done
    for model in mlp cnn; do
        tagged "$round" peer "$python" "$peer" --model "$model" --data "$data"
        tagged "$round" ours java -jar "$jar" bench peft --model "$model" --data "$data"
    done
done
