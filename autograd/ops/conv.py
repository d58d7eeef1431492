"""Convolution and pooling over the last two dims: conv2d, conv1d, max/avg/adaptive pooling.

Arrays are (N, C, H, W), as in PyTorch. Every op reads its input through
*taps*: for kernel offset (i, j) the strided slice of the padded input that
the offset touches in every window. Forward passes and backward passes are
then loops over the kh x kw taps, each a vectorised numpy statement; nothing
loops over batch items, channels or output positions.

Convolution is im2col + matrix products on one column matrix (C * kh * kw,
N * Ho * Wo). The forward is one product per image and group (numpy's
batched matmul), written straight into the (N, O, Ho, Wo) result. The
weight gradient reuses the forward's columns: one batch-wide product
against g laid out channels-last, or with few columns (a first layer with
1-3 input channels) a product per image (see ``_PER_IMAGE_MAX_COLS``). The
input gradient is the transposed convolution: per tap, one GEMM of g with
that tap's weights, added at the tap's place (col2im without the columns).
The temporaries of every kernel live in reused work buffers (``_Scratch``).

Double backward: the three products of a convolution (output, input
gradient, weight gradient) are each an op here (``Conv2d``,
``ConvTranspose2dInput``, ``Conv2dWeightGrad``) whose backward is made of the
other two, so gradients of any order stay convolutions. Pooling has the same
shape: ``MaxPool2d`` scatters its gradient to the argmax positions
(``MaxPool2dScatter``) and the scatter's backward is a gather at those
positions (``MaxPool2dGather``); adaptive max pooling does the same with flat
indices (``IndexScatter``/``IndexGather``); average pooling and its adjoint
are each other's backward. The helpers ``conv2d_input_grad`` and friends run numpy on
arrays and record the op when handed Tensors (under ``create_graph``).
"""

import numbers
import threading

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..function import Function
from ..grad_mode import state


# ---- work buffers -------------------------------------------------------------------------------------
class _Scratch(threading.local):
    """Reusable buffers for the temporaries of one kernel call (padded inputs, columns, products).

    A fresh multi-megabyte numpy array is returned to the OS when freed (glibc
    serves it by mmap), so the next one page-faults on every 4 KiB it touches;
    for a small CNN that costs as much time as the arithmetic. Kernels borrow
    buffers here by role and never let them escape: every array an op returns
    or keeps is freshly allocated. The most recently used buffers are kept, up
    to ``max_total`` bytes in all; one larger than ``max_bytes`` is not kept.

    A buffer can carry a tag naming what it holds (the columns of one
    forward call): ``get`` sets it, so any later use of the buffer replaces
    it, and ``find`` hands the buffer back only while the tag is unchanged.
    """

    max_bytes = 1 << 28
    max_total = 1 << 29

    def __init__(self):
        self.buffers = {}  # key -> array, least recently used first
        self.tags = {}  # key -> what the buffer holds, when its writer said so
        self.total = 0

    def get(self, role, shape, dtype, fill=None, tag=None):
        """An array of ``shape``; with ``fill`` it is filled on creation only (its border stays as made)."""
        key = (role, tuple(shape), np.dtype(dtype), fill)
        self.tags[key] = tag
        buf = self.buffers.pop(key, None)
        if buf is None:
            buf = np.empty(shape, dtype) if fill is None else np.full(shape, fill, dtype)
            if buf.nbytes > self.max_bytes:
                return buf
            self.total += buf.nbytes
        self.buffers[key] = buf
        while self.total > self.max_total:
            old = next(iter(self.buffers))
            self.total -= self.buffers.pop(old).nbytes
            self.tags.pop(old, None)
        return buf

    def find(self, role, shape, dtype, tag):
        """The buffer ``get`` last handed out for these arguments with ``tag``, if no one has taken it since; else None."""
        key = (role, tuple(shape), np.dtype(dtype), None)
        if tag is None or self.tags.get(key) is not tag:
            return None
        return self.buffers.get(key)

    def clear(self):
        self.buffers.clear()
        self.tags.clear()
        self.total = 0


_scratch = _Scratch()


# ---- taps of a padded (N, C, H, W) array ------------------------------------------------------------
def _pad(x, pads, value=0, role="pad"):
    """``x`` inside a work buffer whose border holds ``value``; ``pads`` is (top, bottom, left, right).

    The buffer is keyed by its padding and fill value, so only its interior is
    ever written after creation and the border stays intact.
    """
    top, bottom, left, right = pads
    if not (top or bottom or left or right):
        return x
    n, c, h, w = x.shape
    out = _scratch.get((role, pads), (n, c, h + top + bottom, w + left + right), x.dtype, fill=value)
    out[:, :, top : top + h, left : left + w] = x
    return out


def _tap(xp, i, j, out_hw, stride, dilation):
    """The elements kernel offset (i, j) reads in every window: a strided view (..., Ho, Wo)."""
    (ho, wo), (sh, sw), (dh, dw) = out_hw, stride, dilation
    return xp[..., i * dh : i * dh + sh * (ho - 1) + 1 : sh, j * dw : j * dw + sw * (wo - 1) + 1 : sw]


def _crop(xp, pads, hw):
    top, _, left, _ = pads
    return xp[..., top : top + hw[0], left : left + hw[1]]


def _conv_out_hw(hw, kernel, stride, padding, dilation):
    top, bottom, left, right = padding
    return tuple(
        (size + lo + hi - d * (k - 1) - 1) // s + 1
        for size, lo, hi, k, s, d in zip(hw, (top, left), (bottom, right), kernel, stride, dilation)
    )


# ---- convolution kernels on arrays ----------------------------------------------------------------
# All three products of a convolution read one column matrix, laid out (C * kh * kw, N * Ho * Wo): row
# (c, i, j) holds tap (i, j) of channel c for every output. The forward takes it image by image (the
# columns of image n are a (C * kh * kw, Ho * Wo) block with a row stride, which BLAS reads in place), so
# each product writes its image's (O, Ho * Wo) result straight into the (N, O, Ho, Wo) output with no
# layout change after; those image-sized products also run faster than one batch-wide product (1.5x for
# the benchmark CNN's 16 -> 32 channel layer). The weight gradient is one batch-wide product with g laid
# out channels-last, and reuses the forward's columns (see ``_cols``).
_SHORT_ROWS = 32  # output rows up to this long are gathered in two steps by ``_cols``


