"""The classic MLflow client calls around deletes, restores, renames and tags, unchanged for mledger:
experiment tags (one removed), a run tag removed, a run deleted and restored, a registered model's
description and tags, a version's description updated, a version tag removed, a version deleted, the
model renamed and deleted, the experiment renamed, deleted and restored. Prints one JSON line of what the client read
back at each step (no ids, so two servers' outputs compare equal).
"""
import json

import mlflow
from mlflow import MlflowClient
from mlflow.entities import ViewType

client = MlflowClient()
experiment_id = client.create_experiment("classic-api")
client.set_experiment_tag(experiment_id, "team", "vision")
client.set_experiment_tag(experiment_id, "temp", "x")
client.delete_experiment_tag(experiment_id, "temp")
back = {"experiment_tags": {k: v for k, v in client.get_experiment(experiment_id).tags.items() if not k.startswith("mlflow.")}}

run = client.create_run(experiment_id, run_name="to-delete")
client.set_tag(run.info.run_id, "kept", "yes")
client.set_tag(run.info.run_id, "temp", "x")
client.delete_tag(run.info.run_id, "temp")
back["run_tags"] = {k: v for k, v in client.get_run(run.info.run_id).data.tags.items() if not k.startswith("mlflow.")}
client.log_metric(run.info.run_id, "loss", 0.5)
client.set_terminated(run.info.run_id)
client.delete_run(run.info.run_id)
back["deleted_run_stage"] = client.get_run(run.info.run_id).info.lifecycle_stage
back["active_after_delete"] = len(client.search_runs([experiment_id]))
back["deleted_listed"] = len(client.search_runs([experiment_id], run_view_type=ViewType.DELETED_ONLY))
client.restore_run(run.info.run_id)
back["active_after_restore"] = len(client.search_runs([experiment_id]))

client.create_registered_model("classic-model")
client.update_registered_model("classic-model", description="a model for the classic calls")
client.set_registered_model_tag("classic-model", "owner", "ada")
client.set_registered_model_tag("classic-model", "temp", "x")
client.delete_registered_model_tag("classic-model", "temp")
model = client.get_registered_model("classic-model")
back["model_description"] = model.description
back["model_tags"] = model.tags
first = client.create_model_version("classic-model", f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
second = client.create_model_version("classic-model", f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
client.set_model_version_tag("classic-model", first.version, "checked", "yes")
client.set_model_version_tag("classic-model", first.version, "temp", "x")
client.delete_model_version_tag("classic-model", first.version, "temp")
back["version_tags"] = client.get_model_version("classic-model", first.version).tags
client.update_model_version("classic-model", first.version, description="the first, checked")
back["version_description"] = client.get_model_version("classic-model", first.version).description
client.delete_model_version("classic-model", second.version)
back["versions_after_delete"] = sorted(v.version for v in client.search_model_versions("name='classic-model'"))
client.rename_registered_model("classic-model", "classic-model-renamed")
back["renamed_model"] = client.get_registered_model("classic-model-renamed").name
back["renamed_model_versions"] = sorted(v.version for v in client.search_model_versions("name='classic-model-renamed'"))
back["renamed_model_description"] = client.get_registered_model("classic-model-renamed").description
client.delete_registered_model("classic-model-renamed")
back["models_after_delete"] = [m.name for m in client.search_registered_models() if m.name.startswith("classic-model")]

client.rename_experiment(experiment_id, "classic-api-renamed")
back["renamed_experiment"] = client.get_experiment(experiment_id).name
back["renamed_by_name"] = client.get_experiment_by_name("classic-api-renamed").experiment_id == experiment_id
back["old_name_found"] = client.get_experiment_by_name("classic-api") is not None
client.delete_experiment(experiment_id)
back["experiment_stage"] = client.get_experiment(experiment_id).lifecycle_stage
back["experiment_listed"] = "classic-api-renamed" in [e.name for e in client.search_experiments()]
client.restore_experiment(experiment_id)
back["experiment_listed_after_restore"] = "classic-api-renamed" in [e.name for e in client.search_experiments()]
print(json.dumps(back, sort_keys=True))
