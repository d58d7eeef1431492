"""The layers of ``nn`` and their ``nn.functional`` counterparts: values against numpy formulas and
naive loops, gradients against finite differences (float64 ``autograd.gradcheck``), and the errors a
user sees for a wrong input."""

import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from nn._ops import erf_array


def leaf(array):
    return ag.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# ---- Linear and Bilinear -------------------------------------------------------------------------------


def test_linear_computes_x_wt_plus_b(rng):
    m = nn.Linear(4, 3)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    expected = x @ m.weight.data.T + m.bias.data
    np.testing.assert_allclose(m(ag.tensor(x)).data, expected, rtol=1e-6, atol=1e-6)


def test_linear_applies_to_the_last_dim_of_any_batch_shape(rng):
    m = nn.Linear(4, 3, bias=False)
    x = rng.standard_normal((2, 5, 4)).astype(np.float32)
    np.testing.assert_allclose(m(ag.tensor(x)).data, np.einsum("abi,oi->abo", x, m.weight.data), rtol=1e-5, atol=1e-6)


def test_linear_gradients_match_finite_differences(rng):
    x, w, b = leaf(rng.standard_normal((3, 4))), leaf(rng.standard_normal((2, 4))), leaf(rng.standard_normal(2))
    assert ag.gradcheck(F.linear, (x, w, b))
    x3 = leaf(rng.standard_normal((2, 3, 4)))
    assert ag.gradcheck(F.linear, (x3, w, b))
    assert ag.gradcheck(lambda x, w: F.linear(x, w), (leaf(rng.standard_normal(4)), w))


def test_linear_second_derivatives_match_finite_differences(rng):
    x, w, b = leaf(rng.standard_normal((3, 4))), leaf(rng.standard_normal((2, 4))), leaf(rng.standard_normal(2))
    assert ag.gradgradcheck(lambda x, w, b: F.linear(x, w, b).tanh(), (x, w, b))


def test_linear_error_names_layer_expected_and_actual_shape():
    with pytest.raises(RuntimeError) as info:
        nn.Linear(784, 10)(ag.zeros(32, 28, 28))
    assert str(info.value) == (
        "Linear(in_features=784, out_features=10, bias=True): expected input with last dimension 784, got shape "
        "(32, 28, 28); flatten it first (nn.Flatten())"
    )


def test_linear_rejects_a_float64_input_to_a_float32_layer():
    with pytest.raises(RuntimeError, match="dtype float64 does not match"):
        nn.Linear(2, 2)(ag.zeros(1, 2, dtype=ag.float64))


def test_bilinear_matches_the_sum_over_both_inputs(rng):
    m = nn.Bilinear(2, 3, 4).double()
    x1, x2 = rng.standard_normal((5, 2)), rng.standard_normal((5, 3))
    expected = np.zeros((5, 4))
    for n in range(5):
        for o in range(4):
            expected[n, o] = x1[n] @ m.weight.data[o] @ x2[n] + m.bias.data[o]
    np.testing.assert_allclose(m(ag.tensor(x1), ag.tensor(x2)).data, expected, rtol=1e-10)
    assert ag.gradcheck(F.bilinear, (leaf(x1), leaf(x2), leaf(m.weight.data), leaf(m.bias.data)))


# ---- convolution and pooling ----------------------------------------------------------------------------


def naive_conv2d(x, w, b, stride=1, padding=0, dilation=1, groups=1):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - dilation * (kh - 1) - 1) // stride + 1
    ow = (wd + 2 * padding - dilation * (kw - 1) - 1) // stride + 1
    out = np.zeros((n, o, oh, ow))
    per = o // groups
    for i in range(n):
        for oc in range(o):
            g = oc // per
            for y in range(oh):
                for z in range(ow):
                    patch = xp[i, g * cg:(g + 1) * cg, y * stride:y * stride + dilation * (kh - 1) + 1:dilation,
                               z * stride:z * stride + dilation * (kw - 1) + 1:dilation]
                    out[i, oc, y, z] = np.sum(patch * w[oc]) + (b[oc] if b is not None else 0)
    return out


