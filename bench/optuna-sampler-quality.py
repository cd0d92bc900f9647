#!/usr/bin/python3
"""Optuna's TPE and random samplers on the synthetic function of `bench hpo --parts e` (SearchComparison.synthetic),
with the same search space and number of trials, one JSON line per sampler and seed; with `overhead`, the per-trial
cost of Optuna's journal file storage and sampling once a study holds 1,000 finished trials, as the Java part measures
it (median of 21 trials of a free objective).

Usage: /usr/bin/python3 bench/optuna-sampler-quality.py [trials=30] [seeds=10]
       /usr/bin/python3 bench/optuna-sampler-quality.py overhead [finished=1000] [measured=21]
"""
import json
import math
import os
import statistics
import sys
import tempfile
import time

import optuna


def synthetic(trial):
    lr = math.log10(trial.suggest_float("adam.learningRate", 1e-4, 1e-1, log=True))
    wd = math.log10(trial.suggest_float("adam.weightDecay", 1e-6, 1e-2, log=True))
    dropout = trial.suggest_float("cnn.dropout", 0.0, 0.5)
    batch = trial.suggest_categorical("trainer.batchSize", ["32", "64", "128"])
    return (lr + 2.5) ** 2 + 0.3 * (wd + 4) ** 2 + 4 * (dropout - 0.2) ** 2 + (0 if batch == "64" else 0.3)


def overhead(finished, measured):
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    for name in ("random", "tpe"):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "overhead.log")
            storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(path))
            optuna.create_study(study_name="overhead", storage=storage, sampler=optuna.samplers.RandomSampler(seed=7)) \
                .optimize(synthetic, n_trials=finished)
            sampler = optuna.samplers.TPESampler(seed=7) if name == "tpe" else optuna.samplers.RandomSampler(seed=7)
            study = optuna.load_study(study_name="overhead", storage=storage, sampler=sampler)
            millis = []
            for _ in range(measured):
                start = time.perf_counter()
                study.optimize(synthetic, n_trials=1)
                millis.append(1000 * (time.perf_counter() - start))
            print(json.dumps({"benchmark": "hpo", "part": "search-overhead", "implementation": "optuna-" + optuna.__version__,
                              "sampler": name, "finished_trials": finished, "measured_trials": measured,
                              "median_ms_per_trial": statistics.median(millis), "max_ms_per_trial": max(millis),
                              "journal_bytes": os.path.getsize(path)}))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "overhead":
        overhead(int(sys.argv[2]) if len(sys.argv) > 2 else 1000, int(sys.argv[3]) if len(sys.argv) > 3 else 21)
        return
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    for name in ("random", "tpe"):
        for seed in range(1, seeds + 1):
            sampler = optuna.samplers.TPESampler(seed=seed) if name == "tpe" else optuna.samplers.RandomSampler(seed=seed)
            study = optuna.create_study(sampler=sampler)
            study.optimize(synthetic, n_trials=trials)
            print(json.dumps({"benchmark": "hpo", "part": "search-synthetic", "implementation": "optuna-" + optuna.__version__,
                              "sampler": name, "seed": seed, "trials": trials, "best_value": study.best_value}))


if __name__ == "__main__":
    main()
