"""Side-by-side logging benchmark: the same mlflow client calls against `mlflow server` (SQLite
backend) and against `mledger serve`, on this machine, in one run. Run by `make bench`:

    python mlflow_logging.py --mledger .build/release/mledger [--calls 2000 --batches 20 --batch-size 1000 --rounds 5]

Prints the machine, the inputs and, per call type, three rates: `mlflow server`, `mledger serve`, and the
client's own floor: the same calls against `mledger serve` refusing every one of them at once (a wrong
token), which leaves only the client's work and the round trip. No server can make the stock client
faster than that floor; `mledger serve`'s share of it is printed as a percentage. Served and refused
calls alternate call by call, so background load on a shared machine hits both alike; the calls are
split into rounds, and the spread of the rounds is printed as the noise.

Two figures say where the rest goes: a durable SQLite commit alone (WAL, synchronous=FULL, in the same
folder), the least any server that keeps every acknowledged call on disk must add to a log_metric call;
and the server's own time per log-batch call, from JSON bodies built ahead (no client serialization)
posted with the right token and with a wrong one. Every logged point is read back and counted, and
nothing sent with the wrong token may be stored, so a server that drops points cannot look fast.
"""
import argparse
import contextlib
import gc
import io
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import requests
from mlflow import MlflowClient
from mlflow.entities import Metric
from mlflow.exceptions import MlflowException
from mlflow.protos.service_pb2 import LogBatch
from mlflow.utils.proto_json_utils import message_to_json


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(uri, process, seconds=180):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit(f"server for {uri} exited early with status {process.returncode}")
        try:
            with urllib.request.urlopen(uri + "/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"server at {uri} did not become healthy in {seconds}s")


def stop(p):
    """Ends a server and, when it leads a session of its own (mlflow server: uvicorn, its job runner and
    huey consumers), every process of its group, which would otherwise outlive it."""
    try:
        group = p.pid if os.getpgid(p.pid) == p.pid else None
    except ProcessLookupError:
        group = None

    def signal_all(sig):
        with contextlib.suppress(ProcessLookupError):
            if group is not None:
                os.killpg(group, sig)
            elif p.poll() is None:
                p.send_signal(sig)
    signal_all(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        p.wait(timeout=20)
    time.sleep(0.5)  # the workers' own shutdown after the leader's
    signal_all(signal.SIGKILL)
    p.wait()


def start_mlflow(folder):
    port = free_port()
    mlflow_bin = os.path.join(os.path.dirname(sys.executable), "mlflow")
    p = subprocess.Popen([mlflow_bin, "server", "--backend-store-uri", f"sqlite:///{folder}/mlflow.db",
                          "--artifacts-destination", f"{folder}/artifacts", "--host", "127.0.0.1", "--port", str(port)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    uri = f"http://127.0.0.1:{port}"
    wait_healthy(uri, p)
    return p, uri


def start_mledger(binary, folder):
    env = dict(os.environ, MLEDGER_CONFIG_DIR=f"{folder}/config")
    subprocess.run([binary, "init", "--team", "bench", "--name", "Bench"], cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL)
    p = subprocess.Popen([binary, "serve", "--port", "0"], cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+", line)
    token = re.search(r"MLFLOW_TRACKING_TOKEN=([0-9a-f]+)", line)
    if not match or not token:
        sys.exit(f"mledger serve did not start: {line!r}")
    uri = match.group(0)
    os.environ["MLFLOW_TRACKING_TOKEN"] = token.group(1)  # the client sends it; mlflow server ignores it
    wait_healthy(uri, p)
    return p, uri


@contextlib.contextmanager
def without_gc_pauses():
    """Python's cycle collector pauses at random and would land on one side of a comparison: it runs
    before the timed calls instead (what they allocate is freed by reference counting meanwhile)."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def seconds(work):
    with without_gc_pauses():
        start = time.perf_counter()
        work()
        return time.perf_counter() - start


def set_token(token):
    """The token the client sends from now on (it reads MLFLOW_TRACKING_TOKEN on every call)."""
    os.environ["MLFLOW_TRACKING_TOKEN"] = token


def refused(call):
    """Runs a call the server must refuse for its token; anything else stops the benchmark."""
    try:
        call()
    except MlflowException as e:
        if e.error_code == "UNAUTHENTICATED":
            return
        raise
    sys.exit("mledger serve accepted a call with a wrong token")


class Logging:
    """One run of one server, and the calls the benchmark makes in it (each key counts its points)."""

    def __init__(self, uri, batch_size):
        self.uri = uri
        self.client = MlflowClient(tracking_uri=uri)
        experiment = self.client.create_experiment(f"bench-{time.time_ns()}")
        self.run = self.client.create_run(experiment).info.run_id
        self.batch_size = batch_size
        self.now = int(time.time() * 1000)
        self.steps = {}
        self.session = requests.Session()

    @staticmethod
    def call(call, wrong_token):
        if wrong_token:
            refused(call)
        else:
            call()

    def step(self, key):
        self.steps[key] = self.steps.get(key, 0) + 1
        return self.steps[key] - 1

    def log_metrics(self, key, calls, wrong_token=False):
        for _ in range(calls):
            i = self.step(key)
            self.call(lambda: self.client.log_metric(self.run, key, 1.0 / (i + 1), step=i), wrong_token)

    def points(self, key):
        b = self.step(key)
        return [Metric(key, (b * self.batch_size + i) / 1e6, self.now, b * self.batch_size + i) for i in range(self.batch_size)]

    def log_batches(self, key, batches, wrong_token=False):
        for _ in range(batches):
            points = self.points(key)
            self.call(lambda: self.client.log_batch(self.run, metrics=points), wrong_token)

    def bodies(self, key, batches):
        """log-batch bodies as the client writes them, built ahead: posting them leaves out its serialization."""
        return [message_to_json(LogBatch(run_id=self.run, metrics=[p.to_proto() for p in self.points(key)])) for _ in range(batches)]

    def post(self, bodies, token=None, expected=200):
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        for body in bodies:
            status = self.session.post(f"{self.uri}/api/2.0/mlflow/runs/log-batch", data=body, headers=headers).status_code
            if status != expected:
                sys.exit(f"{self.uri} answered a prebuilt log-batch body with HTTP {status}, not {expected}")

    def check(self, expected):
        """Every point logged is stored; nothing sent with a wrong token is."""
        stored = {key: len(self.client.get_metric_history(self.run, key)) for key in expected}
        if stored != expected:
            sys.exit(f"{self.uri} kept {stored} points of {expected}")
        with contextlib.redirect_stdout(io.StringIO()):  # the client prints a link to the run's web page
            self.client.set_terminated(self.run)


def measure_mlflow(uri, calls, batches, batch_size):
    """Rates against mlflow server: log_metric calls/s, log_batch points/s, prebuilt bodies points/s."""
    bench = Logging(uri, batch_size)
    metric_s = seconds(lambda: bench.log_metrics("loss", calls))
    batch_s = seconds(lambda: bench.log_batches("acc", batches))
    bodies = bench.bodies("raw", batches)
    raw_s = seconds(lambda: bench.post(bodies))
    bench.check({"loss": calls, "acc": batches * batch_size, "raw": batches * batch_size})
    points = batches * batch_size
    return {"metric": calls / metric_s, "batch": points / batch_s, "raw": points / raw_s}


class DurableCommit:
    """An SQLite commit that waits for the disk (WAL, synchronous=FULL, one small row), in the folder the
    ledger is in: the least any server that keeps every acknowledged call must add to it. The write-ahead
    log is first grown and checkpointed once, so commits overwrite it in place, as the ledger's do once
    it has run a while (appending to a file also syncs its size)."""

    def __init__(self, folder):
        self.db = sqlite3.connect(os.path.join(folder, "commit-floor.sqlite"), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)")
        self.db.execute("BEGIN")
        self.db.executemany("INSERT INTO t (v) VALUES (?)", ((os.urandom(4000),) for _ in range(1000)))
        self.db.execute("COMMIT")
        self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        self.row = os.urandom(200)

    def once(self):
        self.db.execute("BEGIN IMMEDIATE")
        self.db.execute("INSERT INTO t (v) VALUES (?)", (self.row,))
        self.db.execute("COMMIT")


def interleave(calls, count, token):
    """Seconds spent in each kind of call, `count` of each, taken in turn call by call (the order rotating),
    so that whatever else the machine does hits every kind alike. `calls` maps a name to (make call i,
    whether the call goes with a wrong token)."""
    spent = dict.fromkeys(calls, 0.0)
    names = list(calls)
    with without_gc_pauses():
        for i in range(count):
            for name in names[i % len(names):] + names[:i % len(names)]:
                call, wrong_token = calls[name]
                set_token("wrong-" + token if wrong_token else token)
                start = time.perf_counter()
                call(i)
                spent[name] += time.perf_counter() - start
    set_token(token)
    return spent


def measure_mledger(uri, folder, calls, batches, batch_size, rounds):
    """The same calls against mledger serve, each next to its floor (the same call refused at once for a
    wrong token) and, for log_metric, a durable commit alone, in rounds. Returns each round's figures."""
    bench = Logging(uri, batch_size)
    token = os.environ["MLFLOW_TRACKING_TOKEN"]
    commit = DurableCommit(folder)
    per_round = []
    for _ in range(rounds):
        c, b = calls // rounds, max(1, batches // rounds)
        served_bodies, refused_bodies = bench.bodies("raw", b), bench.bodies("raw-refused", b)
        f = {"calls": c, "points": b * batch_size}
        f.update(interleave({
            "metric": (lambda i: bench.log_metrics("loss", 1), False),
            "metric floor": (lambda i: bench.log_metrics("loss-refused", 1, wrong_token=True), True),
            "commit": (lambda i: commit.once(), False),
        }, c, token))
        f.update(interleave({
            "batch": (lambda i: bench.log_batches("acc", 1), False),
            "batch floor": (lambda i: bench.log_batches("acc-refused", 1, wrong_token=True), True),
        }, b, token))
        f.update(interleave({
            "raw": (lambda i: bench.post(served_bodies[i:i + 1], token), False),
            "raw floor": (lambda i: bench.post(refused_bodies[i:i + 1], "wrong-" + token, expected=401), True),
        }, b, token))
        per_round.append(f)
    counts = {key: sum(f["calls"] if key == "loss" else f["points"] for f in per_round) for key in ("loss", "acc", "raw")}
    bench.check({**counts, "loss-refused": 0, "acc-refused": 0, "raw-refused": 0})
    return per_round


def rate_line(name, metric, batch, raw, model, note=""):
    return (f"  {name:22} {metric:10.1f} calls/s  {batch:12.0f} points/s  {raw:12.0f} points/s"
            + (f"  {model:8.2f} calls/s" if model is not None else " " * 18) + note)


def spread(values, unit="%", digits=0):
    """Median, with the lowest and highest of the rounds: the noise of this machine during the run."""
    return f"{statistics.median(values):.{max(digits, 1)}f}{unit} ({min(values):.{digits}f} to {max(values):.{digits}f})"


def verdict(value, target, above=True, unit="%"):
    met = value >= target if above else value < target
    return f"[target {'>=' if above else '<'} {target:g}{unit}: {'met' if met else 'MISSED'}]"


def report(mlflow, rounds, model_rates, batch_size):
    total = lambda key: sum(f[key] for f in rounds)
    calls, points = total("calls"), total("points")
    ours = {k: (calls if k == "metric" else points) / total(k) for k in ("metric", "batch", "raw")}
    floor = {k: (calls if k == "metric" else points) / total(k + " floor") for k in ("metric", "batch", "raw")}
    share = {k: [100 * f[k + " floor"] / f[k] for f in rounds] for k in ("metric", "batch")}
    client_ms = [1000 * f["metric floor"] / f["calls"] for f in rounds]
    metric_own_ms = [1000 * (f["metric"] - f["metric floor"]) / f["calls"] for f in rounds]
    commit_ms = [1000 * f["commit"] / f["calls"] for f in rounds]
    # What a server that did nothing but one durable commit per call would reach, round by round.
    ceiling = [100 * c / (c + m) for c, m in zip(client_ms, commit_ms)]
    batch_own_ms = [1000 * (f["raw"] - f["raw floor"]) / f["points"] * batch_size for f in rounds]

    print(f"  {'':22} {'log_metric':>16}  {'log_batch':>21}  {'prebuilt log-batch':>21}  {'log_model':>16}")
    print(rate_line("mlflow server", mlflow["metric"], mlflow["batch"], mlflow["raw"], model_rates.get("mlflow server")))
    print(rate_line("mledger serve", ours["metric"], ours["batch"], ours["raw"], model_rates.get("mledger serve")))
    print(rate_line("client floor", floor["metric"], floor["batch"], floor["raw"], None,
                    "  (mledger serve refusing every call at once: wrong token)"))
    print(f"  mledger serve / floor  {spread(share['metric'])} {verdict(statistics.median(share['metric']), 90)}"
          f"   {spread(share['batch'])} {verdict(statistics.median(share['batch']), 95)}"
          f"   (median of {len(rounds)} rounds, lowest to highest)")
    print(f"  mledger / mlflow       {ours['metric'] / mlflow['metric']:9.1f}x {'':8}{ours['batch'] / mlflow['batch']:12.1f}x {'':8}"
          f"{ours['raw'] / mlflow['raw']:12.1f}x"
          + (f" {model_rates['mledger serve'] / model_rates['mlflow server']:16.1f}x" if len(model_rates) == 2 else "")
          + "   (goals: 50x and 20x; the floor allows "
          f"{floor['metric'] / mlflow['metric']:.1f}x and {floor['batch'] / mlflow['batch']:.1f}x)")
    print(f"  log_metric, per call:  the client {spread(client_ms, ' ms', 2)}; mledger serve's own {spread(metric_own_ms, ' ms', 2)};"
          f" a durable SQLite commit alone (WAL, synchronous=FULL) {spread(commit_ms, ' ms', 2)}")
    print(f"                         a server doing that commit and nothing else would reach {spread(ceiling)} of the floor"
          + (": the 90% target is above what durable logging can reach on this disk" if statistics.median(ceiling) < 90 else ""))
    print(f"  log_batch, per {batch_size}-point body (prebuilt, right token minus wrong token): mledger serve's own "
          f"{spread(batch_own_ms, ' ms', 2)} {verdict(statistics.median(batch_own_ms), 3, above=False, unit=' ms')}")


def measure_log_model(uri, models):
    """mlflow.sklearn.log_model of a small fitted model, `models` times in one run: calls per second.
    Each call creates a logged model, uploads its files, finalizes it and records the run's output."""
    import mlflow
    import mlflow.sklearn
    from sklearn.linear_model import LogisticRegression

    mlflow.set_tracking_uri(uri)
    model = LogisticRegression(max_iter=200).fit([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [0.9, 0.1]], [0, 1, 0, 1])
    experiment = mlflow.create_experiment(f"bench-models-{time.time_ns()}")
    with contextlib.redirect_stdout(io.StringIO()), mlflow.start_run(experiment_id=experiment):
        start = time.perf_counter()
        for i in range(models):
            mlflow.sklearn.log_model(model, name=f"model-{i}")
        seconds = time.perf_counter() - start
    logged = mlflow.search_logged_models(experiment_ids=[experiment], output_format="list")
    if len(logged) != models:
        sys.exit(f"{uri} kept {len(logged)} logged models of {models}")
    return models / seconds


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mledger", required=True)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5, help="the calls are split into this many rounds (their spread is the noise)")
    parser.add_argument("--models", type=int, default=20, help="mlflow.sklearn.log_model calls per server (0: none)")
    args = parser.parse_args()
    args.mledger = os.path.abspath(args.mledger)
    import mlflow

    print("\nMLflow client logging: mlflow server (SQLite) vs mledger serve vs the client's own floor")
    print(f"  machine: {machine()}")
    print(f"  inputs: {args.calls} log_metric calls, {args.batches} log_batch calls of {args.batch_size} points and as many "
          f"prebuilt log-batch bodies per server (against mledger serve each next to the same call refused for a wrong "
          f"token, in {args.rounds} rounds), then {args.models} sklearn log_model calls; one client, sequential, mlflow {mlflow.__version__}")
    folder = tempfile.mkdtemp(prefix="mledger-mlflow-bench-")
    servers = []
    try:
        model_rates = {}
        os.makedirs(folder + "/mlflow")
        process, uri = start_mlflow(folder + "/mlflow")
        servers.append(process)
        theirs = measure_mlflow(uri, args.calls, args.batches, args.batch_size)
        if args.models:
            model_rates["mlflow server"] = measure_log_model(uri, args.models)
        os.makedirs(folder + "/mledger")
        process, uri = start_mledger(args.mledger, folder + "/mledger")
        servers.append(process)
        rounds = measure_mledger(uri, folder + "/mledger", args.calls, args.batches, args.batch_size, args.rounds)
        if args.models:
            model_rates["mledger serve"] = measure_log_model(uri, args.models)
        report(theirs, rounds, model_rates, args.batch_size)
    finally:
        for p in servers:
            stop(p)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
