"""Function transforms against closed forms: vjp, jvp, jacobian, hessian, hvp, value_and_grad."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd import functional as F


def t64(values, **kw):
    return ag.tensor(np.asarray(values, dtype=np.float64), **kw)


A = np.array([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]])


def linear(x):
    return t64(A) @ x


def test_vjp_of_linear_map_is_transpose_product():
    v = t64([1.0, -2.0])
    out, g = F.vjp(linear, t64([1.0, 1.0, 1.0]), v)
    np.testing.assert_allclose(out.data, A @ np.ones(3))
    np.testing.assert_allclose(g.data, A.T @ v.data)


def test_jvp_of_linear_map_is_matrix_product():
    v = t64([0.5, 1.0, -1.0])
    _, jv = F.jvp(linear, t64([1.0, 2.0, 3.0]), v)
    np.testing.assert_allclose(jv.data, A @ v.data)


def test_jvp_of_nonlinear_function():
    x = np.array([0.3, -0.7])
    v = np.array([1.0, 2.0])
    _, jv = F.jvp(lambda t: t.sin() * t, t64(x), t64(v))
    np.testing.assert_allclose(jv.data, (np.cos(x) * x + np.sin(x)) * v)


def test_jacobian_of_elementwise_function_is_diagonal():
    x = np.array([0.1, 0.2, 0.3])
    J = F.jacobian(lambda t: t.exp(), t64(x))
    np.testing.assert_allclose(J.data, np.diag(np.exp(x)))


def test_jacobian_shape_is_output_then_input():
    J = F.jacobian(lambda t: t.sum(0), t64(np.ones((2, 3))))
    assert J.shape == (3, 2, 3)


def test_jacobian_with_two_inputs_returns_a_tuple():
    J = F.jacobian(lambda a, b: a * b, (t64([1.0, 2.0]), t64([3.0, 4.0])))
    np.testing.assert_allclose(J[0].data, np.diag([3.0, 4.0]))
    np.testing.assert_allclose(J[1].data, np.diag([1.0, 2.0]))


def test_hessian_of_quadratic_form():
    M = np.array([[2.0, 1.0], [1.0, 3.0]])
    H = F.hessian(lambda x: x @ (t64(M) @ x), t64([0.5, -1.0]))
    np.testing.assert_allclose(H.data, M + M.T)


def test_hessian_of_rosenbrock():
    def rosen(p):
        x, y = p[0], p[1]
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    x, y = 0.3, 0.7
    H = F.hessian(rosen, t64([x, y]))
    expected = np.array([[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200.0]])
    np.testing.assert_allclose(H.data, expected)


def test_hvp_equals_hessian_times_vector():
    M = np.array([[2.0, 1.0], [1.0, 3.0]])
    v = np.array([1.0, -1.0])
    _, hv = F.hvp(lambda x: 0.5 * (x @ (t64(M) @ x)), t64([0.2, 0.4]), t64(v))
    np.testing.assert_allclose(hv.data, M @ v)


def test_value_and_grad():
    f = F.value_and_grad(lambda x: (x**3).sum())
    value, g = f(t64([1.0, 2.0]))
    assert value.item() == 9.0
    np.testing.assert_allclose(g.data, [3.0, 12.0])


def test_grad_of_composes_to_higher_orders():
    d = F.grad_of(lambda x: x.sin().sum())
    dd = F.grad_of(lambda x: d(x).sum())
    x = np.array([0.4])
    np.testing.assert_allclose(dd(t64(x)).data, -np.sin(x))


def test_transforms_leave_inputs_untouched():
    x = t64([1.0, 2.0], requires_grad=True)
    F.jacobian(lambda t: t * 2, x)
    assert x.grad is None


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 3), min_size=0, max_size=3),
    st.lists(st.booleans(), min_size=3, max_size=3),
    st.integers(0, 2),
)
def test_broadcast_gradients_sum_over_broadcast_dims(shape, ones_mask, drop):
    """For any broadcastable pair, d sum(a * b)/d b is b-shaped and equals a summed over broadcast dims."""
    shape = tuple(shape)
    b_shape = tuple(1 if m else s for s, m in zip(shape, ones_mask))[min(drop, len(shape)):]
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape)
    b = ag.tensor(rng.standard_normal(b_shape), requires_grad=True)
    (t64(a) * b).sum().backward()
    expected = np.broadcast_to(a, np.broadcast_shapes(shape, b_shape))
    lead = len(expected.shape) - len(b_shape)
    expected = expected.sum(axis=tuple(range(lead))) if lead else expected
    expected = expected.sum(axis=tuple(i for i, s in enumerate(b_shape) if s == 1), keepdims=True)
    assert b.grad.shape == b_shape
    np.testing.assert_allclose(b.grad.data, expected.reshape(b_shape))
