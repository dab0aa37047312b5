#!/usr/bin/env python3
"""Helper of scripts/bench.sh.

bench_row.py SYSTEM DOCS TIME_FILE TRUTH CLUSTERS NEWSDEDUP_BIN -> one JSON row
bench_row.py --table ROWS.jsonl                                 -> markdown table
bench_row.py --ratios ROWS.jsonl                                -> newsdedup over gaoya, per size
"""
import json
import re
import subprocess
import sys


def wall_seconds(text):
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    t = 0.0
    for part in m.group(1).split(":"):
        t = t * 60 + float(part)
    return t


def row(system, docs, time_file, truth, clusters, binary):
    text = open(time_file).read()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    wall = wall_seconds(text)
    scores = json.loads(subprocess.run(
        [binary, "eval", "--labels", truth, "--predictions", clusters, "--json"],
        check=True, capture_output=True, text=True).stdout)
    return {
        "system": system, "docs": int(docs), "wall_s": round(wall, 2), "docs_per_s": round(int(docs) / wall),
        "peak_rss_mib": round(rss / 1024), "pairwise_precision": scores["pairwise_precision"],
        "pairwise_recall": scores["pairwise_recall"], "pairwise_f1": scores["pairwise_f1"],
        "bcubed_f1": scores["bcubed_f1"], "largest_cluster_pred": scores["largest_cluster_pred"],
        "largest_cluster_true": scores["largest_cluster_true"],
    }


def table(path):
    print("| system | articles | wall s | docs/s | peak RSS MiB | pairwise P | pairwise R | pairwise F1 | BCubed F1 | largest cluster pred / true |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for line in open(path):
        r = json.loads(line)
        if r.get("failed"):
            print(f"| {r['system']} | {r['docs']} | failed | | | | | | | |")
            continue
        print(f"| {r['system']} | {r['docs']} | {r['wall_s']} | {r['docs_per_s']} | {r['peak_rss_mib']} | "
              f"{r['pairwise_precision']:.3f} | {r['pairwise_recall']:.3f} | {r['pairwise_f1']:.3f} | {r['bcubed_f1']:.3f} | "
              f"{r['largest_cluster_pred']} / {r['largest_cluster_true']} |")


def ratios(path, peer="gaoya"):
    rows = [json.loads(line) for line in open(path)]
    ok = [r for r in rows if not r.get("failed")]
    printed = False
    for n in sorted({r["docs"] for r in ok}):
        ours = next((r for r in ok if r["docs"] == n and r["system"] == "newsdedup"), None)
        theirs = next((r for r in ok if r["docs"] == n and r["system"] == peer), None)
        if not ours or not theirs:
            continue
        if not printed:
            print(f"\n| articles | newsdedup docs/s over {peer}'s | newsdedup peak RSS over {peer}'s | pairwise F1, newsdedup / {peer} |")
            print("|---:|---:|---:|---|")
            printed = True
        print(f"| {n} | {ours['docs_per_s'] / theirs['docs_per_s']:.2f}x | {ours['peak_rss_mib'] / theirs['peak_rss_mib']:.2f}x | "
              f"{ours['pairwise_f1']:.4f} / {theirs['pairwise_f1']:.4f} |")


if __name__ == "__main__":
    if sys.argv[1] == "--table":
        table(sys.argv[2])
    elif sys.argv[1] == "--ratios":
        ratios(sys.argv[2])
    else:
        print(json.dumps(row(*sys.argv[1:7])))
