"""Reads everything a tracking server holds through the real mlflow client and prints it as one JSON
line with no server-specific ids (runs are named by experiment and run name, logged models by name), so
the snapshots of an MLflow server and of `mledger serve` after `mledger import mlflow` compare equal.

    MLFLOW_TRACKING_URI=... python snapshot.py
"""
import hashlib
import json
import math
import os
import tempfile
import warnings

import mlflow
from mlflow import MlflowClient

warnings.filterwarnings("ignore")
client = MlflowClient()


def number(v):
    # JSON has no NaN or infinity, and -0.0 must stay distinct from 0.0: compare bit patterns as text.
    return v.hex() if isinstance(v, float) else v


def text(v):
    # MLflow's file store says None where its SQL stores and `mledger serve` say "" (no description,
    # no user, no model type): the same absence.
    return v or ""


def files(download):
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        local = download(tmp)
        for root, _, names in os.walk(local):
            for f in names:
                path = os.path.join(root, f)
                with open(path, "rb") as h:
                    out[os.path.relpath(path, local)] = hashlib.sha256(h.read()).hexdigest()
    return out


run_names = {}
experiments = {}
for e in client.search_experiments(view_type=mlflow.entities.ViewType.ALL):
    runs = {}
    for r in client.search_runs([e.experiment_id], run_view_type=mlflow.entities.ViewType.ACTIVE_ONLY, max_results=50000):
        name = r.info.run_name
        run_names[r.info.run_id] = f"{e.name}/{name}"
        history = {}
        for key in r.data.metrics:
            points = client.get_metric_history(r.info.run_id, key)
            history[key] = sorted([m.step, m.timestamp, number(m.value)] for m in points)
        inputs = sorted(
            [d.dataset.name, d.dataset.digest, d.dataset.source_type, d.dataset.source, d.dataset.schema, d.dataset.profile,
             sorted((t.key, t.value) for t in d.tags)]
            for d in r.inputs.dataset_inputs)
        runs[name] = {
            "status": r.info.status, "start": r.info.start_time, "end": r.info.end_time, "user": r.info.user_id,
            "params": r.data.params, "tags": r.data.tags, "history": history, "inputs": inputs,
            "artifacts": files(lambda tmp: mlflow.artifacts.download_artifacts(run_id=r.info.run_id, artifact_path="", dst_path=tmp)),
        }
    logged = {}
    if e.lifecycle_stage == "active":
        for m in mlflow.search_logged_models(experiment_ids=[e.experiment_id], output_format="list"):
            logged[m.name + " of " + run_names.get(m.source_run_id, "?")] = {
                "status": str(m.status), "params": m.params, "tags": m.tags, "model_type": text(m.model_type),
                "artifacts": files(lambda tmp: mlflow.artifacts.download_artifacts(artifact_uri=m.artifact_location, dst_path=tmp)),
            }
    experiments[e.name] = {"lifecycle": e.lifecycle_stage, "tags": e.tags, "runs": runs, "logged_models": logged}

models = {}
for m in client.search_registered_models():
    versions = {}
    for found in client.search_model_versions(f"name='{m.name}'"):
        v = client.get_model_version(m.name, found.version)  # search leaves the aliases out
        versions[v.version] = {
            "stage": v.current_stage, "description": text(v.description), "tags": v.tags, "aliases": sorted(v.aliases),
            "run": run_names.get(v.run_id), "user": text(v.user_id),
            "files": files(lambda tmp: mlflow.artifacts.download_artifacts(artifact_uri=f"models:/{m.name}/{v.version}", dst_path=tmp)),
        }
    models[m.name] = {"description": text(m.description), "tags": m.tags, "aliases": m.aliases, "versions": versions}

print(json.dumps({"experiments": experiments, "models": models, "runs": len(run_names)}, sort_keys=True))
