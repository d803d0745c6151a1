#!/usr/bin/env bash
# The main job end to end: a relay with its embedded SQLite store, a team lead and a data scientist
# logging runs offline and syncing, a model promoted with reasons and deployed, a production alert, the
# audit trail, and a verification
# of the whole history. The relay keeps running afterwards; the script prints how to stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
bin="$root/.build/debug/mledger"
relay_bin="$root/.build/debug/mledger-relay"
demo="$root/demo"

if [ -f "$demo/relay.pid" ]; then kill "$(cat "$demo/relay.pid")" 2>/dev/null || true; fi
rm -rf "$demo"
mkdir -p "$demo/project" "$demo/bob"
# The demo keeps its own identities, so it never touches yours.
export MLEDGER_CONFIG_DIR="$demo/config"
cd "$demo/project"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
as_bob() { (cd "$demo/bob" && MLEDGER_CONFIG_DIR="$demo/bob-config" "$bin" "$@"); }

step "$bin" init --team vision --name "Ada Lovelace" --email ada@example.org
team=$("$bin" team list --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["team"])')

# The relay: one command, embedded store, a free port on 127.0.0.1.
"$relay_bin" serve --data "$demo/relay" --port 0 --team "$team" > "$demo/relay.log" 2>&1 &
echo $! > "$demo/relay.pid"
for _ in $(seq 50); do grep -q listening "$demo/relay.log" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$demo/relay.log")
step "$bin" remote add origin "$url"
step "$bin" team protect production --role maintainer
step "$bin" experiment create mnist --description "Digit classifier baselines"

runs=()
for lr in 0.1 0.01 0.001; do
    run=$("$bin" run start --experiment mnist --name "lr=$lr")
    runs+=("$run")
    "$bin" run log-param "$run" lr=$lr epochs=20 optimizer=adam
    # A training loop streaming one JSON line per epoch into a batched, signed event stream.
    python3 - "$lr" <<'PY' | "$bin" run log-batch "$run"
import json, math, sys
lr = float(sys.argv[1])
for epoch in range(1, 21):
    loss = math.exp(-epoch * lr * 8) + 0.05
    print(json.dumps({"step": epoch, "metrics": {"loss": round(loss, 5), "acc": round(1 - loss / 2, 5)}}))
PY
    printf 'weights for lr=%s\n' "$lr" > model.bin
    "$bin" run artifact "$run" model.bin >/dev/null
    "$bin" run finish "$run"
done

step "$bin" run list
step "$bin" run compare "${runs[0]:0:8}" "${runs[1]:0:8}" "${runs[2]:0:8}"
step "$bin" model create digits --description "Handwritten digit classifier"
step "$bin" model version create digits --run "${runs[0]:0:8}"
step "$bin" model version create digits --run "${runs[1]:0:8}"
step "$bin" model promote digits 1 --to staging --reason "fastest convergence" --evidence "acc=0.97"
step "$bin" model promote digits 2 --to production --reason "best final accuracy on holdout" --evidence "run:${runs[1]:0:8}"
step "$bin" comment add digits@2 "checked on the March holdout set"
step "$bin" model show digits
step "$bin" audit digits
step "$bin" sync

# A data scientist joins, works offline, and syncs.
bob_key=$(MLEDGER_CONFIG_DIR="$demo/bob-config" "$bin" identity create --name "Bob Tester" >/dev/null &&
          MLEDGER_CONFIG_DIR="$demo/bob-config" "$bin" identity show --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["publicKey"])')
step "$bin" team add "$bob_key" --role writer --name "Bob Tester"
step "$bin" sync
printf '\n\033[1m$ (bob) mledger init --join %s\033[0m\n' "$url"; as_bob init --join "$url"
bob_run=$(as_bob run start --experiment mnist --name "bob: wider net")
as_bob run log-param "$bob_run" lr=0.01 epochs=20 width=512 >/dev/null
printf '{"step": 20, "metrics": {"loss": 0.08, "acc": 0.982}}\n' | as_bob run log-batch "$bob_run" >/dev/null
as_bob run finish "$bob_run"
printf '\n\033[1m$ (bob) mledger model promote digits 2 --to production ...\033[0m\n'
as_bob model promote digits 2 --to production --reason "bob tries" || echo "(refused: production is protected for maintainers)"
printf '\n\033[1m$ (bob) mledger sync\033[0m\n'; as_bob sync
step "$bin" sync
step "$bin" run list
step "$bin" model pull digits@production --out "$demo/serving"
# In production: the deployment, its production accuracy, a rule that fires when it degrades.
step "$bin" deploy record digits@production --env production --target "$demo/serving" --reason "v2 rolled out after the holdout check"
step "$bin" monitor log --env production accuracy=0.97
step "$bin" monitor rule add digits --env production --metric accuracy --below 0.9 --for 0s
step "$bin" monitor log --env production accuracy=0.72
step "$bin" monitor watch --once
step "$bin" deploy status
step "$bin" verify

dashboard=$("$bin" open --page /models --no-browser)

echo
echo "Dashboard: $dashboard"
echo "  (a sign-in link signed by Ada's key, valid once for five minutes; for a new one:"
echo "   cd $demo/project && MLEDGER_CONFIG_DIR=$demo/config $bin open)"
echo "Local dashboard, offline: cd $demo/project && MLEDGER_CONFIG_DIR=$demo/config $bin ui"
echo "Relay: $url  (health: $url/healthz, metrics: $url/metrics; stop it with: kill \$(cat $demo/relay.pid))"
echo "Workspace: $demo/project (try: cd $demo/project && MLEDGER_CONFIG_DIR=$demo/config $bin audit digits)"
