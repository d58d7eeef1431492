"""Finite-difference checks of the engine's gradients, as ``torch.autograd.gradcheck``/``gradgradcheck``."""

import numpy as np

from .engine import grad as _grad
from .grad_mode import enable_grad
from .tensor import Tensor, _new


class GradcheckError(RuntimeError):
    """An analytical gradient disagrees with the numerical one."""


def _outputs(fn, inputs):
    out = fn(*inputs)
    return (out,) if isinstance(out, Tensor) else tuple(out)


def numerical_jacobian(fn, inputs, eps=1e-6):
    """Central differences: one matrix (output.size x input.size) per (differentiable input, output)."""
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    outs = _outputs(fn, inputs)
    jac = {}
    for i in diff:
        x = inputs[i]
        flat = x.data.reshape(-1)
        for o_idx, o in enumerate(outs):
            jac[(i, o_idx)] = np.zeros((o.data.size, flat.size))
        for k in range(flat.size):
            orig = flat[k]
            flat[k] = orig + eps
            plus = [o.data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
            flat[k] = orig - eps
            minus = [o.data.astype(np.float64).reshape(-1) for o in _outputs(fn, inputs)]
            flat[k] = orig
            for o_idx in range(len(outs)):
                jac[(i, o_idx)][:, k] = (plus[o_idx] - minus[o_idx]) / (2 * eps)
    return jac


def analytical_jacobian(fn, inputs):
    """The engine's Jacobians, one reverse pass per output element.

    Returns a dict ``{(input index, output index): array of shape
    (output.size, input.size)}`` for every input that requires grad, laid
    out as :func:`numerical_jacobian`'s.
    """
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    with enable_grad():
        outs = _outputs(fn, inputs)
    jac = {}
    for o_idx, o in enumerate(outs):
        for i in diff:
            jac[(i, o_idx)] = np.zeros((o.data.size, inputs[i].data.size))
        if not o.requires_grad:
            continue
        for r in range(o.data.size):
            seed = np.zeros(o.data.size, dtype=o.data.dtype)
            seed[r] = 1
            gs = _grad([o], [inputs[i] for i in diff], [_new(seed.reshape(o.data.shape))], retain_graph=True,
                       allow_unused=True)
            for i, g in zip(diff, gs):
                if g is not None:
                    jac[(i, o_idx)][r] = g.data.reshape(-1)
    return jac


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **_):
    """Compare analytical and numerical Jacobians of ``fn`` at ``inputs``.

    Inputs that require grad should be float64 for the default tolerances.
    Returns True, or raises ``GradcheckError`` naming the input, output and
    the largest mismatch (or returns False when ``raise_exception=False``).

    >>> import autograd as ag
    >>> _ = ag.manual_seed(0)
    >>> x = ag.randn(3, dtype=ag.float64, requires_grad=True)
    >>> ag.gradcheck(lambda t: (t * t).sin(), (x,))
    True
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad and x.data.dtype != np.float64:
            import warnings

            warnings.warn(
                f"gradcheck: input {i} is {x.data.dtype}, not float64; finite differences may be too coarse",
                stacklevel=2,
            )
    num = numerical_jacobian(fn, inputs, eps)
    ana = analytical_jacobian(fn, inputs)
    for key, n in num.items():
        a = ana[key]
        if not np.allclose(a, n, rtol=rtol, atol=atol):
            if not raise_exception:
                return False
            i, o = key
            err = np.abs(a - n)
            r, c = np.unravel_index(np.argmax(err), err.shape)
            raise GradcheckError(
                f"Jacobian mismatch for output {o} with respect to input {i} (shape "
                f"{tuple(inputs[i].data.shape)}): largest difference {err.max():.3g} at output element {r}, input "
                f"element {c}\nnumerical:\n{n}\nanalytical:\n{a}"
            )
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **_):
    """Check second derivatives: gradcheck of the function ``inputs -> vjp(fn, inputs, v)`` for a fixed ``v``."""
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    outs = _outputs(fn, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = [_new(rng.standard_normal(o.data.shape).astype(o.data.dtype)) for o in outs]
    diff = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]

    def first_grads(*xs):
        with enable_grad():
            out = _outputs(fn, xs)
            d = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
            gs = _grad([o for o in out if o.requires_grad], d, list(grad_outputs), create_graph=True, allow_unused=True)
        return tuple(g if g is not None else _new(np.zeros_like(x.data)) for g, x in zip(gs, d))

    del diff
    return gradcheck(first_grads, inputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
