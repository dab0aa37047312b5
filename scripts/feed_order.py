#!/usr/bin/env python3
"""Orders a bench corpus as a news feed would bring it, for the index's
benchmark (docs/index.md, "Measured"): each story starts at a random time
over DAYS days, each of its articles comes an exponential delay after the
start (mean HOURS hours), and the articles are written in time order with
their `published_at`. A batch of consecutive articles is then what an
hourly or daily add sees: mostly new stories, and the late copies of
recent ones.

    python3 scripts/feed_order.py CORPUS TRUTH OUT [--days 100] [--hours 6] [--seed 1]
"""

import argparse
import json
import random
from datetime import datetime, timedelta, timezone


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("corpus")
    p.add_argument("truth")
    p.add_argument("out")
    p.add_argument("--days", type=float, default=100.0)
    p.add_argument("--hours", type=float, default=6.0)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    story_of = {}
    with open(a.truth, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            story_of[row["id"]] = row["story"]
    start = {}
    timed = []
    epoch = datetime(2025, 1, 1, tzinfo=timezone.utc)
    with open(a.corpus, encoding="utf-8") as f:
        for at, line in enumerate(f):
            row = json.loads(line)
            story = story_of[row["id"]]
            if story not in start:
                start[story] = rng.uniform(0.0, a.days * 24.0)
            hours = start[story] + rng.expovariate(1.0 / a.hours)
            timed.append((hours, at, line))
    timed.sort()
    with open(a.out, "w", encoding="utf-8") as out:
        for hours, _, line in timed:
            row = json.loads(line)
            row["published_at"] = (epoch + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