def test_conv2d_matches_a_naive_loop(rng):
    m = nn.Conv2d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2).double()
    x = rng.standard_normal((2, 4, 7, 6))
    expected = naive_conv2d(x, m.weight.data, m.bias.data, 2, 1, 2, 2)
    np.testing.assert_allclose(m(ag.tensor(x)).data, expected, rtol=1e-10, atol=1e-12)


def test_conv2d_gradients_match_finite_differences(rng):
    m = nn.Conv2d(2, 3, 2, padding=1).double()
    x = leaf(rng.standard_normal((1, 2, 3, 3)))
    w, b = leaf(m.weight.data), leaf(m.bias.data)
    assert ag.gradcheck(lambda x, w, b: F.conv2d(x, w, b, padding=1), (x, w, b))


def test_conv2d_same_padding_keeps_the_size_with_the_extra_pad_at_the_end(rng):
    m = nn.Conv2d(2, 3, 4, padding="same").double()
    x = rng.standard_normal((1, 2, 5, 6))
    padded = np.pad(x, ((0, 0), (0, 0), (1, 2), (1, 2)))
    expected = naive_conv2d(padded, m.weight.data, m.bias.data)
    np.testing.assert_allclose(m(ag.tensor(x)).data, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode, np_mode", [("reflect", "reflect"), ("replicate", "edge"), ("circular", "wrap")])
def test_conv2d_padding_modes_pad_the_input_like_numpy(rng, mode, np_mode):
    m = nn.Conv2d(2, 3, 3, padding=1, padding_mode=mode).double()
    x = rng.standard_normal((1, 2, 4, 5))
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), mode=np_mode)
    np.testing.assert_allclose(m(ag.tensor(x)).data, naive_conv2d(padded, m.weight.data, m.bias.data), atol=1e-12)


def test_conv2d_rejects_same_padding_with_stride():
    with pytest.raises(ValueError, match="strided"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")


def test_conv2d_error_names_the_channel_count():
    with pytest.raises(RuntimeError, match=r"Conv2d\(3, 8, .*expected input with 3 channels.*got shape \(2, 1, 5, 5\)"):
        nn.Conv2d(3, 8, 3)(ag.zeros(2, 1, 5, 5))


def test_conv1d_matches_conv2d_on_a_height_one_image(rng):
    m = nn.Conv1d(2, 3, 3, stride=2, padding=1).double()
    x = rng.standard_normal((2, 2, 9))
    expected = naive_conv2d(np.pad(x[:, :, None, :], ((0, 0), (0, 0), (0, 0), (1, 1))),
                            m.weight.data[:, :, None, :], m.bias.data, stride=2)[:, :, 0, :]
    np.testing.assert_allclose(m(ag.tensor(x)).data, expected, atol=1e-12)


def naive_pool(x, k, s, p, reduce, pad_value):
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=pad_value)
    oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    out = np.zeros((n, c, oh, ow))
    for y in range(oh):
        for z in range(ow):
            out[:, :, y, z] = reduce(xp[:, :, y * s:y * s + k, z * s:z * s + k], axis=(2, 3))
    return out


def test_max_pool2d_matches_a_naive_loop(rng):
    x = rng.standard_normal((2, 3, 7, 6))
    expected = naive_pool(x, 3, 2, 1, np.max, -np.inf)
    np.testing.assert_allclose(nn.MaxPool2d(3, 2, 1)(ag.tensor(x)).data, expected)


def test_avg_pool2d_counts_padding_by_default_and_not_when_asked(rng):
    x = rng.standard_normal((1, 2, 5, 5))
    with_pad = naive_pool(x, 3, 2, 1, np.mean, 0.0)
    np.testing.assert_allclose(nn.AvgPool2d(3, 2, 1)(ag.tensor(x)).data, with_pad, atol=1e-12)
    counts = naive_pool(np.ones_like(x), 3, 2, 1, np.sum, 0.0)
    sums = naive_pool(x, 3, 2, 1, np.sum, 0.0)
    np.testing.assert_allclose(nn.AvgPool2d(3, 2, 1, count_include_pad=False)(ag.tensor(x)).data, sums / counts, atol=1e-12)


