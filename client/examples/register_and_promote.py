"""Register a model version from a run and promote it, giving the reason as a version tag.

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python register_and_promote.py RUN_ID digits

On `mledger serve` every stage or alias change is a signed promotion whose reason comes from the
version's `mledger.reason` tag (or its description); `mledger audit digits` shows who moved what and why.
Version 2 is promoted without any reason, which the audit trail flags as REASON MISSING.
"""
import json
import sys
import warnings

from mlflow import MlflowClient

warnings.filterwarnings("ignore", category=FutureWarning)  # stages are deprecated in MLflow 3, still used widely
run_id, name = sys.argv[1], sys.argv[2]
client = MlflowClient()
client.create_registered_model(name, description="digit classifier")

v1 = client.create_model_version(name, source=f"runs:/{run_id}/model", run_id=run_id, description="numpy baseline")
client.set_model_version_tag(name, v1.version, "mledger.reason", "acc above 0.9 on the held-out split")
client.transition_model_version_stage(name, v1.version, "Staging")
client.transition_model_version_stage(name, v1.version, "Production")
client.set_registered_model_alias(name, "champion", v1.version)

v2 = client.create_model_version(name, source=f"runs:/{run_id}/model", run_id=run_id)
client.set_registered_model_alias(name, "challenger", v2.version)
client.transition_model_version_stage(name, v2.version, "Staging")

print(json.dumps({
    "model": name,
    "versions": {v1.version: {"stage": "Production", "aliases": ["champion"], "run_id": run_id,
                              "description": "numpy baseline", "tags": {"mledger.reason": "acc above 0.9 on the held-out split"}},
                 v2.version: {"stage": "Staging", "aliases": ["challenger"], "run_id": run_id,
                              "description": "", "tags": {}}},
}))
