"""Optimizers: update rules, state, checkpoints, parameter groups and errors.

The expected trajectories come from the update rules written out below in
plain float64 numpy, one line per formula as in the papers and PyTorch's
documentation, independently of ``optim``'s in-place implementation.
Gradients are set directly on ``.grad`` from a fixed function of the current
parameters, so these tests exercise the optimizers alone; the convergence
tests use the engine's own gradients.
"""

import copy
import itertools

import numpy as np
import pytest

import autograd as ag
import optim

STEPS = 6


def grad_fn(x):
    """A non-linear gradient field (of sum(x**4/4 - x**2 + x/2 + sin(3x)/3)), so each step sees a new gradient."""
    return x**3 - 2 * x + 0.5 + np.cos(3 * x)


def start_values():
    rng = np.random.default_rng(1234)
    return [rng.normal(size=(3, 4)), rng.normal(size=(5,)), np.array(0.7)]


def make_params(values=None):
    values = start_values() if values is None else values
    return [ag.tensor(v.copy(), requires_grad=True) for v in values]


def set_grads(params, sign=1.0):
    for p in params:
        p.grad = ag.tensor(sign * grad_fn(p.data))


def run_optimizer(opt, params, steps=STEPS, sign=1.0):
    """Take ``steps`` steps and return the parameter values after each one."""
    trajectory = []
    for _ in range(steps):
        set_grads(params, sign)
        opt.step()
        trajectory.append([p.data.copy() for p in params])
    return trajectory


def assert_trajectories_equal(actual, expected, rtol=1e-12, atol=1e-14):
    for step, (got_step, want_step) in enumerate(zip(actual, expected, strict=True)):
        for got, want in zip(got_step, want_step, strict=True):
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=f"after step {step + 1}")


# ---- the update rules, written out -------------------------------------------------------------


def fed_gradient(x, maximize):
    """What a test puts in ``.grad``: the gradient of -f when maximizing, so maximize runs stay bounded too."""
    return -grad_fn(x) if maximize else grad_fn(x)


