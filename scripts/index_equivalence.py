#!/usr/bin/env python3
"""Adds each labelled set to a fresh index in k batches and compares the
export with one `newsdedup run` over the whole set (docs/index.md,
"Equivalence").

Per set and level (story = `cluster`, family): how many of run's groups the
index gives exactly, the pairwise F1 of the index's partition against run's
(pairs of articles grouped together), and both partitions' BCubed F1
against the labels at the level the set labels. The articles are dealt to
the batches at random (a fixed seed): the sets carry no publication times.

    python3 scripts/index_equivalence.py [--k 3] [--seed 7] [--only NAME]

Prints a Markdown table; `--json FILE` also writes the figures.
"""

import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from evaluate import ROOT, seeds_task, tasks  # noqa: E402


def partition(path, field):
    groups = defaultdict(set)
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            groups[row[field]].add(row["id"])
    return {frozenset(g) for g in groups.values()}


def together(groups):
    return {pair for g in groups for pair in itertools.combinations(sorted(g), 2)}


def pair_f1(reference, other):
    a, b = together(reference), together(other)
    if not a and not b:
        return 1.0
    common = len(a & b)
    return 2 * common / (len(a) + len(b))


def bcubed(binary, labels, predictions, level):
    out = subprocess.run([binary, "eval", "--labels", labels, "--predictions", predictions,
                          "--level", level, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["bcubed_f1"]


def compare(binary, name, task, flags, level, k, seed, work):
    articles = os.path.join(task, "articles.jsonl")
    with open(articles, encoding="utf-8") as f:
        lines = [l for l in f.read().splitlines() if l.strip()]
    random.Random(seed).shuffle(lines)
    batches = []
    for i in range(k):
        path = os.path.join(work, f"batch{i}.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(l + "\n" for l in lines[i::k]))
        batches.append(path)
    run_out, index, export = (os.path.join(work, d) for d in ("run", "index", "export"))
    subprocess.run([binary, "run", articles, "--out", run_out, "-q"] + flags, check=True)
    subprocess.run([binary, "index", "create", index] + flags, check=True, capture_output=True)
    for i, batch in enumerate(batches):
        subprocess.run([binary, "index", "add", "--index", index, batch, "--delta",
                        os.path.join(work, f"delta{i}.jsonl"), "-q"], check=True)
    subprocess.run([binary, "index", "export", "--index", index, "--out", export], check=True, capture_output=True)
    row = {"set": name, "articles": len(lines), "k": k, "labels": level}
    for field, key in (("cluster", "story"), ("family", "family")):
        ran = partition(os.path.join(run_out, "articles.jsonl"), field)
        indexed = partition(os.path.join(export, "articles.jsonl"), field)
        row[key] = {"run_groups": len(ran), "same_groups": len(ran & indexed),
                    "pair_f1": round(pair_f1(ran, indexed), 4)}
    labels = os.path.join(task, "labels.jsonl")
    row["labelled_bcubed_f1"] = {
        "run": round(bcubed(binary, labels, os.path.join(run_out, "articles.jsonl"), level), 4),
        "index": round(bcubed(binary, labels, os.path.join(export, "articles.jsonl"), level), 4)}
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--k", type=int, default=3, help="batches (default 3)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", help="only the sets whose name contains this")
    parser.add_argument("--json", help="also write the figures here")
    parser.add_argument("--eval-dir", default=os.path.join(ROOT, "..", "shared", "eval"))
    a = parser.parse_args()
    binary = os.path.join(ROOT, "target", "release", "newsdedup")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        sets = [("seeds", seeds_task(tmp), [], "story")] + tasks(a.eval_dir)
        for name, task, flags, level in sets:
            if a.only and a.only not in name:
                continue
            work = tempfile.mkdtemp(dir=tmp)
            rows.append(compare(binary, name, task, flags, level, a.k, a.seed, work))
            print(f"{name}: done", file=sys.stderr)
    print(f"| set | articles | story: run's groups the index gives | story pair F1 vs run | family: same | family pair F1 vs run "
          f"| BCubed F1 at the labelled level, run → index ({a.k} batches) |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        s, f, b = r["story"], r["family"], r["labelled_bcubed_f1"]
        print(f"| {r['set']} | {r['articles']} | {s['same_groups']}/{s['run_groups']} | {s['pair_f1']:.4f} | "
              f"{f['same_groups']}/{f['run_groups']} | {f['pair_f1']:.4f} | {r['labels']}: {b['run']:.4f} → {b['index']:.4f} |")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
