"""Elementwise ops: arithmetic, unary math, activations, casts.

Each backward rule returns the gradient for each input in the input's own
broadcast shape; the engine sums it back to the input's shape and casts it to
the input's dtype.
"""

import numpy as np

from ..function import Function


class Add(Function):
    """``a + b``; each input's gradient is ``g``."""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Function):
    """``a - b``; the gradients are ``g`` and ``-g``."""

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, -g


class Mul(Function):
    """``a * b``; the gradients are ``g * b`` and ``g * a``."""

    saves_inputs = True
    saved_for = ((1,), (0,))  # a factor is kept only when the other one wants a gradient

    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        if a is None:  # not kept: b wants no gradient
            return g * b, None
        if b is None:
            return None, g * a
        return g * b, g * a


class Div(Function):
    """``a / b``; the gradients are ``g / b`` and ``-g * a / b**2``."""

    saves_inputs = True
    saved_for = ((1,), (0, 1))  # a is kept only when b wants a gradient

    @staticmethod
    def forward(ctx, a, b):
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = -g * a / (b * b) if ctx.needs_input_grad(1) else None
        return g / b, gb


class Neg(Function):
    """``-x``; the gradient is ``-g``."""

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


class PowScalar(Function):
    """``x ** p`` for a Python number ``p``: d/dx = p * x ** (p - 1)."""

    saves_inputs = True

    @staticmethod
    def forward(ctx, x, exponent):
        ctx.exponent = exponent
        out = x**exponent
        return out if out.dtype == x.dtype else out.astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        p = ctx.exponent
        if p == 0:
            return g * 0.0
        if p == 1:
            return g
        if p == 2:
            return g * x * 2.0
        return g * p * x ** (p - 1)


class Pow(Function):
    """``a ** b`` for two tensors. The exponent's gradient is 0 where ``a == 0`` and ``b >= 0``, as in PyTorch."""

    saves_inputs = True
    saves_result = True

    @staticmethod
    def forward(ctx, a, b):
        return a**b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = g * b * a ** (b - 1) if ctx.needs_input_grad(0) else None
        gb = None
        if ctx.needs_input_grad(1):
            gb = np.where((a == 0) & (b >= 0), 0.0, g * ctx.result * np.log(a))
        return ga, gb


class Exp(Function):
    """``exp(x)``; the gradient is ``g * exp(x)``, read from the saved output."""

    saves_result = True

    @staticmethod
    def forward(ctx, x):
        return np.exp(x)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.result


class Log(Function):
    """``log(x)``; the gradient is ``g / x``."""

    saves_inputs = True

    @staticmethod
    def forward(ctx, x):
        return np.log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x


