#!/usr/bin/env python3
"""Pool evals of several runs when each run was evaluated more than once on the same passages.

Usage: docs/scripts/pool_draws.py RUN_A_DRAW_1/eval.json,RUN_A_DRAW_2/eval.json RUN_B_DRAW_1/eval.json,... ...

Each argument is one training run: a comma-separated list of its `eval.json` files from `bin/seal eval --run R
--seed S` with different S (new self-edit samples and inner fine-tunes, the same passages). `bin/seal pool` counts
every eval episode once and refuses repeats; here a question's value is first averaged over the run's draws, then the
passages are resampled as `bin/seal pool` does (percentile bootstrap of 10,000 resamples, clustered by passage,
stratified by run, statistic Σ values / Σ questions) — with Python's random numbers, so an interval can differ from
`bin/seal pool`'s in its last digit. Prints, for accuracy and margin, trained − ARM for each ARM that every draw has,
and untrained_self_edit − sft_passage. Standard library only.
"""
import json
import random
import sys

RESAMPLES = 10_000
CONTRASTS = [("trained", "sft_passage"), ("trained", "untrained_self_edit"), ("trained", "static_edit"),
             ("untrained_self_edit", "sft_passage")]


def load(path):
    with open(path) as f:
        e = json.load(f)
    return {ep["index"]: ep["arms"] for ep in e["per_episode"]}, e["run_seed"]


def clusters(runs, arm, other, metric):
    """[(stratum, [per-question value averaged over draws])] for every passage of every run."""
    out = []
    for r, draws in enumerate(runs):
        for i in sorted(draws[0]):
            per_draw = []
            for d in draws:
                if i not in d:
                    sys.exit(f"passage {i} is missing from one draw of run {r + 1}: draws must evaluate the same passages")
                a, b = d[i].get(arm, {}).get(metric), d[i].get(other, {}).get(metric)
                if a is None or b is None:
                    return None
                per_draw.append([x - y for x, y in zip(a, b)])
            out.append((r, [sum(v) / len(per_draw) for v in zip(*per_draw)]))
    return out


def interval(cl, seed=7):
    rng = random.Random(seed)
    by = {}
    for s, v in cl:
        by.setdefault(s, []).append((sum(v), len(v)))
    stats = []
    for _ in range(RESAMPLES):
        tot = n = 0
        for members in by.values():
            for _ in members:
                s, k = members[rng.randrange(len(members))]
                tot += s
                n += k
        stats.append(tot / n)
    stats.sort()
    return stats[int(0.025 * RESAMPLES)], stats[int(0.975 * RESAMPLES) - 1]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    runs = []
    seeds = set()
    for arg in sys.argv[1:]:
        draws = [load(p) for p in arg.split(",")]
        run_seeds = {s for _, s in draws}
        if len(run_seeds) != 1:
            sys.exit(f"{arg}: the draws come from runs of different seeds {sorted(run_seeds)}")
        if run_seeds & seeds:
            sys.exit(f"{arg}: seed {run_seeds.pop()} given twice")
        seeds |= run_seeds
        if any(set(d) != set(draws[0][0]) for d, _ in draws):
            sys.exit(f"{arg}: the draws evaluated different passages")
        runs.append([d for d, _ in draws])
    print(f"{len(runs)} runs, {sum(len(r[0]) for r in runs)} passages, draws per run: {[len(r) for r in runs]}")
    for metric in ("accuracy", "margin"):
        for arm, other in CONTRASTS:
            cl = clusters(runs, arm, other, metric)
            if cl is None:
                continue
            mean = sum(sum(v) for _, v in cl) / sum(len(v) for _, v in cl)
            lo, hi = interval(cl)
            scale, unit = (100, " points") if metric == "accuracy" else (1, " nats")
            print(f"{metric:8s} {arm} − {other}: {mean * scale:+.2f} [{lo * scale:+.2f}, {hi * scale:+.2f}]{unit}")


if __name__ == "__main__":
    main()