def _cols(x, w_shape, stride, padding, dilation, tag=None):
    """The column matrix (C * kh * kw + 1, N * Ho * Wo) of ``x`` in a work buffer, and (Ho, Wo).

    The last row holds ones: against a bias column of the weights it adds the
    bias within the forward's product, and against g it sums g within the
    weight gradient's product, so neither needs a pass of its own over the
    output (the two passes cost about as much as the first layer's product).
    With a ``tag`` (see ``_Scratch``), columns built earlier under the same
    tag are returned as they are if their buffer has not been used since:
    the weight gradient reuses the forward's columns that way, usually.
    """
    n, c = x.shape[:2]
    kh, kw = w_shape[2:]
    ho, wo = _conv_out_hw(x.shape[2:], (kh, kw), stride, padding, dilation)
    k, length = c * kh * kw, n * ho * wo
    cols = _scratch.find("cols", (k + 1, length), x.dtype, tag)
    if cols is None:
        cols = _scratch.get("cols", (k + 1, length), x.dtype, tag=tag)
        xp = _pad(x, padding)
        (sh, sw), (dh, dw), (s_n, s_c, s_h, s_w) = stride, dilation, xp.strides
        shape = (c, kh, kw, n, ho, wo)
        if sh == 1 and kw > 1 and wo <= _SHORT_ROWS:
            # copied in two steps: first the kw column shifts of the input, (kw, N, C, Hp, Wo), so that
            # each tap of each image is then one contiguous run of Ho * Wo elements instead of Ho runs of
            # Wo. numpy pays per run, so for short rows that is faster despite the extra copy (0.84 ->
            # 0.65 ms for a 64x16x14x14 input; slower from about 64-wide rows on)
            shifted = _scratch.get("shifted", (kw, n, c, xp.shape[2], wo), x.dtype)
            np.copyto(shifted, as_strided(xp, shifted.shape, (s_w * dw, s_n, s_c, s_h, s_w * sw), writeable=False))
            xp, (_, s_n, s_c, s_h, s_w) = shifted, shifted.strides
            strides = (s_c, s_h * dh, shifted.strides[0], s_n, s_h, s_w)
        else:
            strides = (s_c, s_h * dh, s_w * dw, s_n, s_h * sh, s_w * sw)
        np.copyto(cols[:k].reshape(shape), as_strided(xp, shape, strides, writeable=False))
        cols[k] = 1
    return cols, (ho, wo)


