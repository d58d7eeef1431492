"""Every differentiable op's gradient against central finite differences in float64.

Each case is (name, function of tensors, input shapes, how to draw inputs).
Shapes exercise broadcasting of size-1 and missing dims, keepdim, negative
and tuple dims, repeated indices (whose gradients must accumulate) and masks.
The second table checks second derivatives the same way.
"""

import numpy as np
import pytest

import autograd as ag
from tests.helpers import assert_grads_match, assert_second_grads_match


def normal(rng, shape):
    return rng.standard_normal(shape)


def positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def distinct(rng, shape):
    """Values far apart, so max/min/sort-like ops are differentiable at the sample."""
    n = int(np.prod(shape)) if shape else 1
    return (rng.permutation(n).astype(np.float64) * 0.37 + rng.uniform(0, 0.1, n)).reshape(shape)


def away_from_zero(rng, shape):
    return rng.uniform(0.3, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


IDX = np.array([0, 2, 2, 1])  # a repeated index: its gradients must accumulate
MASK = np.array([[True, False, True], [False, True, True]])

CASES = [
    # arithmetic and broadcasting
    ("add", lambda a, b: a + b, [(2, 3), (2, 3)], normal),
    ("add_broadcast_missing_dim", lambda a, b: a + b, [(2, 3), (3,)], normal),
    ("add_broadcast_size1", lambda a, b: a + b, [(2, 1, 4), (3, 1)], normal),
    ("sub_broadcast", lambda a, b: a - b, [(4, 1), (1, 5)], normal),
    ("mul_broadcast", lambda a, b: a * b, [(2, 3, 4), (1, 4)], normal),
    ("div_broadcast", lambda a, b: a / b, [(3, 4), (4,)], away_from_zero),
    ("neg", lambda a: -a, [(3,)], normal),
    ("add_scalar", lambda a: a + 2.5, [(3,)], normal),
    ("rsub_scalar", lambda a: 2.5 - a, [(3,)], normal),
    ("rdiv_scalar", lambda a: 2.0 / a, [(3,)], away_from_zero),
    ("pow_scalar", lambda a: a**3, [(2, 3)], normal),
    ("pow_fractional", lambda a: a**1.5, [(2, 3)], positive),
    ("pow_negative", lambda a: a**-2, [(4,)], away_from_zero),
    ("pow_tensor", lambda a, b: a**b, [(2, 3), (3,)], positive),
    ("rpow_scalar", lambda a: 2.0**a, [(3,)], normal),
    ("remainder", lambda a, b: a % b, [(5,), (5,)], positive),
    # unary math
    ("exp", lambda a: a.exp(), [(2, 3)], normal),
    ("log", lambda a: a.log(), [(2, 3)], positive),
    ("log1p", lambda a: a.log1p(), [(4,)], positive),
    ("expm1", lambda a: a.expm1(), [(4,)], normal),
    ("sqrt", lambda a: a.sqrt(), [(4,)], positive),
    ("rsqrt", lambda a: a.rsqrt(), [(4,)], positive),
    ("sin", lambda a: a.sin(), [(4,)], normal),
    ("cos", lambda a: a.cos(), [(4,)], normal),
    ("tan", lambda a: a.tan(), [(4,)], lambda r, s: r.uniform(-1.2, 1.2, s)),
    ("tanh", lambda a: a.tanh(), [(4,)], normal),
    ("sigmoid", lambda a: a.sigmoid(), [(4,)], normal),
    ("relu", lambda a: a.relu(), [(3, 4)], away_from_zero),
    ("abs", lambda a: a.abs(), [(3, 4)], away_from_zero),
    ("reciprocal", lambda a: a.reciprocal(), [(4,)], away_from_zero),
    ("clamp", lambda a: a.clamp(-0.5, 0.7), [(3, 4)], lambda r, s: r.uniform(-1, 1, s) + 0.013),
    ("clamp_min_only", lambda a: a.clamp(min=0.1), [(6,)], lambda r, s: r.uniform(-1, 1, s) + 0.013),
    ("maximum", lambda a, b: ag.maximum(a, b), [(3, 4), (4,)], distinct),
    ("minimum", lambda a, b: ag.minimum(a, b), [(3, 4), (3, 1)], distinct),
    ("where", lambda a, b: ag.where(ag.tensor(MASK), a, b), [(2, 3), (3,)], normal),
    ("masked_fill", lambda a: a.masked_fill(ag.tensor(MASK), 0.5), [(2, 3)], normal),
    ("sinh_cosh", lambda a: a.sinh() * a.cosh(), [(3,)], normal),
    ("square", lambda a: a.square(), [(3,)], normal),
    # reductions
    ("sum_all", lambda a: a.sum(), [(2, 3)], normal),
    ("sum_dim", lambda a: a.sum(1), [(2, 3, 4)], normal),
    ("sum_negative_dim_keepdim", lambda a: a.sum(-1, keepdim=True), [(2, 3)], normal),
    ("sum_tuple_dims", lambda a: a.sum((0, 2)), [(2, 3, 4)], normal),
    ("mean_all", lambda a: a.mean(), [(2, 3)], normal),
    ("mean_dim_keepdim", lambda a: a.mean(0, keepdim=True), [(2, 3)], normal),
    ("var", lambda a: a.var(), [(2, 5)], normal),
    ("var_dim_biased", lambda a: a.var(1, unbiased=False), [(2, 5)], normal),
    ("std_dim", lambda a: a.std(0), [(4, 3)], normal),
    ("prod_all", lambda a: a.prod(), [(2, 3)], away_from_zero),
    ("prod_dim", lambda a: a.prod(1), [(2, 3)], away_from_zero),
    ("prod_with_a_zero", lambda a: a.prod(), [(4,)], lambda r, s: np.array([0.0, 1.5, -2.0, 0.7])),
    ("amax_dim", lambda a: a.amax(1), [(3, 4)], distinct),
    ("amin_tuple", lambda a: a.amin((0, 1)), [(3, 4)], distinct),
    ("max_all", lambda a: a.max(), [(3, 4)], distinct),
    ("max_dim_values", lambda a: a.max(1)[0], [(3, 4)], distinct),
    ("min_dim_keepdim_values", lambda a: a.min(0, keepdim=True).values, [(3, 4)], distinct),
    ("logsumexp", lambda a: a.logsumexp(1), [(3, 4)], normal),
    ("logsumexp_keepdim", lambda a: a.logsumexp(-1, keepdim=True), [(3, 4)], normal),
    ("softmax", lambda a: a.softmax(1), [(3, 4)], normal),
    ("softmax_dim0", lambda a: a.softmax(0), [(3, 4)], normal),
    ("log_softmax", lambda a: a.log_softmax(-1), [(3, 4)], normal),
    ("norm", lambda a: a.norm(), [(3, 4)], normal),
    ("norm_dim", lambda a: a.norm(dim=1), [(3, 4)], normal),
    ("norm_p1", lambda a: a.norm(p=1), [(3, 4)], away_from_zero),
    ("norm_p3", lambda a: a.norm(p=3, dim=0), [(3, 4)], away_from_zero),
    ("norm_inf", lambda a: a.norm(p=float("inf")), [(3, 4)], distinct),
    ("cumsum", lambda a: a.cumsum(1), [(3, 4)], normal),
    # shape
    ("reshape", lambda a: a.reshape(4, 3) * ag.arange(12.0).reshape(4, 3).double(), [(2, 6)], normal),
    ("view_infer", lambda a: a.view(-1), [(2, 3)], normal),
    ("flatten", lambda a: a.flatten(1), [(2, 3, 4)], normal),
    ("unflatten", lambda a: a.unflatten(1, (2, 3)), [(2, 6)], normal),
    ("squeeze", lambda a: a.squeeze(1), [(3, 1, 2)], normal),
    ("unsqueeze", lambda a: a.unsqueeze(-1) * ag.tensor([1.0, 2.0]).double(), [(3,)], normal),
    ("transpose", lambda a: a.transpose(0, 2), [(2, 3, 4)], normal),
    ("permute", lambda a: a.permute(2, 0, 1), [(2, 3, 4)], normal),
    ("T", lambda a: a.T, [(2, 3)], normal),
    ("mT", lambda a: a.mT, [(2, 3, 4)], normal),
    ("expand", lambda a: a.expand(4, 3), [(1, 3)], normal),
    ("expand_as", lambda a, b: a.expand_as(b) * b, [(3, 1), (3, 4)], normal),
    ("broadcast_to", lambda a: a.broadcast_to((2, 3, 4)), [(3, 1)], normal),
    ("repeat", lambda a: a.repeat(2, 3), [(2, 2)], normal),
    ("repeat_more_dims", lambda a: a.repeat(2, 1, 3), [(2, 2)], normal),
    ("tile", lambda a: a.tile((2,)), [(2, 3)], normal),
    ("flip", lambda a: a.flip(0, 1), [(2, 3)], normal),
    ("roll", lambda a: a.roll(1, 1), [(2, 3)], normal),
    ("roll_flat", lambda a: a.roll(2), [(2, 3)], normal),
    ("chunk", lambda a: a.chunk(2, 1)[1] * 2.0, [(2, 4)], normal),
    ("split_sizes", lambda a: a.split([1, 3], 1)[1], [(2, 4)], normal),
    ("unbind", lambda a: a.unbind(0)[1], [(3, 2)], normal),
    ("tril", lambda a: a.tril(), [(3, 3)], normal),
    ("triu_offset", lambda a: a.triu(1), [(3, 4)], normal),
    ("cat", lambda a, b: ag.cat([a, b, a], 1), [(2, 2), (2, 3)], normal),
    ("stack", lambda a, b: ag.stack([a, b], -1), [(2, 3), (2, 3)], normal),
    # indexing
    ("getitem_basic", lambda a: a[1:, ::2], [(3, 5)], normal),
    ("getitem_int_and_none", lambda a: a[1, None, :], [(3, 4)], normal),
    ("getitem_ellipsis", lambda a: a[..., 1], [(2, 3, 4)], normal),
    ("getitem_repeated_index", lambda a: a[IDX], [(3, 2)], normal),
    ("getitem_repeated_index_list", lambda a: a[[0, 0, 1]], [(3,)], normal),
    ("getitem_two_arrays", lambda a: a[IDX, np.array([1, 0, 1, 1])], [(3, 2)], normal),
    ("getitem_bool_mask", lambda a: a[ag.tensor(MASK)], [(2, 3)], normal),
    ("getitem_negative", lambda a: a[-1], [(3, 2)], normal),
    ("gather", lambda a: a.gather(1, ag.tensor([[0, 0], [2, 1]])), [(2, 3)], normal),
    ("gather_dim0", lambda a: a.gather(0, ag.tensor([[1, 0, 1]])), [(2, 3)], normal),
    ("index_select", lambda a: a.index_select(0, ag.tensor([2, 0, 2])), [(3, 2)], normal),
    ("scatter", lambda a, s: a.scatter(1, ag.tensor([[2], [0]]), s), [(2, 3), (2, 1)], normal),
    ("scatter_add", lambda a, s: a.scatter_add(1, ag.tensor([[2, 2], [0, 1]]), s), [(2, 3), (2, 2)], normal),
    # linear algebra
    ("matmul_2d", lambda a, b: a @ b, [(2, 3), (3, 4)], normal),
    ("matmul_batched_broadcast", lambda a, b: a @ b, [(2, 2, 3), (3, 4)], normal),
    ("matmul_vec_mat", lambda a, b: a @ b, [(3,), (2, 3, 4)], normal),
    ("matmul_mat_vec", lambda a, b: a @ b, [(2, 3), (3,)], normal),
    ("matmul_vec_vec", lambda a, b: a @ b, [(3,), (3,)], normal),
    ("mm", lambda a, b: a.mm(b), [(2, 3), (3, 2)], normal),
    ("bmm", lambda a, b: a.bmm(b), [(2, 2, 3), (2, 3, 2)], normal),
    ("dot", lambda a, b: a.dot(b), [(4,), (4,)], normal),
    ("outer", lambda a, b: a.outer(b), [(3,), (2,)], normal),
    ("einsum_matmul", lambda a, b: ag.einsum("ij,jk->ik", a, b), [(2, 3), (3, 4)], normal),
    ("einsum_sum_out", lambda a, b: ag.einsum("ij,j->i", a, b), [(2, 3), (3,)], normal),
    ("einsum_broadcast_back", lambda a, b: ag.einsum("ij,k->ik", a, b), [(2, 3), (4,)], normal),
]


@pytest.mark.parametrize("name,fn,shapes,draw", CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_finite_differences(name, fn, shapes, draw):
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    arrays = [draw(rng, s) for s in shapes]
    assert_grads_match(fn, arrays, rng)


SECOND_ORDER = [c for c in CASES if c[0] in {
    "add_broadcast_size1", "mul_broadcast", "div_broadcast", "pow_scalar", "pow_tensor", "exp", "log", "sqrt",
    "rsqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs", "reciprocal", "clamp", "maximum", "where",
    "sum_dim", "mean_dim_keepdim", "var", "prod_dim", "amax_dim", "max_dim_values", "logsumexp", "softmax",
    "log_softmax", "norm", "cumsum", "reshape", "permute", "expand", "repeat", "flip", "roll", "tril", "cat", "stack",
    "getitem_basic", "getitem_repeated_index", "getitem_bool_mask", "gather", "scatter", "matmul_2d",
    "matmul_batched_broadcast", "matmul_vec_mat", "matmul_mat_vec", "einsum_matmul", "log1p", "expm1", "masked_fill",
}]


@pytest.mark.parametrize("name,fn,shapes,draw", SECOND_ORDER, ids=[c[0] for c in SECOND_ORDER])
def test_second_derivative_matches_finite_differences(name, fn, shapes, draw):
    rng = np.random.default_rng(abs(hash(name)) % 2**32 + 1)
    arrays = [draw(rng, s) for s in shapes]
    assert_second_grads_match(fn, arrays, rng)
