"""Import benchmark: `mledger import mlflow` of an MLflow store of RUNS runs x POINTS metric points, and a
plain mlflow client reading the same data from the same server, on this machine, in one run. Run by
`make bench`:

    python mlflow_import.py --mledger .build/release/mledger [--runs 1000 --points 1000]

The store is generated once (through MLflow's own client on a local SQLite store) and kept in
.build/bench-mlflow-import/; `mlflow server` serves it to both readers. Prints the machine, the inputs,
the import's runs/s, points/s and peak memory, the client's read time and the ratio; the imported points
are counted from the import's summary and checked against the store's, so an import that drops points
cannot look fast.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from mlflow import MlflowClient
from mlflow.entities import Metric

from mlflow_logging import machine, start_mlflow, stop


def generate(folder, runs, points):
    """An MLflow SQLite store with `runs` runs of one experiment, each with a param, a tag and a metric
    of `points` points, written through MLflow's client (kept for the next bench)."""
    stamp = os.path.join(folder, f"generated-{runs}x{points}")
    if os.path.exists(stamp):
        return
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    client = MlflowClient(tracking_uri=f"sqlite:///{folder}/mlflow.db")
    experiment = client.create_experiment("import-bench", artifact_location=f"mlflow-artifacts:/import-bench")
    for r in range(runs):
        run = client.create_run(experiment, run_name=f"run {r}", tags={"bench": "import"})
        client.log_param(run.info.run_id, "index", str(r))
        start = 1_700_000_000_000 + r * points
        metrics = [Metric("loss", 1.0 / (s + 1) + r, start + s, s) for s in range(points)]
        for i in range(0, points, 1000):
            client.log_batch(run.info.run_id, metrics=metrics[i:i + 1000])
        client.set_terminated(run.info.run_id)
        if r % 100 == 99:
            print(f"  generated {r + 1} of {runs} runs", file=sys.stderr)
    open(stamp, "w").close()


def client_read(uri):
    """What a plain mlflow client needs to read the same data: every run, and every point of every metric."""
    client = MlflowClient(tracking_uri=uri)
    started = time.time()
    points = 0
    runs = 0
    for e in client.search_experiments():
        token = None
        while True:
            page = client.search_runs([e.experiment_id], max_results=1000, page_token=token)
            for r in page:
                runs += 1
                for key in r.data.metrics:
                    points += len(client.get_metric_history(r.info.run_id, key))
            token = page.token
            if not token:
                break
    return time.time() - started, runs, points


def peak_rss_mib(pid):
    """The process's own peak resident memory (VmHWM), not that of what it starts (a private mlflow server)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def timed_import(binary, uri):
    """Runs `mledger import mlflow` in a fresh workspace; returns its summary, wall time and peak RSS (MiB)."""
    with tempfile.TemporaryDirectory() as tmp:
        # A local store is read through a private mlflow server: this Python's own `mlflow` command.
        env = dict(os.environ, MLEDGER_CONFIG_DIR=os.path.join(tmp, "config"),
                   MLEDGER_MLFLOW=os.path.join(os.path.dirname(sys.executable), "mlflow"))
        subprocess.run([binary, "init", "--team", "bench", "--name", "Importer"], cwd=tmp, env=env, check=True, capture_output=True)
        started = time.time()
        with open(os.path.join(tmp, "summary.json"), "w+") as out:
            p = subprocess.Popen([binary, "import", "mlflow", uri, "--json"], cwd=tmp, env=env, stdout=out, stderr=subprocess.DEVNULL)
            peak = 0.0
            while p.poll() is None:
                peak = max(peak, peak_rss_mib(p.pid))
                time.sleep(0.1)
            seconds = time.time() - started
            if p.returncode != 0:
                sys.exit(f"mledger import mlflow exited with status {p.returncode}")
            out.seek(0)
            return json.loads(out.read()), seconds, peak


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mledger", required=True)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--points", type=int, default=1000)
    args = parser.parse_args()
    folder = os.path.abspath(os.path.join(os.path.dirname(args.mledger), "..", "bench-mlflow-import"))
    generate(folder, args.runs, args.points)
    server, uri = start_mlflow(folder)
    try:
        read_seconds, read_runs, read_points = client_read(uri)
        summary, seconds, peak = timed_import(os.path.abspath(args.mledger), uri)
    finally:
        stop(server)
    store = f"sqlite:///{folder}/mlflow.db"
    local, local_seconds, local_peak = timed_import(os.path.abspath(args.mledger), store)
    expected = args.runs * args.points
    print("\nmledger import mlflow: an MLflow server (SQLite) read over REST into a fresh ledger")
    print(f"  machine: {machine()}")
    print(f"  inputs: {args.runs} runs x {args.points} metric points = {expected} points, one param and one tag per run")
    for s in (summary, local):
        if s["metricPoints"] != expected or s["runs"] != args.runs or read_points != expected:
            sys.exit(f"  imported {s['runs']} runs and {s['metricPoints']} points, the client read {read_points}: expected {expected}")
    print(f"  import over REST: {seconds:.1f} s, {args.runs / seconds:.0f} runs/s, {expected / seconds:.0f} points/s, "
          f"peak memory {peak:.0f} MiB")
    print(f"  plain mlflow client reading the same runs and histories: {read_seconds:.1f} s ({read_runs} runs, {read_points} points)")
    print(f"  ratio: the import takes {seconds / read_seconds:.2f}x the client's read time (MLflow's read API is the limit)")
    print(f"  import of the same store as {store.replace(folder, '...')} (histories read from the file, the rest through "
          f"a private mlflow server, its start included): {local_seconds:.1f} s, {expected / local_seconds:.0f} points/s, "
          f"peak memory {local_peak:.0f} MiB [goal: under 60 s: {'met' if local_seconds < 60 else 'MISSED'}]")


if __name__ == "__main__":
    main()
