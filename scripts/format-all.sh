#!/usr/bin/env bash
# Run once after merging branches that were written before prettier came in: regenerates docs/metrics.md from the
# metric registry, gives every file prettier's layout, then runs the lint gate (eslint, prettier --check, tsc).
# Commit the result on its own ("Apply prettier") and list that commit in .git-blame-ignore-revs.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run docs:metrics
npx prettier --write . --log-level warn
npm run lint