def test_pool_ceil_mode_adds_a_partial_window():
    x = ag.zeros(1, 1, 5, 5)
    assert nn.MaxPool2d(2)(x).shape == (1, 1, 2, 2)
    assert nn.MaxPool2d(2, ceil_mode=True)(x).shape == (1, 1, 3, 3)


def test_adaptive_avg_pool2d_averages_floor_ceil_bins(rng):
    x = rng.standard_normal((2, 3, 7, 5))
    out = nn.AdaptiveAvgPool2d((3, 2))(ag.tensor(x)).data
    for i in range(3):
        for j in range(2):
            h0, h1 = (i * 7) // 3, math.ceil((i + 1) * 7 / 3)
            w0, w1 = (j * 5) // 2, math.ceil((j + 1) * 5 / 2)
            np.testing.assert_allclose(out[:, :, i, j], x[:, :, h0:h1, w0:w1].mean(axis=(2, 3)))
    np.testing.assert_allclose(nn.AdaptiveAvgPool2d(1)(ag.tensor(x)).data, x.mean(axis=(2, 3), keepdims=True))


def test_pool_gradients_match_finite_differences(rng):
    x = leaf(rng.standard_normal((1, 2, 5, 5)))
    assert ag.gradcheck(lambda t: F.max_pool2d(t, 2, 2, 1), (x,))
    assert ag.gradcheck(lambda t: F.avg_pool2d(t, 3, 2, 1, count_include_pad=False), (x,))
    assert ag.gradcheck(lambda t: F.adaptive_avg_pool2d(t, (2, 3)), (x,))


def test_pool_error_names_the_layer_and_shape():
    with pytest.raises(RuntimeError, match=r"MaxPool2d\(kernel_size=2.*got shape \(4, 4\)"):
        nn.MaxPool2d(2)(ag.zeros(4, 4))


# ---- pad, flatten --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode, np_mode", [("constant", "constant"), ("reflect", "reflect"), ("replicate", "edge"),
                                           ("circular", "wrap")])
def test_pad_matches_numpy_pad(rng, mode, np_mode):
    x = rng.standard_normal((2, 3, 4))
    out = F.pad(ag.tensor(x), (1, 2, 2, 1), mode=mode)
    np.testing.assert_array_equal(out.data, np.pad(x, ((0, 0), (2, 1), (1, 2)), mode=np_mode))
    assert ag.gradcheck(lambda t: F.pad(t, (1, 2, 2, 1), mode=mode), (leaf(x),))


def test_pad_with_negative_amounts_crops(rng):
    x = rng.standard_normal((3, 5))
    np.testing.assert_array_equal(F.pad(ag.tensor(x), (-1, 2)).data, np.pad(x[:, 1:], ((0, 0), (0, 2))))


