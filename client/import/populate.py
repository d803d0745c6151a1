"""Fills an MLflow tracking server through the real client with what `mledger import mlflow` must bring
over: several experiments (names, tags and values with unicode, quotes and HTML), runs with metric
histories, params, tags, a dataset input and artifacts, a failed and a deleted run, a logged sklearn
model, registered models with versions, descriptions, tags, an alias and stages (one archived).

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python populate.py [--bulk-runs N --bulk-points P]
Prints one JSON line: the number of runs it made.
"""
import argparse
import json
import math
import os
import tempfile
import warnings

import mlflow
import mlflow.sklearn
from mlflow import MlflowClient

warnings.filterwarnings("ignore")
parser = argparse.ArgumentParser()
parser.add_argument("--bulk-runs", type=int, default=0)
parser.add_argument("--bulk-points", type=int, default=0)
args = parser.parse_args()
client = MlflowClient()
tricky = 'naïve "quoted" <b>bold</b> & \'single\' 日本語 ✓'
runs = 0

exp_a = client.create_experiment("vision <script>alert(1)</script> \"ü\"", tags={"team": tricky, "mlflow.note.content": "A note: <i>html</i>"})
exp_b = client.create_experiment("plain-experiment")
client.set_experiment_tag(exp_b, "purpose", "baseline runs")

with tempfile.TemporaryDirectory() as tmp:
    for i, (exp, name) in enumerate([(exp_a, f"run «{tricky}»"), (exp_a, "second run"), (exp_b, "baseline")]):
        with mlflow.start_run(experiment_id=exp, run_name=name) as run:
            runs += 1
            mlflow.log_params({"lr": 0.01 * (i + 1), "optimizer": tricky, "layers": "[64, 32]"})
            mlflow.set_tags({"owner": tricky, "stage": f"<i>{i}</i>"})
            for step in range(25):
                mlflow.log_metrics({"loss": 1.0 / (step + 1) + i, "acc": 0.1 * step / 3}, step=step)
            mlflow.log_metric("odd values", float("nan"), step=0)
            mlflow.log_metric("odd values", float("inf"), step=1)
            mlflow.log_metric("odd values", -0.0, step=2)
            mlflow.log_metric("odd values", 0.1 + 0.2, step=3)
            mlflow.log_metric("odd values", 1e-308, step=3)
            path = os.path.join(tmp, f"notes-{i}.txt")
            with open(path, "w") as f:
                f.write(f"notes of {name}\n{tricky}\n")
            mlflow.log_artifact(path)
            os.makedirs(os.path.join(tmp, f"plots-{i}", "deep"), exist_ok=True)
            with open(os.path.join(tmp, f"plots-{i}", "deep", "chart.bin"), "wb") as f:
                f.write(bytes(range(256)) * (i + 1))
            mlflow.log_artifacts(os.path.join(tmp, f"plots-{i}"), artifact_path="plots")
            if i == 0:
                import pandas as pd
                frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0, 1, 0]})
                mlflow.log_input(mlflow.data.from_pandas(frame, name="tiny «data»", targets="y"), context="training")

    with mlflow.start_run(experiment_id=exp_b, run_name="failing") as run:
        runs += 1
        mlflow.log_param("seed", "7")
        mlflow.log_metric("loss", 3.5, step=0)
    client.set_terminated(run.info.run_id, status="FAILED")
    with mlflow.start_run(experiment_id=exp_b, run_name="thrown away") as run:
        mlflow.log_param("seed", "8")
    client.delete_run(run.info.run_id)

    # A logged sklearn model, registered twice (versions 1 and 2) and once more from another run.
    from sklearn.linear_model import LogisticRegression
    model = LogisticRegression(max_iter=200).fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    mlflow.set_experiment(experiment_id=exp_b)
    versions = []
    for k in range(3):
        with mlflow.start_run(run_name=f"sklearn {k}") as run:
            runs += 1
            mlflow.log_param("C", str(1.0 + k))
            mlflow.log_metric("accuracy", 0.9 + k / 100)
            info = mlflow.sklearn.log_model(model, name="model", registered_model_name="digits «ü» <v>")
            versions.append(info.registered_model_version)

name = "digits «ü» <v>"
client.update_registered_model(name, description=f"Digit classifier: {tricky}")
client.set_registered_model_tag(name, "domain", tricky)
client.update_model_version(name, versions[0], description="first <b>version</b>")
client.set_model_version_tag(name, versions[0], "validated", "yes \"really\"")
client.transition_model_version_stage(name, versions[0], "Archived")
client.transition_model_version_stage(name, versions[1], "Staging")
client.transition_model_version_stage(name, versions[2], "Production")
client.set_registered_model_alias(name, "champion", versions[1])

other = client.create_registered_model("empty-model", description="no versions yet")

for b in range(args.bulk_runs):
    with mlflow.start_run(experiment_id=exp_b, run_name=f"bulk {b}") as run:
        runs += 1
        mlflow.log_param("index", str(b))
        ts = 1_700_000_000_000 + b
        metrics = [mlflow.entities.Metric("curve", math.sin(s / 7.0) + b, ts + s, s) for s in range(args.bulk_points)]
        for start in range(0, len(metrics), 1000):
            client.log_batch(run.info.run_id, metrics=metrics[start:start + 1000])

print(json.dumps({"runs": runs}))
