"""Trains the serving example's model: logistic regression on two features, standard library only.

The data follow a concept that can flip (--flipped: the labels of the drifted world), so a retraining on
fresh labels recovers after production drifts. Writes model.json and prints {"accuracy": ...} as JSON.
"""

import argparse
import json
import math
import random


def concept(x: float, y: float, flipped: bool) -> int:
    label = 1 if x + y > 0 else 0
    return 1 - label if flipped else label


def sample(n: int, flipped: bool, seed: int) -> list[tuple[list[float], int]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        x, y = rng.uniform(-1, 1), rng.uniform(-1, 1)
        out.append(([x, y], concept(x, y, flipped)))
    return out


def predict(model: dict, features: list[float]) -> int:
    z = sum(w * f for w, f in zip(model["w"], features)) + model["b"]
    return 1 if z > 0 else 0


def train(data, epochs: int = 30, lr: float = 0.5) -> dict:
    w, b = [0.0, 0.0], 0.0
    for _ in range(epochs):
        for features, label in data:
            z = sum(wi * fi for wi, fi in zip(w, features)) + b
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            g = p - label
            w = [wi - lr * g * fi for wi, fi in zip(w, features)]
            b -= lr * g
    return {"w": w, "b": b}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--flipped", action="store_true", help="train on the drifted concept")
    ap.add_argument("--out", default="model.json")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    model = train(sample(400, args.flipped, args.seed))
    holdout = sample(400, args.flipped, args.seed + 1)
    accuracy = sum(predict(model, f) == label for f, label in holdout) / len(holdout)
    with open(args.out, "w") as f:
        json.dump(model, f)
    print(json.dumps({"accuracy": accuracy}))


if __name__ == "__main__":
    main()
