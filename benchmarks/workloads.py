"""The benchmark workloads, each written three times: with tapegrad, as hand-written numpy
(forward, hand-derived backward, the same optimizer update: the practical limit of a numpy
engine), and with PyTorch.

Every workload function builds its inputs from one numpy seed, so the three implementations
start from identical weights and data; each returns ``(seconds_per_unit, check)`` where
``check`` holds numbers (a loss, gradient norms) that must agree across implementations.
Timing is done inside the process: a warm-up, then the median of several repetitions.
"""

import time

import numpy as np

CHAIN_LEN = 1_000
LONG_CHAIN = 100_000
MLP_SIZES = (784, 512, 256, 10)
MLP_BATCH = 128
CNN_BATCH = 64


def _median_time(fn, repeat, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def _chain_inputs():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(8).astype(np.float32)
    w = (1.0 + 0.01 * rng.standard_normal(8)).astype(np.float32)  # near 1: values stay finite over the chain
    b = (0.01 * rng.standard_normal(8)).astype(np.float32)
    return x, w, b


# ---- per-op overhead: a chain cycling x*w, x+b, relu(x), then sum().backward() -------------------------
def chain_tapegrad(n=CHAIN_LEN, repeat=15):
    import autograd as ag

    x0, w0, b0 = _chain_inputs()
    x, w, b = (ag.tensor(a, requires_grad=True) for a in (x0, w0, b0))

    def run():
        x.grad = w.grad = b.grad = None
        h = x
        for i in range(n):
            k = i % 3
            h = h * w if k == 0 else (h + b if k == 1 else h.relu())
        h.sum().backward()

    t = _median_time(run, repeat)
    return t / n, [float(w.grad.data.sum()), float(b.grad.data.sum()), float(x.grad.data.sum())]


def chain_numpy(n=CHAIN_LEN, repeat=15):
    x0, w, b = _chain_inputs()
    out = {}

    def run():
        tape = []
        h = x0
        for i in range(n):
            k = i % 3
            if k == 0:
                tape.append((0, h))
                h = h * w
            elif k == 1:
                tape.append((1, None))
                h = h + b
            else:
                mask = h > 0
                tape.append((2, mask))
                h = h * mask
        g = np.ones_like(h)
        gw = np.zeros_like(w)
        gb = np.zeros_like(b)
        for k, saved in reversed(tape):
            if k == 0:
                gw += g * saved
                g = g * w
            elif k == 1:
                gb += g
            else:
                g = g * saved
        out["check"] = [float(gw.sum()), float(gb.sum()), float(g.sum())]

    t = _median_time(run, repeat)
    return t / n, out["check"]


def chain_torch(n=CHAIN_LEN, repeat=15):
    import torch

    x0, w0, b0 = _chain_inputs()
    x, w, b = (torch.tensor(a, requires_grad=True) for a in (x0, w0, b0))

    def run():
        x.grad = w.grad = b.grad = None
        h = x
        for i in range(n):
            k = i % 3
            h = h * w if k == 0 else (h + b if k == 1 else torch.relu(h))
        h.sum().backward()

    t = _median_time(run, repeat)
    return t / n, [float(w.grad.sum()), float(b.grad.sum()), float(x.grad.sum())]


def long_chain_tapegrad():
    return chain_tapegrad(LONG_CHAIN, repeat=3)


def long_chain_numpy():
    return chain_numpy(LONG_CHAIN, repeat=3)


def long_chain_torch():
    return chain_torch(LONG_CHAIN, repeat=3)
