"""Semantics of the tape and the reverse walk: accumulation, hooks, grad mode, freeing, errors."""

import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import autograd as ag


def leaf(values, dtype=ag.float64):
    return ag.tensor(values, dtype=dtype, requires_grad=True)


# ---- accumulation ------------------------------------------------------------------------------
def test_grad_accumulates_across_two_backward_calls():
    x = leaf([1.0, 2.0])
    (x * 3.0).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0 + 2.0, 3.0 + 4.0])


def test_diamond_sums_both_paths():
    x = leaf([2.0])
    y = x * 3.0
    z = y * y + y.exp()  # y feeds two consumers
    z.backward(ag.ones(1, dtype=ag.float64))
    expected = (2 * 6.0 + np.exp(6.0)) * 3.0
    np.testing.assert_allclose(x.grad.data, [expected])


def test_leaf_used_twice_in_one_op_gets_both_gradients():
    x = leaf([3.0])
    (x * x).backward(ag.ones(1, dtype=ag.float64))
    np.testing.assert_allclose(x.grad.data, [6.0])


def _sequential_sum(arrays):
    total = arrays[0]
    for a in arrays[1:]:
        total = total + a
    return total


@pytest.mark.parametrize("uses", [3, 300, 1000])  # 1000 is more than one batch of kept addends
@pytest.mark.parametrize("shape", [(), (1,), (5,), (2, 3)])
def test_leaf_used_by_many_ops_gets_the_sequential_sum_to_the_bit(uses, shape):
    rng = np.random.default_rng(uses)
    b = ag.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
    scales = [rng.standard_normal(shape).astype(np.float32) for _ in range(uses)]
    total = ag.tensor(np.zeros(shape, np.float32))
    for s in scales:
        total = total + b * ag.tensor(s)  # each use sends s to b
    total.sum().backward()
    expected = _sequential_sum(scales[::-1])  # the walk meets the last use first
    assert b.grad.dtype == ag.float32
    np.testing.assert_array_equal(b.grad.data, expected)


def test_backward_on_the_same_leaf_twice_sums_both_seeds():
    x = leaf([1.0, 2.0])
    ag.backward([x, x], [ag.tensor([1.0, 1.0], dtype=ag.float64), ag.tensor([10.0, 20.0], dtype=ag.float64)])
    np.testing.assert_array_equal(x.grad.data, [11.0, 21.0])


def test_large_leaf_used_by_many_ops_gets_the_sum():
    w = leaf(np.ones((64, 64)))  # 32 KB: added as it arrives
    total = w * 0.0
    for k in range(1, 6):
        total = total + w * float(k)
    total.sum().backward()
    np.testing.assert_array_equal(w.grad.data, np.full((64, 64), 15.0))


