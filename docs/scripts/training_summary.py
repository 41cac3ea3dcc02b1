#!/usr/bin/env python3
"""Summarise generator training runs from their metrics: how the reward and its spread moved.

Usage: docs/scripts/training_summary.py RUN_DIR... (each with a metrics.jsonl written by `bin/seal train`)

Per run, over the first and the last quarter of its episodes: the mean reward, the mean within-episode reward sd
(the spread of the K samples' rewards, which the REINFORCE gradient is made of), the mean gradient norm before
clipping, the mean edit norm, and the content scale η where the policy has one. Standard library only.
"""
import json
import statistics
import sys


def quarter(rows, last):
    n = max(1, len(rows) // 4)
    return rows[-n:] if last else rows[:n]


def mean(rows, key):
    vals = [r[key] for r in rows if key in r]
    return statistics.fmean(vals) if vals else None


def cell(v):
    return "–" if v is None else f"{v:.3g}"


def main(paths):
    keys = [("reward_mean", "reward"), ("reward_std", "reward sd (within episode)"), ("grad_norm", "grad norm"),
            ("edit_norm", "edit norm"), ("content_step_mean", "η")]
    print("| run | episodes | " + " | ".join(f"{label} first ¼ → last ¼" for _, label in keys) + " |")
    print("|---|---:|" + "---|" * len(keys))
    for path in paths:
        with open(f"{path.rstrip('/')}/metrics.jsonl") as f:
            rows = [json.loads(l) for l in f if l.strip()]
        parts = [f"{cell(mean(quarter(rows, False), k))} → {cell(mean(quarter(rows, True), k))}" for k, _ in keys]
        print(f"| {path.rstrip('/').split('/')[-1]} | {len(rows)} | " + " | ".join(parts) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__.strip().splitlines()[2])
    main(sys.argv[1:])
