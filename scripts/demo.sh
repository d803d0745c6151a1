#!/usr/bin/env bash
# The main job end to end on the embedded store: a team ledger, runs with params, metrics and
# artifacts, a model promoted with reasons, the audit trail, and a verification of the whole history.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
bin="$root/.build/debug/mledger"
demo="$root/demo"

rm -rf "$demo"
mkdir -p "$demo/project"
# The demo keeps its own identity, so it never touches yours.
export MLEDGER_CONFIG_DIR="$demo/config"
cd "$demo/project"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$bin" init --team vision --name "Ada Lovelace" --email ada@example.org
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
step "$bin" model pull digits@production --out "$demo/serving"
step "$bin" verify

echo
echo "Workspace: $demo/project (try: cd $demo/project && MLEDGER_CONFIG_DIR=$demo/config $bin run show ${runs[1]:0:8})"
