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

echo "== tests"
mapfile -t files < <(find packages scripts -name '*.test.ts' -not -path '*/node_modules/*' | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found" >&2
  exit 1
fi
# Integration tests start servers and processes of their own; two at a time suits a 2-core machine.
# A hung test fails after two minutes instead of holding CI until its deadline.
exec node --import tsx --test --test-concurrency=2 --test-timeout=120000 "${files[@]}"
