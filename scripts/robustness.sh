#!/usr/bin/env bash
# Time and peak memory of newsdedup on four hostile inputs, generated
# deterministically (seed 1) into a temporary directory:
#   one 50 MB article; 100,000 one-line articles; 10,000 identical articles
#   and one other; 20,000 articles of 500 random tokens (10 million distinct
#   terms). Prints a markdown table (the README's robustness table).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin=$here/target/release/newsdedup
python3 - "$work" <<'PY'
import json, random, sys
random.seed(1)
out = sys.argv[1]
words = ["harbour", "minister", "ferry", "council", "river", "bank", "rates", "flights",
         "border", "officials", "report", "island", "strike", "election", "vote", "budget"]
def write(name, records):
    with open(f"{out}/{name}.jsonl", "w") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")
big = " ".join(random.choice(words) for _ in range(50_000_000 // 7))[:50_000_000]
write("big", [{"id": "big", "text": big}])
write("oneline", ({"id": f"o{i:06d}", "text": f"Article {i} about the {random.choice(words)} and the "
                   f"{random.choice(words)} near {random.choice(words)} {i % 977}."} for i in range(100_000)))
story = " ".join(random.choice(words) for _ in range(500))
write("identical", [{"id": f"d{i:05d}", "text": story} for i in range(10_000)]
      + [{"id": "other", "text": "The central bank left interest rates unchanged on Thursday, citing slowing growth."}])
write("random", ({"id": f"r{i:05d}", "text": " ".join("%x" % random.getrandbits(40) for _ in range(500))}
                 for i in range(20_000)))
PY
echo "| input | time | peak RSS |"
echo "|---|---|---|"
for case in "big:one 50 MB article (analyzed on its first MiB)" "oneline:100,000 one-line articles" \
            "identical:10,000 identical articles + 1 other (one cluster of 10,000)" \
            "random:20,000 articles of random tokens (10 million distinct terms)"; do
  name=${case%%:*}
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$bin" run "$work/$name.jsonl" --out "$work/out-$name" --quiet
  read -r secs kib < "$work/$name.time"
  echo "| ${case#*:} | $secs s | $((kib / 1024)) MiB |"
done