def _image_blocks(cols, n, hw, groups):
    """(C*kh*kw, N*Ho*Wo) columns as (N, G, C/G*kh*kw, Ho*Wo) per-image blocks (a view)."""
    return cols.reshape(groups, cols.shape[0] // groups, n, hw).transpose(2, 0, 1, 3)


def _grad_rows(g):
    """(N, O, Ho, Wo) -> (N * Ho * Wo, O): g channels-last, in the columns' order.

    Channels-last makes the input gradient's products (rows @ per-tap weights)
    and the weight gradient's (columns @ rows) the orientations OpenBLAS runs
    fastest for these shapes (a third faster than with g's channels first).
    """
    n, o, ho, wo = g.shape
    rows = _scratch.get("rows", (n, ho, wo, o), g.dtype)
    np.copyto(rows, g.transpose(0, 2, 3, 1))
    return rows.reshape(-1, o)


def _conv_np(x, w, b, stride, padding, dilation, groups, tag=None):
    """The convolution as one (O/G, C/G*kh*kw) @ (C/G*kh*kw, Ho*Wo) product per image and group."""
    n, o = x.shape[0], w.shape[0]
    cols, (ho, wo) = _cols(x, w.shape, stride, padding, dilation, tag)
    k = cols.shape[0] - 1
    w3 = w.reshape(groups, o // groups, -1)
    if b is not None and groups == 1:  # the bias as one more column, against the row of ones
        w3 = np.concatenate([w3, b.reshape(1, o, 1)], axis=2)
        k += 1
    out = np.empty((n, o, ho, wo), x.dtype)
    np.matmul(w3, _image_blocks(cols[:k], n, ho * wo, groups), out=out.reshape(n, groups, o // groups, ho * wo))
    if b is not None and groups > 1:
        out.reshape(n, o, -1)[...] += b[:, None]
    return out


# With few columns per group (C/G * kh * kw, at most _PER_IMAGE_MAX_COLS: the usual first layer with 1-3
# input channels) the weight gradient is a product per image too, summed over images: that avoids the long
# contraction with a tiny K x O result that OpenBLAS runs at a fraction of its speed (and needs g in no
# other layout), 2-3x faster for 1-4 input channels. With K = 144 (16 channels, 3x3) the batch-wide
# product is faster.
_PER_IMAGE_MAX_COLS = 64


def _conv_weight_grad_np(x, g, w_shape, stride, padding, dilation, groups, rows=None, tag=None, with_bias=False):
    """The weight gradient; with ``with_bias`` the pair (weight gradient, bias gradient)."""
    n = x.shape[0]
    o, cg, kh, kw = w_shape
    cols, (ho, wo) = _cols(x, w_shape, stride, padding, dilation, tag)
    k = cols.shape[0] - 1
    fold = with_bias and groups == 1  # the bias gradient as one more row of the product, from the row of ones
    if fold:
        k += 1
    if cg * kh * kw <= _PER_IMAGE_MAX_COLS:  # one (O/G, Ho*Wo) @ (Ho*Wo, C/G*kh*kw) product per image and group
        blocks = _image_blocks(cols[:k], n, ho * wo, groups).transpose(0, 1, 3, 2)
        grad = np.matmul(g.reshape(n, groups, o // groups, ho * wo), blocks).sum(axis=0)
    else:
        if rows is None:
            rows = _grad_rows(g)
        cols = cols[:k].reshape(groups, k // groups, -1)  # (G, C/G*kh*kw (+1), L)
        rows = rows.reshape(-1, groups, o // groups).transpose(1, 0, 2)  # (G, L, O/G)
        grad = np.matmul(cols, rows).transpose(0, 2, 1)
    gw = grad[..., : cg * kh * kw].reshape(w_shape)
    if not with_bias:
        return gw
    return gw, grad[0, :, -1].copy() if fold else _bias_grad(g)


def _bias_grad(g):
    """Per image and channel by a product with ones (faster than a sum over three axes), then over images."""
    n, o = g.shape[:2]
    return np.matmul(g.reshape(n, o, -1), np.ones(g.shape[2] * g.shape[3], g.dtype)).sum(axis=0)


def _conv_input_grad_np(g, w, x_shape, stride, padding, dilation, groups, rows=None):
    """The transposed convolution, one kernel tap at a time: ``rows @ w[:, :, i, j]`` added at the tap's place.

    Per-tap products (K = O/G) write each tap's contribution channels-last,
    which is added to a channels-last buffer through the tap's strided view
    (rows of Wo * C contiguous elements) - no (C*kh*kw, L) column matrix, and
    the products run in the orientation OpenBLAS is fastest at (about 1.5x
    the single product).
    """
    n, c, h, wd = x_shape
    o, cg, kh, kw = w.shape
    og = o // groups
    ho, wo = g.shape[2:]
    (sh, sw), (dh, dw), (top, bottom, left, right) = stride, dilation, padding
    if rows is None:
        rows = _grad_rows(g)
    rows = rows.reshape(-1, groups, og).transpose(1, 0, 2)  # (G, L, O/G)
    taps = np.ascontiguousarray(w.reshape(groups, og, cg, kh * kw).transpose(3, 0, 1, 2))  # (kh*kw, G, O/G, C/G)
    tap_out = _scratch.get("tap_grad", (groups, rows.shape[1], cg), rows.dtype)
    contrib = tap_out.reshape(groups, n, ho, wo, cg).transpose(1, 2, 3, 0, 4)  # (N, Ho, Wo, G, C/G)
    buf = _scratch.get("col2im", (n, h + top + bottom, wd + left + right, groups, cg), rows.dtype)
    buf.fill(0)
    for t, (i, j) in _taps((kh, kw)):
        np.matmul(rows, taps[t], out=tap_out)
        buf[:, i * dh : i * dh + sh * (ho - 1) + 1 : sh, j * dw : j * dw + sw * (wo - 1) + 1 : sw] += contrib
    buf = buf.reshape(n, h + top + bottom, wd + left + right, c)
    return buf[:, top : top + h, left : left + wd].transpose(0, 3, 1, 2).copy()  # a fresh array: buf is scratch


# ---- convolution ops --------------------------------------------------------------------------------
def _geom(ctx):
    return {"stride": ctx.stride, "padding": ctx.padding, "dilation": ctx.dilation, "groups": ctx.groups}


def _set_geom(ctx, stride, padding, dilation, groups):
    ctx.stride, ctx.padding, ctx.dilation, ctx.groups = stride, padding, dilation, groups


class Conv2d(Function):
    """``out[n, o] = b[o] + sum_c sum_ij w[o, c, i, j] * xpad[n, g*C/G + c, h*s + i*d, w*s + j*d]``.

    ``padding`` is (top, bottom, left, right); the public ``conv2d`` checks
    the arguments. The im2col columns stay in a work buffer, not in the
    record: holding (and page-faulting in) a fresh array nine times the
    input's size costs more than rebuilding it. The weight gradient reuses
    them when nothing has taken the buffer since the forward (the usual case:
    no other convolution of the same shape in between); otherwise they are
    rebuilt from the saved input.
    """

    saves_inputs = True

    @staticmethod
    def forward(ctx, x, w, b=None, *, stride, padding, dilation, groups):
        _set_geom(ctx, stride, padding, dilation, groups)
        ctx.cols_tag = object()
        return _conv_np(x, w, b, stride, padding, dilation, groups, ctx.cols_tag)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors[:2]
        geom = _geom(ctx)
        with_bias = len(ctx.next) == 3 and ctx.needs_input_grad(2)
        if isinstance(g, np.ndarray):  # a plain backward: the gradients share g's channels-last column layout
            rows = None
            if ctx.needs_input_grad(0):  # (the first layer's input is data: g needs no new layout there)
                rows = _grad_rows(g)
            gx = _conv_input_grad_np(g, w, x.shape, rows=rows, **geom) if ctx.needs_input_grad(0) else None
            gw = gb = None
            if ctx.needs_input_grad(1):
                gw = _conv_weight_grad_np(x, g, w.shape, rows=rows, tag=ctx.cols_tag, with_bias=with_bias, **geom)
                if with_bias:
                    gw, gb = gw
            elif with_bias:
                gb = _bias_grad(g)
            return gx, gw, gb
        gx = conv2d_input_grad(g, w, x.shape, **geom) if ctx.needs_input_grad(0) else None
        gw = conv2d_weight_grad(x, g, w.shape, **geom) if ctx.needs_input_grad(1) else None
        gb = np.sum(g, axis=(0, 2, 3)) if with_bias else None
        return gx, gw, gb


class ConvTranspose2dInput(Function):
    """The gradient of ``conv2d`` with respect to its input: a transposed convolution of ``g`` with ``w``.

    Linear in each argument; its backward is a convolution (for ``g``) and a
    weight gradient (for ``w``).
    """

    saves_inputs = True

    @staticmethod
    def forward(ctx, g, w, *, x_shape, stride, padding, dilation, groups):
        _set_geom(ctx, stride, padding, dilation, groups)
        ctx.x_shape = x_shape
        return _conv_input_grad_np(g, w, x_shape, stride, padding, dilation, groups)

    @staticmethod
    def backward(ctx, gg):
        g, w = ctx.saved_tensors
        geom = _geom(ctx)
        dg = dw = None
        if ctx.needs_input_grad(0):
            dg = conv2d_raw(gg, w, **geom)
        if ctx.needs_input_grad(1):
            dw = conv2d_weight_grad(gg, g, w.shape, **geom)
        return dg, dw


class Conv2dWeightGrad(Function):
    """The gradient of ``conv2d`` with respect to its weight: ``x`` correlated with ``g``.

    Linear in each argument; its backward is a transposed convolution (for
    ``x``) and a convolution (for ``g``).
    """

    saves_inputs = True

    @staticmethod
    def forward(ctx, x, g, *, w_shape, stride, padding, dilation, groups):
        _set_geom(ctx, stride, padding, dilation, groups)
        ctx.w_shape = w_shape
        return _conv_weight_grad_np(x, g, w_shape, stride, padding, dilation, groups)

    @staticmethod
    def backward(ctx, gw):
        x, g = ctx.saved_tensors
        geom = _geom(ctx)
        dx = dg = None
        if ctx.needs_input_grad(0):
            dx = conv2d_input_grad(g, gw, x.shape, **geom)
        if ctx.needs_input_grad(1):
            dg = conv2d_raw(x, gw, **geom)
        return dx, dg


def _arrays(*xs):
    return all(isinstance(v, np.ndarray) for v in xs)


def _tensors(*xs):
    return [_tensor(v, "conv2d") for v in xs]


def conv2d_raw(x, w, stride, padding, dilation, groups):
    """Convolution without bias or argument checks: numpy on arrays, the ``Conv2d`` op on Tensors."""
    if _arrays(x, w):
        return _conv_np(x, w, None, stride, padding, dilation, groups)
    return Conv2d.apply(*_tensors(x, w), stride=stride, padding=padding, dilation=dilation, groups=groups)


def conv2d_input_grad(g, w, x_shape, stride, padding, dilation, groups):
    """The input gradient of a convolution (a transposed convolution)."""
    x_shape = tuple(x_shape)
    if _arrays(g, w):
        return _conv_input_grad_np(g, w, x_shape, stride, padding, dilation, groups)
    return ConvTranspose2dInput.apply(
        *_tensors(g, w), x_shape=x_shape, stride=stride, padding=padding, dilation=dilation, groups=groups
    )


def conv2d_weight_grad(x, g, w_shape, stride, padding, dilation, groups):
    """The weight gradient of a convolution."""
    w_shape = tuple(w_shape)
    if _arrays(x, g):
        return _conv_weight_grad_np(x, g, w_shape, stride, padding, dilation, groups)
    return Conv2dWeightGrad.apply(
        *_tensors(x, g), w_shape=w_shape, stride=stride, padding=padding, dilation=dilation, groups=groups
    )


# ---- pooling ------------------------------------------------------------------------------------------
def _pool_out(size, k, s, p, d, ceil_mode):
    """PyTorch's pooling output size; with ``ceil_mode`` the last window must start inside the input or left padding."""
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_pads(hw, out_hw, kernel, stride, padding, dilation):
    """(top, bottom, left, right): the symmetric padding plus what ceil_mode's last windows hang over."""
    pads = []
    for size, o, k, s, p, d in zip(hw, out_hw, kernel, stride, padding, dilation):
        need = (o - 1) * s + d * (k - 1) + 1
        pads += [p, max(p, need - size - p)]
    return tuple(pads)


def _taps(kernel):
    kh, kw = kernel
    return [(t, divmod(t, kw)) for t in range(kh * kw)]


class MaxPool2d(Function):
    """Maximum over each window; the gradient goes to the window's first maximum (PyTorch's argmax).

    ``ctx.argmax`` holds, per output, the tap (i * kw + j) that won. A NaN
    wins its window, as in PyTorch.
    """

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, dilation, out_hw):
        ctx.kernel, ctx.stride, ctx.pads, ctx.dilation = kernel, stride, pads, dilation
        ctx.in_shape = x.shape
        fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        xp = _pad(x, pads, fill)
        # Finite window maxima always beat the padding, so there the rule is a plain ">". A NaN (which
        # np.maximum carries into its window's maximum) or a window whose maximum is -inf needs PyTorch's
        # exact rule (a NaN wins; only real, unpadded positions compete): checked on the output, a
        # quarter of the input for 2x2 windows.
        best, argmax = _max_taps(xp, kernel, stride, dilation, out_hw)
        if x.dtype.kind == "f" and best.size and not np.isfinite(best.min()):
            best, argmax = _max_taps_exact(xp, x.shape[2:], kernel, stride, pads, dilation, out_hw)
        ctx.argmax = argmax
        return best

    @staticmethod
    def backward(ctx, g):
        return max_pool_scatter(g, ctx.argmax, ctx.in_shape, ctx.kernel, ctx.stride, ctx.pads, ctx.dilation)


def _tap_index_dtype(kernel):
    return np.uint8 if kernel[0] * kernel[1] <= 256 else np.intp


def _max_taps(xp, kernel, stride, dilation, out_hw):
    """Running maximum over the taps; a later tap wins only if strictly greater, so ties keep the first.

    Each tap is copied to a contiguous buffer first: numpy's comparisons and
    maxima are several times faster on contiguous operands than on the
    strided tap views, and the copy is paid once for three uses.
    """
    taps = _taps(kernel)
    best = _tap(xp, 0, 0, out_hw, stride, dilation).copy()
    argmax = np.zeros(best.shape, dtype=_tap_index_dtype(kernel))
    v = _scratch.get("tap", best.shape, best.dtype)
    won = _scratch.get("won", best.shape, bool)
    stamp = _scratch.get("stamp", best.shape, argmax.dtype)
    for t, (i, j) in taps[1:]:
        np.copyto(v, _tap(xp, i, j, out_hw, stride, dilation))
        np.greater(v, best, out=won)
        np.maximum(best, v, out=best)
        # taps come in increasing order, so the winner so far is below t: max() records a win
        np.multiply(won, stamp.dtype.type(t), out=stamp)
        np.maximum(argmax, stamp, out=argmax)
    return best, argmax


def _max_taps_exact(xp, hw, kernel, stride, pads, dilation, out_hw):
    """PyTorch's rule for inputs with NaN or -inf: scan real positions only; a NaN always takes over."""
    best = argmax = None
    for t, (i, j) in _taps(kernel):
        v = _tap(xp, i, j, out_hw, stride, dilation)
        if best is None:
            best = np.full(v.shape, -np.inf, dtype=xp.dtype)
            argmax = np.full(v.shape, -1, dtype=np.intp)
        won = (v > best) | np.isnan(v) | (argmax < 0)
        won &= _inside(i, j, hw, out_hw, stride, pads, dilation)
        np.copyto(best, v, where=won)
        np.copyto(argmax, t, where=won)
    return best, np.maximum(argmax, 0).astype(_tap_index_dtype(kernel))


def _inside(i, j, hw, out_hw, stride, pads, dilation):
    """Which windows read a real input element (not padding) at tap (i, j): a (Ho, Wo) mask."""
    rows = np.arange(out_hw[0]) * stride[0] - pads[0] + i * dilation[0]
    cols = np.arange(out_hw[1]) * stride[1] - pads[2] + j * dilation[1]
    return ((rows >= 0) & (rows < hw[0]))[:, None] & ((cols >= 0) & (cols < hw[1]))[None, :]


def _max_scatter_np(g, argmax, in_shape, kernel, stride, pads, dilation):
    n, c, h, w = in_shape
    padded = (h + pads[0] + pads[1], w + pads[2] + pads[3])
    out_hw = g.shape[2:]
    # one tap's windows hit distinct positions; different taps meet only where windows overlap
    overlap = any(s < d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))
    finite = g.size == 0 or np.isfinite(g.min())
    # windows that tile the input exactly (kernel == stride, as in the usual 2x2 pooling): the taps write
    # every position between them, so the buffer needs no zeroing first
    tiled = dilation == (1, 1) and tuple(kernel) == tuple(stride) and padded == tuple(
        o * s for o, s in zip(out_hw, stride))
    buf = (np.empty if tiled and finite else np.zeros)((n, c) + padded, dtype=g.dtype)
    won = _scratch.get("won", argmax.shape, bool)
    for t, (i, j) in _taps(kernel):
        view = _tap(buf, i, j, out_hw, stride, dilation)
        np.equal(argmax, t, out=won)
        if not finite:  # g * 0 would turn inf or NaN into NaN at the losers
            np.add(view, g, out=view, where=won)
        elif overlap:
            view += g * won
        else:
            np.multiply(g, won, out=view)
    return _crop(buf, pads, (h, w))


def _max_gather_np(gg, argmax, kernel, stride, pads, dilation):
    ggp = _pad(gg, pads)
    out = np.zeros(argmax.shape, dtype=gg.dtype)
    for t, (i, j) in _taps(kernel):
        np.copyto(out, _tap(ggp, i, j, argmax.shape[2:], stride, dilation), where=argmax == t)
    return out


class MaxPool2dScatter(Function):
    """The gradient of max pooling: ``g`` added at each window's argmax. Its backward is the gather."""

    @staticmethod
    def forward(ctx, g, argmax, in_shape, kernel, stride, pads, dilation):
        ctx.argmax, ctx.in_shape = argmax, in_shape
        ctx.kernel, ctx.stride, ctx.pads, ctx.dilation = kernel, stride, pads, dilation
        return _max_scatter_np(g, argmax, in_shape, kernel, stride, pads, dilation)

    @staticmethod
    def backward(ctx, gg):
        return max_pool_gather(gg, ctx.argmax, ctx.in_shape, ctx.kernel, ctx.stride, ctx.pads, ctx.dilation)


class MaxPool2dGather(Function):
    """Each window's argmax element of ``gg``: the second derivative of max pooling. Its backward is the scatter."""

    @staticmethod
    def forward(ctx, gg, argmax, in_shape, kernel, stride, pads, dilation):
        ctx.argmax, ctx.in_shape = argmax, in_shape
        ctx.kernel, ctx.stride, ctx.pads, ctx.dilation = kernel, stride, pads, dilation
        return _max_gather_np(gg, argmax, kernel, stride, pads, dilation)

    @staticmethod
    def backward(ctx, g):
        return max_pool_scatter(g, ctx.argmax, ctx.in_shape, ctx.kernel, ctx.stride, ctx.pads, ctx.dilation)


def max_pool_scatter(g, argmax, in_shape, kernel, stride, pads, dilation):
    """``MaxPool2dScatter`` on arrays (plain numpy) or on Tensors (recorded, under ``create_graph``)."""
    if isinstance(g, np.ndarray):
        return _max_scatter_np(g, argmax, in_shape, kernel, stride, pads, dilation)
    return MaxPool2dScatter.apply(
        g, argmax=argmax, in_shape=in_shape, kernel=kernel, stride=stride, pads=pads, dilation=dilation
    )


def max_pool_gather(gg, argmax, in_shape, kernel, stride, pads, dilation):
    """``MaxPool2dGather`` on arrays (plain numpy) or on Tensors (recorded, under ``create_graph``)."""
    if isinstance(gg, np.ndarray):
        return _max_gather_np(gg, argmax, kernel, stride, pads, dilation)
    return MaxPool2dGather.apply(
        gg, argmax=argmax, in_shape=in_shape, kernel=kernel, stride=stride, pads=pads, dilation=dilation
    )


def _avg_divisor(hw, out_hw, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override, dtype):
    """PyTorch's divisor per output: the window clipped to the padded input (or to the input), or the override."""
    if divisor_override is not None:
        return np.asarray(divisor_override, dtype=dtype)
    if count_include_pad and not ceil_mode:
        return np.asarray(kernel[0] * kernel[1], dtype=dtype)  # every window lies inside the padded input
    sizes = []
    for size, o, k, s, p in zip(hw, out_hw, kernel, stride, padding):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, size + p)
        sizes.append(end - start if count_include_pad else np.minimum(end, size) - np.maximum(start, 0))
    return (sizes[0][:, None] * sizes[1][None, :]).astype(dtype)


def _avg_pool_np(x, kernel, stride, pads, divisor, out_hw):
    xp = _pad(x, pads)
    out = None
    for _, (i, j) in _taps(kernel):
        v = _tap(xp, i, j, out_hw, stride, (1, 1))
        if out is None:
            out = v.copy()
        else:
            out += v
    out /= divisor
    return out


class AvgPool2d(Function):
    """Mean over each window (sum of the taps over PyTorch's divisor). Its backward is ``AvgPool2dAdjoint``."""

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, divisor, out_hw):
        ctx.kernel, ctx.stride, ctx.pads, ctx.divisor, ctx.out_hw = kernel, stride, pads, divisor, out_hw
        ctx.in_shape = x.shape
        return _avg_pool_np(x, kernel, stride, pads, divisor, out_hw)

    @staticmethod
    def backward(ctx, g):
        return avg_pool_adjoint(g, ctx.in_shape, ctx.kernel, ctx.stride, ctx.pads, ctx.divisor)


def _avg_adjoint_np(g, in_shape, kernel, stride, pads, divisor):
    n, c, h, w = in_shape
    share = g / divisor
    buf = np.zeros((n, c, h + pads[0] + pads[1], w + pads[2] + pads[3]), dtype=share.dtype)
    for _, (i, j) in _taps(kernel):
        _tap(buf, i, j, g.shape[2:], stride, (1, 1))[...] += share
    return _crop(buf, pads, (h, w))


class AvgPool2dAdjoint(Function):
    """Each output's gradient over its divisor, spread over its window: the backward of ``AvgPool2d``."""

    @staticmethod
    def forward(ctx, g, in_shape, kernel, stride, pads, divisor):
        ctx.in_shape, ctx.kernel, ctx.stride, ctx.pads, ctx.divisor = in_shape, kernel, stride, pads, divisor
        ctx.out_hw = g.shape[2:]
        return _avg_adjoint_np(g, in_shape, kernel, stride, pads, divisor)

    @staticmethod
    def backward(ctx, gg):
        if isinstance(gg, np.ndarray):
            return _avg_pool_np(gg, ctx.kernel, ctx.stride, ctx.pads, ctx.divisor, ctx.out_hw)
        return AvgPool2d.apply(
            gg, kernel=ctx.kernel, stride=ctx.stride, pads=ctx.pads, divisor=ctx.divisor, out_hw=ctx.out_hw
        )


def avg_pool_adjoint(g, in_shape, kernel, stride, pads, divisor):
    """``AvgPool2dAdjoint`` on arrays (plain numpy) or on Tensors (recorded, under ``create_graph``)."""
    if isinstance(g, np.ndarray):
        return _avg_adjoint_np(g, in_shape, kernel, stride, pads, divisor)
    return AvgPool2dAdjoint.apply(g, in_shape=in_shape, kernel=kernel, stride=stride, pads=pads, divisor=divisor)


def _adaptive_bounds(size, out):
    """PyTorch's adaptive windows: [floor(i * size / out), ceil((i + 1) * size / out))."""
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def _adaptive_avg_matrix(size, out, dtype):
    """(out, size): row i averages window i, so pooling is ``A_h @ x @ A_w.T``."""
    start, end = _adaptive_bounds(size, out)
    pos = np.arange(size)
    inside = (pos[None, :] >= start[:, None]) & (pos[None, :] < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


class AdaptiveAvgPool2d(Function):
    """Average over PyTorch's adaptive windows, as two products with averaging matrices."""

    @staticmethod
    def forward(ctx, x, output_size):
        n, c, h, w = x.shape
        ho, wo = output_size
        ctx.output_size = output_size
        ctx.rows = _adaptive_avg_matrix(h, ho, x.dtype)
        ctx.cols = _adaptive_avg_matrix(w, wo, x.dtype)
        across = (x.reshape(-1, w) @ ctx.cols.T).reshape(n, c, h, wo)
        return np.matmul(ctx.rows, across)

    @staticmethod
    def backward(ctx, g):
        n, c, ho, wo = g.shape
        up = np.matmul(ctx.rows.T, g)  # (N, C, H, Wo)
        return np.reshape(np.reshape(up, (-1, wo)) @ ctx.cols, (n, c, ctx.rows.shape[1], ctx.cols.shape[1]))


class AdaptiveMaxPool2d(Function):
    """Maximum over PyTorch's adaptive windows; the gradient goes to each window's first maximum.

    The windows differ in size, so the taps run over the largest window and a
    tap outside a smaller window is masked off. ``ctx.index`` holds, per
    output, the flat position ``h * W + w`` of the winner.
    """

    @staticmethod
    def forward(ctx, x, output_size):
        n, c, h, w = x.shape
        ctx.output_size, ctx.in_shape = output_size, x.shape
        (h0, h1), (w0, w1) = _adaptive_bounds(h, output_size[0]), _adaptive_bounds(w, output_size[1])
        best = np.full((n, c) + tuple(output_size), -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min,
                       dtype=x.dtype)
        index = np.zeros(best.shape, dtype=np.int64)
        first = True
        for di in range(int((h1 - h0).max(initial=0))):
            rows = np.minimum(h0 + di, h - 1)
            for dj in range(int((w1 - w0).max(initial=0))):
                cols = np.minimum(w0 + dj, w - 1)
                v = x[:, :, rows[:, None], cols[None, :]]
                won = (v > best) | np.isnan(v) if x.dtype.kind == "f" else v > best
                if first:  # the window's first element wins even when it is -inf
                    won[...] = True
                    first = False
                won &= ((h0 + di < h1)[:, None] & (w0 + dj < w1)[None, :])
                np.copyto(best, v, where=won)
                np.copyto(index, rows[:, None] * w + cols[None, :], where=won)
        ctx.index = index
        return best

    @staticmethod
    def backward(ctx, g):
        return index_scatter(g, ctx.index, ctx.in_shape)


def _index_scatter_np(g, index, in_shape):
    """Zeros of ``in_shape`` with ``g`` added at the flat plane positions ``index`` (repeats add up)."""
    n, c, h, w = in_shape
    plane = h * w
    where = (index + (np.arange(n * c) * plane).reshape(n, c, 1, 1)).reshape(-1)
    total = np.bincount(where, weights=g.reshape(-1), minlength=n * c * plane)
    return total.astype(g.dtype, copy=False).reshape(in_shape)


def _index_gather_np(gg, index):
    n, c = index.shape[:2]
    return np.take_along_axis(gg.reshape(n, c, -1), index.reshape(n, c, -1), axis=2).reshape(index.shape)


class IndexScatter(Function):
    """``g`` added into zeros at flat plane positions: the gradient of adaptive max pooling. Backward: a gather."""

    @staticmethod
    def forward(ctx, g, index, in_shape):
        ctx.index, ctx.in_shape = index, in_shape
        return _index_scatter_np(g, index, in_shape)

    @staticmethod
    def backward(ctx, gg):
        return index_gather(gg, ctx.index, ctx.in_shape)


class IndexGather(Function):
    """The elements of each plane at flat positions ``index``: the scatter's backward, and the other way round."""

    @staticmethod
    def forward(ctx, gg, index, in_shape):
        ctx.index, ctx.in_shape = index, in_shape
        return _index_gather_np(gg, index)

    @staticmethod
    def backward(ctx, g):
        return index_scatter(g, ctx.index, ctx.in_shape)


def index_scatter(g, index, in_shape):
    """``IndexScatter`` on arrays (plain numpy) or on Tensors (recorded, under ``create_graph``)."""
    if isinstance(g, np.ndarray):
        return _index_scatter_np(g, index, in_shape)
    return IndexScatter.apply(g, index=index, in_shape=in_shape)


def index_gather(gg, index, in_shape):
    """``IndexGather`` on arrays (plain numpy) or on Tensors (recorded, under ``create_graph``)."""
    if isinstance(gg, np.ndarray):
        return _index_gather_np(gg, index)
    return IndexGather.apply(gg, index=index, in_shape=in_shape)


# ---- argument checking and the public functions -----------------------------------------------------
def _tensor(x, opname):
    """Coerce to a Tensor (imported late: this module loads while ``autograd.ops`` may still be loading)."""
    from . import _T

    return _T(x, opname)


def _ints(value, n, name, opname):
    """An int or a sequence of ``n`` ints -> a tuple of ``n`` ints."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (int(value),) * n
    if isinstance(value, (tuple, list)) and len(value) == n and all(isinstance(v, numbers.Integral) for v in value):
        return tuple(int(v) for v in value)
    if isinstance(value, (tuple, list)) and len(value) == 1 and isinstance(value[0], numbers.Integral):
        return (int(value[0]),) * n
    raise RuntimeError(
        f"{opname}: expected {name} to be a single integer value or a list of {n} values to match the "
        f"{n}-d window, but got {name}={value!r}"
    )


def _check_float(x, opname):
    if x.data.dtype.kind != "f":
        raise RuntimeError(
            f"{opname}: expected a floating point input, got dtype {x.data.dtype} (shape {tuple(x.data.shape)}); "
            "convert with .float()"
        )


def _batched(x, opname, spatial=2):
    """Accept (C, *spatial) or (N, C, *spatial) inputs; returns the batched tensor and whether it was unbatched."""
    nd = x.data.ndim
    if nd == spatial + 1:
        return x.unsqueeze(0), True
    if nd == spatial + 2:
        return x, False
    names = "(C, L) or (N, C, L)" if spatial == 1 else "(C, H, W) or (N, C, H, W)"
    raise RuntimeError(
        f"{opname}: expected a {spatial + 1}-D (unbatched) or {spatial + 2}-D (batched) input {names}, got input "
        f"of shape {tuple(x.data.shape)}; use unsqueeze/reshape to add or drop dims"
    )


def _conv(input, weight, bias, stride, padding, dilation, groups, opname, spatial):  # noqa: A002
    x, w = _tensor(input, opname), _tensor(weight, opname)
    in_shape = tuple(x.data.shape)
    _check_float(x, opname)
    if w.data.dtype != x.data.dtype:
        raise RuntimeError(
            f"{opname}: input dtype {x.data.dtype} and weight dtype {w.data.dtype} differ; convert one of them "
            f"with .to(...) (e.g. weight.to(input.dtype))"
        )
    kdims = "kL" if spatial == 1 else "kH, kW"
    if w.data.ndim != spatial + 2:
        raise RuntimeError(
            f"{opname}: expected a {spatial + 2}-D weight (out_channels, in_channels / groups, {kdims}), got weight "
            f"of shape {tuple(w.data.shape)}"
        )
    x, unbatched = _batched(x, opname, spatial)
    if not isinstance(groups, numbers.Integral) or groups <= 0:
        raise RuntimeError(f"{opname}: groups must be a positive integer, got groups={groups!r}")
    groups = int(groups)
    o, c_per_group = w.data.shape[:2]
    if o % groups:
        raise RuntimeError(
            f"{opname}: out_channels = weight.shape[0] = {o} must be divisible by groups={groups} "
            f"(weight {tuple(w.data.shape)})"
        )
    if x.data.shape[1] != c_per_group * groups:
        raise RuntimeError(
            f"{opname}: expected input with {c_per_group * groups} channels (weight {tuple(w.data.shape)}, "
            f"groups={groups}), got input of shape {in_shape}"
        )
    b = None
    if bias is not None:
        b = _tensor(bias, opname)
        if b.data.shape != (o,):
            raise RuntimeError(
                f"{opname}: expected bias of shape ({o},) to match weight {tuple(w.data.shape)}, got bias of shape "
                f"{tuple(b.data.shape)}"
            )
        if b.data.dtype != x.data.dtype:
            raise RuntimeError(f"{opname}: bias dtype {b.data.dtype} differs from input dtype {x.data.dtype}")
    stride = _ints(stride, spatial, "stride", opname)
    dilation = _ints(dilation, spatial, "dilation", opname)
    if min(stride) <= 0:
        raise RuntimeError(f"{opname}: stride must be positive, got stride={stride}")
    if min(dilation) <= 0:
        raise RuntimeError(f"{opname}: dilation must be positive, got dilation={dilation}")
    kernel = w.data.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * spatial
        elif padding == "same":
            if max(stride) != 1:
                raise RuntimeError(
                    f"{opname}: padding='same' is not supported for strided convolutions (stride={stride}); give "
                    "the padding explicitly"
                )
            # PyTorch's rule: total d * (k - 1), the odd one out on the bottom/right
            pads = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for k, d in zip(kernel, dilation)]
        else:
            raise RuntimeError(f"{opname}: invalid padding string {padding!r}; use 'valid', 'same' or integers")
    else:
        pad = _ints(padding, spatial, "padding", opname)
        if min(pad) < 0:
            raise RuntimeError(f"{opname}: padding must be non-negative, got padding={pad}")
        pads = [(p, p) for p in pad]
    if spatial == 1:  # a conv1d is a conv2d over a size-1 height
        pads = [(0, 0)] + pads
        stride, dilation, kernel = (1,) + stride, (1,) + dilation, (1,) + kernel
        x, w = x.unsqueeze(2), w.unsqueeze(2)
    padding4 = pads[0] + pads[1]
    hw = x.data.shape[2:]
    padded = (hw[0] + pads[0][0] + pads[0][1], hw[1] + pads[1][0] + pads[1][1])
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    if span[0] > padded[0] or span[1] > padded[1]:
        k_, s_, p_ = (kernel, span, padded) if spatial == 2 else (kernel[1:], span[1:], padded[1:])
        raise RuntimeError(
            f"{opname}: kernel {tuple(k_)} with dilation {dilation[-spatial:]} spans {s_}, larger than the padded "
            f"input {p_} (input of shape {in_shape}); use a smaller kernel, more padding or a larger input"
        )
    args = (x, w) if b is None else (x, w, b)
    out = Conv2d.apply(*args, stride=stride, padding=padding4, dilation=dilation, groups=groups)
    if spatial == 1:
        out = out.squeeze(2)
    return out.squeeze(0) if unbatched else out


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002 - PyTorch's name
    """2-D convolution (cross-correlation) over (N, C, H, W) or unbatched (C, H, W) input, as ``torch.nn.functional.conv2d``.

    ``weight`` is (out_channels, in_channels / groups, kH, kW); ``padding`` is an
    int, a pair, ``"valid"`` (none) or ``"same"`` (output as large as the input;
    stride 1 only; an odd total padding puts the extra row/column at the
    bottom/right, as PyTorch does).
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, "conv2d", 2)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002 - PyTorch's name
    """1-D convolution over (N, C, L) or unbatched (C, L) input, as ``torch.nn.functional.conv1d``.

    Computed as a ``conv2d`` over a height of one, so the tape shows a reshape,
    a ``Conv2d`` and a reshape.
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, "conv1d", 1)


def _pool_args(x, kernel_size, stride, padding, dilation, ceil_mode, opname):
    kernel = _ints(kernel_size, 2, "kernel_size", opname)
    stride = kernel if stride is None or (isinstance(stride, (tuple, list)) and not stride) else _ints(
        stride, 2, "stride", opname
    )
    padding = _ints(padding, 2, "padding", opname)
    dilation = _ints(dilation, 2, "dilation", opname)
    if min(kernel) <= 0:
        raise RuntimeError(f"{opname}: kernel_size must be positive, got kernel_size={kernel}")
    if min(stride) <= 0:
        raise RuntimeError(f"{opname}: stride must be positive, got stride={stride}")
    if min(dilation) <= 0:
        raise RuntimeError(f"{opname}: dilation must be positive, got dilation={dilation}")
    if min(padding) < 0:
        raise RuntimeError(f"{opname}: padding must be non-negative, got padding={padding}")
    for p, k, d in zip(padding, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"{opname}: pad should be at most half of effective kernel size, but got padding={padding}, "
                f"kernel_size={kernel} and dilation={dilation}; lower the padding or use a larger kernel"
            )
    hw = x.data.shape[2:]
    out_hw = tuple(_pool_out(*a, ceil_mode) for a in zip(hw, kernel, stride, padding, dilation))
    if min(out_hw) < 1:
        raise RuntimeError(
            f"{opname}: input of shape {tuple(x.data.shape)} is too small for kernel_size={kernel}, stride={stride}, "
            f"padding={padding}, dilation={dilation}: the output would be {out_hw}; use a smaller kernel or more padding"
        )
    return kernel, stride, padding, dilation, out_hw


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):  # noqa: A002
    """2-D max pooling over (N, C, H, W) or (C, H, W), as ``torch.nn.functional.max_pool2d``.

    ``stride`` defaults to ``kernel_size``; padding counts as -inf. The gradient
    of each window goes to its first maximum (row-major), as PyTorch's. With
    ``return_indices`` also returns, per output, the flat index ``h * W + w``
    of that maximum in the input plane (int64).
    """
    opname = "max_pool2d"
    x, unbatched = _batched(_tensor(input, opname), opname)
    kernel, stride, padding, dilation, out_hw = _pool_args(x, kernel_size, stride, padding, dilation, ceil_mode, opname)
    pads = _pool_pads(x.data.shape[2:], out_hw, kernel, stride, padding, dilation)
    attrs = {"kernel": kernel, "stride": stride, "pads": pads, "dilation": dilation, "out_hw": out_hw}
    if return_indices and not (state.enabled and x.requires_grad):
        # nothing to record, but the winners are wanted: run the forward on a throwaway record
        ctx = object.__new__(MaxPool2d)
        out = _tensor(MaxPool2d.forward(ctx, x.data, **attrs), opname)
        argmax = ctx.argmax
    else:
        out = MaxPool2d.apply(x, **attrs)
        argmax = out.grad_fn.argmax if return_indices else None
    if unbatched:
        out = out.squeeze(0)
    if not return_indices:
        return out
    i, j = np.divmod(argmax.astype(np.int64), kernel[1])
    rows = (np.arange(out_hw[0]) * stride[0] - padding[0])[:, None] + i * dilation[0]
    cols = (np.arange(out_hw[1]) * stride[1] - padding[1])[None, :] + j * dilation[1]
    idx = _tensor(rows * x.data.shape[3] + cols, opname)
    return out, (idx.squeeze(0) if unbatched else idx)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,  # noqa: A002
               divisor_override=None):
    """2-D average pooling over (N, C, H, W) or (C, H, W), as ``torch.nn.functional.avg_pool2d``.

    The divisor is PyTorch's: the window clipped to the padded input
    (``count_include_pad=True``), or to the input itself (``False``), or
    ``divisor_override``.
    """
    opname = "avg_pool2d"
    x = _tensor(input, opname)
    _check_float(x, opname)
    x, unbatched = _batched(x, opname)
    kernel, stride, padding, dilation, out_hw = _pool_args(x, kernel_size, stride, padding, 1, ceil_mode, opname)
    if divisor_override is not None and (not isinstance(divisor_override, numbers.Integral) or divisor_override == 0):
        raise RuntimeError(f"{opname}: divisor_override must be a non-zero integer, got {divisor_override!r}")
    pads = _pool_pads(x.data.shape[2:], out_hw, kernel, stride, padding, dilation)
    divisor = _avg_divisor(x.data.shape[2:], out_hw, kernel, stride, padding, ceil_mode, count_include_pad,
                           divisor_override, x.data.dtype)
    out = AvgPool2d.apply(x, kernel=kernel, stride=stride, pads=pads, divisor=divisor, out_hw=out_hw)
    return out.squeeze(0) if unbatched else out


def _output_size(output_size, hw, opname):
    if isinstance(output_size, numbers.Integral) or output_size is None:
        output_size = (output_size, output_size)
    if not isinstance(output_size, (tuple, list)) or len(output_size) != 2:
        raise RuntimeError(f"{opname}: output_size must be an int or a pair (None keeps that dim), got {output_size!r}")
    out = tuple(h if o is None else o for o, h in zip(output_size, hw))
    if any(not isinstance(o, numbers.Integral) or o < 0 for o in out):
        raise RuntimeError(f"{opname}: output_size must hold non-negative integers or None, got {output_size!r}")
    return tuple(int(o) for o in out)


def adaptive_avg_pool2d(input, output_size):  # noqa: A002 - PyTorch's name
    """Average pooling to a fixed ``output_size`` (int, pair, None keeps a dim), as ``torch.nn.functional.adaptive_avg_pool2d``.

    Output cell i covers input rows ``floor(i * H / Ho)`` to ``ceil((i + 1) * H / Ho)``.
    """
    opname = "adaptive_avg_pool2d"
    x = _tensor(input, opname)
    _check_float(x, opname)
    x, unbatched = _batched(x, opname)
    out_hw = _output_size(output_size, x.data.shape[2:], opname)
    if min(x.data.shape[2:]) == 0 and max(out_hw) > 0:
        raise RuntimeError(f"{opname}: input of shape {tuple(x.data.shape)} has an empty spatial dim")
    out = AdaptiveAvgPool2d.apply(x, output_size=out_hw)
    return out.squeeze(0) if unbatched else out


def adaptive_max_pool2d(input, output_size, return_indices=False):  # noqa: A002 - PyTorch's name
    """Max pooling to a fixed ``output_size`` over PyTorch's adaptive windows, as ``torch.nn.functional.adaptive_max_pool2d``.

    The gradient of each window goes to its first maximum (a NaN wins); with
    ``return_indices`` also returns the flat index ``h * W + w`` of each
    maximum (int64).
    """
    opname = "adaptive_max_pool2d"
    x, unbatched = _batched(_tensor(input, opname), opname)
    out_hw = _output_size(output_size, x.data.shape[2:], opname)
    if min(x.data.shape[2:]) == 0 and max(out_hw) > 0:
        raise RuntimeError(f"{opname}: input of shape {tuple(x.data.shape)} has an empty spatial dim")
    if return_indices and not (state.enabled and x.requires_grad):
        ctx = object.__new__(AdaptiveMaxPool2d)  # nothing to record: a throwaway record holds the winners
        out = _tensor(AdaptiveMaxPool2d.forward(ctx, x.data, out_hw), opname)
        index = ctx.index
    else:
        out = AdaptiveMaxPool2d.apply(x, output_size=out_hw)
        index = out.grad_fn.index if return_indices else None
    if unbatched:
        out = out.squeeze(0)
    if not return_indices:
        return out
    idx = _tensor(index, opname)
    return out, (idx.squeeze(0) if unbatched else idx)
