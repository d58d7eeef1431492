"""Differentiable primitives that ``nn`` needs and the engine does not have.

Each is an ``autograd.Function`` written the engine's way: ``forward`` on
numpy arrays, ``backward`` in numpy vocabulary so that it also runs on
Tensors under ``create_graph=True`` (grad of grad). Where a rule needs a
function numpy lacks on Tensors (erf, sigmoid) it calls a helper that picks
the array or the Tensor version.

* ``Erf``: the error function, from W. J. Cody's rational Chebyshev
  approximations (Math. Comp. 1969), accurate to double precision.
* ``Gelu``: ``x * Phi(x)`` with the exact normal CDF, as one record.
* ``Softplus``: ``log(1 + exp(beta x)) / beta`` without overflow.
* ``Linear``: ``x @ W.T + b`` as one record; its weight gradient comes out
  contiguous in ``W``'s layout, which the optimizers then stream through.
* ``NllLoss``: pick each target's log-probability, weight and reduce, as one record.
* ``BinaryCrossEntropy``: PyTorch's clamped-log loss with its gradient rule.
* ``ConstantPad``: ``numpy.pad`` with a constant; its backward is a slice.
"""

import math

import numpy as np

import autograd as ag

_SQRT1_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

# ---- erf ------------------------------------------------------------------------------------------
# Cody's coefficients: erf(x) = x A(x^2)/B(x^2) for |x| <= 0.46875, erfc(y) = exp(-y^2) C(y)/D(y) for
# 0.46875 < y <= 4, and erfc(y) = exp(-y^2) (1/sqrt(pi) - z P(z)/Q(z)) / y with z = 1/y^2 beyond.
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03,
      1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02,
      8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03,
      2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
      3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03)
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
      6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1, 6.05183413124413191e-2,
      2.33520497626869185e-3)
_SQRPI = 5.6418958354775628695e-1  # 1/sqrt(pi)


def _exp_neg_square(y):
    """exp(-y*y), split as Cody does so the rounding error of y*y is not amplified."""
    ysq = np.trunc(y * 16.0) / 16.0
    return np.exp(-ysq * ysq) * np.exp(-(y - ysq) * (y + ysq))


def erf_array(x):
    """The error function of a numpy array, to about 1e-16 relative (computed in float64)."""
    x = np.asarray(x)
    out_dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    x = x.astype(np.float64, copy=False)
    y = np.abs(x)
    out = np.empty_like(x)

    small = y <= 0.46875
    if small.any():
        xs = x[small]
        z = xs * xs
        num = (((_A[4] * z + _A[0]) * z + _A[1]) * z + _A[2]) * z + _A[3]
        den = (((z + _B[0]) * z + _B[1]) * z + _B[2]) * z + _B[3]
        out[small] = xs * num / den

    mid = (~small) & (y <= 4.0)
    if mid.any():
        ym = y[mid]
        num = _C[8] * ym
        den = ym
        for i in range(7):
            num = (num + _C[i]) * ym
            den = (den + _D[i]) * ym
        erfc = (num + _C[7]) / (den + _D[7]) * _exp_neg_square(ym)
        out[mid] = np.copysign(1.0 - erfc, x[mid])

    big = y > 4.0
    if big.any():
        yb = y[big]
        with np.errstate(over="ignore", under="ignore"):
            z = 1.0 / (yb * yb)
            num = _P[5] * z
            den = z
            for i in range(4):
                num = (num + _P[i]) * z
                den = (den + _Q[i]) * z
            erfc = (_SQRPI - z * (num + _P[4]) / (den + _Q[4])) / yb * _exp_neg_square(np.minimum(yb, 27.0))
        # erfc underflows to 0 past ~26.5; NaNs fail every comparison above and stay NaN below
        out[big] = np.copysign(1.0 - erfc, x[big])

    out[np.isnan(x)] = np.nan
    return out.astype(out_dtype, copy=False)


def erf(x):
    """erf of an array (plain numpy) or a Tensor (recorded on the tape)."""
    if isinstance(x, ag.Tensor):
        return Erf.apply(x)
    return erf_array(x)


def sigmoid(x):
    """The logistic function of an array or a Tensor, without overflow."""
    if isinstance(x, ag.Tensor):
        return x.sigmoid()
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


