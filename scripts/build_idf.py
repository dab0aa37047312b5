#!/usr/bin/env python3
"""Build the per-language IDF tables in models/idf/ from the `wordfreq` package.

wordfreq gives each word's frequency per token in a large mixed corpus
(Wikipedia, subtitles, news, web text). A document-frequency estimate needs
the chance that a word occurs at least once in a news article. Words are
bursty, so a plain Poisson estimate with the true article length overstates
that chance; we use an effective length of EFFECTIVE_DOC_TOKENS tokens:

    p_doc(w) = min(1, f(w) * EFFECTIVE_DOC_TOKENS)
    idf(w)   = ln(1 / p_doc(w))

Words are split the way newsdedup's tokenizer splits them (NFKC, lowercase,
split on anything that is not a letter, mark or digit) and the frequencies of
identical pieces are summed. Languages written without spaces (zh, ja) are
skipped: newsdedup indexes them as character bigrams, which wordfreq does not
count.

Usage: python3 scripts/build_idf.py [--top 30000] [--out models/idf]
Needs: pip install wordfreq==3.1.1 (see scripts/build_idf.sh).
"""
import argparse
import gzip
import math
import os
import unicodedata

import wordfreq

EFFECTIVE_DOC_TOKENS = 150
SKIP = {"zh", "ja"}
def pieces(word):
    # As newsdedup's normalizer: NFKC, lowercase, and Turkish İ (which
    # lowercases to i + U+0307) folded to i.
    word = unicodedata.normalize("NFKC", word).lower().replace("i\u0307", "i")
    # Letters, marks (Devanagari vowel signs, Hebrew points) and digits stay
    # inside a word; everything else separates words.
    kept = "".join(c if unicodedata.category(c)[0] in "LMN" else " " for c in word)
    return kept.split()


def build(lang, top):
    # get_frequency_dict reads the list as shipped, without the tokenizer
    # (ko and ja would need MeCab for word_frequency).
    table = wordfreq.get_frequency_dict(lang, wordlist="best")
    freqs = {}
    for word, f in sorted(table.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        for p in pieces(word):
            freqs[p] = freqs.get(p, 0.0) + f
    rows = []
    for p, f in freqs.items():
        p_doc = min(1.0, f * EFFECTIVE_DOC_TOKENS)
        rows.append((p, math.log(1.0 / p_doc)))
    rows.sort(key=lambda r: (r[1], r[0]))
    floor = max(r[1] for r in rows)
    return rows, floor


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--top", type=int, default=30000)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "models", "idf"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    langs = sorted(l for l in wordfreq.available_languages(wordlist="best") if l not in SKIP)
    for lang in langs:
        rows, floor = build(lang, args.top)
        path = os.path.join(args.out, f"{lang}.tsv.gz")
        # mtime=0 keeps the gzip bytes reproducible.
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
            gz.write(f"#unseen\t{floor + 1.0:.3f}\n".encode())
            for p, idf in rows:
                gz.write(f"{p}\t{idf:.3f}\n".encode())
        print(f"{lang}: {len(rows)} terms, unseen idf {floor + 1.0:.2f}")


if __name__ == "__main__":
    main()
