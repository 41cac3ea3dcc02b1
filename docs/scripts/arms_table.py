#!/usr/bin/env python3
"""Summarise `bin/seal eval` results of several training seeds as a Markdown table.

Usage: docs/scripts/arms_table.py EVAL_OUTPUT... (each file's last line is the eval's JSON object)

Per arm: mean ± sd over the files of accuracy, gain, margin and reward; then, per comparison
trained − ARM, the mean ± sd of the difference and how many seeds' 95% clustered-bootstrap interval
lies above zero (with one file: the difference and its interval). Standard library only.
"""
import json
import statistics
import sys


def last_json(path):
    with open(path) as f:
        lines = [l for l in f if l.strip().startswith("{")]
    return json.loads(lines[-1])


def fmt(values, digits=3):
    vals = [v for v in values if v is not None]
    if not vals:
        return "–"
    m = statistics.fmean(vals)
    if len(vals) < 2:
        return f"{m:+.{digits}f}"
    return f"{m:+.{digits}f} ± {statistics.stdev(vals):.{digits}f}"


def main(paths):
    runs = [last_json(p) for p in paths]
    metrics = ["accuracy", "gain", "margin", "reward"]
    arms = list(runs[0]["arms"].keys())
    print(f"`{runs[0]['task']}`, {runs[0]['method']}: {len(runs)} training seed(s), {runs[0]['episodes']} eval episodes each\n")
    print("| arm | " + " | ".join(metrics) + " |")
    print("|---|" + "---:|" * len(metrics))
    for a in arms:
        cells = [fmt([r["arms"][a][m] for r in runs]) for m in metrics]
        print(f"| `{a}` | " + " | ".join(cells) + " |")
    print()
    print("| trained − arm | " + " | ".join(metrics) + " |")
    print("|---|" + "---|" * len(metrics))
    for a in arms:
        if a == "trained":
            continue
        cells = []
        for m in metrics:
            diffs, above, below = [], 0, 0
            for r in runs:
                t, o = r["arms"]["trained"][m], r["arms"][a][m]
                if t is None or o is None:
                    continue
                diffs.append(t - o)
                ci = r["ci95"][m].get(f"trained_minus_{a}")
                if ci and ci[0] > 0:
                    above += 1
                if ci and ci[1] < 0:
                    below += 1
            if not diffs:
                cells.append("–")
            elif len(runs) == 1:
                ci = runs[0]["ci95"][m].get(f"trained_minus_{a}")
                cells.append(f"{fmt(diffs)} [{ci[0]:+.3f}, {ci[1]:+.3f}]")
            else:
                cells.append(f"{fmt(diffs)} (CI>0: {above}/{len(diffs)}, <0: {below}/{len(diffs)})")
        print(f"| `{a}` | " + " | ".join(cells) + " |")
    refs = [r.get("reference") for r in runs if r.get("reference")]
    if refs:
        print()
        print("unedited model, eval questions: in-context accuracy "
              + fmt([x["in_context_accuracy"] for x in refs]) + ", no-context accuracy "
              + fmt([x["no_context_accuracy"] for x in refs]))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