class Erf(ag.Function):
    """``erf(x)``; d/dx = 2/sqrt(pi) exp(-x^2)."""

    saves_inputs = True

    @staticmethod
    def forward(ctx, x):
        return erf_array(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (np.exp(-(x * x)) * _TWO_OVER_SQRT_PI)


class Gelu(ag.Function):
    """Exact GELU ``x * Phi(x)``; d/dx = Phi(x) + x phi(x)."""

    saves_inputs = True

    @staticmethod
    def forward(ctx, x):
        return (x * (0.5 * (1.0 + erf_array(x * _SQRT1_2)))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        cdf = (erf(x * _SQRT1_2) + 1.0) * 0.5
        pdf = np.exp(x * x * -0.5) * _INV_SQRT_2PI
        return g * (cdf + x * pdf)


class Softplus(ag.Function):
    """``log(1 + exp(beta x)) / beta``, linear where ``beta x > threshold`` (None: never); d/dx = sigmoid(beta x)."""

    saves_inputs = True

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.beta, ctx.threshold = beta, threshold
        z = x * beta if beta != 1 else x
        out = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
        if beta != 1:
            out = out / beta
        if threshold is not None:
            out = np.where(z > threshold, x, out)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        z = x * ctx.beta if ctx.beta != 1 else x
        gx = g * sigmoid(z)
        if ctx.threshold is not None:
            gx = np.where(np.asarray(_plain(z) > ctx.threshold), g, gx)
        return gx


def _plain(x):
    return x.data if isinstance(x, ag.Tensor) else x


class Linear(ag.Function):
    """``x @ W.T + b`` for ``x`` of shape ``(..., in)``, ``W`` of shape ``(out, in)``, optional ``b`` ``(out,)``."""

    saves_inputs = True
    saved_for = ((1,), (0,), ())  # W is kept only when x wants a gradient, x only when W does

    @staticmethod
    def forward(ctx, x, w, b=None):
        out = np.matmul(x, w.T)
        if b is not None:
            out += b
        return out

    @staticmethod
    def backward(ctx, g):
        # .T and .sum(axis=0) rather than np.swapaxes / np.sum: the same for arrays and (under
        # create_graph) tensors, without numpy's Python-level wrappers
        saved = ctx.saved_tensors
        x, w = saved[0], saved[1]
        wants = ctx.next  # None where an input needs no gradient
        gx = np.matmul(g, w) if wants[0] is not None else None
        gw = gb = None
        g2 = g if g.ndim == 2 else np.reshape(g, (-1, g.shape[-1]))
        if wants[1] is not None:
            if x.ndim == 1:
                gw = np.reshape(g, (-1, 1)) * np.reshape(x, (1, -1))
            else:
                gw = np.matmul(g2.T, x if x.ndim == 2 else np.reshape(x, (-1, x.shape[-1])))
        if len(saved) == 3:
            if wants[2] is not None:
                gb = g if g.ndim == 1 else g2.sum(axis=0)
            return gx, gw, gb
        return gx, gw


class NllLoss(ag.Function):
    """``-coef * logp[..., target, ...]`` along ``class_dim``, then reduced.

    ``coef`` is the class weight of each target (0 where it is ignored), or
    the number 1.0 when every target counts once, and ``denom`` the divisor of
    the mean (the sum of ``coef``). The gradient is
    the constant ``-coef / denom`` at each target's entry, kept from forward.
    With ``denom == 0`` (every target ignored) the mean is NaN and the
    gradient 0, as in PyTorch.
    """

    @staticmethod
    def forward(ctx, logp, target, coef, class_dim, reduction, denom):
        ctx.class_dim, ctx.reduction = class_dim, reduction
        if logp.ndim == 2:  # (N, C): plain fancy indexing, the common case
            where = (np.arange(logp.shape[0]), target)
        else:
            grids = list(np.ogrid[tuple(slice(n) for n in target.shape)])
            where = tuple(grids[:class_dim]) + (target,) + tuple(grids[class_dim:])
        picked = logp[where]
        loss = -(picked if type(coef) is float else picked * coef)  # a float coef is 1.0
        scale = coef
        if reduction == "mean":
            scale = coef / denom if denom != 0 else coef * 0.0
        weights = np.zeros(logp.shape, logp.dtype)
        weights[where] = -scale
        ctx.weights = weights
        if reduction == "none":
            return loss.astype(logp.dtype, copy=False)
        total = loss.sum()
        if reduction == "mean":
            total = total / denom if denom != 0 else np.nan
        return np.asarray(total, dtype=logp.dtype)

    @staticmethod
    def backward(ctx, g):
        if ctx.reduction == "none":
            return np.expand_dims(g, ctx.class_dim) * ctx.weights
        return g * ctx.weights


class BinaryCrossEntropy(ag.Function):
    """Elementwise ``-(t log(x) + (1 - t) log(1 - x))`` with each log clamped at -100, as PyTorch.

    d/dx = (x - t) / max(x (1 - x), 1e-12), PyTorch's rule, finite at x = 0 and x = 1;
    d/dt = log(1 - x) - log(x) with the same clamps.
    """

    saves_inputs = True

    @staticmethod
    def forward(ctx, x, t):
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100.0)
            log_1mx = np.maximum(np.log1p(-x), -100.0)
        return (-(t * log_x + (1.0 - t) * log_1mx)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, t = ctx.saved_tensors
        gx = gt = None
        if ctx.needs_input_grad(0):
            gx = g * (x - t) / np.maximum(x * (1.0 - x), 1e-12)
        if ctx.needs_input_grad(1):
            with np.errstate(divide="ignore"):
                gt = g * (np.maximum(np.log1p(-x), -100.0) - np.maximum(np.log(x), -100.0))
        return gx, gt


class ConstantPad(ag.Function):
    """``numpy.pad`` with a constant; ``widths`` is one ``(before, after)`` pair per dim."""

    @staticmethod
    def forward(ctx, x, widths, value):
        ctx.widths = widths
        return np.pad(x, widths, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        index = tuple(slice(lo, g.shape[i] - hi) for i, (lo, hi) in enumerate(ctx.widths))
        return g[index]
