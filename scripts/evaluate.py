#!/usr/bin/env python3
"""Scores newsdedup's default configuration on every labelled set, at both levels.

Each set in ../shared/eval (ntrex-syndication one language at a time,
ntrex-crosslingual with --cross-lingual) and the seeds (data/seeds) is run
once; its `cluster` (story) and `family` fields are both scored against the
labels' `story` field with `newsdedup eval --level`. Which level a set labels
is in ../shared/eval/README.md; the other level is recorded too, so that no
change moves it unseen.

    scripts/evaluate.py              # prints the table
    scripts/evaluate.py --check      # and fails on a drop of more than 0.005 below the record
    scripts/evaluate.py --record     # writes the figures as the new record

The record is docs/quality_record.json. Stdlib only.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RECORD = os.path.join(ROOT, "docs", "quality_record.json")
TOLERANCE = 0.005
FIGURES = ("bcubed_f1", "pairwise_precision")
ROLE_FIGURES = ("canonical_accuracy", "derived_from_accuracy", "role_accuracy")


def tasks(eval_dir):
    """(name, task dir, extra flags, level its labels mean)."""
    out = [("ecbplus", os.path.join(eval_dir, "ecbplus"), [], "story"),
           ("ntrex-rewrites", os.path.join(eval_dir, "ntrex-rewrites"), [], "family"),
           ("ntrex-crosslingual --cross-lingual", os.path.join(eval_dir, "ntrex-crosslingual"), ["--cross-lingual"], "family")]
    synd = os.path.join(eval_dir, "ntrex-syndication")
    for lang in sorted(os.listdir(synd)):
        if os.path.isdir(os.path.join(synd, lang)):
            out.append(("ntrex-syndication/" + lang, os.path.join(synd, lang), [], "family"))
    return out


def seeds_task(tmp):
    """The seeds as a task folder (JSONL articles, the project's labels)."""
    seeds = os.path.join(ROOT, "data", "seeds")
    task = os.path.join(tmp, "seeds")
    os.makedirs(task)
    with open(os.path.join(task, "articles.jsonl"), "w", encoding="utf-8") as f:
        for name in sorted(os.listdir(seeds)):
            if name.endswith(".txt"):
                with open(os.path.join(seeds, name), encoding="utf-8") as t:
                    f.write(json.dumps({"id": name[:-4], "text": t.read()}) + "\n")
    with open(os.path.join(seeds, "labels.jsonl"), encoding="utf-8") as src, \
            open(os.path.join(task, "labels.jsonl"), "w", encoding="utf-8") as dst:
        dst.write(src.read())
    return task


def run(binary, args):
    done = subprocess.run([binary] + args, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"newsdedup {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail on a drop of more than 0.005 below the record")
    ap.add_argument("--record", action="store_true", help="write the figures as the new record")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "newsdedup"))
    ap.add_argument("--eval-dir", default=os.environ.get("EVAL_DIR", os.path.join(ROOT, "..", "shared", "eval")))
    ap.add_argument("flags", nargs="*", help="extra newsdedup flags (after --), e.g. -- --story-threshold 0.7")
    a = ap.parse_args()
    if not os.path.isdir(a.eval_dir):
        sys.exit(f"{a.eval_dir} is missing: the labelled sets are read from there")
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, task, flags, labelled in tasks(a.eval_dir) + [("seeds", seeds_task(tmp), [], "both")]:
            out = os.path.join(tmp, "out-" + name.replace("/", "-").replace(" ", ""))
            row = {"labels": labelled}
            story = run(a.bin, ["eval", task, "--json", "--out", out] + flags + a.flags)
            family = run(a.bin, ["eval", "--labels", os.path.join(task, "labels.jsonl"), "--predictions",
                                 os.path.join(out, "articles.jsonl"), "--level", "family", "--json"])
            for level, report in (("story", story), ("family", family)):
                row[level] = {k: round(report[k], 4) for k in FIGURES + ROLE_FIGURES if k in report}
            figures[name] = row
    print("| set | labels | story BCubed F1 | story pairwise P | family BCubed F1 | family pairwise P | canonical acc | derived_from acc |")
    # (canonical and derived_from accuracy at the level the set labels)
    print("|---|---|---|---|---|---|---|---|")
    for name, row in figures.items():
        # Role figures at the level the set labels (the seeds: stories).
        roles = row["family" if row["labels"] == "family" else "story"]
        cells = [row["story"]["bcubed_f1"], row["story"]["pairwise_precision"],
                 row["family"]["bcubed_f1"], row["family"]["pairwise_precision"],
                 roles.get("canonical_accuracy", "-"), roles.get("derived_from_accuracy", "-")]
        print(f"| {name} | {row['labels']} | " + " | ".join(f"{c:.3f}" if isinstance(c, float) else str(c) for c in cells) + " |")
    if a.record:
        with open(RECORD, "w", encoding="utf-8") as f:
            json.dump(figures, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"recorded in {os.path.relpath(RECORD, ROOT)}")
    if a.check:
        with open(RECORD, encoding="utf-8") as f:
            record = json.load(f)
        drops = []
        for name, row in record.items():
            for level in ("story", "family"):
                for k, was in row[level].items():
                    now = figures.get(name, {}).get(level, {}).get(k)
                    if now is None or now < was - TOLERANCE:
                        drops.append(f"{name} {level} {k}: {was} -> {now}")
        if drops:
            sys.exit("quality ratchet: figures fell more than %s below docs/quality_record.json:\n  %s"
                     % (TOLERANCE, "\n  ".join(drops)))
        print(f"quality ratchet: every figure within {TOLERANCE} of the record or above it")


if __name__ == "__main__":
    main()
