"""Tensor construction, dtypes and promotion, values of ops, PyTorch-specific subgradients, and errors."""

import numpy as np
import pytest

import autograd as ag


# ---- construction and dtypes ------------------------------------------------------------------
def test_python_floats_become_float32():
    assert ag.tensor([1.0, 2.0]).dtype == np.float32


def test_python_ints_become_int64():
    assert ag.tensor([1, 2]).dtype == np.int64


def test_numpy_arrays_keep_their_dtype():
    assert ag.tensor(np.zeros(2, dtype=np.float64)).dtype == np.float64
    assert ag.tensor(np.zeros(2, dtype=np.int32)).dtype == np.int32


def test_tensor_copies_its_data():
    a = np.zeros(2)
    t = ag.tensor(a)
    a[0] = 5
    assert t.data[0] == 0


def test_factories_make_float32_by_default():
    for t in (ag.zeros(2, 3), ag.ones(2), ag.rand(2), ag.randn(2), ag.empty(1), ag.eye(2), ag.linspace(0, 1, 3)):
        assert t.dtype == np.float32


def test_factory_shapes_accept_varargs_and_tuples():
    assert ag.zeros(2, 3).shape == (2, 3)
    assert ag.zeros((2, 3)).shape == (2, 3)


def test_factories_accept_requires_grad():
    assert ag.zeros(2, requires_grad=True).requires_grad


def test_arange_is_int64_for_ints_and_float32_for_floats():
    assert ag.arange(5).dtype == np.int64
    assert ag.arange(0, 1, 0.25).dtype == np.float32
    np.testing.assert_array_equal(ag.arange(1, 7, 2).data, [1, 3, 5])


def test_full_infers_dtype_from_fill_value():
    assert ag.full((2,), 3).dtype == np.int64
    assert ag.full((2,), 3.0).dtype == np.float32


def test_randint_range_and_dtype():
    t = ag.randint(0, 5, (1000,))
    assert t.dtype == np.int64 and t.data.min() >= 0 and t.data.max() < 5


def test_manual_seed_makes_draws_repeatable():
    ag.manual_seed(7)
    a = ag.randn(5).data.copy()
    ag.manual_seed(7)
    np.testing.assert_array_equal(a, ag.randn(5).data)


def test_like_factories_keep_shape_and_dtype():
    x = ag.tensor(np.zeros((2, 3), dtype=np.float64))
    for t in (ag.zeros_like(x), ag.ones_like(x), ag.rand_like(x), ag.randn_like(x)):
        assert t.shape == (2, 3) and t.dtype == np.float64


def test_set_default_dtype_changes_python_float_tensors():
    try:
        ag.set_default_dtype(ag.float64)
        assert ag.tensor([1.0]).dtype == np.float64 and ag.zeros(1).dtype == np.float64
    finally:
        ag.set_default_dtype(ag.float32)


# ---- promotion as torch.result_type ------------------------------------------------------------------
@pytest.mark.parametrize(
    "a,b,expected",
    [
        (np.float32, 2.5, np.float32),  # a Python float does not upcast float32
        (np.int64, 2.5, np.float32),  # int tensor with float scalar -> default float
        (np.int32, 3, np.int32),  # int scalar keeps the tensor's int width
        (np.bool_, 3, np.int64),
        (np.float16, 2.0, np.float16),
    ],
)
def test_scalar_promotion(a, b, expected):
    assert (ag.tensor(np.ones(2, dtype=a)) * b).dtype == expected


def test_int_tensor_times_float32_tensor_is_float32():
    assert (ag.tensor([1, 2]) * ag.tensor([1.0, 2.0])).dtype == np.float32


def test_zero_dim_tensor_does_not_upcast_within_category():
    assert (ag.ones(2) + ag.tensor(np.float64(2.0))).dtype == np.float32


def test_zero_dim_float_upcasts_int_tensor_to_its_dtype():
    assert (ag.tensor([1, 2]) + ag.tensor(np.float64(2.0))).dtype == np.float64


def test_true_division_of_ints_is_float():
    assert (ag.tensor([1, 2]) / 2).dtype == np.float32
    np.testing.assert_allclose((ag.tensor([1, 2]) / 2).data, [0.5, 1.0])


def test_unary_float_op_on_int_tensor_gives_float32():
    assert ag.tensor([1, 2]).exp().dtype == np.float32


