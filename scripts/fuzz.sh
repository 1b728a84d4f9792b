#!/usr/bin/env bash
# Fuzzes every decoder with Jazzer (coverage-guided, @FuzzTest classes named *FuzzTest) for a bounded time each.
# Each target runs in its own JVM, seeded from its stored inputs in src/test/resources/<package>/<Class>Inputs/<method>/;
# a crash fails the run and its input is written to that directory, where every later build replays it (./mvnw verify
# runs the fuzz tests on their stored inputs only). New coverage goes to <module>/.cifuzz-corpus/ (not committed).
#
#   scripts/fuzz.sh                 # every target, 30 s each (CI runs 10 s each, .ci/run)
#   scripts/fuzz.sh 300 -o          # 5 min each, Maven offline
#   FUZZ_TESTS=StunCodecFuzzTest scripts/fuzz.sh 60
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift $(( $# > 0 ? 1 : 0 ))
modules=internal,bundles/node,bundles/relay,bundles/daemon,bundles/transport-ice,bundles/routing-kademlia,bundles/auth-bns

# JAZZER_FUZZ: fuzz instead of replaying; reuseForks=false: one JVM per class, as Jazzer fuzzes one test per JVM;
# jazzer.hooks: the instrumentation that gives coverage feedback (off in ordinary builds, see the root pom);
# timeout.mode=disabled: JUnit would time the whole run, while Jazzer passes the classes' @Timeout to libFuzzer as the
# per-input hang limit. --fail-at-end: a finding in one module does not stop the targets of the others.
JAZZER_FUZZ=1 exec ./mvnw -B --fail-at-end "$@" -pl "$modules" -am test \
    -Dtest="${FUZZ_TESTS:-*FuzzTest}" -Dsurefire.failIfNoSpecifiedTests=false -DreuseForks=false \
    -Djazzer.hooks=true -Djazzer.max_duration="${seconds}s" \
    -Djunit.jupiter.execution.timeout.mode=disabled \
    -Djava.util.logging.config.file="$PWD/scripts/fuzz-logging.properties"