def test_shared_leaf_gradient_under_create_graph_is_differentiable():
    x = leaf([2.0])
    y = x * x
    for _ in range(4):
        y = y + x * x  # x gets ten gradients of 2x
    (g,) = ag.grad(y.sum(), x, create_graph=True)
    np.testing.assert_allclose(g.data, [20.0])
    (gg,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(gg.data, [10.0])


def test_broadcast_gradient_is_summed_to_the_input_shape():
    a = leaf(np.ones((2, 3)))
    b = leaf(np.ones((3,)))
    (a * b).sum().backward()
    assert b.grad.shape == (3,)
    np.testing.assert_allclose(b.grad.data, [2.0, 2.0, 2.0])


def test_gradient_of_float32_input_mixed_with_float64_is_float32():
    a = ag.tensor([1.0, 2.0], requires_grad=True)  # float32
    b = ag.tensor([3.0, 4.0], dtype=ag.float64)
    out = a * b
    assert out.dtype == ag.float64
    out.sum().backward()
    assert a.grad.dtype == ag.float32
    np.testing.assert_allclose(a.grad.data, [3.0, 4.0])


def test_grads_of_two_leaves_do_not_share_memory():
    a, b = leaf([1.0]), leaf([1.0])
    (a + b).sum().backward()
    a.grad.data += 10
    assert b.grad.item() == 1.0


def test_backward_with_explicit_gradient():
    x = leaf([1.0, 2.0])
    (x * x).backward(gradient=ag.tensor([1.0, 10.0], dtype=ag.float64))
    np.testing.assert_allclose(x.grad.data, [2.0, 40.0])


# ---- errors worded as PyTorch's ------------------------------------------------------------------
def test_backward_on_non_scalar_without_gradient_is_an_error():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()


def test_second_backward_through_freed_graph_says_retain_graph():
    x = leaf([1.0, 2.0])
    y = (x.exp()).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_second_backward_through_a_released_index_array_says_retain_graph():
    x = leaf([1.0, 2.0, 3.0])
    y = x[np.array([0, 0, 2])].sum()  # the indexing record keeps only its index array
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_hook_registered_between_two_backward_calls_runs_on_the_second():
    x = leaf([1.0, 2.0])
    h = x * 3.0
    y = (h * h).sum()
    y.backward(retain_graph=True)
    seen = []
    h.register_hook(lambda g: seen.append(g.data.copy()))
    y.backward()
    np.testing.assert_allclose(seen[0], 2 * 3.0 * np.array([1.0, 2.0]) * 1.0)
    np.testing.assert_allclose(x.grad.data, 2 * 2 * 9.0 * np.array([1.0, 2.0]))


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x.exp()).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.data, 2 * np.exp([1.0, 2.0]))


def test_graph_of_ops_that_saved_nothing_can_be_walked_twice():
    x = leaf([1.0, 2.0])
    y = (x + 1.0).sum()
    y.backward()
    y.backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0])


def test_backward_on_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.tensor([1.0]).sum().backward()


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        ag.tensor([1, 2], requires_grad=True)


def test_gradient_shape_mismatch_is_an_error():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="gradient has shape"):
        (x * 2).backward(ag.ones(3, dtype=ag.float64))


# ---- in-place and version counters --------------------------------------------------------------
def test_modifying_a_saved_input_in_place_makes_backward_fail():
    x = leaf([1.0, 2.0])
    y = x * 1.0
    z = y * y  # saves y
    with ag.no_grad():
        y.add_(1.0)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation.*shape \(2,\)"):
        z.sum().backward()


def test_modifying_a_saved_output_in_place_names_the_op():
    x = leaf([1.0, 2.0])
    y = x.exp()  # saves its output
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="Exp"):
        y.sum().backward()


def test_modifying_a_saved_output_through_a_view_makes_backward_fail():
    x = leaf([1.0, 2.0])
    y = x.exp()
    v = y[:1]  # a view: shares y's memory and version counter
    with ag.no_grad():
        v.mul_(2.0)
    with pytest.raises(RuntimeError, match="Exp"):
        y.sum().backward()


def test_modifying_a_saved_output_through_detach_makes_backward_fail():
    x = leaf([1.0, 2.0])
    y = x.sigmoid()
    y.detach().zero_()  # detach shares the data and the version counter, as in PyTorch
    with pytest.raises(RuntimeError, match="Sigmoid"):
        y.sum().backward()


def test_modifying_a_saved_output_by_setitem_makes_backward_fail():
    x = leaf([1.0, -2.0])
    y = x.relu()
    with ag.no_grad():
        y[0] = 5.0
    with pytest.raises(RuntimeError, match="Relu"):
        y.sum().backward()


def test_a_view_of_a_saved_output_left_unchanged_keeps_backward_working():
    x = leaf([1.0, 2.0])
    y = x.exp()
    _ = y[:1], y.detach()
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0]))


def test_in_place_on_leaf_that_requires_grad_is_an_error():
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1.0)


def test_in_place_update_under_no_grad_is_allowed_and_bumps_version():
    x = leaf([1.0])
    with ag.no_grad():
        x -= 0.5
    assert x._version == 1
    np.testing.assert_allclose(x.data, [0.5])


