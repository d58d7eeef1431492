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


# ---- MLP training step: 784-512-256-10, ReLU, cross-entropy, Adam, batch 128, float32 --------------------
def _mlp_init():
    """Weights drawn once with numpy (PyTorch's Linear init: U(-1/sqrt(fan_in), 1/sqrt(fan_in))) and a batch."""
    rng = np.random.default_rng(0)
    params = []
    for fan_in, fan_out in zip(MLP_SIZES[:-1], MLP_SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    x = rng.standard_normal((MLP_BATCH, MLP_SIZES[0])).astype(np.float32)
    y = rng.integers(0, MLP_SIZES[-1], MLP_BATCH)
    return params, x, y


def mlp_tapegrad(repeat=30):
    import autograd as ag
    import nn
    import optim

    params, x, y = _mlp_init()
    model = nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10)
    )
    with ag.no_grad():
        for p, value in zip(model.parameters(), params):
            p.data[...] = value
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = ag.tensor(x), ag.tensor(y)
    first = {}

    def step():
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        if not first:
            first["check"] = [loss.item()] + [float(np.linalg.norm(p.grad.data)) for p in model.parameters()]
        opt.step()

    t = _median_time(step, repeat)
    return t, first["check"]


class _NumpyAdam:
    """PyTorch's Adam update, in place, for a list of arrays."""

    def __init__(self, params, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
        self.params, self.lr, self.b1, self.b2, self.eps = params, lr, b1, b2, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads):
        """In place, through one scratch buffer per parameter: no temporaries of the parameter's size."""
        self.t += 1
        c1 = 1 - self.b1**self.t
        c2 = 1 - self.b2**self.t
        if not hasattr(self, "tmp"):
            self.tmp = [np.empty_like(p) for p in self.params]
        for p, g, m, v, tmp in zip(self.params, grads, self.m, self.v, self.tmp):
            m *= self.b1
            np.multiply(g, 1 - self.b1, out=tmp)
            m += tmp
            v *= self.b2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - self.b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp *= 1 / np.sqrt(c2)
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= self.lr / c1
            p -= tmp


def _cross_entropy_numpy(z, y):
    """Mean cross-entropy of logits ``z`` (N, C) against class indices ``y``, and its gradient w.r.t. ``z``."""
    n = len(y)
    z = z - z.max(1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    loss = -logp[np.arange(n), y].mean()
    dz = np.exp(logp)
    dz[np.arange(n), y] -= 1
    dz /= n
    return loss, dz


def _mlp_numpy_loss_and_grads(params, x, y):
    """Forward and hand-derived backward of the MLP with cross-entropy: (loss, [gradients])."""
    w1, b1, w2, b2, w3, b3 = params
    h1 = x @ w1.T + b1
    a1 = np.maximum(h1, 0)
    h2 = a1 @ w2.T + b2
    a2 = np.maximum(h2, 0)
    loss, dz = _cross_entropy_numpy(a2 @ w3.T + b3, y)
    da2 = dz @ w3
    da2 *= h2 > 0
    da1 = da2 @ w2
    da1 *= h1 > 0
    return float(loss), [da1.T @ x, da1.sum(0), da2.T @ a1, da2.sum(0), dz.T @ a2, dz.sum(0)]


def mlp_numpy(repeat=30):
    params, x, y = _mlp_init()
    opt = _NumpyAdam(params)
    first = {}

    def step():
        loss, grads = _mlp_numpy_loss_and_grads(params, x, y)
        if not first:
            first["check"] = [loss] + [float(np.linalg.norm(g)) for g in grads]
        opt.step(grads)

    t = _median_time(step, repeat)
    return t, first["check"]


def mlp_torch(repeat=30):
    import torch

    params, x, y = _mlp_init()
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10)
    )
    with torch.no_grad():
        for p, value in zip(model.parameters(), params):
            p.copy_(torch.from_numpy(value))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    first = {}

    def step():
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        if not first:
            first["check"] = [loss.item()] + [float(p.grad.norm()) for p in model.parameters()]
        opt.step()

    t = _median_time(step, repeat)
    return t, first["check"]


# ---- CNN training step: two 3x3 convs, max pooling, two linears, SGD momentum, batch 64 -------------------
CNN_SHAPES = [(16, 1, 3, 3), (16,), (32, 16, 3, 3), (32,), (128, 1568), (128,), (10, 128), (10,)]


