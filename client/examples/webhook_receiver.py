"""A webhook receiver written for MLflow 3, which verifies deliveries from the mledger relay and from
`mledger serve` unchanged.

It checks X-MLflow-Signature the way MLflow documents it: `v1,` then the base64 of HMAC-SHA256, keyed
with the secret, over `delivery_id.timestamp.payload`; refuses stale timestamps; and drops a delivery id
it has already handled (retries keep their id). Every request is appended to --log as one JSON line.

    HOOK_SECRET=... python webhook_receiver.py --port 9000 --secret-env HOOK_SECRET --log hooks.jsonl

--mode-file names a file read on every request, for fault tests: `ok` (default), `500` (answer 500),
`slow SECONDS` (answer after a pause).
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:  # MLflow's own names for the headers, when mlflow is installed.
    from mlflow.webhooks.constants import (
        WEBHOOK_DELIVERY_ID_HEADER,
        WEBHOOK_SIGNATURE_HEADER,
        WEBHOOK_SIGNATURE_VERSION,
        WEBHOOK_TIMESTAMP_HEADER,
    )
except ImportError:
    WEBHOOK_SIGNATURE_HEADER = "X-MLflow-Signature"
    WEBHOOK_TIMESTAMP_HEADER = "X-MLflow-Timestamp"
    WEBHOOK_DELIVERY_ID_HEADER = "X-MLflow-Delivery-Id"
    WEBHOOK_SIGNATURE_VERSION = "v1"

try:  # MLflow's own signing function, to check ours byte for byte (tests); absent without mlflow.
    from mlflow.webhooks.delivery import _generate_hmac_signature as mlflow_signature
except ImportError:
    mlflow_signature = None

MAX_AGE_SECONDS = 300


def signature_is_valid(secret, payload, signature, delivery_id, timestamp):
    """MLflow's scheme: HMAC-SHA256 over f"{delivery_id}.{timestamp}.{payload}", base64, prefixed 'v1,'."""
    prefix = f"{WEBHOOK_SIGNATURE_VERSION},"
    if not signature or not signature.startswith(prefix):
        return False
    content = f"{delivery_id}.{timestamp}.{payload}".encode("utf-8")
    expected = base64.b64encode(hmac.new(secret.encode("utf-8"), content, hashlib.sha256).digest()).decode("utf-8")
    return hmac.compare_digest(expected, signature[len(prefix):])


def timestamp_is_fresh(timestamp):
    try:
        return abs(time.time() - int(timestamp)) <= MAX_AGE_SECONDS
    except (TypeError, ValueError):
        return False


class Receiver(BaseHTTPRequestHandler):
    lock = threading.Lock()
    seen = set()

    def log_message(self, *args):
        pass

    def mode(self):
        path = self.server.options.mode_file
        if not path or not os.path.exists(path):
            return ["ok"]
        with open(path) as f:
            return f.read().split() or ["ok"]

    def append(self, entry):
        with Receiver.lock, open(self.server.options.log, "a") as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        delivery_id = self.headers.get(WEBHOOK_DELIVERY_ID_HEADER)
        timestamp = self.headers.get(WEBHOOK_TIMESTAMP_HEADER)
        verified = signature_is_valid(
            self.server.secret, body.decode("utf-8"), self.headers.get(WEBHOOK_SIGNATURE_HEADER), delivery_id, timestamp
        ) and timestamp_is_fresh(timestamp)
        mode = self.mode()
        entry = {"delivery_id": delivery_id, "timestamp": timestamp, "verified": verified}
        if mlflow_signature and delivery_id and timestamp:
            expected = mlflow_signature(self.server.secret, delivery_id, timestamp, body.decode("utf-8"))
            entry["same_as_mlflow"] = expected == self.headers.get(WEBHOOK_SIGNATURE_HEADER)
        try:
            payload = json.loads(body)
            entry.update(entity=payload.get("entity"), action=payload.get("action"), data=payload.get("data"))
            entry.update(ledger=payload.get("ledger"))
        except ValueError:
            entry["body"] = body.decode("utf-8", "replace")
        if mode[0] == "slow":
            # A line with status 0 says a delivery is being held before it is answered.
            self.append(dict(entry, status=0))
            time.sleep(float(mode[1]) if len(mode) > 1 else 2.0)
        status = 500 if mode[0] == "500" else (200 if verified else 401)
        entry["status"] = status
        with Receiver.lock:
            entry["duplicate"] = status == 200 and delivery_id in Receiver.seen
            if status == 200:
                Receiver.seen.add(delivery_id)
        self.append(entry)
        answer = json.dumps({"status": "received" if status == 200 else "refused"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--secret-env", default="HOOK_SECRET")
    parser.add_argument("--log", default="webhooks.jsonl")
    parser.add_argument("--mode-file")
    options = parser.parse_args()
    secret = os.environ.get(options.secret_env)
    if not secret:
        sys.exit(f"${options.secret_env} must hold the webhook's secret")
    server = ThreadingHTTPServer(("127.0.0.1", options.port), Receiver)
    server.options = options
    server.secret = secret
    print(f"webhook receiver listening on 127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
