"""A small serving app for a ledger model: loads MODEL@ALIAS with `mledger model pull`, answers predictions
that carry the model version, takes delayed labels, and exports Prometheus metrics for `mledger monitor scrape`.

    POST /predict  {"features": [x, y]}       -> {"id": ..., "prediction": 0|1, "model_version": "3"}
    POST /feedback {"id": ..., "label": 0|1}  -> the label arrives later; rolling accuracy per version
    POST /reload                              -> pulls MODEL@ALIAS again (after a promotion)
    GET  /metrics                             -> predictions_total, prediction_latency_seconds,
                                                 rolling_accuracy, feedback_total, all by model_version

Standard library HTTP server plus prometheus_client. Prints "serving MODEL vN on http://127.0.0.1:PORT".
"""

import argparse
import collections
import json
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from train import predict


class Model:
    """The pulled version and its weights; swapped whole on reload."""

    def __init__(self, mledger: str, name: str, alias: str):
        show = json.loads(subprocess.run([mledger, "model", "show", name, "--json"], check=True, capture_output=True, text=True).stdout)
        numbers = {a["alias"]: a.get("versionNumber") for a in show["aliases"]}
        if numbers.get(alias) is None:
            raise SystemExit(f"{name} has no version behind alias {alias}: promote one first")
        folder = tempfile.mkdtemp(prefix="serving-")
        subprocess.run([mledger, "model", "pull", f"{name}@{alias}", "--out", folder], check=True, capture_output=True)
        with open(f"{folder}/model.json") as f:
            self.weights = json.load(f)
        self.version = str(numbers[alias])


class App:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.model = Model(args.mledger, args.model, args.alias)
        # Predictions waiting for their label (bounded), and each version's last labelled outcomes.
        self.pending: collections.OrderedDict[str, tuple[str, int]] = collections.OrderedDict()
        self.outcomes: dict[str, collections.deque] = {}
        r = self.registry = CollectorRegistry()
        self.predictions = Counter("predictions", "Predictions served.", ["model_version"], registry=r)
        self.latency = Histogram("prediction_latency_seconds", "Time to answer a prediction.", ["model_version"], registry=r)
        self.accuracy = Gauge("rolling_accuracy", "Accuracy over the last labelled predictions.", ["model_version"], registry=r)
        self.feedback = Counter("feedback", "Labels received.", ["model_version"], registry=r)

    def predict(self, features: list[float]) -> dict:
        start = time.perf_counter()
        with self.lock:
            model = self.model
        label = predict(model.weights, features)
        pid = uuid.uuid4().hex
        with self.lock:
            self.pending[pid] = (model.version, label)
            while len(self.pending) > self.args.pending:
                self.pending.popitem(last=False)
        self.predictions.labels(model.version).inc()
        self.latency.labels(model.version).observe(time.perf_counter() - start)
        return {"id": pid, "prediction": label, "model_version": model.version}

    def label(self, pid: str, label: int) -> dict:
        with self.lock:
            found = self.pending.pop(pid, None)
            if found is None:
                return {"error": "unknown or expired prediction id"}
            version, predicted = found
            window = self.outcomes.setdefault(version, collections.deque(maxlen=self.args.window))
            window.append(predicted == label)
            accuracy = sum(window) / len(window)
        self.feedback.labels(version).inc()
        self.accuracy.labels(version).set(accuracy)
        return {"model_version": version, "rolling_accuracy": accuracy}

    def reload(self) -> dict:
        model = Model(self.args.mledger, self.args.model, self.args.alias)
        with self.lock:
            self.model = model
        return {"model_version": model.version}


def handler(app: App):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status: int, body: bytes, kind: str = "application/json"):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/metrics":
                return self.answer(200, generate_latest(app.registry), CONTENT_TYPE_LATEST)
            self.answer(404, b'{"error": "not found"}')

        def do_POST(self):
            try:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(min(length, 1 << 20)) or b"{}")
                if self.path == "/predict":
                    out = app.predict([float(v) for v in body["features"]])
                elif self.path == "/feedback":
                    out = app.label(str(body["id"]), int(body["label"]))
                elif self.path == "/reload":
                    out = app.reload()
                else:
                    return self.answer(404, b'{"error": "not found"}')
            except (KeyError, TypeError, ValueError) as e:
                return self.answer(400, json.dumps({"error": f"bad request: {e}"}).encode())
            self.answer(200, json.dumps(out).encode())

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--alias", default="production")
    ap.add_argument("--mledger", default="mledger", help="the mledger binary")
    ap.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    ap.add_argument("--window", type=int, default=50, help="labelled predictions in the rolling accuracy")
    ap.add_argument("--pending", type=int, default=100_000, help="predictions kept waiting for a label")
    args = ap.parse_args()
    app = App(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler(app))
    print(f"serving {args.model} v{app.model.version} on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
