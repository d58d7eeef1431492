"""Run the benchmark suite: each (workload, implementation) in its own process, interleaved.

    python -m benchmarks.run                 # every workload, 5 rounds
    python -m benchmarks.run chain mlp -r 7  # some workloads, 7 rounds

Each round starts one fresh process per implementation, in turn (tapegrad, numpy,
torch, tapegrad, ...), so a machine that slows down mid-run slows all of them alike.
Each process first asks malloc to keep freed memory for reuse and Python's cyclic
collector to run less often (``autograd.memory``), the same for all three
implementations; ``--default-malloc`` and ``--default-gc`` keep the defaults.
``--threads N`` caps the BLAS and PyTorch thread pools of every implementation at N
(on a machine whose cores other programs keep busy, ``--threads 1`` gives steadier ratios).
The table shows the median over rounds of each process's own median time per unit,
and the ratios tapegrad/numpy and tapegrad/torch. Before timing, the three must agree
on the numbers each workload checks (a loss, gradient sums), or the run stops.
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np

WORKLOADS = {
    "chain": ("per-op overhead, 1,000-op chain (us/op)", 1e6),
    "long_chain": ("100,000-op chain (us/op)", 1e6),
    "mlp": ("MLP training step 784-512-256-10, batch 128, Adam (ms/step)", 1e3),
    "cnn": ("CNN training step, batch 64, SGD momentum (ms/step)", 1e3),
    "mlp_memory": ("peak memory of 50 MLP steps above imports (MB)", 1.0),
    "epoch": ("one MNIST epoch of the default training program (s)", 1.0),
}
IMPLS = ("tapegrad", "numpy", "torch")


def _child(workload, impl, retain_memory=True, relax_gc=True):
    from benchmarks import workloads

    # the same process settings for every implementation (see autograd.memory)
    if retain_memory:
        from autograd.memory import retain_freed_memory

        retain_freed_memory()
    if relax_gc:
        from autograd.memory import relax_gc as relax

        relax()

    fn = getattr(workloads, f"{workload}_{impl}")
    value, check = fn()
    print(json.dumps({"value": value, "check": check}))


_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _run_child(workload, impl, default_malloc=False, default_gc=False, threads=None):
    extra = ["--default-malloc"] * default_malloc + ["--default-gc"] * default_gc
    env = dict(os.environ)
    if threads:  # read by OpenBLAS (numpy) and by PyTorch's pools when they start
        env.update({name: str(threads) for name in _THREAD_VARIABLES})
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--child", workload, impl, *extra],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{workload}/{impl} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _available(workload, impl):
    from benchmarks import workloads

    if impl == "torch" and importlib.util.find_spec("torch") is None:
        return False
    return hasattr(workloads, f"{workload}_{impl}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="*", default=list(WORKLOADS), help=f"any of {', '.join(WORKLOADS)}")
    parser.add_argument("-r", "--rounds", type=int, default=5, help="processes per implementation (default 5)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--default-malloc", action="store_true", help="keep glibc's default malloc settings")
    parser.add_argument("--default-gc", action="store_true", help="keep Python's default garbage collector thresholds")
    parser.add_argument("--threads", type=int, help="cap the BLAS and PyTorch thread pools at this many threads")
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child, retain_memory=not args.default_malloc, relax_gc=not args.default_gc)
        return 0
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {unknown}; choose from {list(WORKLOADS)}")
    results = {}
    for workload in args.workloads:
        impls = [i for i in IMPLS if _available(workload, i)]
        values = {i: [] for i in impls}
        checks = {}
        for _ in range(args.rounds):
            for impl in impls:
                out = _run_child(workload, impl, args.default_malloc, args.default_gc, args.threads)
                values[impl].append(out["value"])
                checks[impl] = out["check"]
        ref = checks["tapegrad"]
        for impl in impls:
            if not np.allclose(checks[impl], ref, rtol=2e-3, atol=1e-4):
                raise SystemExit(f"{workload}: {impl} computed {checks[impl]}, tapegrad {ref}: not the same computation")
        med = {i: float(np.median(v)) for i, v in values.items()}
        results[workload] = {"median": med, "runs": values, "check": checks}
        _print_row(workload, med)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


def _print_row(workload, med):
    title, scale = WORKLOADS[workload]
    parts = [f"{i} {med[i] * scale:.3g}" for i in IMPLS if i in med]
    ratios = [f"vs {i} {med['tapegrad'] / med[i]:.2f}x" for i in ("numpy", "torch") if i in med]
    print(f"{title}: {', '.join(parts)} | {', '.join(ratios)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