def sgd_reference(x, steps, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    x = x.copy()
    buf = None
    trajectory = []
    for _ in range(steps):
        g = fed_gradient(x, maximize)
        if maximize:
            g = -g
        g = g + weight_decay * x
        if momentum != 0:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        x = x - lr * g
        trajectory.append(x.copy())
    return trajectory


def adam_reference(
    x, steps, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False, decoupled=False
):
    beta1, beta2 = betas
    x = x.copy()
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    v_max = np.zeros_like(x)
    trajectory = []
    for t in range(1, steps + 1):
        g = fed_gradient(x, maximize)
        if maximize:
            g = -g
        if decoupled:
            x = x * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * x
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        if amsgrad:
            v_max = np.maximum(v_max, v)
            v_used = v_max
        else:
            v_used = v
        m_hat = m / (1 - beta1**t)
        denom = np.sqrt(v_used) / np.sqrt(1 - beta2**t) + eps
        x = x - lr * m_hat / denom
        trajectory.append(x.copy())
    return trajectory


def rmsprop_reference(
    x, steps, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False, maximize=False
):
    x = x.copy()
    square_avg = np.zeros_like(x)
    grad_avg = np.zeros_like(x)
    buf = np.zeros_like(x)
    trajectory = []
    for _ in range(steps):
        g = fed_gradient(x, maximize)
        if maximize:
            g = -g
        g = g + weight_decay * x
        square_avg = alpha * square_avg + (1 - alpha) * g**2
        if centered:
            grad_avg = alpha * grad_avg + (1 - alpha) * g
            avg = np.sqrt(square_avg - grad_avg**2) + eps
        else:
            avg = np.sqrt(square_avg) + eps
        if momentum > 0:
            buf = momentum * buf + g / avg
            x = x - lr * buf
        else:
            x = x - lr * g / avg
        trajectory.append(x.copy())
    return trajectory


def adagrad_reference(x, steps, lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
                      maximize=False):  # fmt: skip
    x = x.copy()
    state_sum = np.full_like(x, initial_accumulator_value)
    trajectory = []
    for t in range(1, steps + 1):
        g = fed_gradient(x, maximize)
        if maximize:
            g = -g
        g = g + weight_decay * x
        clr = lr / (1 + (t - 1) * lr_decay)
        state_sum = state_sum + g**2
        x = x - clr * g / (np.sqrt(state_sum) + eps)
        trajectory.append(x.copy())
    return trajectory


def reference_trajectory(reference, steps=STEPS, **options):
    """Run ``reference`` on each start value separately and regroup per step, like ``run_optimizer``."""
    per_param = [reference(x, steps, **options) for x in start_values()]
    return [list(step) for step in zip(*per_param)]


def run_with_sign(opt_class, options, steps=STEPS):
    """``opt_class`` on the references' problem, fed ``fed_gradient`` (the gradient of -f when maximizing)."""
    params = make_params()
    opt = opt_class(params, **options)
    sign = -1.0 if options.get("maximize") else 1.0
    return run_optimizer(opt, params, steps, sign)


# ---- SGD ---------------------------------------------------------------------------------------

SGD_OPTIONS = [
    dict(momentum=m, dampening=d, nesterov=n, weight_decay=w, maximize=mx)
    for m, d, n, w, mx in itertools.product([0.0, 0.9], [0.0, 0.3], [False, True], [0.0, 0.1], [False, True])
    if not (n and (m == 0 or d != 0))
]


@pytest.mark.parametrize("options", SGD_OPTIONS, ids=str)
def test_sgd_steps_follow_the_update_rule(options):
    got = run_with_sign(optim.SGD, dict(lr=0.05, **options))
    want = reference_trajectory(sgd_reference, lr=0.05, **options)
    assert_trajectories_equal(got, want)


def test_sgd_plain_step_is_lr_times_gradient():
    p = ag.tensor(np.array([1.0, -2.0]), requires_grad=True)
    p.grad = ag.tensor(np.array([0.5, 4.0]))
    optim.SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.data, [1.0 - 0.05, -2.0 - 0.4], rtol=0, atol=1e-15)


def test_sgd_momentum_buffer_starts_as_the_first_gradient_without_dampening():
    p = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    p.grad = ag.tensor(np.array([3.0, -1.0]))
    opt = optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5)
    opt.step()
    np.testing.assert_array_equal(opt.state[p]["momentum_buffer"].data, [3.0, -1.0])
    p.grad = ag.tensor(np.array([1.0, 1.0]))
    opt.step()
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].data, [0.9 * 3.0 + 0.5, 0.9 * -1.0 + 0.5])


def test_sgd_momentum_buffer_is_a_copy_not_the_gradient():
    p = ag.tensor(np.array([1.0, 2.0]), requires_grad=True)
    p.grad = ag.tensor(np.array([3.0, -1.0]))
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    opt.step()
    opt.step()
    np.testing.assert_array_equal(p.grad.data, [3.0, -1.0])
    assert opt.state[p]["momentum_buffer"].data is not p.grad.data


def test_sgd_without_momentum_keeps_no_state():
    params = make_params()
    opt = optim.SGD(params, lr=0.1)
    run_optimizer(opt, params, steps=2)
    assert all(len(opt.state[p]) == 0 for p in params)


# ---- Adam / AdamW ------------------------------------------------------------------------------

ADAM_OPTIONS = [
    dict(betas=b, eps=e, weight_decay=w, amsgrad=a, maximize=mx)
    for b, e, w, a, mx in itertools.product(
        [(0.9, 0.999), (0.3, 0.8)], [1e-8, 0.1], [0.0, 0.1], [False, True], [False, True]
    )
]


@pytest.mark.parametrize("options", ADAM_OPTIONS, ids=str)
def test_adam_steps_follow_the_update_rule(options):
    got = run_with_sign(optim.Adam, dict(lr=0.05, **options))
    want = reference_trajectory(adam_reference, lr=0.05, **options)
    assert_trajectories_equal(got, want)


