#!/usr/bin/env python3
"""BCubed F1 of a cross-lingual run per pair of script families.

For each pair of families (A, B) the articles written in A or B are scored
alone: true stories and predicted clusters are both restricted to them.

Usage: scripts/crosslingual_families.py LABELS.jsonl ARTICLES.jsonl PREDICTIONS.jsonl
(LABELS and ARTICLES from ../shared/eval/ntrex-crosslingual; PREDICTIONS is
newsdedup's articles.jsonl.) Prints a markdown table.
"""
import collections
import itertools
import json
import sys

FAMILIES = {
    "Latin": {"en", "de", "fr", "es", "pl", "tr", "vi", "id", "sw"},
    "Cyrillic": {"ru", "uk"},
    "Arabic": {"ar", "fa"},
    "Hebrew": {"he"},
    "Indic": {"hi", "bn", "ta"},
    "Thai": {"th"},
    "CJK": {"zh", "ja", "ko"},
    "Greek": {"el"},
    "Georgian": {"ka"},
}


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def bcubed_f1(ids, truth, pred):
    clusters, stories = collections.defaultdict(set), collections.defaultdict(set)
    for i in ids:
        clusters[pred[i]].add(i)
        stories[truth[i]].add(i)
    p = sum(len(clusters[pred[i]] & stories[truth[i]]) / len(clusters[pred[i]]) for i in ids) / len(ids)
    r = sum(len(clusters[pred[i]] & stories[truth[i]]) / len(stories[truth[i]]) for i in ids) / len(ids)
    return 2 * p * r / (p + r) if p + r else 0.0


def main():
    labels, articles, preds = (read(p) for p in sys.argv[1:4])
    truth = {l["id"]: l["story"] for l in labels}
    lang = {a["id"]: a["lang"] for a in articles}
    pred = {p["id"]: p["cluster"] for p in preds}
    family = {i: next((f for f, ls in FAMILIES.items() if lang[i] in ls), "other") for i in truth}
    print("| families | articles | BCubed F1 |")
    print("|---|---|---|")
    names = list(FAMILIES)
    for a, b in itertools.combinations_with_replacement(names, 2):
        if a == b and len(FAMILIES[a]) < 2:
            continue
        if a != "Latin" and b != "Latin" and a != b:
            continue
        ids = [i for i in truth if family[i] in (a, b)]
        print(f"| {a}-{b} | {len(ids)} | {bcubed_f1(ids, truth, pred):.3f} |")


if __name__ == "__main__":
    main()
