#!/bin/sh
# The retraining a monitoring rule starts (`mledger monitor rule add ... --then run "sh retrain.sh digits"`):
# a run tagged with the alert that started it (mledger run reads MLEDGER_ALERT), a model trained on the
# fresh labels, a new version from that run, promoted with a reason that names the alert.
# MLEDGER (the binary) and PYTHON may be set; the watcher sets MLEDGER_ALERT and MLEDGER_ALERT_SUMMARY.
set -eu
model=${1:?usage: retrain.sh MODEL}
mledger=${MLEDGER:-mledger}
python=${PYTHON:-python3}
here=$(cd "$(dirname "$0")" && pwd)
run=$("$mledger" run start --experiment "$model" --name "retrain after alert ${MLEDGER_ALERT:-none}" --command "retrain.sh $model")
out=$(mktemp -d)
accuracy=$("$python" "$here/train.py" --flipped --out "$out/model.json" | "$python" -c 'import json,sys; print(json.load(sys.stdin)["accuracy"])')
"$mledger" run log-metric "$run" accuracy "$accuracy"
"$mledger" run artifact "$run" "$out/model.json"
"$mledger" run finish "$run"
created=$("$mledger" model version create "$model" --run "$run")
version=$(echo "$created" | sed -n 's/^Created .* v\([0-9]*\) .*/\1/p')
"$mledger" model promote "$model" "$version" --to production \
    --reason "retrained on fresh labels after alert ${MLEDGER_ALERT:-none}: ${MLEDGER_ALERT_SUMMARY:-}" \
    --evidence "run:$run" --evidence "accuracy=$accuracy"
echo "retrained $model v$version (accuracy $accuracy)"
