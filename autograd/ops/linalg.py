"""Matrix products: matmul (with numpy's 1-d and batch rules), and einsum."""

import numpy as np

from ..function import Function


class MatMul(Function):
    """``a @ b`` with numpy/PyTorch semantics for 1-d operands and broadcast batch dims.

    Batch broadcasting is undone by the engine's unbroadcast; the rules only
    handle the 1-d cases by temporarily giving vectors a matrix dim.
    """

    saves_inputs = True
    saved_for = ((1,), (0,))  # an operand is kept only when the other one wants a gradient

    @staticmethod
    def forward(ctx, a, b):
        ctx.ndims = (a.ndim, b.ndim)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors  # None where not kept: the other operand then wants no gradient
        ga = gb = None
        a_ndim, b_ndim = ctx.ndims
        if a_ndim == 1 and b_ndim == 1:
            return (None if b is None else g * b), (None if a is None else g * a)
        if a_ndim == 1:  # (k) @ (..., k, n) -> (..., n)
            g2 = np.expand_dims(g, -2)
            if ctx.needs_input_grad(0):
                ga = np.squeeze(np.matmul(g2, np.swapaxes(b, -1, -2)), -2)
            if ctx.needs_input_grad(1):
                gb = np.matmul(np.expand_dims(a, -1), g2)
            return ga, gb
        if b_ndim == 1:  # (..., m, k) @ (k) -> (..., m)
            g2 = np.expand_dims(g, -1)
            if ctx.needs_input_grad(0):
                ga = np.matmul(g2, np.expand_dims(b, -2))
            if ctx.needs_input_grad(1):
                gb = np.squeeze(np.matmul(np.swapaxes(a, -1, -2), g2), -1)
            return ga, gb
        if ctx.needs_input_grad(0):
            ga = np.matmul(g, np.swapaxes(b, -1, -2))
        if ctx.needs_input_grad(1):
            gb = np.matmul(np.swapaxes(a, -1, -2), g)
        return ga, gb


class Einsum(Function):
    """``einsum`` with explicit output; each operand's gradient is another einsum."""

    saves_inputs = True

    @staticmethod
    def forward(ctx, *xs, equation):
        ctx.equation = equation
        return np.einsum(equation, *xs, optimize=len(xs) > 2)

    @staticmethod
    def backward(ctx, g):
        xs = ctx.saved_tensors
        ins, out = ctx.equation.split("->")
        terms = ins.split(",")
        grads = []
        for i, x in enumerate(xs):
            if not ctx.needs_input_grad(i):
                grads.append(None)
                continue
            others = [t for j, t in enumerate(terms) if j != i]
            operands = [xs[j] for j in range(len(xs)) if j != i]
            target = terms[i]
            # letters of x that appear nowhere else are summed away in forward: broadcast them back
            eq = ",".join([out] + others) + "->" + "".join(ch for ch in target if ch in out + "".join(others))
            gi = np.einsum(eq, g, *operands)
            missing = [k for k, ch in enumerate(target) if ch not in out + "".join(others)]
            if missing:
                gi = np.broadcast_to(np.expand_dims(gi, tuple(missing)), x.shape)
            grads.append(gi)
        return tuple(grads)