def test_in_place_op_on_non_leaf_is_differentiated():
    x = leaf([1.0, 2.0])
    y = x * 2.0
    y.mul_(3.0)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [6.0, 6.0])


def test_consumer_recorded_before_in_place_keeps_the_old_history():
    x = leaf([1.0, 2.0])
    y = x * 2.0
    z = y + 1.0  # recorded before the in-place change
    y.mul_(3.0)
    z.sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0])


def test_setitem_on_non_leaf_routes_gradients():
    x = leaf([1.0, 2.0, 3.0])
    v = leaf([10.0])
    y = x * 1.0
    y[1] = v * 2.0
    (y * ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64)).sum().backward()
    np.testing.assert_allclose(x.grad.data, [1.0, 0.0, 3.0])
    np.testing.assert_allclose(v.grad.data, [4.0])


# ---- in-place changes through views ---------------------------------------------------------------
def test_in_place_on_a_view_of_a_leaf_that_requires_grad_is_an_error():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0:1].mul_(2.0)


def test_mul_on_a_slice_of_a_non_leaf_reaches_the_base():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 1.0
    y[1:].mul_(3.0)  # y = (x0, 3 x1, 3 x2)
    (y * y).sum().backward()  # d/dx of x0^2 + 9 x1^2 + 9 x2^2
    np.testing.assert_allclose(y.data, [1.0, 6.0, 9.0])
    np.testing.assert_allclose(x.grad.data, [2.0, 36.0, 54.0])


def test_mul_on_a_transposed_view_of_a_non_leaf_reaches_the_base():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * 1.0
    y.t().mul_(2.0)
    (y * y).sum().backward()  # sum of 4 x^2
    np.testing.assert_allclose(x.grad.data, 8.0 * x.data)


def test_mul_on_a_reshaped_view_of_a_non_leaf_reaches_the_base():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x * 1.0
    y.reshape(4).mul_(ag.tensor([1.0, 2.0, 3.0, 4.0], dtype=ag.float64))
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [[1.0, 2.0], [3.0, 4.0]])


def test_in_place_on_a_view_of_a_view_reaches_the_outer_base():
    x = leaf([1.0, 2.0, 3.0, 4.0])
    y = x * 1.0
    y[1:][1:2].mul_(5.0)  # only x2 is scaled
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0, 150.0, 8.0])


def test_a_sibling_view_made_before_an_in_place_change_sees_it():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 1.0
    a, b = y[0:2], y[1:3]
    a.mul_(2.0)  # b = (2 x1, x2)
    (b * b).sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.0, 16.0, 6.0])


def test_a_view_made_before_its_base_changed_in_place_sees_it():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 1.0
    v = y[1:]
    y.mul_(3.0)  # v = (3 x1, 3 x2)
    (v * v).sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.0, 36.0, 54.0])


def test_a_view_of_a_view_made_before_the_change_sees_it():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 1.0
    a = y[0:2]
    c = a[1:2]
    a.mul_(5.0)  # c = (5 x1)
    (c * c).sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.0, 100.0, 0.0])


def test_views_taken_each_step_of_a_long_lived_tensor_are_not_kept():
    from autograd.function import _views, views_of

    w = leaf(np.ones((3, 2)))
    for _ in range(200):
        (w.t() * 2.0).sum().backward()
    assert views_of(w) == []
    assert len(_views.get(id(w), (None, {}))[1]) == 0


def test_copy_into_a_view_of_a_plain_tensor_makes_the_base_require_grad():
    base = ag.zeros(3, dtype=ag.float64)
    w = leaf([5.0])
    base[0:1].copy_(w)
    assert base.requires_grad
    (base * ag.tensor([2.0, 3.0, 4.0], dtype=ag.float64)).sum().backward()
    np.testing.assert_allclose(w.grad.data, [2.0])


def test_in_place_on_an_expanded_view_is_an_error():
    y = leaf([1.0]) * 1.0
    with pytest.raises(RuntimeError, match="refers to a single memory location"):
        y.expand(3).mul_(2.0)