@pytest.mark.parametrize("options", ADAM_OPTIONS, ids=str)
def test_adamw_steps_follow_the_update_rule_with_decoupled_decay(options):
    got = run_with_sign(optim.AdamW, dict(lr=0.05, **options))
    want = reference_trajectory(adam_reference, lr=0.05, decoupled=True, **options)
    assert_trajectories_equal(got, want)


def test_adam_first_step_moves_each_coordinate_by_lr_scaled_by_eps():
    # After one step m_hat = g and v_hat = g**2, so the move is lr * g / (|g| + eps):
    # eps is added to sqrt(v_hat), after the bias correction.
    p = ag.tensor(np.array([0.0, 0.0, 0.0]), requires_grad=True)
    g = np.array([2.0, -0.5, 1e-3])
    p.grad = ag.tensor(g)
    optim.Adam([p], lr=0.1, eps=0.25).step()
    np.testing.assert_allclose(p.data, -0.1 * g / (np.abs(g) + 0.25), rtol=1e-12)


def test_adamw_default_weight_decay_is_one_hundredth():
    p = ag.tensor(np.array([1.0]), requires_grad=True)
    assert optim.AdamW([p]).param_groups[0]["weight_decay"] == 1e-2
    assert optim.Adam([p]).param_groups[0]["weight_decay"] == 0


def test_adamw_decay_shrinks_a_parameter_with_zero_gradient():
    p = ag.tensor(np.array([2.0]), requires_grad=True)
    p.grad = ag.tensor(np.array([0.0]))
    optim.AdamW([p], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(p.data, [2.0 * (1 - 0.1 * 0.5)], rtol=1e-15)


def test_adam_amsgrad_keeps_the_running_maximum_of_the_second_moment():
    p = ag.tensor(np.array([0.0]), requires_grad=True)
    opt = optim.Adam([p], lr=0.01, betas=(0.9, 0.5), amsgrad=True)
    for g in [4.0, 0.0, 0.0]:
        p.grad = ag.tensor(np.array([g]))
        opt.step()
    v = opt.state[p]["exp_avg_sq"].data
    v_max = opt.state[p]["max_exp_avg_sq"].data
    np.testing.assert_allclose(v, [0.5 * 16 * 0.25])  # (1 - beta2) g^2 decayed twice by beta2
    np.testing.assert_allclose(v_max, [0.5 * 16])


# ---- RMSprop -----------------------------------------------------------------------------------

RMSPROP_OPTIONS = [
    dict(alpha=al, centered=c, momentum=m, weight_decay=w, maximize=mx)
    for al, c, m, w, mx in itertools.product([0.99, 0.6], [False, True], [0.0, 0.9], [0.0, 0.1], [False, True])
]


@pytest.mark.parametrize("options", RMSPROP_OPTIONS, ids=str)
def test_rmsprop_steps_follow_the_update_rule(options):
    got = run_with_sign(optim.RMSprop, dict(lr=0.01, **options))
    want = reference_trajectory(rmsprop_reference, lr=0.01, **options)
    assert_trajectories_equal(got, want, rtol=1e-10)


# ---- Adagrad -----------------------------------------------------------------------------------

ADAGRAD_OPTIONS = [
    dict(lr_decay=ld, initial_accumulator_value=iv, weight_decay=w, maximize=mx)
    for ld, iv, w, mx in itertools.product([0.0, 0.5], [0.0, 0.3], [0.0, 0.1], [False, True])
]


@pytest.mark.parametrize("options", ADAGRAD_OPTIONS, ids=str)
def test_adagrad_steps_follow_the_update_rule(options):
    got = run_with_sign(optim.Adagrad, dict(lr=0.1, **options))
    want = reference_trajectory(adagrad_reference, lr=0.1, **options)
    assert_trajectories_equal(got, want)


def test_adagrad_makes_its_state_at_construction():
    p = ag.tensor(np.zeros(3), requires_grad=True)
    opt = optim.Adagrad([p], initial_accumulator_value=0.25)
    assert opt.state[p]["step"] == 0
    np.testing.assert_array_equal(opt.state[p]["sum"].data, [0.25, 0.25, 0.25])


# ---- what every optimizer shares -----------------------------------------------------------------

ALL_OPTIMIZERS = {
    "SGD": lambda ps: optim.SGD(ps, lr=0.05),
    "SGD-momentum": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01),
    "SGD-nesterov": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    "Adam": lambda ps: optim.Adam(ps, lr=0.05),
    "Adam-amsgrad": lambda ps: optim.Adam(ps, lr=0.05, amsgrad=True, weight_decay=0.01),
    "AdamW": lambda ps: optim.AdamW(ps, lr=0.05),
    "RMSprop": lambda ps: optim.RMSprop(ps, lr=0.01),
    "RMSprop-centered-momentum": lambda ps: optim.RMSprop(ps, lr=0.01, centered=True, momentum=0.9),
    "Adagrad": lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01),
}

