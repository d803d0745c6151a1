"""MLflow's proxied multipart upload and artifact deletes, through the mlflow client.

With MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD on and 1 MiB parts, the client uploads a 5 MiB file in parts
where the server supports it (`mledger serve` does; `mlflow server` with a local store answers that it
does not, and the client falls back to one PUT). Then one folder and one file of the run's artifacts are
deleted. Prints one JSON line: whether the parts path was taken, whether the bytes read back are the
bytes sent, and the artifact listing before and after the deletes.
"""
import hashlib
import json
import os
import tempfile

os.environ["MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD"] = "true"
os.environ["MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE"] = str(1 << 20)
os.environ["MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE"] = str(1 << 20)

import mlflow  # noqa: E402
from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository  # noqa: E402
from mlflow.store.artifact.http_artifact_repo import HttpArtifactRepository  # noqa: E402

completed = []
_complete = HttpArtifactRepository.complete_multipart_upload


def _counting_complete(self, *args, **kwargs):
    result = _complete(self, *args, **kwargs)
    completed.append(True)
    return result


HttpArtifactRepository.complete_multipart_upload = _counting_complete


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def listing(client, run_id, folder=""):
    out = []
    for f in client.list_artifacts(run_id, folder or None):
        out.extend(listing(client, run_id, f.path) if f.is_dir else [f.path])
    return sorted(out)


def main():
    client = mlflow.MlflowClient()
    with tempfile.TemporaryDirectory() as folder:
        big = os.path.join(folder, "big.bin")
        with open(big, "wb") as f:
            f.write(os.urandom(5 * (1 << 20) + 123))
        notes = os.path.join(folder, "notes")
        os.makedirs(notes)
        for name in ("a.txt", "b.txt"):
            with open(os.path.join(notes, name), "w") as f:
                f.write(name)
        with mlflow.start_run() as run:
            mlflow.log_artifact(big, artifact_path="weights")
            mlflow.log_artifacts(notes, artifact_path="notes")
            mlflow.log_text("kept", "keep.txt")
            mlflow.log_text("gone", "gone.txt")
        run_id = run.info.run_id
        back = client.download_artifacts(run_id, "weights/big.bin", os.path.join(folder, "back"))
        before = listing(client, run_id)
        repo = get_artifact_repository(run.info.artifact_uri)
        repo.delete_artifacts("notes")
        repo.delete_artifacts("gone.txt")
        after = listing(client, run_id)
        print(json.dumps({"multipart": bool(completed), "same_bytes": sha256(back) == sha256(big),
                          "before": before, "after": after}))


if __name__ == "__main__":
    main()