def _cnn_init():
    rng = np.random.default_rng(1)
    params = []
    for shape in CNN_SHAPES:
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else None
        if fan_in is None:  # a bias: the fan-in of the weight before it
            fan_in = int(np.prod(params[-1].shape[1:]))
        bound = 1 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, shape).astype(np.float32))
    x = rng.standard_normal((CNN_BATCH, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, CNN_BATCH)
    return params, x, y


def cnn_tapegrad(repeat=15):
    import autograd as ag
    import nn
    import optim

    params, x, y = _cnn_init()
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1568, 128), nn.ReLU(), nn.Linear(128, 10),
    )
    with ag.no_grad():
        for p, value in zip(model.parameters(), params):
            p.data[...] = value
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = ag.tensor(x), ag.tensor(y)
    first = {}

    def step():
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        if not first:
            first["check"] = [loss.item()] + [float(np.linalg.norm(p.grad.data)) for p in model.parameters()]
        opt.step()

    return _median_time(step, repeat), first["check"]


def _im2col(x, k, pad):
    """(N, C, H, W) -> columns (N*H*W, C*k*k) for a stride-1 'same' convolution."""
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(2, 3))  # (N, C, H, W, k, k)
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * w, c * k * k)


def _col2im(cols, shape, k, pad):
    """The adjoint of _im2col: sum each column entry back into its input pixel (a loop over the k*k taps)."""
    n, c, h, w = shape
    cols = cols.reshape(n, h, w, c, k, k)
    out = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=cols.dtype)
    for i in range(k):
        for j in range(k):
            out[:, :, i : i + h, j : j + w] += cols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return out[:, :, pad : pad + h, pad : pad + w]


def _conv_forward(x, w, b):
    n, _, h, wd = x.shape
    cols = _im2col(x, 3, 1)
    out = cols @ w.reshape(w.shape[0], -1).T + b
    return out.reshape(n, h, wd, -1).transpose(0, 3, 1, 2), cols


def _conv_backward(g, cols, x_shape, w):
    n, co, h, wd = g.shape
    g2 = g.transpose(0, 2, 3, 1).reshape(-1, co)
    gw = (g2.T @ cols).reshape(w.shape)
    gb = g2.sum(0)
    gx = _col2im(g2 @ w.reshape(co, -1), x_shape, 3, 1)
    return gx, gw, gb


def _pool_forward(x):
    n, c, h, w = x.shape
    win = x.reshape(n, c, h // 2, 2, w // 2, 2)
    out = win.max(axis=(3, 5))
    mask = win == out[:, :, :, None, :, None]
    return out, mask


def _pool_backward(g, mask):
    n, c, h, w = g.shape
    # route to the first maximum of each window, as PyTorch does
    flat = mask.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h, w, 4)
    first = np.argmax(flat, axis=-1)
    onehot = np.arange(4) == first[..., None]
    out = (onehot * g[..., None]).reshape(n, c, h, w, 2, 2).transpose(0, 1, 2, 4, 3, 5)
    return out.reshape(n, c, 2 * h, 2 * w)


def cnn_numpy(repeat=15):
    params, x, y = _cnn_init()
    bufs = [np.zeros_like(p) for p in params]
    first = {}
    n = len(y)

    def step():
        w1, b1, w2, b2, w3, b3, w4, b4 = params
        c1, cols1 = _conv_forward(x, w1, b1)
        r1 = np.maximum(c1, 0)
        p1, m1 = _pool_forward(r1)
        c2, cols2 = _conv_forward(p1, w2, b2)
        r2 = np.maximum(c2, 0)
        p2, m2 = _pool_forward(r2)
        f = p2.reshape(n, -1)
        h3 = f @ w3.T + b3
        a3 = np.maximum(h3, 0)
        loss, dz = _cross_entropy_numpy(a3 @ w4.T + b4, y)
        gw4, gb4 = dz.T @ a3, dz.sum(0)
        da3 = (dz @ w4) * (h3 > 0)
        gw3, gb3 = da3.T @ f, da3.sum(0)
        dp2 = (da3 @ w3).reshape(p2.shape)
        dc2 = _pool_backward(dp2, m2) * (c2 > 0)
        dp1, gw2, gb2 = _conv_backward(dc2, cols2, p1.shape, w2)
        dc1 = _pool_backward(dp1, m1) * (c1 > 0)
        _, gw1, gb1 = _conv_backward(dc1, cols1, x.shape, w1)
        grads = [gw1, gb1, gw2, gb2, gw3, gb3, gw4, gb4]
        if not first:
            first["check"] = [float(loss)] + [float(np.linalg.norm(g)) for g in grads]
        for p, g, buf in zip(params, grads, bufs):  # SGD with momentum, PyTorch's rule
            buf *= 0.9
            buf += g
            p -= 0.01 * buf

    return _median_time(step, repeat), first["check"]