STATE_KEYS = {
    "SGD": set(),
    "SGD-momentum": {"momentum_buffer"},
    "SGD-nesterov": {"momentum_buffer"},
    "Adam": {"step", "exp_avg", "exp_avg_sq"},
    "Adam-amsgrad": {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
    "AdamW": {"step", "exp_avg", "exp_avg_sq"},
    "RMSprop": {"step", "square_avg"},
    "RMSprop-centered-momentum": {"step", "square_avg", "momentum_buffer", "grad_avg"},
    "Adagrad": {"step", "sum"},
}


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_state_keys_are_pytorchs(name):
    params = make_params()
    opt = ALL_OPTIMIZERS[name](params)
    run_optimizer(opt, params, steps=2)
    for p in params:
        assert set(opt.state[p]) == STATE_KEYS[name]
        if "step" in opt.state[p]:
            assert opt.state[p]["step"] == 2


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_step_updates_parameter_arrays_in_place_and_records_nothing(name):
    params = make_params()
    arrays = [p.data for p in params]
    before = [a.copy() for a in arrays]
    opt = ALL_OPTIMIZERS[name](params)
    set_grads(params)
    opt.step()
    for p, array, old in zip(params, arrays, before):
        assert p.data is array
        assert not np.array_equal(array, old)
        assert p.grad_fn is None and p.is_leaf and p.requires_grad


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_step_leaves_the_gradients_unchanged(name):
    params = make_params()
    opt = ALL_OPTIMIZERS[name](params)
    set_grads(params)
    grads = [p.grad.data.copy() for p in params]
    opt.step()
    opt.step()
    for p, g in zip(params, grads):
        np.testing.assert_array_equal(p.grad.data, g)


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_step_skips_parameters_without_gradient(name):
    params = make_params()
    opt = ALL_OPTIMIZERS[name](params)
    frozen = params[1]
    before = frozen.data.copy()
    for _ in range(2):
        set_grads(params)
        frozen.grad = None
        opt.step()
    np.testing.assert_array_equal(frozen.data, before)
    if name != "Adagrad":  # Adagrad makes every parameter's state up front
        assert len(opt.state[frozen]) == 0


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_float32_parameters_stay_float32(name):
    params = [ag.tensor(v.astype(np.float32), requires_grad=True) for v in start_values()]
    opt = ALL_OPTIMIZERS[name](params)
    for _ in range(2):
        for p in params:
            p.grad = ag.tensor(grad_fn(p.data).astype(np.float32))
        opt.step()
    for p in params:
        assert p.dtype == np.float32
        assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, ag.Tensor))


def test_step_returns_the_closure_loss_and_runs_it_with_grad_enabled():
    p = ag.tensor(np.array([3.0]), requires_grad=True)
    opt = optim.SGD([p], lr=0.25)
    seen = []

    def closure():
        seen.append(ag.is_grad_enabled())
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with ag.no_grad():
        loss = opt.step(closure)
    assert seen == [True]
    assert loss.item() == 9.0
    np.testing.assert_allclose(p.data, [3.0 - 0.25 * 6.0])


def test_step_without_closure_returns_none():
    p = ag.tensor(np.array([1.0]), requires_grad=True)
    p.grad = ag.tensor(np.array([1.0]))
    assert optim.Adam([p]).step() is None


