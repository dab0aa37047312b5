#!/usr/bin/env bash
# Regenerates docs/report.png: the HTML report of the embedded sample (the
# five seeds), rendered by headless Chromium (Debian's /usr/bin/chromium, as
# .ci/run installs it). Also prints the report's size and Chromium's time to
# load and paint it.
# Usage: scripts/report_screenshot.sh [INPUT...]   (default: the sample)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "no Chromium at $chromium (set CHROMIUM)" >&2; exit 2; }
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/target/release/newsdedup" run "$@" --out "$work/out" --quiet < /dev/null
report="$work/out/report.html"
start=$(date +%s.%N)
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --window-size=1400,1800 \
  --screenshot="$here/docs/report.png" "file://$report" > /dev/null 2>&1
end=$(date +%s.%N)
echo "report.html: $(du -k "$report" | cut -f1) KiB; Chromium loaded and painted it in $(awk "BEGIN{printf \"%.2f\", $end - $start}") s (start-up included)"
