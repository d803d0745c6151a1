"""Same request, same answer: sends one sequence of MLflow REST requests to two tracking servers
(`mledger serve` and a real `mlflow server`) and compares the answers.

Both servers get the same setup (an experiment, runs with params, metrics and tags, a deleted run, a
deleted experiment, a registered model), then a hand-written list of cases for each implemented
endpoint, then COUNT cases generated from SEED by mutating valid requests (wrong types, missing fields,
bad ids, oversized values, unknown keys, bad filters, bad page tokens, deleted entities). Each answer is
compared on its HTTP status, its `error_code` and its JSON fields, with ids, timestamps and messages
normalised. A difference is documented when its case name matches a pattern listed under
"Deliberate differences" in client/README.md (`- \`PATTERN\`: reason`).

    python differential.py --ours URI --ours-token TOKEN --theirs URI [--seed N] [--count N]

Prints one JSON line: the cases compared, those that differ, and the undocumented ones.
"""
import argparse
import fnmatch
import json
import random
import re
import sys
from pathlib import Path

import requests

API = "/api/2.0/mlflow"
README = Path(__file__).resolve().parent.parent / "README.md"
TIME_KEYS = {"start_time", "end_time", "creation_time", "last_update_time", "creation_timestamp",
             "last_updated_timestamp", "timestamp", "creation_timestamp_ms", "last_updated_timestamp_ms"}
ID_KEYS = {"run_id", "run_uuid", "experiment_id", "model_id", "source_run_id", "next_page_token"}
GENERATED_NAME = re.compile(r"^[a-z]+-[a-z]+-[0-9]+$")  # a run name the server made up
HEX_ID = re.compile(r"\b(?:[0-9a-f]{64}|[0-9a-f]{32})\b")


class Server:
    def __init__(self, uri, token=None):
        self.uri = uri.rstrip("/")
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        self.ids = {}  # placeholder -> this server's id

    def call(self, method, path, body):
        path = self.fill(path)
        if method == "GET":
            params = {k: self.fill(v) for k, v in (body or {}).items()}
            r = self.session.get(self.uri + API + path, params=params, timeout=30)
        else:
            r = self.session.request(method, self.uri + API + path, data=self.fill(json.dumps(body)), timeout=30,
                                     headers={"Content-Type": "application/json"})
        try:
            answer = r.json()
        except ValueError:
            answer = None
        return r.status_code, answer

    def fill(self, value):
        if not isinstance(value, str):
            return value
        for name, real in self.ids.items():
            value = value.replace("{" + name + "}", real)
        return value

    def unfill(self, text):
        """Ids of the setup as their placeholders: whole values, path segments, and long ids inside text."""
        names = {real: "{" + name + "}" for name, real in self.ids.items()}
        if text in names:
            return names[text]
        text = "/".join(names.get(part, part) for part in text.split("/"))
        for real, name in names.items():
            if len(real) >= 16:
                text = text.replace(real, name)
        return text