def test_flatten_and_unflatten_reshape():
    x = ag.zeros(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    assert nn.Unflatten(1, (3, 20))(nn.Flatten()(x)).shape == (2, 3, 20)


# ---- dropout -----------------------------------------------------------------------------------------


def test_dropout_zeroes_about_p_and_scales_the_rest():
    ag.manual_seed(0)
    x = ag.ones(200, 100)
    out = nn.Dropout(0.3)(x).data
    assert set(np.unique(out)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((out == 0).mean() - 0.3) < 0.01
    assert abs(out.mean() - 1.0) < 0.02


def test_dropout_gradient_is_the_scaled_mask():
    ag.manual_seed(1)
    x = ag.ones(50, 4, requires_grad=True)
    out = nn.Dropout(0.5)(x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.data, out.data)


def test_dropout_is_reproducible_under_manual_seed():
    x = ag.ones(10, 10)
    ag.manual_seed(5)
    a = F.dropout(x, 0.4).data
    ag.manual_seed(5)
    np.testing.assert_array_equal(a, F.dropout(x, 0.4).data)


def test_dropout_in_eval_mode_returns_the_input():
    x = ag.randn(3, 3)
    assert nn.Dropout(0.9).eval()(x) is x


def test_dropout_p_one_gives_zeros_and_p_zero_the_input():
    x = ag.randn(4, 4)
    np.testing.assert_array_equal(nn.Dropout(1.0)(x).data, np.zeros((4, 4)))
    np.testing.assert_array_equal(nn.Dropout(0.0)(x).data, x.data)


def test_dropout_rejects_p_outside_zero_one():
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_dropout2d_zeroes_whole_channels():
    ag.manual_seed(2)
    out = nn.Dropout2d(0.5)(ag.ones(4, 8, 3, 3)).data
    per_channel = out.reshape(4, 8, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1))


# ---- batch norm ----------------------------------------------------------------------------------------


def test_batchnorm2d_training_normalises_with_biased_batch_variance(rng):
    m = nn.BatchNorm2d(3).double()
    m.weight.data[:] = [1.0, 2.0, 0.5]
    m.bias.data[:] = [0.0, -1.0, 3.0]
    x = rng.standard_normal((4, 3, 2, 5)) * 3 + 1
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-5) * m.weight.data.reshape(1, 3, 1, 1) + m.bias.data.reshape(1, 3, 1, 1)
    np.testing.assert_allclose(m(ag.tensor(x)).data, expected, rtol=1e-10, atol=1e-12)


def test_batchnorm_running_stats_follow_momentum_with_unbiased_variance(rng):
    m = nn.BatchNorm1d(2).double()
    run_mean, run_var = np.zeros(2), np.ones(2)
    for _ in range(3):
        x = rng.standard_normal((6, 2)) * 2 + 3
        m(ag.tensor(x))
        run_mean = 0.9 * run_mean + 0.1 * x.mean(0)
        run_var = 0.9 * run_var + 0.1 * x.var(0, ddof=1)
    np.testing.assert_allclose(m.running_mean.data, run_mean, rtol=1e-12)
    np.testing.assert_allclose(m.running_var.data, run_var, rtol=1e-12)
    assert int(m.num_batches_tracked.item()) == 3


def test_batchnorm_momentum_none_keeps_a_cumulative_average(rng):
    m = nn.BatchNorm1d(2, momentum=None).double()
    batches = [rng.standard_normal((5, 2)) + i for i in range(4)]
    for x in batches:
        m(ag.tensor(x))
    np.testing.assert_allclose(m.running_mean.data, np.mean([x.mean(0) for x in batches], axis=0), rtol=1e-12)
    np.testing.assert_allclose(m.running_var.data, np.mean([x.var(0, ddof=1) for x in batches], axis=0), rtol=1e-12)


def test_batchnorm_eval_uses_running_stats(rng):
    m = nn.BatchNorm1d(3).double()
    m.running_mean.data[:] = [1.0, 2.0, 3.0]
    m.running_var.data[:] = [4.0, 0.25, 1.0]
    m.eval()
    x = rng.standard_normal((2, 3, 4))
    expected = (x - m.running_mean.data[:, None]) / np.sqrt(m.running_var.data[:, None] + 1e-5)
    np.testing.assert_allclose(m(ag.tensor(x)).data, expected, rtol=1e-10)
    assert int(m.num_batches_tracked.item()) == 0


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval(rng):
    m = nn.BatchNorm1d(2, track_running_stats=False, affine=False).double().eval()
    x = rng.standard_normal((5, 2))
    np.testing.assert_allclose(m(ag.tensor(x)).data, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-10)


def test_batchnorm_gradients_match_finite_differences(rng):
    x, w, b = leaf(rng.standard_normal((4, 2, 3))), leaf(rng.standard_normal(2)), leaf(rng.standard_normal(2))
    assert ag.gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), (x, w, b))
    rm, rv = ag.tensor(rng.standard_normal(2)), ag.tensor(rng.random(2) + 0.5)
    assert ag.gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False), (x, w, b))