# ---- values and conventions ----------------------------------------------------------------------
def test_max_with_dim_returns_values_and_indices():
    values, indices = ag.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]]).max(1)
    np.testing.assert_array_equal(values.data, [5.0, 7.0])
    np.testing.assert_array_equal(indices.data, [1, 0])
    assert indices.dtype == np.int64


def test_max_dim_ties_send_gradient_to_one_index():
    x = ag.tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max(0)[0].backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 0.0])


def test_amax_ties_share_the_gradient():
    x = ag.tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.amax().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.5, 0.5])


def test_full_max_ties_share_the_gradient():
    x = ag.tensor([3.0, 3.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad.data, [0.5, 0.5])


def test_maximum_ties_split_in_half():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([1.0, 0.0], requires_grad=True)
    ag.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 1.0])
    np.testing.assert_array_equal(b.grad.data, [0.5, 0.0])


def test_norm_gradient_at_zero_is_zero():
    x = ag.zeros(3, requires_grad=True)
    x.norm().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 0.0])


def test_relu_and_abs_gradient_at_zero_is_zero():
    x = ag.zeros(2, requires_grad=True)
    (x.relu() + x.abs()).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])


def test_clamp_gradient_passes_at_the_bounds():
    x = ag.tensor([-1.0, 0.0, 1.0, 2.0], requires_grad=True)
    x.clamp(-1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0, 1.0, 0.0])


def test_pow_exponent_gradient_at_zero_base_is_zero():
    x = ag.tensor([0.0, 2.0], requires_grad=True)
    e = ag.tensor([2.0, 2.0], requires_grad=True)
    (x**e).sum().backward()
    np.testing.assert_allclose(e.grad.data, [0.0, 4 * np.log(2.0)], rtol=1e-6)


def test_var_and_std_use_bessel_correction_by_default():
    data = np.array([1.0, 2.0, 4.0, 7.0])
    x = ag.tensor(data)
    np.testing.assert_allclose(x.var().item(), np.var(data, ddof=1), rtol=1e-6)
    np.testing.assert_allclose(x.std(unbiased=False).item(), np.std(data), rtol=1e-6)


def test_sigmoid_is_finite_for_large_inputs():
    y = ag.tensor([-1e4, 0.0, 1e4]).sigmoid()
    np.testing.assert_allclose(y.data, [0.0, 0.5, 1.0])


def test_softmax_rows_sum_to_one_with_large_logits():
    y = ag.tensor([[1e4, 0.0, -1e4]]).softmax(1)
    np.testing.assert_allclose(y.data.sum(1), [1.0], rtol=1e-6)


def test_logsumexp_matches_the_formula():
    data = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 0.0]])
    got = ag.tensor(data, dtype=ag.float64).logsumexp(1).data
    np.testing.assert_allclose(got, [np.log(np.exp([1.0, 2.0, 3.0]).sum()), 1000.0 + np.log(2.0)])


def test_comparisons_return_bool_without_grad():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    m = x > 1.5
    assert m.dtype == np.bool_ and not m.requires_grad
    np.testing.assert_array_equal(m.data, [False, True])


def test_argmax_returns_int64_without_grad():
    idx = ag.tensor([[1.0, 9.0], [8.0, 2.0]]).argmax(1)
    np.testing.assert_array_equal(idx.data, [1, 0])
    assert idx.dtype == np.int64


def test_chunk_and_split_sizes_follow_pytorch():
    x = ag.arange(10)
    assert [c.shape[0] for c in x.chunk(3)] == [4, 4, 2]
    assert [c.shape[0] for c in x.split(4)] == [4, 4, 2]


def test_repeat_tiles_whole_tensor():
    np.testing.assert_array_equal(ag.tensor([1, 2]).repeat(2).data, [1, 2, 1, 2])


def test_boolean_mask_indexing_and_setitem():
    x = ag.tensor([1.0, -2.0, 3.0])
    np.testing.assert_array_equal(x[x > 0].data, [1.0, 3.0])
    x[x < 0] = 0.0
    np.testing.assert_array_equal(x.data, [1.0, 0.0, 3.0])


def test_item_tolist_numpy():
    x = ag.tensor([[1.5]])
    assert x.item() == 1.5 and x.tolist() == [[1.5]] and isinstance(x.numpy(), np.ndarray)


