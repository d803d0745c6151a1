"""Which of the installed mlflow server's own REST routes a tracking server answers.

Lists `mlflow.server.handlers.get_endpoints()`, keeps the classic `/api/2.0` routes (the GenAI ones
are left out: traces, gateway, prompts, scorers, review queues, label schemas, issues, workspaces,
datasets v3, jobs), calls each on the server given by MLFLOW_TRACKING_URI (and _TOKEN) with an empty
body, and prints one JSON line: the routes, and those answered with ENDPOINT_NOT_FOUND (not routed).

    python route_coverage.py
"""
import json
import os
import re

import requests
from mlflow.server.handlers import get_endpoints

GENAI = re.compile(r"trace|gateway|prompt|scorer|review|label|issue|workspace|/datasets|jobs|"
                   r"assessment|online-scoring|secret|endpoint|model-definition|evaluation|span")


def classic_routes():
    routes = set()
    for path, _handler, methods in get_endpoints():
        if path.startswith("/api/2.0/") and not GENAI.search(path.split("/api/2.0", 1)[1]):
            for method in methods:
                routes.add((method, path))
    return sorted(routes)


def concrete(path):
    """A path with its parameters filled in: an id no server holds, a tag key, an artifact path."""
    path = path.replace("<model_id>", "m-" + "0" * 32).replace("<webhook_id>", "0")
    path = path.replace("<tag_key>", "key").replace("<path:artifact_path>", "0/" + "0" * 32 + "/artifacts/file")
    return re.sub(r"<[^>]+>", "0", path)


def main():
    uri = os.environ["MLFLOW_TRACKING_URI"].rstrip("/")
    token = os.environ.get("MLFLOW_TRACKING_TOKEN")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    routes = classic_routes()
    unrouted = []
    for method, path in routes:
        body = None if method == "GET" else {}
        r = requests.request(method, uri + concrete(path), json=body, headers=headers, timeout=30)
        try:
            code = r.json().get("error_code")
        except ValueError:
            code = None
        if r.status_code in (404, 405) and code in (None, "ENDPOINT_NOT_FOUND"):
            unrouted.append(f"{method} {path}")
    print(json.dumps({"routes": [f"{m} {p}" for m, p in routes], "unrouted": unrouted}))


if __name__ == "__main__":
    main()
