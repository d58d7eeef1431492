"""Indexing: ``x[index]``, its in-place twin ``x[index] = v``, gather and scatter."""

import numpy as np

from ..function import Function
from .reduce import _along_axis_index


class GetItem(Function):
    """``x[index]`` for basic and advanced indices; repeated advanced indices accumulate in backward."""

    @staticmethod
    def forward(ctx, x, index, advanced):
        ctx.index, ctx.advanced = index, advanced
        ctx.in_shape = x.shape
        return x[index]

    @staticmethod
    def backward(ctx, g):
        return index_into_zeros(g, ctx.in_shape, ctx.index, ctx.advanced)


class IndexIntoZeros(Function):
    """Zeros of ``shape`` with ``src`` added at ``index``: the backward of ``x[index]``; its own backward is ``g[index]``."""

    @staticmethod
    def forward(ctx, src, shape, index, advanced):
        ctx.index = index
        out = np.zeros(shape, dtype=src.dtype)
        if advanced:
            np.add.at(out, index, src)
        else:
            out[index] = src
        return out

    @staticmethod
    def backward(ctx, g):
        return g[ctx.index]


def index_into_zeros(g, shape, index, advanced):
    """``IndexIntoZeros`` on arrays (plain numpy) or on Tensors (recorded, under ``create_graph``)."""
    if isinstance(g, (np.ndarray, np.generic)):
        return IndexIntoZeros.forward(object.__new__(IndexIntoZeros), g, shape, index, advanced)
    return IndexIntoZeros.apply(g, shape=shape, index=index, advanced=advanced)


class IndexPut(Function):
    """The value of ``x`` after ``x[index] = v``: a new array; ``setitem`` writes it back in place."""

    @staticmethod
    def forward(ctx, x, v, index):
        ctx.index = index
        out = x.copy()
        out[index] = v
        keep = np.ones(x.shape, dtype=x.dtype)
        keep[index] = 0
        ctx.keep = keep
        return out

    @staticmethod
    def backward(ctx, g):
        return g * ctx.keep, g[ctx.index]


class Gather(Function):
    """``torch.gather``: out[..i..] = x[.. index[..i..] along dim ..]."""

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.dim, ctx.index = dim, index
        ctx.in_shape = x.shape
        return x[_along_axis_index(index, dim)]

    @staticmethod
    def backward(ctx, g):
        from .reduce import scatter_into_zeros

        return scatter_into_zeros(g, ctx.in_shape, ctx.dim, ctx.index)


class Scatter(Function):
    """``torch.scatter`` / ``scatter_add``: copy (or add) ``src`` into ``x`` at ``index`` along ``dim``."""

    @staticmethod
    def forward(ctx, x, src, dim, index, add):
        ctx.dim, ctx.index, ctx.add = dim, index, add
        where = _along_axis_index(index, dim)
        out = x.copy()
        part = np.broadcast_to(src, src.shape)[tuple(slice(s) for s in index.shape)] if src.ndim else src
        if add:
            np.add.at(out, where, part)
        else:
            out[where] = part
            keep = np.ones(x.shape, dtype=x.dtype)
            keep[where] = 0
            ctx.keep = keep
        ctx.src_shape = src.shape
        return out

    @staticmethod
    def backward(ctx, g):
        where = _along_axis_index(ctx.index, ctx.dim)
        gx = g if ctx.add else g * ctx.keep
        gs = g[where]
        if gs.shape != tuple(ctx.src_shape) and len(ctx.src_shape):
            gs = index_into_zeros(gs, ctx.src_shape, tuple(slice(s) for s in ctx.index.shape), False)
        return gx, gs
