"""A typical MLflow 3 scikit-learn training script, unchanged for mledger: params, the training data as
a dataset input, metrics, a confusion matrix, the model logged and registered, an alias, the model
loaded back by alias to predict, autolog, and searches. Prints one JSON line of what it read back
(no ids, so two servers' outputs compare equal).

    python sklearn_mlflow3.py [MODEL_NAME]
"""
import json
import sys
import warnings

import mlflow
import mlflow.sklearn
from mlflow import MlflowClient
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix

warnings.filterwarnings("ignore")
name = sys.argv[1] if len(sys.argv) > 1 else "iris-classifier"
experiment = mlflow.set_experiment("sklearn-mlflow3")
client = MlflowClient()

frame = load_iris(as_frame=True).frame
train = frame.sample(frac=0.8, random_state=0)
test = frame.drop(train.index)
features = [c for c in frame.columns if c != "target"]

with mlflow.start_run(run_name="logreg") as run:
    params = {"C": 0.5, "max_iter": 300}
    mlflow.log_params(params)
    dataset = mlflow.data.from_pandas(train, name="iris-train", targets="target")
    mlflow.log_input(dataset, context="training")
    model = LogisticRegression(**params).fit(train[features], train["target"])
    predicted = model.predict(test[features])
    mlflow.log_metric("accuracy", accuracy_score(test["target"], predicted))
    matrix = confusion_matrix(test["target"], predicted).tolist()
    mlflow.log_dict({"confusion_matrix": matrix}, "eval/confusion_matrix.json")
    info = mlflow.sklearn.log_model(model, name="model", registered_model_name=name)

version = info.registered_model_version
client.set_registered_model_alias(name, "champion", version)
loaded = mlflow.pyfunc.load_model(f"models:/{name}@champion")
by_number = mlflow.pyfunc.load_model(f"models:/{name}/{version}")
same_predictions = (list(loaded.predict(test[features])) == list(predicted)
                    and list(by_number.predict(test[features])) == list(predicted))

mlflow.sklearn.autolog(silent=True)
with mlflow.start_run(run_name="autolog") as auto_run:
    LogisticRegression(C=1.0, max_iter=300).fit(train[features], train["target"])
mlflow.sklearn.autolog(disable=True)

back = client.get_run(run.info.run_id)
inputs = [{"name": d.dataset.name, "digest": d.dataset.digest, "source_type": d.dataset.source_type,
           "context": {t.key: t.value for t in d.tags}.get("mlflow.data.context")} for d in back.inputs.dataset_inputs]
runs = mlflow.search_runs(experiment_ids=[experiment.experiment_id], output_format="list")
logged = mlflow.search_logged_models(experiment_ids=[experiment.experiment_id], output_format="list")
auto_models = [m for m in logged if m.source_run_id == auto_run.info.run_id]
registered = client.get_model_version_by_alias(name, "champion")

print(json.dumps({
    "params": back.data.params,
    "metrics": sorted(back.data.metrics),
    "inputs": inputs,
    "artifacts": sorted(f.path for f in client.list_artifacts(run.info.run_id)),
    "confusion_matrix": mlflow.artifacts.load_dict(f"{run.info.artifact_uri}/eval/confusion_matrix.json")["confusion_matrix"],
    "matrix_logged": matrix,
    "version": version,
    "alias_version": registered.version,
    "version_source": registered.source == f"models:/{info.model_id}" or registered.source,
    "same_predictions": bool(same_predictions),
    "autolog_model": [(m.name, str(m.status)) for m in auto_models],
    "autolog_params": sorted(client.get_run(auto_run.info.run_id).data.params)[:5],
    "runs": sorted(r.info.run_name for r in runs),
    "logged_models": sorted((m.name, str(m.status), m.source_run_id == run.info.run_id) for m in logged),
    "model_files": sorted(f.path for f in mlflow.artifacts.list_artifacts(f"models:/{name}/{version}")),
}, sort_keys=True))
