"""Convolution and pooling: conv2d, conv1d, max_pool2d, avg_pool2d, adaptive_avg_pool2d, adaptive_max_pool2d.

The reference for every value is a naive direct implementation below, written
with plain Python loops over tiny float64 inputs straight from the
definitions (PyTorch's documented output-size, padding and divisor rules).
Gradients are checked against the naive loops' own explicit backward and by
finite differences (``gradcheck``), second derivatives by ``gradgradcheck``.
"""

import math

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(1234)


def randn(*shape):
    return RNG.standard_normal(shape)


def leaf(array):
    return ag.tensor(np.array(array, dtype=np.float64), requires_grad=True)


# ---- naive references ---------------------------------------------------------------------------
def same_padding(kernel, dilation):
    """PyTorch's 'same': total d*(k-1) per dim, the odd one out at the bottom/right."""
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads += [total // 2, total - total // 2]
    return tuple(pads)


def explicit_padding(padding, kernel, dilation):
    """(top, bottom, left, right) for an int, a pair, 'valid' or 'same'."""
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        return same_padding(kernel, dilation)
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    return (ph, ph, pw, pw)


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def naive_conv2d(x, w, b, stride, pads, dilation, groups):
    """Direct cross-correlation; returns the output and a function computing (gx, gw, gb) from g."""
    n_, c_, h_, w_ = x.shape
    o_, cg, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    top, bottom, left, right = pads
    hp, wp = h_ + top + bottom, w_ + left + right
    xp = np.zeros((n_, c_, hp, wp))
    xp[:, :, top : top + h_, left : left + w_] = x
    ho = (hp - dh * (kh - 1) - 1) // sh + 1
    wo = (wp - dw * (kw - 1) - 1) // sw + 1
    og = o_ // groups
    out = np.zeros((n_, o_, ho, wo))
    for n in range(n_):
        for o in range(o_):
            grp = o // og
            for oh in range(ho):
                for ow in range(wo):
                    acc = 0.0 if b is None else b[o]
                    for c in range(cg):
                        for i in range(kh):
                            for j in range(kw):
                                acc += w[o, c, i, j] * xp[n, grp * cg + c, oh * sh + i * dh, ow * sw + j * dw]
                    out[n, o, oh, ow] = acc

    def backward(g):
        gxp = np.zeros_like(xp)
        gw = np.zeros_like(w)
        gb = np.zeros(o_)
        for n in range(n_):
            for o in range(o_):
                grp = o // og
                for oh in range(ho):
                    for ow in range(wo):
                        gb[o] += g[n, o, oh, ow]
                        for c in range(cg):
                            for i in range(kh):
                                for j in range(kw):
                                    r, q = oh * sh + i * dh, ow * sw + j * dw
                                    gxp[n, grp * cg + c, r, q] += g[n, o, oh, ow] * w[o, c, i, j]
                                    gw[o, c, i, j] += g[n, o, oh, ow] * xp[n, grp * cg + c, r, q]
        return gxp[:, :, top : top + h_, left : left + w_], gw, gb

    return out, backward


def pool_out_size(size, k, s, p, d, ceil_mode):
    """PyTorch's pooling output size; with ceil_mode the last window must start inside the input or left padding."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (math.ceil(span / s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def naive_max_pool2d(x, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's scan: real positions of the window in row-major order, a larger value or a NaN takes over.

    Returns (values, flat indices h*W + w, backward(g) -> gx)."""
    n_, c_, h_, w_ = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    ho = pool_out_size(h_, kh, sh, ph, dh, ceil_mode)
    wo = pool_out_size(w_, kw, sw, pw, dw, ceil_mode)
    values = np.zeros((n_, c_, ho, wo))
    index = np.zeros((n_, c_, ho, wo), dtype=np.int64)
    for n in range(n_):
        for c in range(c_):
            for oh in range(ho):
                for ow in range(wo):
                    best, at = -math.inf, None
                    for i in range(kh):
                        for j in range(kw):
                            r, q = oh * sh - ph + i * dh, ow * sw - pw + j * dw
                            if not (0 <= r < h_ and 0 <= q < w_):
                                continue
                            v = x[n, c, r, q]
                            if at is None or v > best or math.isnan(v):
                                best, at = v, r * w_ + q
                    values[n, c, oh, ow] = best
                    index[n, c, oh, ow] = at

    def backward(g):
        gx = np.zeros(x.shape)
        for n in range(n_):
            for c in range(c_):
                for oh in range(ho):
                    for ow in range(wo):
                        r, q = divmod(index[n, c, oh, ow], w_)
                        gx[n, c, r, q] += g[n, c, oh, ow]
        return gx

    return values, index, backward


def naive_avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    """PyTorch's rule: the window is clipped to the padded input for its size, to the input for its sum."""
    n_, c_, h_, w_ = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    ho = pool_out_size(h_, kh, sh, ph, 1, ceil_mode)
    wo = pool_out_size(w_, kw, sw, pw, 1, ceil_mode)
    out = np.zeros((n_, c_, ho, wo))
    windows = {}
    for oh in range(ho):
        for ow in range(wo):
            h0, w0 = oh * sh - ph, ow * sw - pw
            h1, w1 = min(h0 + kh, h_ + ph), min(w0 + kw, w_ + pw)
            pool_size = (h1 - h0) * (w1 - w0)
            h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, h_), min(w1, w_)
            if divisor_override:
                divisor = divisor_override
            elif count_include_pad:
                divisor = pool_size
            else:
                divisor = (h1 - h0) * (w1 - w0)
            windows[oh, ow] = (h0, h1, w0, w1, divisor)
            for n in range(n_):
                for c in range(c_):
                    out[n, c, oh, ow] = x[n, c, h0:h1, w0:w1].sum() / divisor

    def backward(g):
        gx = np.zeros(x.shape)
        for (oh, ow), (h0, h1, w0, w1, divisor) in windows.items():
            gx[:, :, h0:h1, w0:w1] += g[:, :, oh, ow][:, :, None, None] / divisor
        return gx

    return out, backward