def test_zero_grad_sets_gradients_to_none_by_default():
    params = make_params()
    set_grads(params)
    optim.SGD(params, lr=0.1).zero_grad()
    assert all(p.grad is None for p in params)


def test_zero_grad_set_to_none_false_zeroes_the_gradients_in_place():
    params = make_params()
    set_grads(params)
    arrays = [p.grad.data for p in params]
    optim.SGD(params, lr=0.1).zero_grad(set_to_none=False)
    for p, array in zip(params, arrays):
        assert p.grad.data is array
        assert not array.any()


def test_gradients_from_backward_drive_the_update():
    w = ag.tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    loss = (w * w).sum()
    loss.backward()
    opt.step()
    np.testing.assert_allclose(w.data, [1.0 - 0.2, -2.0 + 0.4])


# ---- parameter groups --------------------------------------------------------------------------


def test_params_as_dicts_make_groups_with_their_own_hyper_parameters():
    a, b = make_params()[:2]
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["params"] == [b]
    assert opt.param_groups[1]["momentum"] == 0.9
    for p in (a, b):
        p.grad = ag.tensor(np.ones_like(p.data))
    a_before, b_before = a.data.copy(), b.data.copy()
    opt.step()
    np.testing.assert_allclose(a.data, a_before - 0.1)
    np.testing.assert_allclose(b.data, b_before - 0.5)


def test_add_param_group_fills_in_the_defaults():
    a, b = make_params()[:2]
    opt = optim.Adam([a], lr=0.01, betas=(0.8, 0.9))
    opt.add_param_group({"params": [b], "lr": 0.1})
    group = opt.param_groups[1]
    assert group["lr"] == 0.1 and group["betas"] == (0.8, 0.9) and group["params"] == [b]


def test_params_may_be_a_generator():
    params = make_params()
    opt = optim.SGD((p for p in params), lr=0.1)
    assert opt.param_groups[0]["params"] == params


def test_named_parameters_are_accepted_and_kept_as_param_names():
    a, b = make_params()[:2]
    opt = optim.SGD([("weight", a), ("bias", b)], lr=0.1)
    assert opt.param_groups[0]["params"] == [a, b]
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight", "bias"]


def test_repr_lists_each_group_and_its_hyper_parameters_like_pytorch():
    a, b = make_params()[:2]
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    want = (
        "SGD (\n"
        "Parameter Group 0\n"
        "    dampening: 0\n    lr: 0.1\n    maximize: False\n    momentum: 0\n    nesterov: False\n"
        "    weight_decay: 0\n"
        "Parameter Group 1\n"
        "    dampening: 0\n    lr: 0.5\n    maximize: False\n    momentum: 0\n    nesterov: False\n"
        "    weight_decay: 0\n"
        ")"
    )
    assert repr(opt) == want


# ---- state_dict / load_state_dict ----------------------------------------------------------------


def test_state_dict_uses_integer_indices_across_groups():
    a, b, c = make_params()
    opt = optim.SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1, momentum=0.9)
    set_grads([a, b, c])
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sorted(sd["state"]) == [0, 1, 2]
    np.testing.assert_array_equal(sd["state"][2]["momentum_buffer"].data, opt.state[c]["momentum_buffer"].data)
    assert sd["param_groups"][1]["lr"] == 0.5 and sd["param_groups"][0]["momentum"] == 0.9


def test_state_dict_is_a_copy_that_does_not_follow_training():
    params = make_params()
    opt = optim.Adam(params, lr=0.1)
    run_optimizer(opt, params, steps=1)
    sd = opt.state_dict()
    saved = sd["state"][0]["exp_avg"].data.copy()
    run_optimizer(opt, params, steps=2)
    opt.param_groups[0]["lr"] = 0.5
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"].data, saved)
    assert sd["state"][0]["step"] == 1
    assert sd["param_groups"][0]["lr"] == 0.1


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_state_dict_round_trip_mid_run_continues_exactly(name):
    make = ALL_OPTIMIZERS[name]
    straight_params = make_params()
    straight = make(straight_params)
    uninterrupted = run_optimizer(straight, straight_params, steps=7)

    params = make_params()
    first = make(params)
    run_optimizer(first, params, steps=3)
    checkpoint = copy.deepcopy(first.state_dict())
    values = [p.data.copy() for p in params]
    del first

    resumed_params = make_params(values)
    resumed = make(resumed_params)
    resumed.load_state_dict(checkpoint)
    continued = run_optimizer(resumed, resumed_params, steps=4)
    for got, want in zip(continued, uninterrupted[3:]):
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)


