#!/usr/bin/env bash
# Proves that another Maven project can depend on the installed jars: installs the whole build into a temporary local
# repository (reading everything else from ~/.m2 through Maven's read-only "tail", so it works offline), builds the
# project here against the installed seal-core artifact (the library), checks that its class path holds no CUDA module
# and nothing of the command line (picocli, XChart, progressbar), runs one forward of a fixture model against PyTorch's
# logits, and fine-tunes, applies and reverts an edit through the library's Seal. Nothing is written to ~/.m2.
# Usage: tools/consumer-check/run.sh   (MAVEN_REPO_TAIL=DIR to read dependencies from another repository)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/.mvn/jdk25.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/seal-consumer-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
MVN=("$ROOT/mvnw" -B -ntp -q -o -Dmaven.repo.local="$WORK/repo" -Dmaven.repo.local.tail="${MAVEN_REPO_TAIL:-$HOME/.m2/repository}")

(cd "$ROOT" && "${MVN[@]}" install -DskipTests)
cp -r "$ROOT/tools/consumer-check/pom.xml" "$ROOT/tools/consumer-check/src" "$WORK/"
(cd "$WORK" && "${MVN[@]}" package dependency:build-classpath -Dmdep.outputFile="$WORK/classpath.txt")

if tr ':' '\n' < "$WORK/classpath.txt" | grep -E '/(native-bindings|tensor-cuda|gpt2-cuda|seal-cli|picocli|xchart|progressbar)-[^/]*\.jar$'; then
  echo "consumer-check: FAILED: a user of the seal-core library gets a CUDA module or the command line's dependencies (above)" >&2
  exit 1
fi
run() {
  "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    -cp "$WORK/target/consumer-check-1.jar:$(cat "$WORK/classpath.txt")" "$@" 2> >(grep -v '^WARNING: Using incubator modules' >&2)
}
run consumer.ForwardCheck "$ROOT/weights/fixtures/models/tiny-real-vocab"
run consumer.LibraryCheck "$ROOT"
echo "consumer-check: passed (seal-core installed to a fresh repository, used by a separate project, no CUDA and no CLI on its class path)"
