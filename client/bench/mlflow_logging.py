"""Side-by-side logging benchmark: the same mlflow client calls against `mlflow server` (SQLite
backend) and against `mledger serve`, on this machine, in one run. Run by `make bench`:

    python mlflow_logging.py --mledger .build/release/mledger [--calls 2000 --batches 20 --batch-size 1000]

Prints the machine, the inputs, both rates and the ratios; every logged point is read back and
counted, so a server that drops points cannot look fast. A third figure posts the same batches as
JSON bodies built ahead, which leaves out the client's own serialization (about 13 ms per 1,000 points
here): the server's share of a log_batch call.
"""
import argparse
import contextlib
import io
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import requests
from mlflow import MlflowClient
from mlflow.entities import Metric
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


def measure(uri, calls, batches, batch_size):
    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment(f"bench-{time.time_ns()}")
    run = client.create_run(experiment).info.run_id
    start = time.perf_counter()
    for i in range(calls):
        client.log_metric(run, "loss", 1.0 / (i + 1), step=i)
    metric_seconds = time.perf_counter() - start

    now = int(time.time() * 1000)
    start = time.perf_counter()
    for b in range(batches):
        points = [Metric("acc", (b * batch_size + i) / 1e6, now, b * batch_size + i) for i in range(batch_size)]
        client.log_batch(run, metrics=points)
    batch_seconds = time.perf_counter() - start
    with contextlib.redirect_stdout(io.StringIO()):  # the client prints a link to the run's web page
        client.set_terminated(run)

    # The same batches as bodies built ahead: the server's share, without the client's serialization.
    bodies = [message_to_json(LogBatch(run_id=run, metrics=[
        Metric("raw", (b * batch_size + i) / 1e6, now, b * batch_size + i).to_proto() for i in range(batch_size)]))
        for b in range(batches)]
    session = requests.Session()
    if os.environ.get("MLFLOW_TRACKING_TOKEN"):
        session.headers["Authorization"] = "Bearer " + os.environ["MLFLOW_TRACKING_TOKEN"]
    start = time.perf_counter()
    for body in bodies:
        session.post(f"{uri}/api/2.0/mlflow/runs/log-batch", data=body,
                     headers={"Content-Type": "application/json"}).raise_for_status()
    raw_seconds = time.perf_counter() - start

    # The client's own floor: the same calls for a run that does not exist, answered at once with an
    # error and nothing written. No server can make the stock client faster than this.
    from mlflow.exceptions import MlflowException
    missing = "0" * 32
    start = time.perf_counter()
    for i in range(calls):
        with contextlib.suppress(MlflowException):
            client.log_metric(missing, "loss", 1.0, step=i)
    floor_calls = calls / (time.perf_counter() - start)
    start = time.perf_counter()
    for b in range(batches):
        with contextlib.suppress(MlflowException):
            client.log_batch(missing, metrics=[Metric("acc", i / 1e6, now, i) for i in range(batch_size)])
    floor_points = batches * batch_size / (time.perf_counter() - start)

    expected = {"loss": calls, "acc": batches * batch_size, "raw": batches * batch_size}
    stored = {key: len(client.get_metric_history(run, key)) for key in expected}
    if stored != expected:
        sys.exit(f"{uri} kept {stored} points of {expected}")
    return calls / metric_seconds, batches * batch_size / batch_seconds, batches * batch_size / raw_seconds, floor_calls, floor_points


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
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--models", type=int, default=20, help="mlflow.sklearn.log_model calls per server")
    args = parser.parse_args()
    args.mledger = os.path.abspath(args.mledger)
    import mlflow

    print("\nMLflow client logging: mlflow server (SQLite) vs mledger serve")
    print(f"  machine: {machine()}")
    print(f"  inputs: {args.calls} log_metric calls, then {args.batches} log_batch calls of {args.batch_size} points, then {args.models} sklearn log_model calls, "
          f"one client, sequential, mlflow {mlflow.__version__}")
    folder = tempfile.mkdtemp(prefix="mledger-mlflow-bench-")
    servers = []
    try:
        results = {}
        model_rates = {}
        for name, start in (("mlflow server", lambda: start_mlflow(folder + "/mlflow")),
                            ("mledger serve", lambda: start_mledger(args.mledger, folder + "/mledger"))):
            os.makedirs(folder + ("/mlflow" if name == "mlflow server" else "/mledger"), exist_ok=True)
            process, uri = start()
            servers.append(process)
            results[name] = measure(uri, args.calls, args.batches, args.batch_size)
            model_rates[name] = measure_log_model(uri, args.models)
            calls_rate, points_rate, raw_rate, _, _ = results[name]
            print(f"  {name:14} log_metric {calls_rate:10.1f} calls/s   log_batch {points_rate:12.0f} points/s"
                  f"   prebuilt log-batch bodies {raw_rate:12.0f} points/s   log_model {model_rates[name]:6.2f} calls/s")
        (m_calls, m_points, m_raw, _, _), (l_calls, l_points, l_raw, f_calls, f_points) = results["mlflow server"], results["mledger serve"]
        print(f"  ratio          log_metric {l_calls / m_calls:10.1f}x          log_batch {l_points / m_points:12.1f}x"
              f"          prebuilt bodies {l_raw / m_raw:12.1f}x   log_model {model_rates['mledger serve'] / model_rates['mlflow server']:6.1f}x"
              f"   (goals: 50x and 20x)")
        print(f"  client floor   log_metric {f_calls:10.1f} calls/s   log_batch {f_points:12.0f} points/s"
              f"   (the same client calls refused at once: {f_calls / m_calls:.1f}x and {f_points / m_points:.1f}x mlflow server"
              f" is the most any server can reach here; mledger serve reaches {100 * l_calls / f_calls:.0f}% and {100 * l_points / f_points:.0f}% of it)")
    finally:
        for p in servers:
            stop(p)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