class Log1p(Function):
    """``log(1 + x)``; the gradient is ``g / (1 + x)``."""

    saves_inputs = True

    @staticmethod
    def forward(ctx, x):
        return np.log1p(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (x + 1.0)


class Expm1(Function):
    """``exp(x) - 1``; the gradient is ``g * (out + 1)``."""

    saves_result = True

    @staticmethod
    def forward(ctx, x):
        return np.expm1(x)

    @staticmethod
    def backward(ctx, g):
        return g * (ctx.result + 1.0)


class Sqrt(Function):
    """``sqrt(x)``; the gradient is ``g / (2 * out)``."""

    saves_result = True

    @staticmethod
    def forward(ctx, x):
        return np.sqrt(x)

    @staticmethod
    def backward(ctx, g):
        return g / (ctx.result * 2.0)


class Rsqrt(Function):
    """``1 / sqrt(x)``; the gradient is ``-g * out**3 / 2``."""

    saves_result = True

    @staticmethod
    def forward(ctx, x):
        return 1.0 / np.sqrt(x)

    @staticmethod
    def backward(ctx, g):
        y = ctx.result
        return g * y * y * y * -0.5


class Sin(Function):
    """``sin(x)``; the gradient is ``g * cos(x)``."""

    saves_inputs = True

    @staticmethod
    def forward(ctx, x):
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.cos(x)


class Cos(Function):
    """``cos(x)``; the gradient is ``-g * sin(x)``."""

    saves_inputs = True

    @staticmethod
    def forward(ctx, x):
        return np.cos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -g * np.sin(x)


class Tan(Function):
    """``tan(x)``; the gradient is ``g * (1 + out**2)``."""

    saves_result = True

    @staticmethod
    def forward(ctx, x):
        return np.tan(x)

    @staticmethod
    def backward(ctx, g):
        y = ctx.result
        return g * (y * y + 1.0)


class Tanh(Function):
    """``tanh(x)``; the gradient is ``g * (1 - out**2)``."""

    saves_result = True

    @staticmethod
    def forward(ctx, x):
        return np.tanh(x)

    @staticmethod
    def backward(ctx, g):
        y = ctx.result
        return g * (1.0 - y * y)


class Sigmoid(Function):
    """``1 / (1 + exp(-x))``, split by sign so nothing overflows; the gradient is ``g * out * (1 - out)``."""

    saves_result = True

    @staticmethod
    def forward(ctx, x):
        # exp of a non-positive number never overflows: split by sign
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        y = ctx.result
        return g * y * (1.0 - y)


class Relu(Function):
    """``max(x, 0)``; the gradient is ``g`` where the output is positive, else 0."""

    saves_result = True
    elementwise = True

    @staticmethod
    def forward(ctx, x):
        z = _ZEROS.get(x.dtype)  # _zero(x.dtype), without the call: relu runs often
        return np.maximum(x, _zero(x.dtype) if z is None else z)

    @staticmethod
    def backward(ctx, g):
        y = ctx.result
        if type(y) is np.ndarray and y.size > 4096:
            # a bool mask moves a quarter of the bytes of a float sign: about twice as fast for large arrays
            return g * (y > _zero(y.dtype))
        # the output is 0 or positive, so its sign is the 0/1 mask: one call, the fastest for small arrays
        return g * np.sign(y)


_ZEROS = {}


def _zero(dtype):
    """A cached 0-d zero of ``dtype``: numpy is about twice as fast with it as with a Python 0."""
    z = _ZEROS.get(dtype)
    if z is None:
        z = _ZEROS[dtype] = np.zeros((), dtype=dtype)
    return z


class Abs(Function):
    """``|x|``; the gradient is ``g * sign(x)`` (0 at 0, as PyTorch)."""

    saves_inputs = True

    @staticmethod
    def forward(ctx, x):
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.sign(x)


class Reciprocal(Function):
    """``1 / x``; the gradient is ``-g * out**2``."""

    saves_result = True

    @staticmethod
    def forward(ctx, x):
        return 1.0 / x

    @staticmethod
    def backward(ctx, g):
        y = ctx.result
        return -g * y * y


class Clamp(Function):
    """Clamp to ``[lo, hi]``; the gradient passes where ``lo <= x <= hi`` (bounds included, as PyTorch)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.lo, ctx.hi = lo, hi
        mask = np.ones(x.shape, dtype=bool)
        if lo is not None:
            mask &= x >= lo
        if hi is not None:
            mask &= x <= hi
        ctx.mask = mask
        out = np.clip(x, lo, hi)
        return out if out.dtype == x.dtype else out.astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        return g * ctx.mask


class Maximum(Function):
    """Elementwise maximum; where the two are equal each gets half the gradient (PyTorch's rule)."""

    saves_inputs = True

    @staticmethod
    def forward(ctx, a, b):
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        wa = (a > b) + (a == b) * 0.5
        return g * wa, g * (1.0 - wa)


class Minimum(Function):
    """Elementwise minimum; ties split the gradient in half."""

    saves_inputs = True

    @staticmethod
    def forward(ctx, a, b):
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        wa = (a < b) + (a == b) * 0.5
        return g * wa, g * (1.0 - wa)


class Where(Function):
    """``where(cond, a, b)``; ``cond`` is a constant mask kept on the record."""

    @staticmethod
    def forward(ctx, a, b, cond):
        ctx.cond = cond
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        zero = np.zeros((), dtype=g.dtype)
        return np.where(ctx.cond, g, zero), np.where(ctx.cond, zero, g)


class Cast(Function):
    """Change dtype; the engine casts the gradient back to the input's dtype."""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.dtype = dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g

    @classmethod
    def apply(cls, x, dtype):
        """Cast ``x`` to ``dtype``; a cast to an integer or bool dtype is not recorded (it ends the graph)."""
        if x.requires_grad and dtype.kind not in "fc":
            # a cast to an integer type ends the graph, as in PyTorch
            from ..tensor import _new

            return _new(x.data.astype(dtype))
        return super().apply(x, dtype=dtype)


class Clone(Function):
    """A copy with its own memory; the gradient is ``g``."""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g


class FloorDiv(Function):
    """Floor division: piecewise constant, so it records nothing."""

    differentiable = False

    @staticmethod
    def forward(ctx, a, b):
        return np.floor_divide(a, b)


class Remainder(Function):
    """Python-style remainder; d/da = 1, d/db = -floor(a / b)."""

    saves_inputs = True

    @staticmethod
    def forward(ctx, a, b):
        return np.remainder(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g, -g * np.floor(a / b)


class FillLike(Function):
    """The result of ``fill_``: a constant, so no gradient reaches the old values."""

    @staticmethod
    def forward(ctx, x, value):
        ctx.value = value
        return np.full_like(x, value)

    @staticmethod
    def backward(ctx, g):
        return None


class CopyFrom(Function):
    """The result of ``dst.copy_(src)``: the values of ``src`` broadcast to ``dst``'s shape and dtype."""

    @staticmethod
    def forward(ctx, dst, src):
        return np.broadcast_to(src, dst.shape).astype(dst.dtype)

    @staticmethod
    def backward(ctx, g):
        return None, g