def naive_adaptive_avg_pool2d(x, out_hw):
    n_, c_, h_, w_ = x.shape
    ho, wo = out_hw
    out = np.zeros((n_, c_, ho, wo))
    for oh in range(ho):
        h0, h1 = math.floor(oh * h_ / ho), math.ceil((oh + 1) * h_ / ho)
        for ow in range(wo):
            w0, w1 = math.floor(ow * w_ / wo), math.ceil((ow + 1) * w_ / wo)
            out[:, :, oh, ow] = x[:, :, h0:h1, w0:w1].mean(axis=(2, 3))
    return out


def adaptive_window(i, size, out):
    return math.floor(i * size / out), math.ceil((i + 1) * size / out)


def naive_adaptive_max_pool2d(x, out_hw):
    """Returns (values, flat indices, backward); PyTorch's scan: a larger value or a NaN takes over."""
    n_, c_, h_, w_ = x.shape
    ho, wo = out_hw
    values = np.zeros((n_, c_, ho, wo))
    index = np.zeros((n_, c_, ho, wo), dtype=np.int64)
    for n in range(n_):
        for c in range(c_):
            for oh in range(ho):
                h0, h1 = adaptive_window(oh, h_, ho)
                for ow in range(wo):
                    w0, w1 = adaptive_window(ow, w_, wo)
                    best, at = None, None
                    for r in range(h0, h1):
                        for q in range(w0, w1):
                            v = x[n, c, r, q]
                            if at is None or v > best or math.isnan(v):
                                best, at = v, r * w_ + q
                    values[n, c, oh, ow], index[n, c, oh, ow] = best, at

    def backward(g):
        gx = np.zeros(x.shape)
        for n in range(n_):
            for c in range(c_):
                for oh in range(ho):
                    for ow in range(wo):
                        r, q = divmod(index[n, c, oh, ow], w_)
                        gx[n, c, r, q] += g[n, c, oh, ow]
        return gx

    return values, index, backward


# ---- conv2d -----------------------------------------------------------------------------------------
# (input shape, weight shape, stride, padding, dilation, groups, bias)
CONV_CASES = [
    pytest.param((2, 3, 6, 7), (4, 3, 3, 3), 1, 0, 1, 1, True, id="plain"),
    pytest.param((2, 3, 6, 7), (4, 3, 3, 3), 1, 1, 1, 1, False, id="pad1-nobias"),
    pytest.param((2, 2, 9, 12), (3, 2, 3, 3), 1, 1, 1, 1, True, id="wide-rows"),
    pytest.param((1, 2, 7, 8), (3, 2, 3, 2), 2, 1, 1, 1, True, id="stride2"),
    pytest.param((2, 2, 8, 7), (3, 2, 2, 3), (2, 1), (1, 2), 1, 1, True, id="stride-pad-pairs"),
    pytest.param((1, 2, 9, 9), (2, 2, 3, 3), 1, 2, 2, 1, True, id="dilation2"),
    pytest.param((1, 2, 9, 8), (2, 2, 2, 3), (2, 3), (1, 0), (2, 1), 1, True, id="stride-dilation-pairs"),
    pytest.param((2, 4, 5, 6), (6, 2, 3, 3), 1, 1, 1, 2, True, id="groups2"),
    pytest.param((1, 6, 6, 6), (6, 1, 3, 3), (2, 2), 1, 1, 6, False, id="depthwise-stride"),
    pytest.param((2, 3, 6, 5), (2, 3, 3, 3), 1, "same", 1, 1, True, id="same-odd"),
    pytest.param((2, 2, 5, 6), (3, 2, 2, 4), 1, "same", 1, 1, True, id="same-even-asymmetric"),
    pytest.param((1, 2, 7, 7), (2, 2, 2, 2), 1, "same", (3, 1), 1, True, id="same-even-dilated"),
    pytest.param((2, 3, 5, 5), (2, 3, 3, 3), 1, "valid", 1, 1, True, id="valid"),
    pytest.param((1, 3, 4, 5), (2, 3, 1, 1), 1, 0, 1, 1, True, id="pointwise"),
    # more than 64 columns per group: the weight gradient is one product over the batch, not one per image
    pytest.param((2, 8, 5, 6), (3, 8, 3, 3), 1, 1, 1, 1, True, id="many-channels"),
    pytest.param((2, 8, 7, 6), (3, 8, 3, 3), 2, 1, 1, 1, True, id="many-channels-stride2"),
    pytest.param((1, 16, 5, 5), (4, 8, 3, 3), 1, (1, 2), (1, 2), 2, True, id="many-channels-groups2-dilated"),
]


def conv_case(x_shape, w_shape, bias, groups):
    x, w = randn(*x_shape), randn(*w_shape)
    b = randn(w_shape[0]) if bias else None
    return x, w, b


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation, groups, bias", CONV_CASES)
def test_conv2d_forward_matches_naive_loop(x_shape, w_shape, stride, padding, dilation, groups, bias):
    x, w, b = conv_case(x_shape, w_shape, bias, groups)
    pads = explicit_padding(padding, w_shape[2:], pair(dilation))
    expected, _ = naive_conv2d(x, w, b, pair(stride), pads, pair(dilation), groups)
    out = ag.conv2d(ag.tensor(x), ag.tensor(w), None if b is None else ag.tensor(b), stride, padding, dilation, groups)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation, groups, bias", CONV_CASES)
