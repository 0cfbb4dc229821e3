#!/usr/bin/env bash
# Installs Parley as a user does: builds and packs every publishable package, installs the tarballs (and public
# dependencies from the registry, nothing else from this repository) into a scratch project outside it, checks
# what the packages ship, runs a small JavaScript app there and the installed `parley` bin.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
scratch=$(mktemp -d "${TMPDIR:-/tmp}/parley-install-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
step() { echo "check-install: $*"; }
fail() {
  echo "check-install: FAILED: $*" >&2
  exit 1
}

step "building every package (npm run build)"
npm run -s build

step "packing every workspace into $scratch/tarballs"
mkdir "$scratch/tarballs"
npm pack --workspaces --silent --pack-destination "$scratch/tarballs" >"$scratch/packed.txt"
mapfile -t tarballs < <(sed "s|^|$scratch/tarballs/|" "$scratch/packed.txt")
names=()
for tarball in "${tarballs[@]}"; do
  names+=("$(tar -xOzf "$tarball" package/package.json | node -e \
    "process.stdout.write(JSON.parse(require('fs').readFileSync(0, 'utf8')).name)")")
done
echo "  ${names[*]}"

step "installing the tarballs into a scratch project (better-sqlite3 may compile from source: a minute or two)"
app="$scratch/app"
mkdir "$app"
cat >"$app/package.json" <<'EOF'
{
  "name": "parley-install-check",
  "private": true,
  "type": "module",
  "allowScripts": { "better-sqlite3": true, "esbuild": true }
}
EOF
# JOBS: node-gyp compiles on every core.
(cd "$app" && JOBS="${JOBS:-max}" npm install --no-audit --no-fund --prefer-offline --loglevel=error "${tarballs[@]}" zod@^4)

step "checking what the installed packages ship"
node "$repo/.ci/install-check/checkPackages.js" "$app" "${names[@]}"

step "running a small app on SQLite (app.mjs: an entity, a topic, a consumer)"
cp "$repo/.ci/install-check/app.js" "$app/app.mjs"
(cd "$app" && node app.mjs ./app.db)

parley="$app/node_modules/.bin/parley"
step "parley --help"
(cd "$app" && "$parley" --help) | grep -q 'demo' || fail "parley --help does not list the demo command"

step "parley demo cinema --reservations 100 --json"
store="sqlite:$app/cinema.db"
(cd "$app" && "$parley" demo cinema --reservations 100 --poison-wallets 0.1 --store "$store" --json) \
  >"$scratch/cinema.json" || fail "the cinema demo failed: $(cat "$scratch/cinema.json")"
dead=$(node -e "const r = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
  if (!r.settled || !Object.values(r.invariants).every(Boolean)) process.exit(1);
  process.stdout.write(String(r.deadLettered));" "$scratch/cinema.json") ||
  fail "the cinema demo's invariants do not hold: $(cat "$scratch/cinema.json")"
echo "  settled, invariants hold, $dead dead-lettered"

step "parley dlq list --store $store"
(cd "$app" && "$parley" dlq list --store "$store" --json) >"$scratch/dlq.json"
listed=$(node -e "process.stdout.write(String(JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).length))" \
  "$scratch/dlq.json")
[ "$listed" -eq "$dead" ] || fail "dlq list shows $listed dead letters, the demo reported $dead"
echo "  $listed dead letters"

step "parley dlq edit --app ./topics.ts (a TypeScript module, loaded through tsx)"
cat >"$app/topics.ts" <<'EOF'
import type { TopicDefinition } from '@parley/core';
import { showEvents, walletEvents } from '@parley/example-cinema';

export const topics: TopicDefinition[] = [showEvents, walletEvents];
EOF
id=$(node -e "process.stdout.write(JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'))[0].id)" \
  "$scratch/dlq.json")
# An empty payload breaks the message's schema, and the demo's dead letters are escalated, which cannot be edited:
# the command refuses either way, but gets that far only once the TypeScript module has loaded and declared its
# topics.
if (cd "$app" && "$parley" dlq edit "$id" --store "$store" --payload '{}' --app ./topics.ts --dry-run) \
  2>"$scratch/edit.err"; then
  fail "dlq edit of an escalated dead letter succeeded"
fi
grep -qE 'escalated|invalid edit of (SeatReserved|Wallet)' "$scratch/edit.err" || fail "dlq edit --app ./topics.ts: $(cat "$scratch/edit.err")"

step "parley console --store $store (serves /metrics to its token on 127.0.0.1, then stops)"
(cd "$app" && PARLEY_CONSOLE_TOKEN=install-check-token exec "$parley" console --store "$store" --port 0) \
  >"$scratch/console.out" 2>"$scratch/console.err" &
console_pid=$!
trap 'kill "$console_pid" 2>/dev/null || true; rm -rf "$scratch"' EXIT
for _ in $(seq 1 100); do
  grep -q '^Parley console at' "$scratch/console.out" && break
  sleep 0.2
done
console_url=$(sed -n 's|^Parley console at \(http://127\.0\.0\.1:[0-9]*\)/.*|\1|p' "$scratch/console.out")
[ -n "$console_url" ] || fail "parley console did not start: $(cat "$scratch/console.err")"
node -e "fetch(process.argv[1] + '/metrics', { headers: { authorization: 'Bearer install-check-token' } })
  .then(async (r) => { const t = await r.text(); if (r.status !== 200 || !t.includes('parley_dead_letters{')) {
    process.stderr.write(r.status + ' ' + t); process.exit(1); } });" "$console_url" ||
  fail "parley console /metrics: $(cat "$scratch/console.err")"
kill "$console_pid"
wait "$console_pid" || true
echo "  $console_url/metrics answered"

step "parley simulate cinema --seeds 3 --json (deterministic simulation from the installed packages, no test runner)"
(cd "$app" && "$parley" simulate cinema --seeds 3 --json) >"$scratch/simulate.json" ||
  fail "parley simulate cinema failed: $(cat "$scratch/simulate.json")"
node -e "const r = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
  if (r.seeds !== 3 || r.failed.length !== 0 || r.messages === 0) process.exit(1);" "$scratch/simulate.json" ||
  fail "parley simulate cinema: $(cat "$scratch/simulate.json")"
echo "  3 seeds, $(node -e "process.stdout.write(String(JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8')).messages))" "$scratch/simulate.json") simulated messages, every invariant held"

step "ok"
