#!/usr/bin/env python3
"""Medians and ratios of medians from the JSON lines of bench/peer-ratios.sh or bench/main-job-time.sh.

usage: python3 bench/summarize.py FILE.jsonl   (prints one JSON line per comparison)
"""
import json, statistics, sys
from collections import defaultdict

def main(path):
    rows = [json.loads(line) for line in open(path) if line.startswith("{")]
    header = next((r for r in rows if "machine" in r), {})
    loads = [r["load1"] for r in rows if "load1" in r]
    speed = defaultdict(list)
    times = defaultdict(list)
    for r in rows:
        if "seconds" in r:
            times[r["condition"]].append(r["seconds"])
        elif "side" in r:
            if r.get("benchmark") == "peft":
                if r.get("method") != "lora":
                    continue  # our full fine-tuning is compared through `bench train`
                mode = "lora"
            else:
                mode = r.get("mode", "full")
            for metric in ("train_examples_per_s", "infer_examples_per_s"):
                if metric in r:
                    speed[(r["model"], mode, metric, r["side"])].append(r[metric])
    out = []
    for (model, mode, metric, side), values in sorted(speed.items()):
        if side != "ours":
            continue
        peer = speed.get((model, mode, metric, "peer"))
        if not peer:
            continue
        out.append({"model": model, "mode": mode, "metric": metric, "ours": values, "peer": peer,
                    "ours_median": statistics.median(values), "peer_median": statistics.median(peer),
                    "ratio_of_medians": round(statistics.median(values) / statistics.median(peer), 2)})
    for condition, values in sorted(times.items()):
        out.append({"condition": condition, "seconds": values, "median_seconds": round(statistics.median(values), 1)})
    for o in out:
        print(json.dumps(o))
    if loads:
        print(json.dumps({"machine": header.get("machine"), "peer_blas": header.get("peer_blas"),
                          "load1_min": min(loads), "load1_median": statistics.median(loads), "load1_max": max(loads)}))

if __name__ == "__main__":
    main(sys.argv[1])