def test_in_place_through_a_view_passes_gradcheck():
    def f(t):
        y = t * 1.0
        y[0:2].mul_(t[2:4])  # a view scaled by other entries of the same input
        return (y * y).sum()

    x = leaf([0.5, -1.5, 2.0, 0.7])
    assert ag.gradcheck(f, (x,))


# ---- what a record keeps -----------------------------------------------------------------------------
def test_product_with_a_constant_keeps_only_the_constant():
    x = leaf([1.0, 2.0])
    c = ag.tensor([3.0, 4.0], dtype=ag.float64)
    z = (x * 2.0) * c
    assert set(z.grad_fn.saved_values()) == {"input1"}


def test_changing_a_factor_that_was_not_kept_leaves_backward_working():
    x = leaf([1.0, 2.0])
    c = ag.tensor([3.0, 4.0], dtype=ag.float64)
    h = x * 2.0
    z = h * c  # the gradient for h reads only c
    h.add_(1.0)
    z.sum().backward()
    np.testing.assert_allclose(x.grad.data, [6.0, 8.0])


def test_setitem_with_a_scaled_element_of_the_same_non_leaf():
    x = leaf([1.0, 2.0])
    y = x * 1.0
    y[0] = y[0] * 5.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [5.0, 1.0])


def test_linear_of_a_constant_input_keeps_the_input_not_the_weight():
    import nn.functional as F

    x = ag.tensor(np.ones((2, 3)))
    w, b = leaf(np.ones((4, 3))), leaf(np.zeros(4))
    out = F.linear(x, w, b)
    assert set(out.grad_fn.saved_values()) == {"input0"}
    out.sum().backward()
    np.testing.assert_allclose(w.grad.data, np.full((4, 3), 2.0))
    np.testing.assert_allclose(b.grad.data, np.full(4, 2.0))


def test_second_derivatives_through_products_with_constants():
    c = ag.tensor([0.5, -2.0, 3.0], dtype=ag.float64)
    m = ag.tensor(np.arange(9.0).reshape(3, 3) / 7.0, dtype=ag.float64)
    x = leaf([0.3, -0.7, 1.1])
    assert ag.gradgradcheck(lambda t: (t * c) * t + (m @ t) * t / (c * c), (x,))


# ---- grad mode ----------------------------------------------------------------------------------
def test_no_grad_records_nothing():
    x = leaf([1.0])
    with ag.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None


def test_no_grad_as_decorator():
    @ag.no_grad()
    def f(t):
        return t * 2

    assert not f(leaf([1.0])).requires_grad


def test_enable_grad_inside_no_grad():
    x = leaf([1.0])
    with ag.no_grad():
        with ag.enable_grad():
            y = x * 2
    assert y.requires_grad


def test_is_grad_enabled_reflects_context():
    assert ag.is_grad_enabled()
    with ag.no_grad():
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()


def test_set_grad_enabled_as_context():
    with ag.set_grad_enabled(False):
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()


# ---- detach, retain_grad, hooks ---------------------------------------------------------------
def test_detach_cuts_the_graph_and_shares_data():
    x = leaf([1.0, 2.0])
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None
    y = x * 2
    assert np.shares_memory(y.detach().data, y.data)


def test_retain_grad_keeps_non_leaf_gradient():
    x = leaf([1.0, 2.0])
    y = x * 3.0
    y.retain_grad()
    (y * y).sum().backward()
    np.testing.assert_allclose(y.grad.data, [6.0, 12.0])


def test_non_leaf_grad_is_none_without_retain_grad():
    x = leaf([1.0])
    y = x * 3.0
    y.sum().backward()
    assert y.grad is None


def test_hook_on_leaf_sees_and_replaces_gradient():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.data.copy()) or g * 10)
    (x * 2).sum().backward()
    np.testing.assert_allclose(seen[0], [2.0, 2.0])
    np.testing.assert_allclose(x.grad.data, [20.0, 20.0])


