"""Reductions and normalisations over dims: sum, prod, amax/amin, max(dim), logsumexp, softmax, cumsum, norm.

``dim`` arrives normalised: None (all dims) or a sorted tuple of
non-negative ints. A backward rule first restores the reduced dims as size-1
dims (``_keep``) so that broadcasting carries the gradient back.
"""

import numpy as np

from ..function import Function


def _keep(g, dim, keepdim, ndim):
    """Give a reduced gradient back its size-1 dims, so it broadcasts against the input."""
    if keepdim:
        return g
    if dim is None:
        return g.reshape((1,) * ndim)
    return np.expand_dims(g, dim)


class Sum(Function):
    """Sum over ``dim`` (None: all); the gradient is ``g`` broadcast back to the input's shape."""

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.dim, ctx.keepdim = dim, keepdim
        ctx.in_shape = x.shape
        return np.add.reduce(x, axis=dim, keepdims=keepdim)  # np.sum's Python wrapper costs more than a small sum

    @staticmethod
    def backward(ctx, g):
        return np.broadcast_to(_keep(g, ctx.dim, ctx.keepdim, len(ctx.in_shape)), ctx.in_shape)


class Prod(Function):
    """Product over dims. The gradient is prod / x where x != 0, computed without division where
    zeros occur (the product of the other elements), so single zeros get the right gradient."""

    saves_inputs = True
    saves_result = True

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.dim, ctx.keepdim = dim, keepdim
        return np.prod(x, axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        nd = x.ndim
        g = _keep(g, ctx.dim, ctx.keepdim, nd)
        out = _keep(ctx.result, ctx.dim, ctx.keepdim, nd)
        if not np.any(np.asarray(x == 0)):
            return g * out / x
        # products of all the other elements, by exclusive cumulative products from both sides
        axes = tuple(range(nd)) if ctx.dim is None else ctx.dim
        flat, moved_shape, perm = _move_to_end(x, axes)
        n = flat.shape[-1]
        ones = np.ones(flat.shape[:-1] + (1,), dtype=x.dtype)
        left = np.concatenate([ones, np.cumprod(flat[..., : n - 1], axis=-1)], axis=-1)
        right = np.flip(np.concatenate([ones, np.cumprod(np.flip(flat, -1)[..., : n - 1], axis=-1)], axis=-1), -1)
        others = (left * right).reshape(moved_shape)
        others = np.transpose(others, np.argsort(perm))
        return g * others


def _move_to_end(x, axes):
    """Permute ``axes`` to the end and flatten them into one: returns (flat, permuted shape, perm)."""
    rest = [i for i in range(x.ndim) if i not in axes]
    perm = tuple(rest) + tuple(axes)
    moved = np.transpose(x, perm)
    shape = moved.shape
    flat = moved.reshape(shape[: len(rest)] + (-1,))
    return flat, shape, perm


class AMax(Function):
    """Maximum over dims; ties share the gradient evenly (PyTorch's ``amax``)."""

    saves_inputs = True
    saves_result = True
    reduce = staticmethod(np.amax)

    @classmethod
    def forward(cls, ctx, x, dim, keepdim):
        ctx.dim, ctx.keepdim = dim, keepdim
        if x.size == 0:
            name = cls.__name__.lower()
            raise RuntimeError(f"{name}(): Expected reduction dim to have non-zero size (input shape {x.shape})")
        return cls.reduce(x, axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        return _spread_to_ties(ctx, g)


class AMin(AMax):
    """Minimum over dims; ties share the gradient evenly (PyTorch's ``amin``)."""

    reduce = staticmethod(np.amin)


def _spread_to_ties(ctx, g):
    (x,) = ctx.saved_tensors
    nd = x.ndim
    out = _keep(ctx.result, ctx.dim, ctx.keepdim, nd)
    mask = x == out
    count = np.sum(mask, axis=ctx.dim, keepdims=True)
    return _keep(g, ctx.dim, ctx.keepdim, nd) * mask / count


class MaxDim(Function):
    """The values of ``max(dim)``/``min(dim)``; the gradient goes to the one index reported."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, largest):
        ctx.dim, ctx.keepdim = dim, keepdim
        if x.shape[dim] == 0:
            raise IndexError(f"max(): cannot reduce over a zero-size dimension {dim} (input shape {x.shape})")
        idx = np.expand_dims((np.argmax if largest else np.argmin)(x, axis=dim), dim)
        ctx.indices = idx
        ctx.in_shape = x.shape
        values = np.take_along_axis(x, idx, axis=dim)
        return values if keepdim else np.squeeze(values, dim)

    @staticmethod
    def backward(ctx, g):
        g = g if ctx.keepdim else np.expand_dims(g, ctx.dim)
        return scatter_into_zeros(g, ctx.in_shape, ctx.dim, ctx.indices)


class ScatterIntoZeros(Function):
    """Zeros of ``shape`` with ``src`` added at ``index`` along ``dim`` (repeats accumulate).
    The backward of gather and of max(dim); its own backward is a gather."""

    @staticmethod
    def forward(ctx, src, shape, dim, index):
        ctx.dim, ctx.index = dim, index
        out = np.zeros(shape, dtype=src.dtype)
        np.add.at(out, _along_axis_index(index, dim), src)
        return out

    @staticmethod
    def backward(ctx, g):
        return np.take_along_axis(g, ctx.index, axis=ctx.dim)


def _along_axis_index(index, dim):
    """A full fancy index that addresses ``index`` along ``dim`` and every position elsewhere."""
    nd = index.ndim
    grids = [np.arange(s).reshape((1,) * k + (s,) + (1,) * (nd - k - 1)) for k, s in enumerate(index.shape)]
    grids[dim] = index
    return tuple(grids)


def scatter_into_zeros(g, shape, dim, index):
    """``ScatterIntoZeros`` on arrays (plain numpy) or on Tensors (recorded, under ``create_graph``)."""
    if isinstance(g, (np.ndarray, np.generic)):
        return ScatterIntoZeros.forward(object.__new__(ScatterIntoZeros), g, shape, dim, index)
    return ScatterIntoZeros.apply(g, shape=shape, dim=dim, index=index)


class LogSumExp(Function):
    """``log(sum(exp(x)))`` over ``dim``, shifted by the maximum; the gradient is ``g * exp(x - out)``."""

    saves_inputs = True
    saves_result = True

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.dim, ctx.keepdim = dim, keepdim
        m = np.amax(x, axis=dim, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        out = np.log(np.sum(np.exp(x - m), axis=dim, keepdims=True)) + m
        return out if keepdim else (out.reshape(()) if dim is None else np.squeeze(out, dim))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        nd = x.ndim
        return _keep(g, ctx.dim, ctx.keepdim, nd) * np.exp(x - _keep(ctx.result, ctx.dim, ctx.keepdim, nd))


class Softmax(Function):
    """Softmax along ``dim``; the gradient is ``out * (g - sum(g * out))``."""

    saves_result = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        e = np.exp(x - np.amax(x, axis=dim, keepdims=True))
        return e / np.sum(e, axis=dim, keepdims=True)

    @staticmethod
    def backward(ctx, g):
        y = ctx.result
        return y * (g - np.sum(g * y, axis=ctx.dim, keepdims=True))


class LogSoftmax(Function):
    """Log-softmax along ``dim``; the gradient is ``g - exp(out) * sum(g)``."""

    saves_result = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        # array methods rather than np.amax / np.sum: the same reductions without numpy's Python wrappers
        shifted = x - x.max(axis=dim, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))

    @staticmethod
    def backward(ctx, g):
        return g - np.exp(ctx.result) * g.sum(axis=ctx.dim, keepdims=True)


class CumSum(Function):
    """Cumulative sum along ``dim``; the gradient is the reversed cumulative sum of ``g``."""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return np.cumsum(x, axis=dim)

    @staticmethod
    def backward(ctx, g):
        d = ctx.dim
        return np.flip(np.cumsum(np.flip(g, d), axis=d), d)


class Norm2(Function):
    """Euclidean norm over dims; the gradient at a zero norm is 0 (PyTorch's subgradient)."""

    saves_inputs = True
    saves_result = True

    @staticmethod
    def forward(ctx, x, dim, keepdim):
        ctx.dim, ctx.keepdim = dim, keepdim
        return np.sqrt(np.sum(x * x, axis=dim, keepdims=keepdim))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        nd = x.ndim
        out = _keep(ctx.result, ctx.dim, ctx.keepdim, nd)
        safe = np.where(out == 0, 1.0, out)
        return _keep(g, ctx.dim, ctx.keepdim, nd) * x / safe * (out != 0)