def test_load_state_dict_restores_hyper_parameters():
    params = make_params()
    opt = optim.SGD(params, lr=0.1, momentum=0.5)
    opt.param_groups[0]["lr"] = 0.025
    sd = opt.state_dict()
    other = optim.SGD(make_params(), lr=0.1, momentum=0.5)
    other.load_state_dict(sd)
    assert other.param_groups[0]["lr"] == 0.025


def test_load_state_dict_fills_hyper_parameters_missing_from_the_checkpoint_with_the_defaults():
    params = make_params()
    sd = optim.Adam(params, lr=0.01).state_dict()
    del sd["param_groups"][0]["maximize"]
    other = optim.Adam(make_params(), lr=0.5, maximize=True)
    other.load_state_dict(sd)
    assert other.param_groups[0]["maximize"] is True
    assert other.param_groups[0]["lr"] == 0.01


def test_load_state_dict_copies_the_state():
    params = make_params()
    opt = optim.SGD(params, lr=0.1, momentum=0.5)
    run_optimizer(opt, params, steps=1)
    sd = opt.state_dict()
    other_params = make_params()
    other = optim.SGD(other_params, lr=0.1, momentum=0.5)
    other.load_state_dict(sd)
    assert other.state[other_params[0]]["momentum_buffer"].data is not sd["state"][0]["momentum_buffer"].data


def test_load_state_dict_casts_state_to_the_parameter_dtype():
    params = make_params()
    opt = optim.Adam(params)
    run_optimizer(opt, params, steps=1)
    params32 = [ag.tensor(v.astype(np.float32), requires_grad=True) for v in start_values()]
    opt32 = optim.Adam(params32)
    opt32.load_state_dict(opt.state_dict())
    assert opt32.state[params32[0]]["exp_avg"].dtype == np.float32
    assert opt32.state[params32[0]]["step"] == 1


# ---- errors ------------------------------------------------------------------------------------

CONSTRUCTORS = {
    "SGD": optim.SGD,
    "Adam": optim.Adam,
    "AdamW": optim.AdamW,
    "RMSprop": optim.RMSprop,
    "Adagrad": optim.Adagrad,
}


def one_param():
    return [ag.tensor(np.zeros(2), requires_grad=True)]


@pytest.mark.parametrize("name", CONSTRUCTORS)
def test_negative_learning_rate_is_an_error(name):
    with pytest.raises(ValueError, match=rf"{name}: invalid learning rate lr=-0.1; it must be >= 0"):
        CONSTRUCTORS[name](one_param(), lr=-0.1)


@pytest.mark.parametrize("name", CONSTRUCTORS)
def test_negative_weight_decay_is_an_error(name):
    with pytest.raises(ValueError, match=rf"{name}: invalid weight_decay value weight_decay=-0.01"):
        CONSTRUCTORS[name](one_param(), weight_decay=-0.01)


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop", "Adagrad"])
def test_negative_eps_is_an_error(name):
    with pytest.raises(ValueError, match=rf"{name}: invalid epsilon value eps=-1e-08"):
        CONSTRUCTORS[name](one_param(), eps=-1e-8)