def test_batchnorm_error_names_the_channel_count():
    with pytest.raises(RuntimeError, match=r"BatchNorm2d\(16, .*expected input with 16 channels .*got shape \(8, 3, 4, 4\)"):
        nn.BatchNorm2d(16)(ag.zeros(8, 3, 4, 4))
    with pytest.raises(RuntimeError, match=r"expected 4D input .*got shape \(8, 16\)"):
        nn.BatchNorm2d(16)(ag.zeros(8, 16))


def test_batchnorm_training_needs_more_than_one_value_per_channel():
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(ag.zeros(1, 3))


# ---- layer norm ----------------------------------------------------------------------------------------


def test_layernorm_normalises_the_trailing_dims(rng):
    m = nn.LayerNorm((3, 4)).double()
    m.weight.data[:] = rng.standard_normal((3, 4))
    m.bias.data[:] = rng.standard_normal((3, 4))
    x = rng.standard_normal((2, 3, 4))
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    expected = (x - mean) / np.sqrt(var + 1e-5) * m.weight.data + m.bias.data
    np.testing.assert_allclose(m(ag.tensor(x)).data, expected, rtol=1e-10, atol=1e-12)


def test_layernorm_gradients_match_finite_differences(rng):
    x, w, b = leaf(rng.standard_normal((3, 4))), leaf(rng.standard_normal(4)), leaf(rng.standard_normal(4))
    assert ag.gradcheck(lambda x, w, b: F.layer_norm(x, (4,), w, b), (x, w, b))


def test_layernorm_error_names_expected_trailing_shape():
    with pytest.raises(RuntimeError, match=r"LayerNorm\(\(5,\).*\(5,\), got shape \(2, 4\)"):
        nn.LayerNorm(5)(ag.zeros(2, 4))


# ---- embedding ---------------------------------------------------------------------------------------


def test_embedding_looks_up_rows():
    m = nn.Embedding(5, 3)
    idx = np.array([[0, 4], [2, 2]])
    np.testing.assert_array_equal(m(ag.tensor(idx)).data, m.weight.data[idx])


def test_embedding_padding_row_starts_at_zero_and_gets_no_gradient():
    m = nn.Embedding(4, 2, padding_idx=1)
    np.testing.assert_array_equal(m.weight.data[1], [0.0, 0.0])
    m(ag.tensor([[1, 2, 1], [3, 2, 0]])).sum().backward()
    np.testing.assert_array_equal(m.weight.grad.data, [[1, 1], [0, 0], [2, 2], [1, 1]])


def test_embedding_weight_gradient_matches_finite_differences(rng):
    w = leaf(rng.standard_normal((4, 3)))
    idx = ag.tensor([[0, 3, 3], [1, 0, 2]])
    assert ag.gradcheck(lambda w: F.embedding(idx, w), (w,))


def test_embedding_rejects_float_and_out_of_range_indices():
    m = nn.Embedding(4, 2)
    with pytest.raises(TypeError, match=r"Embedding\(4, 2\): .*integer"):
        m(ag.tensor([0.0, 1.0]))
    with pytest.raises(IndexError, match="index 4 is out of range"):
        m(ag.tensor([0, 4]))


# ---- activations --------------------------------------------------------------------------------------

X = np.array([-3.0, -1.2, -0.3, 0.4, 1.1, 2.7])


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


ACTIVATIONS = [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (nn.ELU(0.7), lambda x: np.where(x > 0, x, 0.7 * (np.exp(x) - 1))),
    (nn.GELU(), lambda x: x * 0.5 * (1 + np.array([math.erf(v / math.sqrt(2)) for v in x]))),
    (nn.GELU("tanh"), lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))),
    (nn.SiLU(), lambda x: x * np_sigmoid(x)),
    (nn.Mish(), lambda x: x * np.tanh(np.log1p(np.exp(x)))),
    (nn.Softplus(2.0, 3.0), lambda x: np.where(2 * x > 3, x, np.log1p(np.exp(2 * x)) / 2)),
    (nn.Hardtanh(-0.5, 2.0), lambda x: np.clip(x, -0.5, 2.0)),
    (nn.ReLU6(), lambda x: np.clip(x, 0, 6)),
    (nn.Sigmoid(), np_sigmoid),
    (nn.Tanh(), np.tanh),
    (nn.LogSigmoid(), lambda x: np.log(np_sigmoid(x))),
    (nn.Softmax(dim=0), lambda x: np.exp(x) / np.exp(x).sum()),
    (nn.LogSoftmax(dim=0), lambda x: x - np.log(np.exp(x).sum())),
]


