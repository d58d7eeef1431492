"""Independent references for the tests: central finite differences in float64."""

import numpy as np

import autograd as ag


def numeric_vjp(fn, arrays, weights, eps=1e-6):
    """d/dx_i of sum(fn(*xs) * weights), by central differences on float64 copies of ``arrays``."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]

    def value():
        out = fn(*[ag.tensor(a) for a in arrays])
        return float(np.sum(out.data.astype(np.float64) * weights))

    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        flat, gflat = a.reshape(-1), g.reshape(-1)
        for k in range(flat.size):
            orig = flat[k]
            flat[k] = orig + eps
            plus = value()
            flat[k] = orig - eps
            minus = value()
            flat[k] = orig
            gflat[k] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def analytic_vjp(fn, arrays, weights, create_graph=False):
    xs = [ag.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = fn(*xs)
    grads = ag.grad(out, xs, ag.tensor(weights), allow_unused=True, create_graph=create_graph)
    return xs, out, grads


def assert_grads_match(fn, arrays, rng, atol=1e-6, rtol=1e-5):
    out_shape = fn(*[ag.tensor(np.array(a, dtype=np.float64)) for a in arrays]).shape
    weights = rng.standard_normal(out_shape)
    _, _, got = analytic_vjp(fn, arrays, weights)
    want = numeric_vjp(fn, arrays, weights)
    for i, (g, w) in enumerate(zip(got, want)):
        g = np.zeros_like(w) if g is None else g.data
        np.testing.assert_allclose(g, w, atol=atol, rtol=rtol, err_msg=f"gradient of input {i}")


def assert_second_grads_match(fn, arrays, rng, atol=1e-5, rtol=1e-4):
    """Second derivatives: differentiate <grad, v> again and compare with finite differences of the first grads."""
    out_shape = fn(*[ag.tensor(np.array(a, dtype=np.float64)) for a in arrays]).shape
    weights = rng.standard_normal(out_shape)
    vs = [rng.standard_normal(np.shape(a)) for a in arrays]

    def first_dot_v(*xs):
        ts = [x.detach().requires_grad_(True) if not x.requires_grad else x for x in xs]
        out = fn(*ts)
        gs = ag.grad(out, ts, ag.tensor(weights), create_graph=True, allow_unused=True)
        total = ag.tensor(0.0, dtype=ag.float64)
        for g, v in zip(gs, vs):
            if g is not None:
                total = total + (g * ag.tensor(v)).sum()
        return total

    xs = [ag.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    s = first_dot_v(*xs)
    got = ag.grad(s, xs, allow_unused=True) if s.requires_grad else [None] * len(xs)
    want = numeric_vjp(lambda *ts: first_dot_v(*[t.detach() for t in ts]).detach(), arrays, np.array(1.0))
    for i, (g, w) in enumerate(zip(got, want)):
        g = np.zeros_like(w) if g is None else g.data
        np.testing.assert_allclose(g, w, atol=atol, rtol=rtol, err_msg=f"second derivative w.r.t. input {i}")