@pytest.mark.parametrize("name", ["SGD", "RMSprop"])
def test_negative_momentum_is_an_error(name):
    with pytest.raises(ValueError, match=rf"{name}: invalid momentum value momentum=-0.9"):
        CONSTRUCTORS[name](one_param(), momentum=-0.9)


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize(
    "betas, index, value", [((-0.1, 0.999), 0, -0.1), ((1.0, 0.999), 0, 1.0), ((0.9, 1.0), 1, 1.0), ((0.9, -1), 1, -1)]
)
def test_betas_outside_zero_one_are_an_error(name, betas, index, value):
    pattern = rf"{name}: invalid beta parameter at index {index}: betas\[{index}\]={value}; it must lie in \[0, 1\)"
    with pytest.raises(ValueError, match=pattern):
        CONSTRUCTORS[name](one_param(), betas=betas)


def test_nesterov_without_momentum_is_an_error():
    with pytest.raises(ValueError, match="SGD: Nesterov momentum requires a momentum and zero dampening.*momentum=0"):
        optim.SGD(one_param(), lr=0.1, nesterov=True)


def test_nesterov_with_dampening_is_an_error():
    with pytest.raises(ValueError, match="SGD: Nesterov momentum requires.*dampening=0.1"):
        optim.SGD(one_param(), lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)


def test_invalid_value_in_a_param_group_is_an_error():
    with pytest.raises(ValueError, match="Adam: invalid learning rate lr=-1"):
        optim.Adam([{"params": one_param(), "lr": -1}])


@pytest.mark.parametrize("name", CONSTRUCTORS)
def test_empty_parameter_list_is_an_error(name):
    with pytest.raises(ValueError, match=f"{name} got an empty parameter list"):
        CONSTRUCTORS[name]([])


def test_empty_param_group_is_an_error():
    with pytest.raises(ValueError, match="SGD: param group 1 has an empty parameter list"):
        optim.SGD([{"params": one_param()}, {"params": []}], lr=0.1)


def test_same_parameter_in_two_groups_is_an_error():
    p = one_param()[0]
    with pytest.raises(ValueError, match="Adam: some parameters appear in more than one parameter group"):
        optim.Adam([{"params": [p]}, {"params": [p]}])


def test_add_param_group_with_a_parameter_already_optimized_is_an_error():
    p, q = one_param()[0], one_param()[0]
    opt = optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [q, p]})


def test_same_parameter_twice_in_one_group_is_an_error():
    p = one_param()[0]
    with pytest.raises(ValueError, match="SGD: param group 0 lists the same parameter more than once"):
        optim.SGD([p, p], lr=0.1)


def test_parameter_that_is_not_a_tensor_is_an_error():
    with pytest.raises(TypeError, match="RMSprop can only optimize Tensors, but parameter 1 of group 0 is a ndarray"):
        optim.RMSprop([one_param()[0], np.zeros(3)])


def test_a_single_tensor_instead_of_an_iterable_is_an_error():
    with pytest.raises(TypeError, match=r"SGD: params should be an iterable .* wrap it in a list"):
        optim.SGD(one_param()[0], lr=0.1)


def test_a_set_of_parameters_is_an_error():
    with pytest.raises(TypeError, match="not a set"):
        optim.SGD(set(one_param()), lr=0.1)


def test_non_leaf_tensor_is_an_error():
    x = ag.tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ValueError, match="SGD can't optimize a non-leaf Tensor"):
        optim.SGD([x * 2], lr=0.1)


def test_load_state_dict_with_another_number_of_groups_is_an_error():
    a, b = make_params()[:2]
    sd = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).state_dict()
    opt = optim.SGD([a, b], lr=0.1)
    with pytest.raises(
        ValueError, match="SGD.load_state_dict: the state dict has 2 parameter groups but this optimizer has 1"
    ):
        opt.load_state_dict(sd)


def test_load_state_dict_with_another_group_size_is_an_error():
    a, b = make_params()[:2]
    sd = optim.Adam([a, b]).state_dict()
    opt = optim.Adam([a])
    with pytest.raises(
        ValueError, match="Adam.load_state_dict: parameter group 0 has 1 parameters but the saved group has 2"
    ):
        opt.load_state_dict(sd)