def test_conv2d_backward_matches_naive_loop(x_shape, w_shape, stride, padding, dilation, groups, bias):
    x, w, b = conv_case(x_shape, w_shape, bias, groups)
    pads = explicit_padding(padding, w_shape[2:], pair(dilation))
    expected, naive_backward = naive_conv2d(x, w, b, pair(stride), pads, pair(dilation), groups)
    g = randn(*expected.shape)
    xt, wt = leaf(x), leaf(w)
    bt = None if b is None else leaf(b)
    ag.conv2d(xt, wt, bt, stride, padding, dilation, groups).backward(ag.tensor(g))
    gx, gw, gb = naive_backward(g)
    np.testing.assert_allclose(xt.grad.numpy(), gx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(wt.grad.numpy(), gw, rtol=1e-10, atol=1e-12)
    if bt is not None:
        np.testing.assert_allclose(bt.grad.numpy(), gb, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("wanted", ["x", "w", "b"])
def test_conv2d_backward_computes_only_what_is_asked_and_gets_it_right(wanted):
    x, w, b = randn(2, 2, 5, 6), randn(3, 2, 3, 3), randn(3)
    _, naive_backward = naive_conv2d(x, w, b, (1, 1), (1, 1, 1, 1), (1, 1), 1)
    tensors = {"x": ag.tensor(x), "w": ag.tensor(w), "b": ag.tensor(b)}
    tensors[wanted].requires_grad_()
    out = ag.conv2d(tensors["x"], tensors["w"], tensors["b"], padding=1)
    g = randn(*out.shape)
    out.backward(ag.tensor(g))
    expected = dict(zip("xwb", naive_backward(g)))
    for name, t in tensors.items():
        if name == wanted:
            np.testing.assert_allclose(t.grad.numpy(), expected[name], rtol=1e-10, atol=1e-12)
        else:
            assert t.grad is None


@pytest.mark.parametrize(
    "stride, padding, dilation, groups",
    [(1, 1, 1, 1), ((2, 1), (1, 0), (1, 2), 2), (1, "same", 2, 1)],
    ids=["pad", "stride-dilation-groups", "same-dilated"],
)
def test_conv2d_gradcheck(stride, padding, dilation, groups):
    x, w, b = leaf(randn(2, 2, 5, 6)), leaf(randn(4, 2 // groups, 2, 3)), leaf(randn(4))
    assert ag.gradcheck(lambda x, w, b: ag.conv2d(x, w, b, stride, padding, dilation, groups), (x, w, b))


@pytest.mark.parametrize(
    "stride, padding, dilation, groups",
    [(1, 1, 1, 1), (2, (1, 0), 1, 2), (1, "same", (1, 2), 1)],
    ids=["pad", "stride-groups", "same-dilated"],
)
def test_conv2d_gradgradcheck(stride, padding, dilation, groups):
    x, w, b = leaf(randn(1, 2, 5, 5)), leaf(randn(2, 2 // groups, 2, 3)), leaf(randn(2))
    assert ag.gradgradcheck(lambda x, w, b: ag.conv2d(x, w, b, stride, padding, dilation, groups), (x, w, b))


def test_conv2d_second_derivative_through_a_nonlinearity():
    # d/dx of sum(grad_w(sum(tanh(conv(x, w))))^2) needs the input and weight gradients of the gradient ops
    x, w = leaf(randn(1, 2, 4, 4)), leaf(randn(2, 2, 3, 3))
    assert ag.gradgradcheck(lambda x, w: ag.conv2d(x, w, padding=1, stride=(1, 2)).tanh(), (x, w))


def test_conv2d_third_derivative():
    # gradgradcheck of the gradient itself: the backward of the gradient ops runs on recorded Tensors
    def first_grads(x, w):
        return ag.grad(ag.conv2d(x, w, stride=(2, 1), padding=1, groups=2).tanh().sum(), (x, w), create_graph=True)

    x, w = leaf(randn(1, 2, 4, 3)), leaf(randn(2, 1, 2, 2))
    assert ag.gradgradcheck(first_grads, (x, w))


def test_conv2d_unbatched_input_is_one_batch_item():
    x, w, b = randn(3, 6, 5), randn(4, 3, 3, 2), randn(4)
    expected, _ = naive_conv2d(x[None], w, b, (2, 1), (1, 1, 0, 0), (1, 1), 1)
    out = ag.conv2d(ag.tensor(x), ag.tensor(w), ag.tensor(b), stride=(2, 1), padding=(1, 0))
    assert out.shape == expected.shape[1:]
    np.testing.assert_allclose(out.numpy(), expected[0], rtol=1e-10, atol=1e-12)


def test_conv2d_same_padding_keeps_the_spatial_size():
    out = ag.conv2d(ag.randn(2, 3, 7, 6), ag.randn(5, 3, 4, 2), padding="same", dilation=(1, 3))
    assert out.shape == (2, 5, 7, 6)


def test_conv2d_keeps_float32():
    out = ag.conv2d(ag.randn(2, 3, 8, 8), ag.randn(4, 3, 3, 3, requires_grad=True), ag.randn(4), padding=1)
    assert out.dtype == np.float32
    out.sum().backward()


def test_conv2d_float32_agrees_with_float64_reference():
    x, w, b = randn(4, 3, 10, 10), randn(8, 3, 3, 3), randn(8)
    expected, _ = naive_conv2d(x, w, b, (1, 1), (1, 1, 1, 1), (1, 1), 1)
    f32 = [ag.tensor(a.astype(np.float32)) for a in (x, w, b)]
    np.testing.assert_allclose(ag.conv2d(*f32, padding=1).numpy(), expected, rtol=1e-4, atol=1e-4)


def test_conv2d_non_contiguous_input():
    x, w = randn(2, 3, 7, 6), randn(2, 3, 3, 3)
    xt = ag.tensor(np.ascontiguousarray(x.transpose(0, 1, 3, 2))).transpose(2, 3)  # same values, strided
    for stride, padding in [(2, 0), (1, 1)]:
        expected, _ = naive_conv2d(x, w, None, (stride, stride), (padding,) * 4, (1, 1), 1)
        np.testing.assert_allclose(ag.conv2d(xt, ag.tensor(w), None, stride, padding).numpy(), expected, rtol=1e-10)


@pytest.mark.parametrize("stride", [1, 2])
def test_conv2d_results_are_not_overwritten_by_the_next_call(stride):
    # single image, single channel: the shapes where a result could alias an internal work buffer
    x1, x2, w = randn(1, 1, 5, 5), randn(1, 1, 5, 5), randn(1, 1, 3, 3)
    expected, naive_backward = naive_conv2d(x1, w, None, (stride, stride), (1, 1, 1, 1), (1, 1), 1)
    g1, g2 = randn(*expected.shape), randn(*expected.shape)
    a, b = leaf(x1), leaf(x2)
    out1 = ag.conv2d(a, ag.tensor(w), stride=stride, padding=1)
    out1.backward(ag.tensor(g1))
    out2 = ag.conv2d(b, ag.tensor(w), stride=stride, padding=1)
    out2.backward(ag.tensor(g2))
    np.testing.assert_allclose(out1.detach().numpy(), expected, rtol=1e-10)
    np.testing.assert_allclose(a.grad.numpy(), naive_backward(g1)[0], rtol=1e-10)


@pytest.mark.parametrize("channels", [1, 8])
def test_conv2d_layer_used_twice_before_backward(channels):
    # the second call takes the work buffer that held the first call's im2col columns
    x1, x2, w = randn(2, channels, 5, 6), randn(2, channels, 5, 6), randn(3, channels, 3, 3)
    out1, back1 = naive_conv2d(x1, w, None, (1, 1), (1, 1, 1, 1), (1, 1), 1)
    out2, back2 = naive_conv2d(x2, w, None, (1, 1), (1, 1, 1, 1), (1, 1), 1)
    g1, g2 = randn(*out1.shape), randn(*out2.shape)
    a, b, wt = leaf(x1), leaf(x2), leaf(w)
    y1 = ag.conv2d(a, wt, padding=1)
    y2 = ag.conv2d(b, wt, padding=1)
    ((y1 * ag.tensor(g1)).sum() + (y2 * ag.tensor(g2)).sum()).backward()
    np.testing.assert_allclose(wt.grad.numpy(), back1(g1)[1] + back2(g2)[1], rtol=1e-10)
    np.testing.assert_allclose(a.grad.numpy(), back1(g1)[0], rtol=1e-10)
    np.testing.assert_allclose(b.grad.numpy(), back2(g2)[0], rtol=1e-10)


def test_conv2d_empty_batch():
    out = ag.conv2d(ag.randn(0, 3, 5, 5), ag.randn(2, 3, 3, 3))
    assert out.shape == (0, 2, 3, 3)


def test_conv2d_gradient_twice_with_retain_graph_accumulates():
    x, w = leaf(randn(1, 2, 4, 4)), leaf(randn(3, 2, 3, 3))
    out = ag.conv2d(x, w, padding=1).sum()
    out.backward(retain_graph=True)
    first = w.grad.numpy().copy()
    out.backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * first)


def test_conv2d_tape_record_is_named_conv2d():
    out = ag.conv2d(ag.randn(1, 1, 4, 4), ag.randn(1, 1, 3, 3, requires_grad=True))
    assert out.grad_fn.name() == "Conv2d"


# ---- conv1d -------------------------------------------------------------------------------------------
def naive_conv1d(x, w, b, stride, pads, dilation, groups):
    n_, c_, l_ = x.shape
    o_, cg, k = w.shape
    xp = np.concatenate([np.zeros((n_, c_, pads[0])), x, np.zeros((n_, c_, pads[1]))], axis=2)
    lo = (xp.shape[2] - dilation * (k - 1) - 1) // stride + 1
    og = o_ // groups
    out = np.zeros((n_, o_, lo))
    for n in range(n_):
        for o in range(o_):
            for t in range(lo):
                acc = 0.0 if b is None else b[o]
                for c in range(cg):
                    for i in range(k):
                        acc += w[o, c, i] * xp[n, (o // og) * cg + c, t * stride + i * dilation]
                out[n, o, t] = acc
    return out


@pytest.mark.parametrize(
    "stride, padding, dilation, groups, pads",
    [(1, 0, 1, 1, (0, 0)), (2, 1, 1, 2, (1, 1)), (1, "same", 2, 1, (2, 2)), (1, "same", 1, 1, None)],
    ids=["plain", "stride-pad-groups", "same-dilated", "same-even"],
)
def test_conv1d_matches_naive_loop(stride, padding, dilation, groups, pads):
    k = 4 if pads is None else 3
    pads = pads or (1, 2)  # kernel 4: total 3, the odd one on the right
    x, w, b = randn(2, 4, 9), randn(6, 4 // groups, k), randn(6)
    expected = naive_conv1d(x, w, b, stride, pads, dilation, groups)
    out = ag.conv1d(ag.tensor(x), ag.tensor(w), ag.tensor(b), stride, padding, dilation, groups)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_conv1d_unbatched_and_gradcheck():
    x, w, b = leaf(randn(2, 7)), leaf(randn(3, 2, 3)), leaf(randn(3))
    assert ag.conv1d(x, w, b, padding=1).shape == (3, 7)
    assert ag.gradcheck(lambda x, w, b: ag.conv1d(x, w, b, stride=2, padding=1), (x, w, b))


# ---- conv errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "x_shape, w_shape, kwargs, message",
    [
        ((8, 1, 28, 28), (16, 3, 3, 3), {}, r"conv2d: expected input with 3 channels \(weight \(16, 3, 3, 3\), "
         r"groups=1\), got input of shape \(8, 1, 28, 28\)"),
        ((1, 28, 28, 1, 1), (16, 1, 3, 3), {}, r"conv2d: expected a 3-D \(unbatched\) or 4-D \(batched\) input.*"
         r"\(1, 28, 28, 1, 1\)"),
        ((28, 28), (16, 1, 3, 3), {}, r"conv2d: expected a 3-D .* got input of shape \(28, 28\)"),
        ((8, 6, 5, 5), (16, 2, 3, 3), {"groups": 3}, r"out_channels = weight.shape\[0\] = 16 must be divisible by "
         r"groups=3"),
        ((8, 6, 5, 5), (16, 2, 3, 3), {"groups": 4}, r"expected input with 8 channels \(weight \(16, 2, 3, 3\), "
         r"groups=4\)"),
        ((8, 3, 2, 2), (16, 3, 3, 3), {}, r"conv2d: kernel \(3, 3\) .* larger than the padded input \(2, 2\)"),
        ((1, 3, 5, 5), (2, 3, 3, 3), {"stride": 0}, r"conv2d: stride must be positive"),
        ((1, 3, 5, 5), (2, 3, 3, 3), {"stride": (1, -1)}, r"conv2d: stride must be positive"),
        ((1, 3, 5, 5), (2, 3, 3, 3), {"dilation": 0}, r"conv2d: dilation must be positive"),
        ((1, 3, 5, 5), (2, 3, 3, 3), {"padding": -1}, r"conv2d: padding must be non-negative"),
        ((1, 3, 5, 5), (2, 3, 3, 3), {"padding": "same", "stride": 2}, r"padding='same' is not supported for "
         r"strided convolutions"),
        ((1, 3, 5, 5), (2, 3, 3, 3), {"padding": "full"}, r"conv2d: invalid padding string 'full'"),
        ((1, 3, 5, 5), (2, 3, 3, 3), {"stride": (1, 2, 3)}, r"conv2d: expected stride to be a single integer value "
         r"or a list of 2 values"),
        ((1, 3, 5, 5), (2, 3, 3), {}, r"conv2d: expected a 4-D weight .* got weight of shape \(2, 3, 3\)"),
        ((1, 3, 5, 5), (2, 3, 3, 3), {"groups": 0}, r"conv2d: groups must be a positive integer"),
    ],
)
def test_conv2d_errors_name_the_op_the_shapes_and_the_fix(x_shape, w_shape, kwargs, message):
    with pytest.raises(RuntimeError, match=message):
        ag.conv2d(ag.randn(*x_shape), ag.randn(*w_shape), **kwargs)


def test_conv2d_bias_shape_error():
    with pytest.raises(RuntimeError, match=r"conv2d: expected bias of shape \(16,\) .* got bias of shape \(15,\)"):
        ag.conv2d(ag.randn(1, 3, 5, 5), ag.randn(16, 3, 3, 3), ag.randn(15))


def test_conv2d_bias_dtype_error():
    with pytest.raises(RuntimeError, match=r"conv2d: bias dtype float64 differs from input dtype float32"):
        ag.conv2d(ag.randn(1, 3, 5, 5), ag.randn(2, 3, 3, 3), ag.randn(2, dtype=ag.float64))


def test_conv2d_dtype_mismatch_error():
    with pytest.raises(RuntimeError, match=r"conv2d: input dtype float64 and weight dtype float32 differ"):
        ag.conv2d(ag.randn(1, 3, 5, 5, dtype=ag.float64), ag.randn(2, 3, 3, 3))


def test_conv2d_integer_input_error():
    with pytest.raises(RuntimeError, match=r"conv2d: expected a floating point input, got dtype int64"):
        ag.conv2d(ag.tensor(np.ones((1, 1, 3, 3), dtype=np.int64)), ag.tensor(np.ones((1, 1, 3, 3), dtype=np.int64)))


def test_conv1d_errors_speak_of_conv1d():
    with pytest.raises(RuntimeError, match=r"conv1d: expected a 2-D \(unbatched\) or 3-D \(batched\) input"):
        ag.conv1d(ag.randn(8, 3, 5, 5), ag.randn(16, 3, 3))
    with pytest.raises(RuntimeError, match=r"conv1d: expected input with 3 channels \(weight \(16, 3, 3\)"):
        ag.conv1d(ag.randn(8, 2, 5), ag.randn(16, 3, 3))


# ---- max_pool2d -------------------------------------------------------------------------------------
# (input shape, kernel, stride, padding, dilation, ceil_mode)
MAX_CASES = [
    pytest.param((2, 3, 6, 6), 2, None, 0, 1, False, id="k2"),
    pytest.param((1, 2, 7, 9), 3, 2, 1, 1, False, id="k3-s2-p1"),
    pytest.param((1, 2, 7, 9), 3, 2, 1, 1, True, id="k3-s2-p1-ceil"),
    pytest.param((2, 1, 5, 5), 2, 2, 1, 1, True, id="ceil-last-window-dropped"),
    pytest.param((1, 2, 6, 7), (3, 2), (1, 3), (1, 1), 1, False, id="overlapping-rows"),
    pytest.param((1, 2, 10, 9), (3, 2), (2, 3), (1, 0), (2, 1), True, id="dilation-ceil"),
    pytest.param((1, 1, 8, 8), 2, 3, 0, 1, False, id="stride-gt-kernel"),
    pytest.param((1, 1, 7, 7), 3, 1, 1, 1, False, id="stride1"),
]


def max_pool_input(shape):
    # distinct values, so finite differences never straddle a tie
    x = RNG.permutation(np.prod(shape)).reshape(shape).astype(np.float64) / 7.0
    return x + 0.01 * randn(*shape)


def pair_or_default(stride, kernel):
    return pair(kernel) if stride is None else pair(stride)


@pytest.mark.parametrize("shape, kernel, stride, padding, dilation, ceil_mode", MAX_CASES)
def test_max_pool2d_forward_and_indices_match_naive_loop(shape, kernel, stride, padding, dilation, ceil_mode):
    x = max_pool_input(shape)
    values, index, _ = naive_max_pool2d(
        x, pair(kernel), pair_or_default(stride, kernel), pair(padding), pair(dilation), ceil_mode
    )
    out, idx = ag.max_pool2d(ag.tensor(x), kernel, stride, padding, dilation, ceil_mode, return_indices=True)
    np.testing.assert_array_equal(out.numpy(), values)
    np.testing.assert_array_equal(idx.numpy(), index)
    assert idx.dtype == np.int64


@pytest.mark.parametrize("shape, kernel, stride, padding, dilation, ceil_mode", MAX_CASES)
def test_max_pool2d_backward_matches_naive_loop(shape, kernel, stride, padding, dilation, ceil_mode):
    x = max_pool_input(shape)
    values, _, naive_backward = naive_max_pool2d(
        x, pair(kernel), pair_or_default(stride, kernel), pair(padding), pair(dilation), ceil_mode
    )
    g = randn(*values.shape)
    xt = leaf(x)
    ag.max_pool2d(xt, kernel, stride, padding, dilation, ceil_mode).backward(ag.tensor(g))
    np.testing.assert_allclose(xt.grad.numpy(), naive_backward(g), rtol=1e-12, atol=1e-12)


def test_max_pool2d_ties_send_the_gradient_to_the_first_maximum():
    x = leaf(np.zeros((1, 1, 2, 4)))
    ag.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[[1, 0, 1, 0], [0, 0, 0, 0]]]])


def test_max_pool2d_overlapping_windows_accumulate_on_a_shared_maximum():
    x = leaf(np.array([[[[0.0, 0.0, 0.0], [0.0, 9.0, 0.0], [0.0, 0.0, 0.0]]]]))
    ag.max_pool2d(x, 2, stride=1).sum().backward()
    assert x.grad.numpy()[0, 0, 1, 1] == 4.0
    assert x.grad.numpy().sum() == 4.0


def test_max_pool2d_nan_wins_its_window_and_takes_the_gradient():
    x = np.array([[[[1.0, np.nan, 3.0, -1.0], [0.0, 2.0, np.nan, np.nan]]]])
    values, index, naive_backward = naive_max_pool2d(x, (2, 2), (2, 2), (0, 0), (1, 1), False)
    xt = leaf(x)
    out, idx = ag.max_pool2d(xt, 2, return_indices=True)
    assert np.isnan(out.detach().numpy()).all()
    np.testing.assert_array_equal(idx.numpy(), index)  # the last NaN of a window, as PyTorch's scan gives
    out.backward(ag.ones(1, 1, 1, 2, dtype=ag.float64))
    np.testing.assert_array_equal(xt.grad.numpy(), naive_backward(np.ones((1, 1, 1, 2))))


def test_max_pool2d_minus_inf_window_with_padding_picks_a_real_position():
    x = np.full((1, 1, 3, 3), -np.inf)
    _, index, _ = naive_max_pool2d(x, (3, 3), (2, 2), (1, 1), (1, 1), False)
    out, idx = ag.max_pool2d(ag.tensor(x), 3, 2, 1, return_indices=True)
    assert np.all(out.numpy() == -np.inf)
    np.testing.assert_array_equal(idx.numpy(), index)


def test_max_pool2d_infinite_gradient_stays_at_the_argmax():
    x = leaf(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    ag.max_pool2d(x, 2).backward(ag.tensor(np.full((1, 1, 1, 1), np.inf)))
    np.testing.assert_array_equal(x.grad.numpy(), [[[[0, 0], [0, np.inf]]]])


def test_max_pool2d_gradcheck():
    x = leaf(max_pool_input((1, 2, 5, 6)))
    assert ag.gradcheck(lambda x: ag.max_pool2d(x, 3, 2, 1, ceil_mode=True), (x,))


def test_max_pool2d_gradgradcheck():
    # squaring after the pool makes the second derivative a gather of the grad-grad at the argmax
    x = leaf(max_pool_input((1, 2, 5, 5)))
    assert ag.gradgradcheck(lambda x: ag.max_pool2d(x, 2, 1, 1) ** 2, (x,))


def test_max_pool2d_third_derivative():
    def first_grad(x):
        return ag.grad((ag.max_pool2d(x, 2, 1, 1) ** 3).sum(), (x,), create_graph=True)

    assert ag.gradgradcheck(first_grad, (leaf(max_pool_input((1, 1, 4, 4))),))


def test_max_pool2d_unbatched_and_without_grad():
    x = max_pool_input((2, 4, 6))
    values, index, _ = naive_max_pool2d(x[None], (2, 2), (2, 2), (0, 0), (1, 1), False)
    with ag.no_grad():
        out, idx = ag.max_pool2d(ag.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(out.numpy(), values[0])
    np.testing.assert_array_equal(idx.numpy(), index[0])


def test_max_pool2d_integer_input():
    x = np.arange(16).reshape(1, 1, 4, 4)
    out = ag.max_pool2d(ag.tensor(x), 2, padding=1)
    np.testing.assert_array_equal(out.numpy(), [[[[0, 2, 3], [8, 10, 11], [12, 14, 15]]]])


def test_max_pool2d_keeps_float32():
    assert ag.max_pool2d(ag.randn(1, 2, 4, 4), 2).dtype == np.float32


# ---- avg_pool2d ----------------------------------------------------------------------------------------
# (input shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
AVG_CASES = [
    pytest.param((2, 2, 6, 6), 2, None, 0, False, True, None, id="k2"),
    pytest.param((1, 2, 7, 8), 3, 2, 1, False, True, None, id="pad-include"),
    pytest.param((1, 2, 7, 8), 3, 2, 1, False, False, None, id="pad-exclude"),
    pytest.param((1, 2, 7, 8), 3, 2, 1, True, True, None, id="ceil-include"),
    pytest.param((1, 2, 7, 8), 3, 2, 1, True, False, None, id="ceil-exclude"),
    pytest.param((1, 1, 6, 5), (3, 2), (1, 2), (1, 1), True, True, 5, id="divisor-override"),
    pytest.param((1, 1, 5, 5), 2, 2, 1, True, True, None, id="ceil-last-window-dropped"),
    pytest.param((2, 1, 8, 7), (2, 3), 3, 0, True, False, None, id="stride-gt-kernel-ceil"),
]


@pytest.mark.parametrize("shape, kernel, stride, padding, ceil_mode, include, divisor", AVG_CASES)
def test_avg_pool2d_forward_matches_naive_loop(shape, kernel, stride, padding, ceil_mode, include, divisor):
    x = randn(*shape)
    expected, _ = naive_avg_pool2d(
        x, pair(kernel), pair_or_default(stride, kernel), pair(padding), ceil_mode, include, divisor
    )
    out = ag.avg_pool2d(ag.tensor(x), kernel, stride, padding, ceil_mode, include, divisor)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape, kernel, stride, padding, ceil_mode, include, divisor", AVG_CASES)
def test_avg_pool2d_backward_matches_naive_loop(shape, kernel, stride, padding, ceil_mode, include, divisor):
    x = randn(*shape)
    expected, naive_backward = naive_avg_pool2d(
        x, pair(kernel), pair_or_default(stride, kernel), pair(padding), ceil_mode, include, divisor
    )
    g = randn(*expected.shape)
    xt = leaf(x)
    ag.avg_pool2d(xt, kernel, stride, padding, ceil_mode, include, divisor).backward(ag.tensor(g))
    np.testing.assert_allclose(xt.grad.numpy(), naive_backward(g), rtol=1e-12, atol=1e-12)


def test_avg_pool2d_gradcheck():
    x = leaf(randn(1, 2, 5, 6))
    assert ag.gradcheck(lambda x: ag.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), (x,))


def test_avg_pool2d_gradgradcheck():
    x = leaf(randn(1, 2, 5, 5))
    assert ag.gradgradcheck(lambda x: ag.avg_pool2d(x * x, 2, 1, 1, ceil_mode=True).sin(), (x,))


def test_avg_pool2d_third_derivative():
    def first_grad(x):
        return ag.grad((ag.avg_pool2d(x, 2, 1, 1, ceil_mode=True) ** 3).sum(), (x,), create_graph=True)

    assert ag.gradgradcheck(first_grad, (leaf(randn(1, 1, 4, 4)),))


def test_avg_pool2d_unbatched_and_float32():
    x = randn(2, 4, 6)
    expected, _ = naive_avg_pool2d(x[None], (2, 2), (2, 2), (0, 0), False, True, None)
    out = ag.avg_pool2d(ag.tensor(x.astype(np.float32)), 2)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), expected[0], rtol=1e-5, atol=1e-6)


# ---- adaptive_avg_pool2d ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape, output_size, out_hw",
    [
        ((2, 3, 8, 8), 4, (4, 4)),
        ((1, 2, 7, 9), (3, 4), (3, 4)),
        ((1, 2, 5, 5), 1, (1, 1)),
        ((1, 2, 6, 7), (None, 3), (6, 3)),
        ((1, 1, 3, 2), (5, 4), (5, 4)),
    ],
    ids=["even", "uneven", "global", "none-keeps", "upsample"],
)
def test_adaptive_avg_pool2d_matches_naive_loop(shape, output_size, out_hw):
    x = randn(*shape)
    out = ag.adaptive_avg_pool2d(ag.tensor(x), output_size)
    np.testing.assert_allclose(out.numpy(), naive_adaptive_avg_pool2d(x, out_hw), rtol=1e-12, atol=1e-12)


def test_adaptive_avg_pool2d_gradcheck_and_gradgradcheck():
    x = leaf(randn(1, 2, 5, 7))
    assert ag.gradcheck(lambda x: ag.adaptive_avg_pool2d(x, (3, 2)), (x,))
    assert ag.gradgradcheck(lambda x: ag.adaptive_avg_pool2d(x * x, (3, 2)), (x,))


def test_adaptive_avg_pool2d_unbatched():
    x = randn(2, 6, 6)
    out = ag.adaptive_avg_pool2d(ag.tensor(x), 2)
    np.testing.assert_allclose(out.numpy(), naive_adaptive_avg_pool2d(x[None], (2, 2))[0], rtol=1e-12)


# ---- adaptive_max_pool2d ------------------------------------------------------------------------------
ADAPTIVE_MAX_CASES = [
    pytest.param((2, 2, 8, 8), 4, (4, 4), id="even"),
    pytest.param((1, 2, 7, 9), (3, 4), (3, 4), id="uneven-overlapping"),
    pytest.param((1, 2, 5, 6), (None, 1), (5, 1), id="none-keeps"),
    pytest.param((1, 1, 3, 2), (5, 4), (5, 4), id="upsample"),
]


@pytest.mark.parametrize("shape, output_size, out_hw", ADAPTIVE_MAX_CASES)
def test_adaptive_max_pool2d_forward_and_indices_match_naive_loop(shape, output_size, out_hw):
    x = max_pool_input(shape)
    values, index, _ = naive_adaptive_max_pool2d(x, out_hw)
    out, idx = ag.adaptive_max_pool2d(ag.tensor(x), output_size, return_indices=True)
    np.testing.assert_array_equal(out.numpy(), values)
    np.testing.assert_array_equal(idx.numpy(), index)


@pytest.mark.parametrize("shape, output_size, out_hw", ADAPTIVE_MAX_CASES)
def test_adaptive_max_pool2d_backward_matches_naive_loop(shape, output_size, out_hw):
    x = max_pool_input(shape)
    values, _, naive_backward = naive_adaptive_max_pool2d(x, out_hw)
    g = randn(*values.shape)
    xt = leaf(x)
    ag.adaptive_max_pool2d(xt, output_size).backward(ag.tensor(g))
    np.testing.assert_allclose(xt.grad.numpy(), naive_backward(g), rtol=1e-12, atol=1e-12)


def test_adaptive_max_pool2d_ties_and_nan_follow_the_scan_rule():
    x = np.array([[[[1.0, 1.0, 0.0], [np.nan, 2.0, np.nan], [-np.inf, -np.inf, -np.inf]]]])
    values, index, _ = naive_adaptive_max_pool2d(x, (2, 2))
    out, idx = ag.adaptive_max_pool2d(ag.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(out.numpy(), values)
    np.testing.assert_array_equal(idx.numpy(), index)


def test_adaptive_max_pool2d_gradcheck_and_gradgradcheck():
    x = leaf(max_pool_input((1, 2, 5, 7)))
    assert ag.gradcheck(lambda x: ag.adaptive_max_pool2d(x, (3, 2)), (x,))
    assert ag.gradgradcheck(lambda x: ag.adaptive_max_pool2d(x, (3, 4)) ** 2, (x,))


def test_adaptive_max_pool2d_third_derivative():
    def first_grad(x):
        return ag.grad((ag.adaptive_max_pool2d(x, 2) ** 3).sum(), (x,), create_graph=True)

    assert ag.gradgradcheck(first_grad, (leaf(max_pool_input((1, 1, 3, 4))),))


def test_adaptive_max_pool2d_unbatched_without_grad():
    x = max_pool_input((2, 5, 5))
    values, index, _ = naive_adaptive_max_pool2d(x[None], (2, 3))
    out, idx = ag.adaptive_max_pool2d(ag.tensor(x), (2, 3), return_indices=True)
    np.testing.assert_array_equal(out.numpy(), values[0])
    np.testing.assert_array_equal(idx.numpy(), index[0])


# ---- pooling errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fn, shape, args, kwargs, message",
    [
        (ag.max_pool2d, (1, 1, 8, 8), (3,), {"padding": 2}, r"max_pool2d: pad should be at most half of effective "
         r"kernel size, but got padding=\(2, 2\), kernel_size=\(3, 3\)"),
        (ag.avg_pool2d, (1, 1, 8, 8), (3,), {"padding": 2}, r"avg_pool2d: pad should be at most half"),
        (ag.max_pool2d, (1, 1, 8, 8), (0,), {}, r"max_pool2d: kernel_size must be positive"),
        (ag.max_pool2d, (1, 1, 8, 8), (2,), {"stride": 0}, r"max_pool2d: stride must be positive"),
        (ag.avg_pool2d, (1, 1, 8, 8), (2,), {"stride": -1}, r"avg_pool2d: stride must be positive"),
        (ag.max_pool2d, (1, 1, 8, 8), (2,), {"dilation": 0}, r"max_pool2d: dilation must be positive"),
        (ag.max_pool2d, (1, 1, 8, 8), (3,), {"padding": -1}, r"max_pool2d: padding must be non-negative"),
        (ag.max_pool2d, (1, 1, 4, 4), (5,), {}, r"max_pool2d: input of shape \(1, 1, 4, 4\) is too small for "
         r"kernel_size=\(5, 5\)"),
        (ag.avg_pool2d, (1, 1, 4, 4), (5,), {}, r"avg_pool2d: input of shape \(1, 1, 4, 4\) is too small"),
        (ag.max_pool2d, (28, 28), (2,), {}, r"max_pool2d: expected a 3-D \(unbatched\) or 4-D \(batched\) input .*"
         r"got input of shape \(28, 28\)"),
        (ag.avg_pool2d, (1, 2, 28, 28, 1), (2,), {}, r"avg_pool2d: expected a 3-D"),
        (ag.avg_pool2d, (1, 1, 4, 4), (2,), {"divisor_override": 0}, r"avg_pool2d: divisor_override must be a "
         r"non-zero integer"),
        (ag.max_pool2d, (1, 1, 8, 8), ((2, 2, 2),), {}, r"max_pool2d: expected kernel_size to be a single integer"),
        (ag.adaptive_avg_pool2d, (28, 28), (3,), {}, r"adaptive_avg_pool2d: expected a 3-D"),
        (ag.adaptive_max_pool2d, (1, 2, 3, 4, 5), (3,), {}, r"adaptive_max_pool2d: expected a 3-D"),
        (ag.adaptive_max_pool2d, (1, 1, 4, 4), ((-2, 2),), {}, r"adaptive_max_pool2d: output_size must hold "
         r"non-negative integers"),
        (ag.adaptive_avg_pool2d, (1, 1, 4, 4), ((2, -1),), {}, r"adaptive_avg_pool2d: output_size must hold "
         r"non-negative integers"),
        (ag.adaptive_avg_pool2d, (1, 1, 4, 4), ((2, 2, 2),), {}, r"adaptive_avg_pool2d: output_size must be an int "
         r"or a pair"),
        (ag.adaptive_avg_pool2d, (1, 1, 0, 4), (2,), {}, r"adaptive_avg_pool2d: input of shape \(1, 1, 0, 4\) has an "
         r"empty spatial dim"),
    ],
)
def test_pool_errors_name_the_op_the_shapes_and_the_fix(fn, shape, args, kwargs, message):
    with pytest.raises(RuntimeError, match=message):
        fn(ag.randn(*shape), *args, **kwargs)


def test_avg_pool2d_integer_input_error():
    with pytest.raises(RuntimeError, match=r"avg_pool2d: expected a floating point input, got dtype int64"):
        ag.avg_pool2d(ag.tensor(np.ones((1, 1, 4, 4), dtype=np.int64)), 2)


# ---- a small CNN end to end ----------------------------------------------------------------------------
def test_small_cnn_gradgradcheck():
    x = ag.tensor(randn(1, 1, 6, 6))
    w1, w2 = leaf(randn(2, 1, 3, 3)), leaf(randn(3, 2, 2, 2))

    def net(w1, w2):
        h = ag.max_pool2d(ag.conv2d(x, w1, padding=1).tanh(), 2)
        h = ag.avg_pool2d(ag.conv2d(h, w2, padding="same").tanh(), 2, 1)
        return ag.adaptive_avg_pool2d(h, 1)

    assert ag.gradgradcheck(net, (w1, w2))
