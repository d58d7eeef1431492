"""Gradient clipping and parameter/vector conversion in ``nn/utils.py``.

``nn/utils.py`` imports only ``autograd`` and numpy, so it is loaded here
straight from its file: these tests do not depend on the rest of ``nn``.
"""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

import autograd as ag

_spec = importlib.util.spec_from_file_location("nn_utils", Path(__file__).resolve().parents[1] / "nn" / "utils.py")
utils = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(utils)


def params_with_grads(*grads, dtype=np.float64):
    params = []
    for g in grads:
        p = ag.tensor(np.zeros(np.shape(g), dtype=dtype), requires_grad=True)
        p.grad = ag.tensor(np.array(g, dtype=dtype))
        params.append(p)
    return params


GRADS = ([[3.0, -4.0], [1.0, 2.0]], [12.0, 0.0, -5.0], 2.0)


def all_entries(grads):
    return np.concatenate([np.ravel(g) for g in grads])


# ---- clip_grad_norm_ ----------------------------------------------------------------------------


def test_clip_grad_norm_returns_the_total_2_norm_of_all_gradients():
    total = utils.clip_grad_norm_(params_with_grads(*GRADS), max_norm=1e9)
    assert isinstance(total, ag.Tensor) and total.shape == ()
    assert total.item() == pytest.approx(np.sqrt(np.sum(all_entries(GRADS) ** 2)), rel=1e-15)


def test_clip_grad_norm_scales_every_gradient_by_max_norm_over_total_norm():
    params = params_with_grads(*GRADS)
    norm = np.sqrt(np.sum(all_entries(GRADS) ** 2))
    utils.clip_grad_norm_(params, max_norm=2.0)
    coef = 2.0 / (norm + 1e-6)
    for p, g in zip(params, GRADS):
        np.testing.assert_allclose(p.grad.data, np.array(g) * coef, rtol=1e-15)
    assert np.sqrt(sum(np.sum(p.grad.data**2) for p in params)) == pytest.approx(2.0, rel=1e-6)


def test_clip_grad_norm_returns_the_norm_before_clipping():
    params = params_with_grads([30.0, 40.0])
    assert utils.clip_grad_norm_(params, max_norm=1.0).item() == pytest.approx(50.0)


def test_clip_grad_norm_leaves_small_gradients_alone():
    params = params_with_grads(*GRADS)
    utils.clip_grad_norm_(params, max_norm=100.0)
    for p, g in zip(params, GRADS):
        np.testing.assert_array_equal(p.grad.data, g)


def test_clip_grad_norm_changes_the_gradient_arrays_in_place():
    params = params_with_grads(*GRADS)
    arrays = [p.grad.data for p in params]
    utils.clip_grad_norm_(params, max_norm=1.0)
    assert all(p.grad.data is a for p, a in zip(params, arrays))


def test_clip_grad_norm_inf_norm_is_the_largest_absolute_entry():
    params = params_with_grads(*GRADS)
    total = utils.clip_grad_norm_(params, max_norm=3.0, norm_type=math.inf)
    assert total.item() == 12.0
    np.testing.assert_allclose(params[1].grad.data, np.array(GRADS[1]) * 3.0 / (12.0 + 1e-6), rtol=1e-15)


def test_clip_grad_norm_accepts_the_string_inf():
    assert utils.clip_grad_norm_(params_with_grads(*GRADS), 100.0, norm_type="inf").item() == 12.0


@pytest.mark.parametrize("norm_type", [1.0, 3.0, 0.5])
def test_clip_grad_norm_p_norms(norm_type):
    total = utils.clip_grad_norm_(params_with_grads(*GRADS), max_norm=1e9, norm_type=norm_type)
    expected = np.sum(np.abs(all_entries(GRADS)) ** norm_type) ** (1 / norm_type)
    assert total.item() == pytest.approx(expected, rel=1e-13)


def test_clip_grad_norm_skips_parameters_without_gradient():
    params = params_with_grads([3.0, 4.0])
    no_grad = ag.tensor(np.ones(2), requires_grad=True)
    total = utils.clip_grad_norm_([no_grad, *params], max_norm=1.0)
    assert total.item() == pytest.approx(5.0)
    assert no_grad.grad is None


def test_clip_grad_norm_without_any_gradient_returns_zero():
    total = utils.clip_grad_norm_([ag.tensor(np.ones(2), requires_grad=True)], max_norm=1.0)
    assert total.item() == 0.0