def test_load_state_dict_with_another_parameter_shape_is_an_error():
    params = make_params()
    opt = optim.Adam(params)
    run_optimizer(opt, params, steps=1)
    swapped = [ag.tensor(np.zeros(5), requires_grad=True), ag.tensor(np.zeros((3, 4)), requires_grad=True), params[2]]
    with pytest.raises(ValueError, match=r"state 'exp_avg' of parameter 0 has shape \(3, 4\)"):
        optim.Adam(swapped).load_state_dict(opt.state_dict())


# ---- convergence, with the engine's gradients ----------------------------------------------------

BOWL_CURVATURE = np.array([1.0, 3.0, 10.0, 0.5])
BOWL_CENTER = np.array([1.0, -2.0, 0.5, 3.0])


def bowl(x):
    """0.5 * sum(h * (x - c)**2): minimum 0 at c, curvatures from 0.5 to 10."""
    d = x - ag.tensor(BOWL_CENTER)
    return (ag.tensor(BOWL_CURVATURE) * d * d).sum() * 0.5


def rosenbrock(x, y):
    """(1 - x)**2 + 100 (y - x**2)**2: minimum 0 at (1, 1), at the end of a long curved valley."""
    return ((1 - x) ** 2 + 100 * (y - x * x) ** 2).sum()


def minimize(opt, params, loss_fn, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(*params)
        loss.backward()
        opt.step()


@pytest.mark.parametrize(
    "make, steps",
    [
        (lambda ps: optim.SGD(ps, lr=0.09), 300),
        (lambda ps: optim.SGD(ps, lr=0.02, momentum=0.9), 300),
        (lambda ps: optim.SGD(ps, lr=0.02, momentum=0.9, nesterov=True), 300),
        (lambda ps: optim.Adam(ps, lr=0.1), 500),
        (lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.0), 500),
        (lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5), 500),
        (lambda ps: optim.Adagrad(ps, lr=1.0), 500),
    ],
    ids=["SGD", "SGD-momentum", "SGD-nesterov", "Adam", "AdamW", "RMSprop", "Adagrad"],
)
def test_quadratic_bowl_reaches_its_minimum_within_1e_4(make, steps):
    x = ag.tensor(np.zeros(4), requires_grad=True)
    minimize(make([x]), [x], bowl, steps)
    np.testing.assert_allclose(x.data, BOWL_CENTER, atol=1e-4)


@pytest.mark.parametrize(
    "make, steps, tolerance",
    [
        (lambda ps: optim.Adam(ps, lr=0.05), 2000, 1e-4),
        (lambda ps: optim.SGD(ps, lr=1e-3, momentum=0.9), 3000, 1e-4),
        (lambda ps: optim.RMSprop(ps, lr=1e-3, momentum=0.5), 3000, 1e-2),
    ],
    ids=["Adam", "SGD-momentum", "RMSprop"],
)
def test_rosenbrock_reaches_its_minimum(make, steps, tolerance):
    x = ag.tensor(np.array([-1.5]), requires_grad=True)
    y = ag.tensor(np.array([2.0]), requires_grad=True)
    minimize(make([x, y]), [x, y], rosenbrock, steps)
    np.testing.assert_allclose([x.item(), y.item()], [1.0, 1.0], atol=tolerance)


# ---- the engine sees the updates ------------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), lambda ps: optim.Adam(ps, lr=0.1)])
def test_backward_through_a_graph_that_saved_a_parameter_fails_after_step(make):
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()  # Mul saved w
    w.grad = ag.tensor([1.0, 1.0])
    make([w]).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_step_bumps_the_version_of_each_updated_parameter_only():
    a, b = ag.tensor([1.0], requires_grad=True), ag.tensor([1.0], requires_grad=True)
    a.grad = ag.tensor([1.0])  # b has no gradient: it is not updated
    optim.SGD([a, b], lr=0.1).step()
    assert (a._version, b._version) == (1, 0)


def test_increment_version_takes_a_tensor_or_a_list():
    a, b = ag.tensor([1.0]), ag.tensor([2.0])
    ag.graph.increment_version(a)
    ag.graph.increment_version([a, b])
    assert (a._version, b._version) == (2, 1)
