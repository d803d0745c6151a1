"""Reads runs and a registered model back through the mlflow client and prints them as JSON.

    MLFLOW_TRACKING_URI=... python read_back.py --run RUN_ID [--run RUN_ID ...] [--model NAME]
Used by the tests to compare what a server returns with what the examples logged.
"""
import argparse
import json
import os
import tempfile
import warnings

import mlflow
from mlflow import MlflowClient

warnings.filterwarnings("ignore", category=FutureWarning)
parser = argparse.ArgumentParser()
parser.add_argument("--run", action="append", default=[])
parser.add_argument("--model")
args = parser.parse_args()
client = MlflowClient()
out = {"runs": {}, "model": None, "search": {}}

for run_id in args.run:
    run = client.get_run(run_id)
    metrics = {key: [[m.step, m.value] for m in sorted(client.get_metric_history(run_id, key), key=lambda m: (m.step, m.timestamp))]
               for key in run.data.metrics}
    artifacts = {}
    with tempfile.TemporaryDirectory() as tmp:
        local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="", dst_path=tmp)
        for root, _, files in os.walk(local):
            for f in files:
                path = os.path.join(root, f)
                with open(path) as h:
                    artifacts[os.path.relpath(path, local)] = h.read()
    out["runs"][run_id] = {
        "name": run.info.run_name, "status": run.info.status,
        "experiment": client.get_experiment(run.info.experiment_id).name,
        "params": run.data.params, "metrics": metrics, "latest": run.data.metrics,
        "tags": {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")},
        "artifacts": artifacts,
    }
    experiment_id = run.info.experiment_id
    found = client.search_runs([experiment_id], filter_string="metrics.loss < 10 and attributes.status = 'FINISHED'",
                               order_by=["metrics.loss ASC"])
    out["search"][run_id] = run_id in [r.info.run_id for r in found]

if args.model:
    # search_model_versions lists the versions; get_model_version gives each one's aliases too.
    versions = [client.get_model_version(args.model, v.version) for v in client.search_model_versions(f"name='{args.model}'")]
    model = client.get_registered_model(args.model)
    out["model"] = {
        "name": model.name, "description": model.description,
        "aliases": dict(sorted(model.aliases.items())),
        "versions": {v.version: {"stage": v.current_stage, "aliases": sorted(v.aliases), "run_id": v.run_id,
                                 "description": v.description or "", "tags": v.tags}
                     for v in versions},
        "by_alias": {a: client.get_model_version_by_alias(args.model, a).version for a in model.aliases},
    }
print(json.dumps(out, sort_keys=True))