def test_clip_grad_norm_accepts_a_single_tensor():
    (p,) = params_with_grads([6.0, 8.0])
    assert utils.clip_grad_norm_(p, max_norm=5.0).item() == pytest.approx(10.0)
    np.testing.assert_allclose(p.grad.data, np.array([6.0, 8.0]) * 5.0 / (10.0 + 1e-6), rtol=1e-15)


def test_clip_grad_norm_keeps_float32_gradients_float32():
    params = params_with_grads(*GRADS, dtype=np.float32)
    total = utils.clip_grad_norm_(params, max_norm=1.0)
    assert total.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in params)


@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_clip_grad_norm_error_if_nonfinite_raises_and_leaves_gradients_alone(bad):
    params = params_with_grads([1.0, bad], [2.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is non-finite"):
        utils.clip_grad_norm_(params, max_norm=1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(params[1].grad.data, [2.0])


def test_clip_grad_norm_nonfinite_without_the_flag_returns_the_norm():
    params = params_with_grads([1.0, np.inf])
    assert utils.clip_grad_norm_(params, max_norm=1.0).item() == np.inf


# ---- clip_grad_value_ ---------------------------------------------------------------------------


def test_clip_grad_value_clamps_each_entry_in_place():
    params = params_with_grads([[3.0, -4.0], [0.5, -0.25]], [12.0])
    array = params[0].grad.data
    assert utils.clip_grad_value_(params, clip_value=1.0) is None
    assert params[0].grad.data is array
    np.testing.assert_array_equal(params[0].grad.data, [[1.0, -1.0], [0.5, -0.25]])
    np.testing.assert_array_equal(params[1].grad.data, [1.0])


def test_clip_grad_value_skips_parameters_without_gradient():
    p = ag.tensor(np.ones(2), requires_grad=True)
    utils.clip_grad_value_([p], clip_value=0.1)
    assert p.grad is None


# ---- parameters_to_vector / vector_to_parameters ----------------------------------------------------


def test_parameters_to_vector_concatenates_the_flattened_parameters_in_order():
    a = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = ag.tensor(np.array([10.0, 11.0]), requires_grad=True)
    vec = utils.parameters_to_vector([a, b])
    np.testing.assert_array_equal(vec.data, [0, 1, 2, 3, 4, 5, 10, 11])


def test_parameters_to_vector_is_differentiable():
    a = ag.tensor(np.ones((2, 2)), requires_grad=True)
    b = ag.tensor(np.ones(3), requires_grad=True)
    weights = np.arange(7.0)
    (utils.parameters_to_vector([a, b]) * ag.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(a.grad.data, weights[:4].reshape(2, 2))
    np.testing.assert_array_equal(b.grad.data, weights[4:])


def test_vector_to_parameters_copies_slices_back_in_place():
    a = ag.tensor(np.zeros((2, 3)), requires_grad=True)
    b = ag.tensor(np.zeros(2, dtype=np.float32), requires_grad=True)
    a_array = a.data
    utils.vector_to_parameters(ag.tensor(np.arange(8.0)), [a, b])
    assert a.data is a_array
    np.testing.assert_array_equal(a.data, [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(b.data, [6, 7])
    assert b.dtype == np.float32


def test_vector_round_trip_restores_the_parameters():
    params = [ag.tensor(np.random.default_rng(0).normal(size=s), requires_grad=True) for s in [(3, 2), (4,), ()]]
    saved = utils.parameters_to_vector(params).detach()
    originals = [p.data.copy() for p in params]
    for p in params:
        p.data[...] = 0
    utils.vector_to_parameters(saved, params)
    for p, original in zip(params, originals):
        np.testing.assert_array_equal(p.data, original)


def test_vector_to_parameters_with_the_wrong_length_is_an_error():
    a = ag.tensor(np.zeros(3), requires_grad=True)
    with pytest.raises(ValueError, match=r"vec has shape \(4,\) but the parameters hold 3 values"):
        utils.vector_to_parameters(ag.tensor(np.zeros(4)), [a])


def test_vector_to_parameters_needs_a_tensor():
    with pytest.raises(TypeError, match="expected vec to be a Tensor, but got ndarray"):
        utils.vector_to_parameters(np.zeros(3), [ag.tensor(np.zeros(3))])