def test_numpy_on_tensor_requiring_grad_is_an_error():
    with pytest.raises(RuntimeError, match="detach"):
        ag.tensor([1.0], requires_grad=True).numpy()


def test_repr_looks_like_pytorch():
    assert repr(ag.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(ag.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert "grad_fn=<MulBackward>" in repr(ag.tensor([1.0], requires_grad=True) * 2)
    assert repr(ag.tensor([1.5, 2.25])) == "tensor([1.5000, 2.2500])"


def test_size_numel_dim():
    x = ag.zeros(2, 3, 4)
    assert x.size() == (2, 3, 4) and x.size(-1) == 4 and x.numel() == 24 and x.dim() == 3


def test_torch_style_functions_mirror_methods():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_allclose(ag.exp(x).data, np.exp(x.data))
    np.testing.assert_allclose(ag.sum(x, 1).data, [3.0, 7.0])
    np.testing.assert_allclose(ag.softmax(x, dim=1).data, x.softmax(1).data)


# ---- bad input: a clear error, never a numpy traceback --------------------------------------------
def test_incompatible_broadcast_names_op_and_shapes():
    with pytest.raises(RuntimeError, match=r"add: The size of tensor a \(2\) must match the size of tensor b \(3\)"):
        ag.ones(2) + ag.ones(3)


def test_incompatible_broadcast_in_mul_shows_both_shapes():
    with pytest.raises(RuntimeError, match=r"\(4, 2\).*\(3,\)"):
        ag.ones(4, 2) * ag.ones(3)


def test_matmul_inner_dimension_mismatch():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"):
        ag.ones(2, 3) @ ag.ones(2, 3)


def test_batched_matmul_mismatch_names_shapes():
    with pytest.raises(RuntimeError, match=r"matmul.*\(5, 2, 3\).*\(5, 4, 2\)"):
        ag.ones(5, 2, 3) @ ag.ones(5, 4, 2)


def test_reshape_to_incompatible_size():
    with pytest.raises(RuntimeError, match=r"shape '\[4\]' is invalid for input of size 6"):
        ag.ones(2, 3).reshape(4)


def test_dim_out_of_range():
    with pytest.raises(IndexError, match=r"sum\(\): Dimension out of range \(expected to be in range of \[-2, 1\], but got 3\)"):
        ag.ones(2, 3).sum(dim=3)


def test_index_out_of_bounds():
    with pytest.raises(IndexError, match=r"index 5 is out of bounds for dimension 0 with size 2"):
        ag.ones(2, 3)[5]


def test_advanced_index_out_of_bounds():
    with pytest.raises(IndexError, match="out of bounds"):
        ag.ones(2, 3)[ag.tensor([0, 7])]


def test_mixing_tensor_with_unsupported_object():
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \+: 'Tensor' and 'str'"):
        ag.ones(2) + "a"


def test_float_index_tensor_is_rejected():
    with pytest.raises(IndexError, match="long, int or bool"):
        ag.ones(3)[ag.tensor([0.0])]


def test_gather_with_float_index_is_rejected():
    with pytest.raises(RuntimeError, match="int64"):
        ag.ones(2, 2).gather(1, ag.tensor([[0.0]]))


def test_bool_of_multi_element_tensor_is_ambiguous():
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(ag.ones(2))


def test_item_of_multi_element_tensor():
    with pytest.raises(RuntimeError, match="2 elements"):
        ag.ones(2).item()


def test_tensor_from_ragged_list():
    with pytest.raises(ValueError, match="rectangular"):
        ag.tensor([[1.0, 2.0], [3.0]])


def test_tensor_from_strings():
    with pytest.raises(TypeError, match="numeric dtype"):
        ag.tensor(["a"])


def test_mean_of_int_tensor_asks_for_float():
    with pytest.raises(RuntimeError, match="floating point"):
        ag.tensor([1, 2]).mean()


def test_cat_with_mismatched_shapes():
    with pytest.raises(RuntimeError, match=r"cat\(\): Sizes of tensors must match except in dimension 0"):
        ag.cat([ag.ones(2, 3), ag.ones(2, 4)])


def test_expand_to_incompatible_shape():
    with pytest.raises(RuntimeError, match=r"\(3,\) cannot be broadcast to \(4,\)"):
        ag.ones(3).expand(4)


def test_permute_with_wrong_number_of_dims():
    with pytest.raises(RuntimeError, match="number of dimensions"):
        ag.ones(2, 3).permute(0)