def normalise(value, server, key=None):
    """The answer with what legitimately differs between servers replaced: ids, times, messages."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "message":
                continue
            n = normalise(v, server, k)
            if n not in ([], {}, None, ""):  # what protobuf JSON leaves out reads back the same
                out[k] = n
        return out
    if isinstance(value, list):
        items = [normalise(v, server, key) for v in value]
        # Params, tags and metrics are sets to the client (it reads them into dicts): compare them sorted.
        if items and all(isinstance(i, dict) and "key" in i for i in items):
            items.sort(key=lambda i: json.dumps(i, sort_keys=True))
        return items
    if key in TIME_KEYS and isinstance(value, (int, str)):
        return "<time>"
    if isinstance(value, str):
        if GENERATED_NAME.match(value):
            return "<generated-name>"
        text = server.unfill(value)
        if key in ID_KEYS and text == value and value != "0":
            return "<id>"
        if key in ("artifact_uri", "artifact_location"):
            text = re.sub(r"mlflow-artifacts:/(?:[0-9]+|[0-9a-f]{64})(?=/|$)", "mlflow-artifacts:/<exp>", text)
        text = HEX_ID.sub("<id>", text)
        return text
    return value


def answer_of(server, case):
    status, body = server.call(case["method"], case["path"], case.get("body"))
    code = body.get("error_code") if isinstance(body, dict) else None
    fields = normalise(body, server) if status == 200 else None
    return {"status": status, "error_code": code, "fields": fields}


def setup(server):
    """The same entities on each server, named by placeholders."""
    def ok(method, path, body):
        status, answer = server.call(method, path, body)
        if status != 200:
            raise SystemExit(f"setup {method} {path} failed on {server.uri}: {status} {answer}")
        return answer

    server.ids["exp"] = ok("POST", "/experiments/create", {"name": "diff-exp"})["experiment_id"]
    server.ids["gone_exp"] = ok("POST", "/experiments/create", {"name": "diff-gone"})["experiment_id"]
    ok("POST", "/experiments/delete", {"experiment_id": "{gone_exp}"})
    for start, name in enumerate(("run", "other", "gone")):
        run = ok("POST", "/runs/create", {"experiment_id": "{exp}", "run_name": f"diff-{name}", "start_time": 1000 + start,
                                          "tags": [{"key": "mlflow.user", "value": "ada"}]})
        server.ids[name] = run["run"]["info"]["run_id"]
    ok("POST", "/runs/log-batch", {"run_id": "{run}", "params": [{"key": "lr", "value": "0.1"}],
                                   "metrics": [{"key": "loss", "value": 0.5, "timestamp": 1, "step": 0},
                                               {"key": "loss", "value": 0.25, "timestamp": 2, "step": 1}]})
    ok("POST", "/runs/log-metric", {"run_id": "{other}", "key": "loss", "value": 0.75, "timestamp": 1, "step": 0})
    ok("POST", "/runs/delete", {"run_id": "{gone}"})
    # Generated writes go to their own experiment and run, so a write one server refuses and the other
    # takes does not change what the hand-written reads of {exp} and {run} see.
    server.ids["gen_exp"] = ok("POST", "/experiments/create", {"name": "gen-writes"})["experiment_id"]
    server.ids["scratch"] = ok("POST", "/runs/create", {"experiment_id": "{gen_exp}", "run_name": "scratch",
                                                         "start_time": 1500})["run"]["info"]["run_id"]
    ok("POST", "/registered-models/create", {"name": "diff-model"})


HAND_WRITTEN = [
    # experiments
    ("experiment-create-ok", "POST", "/experiments/create", {"name": "diff-new"}),
    ("experiment-create-duplicate", "POST", "/experiments/create", {"name": "diff-exp"}),
    ("experiment-create-number-name", "POST", "/experiments/create", {"name": 123}),
    ("experiment-create-no-name", "POST", "/experiments/create", {}),
    ("experiment-create-empty-name", "POST", "/experiments/create", {"name": ""}),
    ("experiment-get", "GET", "/experiments/get", {"experiment_id": "{exp}"}),
    ("experiment-get-default", "GET", "/experiments/get", {"experiment_id": "0"}),
    ("experiment-get-deleted", "GET", "/experiments/get", {"experiment_id": "{gone_exp}"}),
    ("experiment-get-missing", "GET", "/experiments/get", {"experiment_id": "987654"}),
    ("experiment-get-malformed", "GET", "/experiments/get", {"experiment_id": "not-an-id"}),
    ("experiment-get-no-id", "GET", "/experiments/get", {}),
    ("experiment-get-by-name", "GET", "/experiments/get-by-name", {"experiment_name": "diff-exp"}),
    ("experiment-get-by-name-default", "GET", "/experiments/get-by-name", {"experiment_name": "Default"}),
    ("experiment-get-by-name-missing", "GET", "/experiments/get-by-name", {"experiment_name": "nope"}),
    ("experiment-search-all", "POST", "/experiments/search", {"max_results": 10}),
    ("experiment-search-first-is-default-last", "POST", "/experiments/search", {"filter": "name = 'Default'"}),
    ("experiment-search-deleted", "POST", "/experiments/search", {"view_type": "DELETED_ONLY"}),
    ("experiment-search-like", "POST", "/experiments/search", {"filter": "name LIKE 'diff-%'"}),
    ("experiment-search-bad-filter", "POST", "/experiments/search", {"filter": "name =="}),
    ("experiment-search-bad-max", "POST", "/experiments/search", {"max_results": "ten"}),
    ("experiment-set-tag", "POST", "/experiments/set-experiment-tag",
     {"experiment_id": "{exp}", "key": "team", "value": "vision"}),
    ("experiment-set-tag-missing", "POST", "/experiments/set-experiment-tag",
     {"experiment_id": "987654", "key": "team", "value": "vision"}),
    # runs
    ("run-get", "GET", "/runs/get", {"run_id": "{run}"}),
    ("run-get-deleted", "GET", "/runs/get", {"run_id": "{gone}"}),
    ("run-get-missing", "GET", "/runs/get", {"run_id": "0123456789abcdef0123456789abcdef"}),
    ("run-get-malformed", "GET", "/runs/get", {"run_id": "not a run!"}),
    ("run-get-no-id", "GET", "/runs/get", {}),
    ("run-create-missing-experiment", "POST", "/runs/create", {"experiment_id": "987654"}),
    ("run-create-deleted-experiment", "POST", "/runs/create", {"experiment_id": "{gone_exp}"}),
    ("run-create-user-tag", "POST", "/runs/create",
     {"experiment_id": "{exp}", "run_name": "u", "tags": [{"key": "mlflow.user", "value": "grace"}]}),
    ("run-create-without-user", "POST", "/runs/create", {"experiment_id": "{exp}", "run_name": "nobody"}),
    ("run-log-param-malformed-id", "POST", "/runs/log-parameter", {"run_id": "not a run!", "key": "a", "value": "1"}),
    ("run-log-param-missing-run", "POST", "/runs/log-parameter",
     {"run_id": "0123456789abcdef0123456789abcdef", "key": "a", "value": "1"}),
    ("run-log-param-ok", "POST", "/runs/log-parameter", {"run_id": "{run}", "key": "batch", "value": "32"}),
    ("run-log-param-change", "POST", "/runs/log-parameter", {"run_id": "{run}", "key": "lr", "value": "0.2"}),
    ("run-log-param-no-key", "POST", "/runs/log-parameter", {"run_id": "{run}", "value": "1"}),
    ("run-log-param-deleted-run", "POST", "/runs/log-parameter", {"run_id": "{gone}", "key": "a", "value": "1"}),
    ("run-log-metric-no-value", "POST", "/runs/log-metric", {"run_id": "{run}", "key": "loss", "timestamp": 3}),
    ("run-log-metric-string-value", "POST", "/runs/log-metric",
     {"run_id": "{run}", "key": "loss", "value": "high", "timestamp": 3}),
    ("run-log-metric-ok", "POST", "/runs/log-metric",
     {"run_id": "{run}", "key": "acc", "value": 0.9, "timestamp": 3, "step": 2}),
    ("run-set-tag-ok", "POST", "/runs/set-tag", {"run_id": "{run}", "key": "note", "value": "x"}),
    ("run-set-tag-malformed-id", "POST", "/runs/set-tag", {"run_id": "bad id", "key": "note", "value": "x"}),
    ("run-update-finish", "POST", "/runs/update", {"run_id": "{other}", "status": "FINISHED", "end_time": 5000}),
    ("run-update-bad-status", "POST", "/runs/update", {"run_id": "{other}", "status": "DONE"}),
    ("run-search", "POST", "/runs/search", {"experiment_ids": ["{exp}"], "order_by": ["attributes.run_name ASC"]}),
    ("run-search-filter", "POST", "/runs/search", {"experiment_ids": ["{exp}"], "filter": "metrics.loss < 0.5"}),
    ("run-search-bad-filter", "POST", "/runs/search", {"experiment_ids": ["{exp}"], "filter": "metrics.loss <"}),
    ("run-search-deleted", "POST", "/runs/search", {"experiment_ids": ["{exp}"], "run_view_type": "DELETED_ONLY"}),
    ("run-search-default", "POST", "/runs/search", {"experiment_ids": ["0"]}),
    ("run-search-page", "POST", "/runs/search",
     {"experiment_ids": ["{exp}"], "max_results": 1, "order_by": ["attributes.run_name ASC"]}),
    ("run-search-bad-page-token", "POST", "/runs/search", {"experiment_ids": ["{exp}"], "page_token": "garbage"}),
    ("run-metric-history", "GET", "/metrics/get-history", {"run_id": "{run}", "metric_key": "loss"}),
    ("run-metric-history-missing-key", "GET", "/metrics/get-history", {"run_id": "{run}", "metric_key": "nope"}),
    ("run-delete-missing", "POST", "/runs/delete", {"run_id": "0123456789abcdef0123456789abcdef"}),
    ("run-restore", "POST", "/runs/restore", {"run_id": "{gone}"}),
    # registry
    ("model-get", "GET", "/registered-models/get", {"name": "diff-model"}),
    ("model-get-missing", "GET", "/registered-models/get", {"name": "no-such-model"}),
    ("model-create-duplicate", "POST", "/registered-models/create", {"name": "diff-model"}),
    ("model-create-no-name", "POST", "/registered-models/create", {}),
    ("model-search", "GET", "/registered-models/search", {"filter": "name = 'diff-model'"}),
    ("model-version-get-missing", "GET", "/model-versions/get", {"name": "diff-model", "version": "7"}),
    ("model-transition-bad-stage", "POST", "/model-versions/transition-stage",
     {"name": "diff-model", "version": "1", "stage": "Shipped"}),
]

# Valid requests the generator mutates, with their string fields (type mutations apply to those).
TEMPLATES = [
    ("experiments/create", "POST", "/experiments/create", {"name": "gen-exp-{n}"}),
    ("experiments/get", "GET", "/experiments/get", {"experiment_id": "{exp}"}),
    ("experiments/search", "POST", "/experiments/search", {"filter": "name LIKE 'diff%'", "max_results": 5}),
    ("runs/create", "POST", "/runs/create", {"experiment_id": "{gen_exp}", "run_name": "gen-{n}", "start_time": "{start}",
                                                 "tags": [{"key": "mlflow.user", "value": "ada"}]}),
    ("runs/get", "GET", "/runs/get", {"run_id": "{run}"}),
    ("runs/log-parameter", "POST", "/runs/log-parameter", {"run_id": "{scratch}", "key": "gen{n}", "value": "v"}),
    ("runs/log-metric", "POST", "/runs/log-metric",
     {"run_id": "{scratch}", "key": "gen", "value": 1.5, "timestamp": 10, "step": 3}),
    ("runs/set-tag", "POST", "/runs/set-tag", {"run_id": "{scratch}", "key": "gen{n}", "value": "v"}),
    ("runs/search", "POST", "/runs/search", {"experiment_ids": ["{exp}"], "filter": "params.lr = '0.1'"}),
    ("metrics/get-history", "GET", "/metrics/get-history", {"run_id": "{run}", "metric_key": "loss"}),
    ("registered-models/get", "GET", "/registered-models/get", {"name": "diff-model"}),
]
WRONG_VALUES = {"int": 7, "list": ["a"], "object": {"a": 1}, "bool": True, "null": None}
BAD_IDS = {"malformed": "no such id!", "unknown": "0123456789abcdef0123456789abcdef", "deleted": "{gone}",
           "deleted-experiment": "{gone_exp}", "empty": ""}
BAD_FILTERS = ["name ==", "metrics.loss <", "params.lr = 0.1 AND", "tags.x IN ('a'", "attribute.nope = 1", "'"]


def generated(seed, count):
    rng = random.Random(seed)
    cases = []
    for n in range(count):
        name, method, path, template = rng.choice(TEMPLATES)
        body = json.loads(json.dumps(template).replace("{n}", f"{seed}-{n}").replace('"{start}"', str(2000 + n)))
        # A search's filter is mutated into bad filters, not left out (that lists what other cases wrote).
        field = rng.choice(sorted(f for f in body if f != "filter"))
        kinds = ["missing", "unknown-key", "oversized"] + (["wrong-type"] if method != "GET" else [])
        if field.endswith("_id") or field == "experiment_ids":
            kinds.append("bad-id")
        if "filter" in body:
            kinds.append("bad-filter")
        if name == "runs/search":
            kinds.append("bad-page-token")
        kind = rng.choice(kinds)
        label = kind
        if kind == "missing":
            del body[field]
            label = f"missing-{field}"
        elif kind == "unknown-key":
            body["no_such_field"] = "x"
        elif kind == "oversized":
            body[field] = "x" * rng.choice([300, 1000, 8001]) if isinstance(body[field], str) else body[field]
            label = f"oversized-{field}"
        elif kind == "wrong-type":
            wrong = rng.choice(sorted(WRONG_VALUES))
            body[field] = WRONG_VALUES[wrong]
            label = f"wrong-type-{field}-{wrong}"
        elif kind == "bad-id":
            which = rng.choice(sorted(BAD_IDS))
            body[field] = [BAD_IDS[which]] if field == "experiment_ids" else BAD_IDS[which]
            label = f"bad-id-{field}-{which}"
        elif kind == "bad-filter":
            body["filter"] = rng.choice(BAD_FILTERS)
        elif kind == "bad-page-token":
            body["page_token"] = rng.choice(["garbage", "-1", "99999", "eyJvZmZzZXQiOiAxfQ=="])
        cases.append({"name": f"{name}:{label}", "method": method, "path": path, "body": body})
    return cases


def shown(value, limit=1500):
    text = json.dumps(value, sort_keys=True)
    text = re.sub(r"x{40,}", lambda m: f"x*{len(m.group(0))}", text)
    return text if len(text) <= limit else text[:limit] + "..."


def documented_patterns():
    """`- \\`PATTERN\\`: reason` lines under the README's "Deliberate differences" heading."""
    patterns, inside = [], False
    for line in README.read_text().splitlines():
        if line.startswith("#"):
            inside = "Deliberate differences" in line
        elif inside:
            m = re.match(r"- `([^`]+)`: \S", line)
            if m:
                patterns.append(m.group(1))
    return patterns


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ours", required=True)
    parser.add_argument("--ours-token")
    parser.add_argument("--theirs", required=True)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--count", type=int, default=150)
    args = parser.parse_args()
    ours, theirs = Server(args.ours, args.ours_token), Server(args.theirs)
    for server in (ours, theirs):
        setup(server)
    cases = [{"name": n, "method": m, "path": p, "body": b} for n, m, p, b in HAND_WRITTEN]
    cases += generated(args.seed, args.count)
    patterns = documented_patterns()
    differing, undocumented = [], []
    for case in cases:
        a, b = answer_of(ours, case), answer_of(theirs, case)
        if a == b:
            continue
        differing.append(case["name"])
        if not any(fnmatch.fnmatchcase(case["name"], p) for p in patterns):
            undocumented.append(case["name"])
            print(f"DIFFERS {case['name']}: {case['method']} {case['path']} {shown(case['body'])}\n"
                  f"  mledger: {shown(a)}\n  mlflow:  {shown(b)}", file=sys.stderr)
    print(json.dumps({"compared": len(cases), "differing": len(differing), "documented": len(differing) - len(undocumented),
                      "undocumented": undocumented, "patterns": patterns}))


if __name__ == "__main__":
    main()