def test_hook_on_intermediate_changes_upstream_gradient():
    x = leaf([1.0])
    y = x * 2.0
    y.register_hook(lambda g: g * 0.5)
    (y * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0])


def test_removed_hook_is_not_called():
    x = leaf([1.0])
    h = x.register_hook(lambda g: g * 100)
    h.remove()
    (x * 1).sum().backward()
    np.testing.assert_allclose(x.grad.data, [1.0])


# ---- the tape -----------------------------------------------------------------------------------
def test_records_have_increasing_sequence_numbers():
    x = leaf([1.0])
    y = x.exp()
    z = y * 2
    assert z.grad_fn.seq > y.grad_fn.seq


def test_every_record_is_a_node_that_names_its_op():
    x = leaf([1.0, 2.0])
    y = (x * 2.0).exp()
    assert type(y.grad_fn) is ag.graph.Node
    assert y.grad_fn.fn is ag.ops.Exp
    assert y.grad_fn.next_functions[0].fn is ag.ops.Mul
    assert repr(y.grad_fn).startswith("<ExpBackward seq=")


def test_tape_lists_records_in_forward_order():
    x = leaf([1.0, 2.0])
    loss = (x * x).exp().sum()
    entries = ag.tape(loss)
    assert [e.op for e in entries] == ["Mul", "Exp", "Sum"]
    assert entries[0].input_shapes == ((2,), (2,))
    assert entries[-1].output_shape == ()


def test_format_tape_prints_a_table_with_each_op():
    x = leaf([1.0, 2.0])
    text = ag.format_tape((x * 2.0).sum())
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["seq", "op"]
    assert "Mul" in lines[2] and "Sum" in lines[3]


def test_chain_of_a_million_ops_backpropagates():
    x = ag.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    y.sum().backward()
    assert x.grad.item() == 1.0


def test_saved_arrays_are_released_after_backward():
    x = leaf(np.ones(5))
    hidden = x * 2.0
    out = hidden.exp()  # Exp saves its output array
    ref = weakref.ref(out.grad_fn._result)
    loss = (out * 1.0).sum()
    del hidden, out
    loss.backward()
    gc.collect()
    assert ref() is None


def test_saved_arrays_are_kept_with_retain_graph():
    x = leaf(np.ones(5))
    out = (x * 2.0).exp()
    ref = weakref.ref(out.grad_fn._result)
    loss = out.sum()
    del out
    loss.backward(retain_graph=True)
    gc.collect()
    assert ref() is not None


def test_training_loop_memory_stays_flat():
    w = ag.randn(64, 64, requires_grad=True)
    x = ag.randn(32, 64)

    def step():
        loss = ((x @ w).relu() ** 2).mean()
        loss.backward()
        with ag.no_grad():
            w.sub_(w.grad * 1e-3)
        w.grad = None

    for _ in range(200):
        step()
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    for _ in range(10_000):
        step()
    gc.collect()
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert after - base < 200_000  # bytes: nothing global grows per step


# ---- anomaly mode ------------------------------------------------------------------------------
def test_detect_anomaly_names_the_op_and_the_forward_line():
    x = leaf([0.0, 1.0])
    with ag.detect_anomaly():
        y = x.sqrt()  # d/dx sqrt at 0 is inf
        with pytest.raises(RuntimeError, match=r"(?s)SqrtBackward.*test_engine\.py"):
            y.sum().backward()


def test_without_anomaly_mode_inf_gradients_pass_silently():
    x = leaf([0.0, 1.0])
    x.sqrt().sum().backward()
    assert np.isinf(x.grad.data[0])


# ---- autograd.grad ------------------------------------------------------------------------------
def test_grad_returns_gradients_without_touching_dot_grad():
    x = leaf([1.0, 2.0])
    (g,) = ag.grad((x * x).sum(), x)
    np.testing.assert_allclose(g.data, [2.0, 4.0])
    assert x.grad is None


