"""Losses: values against formulas written out in numpy (loops where PyTorch's rule is subtle),
the three reductions, gradients against finite differences, stability for huge logits, and errors."""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


def leaf(array):
    return ag.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def reduce(values, reduction):
    return {"none": values, "sum": np.sum(values), "mean": np.mean(values)}[reduction]


REDUCTIONS = ["mean", "sum", "none"]


# ---- regression losses ---------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss_matches_formula(rng, reduction):
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    out = nn.MSELoss(reduction=reduction)(ag.tensor(x), ag.tensor(y))
    np.testing.assert_allclose(out.data, reduce((x - y) ** 2, reduction), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_l1_loss_matches_formula(rng, reduction):
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    out = nn.L1Loss(reduction=reduction)(ag.tensor(x), ag.tensor(y))
    np.testing.assert_allclose(out.data, reduce(np.abs(x - y), reduction), rtol=1e-12)


def smooth_l1(d, beta):
    return np.where(np.abs(d) < beta, 0.5 * d * d / beta, np.abs(d) - 0.5 * beta)


def huber(d, delta):
    return np.where(np.abs(d) < delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("beta", [1.0, 0.3])
def test_smooth_l1_loss_matches_formula(rng, reduction, beta):
    x, y = rng.standard_normal(20) * 2, rng.standard_normal(20)
    out = nn.SmoothL1Loss(reduction=reduction, beta=beta)(ag.tensor(x), ag.tensor(y))
    np.testing.assert_allclose(out.data, reduce(smooth_l1(x - y, beta), reduction), rtol=1e-12)


def test_smooth_l1_with_beta_zero_is_l1(rng):
    x, y = rng.standard_normal(6), rng.standard_normal(6)
    np.testing.assert_allclose(F.smooth_l1_loss(ag.tensor(x), ag.tensor(y), beta=0.0).data, np.abs(x - y).mean())


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("delta", [1.0, 2.5])
def test_huber_loss_matches_formula(rng, reduction, delta):
    x, y = rng.standard_normal(20) * 3, rng.standard_normal(20)
    out = nn.HuberLoss(reduction=reduction, delta=delta)(ag.tensor(x), ag.tensor(y))
    np.testing.assert_allclose(out.data, reduce(huber(x - y, delta), reduction), rtol=1e-12)


def test_huber_is_delta_times_smooth_l1_with_beta_delta(rng):
    x, y = rng.standard_normal(10) * 3, rng.standard_normal(10)
    h = F.huber_loss(ag.tensor(x), ag.tensor(y), delta=2.0).data
    s = F.smooth_l1_loss(ag.tensor(x), ag.tensor(y), beta=2.0).data
    np.testing.assert_allclose(h, 2.0 * s, rtol=1e-12)


def test_weighted_mse_mean_divides_by_the_weight_sum(rng):
    x, y, w = rng.standard_normal(5), rng.standard_normal(5), rng.random(5)
    out = F.mse_loss(ag.tensor(x), ag.tensor(y), weight=ag.tensor(w))
    np.testing.assert_allclose(out.data, np.sum(w * (x - y) ** 2) / np.sum(w), rtol=1e-12)


@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss, lambda x, y: F.smooth_l1_loss(x, y, beta=0.5),
                                lambda x, y: F.huber_loss(x, y, delta=0.7)])
def test_regression_loss_gradients_match_finite_differences(rng, fn):
    x, y = leaf(rng.standard_normal((3, 4)) * 2), leaf(rng.standard_normal((3, 4)))
    assert ag.gradcheck(fn, (x, y))


def test_regression_loss_with_mismatched_shapes_raises_naming_both():
    with pytest.raises(ValueError, match=r"target shape \(4,\) differs from input shape \(4, 1\)"):
        F.mse_loss(ag.zeros(4, 1), ag.zeros(4))


def test_invalid_reduction_raises():
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        nn.MSELoss(reduction="average")


# ---- cross entropy and NLL ------------------------------------------------------------------------------


