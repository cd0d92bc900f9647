#!/usr/bin/env python3
"""Medians and ratios of medians from the JSON lines of bench/peer-ratios.sh, bench/kernel-paths.sh or
bench/main-job-time.sh. Every side is compared with the baseline side that the header line names (default: peer).

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
    own = defaultdict(list)  # figures of our side with no peer counterpart: merged/base speed, peak memory
    for r in rows:
        for metric in ("merged_over_base", "peak_rss_bytes"):
            if metric in r:
                own[(r["model"], r["method"], metric)].append(r[metric])
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
    baseline = header.get("baseline", "peer")
    for (model, mode, metric, side), values in sorted(speed.items()):
        reference = speed.get((model, mode, metric, baseline))
        if side == baseline or not reference:
            continue
        out.append({"model": model, "mode": mode, "metric": metric, side: values, baseline: reference,
                    side + "_median": statistics.median(values), baseline + "_median": statistics.median(reference),
                    "ratio_of_medians": round(statistics.median(values) / statistics.median(reference), 2)})
    for (model, method, metric), values in sorted(own.items()):
        out.append({"model": model, "method": method, "metric": metric, "values": values,
                    "median": statistics.median(values)})
    for condition, values in sorted(times.items()):
        out.append({"condition": condition, "seconds": values, "median_seconds": round(statistics.median(values), 1)})
    for o in out:
        print(json.dumps(o))
    if loads:
        print(json.dumps({"machine": header.get("machine"), "baseline": baseline, "peer_blas": header.get("peer_blas"),
                          "load1_min": min(loads), "load1_median": statistics.median(loads), "load1_max": max(loads)}))

if __name__ == "__main__":
    main(sys.argv[1])