@pytest.mark.parametrize("module, formula", ACTIVATIONS, ids=lambda v: type(v).__name__ if isinstance(v, nn.Module) else "")
def test_activation_matches_its_formula(module, formula):
    np.testing.assert_allclose(module(ag.tensor(X)).data, formula(X), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("module, formula", ACTIVATIONS, ids=lambda v: type(v).__name__ if isinstance(v, nn.Module) else "")
def test_activation_gradient_matches_finite_differences(module, formula):
    assert ag.gradcheck(module, (leaf(X),))


def test_erf_agrees_with_math_erf_to_double_precision():
    xs = np.concatenate([np.linspace(-7, 7, 4001), [0.0, 1e-12, -1e-300, 0.46875, 4.0, 26.0, -30.0]])
    expected = np.array([math.erf(v) for v in xs])
    rel = np.abs(erf_array(xs) - expected) / np.maximum(np.abs(expected), 1e-300)
    assert rel.max() < 1e-14


def test_erf_keeps_infinities_and_nan():
    np.testing.assert_array_equal(erf_array(np.array([np.inf, -np.inf])), [1.0, -1.0])
    assert np.isnan(erf_array(np.array([np.nan]))[0])


def test_gelu_second_derivative_matches_finite_differences():
    assert ag.gradgradcheck(F.gelu, (leaf(X),))


def test_hardtanh_gradient_is_zero_at_the_bounds():
    x = ag.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    F.hardtanh(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 0.0])


def test_leaky_relu_gradient_at_zero_is_the_slope():
    x = ag.tensor([0.0], requires_grad=True)
    F.leaky_relu(x, 0.1).sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.1])


def test_elu_and_softplus_stay_finite_for_huge_inputs():
    x = ag.tensor([-1e4, 1e4], requires_grad=True)
    (F.elu(x) + F.softplus(x) + F.mish(x)).sum().backward()
    assert np.all(np.isfinite(x.grad.data))


def test_softmax_module_requires_no_dim_for_2d_input_but_warns():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = nn.Softmax()(ag.tensor([[1.0, 2.0], [3.0, 5.0]]))
    np.testing.assert_allclose(out.data.sum(1), [1.0, 1.0], rtol=1e-6)


def test_unflatten_error_names_the_layer_and_shape():
    with pytest.raises(RuntimeError, match=r"Unflatten\(dim=1, unflattened_size=\(2, 5\)\): .*\(3, 7\)"):
        nn.Unflatten(1, (2, 5))(ag.zeros(3, 7))


def test_sequential_insert_renumbers_the_following_children():
    m = nn.Sequential(nn.Linear(2, 2), nn.Tanh())
    m.insert(1, nn.ReLU())
    assert [type(c).__name__ for c in m] == ["Linear", "ReLU", "Tanh"]
    assert [n for n, _ in m.named_children()] == ["0", "1", "2"]


@pytest.mark.parametrize("fn", [
    lambda t: F.softplus(t, 2.0, 1.0),
    lambda t: F.pad(t, (1, 2, 0, 1)),
    lambda t: F.pad(t, (1, 2, 0, 1), mode="reflect"),
    lambda t: F.layer_norm(t, (4,)),
    lambda t: F.batch_norm(t.reshape(3, 4, 1), None, None, training=True),
    lambda t: F.elu(t) + F.leaky_relu(t) + F.silu(t) + F.mish(t) + F.gelu(t, "tanh") + F.logsigmoid(t),
], ids=["softplus", "pad", "pad_reflect", "layer_norm", "batch_norm", "activations"])
def test_second_derivatives_match_finite_differences(rng, fn):
    assert ag.gradgradcheck(fn, (leaf(rng.standard_normal((3, 4))),))
