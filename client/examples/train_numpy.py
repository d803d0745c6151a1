"""A small training loop: logistic regression with numpy on synthetic data, logged with mlflow.

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python train_numpy.py --epochs 30 --lr 0.5
Under `mledger run --experiment digits -- python train_numpy.py`, mlflow.start_run() continues the
run mledger started (MLFLOW_RUN_ID). Saves the weights as the artifact model/weights.json.
"""
import argparse
import json
import os
import tempfile

import mlflow
import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--lr", type=float, default=0.5)
parser.add_argument("--seed", type=int, default=7)
args = parser.parse_args()

rng = np.random.default_rng(args.seed)
x = rng.normal(size=(400, 5))
true_w = np.array([1.5, -2.0, 0.5, 0.0, 1.0])
y = (x @ true_w + rng.normal(scale=0.5, size=400) > 0).astype(float)

mlflow.set_experiment(os.environ.get("MLFLOW_EXPERIMENT_NAME", "examples"))
logged = {"params": {}, "metrics": {}, "tags": {}, "artifacts": {}}
with mlflow.start_run(run_name=os.environ.get("RUN_NAME", "numpy-logreg")) as run:
    logged["params"] = {"epochs": str(args.epochs), "lr": str(args.lr), "seed": str(args.seed)}
    mlflow.log_params(logged["params"])
    w = np.zeros(5)
    for epoch in range(args.epochs):
        p = 1 / (1 + np.exp(-(x @ w)))
        w -= args.lr * x.T @ (p - y) / len(y)
        loss = float(-np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)))
        acc = float(np.mean((p > 0.5) == y))
        mlflow.log_metrics({"loss": loss, "acc": acc}, step=epoch)
        logged["metrics"].setdefault("loss", []).append([epoch, loss])
        logged["metrics"].setdefault("acc", []).append([epoch, acc])
    mlflow.set_tag("model_type", "logistic-regression")
    logged["tags"]["model_type"] = "logistic-regression"
    with tempfile.TemporaryDirectory() as tmp:
        weights = json.dumps([round(float(v), 6) for v in w])
        with open(os.path.join(tmp, "weights.json"), "w") as f:
            f.write(weights)
        mlflow.log_artifact(os.path.join(tmp, "weights.json"), artifact_path="model")
        logged["artifacts"]["model/weights.json"] = weights

print(json.dumps({"run_id": run.info.run_id, **logged}))
