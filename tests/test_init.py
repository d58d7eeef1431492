"""``nn.init`` and the layers' default initialisation: PyTorch's formulas, checked by bounds and moments."""

import math

import numpy as np
import pytest

import autograd as ag
import nn
from nn import init


@pytest.fixture(autouse=True)
def seeded():
    """Moment checks are statistical: a fixed seed keeps them deterministic."""
    ag.manual_seed(1234)


def big(*shape):
    return ag.empty(*shape, dtype=ag.float64)


# ---- gains and fans ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name, param, gain", [
    ("linear", None, 1.0), ("conv2d", None, 1.0), ("sigmoid", None, 1.0), ("tanh", None, 5 / 3),
    ("relu", None, math.sqrt(2)), ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
    ("leaky_relu", 0.2, math.sqrt(2 / 1.04)), ("selu", None, 0.75),
])
def test_calculate_gain(name, param, gain):
    assert init.calculate_gain(name, param) == pytest.approx(gain)


def test_calculate_gain_rejects_unknown_nonlinearity():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")


def test_fans_include_the_receptive_field():
    assert init._calculate_fan_in_and_fan_out(ag.empty(8, 3, 5, 5)) == (75, 200)
    assert init._calculate_fan_in_and_fan_out(ag.empty(10, 4)) == (4, 10)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(ag.empty(5))


# ---- distributions -------------------------------------------------------------------------------------


def test_uniform_stays_in_bounds_with_uniform_moments():
    t = init.uniform_(big(200, 200), -2.0, 3.0).data
    assert t.min() >= -2.0 and t.max() < 3.0
    assert abs(t.mean() - 0.5) < 0.03 and abs(t.var() - 25 / 12) < 0.05


def test_normal_has_the_requested_moments():
    t = init.normal_(big(200, 200), mean=1.5, std=0.5).data
    assert abs(t.mean() - 1.5) < 0.01 and abs(t.std() - 0.5) < 0.01


def test_trunc_normal_stays_in_bounds_with_truncated_moments():
    t = init.trunc_normal_(big(300, 300), mean=0.0, std=1.0, a=-1.0, b=2.0).data
    assert t.min() >= -1.0 and t.max() <= 2.0
    # moments of N(0, 1) truncated to [-1, 2]
    pdf = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    cdf = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))
    z = cdf(2.0) - cdf(-1.0)
    mean = (pdf(-1.0) - pdf(2.0)) / z
    var = 1 + (-1.0 * pdf(-1.0) - 2.0 * pdf(2.0)) / z - mean**2
    assert abs(t.mean() - mean) < 0.01 and abs(t.var() - var) < 0.01


def test_constant_ones_zeros_eye():
    np.testing.assert_array_equal(init.constant_(ag.empty(2, 3), 0.25).data, np.full((2, 3), 0.25))
    np.testing.assert_array_equal(init.ones_(ag.empty(3)).data, np.ones(3))
    np.testing.assert_array_equal(init.zeros_(ag.empty(3)).data, np.zeros(3))
    np.testing.assert_array_equal(init.eye_(ag.empty(2, 3)).data, np.eye(2, 3))


def test_xavier_uniform_bound_is_gain_sqrt_6_over_fan_sum():
    t = init.xavier_uniform_(big(300, 200), gain=2.0).data
    bound = 2.0 * math.sqrt(6 / 500)
    assert t.min() >= -bound and t.max() <= bound and t.max() > 0.99 * bound
    assert abs(t.var() - bound**2 / 3) < 0.02 * bound**2


def test_xavier_normal_std_is_gain_sqrt_2_over_fan_sum():
    t = init.xavier_normal_(big(300, 200)).data
    assert abs(t.std() - math.sqrt(2 / 500)) < 0.01 * math.sqrt(2 / 500) * 5


def test_kaiming_uniform_defaults_use_fan_in_and_leaky_relu_gain_with_slope_a_zero():
    t = init.kaiming_uniform_(big(200, 400)).data
    bound = math.sqrt(3) * math.sqrt(2 / (1 + 0**2)) / math.sqrt(400)
    assert t.min() >= -bound and t.max() <= bound and t.max() > 0.99 * bound


def test_kaiming_normal_fan_out_relu_std():
    t = init.kaiming_normal_(big(400, 100, 3), mode="fan_out", nonlinearity="relu").data
    std = math.sqrt(2) / math.sqrt(400 * 3)
    assert abs(t.std() - std) < 0.02 * std and abs(t.mean()) < 0.02 * std


def test_orthogonal_gives_orthonormal_rows_or_columns():
    q = init.orthogonal_(big(3, 7)).data
    np.testing.assert_allclose(q @ q.T, np.eye(3), atol=1e-12)
    q = init.orthogonal_(big(6, 2), gain=2.0).data
    np.testing.assert_allclose(q.T @ q, 4 * np.eye(2), atol=1e-12)


def test_initialisers_work_in_place_on_parameters_without_recording():
    p = nn.Parameter(ag.zeros(4, 4))
    before = p.data
    out = init.kaiming_uniform_(p)
    assert out is p and p.data is before and p.grad_fn is None and p.requires_grad


def test_initialisers_follow_manual_seed():
    ag.manual_seed(3)
    a = init.normal_(ag.empty(5)).data.copy()
    ag.manual_seed(3)
    np.testing.assert_array_equal(init.normal_(ag.empty(5)).data, a)


def test_generator_gives_a_separate_stream():
    a = init.uniform_(ag.empty(5), generator=ag.Generator().manual_seed(1)).data.copy()
    b = init.uniform_(ag.empty(5), generator=ag.Generator().manual_seed(1)).data
    np.testing.assert_array_equal(a, b)


# ---- layers' default initialisation ---------------------------------------------------------------------


def test_linear_weight_and_bias_are_uniform_in_one_over_sqrt_fan_in():
    m = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)  # kaiming_uniform_(a=sqrt(5)) gives exactly this bound
    w = m.weight.data
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.var() - bound**2 / 3) < 0.03 * bound**2
    assert np.abs(m.bias.data).max() <= bound


def test_conv2d_weight_bound_uses_channels_times_kernel_as_fan_in():
    m = nn.Conv2d(16, 64, 3)
    bound = 1 / math.sqrt(16 * 9)
    assert np.abs(m.weight.data).max() <= bound and np.abs(m.weight.data).max() > 0.98 * bound
    assert np.abs(m.bias.data).max() <= bound


def test_embedding_is_standard_normal_and_norms_start_at_one_and_zero():
    e = nn.Embedding(500, 100).weight.data
    assert abs(e.mean()) < 0.02 and abs(e.std() - 1) < 0.02
    bn = nn.BatchNorm2d(3)
    ln = nn.LayerNorm(3)
    for m in (bn, ln):
        np.testing.assert_array_equal(m.weight.data, np.ones(3))
        np.testing.assert_array_equal(m.bias.data, np.zeros(3))
    np.testing.assert_array_equal(bn.running_var.data, np.ones(3))
