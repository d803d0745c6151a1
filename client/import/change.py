"""Changes what populate.py made, as a team keeps working in MLflow after a first import: removes and
sets run, experiment, registered model and version tags, and rewrites a version's description, so the
next `mledger import mlflow` must carry each change over.

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python change.py
Prints one JSON line: the number of changes it made.
"""
import json
import warnings

from mlflow import MlflowClient

warnings.filterwarnings("ignore")
client = MlflowClient()
changes = 0

plain = client.get_experiment_by_name("plain-experiment")
client.delete_experiment_tag(plain.experiment_id, "purpose")
client.set_experiment_tag(plain.experiment_id, "review", "done <ok>")
changes += 2

run = client.search_runs([plain.experiment_id], filter_string="attributes.run_name = 'baseline'")[0]
client.delete_tag(run.info.run_id, "stage")
client.set_tag(run.info.run_id, "reviewed", "yes")
changes += 2

name = "digits «ü» <v>"
client.delete_registered_model_tag(name, "domain")
client.delete_model_version_tag(name, "1", "validated")
client.set_model_version_tag(name, "2", "checked", "by bo")
client.update_model_version(name, "1", description="first version, retired")
changes += 4

print(json.dumps({"changes": changes}))