def log_softmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def ce_loop(x, t, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """PyTorch's class-index cross-entropy, one sample at a time."""
    n, c = x.shape
    w = np.ones(c) if weight is None else weight
    lp = log_softmax(x, 1)
    losses, denom = np.zeros(n), 0.0
    for i in range(n):
        if t[i] == ignore_index:
            continue
        nll = -w[t[i]] * lp[i, t[i]]
        smooth = -np.sum(w * lp[i])
        losses[i] = (1 - label_smoothing) * nll + label_smoothing / c * smooth
        denom += w[t[i]]
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / denom


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_class_indices_matches_the_loop(rng, reduction):
    x, t = rng.standard_normal((6, 4)) * 2, rng.integers(0, 4, 6)
    out = nn.CrossEntropyLoss(reduction=reduction)(ag.tensor(x), ag.tensor(t))
    np.testing.assert_allclose(out.data, ce_loop(x, t, reduction=reduction), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_cross_entropy_mean_divides_by_the_target_weights(rng, reduction):
    x, t, w = rng.standard_normal((6, 4)), rng.integers(0, 4, 6), rng.random(4) + 0.5
    out = F.cross_entropy(ag.tensor(x), ag.tensor(t), weight=ag.tensor(w), reduction=reduction)
    np.testing.assert_allclose(out.data, ce_loop(x, t, weight=w, reduction=reduction), rtol=1e-12)


def test_cross_entropy_ignores_ignore_index_targets(rng):
    x, t, w = rng.standard_normal((6, 4)), np.array([0, -100, 3, 2, -100, 1]), rng.random(4) + 0.5
    out = F.cross_entropy(ag.tensor(x), ag.tensor(t), weight=ag.tensor(w))
    np.testing.assert_allclose(out.data, ce_loop(x, t, weight=w), rtol=1e-12)
    none = F.cross_entropy(ag.tensor(x), ag.tensor(t), reduction="none").data
    assert none[1] == 0.0 and none[4] == 0.0


@pytest.mark.parametrize("ignore_index", [1, 3])  # a class index inside the targets' range that no target has
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_an_absent_ignore_index_class_counts_every_target(rng, reduction, ignore_index):
    x, t = rng.standard_normal((5, 4)), np.array([0, 2, 2, 0, 3 if ignore_index == 1 else 2])
    out = F.cross_entropy(ag.tensor(x), ag.tensor(t), ignore_index=ignore_index, reduction=reduction)
    np.testing.assert_allclose(out.data, ce_loop(x, t, reduction=reduction), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_gradient_without_ignored_targets_is_minus_one_over_n_at_each_target(rng, reduction):
    logp = leaf(rng.standard_normal((4, 3)))
    t = np.array([2, 0, 1, 2])
    F.nll_loss(logp, ag.tensor(t), reduction=reduction).sum().backward()
    expected = np.zeros((4, 3))
    expected[np.arange(4), t] = -1.0 / 4 if reduction == "mean" else -1.0
    np.testing.assert_allclose(logp.grad.data, expected, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_label_smoothing_with_weight_and_ignored_targets_matches_the_loop(rng, reduction):
    x, t, w = rng.standard_normal((7, 5)), np.array([0, 4, -100, 2, 2, 1, 3]), rng.random(5) + 0.5
    out = F.cross_entropy(ag.tensor(x), ag.tensor(t), weight=ag.tensor(w), label_smoothing=0.2, reduction=reduction)
    np.testing.assert_allclose(out.data, ce_loop(x, t, w, -100, reduction, 0.2), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_probabilities_matches_formula(rng, reduction):
    x = rng.standard_normal((5, 3))
    p = rng.random((5, 3))
    p /= p.sum(1, keepdims=True)
    w = np.array([0.5, 1.0, 2.0])
    eps = 0.1
    q = p * (1 - eps) + eps / 3
    per_sample = -(log_softmax(x, 1) * q * w).sum(1)
    expected = per_sample.sum() / 5 if reduction == "mean" else reduce(per_sample, reduction)
    out = F.cross_entropy(ag.tensor(x), ag.tensor(p), weight=ag.tensor(w), label_smoothing=eps, reduction=reduction)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)


def test_cross_entropy_over_spatial_dims_matches_per_pixel_loop(rng):
    x, t = rng.standard_normal((2, 3, 4, 5)), rng.integers(0, 3, (2, 4, 5))
    t[0, 1, 1] = -100
    flat_x = x.transpose(0, 2, 3, 1).reshape(-1, 3)
    w = np.array([1.0, 2.0, 0.5])
    out = F.cross_entropy(ag.tensor(x), ag.tensor(t), weight=ag.tensor(w), label_smoothing=0.1)
    np.testing.assert_allclose(out.data, ce_loop(flat_x, t.reshape(-1), w, -100, "mean", 0.1), rtol=1e-12)
    none = F.cross_entropy(ag.tensor(x), ag.tensor(t), reduction="none")
    assert none.shape == (2, 4, 5)


def test_cross_entropy_accepts_unbatched_input(rng):
    x = rng.standard_normal(4)
    out = F.cross_entropy(ag.tensor(x), ag.tensor(np.array(2)))
    np.testing.assert_allclose(out.data, -log_softmax(x, 0)[2], rtol=1e-12)


def test_cross_entropy_gradients_match_finite_differences(rng):
    x, t = leaf(rng.standard_normal((4, 3))), ag.tensor(np.array([0, 2, -100, 1]))
    w = ag.tensor(np.array([1.0, 0.5, 2.0]))
    assert ag.gradcheck(lambda x: F.cross_entropy(x, t, weight=w, label_smoothing=0.15), (x,))
    p = rng.random((4, 3))
    assert ag.gradcheck(F.cross_entropy, (x, leaf(p / p.sum(1, keepdims=True))))
    x4, t4 = leaf(rng.standard_normal((2, 3, 2, 2))), ag.tensor(rng.integers(0, 3, (2, 2, 2)))
    assert ag.gradcheck(lambda x: F.cross_entropy(x, t4), (x4,))


def test_cross_entropy_gradient_is_softmax_minus_one_hot_over_n(rng):
    x, t = rng.standard_normal((3, 4)), np.array([1, 0, 3])
    xt = leaf(x)
    F.cross_entropy(xt, ag.tensor(t)).backward()
    p = np.exp(log_softmax(x, 1))
    np.testing.assert_allclose(xt.grad.data, (p - np.eye(4)[t]) / 3, rtol=1e-12)


def test_cross_entropy_is_finite_for_logits_of_1e4():
    x = ag.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3]], requires_grad=True)
    loss = F.cross_entropy(x, ag.tensor([1, 0]))
    loss.backward()
    np.testing.assert_allclose(loss.item(), (2e4 + 2e4) / 2, rtol=1e-6)
    np.testing.assert_allclose(x.grad.data, [[0.5, -0.5, 0.0], [-0.5, 0.5, 0.0]], atol=1e-6)


def test_cross_entropy_with_every_target_ignored_is_nan_with_zero_gradient():
    x = ag.randn(3, 2, requires_grad=True)
    loss = F.cross_entropy(x, ag.tensor([-100, -100, -100]))
    loss.backward()
    assert np.isnan(loss.item())
    np.testing.assert_array_equal(x.grad.data, np.zeros((3, 2)))


def test_cross_entropy_rejects_float_class_indices():
    with pytest.raises(ValueError, match=r"float target means class probabilities.*\(4, 3\), got \(4,\)"):
        F.cross_entropy(ag.zeros(4, 3), ag.zeros(4))


def test_cross_entropy_rejects_out_of_range_targets():
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        F.cross_entropy(ag.zeros(2, 3), ag.tensor([0, 3]))


def test_cross_entropy_rejects_mismatched_batch():
    with pytest.raises(ValueError, match=r"batch_size \(4\) to match target batch_size \(3\)"):
        F.cross_entropy(ag.zeros(4, 3), ag.tensor([0, 1, 2]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_picks_the_target_log_probability(rng, reduction):
    lp = log_softmax(rng.standard_normal((5, 3)), 1)
    t, w = np.array([0, 2, 1, -100, 2]), np.array([2.0, 1.0, 0.5])
    per = np.array([0.0 if ti == -100 else -w[ti] * lp[i, ti] for i, ti in enumerate(t)])
    denom = sum(w[ti] for ti in t if ti != -100)
    expected = {"none": per, "sum": per.sum(), "mean": per.sum() / denom}[reduction]
    out = nn.NLLLoss(weight=ag.tensor(w), reduction=reduction)(ag.tensor(lp), ag.tensor(t))
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)


def test_nll_loss_gradient_matches_finite_differences(rng):
    t = ag.tensor(np.array([0, 2, 1]))
    assert ag.gradcheck(lambda x: F.nll_loss(x, t, weight=ag.tensor(np.array([1.0, 3.0, 0.5]))), (leaf(rng.standard_normal((3, 3))),))


def test_cross_entropy_loss_keeps_weight_as_a_buffer():
    assert list(nn.CrossEntropyLoss(weight=ag.ones(3)).state_dict()) == ["weight"]
    assert list(nn.BCEWithLogitsLoss(weight=ag.ones(3), pos_weight=ag.ones(3)).state_dict()) == ["weight", "pos_weight"]


# ---- binary cross entropy --------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_matches_formula_with_weight(rng, reduction):
    p, y, w = rng.random((3, 4)) * 0.98 + 0.01, rng.random((3, 4)), rng.random((3, 4))
    expected = reduce(-w * (y * np.log(p) + (1 - y) * np.log(1 - p)), reduction)
    out = nn.BCELoss(weight=ag.tensor(w), reduction=reduction)(ag.tensor(p), ag.tensor(y))
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)


def test_bce_clamps_the_log_at_minus_100():
    out = F.binary_cross_entropy(ag.tensor([0.0, 1.0]), ag.tensor([1.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(out.data, [100.0, 100.0])


def test_bce_gradient_is_finite_at_zero_and_one():
    p = leaf([0.0, 1.0, 0.5])
    F.binary_cross_entropy(p, ag.tensor(np.full(3, 0.3)), reduction="sum").backward()
    np.testing.assert_allclose(p.grad.data, [-0.3 / 1e-12, 0.7 / 1e-12, 0.2 / 0.25], rtol=1e-12)


def test_bce_gradients_match_finite_differences(rng):
    p, y = leaf(rng.random((2, 3)) * 0.8 + 0.1), leaf(rng.random((2, 3)))
    assert ag.gradcheck(F.binary_cross_entropy, (p, y))


def test_bce_rejects_values_outside_zero_one():
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(ag.tensor([1.5]), ag.tensor([1.0]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_matches_formula_with_weight_and_pos_weight(rng, reduction):
    x, y = rng.standard_normal((3, 4)) * 3, rng.random((3, 4))
    w, pw = rng.random((3, 4)), rng.random(4) * 3
    s = 1 / (1 + np.exp(-x))
    expected = reduce(-w * (pw * y * np.log(s) + (1 - y) * np.log(1 - s)), reduction)
    out = nn.BCEWithLogitsLoss(weight=ag.tensor(w), pos_weight=ag.tensor(pw), reduction=reduction)(ag.tensor(x), ag.tensor(y))
    np.testing.assert_allclose(out.data, expected, rtol=1e-10)


def test_bce_with_logits_gradients_match_finite_differences(rng):
    x, y = leaf(rng.standard_normal((2, 3)) * 2), leaf(rng.random((2, 3)))
    pw = ag.tensor(np.array([0.5, 2.0, 1.0]))
    assert ag.gradcheck(lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=pw), (x, y))
    assert ag.gradcheck(F.binary_cross_entropy_with_logits, (leaf([[0.0, 0.0]]), leaf([[0.2, 0.9]])))


def test_bce_with_logits_is_finite_for_logits_of_1e4():
    x = ag.tensor([1e4, -1e4, 1e4, -1e4], requires_grad=True)
    y = ag.tensor([1.0, 0.0, 0.0, 1.0])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="sum")
    loss.backward()
    np.testing.assert_allclose(loss.item(), 2e4)
    np.testing.assert_allclose(x.grad.data, [0.0, 0.0, 1.0, -1.0])


def test_bce_with_logits_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"target shape \(3,\) differs from input shape \(3, 1\)"):
        F.binary_cross_entropy_with_logits(ag.zeros(3, 1), ag.zeros(3))


@pytest.mark.parametrize("fn", [
    lambda x, y: F.binary_cross_entropy(x.sigmoid(), y),
    lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=ag.tensor(np.array([1.0, 2.0, 3.0, 0.5]))),
    lambda x, y: F.cross_entropy(x, ag.tensor([0, 3, -100]), label_smoothing=0.1,
                                 weight=ag.tensor(np.array([1.0, 2.0, 3.0, 0.5]))),
    lambda x, y: F.huber_loss(x, y, delta=0.5),
], ids=["bce", "bce_with_logits", "cross_entropy", "huber"])
def test_loss_second_derivatives_match_finite_differences(rng, fn):
    x, y = leaf(rng.standard_normal((3, 4))), leaf(rng.random((3, 4)))
    assert ag.gradgradcheck(fn, (x, y))
