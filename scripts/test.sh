#!/usr/bin/env bash
# Runs every test: the type-check of the whole repo, then every *.test.ts under packages/ and scripts/
# with Node's own test runner (which prints the "# tests / # pass / # fail" lines CI reads).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ]; then
  echo "node_modules is missing: run 'npm ci' first" >&2
  exit 1
fi

echo "== type-check"
npx tsc --noEmit -p tsconfig.json

mapfile -t files < <(find packages scripts -name '*.test.ts' -not -path '*/node_modules/*' | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found" >&2
  exit 1
fi
# Integration tests start servers and processes of their own; two at a time suits a 2-core machine.
# A hung test fails after two minutes instead of holding CI until its deadline.
run_tests() {
  node --import tsx --test --test-concurrency=2 --test-timeout=120000 "$@"
}

echo "== tests, each server one process"
status=0
SAMIZDAT_TEST_WORKERS=1 run_tests "${files[@]}" || status=1

# The same tests again against servers of two worker processes (see packages/server/test/server-under-test.ts):
# every test file that starts a server through the shared starters. Unit tests would only repeat themselves.
mapfile -t server_files < <(grep -lE 'startTestServer|startServerUnderTest|startWebServer|startBotTestKit|spawnServer' "${files[@]}")
echo "== tests, each server a cluster of 2 workers (${#server_files[@]} files)"
SAMIZDAT_TEST_WORKERS=2 run_tests "${server_files[@]}" || status=1
exit $status
