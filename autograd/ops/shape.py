"""Ops that move elements without changing them: reshape, permute, broadcast, tile, flip, roll, tril/triu, cat."""

import numpy as np

from ..function import Function


class Reshape(Function):
    """``x.reshape(shape)``, a view; the gradient is ``g`` reshaped back."""

    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = shape
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


class Permute(Function):
    """``numpy.transpose(x, perm)``, a view; the gradient is ``g`` permuted back by the inverse permutation."""

    is_view = True

    @staticmethod
    def forward(ctx, x, perm):
        ctx.perm = perm
        return np.transpose(x, perm)

    @staticmethod
    def backward(ctx, g):
        return np.transpose(g, tuple(np.argsort(ctx.perm)))


class BroadcastTo(Function):
    """Expand size-1 (or missing leading) dims; the engine sums the gradient back."""

    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return g


class Tile(Function):
    """``repeat``/``tile``: whole copies of the input laid side by side along each dim."""

    @staticmethod
    def forward(ctx, x, reps):
        ctx.reps = reps
        ctx.in_shape = x.shape
        return np.tile(x, reps)

    @staticmethod
    def backward(ctx, g):
        reps = ctx.reps
        shape = (1,) * (len(reps) - len(ctx.in_shape)) + tuple(ctx.in_shape)
        split = []
        for r, s in zip(reps, shape):
            split += [r, s]
        summed = np.sum(g.reshape(tuple(split)), axis=tuple(range(0, 2 * len(reps), 2)))
        return summed.reshape(ctx.in_shape)


class Flip(Function):
    """Reverse ``dims``; the gradient is ``g`` flipped back."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x, dims)

    @staticmethod
    def backward(ctx, g):
        return np.flip(g, ctx.dims)


class Roll(Function):
    """Roll by ``shifts`` along ``dims``; the gradient is ``g`` rolled back."""

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        return np.roll(g, tuple(-s for s in ctx.shifts), ctx.dims)


class Tri(Function):
    """``tril``/``triu`` on the last two dims."""

    @staticmethod
    def forward(ctx, x, k, lower):
        ctx.k, ctx.lower = k, lower
        if x.ndim < 2:
            raise RuntimeError(f"{'tril' if lower else 'triu'}: input tensor must have at least 2 dimensions, got shape {x.shape}")
        return np.tril(x, k) if lower else np.triu(x, k)

    @staticmethod
    def backward(ctx, g):
        return np.tril(g, ctx.k) if ctx.lower else np.triu(g, ctx.k)


class Cat(Function):
    """Concatenate along ``dim``; the gradient is cut back into the pieces."""

    @staticmethod
    def forward(ctx, *xs, dim):
        ctx.dim = dim
        ctx.sizes = [x.shape[dim] for x in xs]
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        out, start = [], 0
        lead = (slice(None),) * ctx.dim
        for s in ctx.sizes:
            out.append(g[lead + (slice(start, start + s),)])
            start += s
        return tuple(out)
