"""Plain MLflow logging: params, metrics with steps, a batch, tags and an artifact.

Run against any MLflow tracking server, e.g. `mledger serve`:
    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python log_basic.py
Prints what it logged as JSON (one object) so it can be checked against what a server gives back.
"""
import json
import math
import os
import tempfile

import mlflow

mlflow.set_experiment(os.environ.get("MLFLOW_EXPERIMENT_NAME", "examples"))
logged = {"params": {}, "metrics": {}, "tags": {}, "artifacts": {}}

with mlflow.start_run(run_name="basic") as run:
    params = {"lr": "0.01", "optimizer": "adam", "layers": "3"}
    mlflow.log_params(params)
    mlflow.log_param("seed", 42)
    logged["params"] = {**params, "seed": "42"}

    for step in range(10):
        loss = math.exp(-0.3 * step)
        mlflow.log_metric("loss", loss, step=step)
        logged["metrics"].setdefault("loss", []).append([step, loss])
    # log_metrics sends one batch for several keys at once.
    mlflow.log_metrics({"acc": 0.91, "f1": 0.875}, step=9)
    logged["metrics"]["acc"] = [[9, 0.91]]
    logged["metrics"]["f1"] = [[9, 0.875]]

    mlflow.set_tags({"dataset": "digits-v2", "team": "vision"})
    logged["tags"] = {"dataset": "digits-v2", "team": "vision"}

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "notes.txt")
        with open(path, "w") as f:
            f.write("first try\n")
        mlflow.log_artifact(path)
        logged["artifacts"]["notes.txt"] = "first try\n"

print(json.dumps({"run_id": run.info.run_id, **logged}))
