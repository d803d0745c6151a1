"""Sends traffic to the serving example: predictions, then their labels as they arrive later.

--flipped labels with the drifted concept (the world changed; the served model has not). Prints
{"sent": N, "versions": [...], "rolling_accuracy": A} as JSON.
"""

import argparse
import json
import random
import urllib.request

from train import concept


def post(url: str, body: dict) -> dict:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--url", required=True, help="the serving app, e.g. http://127.0.0.1:8000")
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--flipped", action="store_true")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--reload", action="store_true", help="first ask the app to pull MODEL@ALIAS again")
    args = ap.parse_args()
    if args.reload:
        post(args.url + "/reload", {})
    rng = random.Random(args.seed)
    answers = []
    for _ in range(args.count):
        x, y = rng.uniform(-1, 1), rng.uniform(-1, 1)
        answers.append((post(args.url + "/predict", {"features": [x, y]}), concept(x, y, args.flipped)))
    last = {}
    for answer, label in answers:
        last = post(args.url + "/feedback", {"id": answer["id"], "label": label})
    print(json.dumps({"sent": len(answers), "versions": sorted({a["model_version"] for a, _ in answers}), "rolling_accuracy": last.get("rolling_accuracy")}))


if __name__ == "__main__":
    main()
