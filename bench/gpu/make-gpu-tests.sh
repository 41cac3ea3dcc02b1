#!/usr/bin/env bash
# Packs the gpu-tagged JUnit tests so that a GPU host without a JDK can run them with the bundle's Java:
# dist/gpu-tests/ = the test classes of native-bindings, tensor/cuda and seal/cli (as jars) + the JUnit Platform jars.
# bench/gpu/run.sh check runs them (GpuSmokeTest, CudaOpsTest, GpuChecksTest) when the folder is there.
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME=${JAVA_HOME:-$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -1)}
./mvnw -q -o -pl seal/cli -am test-compile
mkdir -p target
# the JUnit Platform jars only: native-bindings has them all (EmulatorChildMain uses the launcher) and, unlike seal/cli,
# no test-jar dependency on a sibling that would have to be installed in ~/.m2 first
./mvnw -q -o -pl native-bindings dependency:build-classpath -Dmdep.outputFile="$PWD/target/gpu-tests-cp.txt" -Dmdep.includeScope=test
rm -rf dist/gpu-tests && mkdir -p dist/gpu-tests target
for m in native-bindings tensor/cuda seal/cli; do
  "$JAVA_HOME/bin/jar" --create --file "dist/gpu-tests/${m//\//-}-tests.jar" -C "$m/target/test-classes" .
done
tr ':' '\n' < target/gpu-tests-cp.txt | grep -E '/(junit-platform-(launcher|engine|commons)|junit-jupiter-(api|engine|params)|opentest4j|apiguardian-api)-[0-9]' \
  | xargs -I{} cp {} dist/gpu-tests/
du -sh dist/gpu-tests
