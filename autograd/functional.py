"""Function transforms, as ``torch.autograd.functional``: vjp, jvp, jacobian, hessian, hvp, vhp,
plus ``value_and_grad`` and ``grad_of``.

``jvp`` uses the double-vjp trick: the vjp ``u -> J^T u`` is linear in ``u``,
so differentiating it w.r.t. ``u`` in direction ``v`` gives ``J v``. That
needs only reverse mode with ``create_graph=True``.
"""

import numpy as np

from .engine import grad as _grad
from .grad_mode import enable_grad
from .tensor import Tensor, _new


def _as_tuple(x):
    return ((x,), False) if isinstance(x, Tensor) else (tuple(x), True)


def _prep_inputs(inputs, create_graph):
    inputs, is_tuple = _as_tuple(inputs)
    prepared = []
    for x in inputs:
        if not isinstance(x, Tensor):
            raise TypeError(f"functional: inputs must be Tensors, got {type(x).__name__}")
        if x.data.dtype.kind not in "fc":
            raise RuntimeError(f"functional: inputs must be floating point to differentiate, got {x.data.dtype}")
        y = x if create_graph and x.requires_grad else x.detach()
        if not y.requires_grad:
            y = y.requires_grad_(True) if y is not x else _new(x.data).requires_grad_(True)
        prepared.append(y)
    return tuple(prepared), is_tuple