def test_grad_of_unused_input_needs_allow_unused():
    x, y = leaf([1.0]), leaf([1.0])
    with pytest.raises(RuntimeError, match="allow_unused"):
        ag.grad((x * 2).sum(), [x, y])
    assert ag.grad((x * 2).sum(), [x, y], allow_unused=True)[1] is None


def test_grad_with_respect_to_intermediate_tensor():
    x = leaf([1.0, 2.0])
    y = x * 3.0
    (g,) = ag.grad((y * y).sum(), y)
    np.testing.assert_allclose(g.data, [6.0, 12.0])


def test_create_graph_gives_second_derivative():
    x = leaf([1.5])
    y = x**3
    (g,) = ag.grad(y.sum(), x, create_graph=True)
    (g2,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(g.data, [3 * 1.5**2])
    np.testing.assert_allclose(g2.data, [6 * 1.5])


def test_fourth_derivative_of_tanh():
    x = leaf([0.3])
    t = np.tanh(0.3)
    g = x.tanh()
    derivs = []
    for _ in range(4):
        (g,) = ag.grad(g.sum(), x, create_graph=True)
        derivs.append(g.item())
    s = 1 - t * t  # sech^2
    expected = [s, -2 * t * s, -2 * s * s + 4 * t * t * s, 16 * t * s * s - 8 * t**3 * s]
    np.testing.assert_allclose(derivs, expected, rtol=1e-10)


def test_backward_with_create_graph_makes_grad_differentiable():
    x = leaf([2.0])
    (x**2).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    (g2,) = ag.grad(x.grad.sum(), x)
    np.testing.assert_allclose(g2.data, [2.0])


def test_gradcheck_passes_for_a_correct_function():
    x = leaf(np.random.default_rng(0).standard_normal(4))
    assert ag.gradcheck(lambda t: (t.sin() * t).sum(), (x,))


def test_gradcheck_reports_a_wrong_gradient():
    class BadSquare(ag.Function):
        @staticmethod
        def forward(ctx, x):
            return x * x

        @staticmethod
        def backward(ctx, g):
            return g  # wrong: should be 2 x g

    x = leaf([1.0, 2.0])
    with pytest.raises(ag.GradcheckError, match="Jacobian mismatch"):
        ag.gradcheck(lambda t: BadSquare.apply(t), (x,))


def test_gradgradcheck_passes_for_tanh():
    x = leaf(np.random.default_rng(1).standard_normal(3))
    assert ag.gradgradcheck(lambda t: t.tanh(), (x,))


def test_grad_does_not_alias_a_user_supplied_gradient():
    x = leaf([1.0, 2.0])
    seed = ag.tensor([1.0, 1.0], dtype=ag.float64)
    (x + 0.0).backward(seed)
    x.grad.data += 5
    np.testing.assert_array_equal(seed.data, [1.0, 1.0])


def test_grad_accumulation_does_not_touch_an_earlier_grad_tensor_of_another_leaf():
    a, b = leaf([1.0]), leaf([1.0])
    (a * 2.0 + b * 3.0).sum().backward()
    kept = b.grad.data.copy()
    (a * 2.0).sum().backward()
    np.testing.assert_array_equal(b.grad.data, kept)
    np.testing.assert_array_equal(a.grad.data, [4.0])


def test_zero_dim_products_give_array_gradients_of_the_leaf_dtype():
    x = ag.tensor(3.0, requires_grad=True)
    y = ag.tensor(2.0, requires_grad=True)
    (x * y * x).backward()
    assert isinstance(x.grad.data, np.ndarray) and x.grad.data.shape == ()
    assert x.grad.dtype == ag.float32 and float(x.grad) == 12.0 and float(y.grad) == 9.0


def test_a_broadcast_product_of_same_dtype_tensors_unbroadcasts_each_gradient():
    a = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = ag.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    (a * b + b).sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), np.arange(6.0).reshape(2, 3).sum(0) + 2)
    np.testing.assert_allclose(a.grad.numpy(), np.broadcast_to([1.0, 2.0, 3.0], (2, 3)))
