"""Logs one large artifact through the mlflow client and downloads it back, hashing both sides.

The file is sparse (made with truncate, its bytes zeros past a random head), so making it costs no disk
time; the server still receives and stores every byte. Prints one JSON line: the size, and the SHA-256
of the file sent and of the file read back.

    python large_artifact.py SIZE_BYTES
"""
import hashlib
import json
import os
import sys
import tempfile

import mlflow


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def main():
    size = int(sys.argv[1])
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "weights.bin")
        with open(path, "wb") as f:
            f.write(os.urandom(4096))
            f.truncate(size)
        with mlflow.start_run() as run:
            mlflow.log_artifact(path, artifact_path="large")
        back = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="large/weights.bin",
                                                   dst_path=os.path.join(folder, "back"))
        print(json.dumps({"size": os.path.getsize(back), "sent": sha256(path), "received": sha256(back)}))


if __name__ == "__main__":
    main()