def _grads(outputs, inputs, grad_outputs, create_graph):
    outs = [o for o in outputs if o.requires_grad]
    gos = [g for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not outs:
        return tuple(_new(np.zeros_like(x.data)) for x in inputs)
    got = _grad(outs, inputs, gos, retain_graph=True, create_graph=create_graph, allow_unused=True)
    return tuple(_new(np.zeros_like(x.data)) if g is None else g for x, g in zip(inputs, got))


def _second_pass(grads, vs, wrt, create_graph):
    """Differentiate ``sum(grads . vs)`` w.r.t. ``wrt``: the second reverse pass of jvp and vhp.

    Gradients that did not depend on anything (no graph) contribute zeros.
    """
    pairs = [(g, v) for g, v in zip(grads, vs) if g.requires_grad]
    if not pairs:
        return tuple(_new(np.zeros_like(w.data)) for w in wrt)
    got = _grad([p[0] for p in pairs], wrt, [p[1] for p in pairs], retain_graph=True,
                create_graph=create_graph, allow_unused=True)
    return tuple(_new(np.zeros_like(w.data)) if g is None else g for w, g in zip(wrt, got))


def _detach(ts, create_graph):
    return ts if create_graph else tuple(t.detach() for t in ts)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """Return ``(func(inputs), v^T J)``: the vector-Jacobian product, as ``torch.autograd.functional.vjp``.

    Parameters
    ----------
    func : callable
        Takes the input tensors and returns a tensor or a tuple of tensors.
    inputs : Tensor or tuple of Tensor
        Where to differentiate (floating point).
    v : Tensor or tuple of Tensor, optional
        One tensor per output, of its shape; may be None when ``func``
        returns a single element.
    create_graph : bool
        Record the result on the tape, so it can be differentiated again.
    strict : bool
        Accepted for PyTorch compatibility; not checked.

    Returns
    -------
    (outputs, vjp)
        ``func(inputs)`` and ``v^T J``, shaped like ``inputs``.

    Examples
    --------
    >>> import autograd as ag
    >>> from autograd.functional import vjp
    >>> out, g = vjp(lambda x: x ** 2, ag.tensor([1.0, 2.0]), v=ag.tensor([1.0, 10.0]))
    >>> out, g
    (tensor([1., 4.]), tensor([ 2., 40.]))
    """
    with enable_grad():
        xs, is_tuple = _prep_inputs(inputs, create_graph)
        out = func(*xs)
        outs, out_tuple = _as_tuple(out)
        if v is None:
            if any(o.data.size != 1 for o in outs):
                raise RuntimeError("vjp: v can only be None if the output of func is a single element tensor")
            vs = tuple(_new(np.ones_like(o.data)) for o in outs)
        else:
            vs, _ = _as_tuple(v)
        g = _grads(outs, xs, vs, create_graph)
    out = _detach(outs, create_graph)
    return (out if out_tuple else out[0]), (g if is_tuple else g[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """Return ``(func(inputs), J v)``, the Jacobian-vector product, as ``torch.autograd.functional.jvp``.

    Computed by differentiating the vjp (the double-vjp trick), so it costs
    two reverse passes. Arguments as :func:`vjp`, except that ``v`` has the
    shape of ``inputs`` (and may be None when the input is a single element).

    Examples
    --------
    >>> import autograd as ag
    >>> from autograd.functional import jvp
    >>> out, jv = jvp(lambda x: x ** 2, ag.tensor([1.0, 2.0]), v=ag.tensor([1.0, 10.0]))
    >>> jv
    tensor([ 2., 40.])
    """
    with enable_grad():
        xs, is_tuple = _prep_inputs(inputs, True)
        if v is None:
            if any(x.data.size != 1 for x in xs):
                raise RuntimeError("jvp: v can only be None if the input to func is a single element tensor")
            vs = tuple(_new(np.ones_like(x.data)) for x in xs)
        else:
            vs, _ = _as_tuple(v)
        out = func(*xs)
        outs, out_tuple = _as_tuple(out)
        us = tuple(_new(np.zeros_like(o.data)).requires_grad_(True) for o in outs)
        gx = _grads(outs, xs, us, create_graph=True)
        jv = _second_pass(gx, vs, us, create_graph)
    return (_detach(outs, create_graph) if out_tuple else _detach(outs, create_graph)[0]), (
        _detach(jv, create_graph) if out_tuple else _detach(jv, create_graph)[0]
    )


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False):
    """The Jacobian of ``func`` at ``inputs``, as ``torch.autograd.functional.jacobian``.

    One reverse pass per output element. ``strict`` and ``vectorize`` are
    accepted for PyTorch compatibility and ignored.

    Parameters
    ----------
    func : callable
        Takes the input tensors and returns a tensor or a tuple of tensors.
    inputs : Tensor or tuple of Tensor
        Where to differentiate.
    create_graph : bool
        Record the Jacobian on the tape, so it can be differentiated again.

    Returns
    -------
    Tensor or nested tuple of Tensor
        For one input and one output, a tensor of shape
        ``output.shape + input.shape``; tuples of inputs or outputs nest as
        in PyTorch (``result[i][j]`` is output ``i`` by input ``j``).

    Examples
    --------
    >>> import autograd as ag
    >>> from autograd.functional import jacobian
    >>> jacobian(lambda x: x ** 2, ag.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    with enable_grad():
        xs, is_tuple = _prep_inputs(inputs, create_graph)
        out = func(*xs)
        outs, out_tuple = _as_tuple(out)
        rows = []
        for o in outs:
            per_input = [np.zeros(o.data.shape + x.data.shape, dtype=x.data.dtype) for x in xs]
            per_input_t = [[] for _ in xs]
            flat_n = o.data.size
            for k in range(flat_n):
                seed = np.zeros(o.data.size, dtype=o.data.dtype)
                seed[k] = 1
                if o.requires_grad:
                    gs = _grad([o], xs, [_new(seed.reshape(o.data.shape))], retain_graph=True,
                               create_graph=create_graph, allow_unused=True)
                else:
                    gs = (None,) * len(xs)
                for j, g in enumerate(gs):
                    if create_graph:
                        per_input_t[j].append(g if g is not None else _new(np.zeros_like(xs[j].data)))
                    elif g is not None:
                        per_input[j].reshape((flat_n,) + xs[j].data.shape)[k] = g.data
            if create_graph:
                from .ops import stack

                row = tuple(
                    stack(per_input_t[j], 0).reshape(o.data.shape + xs[j].data.shape) if flat_n else _new(per_input[j])
                    for j in range(len(xs))
                )
            else:
                row = tuple(_new(a) for a in per_input)
            rows.append(row if is_tuple else row[0])
    return tuple(rows) if out_tuple else rows[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False):
    """The Hessian of a scalar ``func`` at ``inputs`` (the Jacobian of its gradient), as PyTorch's ``hessian``.

    Arguments as :func:`jacobian`; ``func`` must return a single element.
    For one input the result has shape ``input.shape + input.shape``.

    Examples
    --------
    >>> import autograd as ag
    >>> from autograd.functional import hessian
    >>> hessian(lambda x: (x[0] ** 2) * x[1], ag.tensor([1.0, 3.0]))
    tensor([[6., 2.],
            [2., 0.]])
    """

    def gradient(*xs):
        out = func(*xs)
        if not isinstance(out, Tensor) or out.data.size != 1:
            raise RuntimeError("hessian: the function given to hessian should return a single element Tensor")
        g = _grads((out,), xs, (None,), create_graph=True)
        return g if len(xs) > 1 or isinstance(inputs, (tuple, list)) else g[0]

    return jacobian(gradient, inputs, create_graph=create_graph)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """Return ``(func(inputs), v^T H)`` for a scalar ``func``, as ``torch.autograd.functional.vhp``.

    ``v`` has the shape of ``inputs`` (all ones when None); arguments otherwise as :func:`vjp`.
    """
    with enable_grad():
        xs, is_tuple = _prep_inputs(inputs, True)
        vs, _ = _as_tuple(v) if v is not None else ((_new(np.ones_like(xs[0].data)),), False)
        out = func(*xs)
        g = _grads((out,), xs, (None,), create_graph=True)
        h = _second_pass(g, vs, xs, create_graph)
    out = out if create_graph else out.detach()
    h = _detach(h, create_graph)
    return out, (h if is_tuple else h[0])


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """Return ``(func(inputs), H v)``; the Hessian is symmetric, so this equals ``vhp``."""
    return vhp(func, inputs, v, create_graph, strict)


def value_and_grad(func, argnums=0):
    """Make ``f(*args) -> (f(*args), df/dargs[argnums])``, like JAX's ``value_and_grad``.

    >>> import autograd as ag
    >>> f = ag.functional.value_and_grad(lambda x: (x * x).sum())
    >>> value, g = f(ag.tensor([1.0, 2.0]))
    >>> value.item(), g.tolist()
    (5.0, [2.0, 4.0])
    """
    multiple = isinstance(argnums, (tuple, list))
    nums = tuple(argnums) if multiple else (argnums,)

    def wrapped(*args):
        with enable_grad():
            args = list(args)
            for n in nums:
                args[n] = args[n].detach().requires_grad_(True)
            out = func(*args)
            if not isinstance(out, Tensor) or out.data.size != 1:
                raise RuntimeError("value_and_grad: the function must return a single element Tensor")
            gs = _grads((out,), tuple(args[n] for n in nums), (None,), create_graph=False)
        return out.detach(), (gs if multiple else gs[0])

    return wrapped


def grad_of(func, argnums=0):
    """Make ``f(*args) -> df/dargs[argnums]`` (JAX's ``grad``); composable for higher orders."""
    multiple = isinstance(argnums, (tuple, list))
    nums = tuple(argnums) if multiple else (argnums,)

    def wrapped(*args):
        with enable_grad():
            args = list(args)
            for n in nums:
                if not args[n].requires_grad:
                    args[n] = args[n].detach().requires_grad_(True)
            out = func(*args)
            if not isinstance(out, Tensor) or out.data.size != 1:
                raise RuntimeError("grad_of: the function must return a single element Tensor")
            gs = _grads((out,), tuple(args[n] for n in nums), (None,), create_graph=True)
        return gs if multiple else gs[0]

    return wrapped