def cnn_torch(repeat=15):
    import torch

    params, x, y = _cnn_init()
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(1568, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10),
    )
    with torch.no_grad():
        for p, value in zip(model.parameters(), params):
            p.copy_(torch.from_numpy(value))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    first = {}

    def step():
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        if not first:
            first["check"] = [loss.item()] + [float(p.grad.norm()) for p in model.parameters()]
        opt.step()

    return _median_time(step, repeat), first["check"]


# ---- memory: peak resident memory of 50 MLP steps, above the memory right after imports ------------------
def _rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak():
    """Reset the kernel's high-water mark (VmHWM) to the current RSS (Linux: write 5 to clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _memory_of(step_factory):
    base = _rss_mb()
    _reset_peak()
    step, check = step_factory()
    for _ in range(50):
        step()
    return _peak_mb() - base, check


def _mlp_steps(impl):
    """(step function, check) for 50 steps of the MLP workload, without timing."""
    captured = {}

    def fake_time(fn, repeat, warmup=2):
        captured["fn"] = fn
        fn()
        return 0.0

    global _median_time
    real = _median_time
    _median_time = fake_time
    try:
        _, check = {"tapegrad": mlp_tapegrad, "numpy": mlp_numpy, "torch": mlp_torch}[impl]()
    finally:
        _median_time = real
    return captured["fn"], check


def mlp_memory_tapegrad():
    import autograd  # noqa: F401 - imports count as the baseline
    import nn  # noqa: F401
    import optim  # noqa: F401

    return _memory_of(lambda: _mlp_steps("tapegrad"))


def mlp_memory_numpy():
    return _memory_of(lambda: _mlp_steps("numpy"))


def mlp_memory_torch():
    import torch  # noqa: F401 - imports count as the baseline

    return _memory_of(lambda: _mlp_steps("torch"))


# ---- one MNIST epoch of the default training program's model (MLP, Adam, batch 128) -------------------
def _epoch_data():
    from autograd.data.datasets import MNIST

    train = MNIST(None, train=True)
    x = (train.data.reshape(len(train.data), -1).astype(np.float32) / 255.0 - 0.1307) / 0.3081
    order = np.random.default_rng([0, 0]).permutation(len(x))
    batches = [order[i : i + MLP_BATCH] for i in range(0, len(order), MLP_BATCH)]
    return x, train.targets, batches


def _time_epoch(step, batches, warmup=20):
    """Time one pass over ``batches`` after ``warmup`` untimed steps (the same for every implementation)."""
    import time as _time

    for idx in batches[:warmup]:
        step(idx)
    losses = []
    t0 = _time.perf_counter()
    for idx in batches:
        losses.append(step(idx))
    return _time.perf_counter() - t0, [losses[0], float(np.mean(losses[:50]))]


def epoch_tapegrad():
    import autograd as ag
    import nn
    import optim

    params, _, _ = _mlp_init()
    x, y, batches = _epoch_data()
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    with ag.no_grad():
        for p, value in zip(model.parameters(), params):
            p.data[...] = value
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def step(idx):
        opt.zero_grad()
        loss = loss_fn(model(ag.from_numpy(x[idx])), ag.from_numpy(y[idx]))
        loss.backward()
        opt.step()
        return loss.item()

    return _time_epoch(step, batches)


def epoch_numpy():
    params, _, _ = _mlp_init()
    x, y, batches = _epoch_data()
    opt = _NumpyAdam(params)

    def step(idx):
        loss, grads = _mlp_numpy_loss_and_grads(params, x[idx], y[idx])
        opt.step(grads)
        return loss

    return _time_epoch(step, batches)


def epoch_torch():
    import torch

    params, _, _ = _mlp_init()
    x, y, batches = _epoch_data()
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10)
    )
    with torch.no_grad():
        for p, value in zip(model.parameters(), params):
            p.copy_(torch.from_numpy(value))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step(idx):
        opt.zero_grad()
        i = torch.from_numpy(idx)
        loss = loss_fn(model(xt[i]), yt[i])
        loss.backward()
        opt.step()
        return loss.item()

    return _time_epoch(step, batches)
