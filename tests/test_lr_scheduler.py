"""Learning-rate schedulers: lr sequences against their closed forms, PyTorch's stepping semantics, checkpoints."""

import math
import warnings

import numpy as np
import pytest

import autograd as ag
import optim
from optim import lr_scheduler


def make_sgd(lr=0.1, momentum=0.0, second_group_lr=None):
    a = ag.tensor(np.zeros(2), requires_grad=True)
    if second_group_lr is None:
        return optim.SGD([a], lr=lr, momentum=momentum)
    b = ag.tensor(np.zeros(3), requires_grad=True)
    return optim.SGD([{"params": [a]}, {"params": [b], "lr": second_group_lr}], lr=lr, momentum=momentum)


def lr_sequence(scheduler, epochs, group=0):
    """The lr at epochs 0..epochs-1: after construction, then after each ``step()``."""
    lrs = [scheduler.get_last_lr()[group]]
    for _ in range(epochs - 1):
        scheduler.optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[group])
    return lrs


# ---- what every scheduler does on construction ---------------------------------------------------


def test_construction_records_initial_lr_and_takes_the_initial_step():
    opt = make_sgd(lr=0.1, second_group_lr=0.02)
    sched = lr_scheduler.StepLR(opt, step_size=2)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.02]
    assert sched.base_lrs == [0.1, 0.02]
    assert sched.last_epoch == 0
    assert sched.get_last_lr() == [0.1, 0.02]


def test_each_step_advances_last_epoch_by_one():
    opt = make_sgd()
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    for expected in range(1, 4):
        opt.step()
        sched.step()
        assert sched.last_epoch == expected


def test_scheduler_sets_the_lr_the_optimizer_uses():
    p = ag.tensor(np.zeros(1), requires_grad=True)
    opt = optim.SGD([p], lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    moves = []
    for _ in range(3):
        before = p.data.copy()
        p.grad = ag.tensor(np.ones(1))
        opt.step()
        sched.step()
        moves.append(float(before[0] - p.data[0]))
    assert moves == [1.0, 0.5, 0.25]


def test_get_last_lr_returns_a_copy():
    opt = make_sgd()
    sched = lr_scheduler.StepLR(opt, step_size=2)
    sched.get_last_lr().append(5.0)
    assert sched.get_last_lr() == [0.1]


def test_resuming_without_initial_lr_is_an_error():
    with pytest.raises(KeyError, match=r"initial_lr.*param_groups\[0\].*last_epoch=4"):
        lr_scheduler.StepLR(make_sgd(), step_size=2, last_epoch=4)


def test_scheduler_of_something_else_than_an_optimizer_is_an_error():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lr_scheduler.StepLR([], step_size=2)


def test_stepping_the_scheduler_before_the_optimizer_warns():
    sched = lr_scheduler.StepLR(make_sgd(), step_size=2)
    with pytest.warns(UserWarning, match=r"lr_scheduler.step\(\)` before `optimizer.step\(\)"):
        sched.step()


def test_stepping_in_the_right_order_does_not_warn():
    opt = make_sgd()
    sched = lr_scheduler.StepLR(opt, step_size=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            opt.step()
            sched.step()


# ---- the chainable schedules against their closed forms ------------------------------------------


def test_steplr_is_gamma_to_the_floor_of_t_over_step_size():
    sched = lr_scheduler.StepLR(make_sgd(lr=0.1), step_size=3, gamma=0.5)
    expected = [0.1 * 0.5 ** (t // 3) for t in range(20)]
    np.testing.assert_allclose(lr_sequence(sched, 20), expected, rtol=1e-14)


def test_steplr_decays_each_group_from_its_own_base():
    sched = lr_scheduler.StepLR(make_sgd(lr=0.1, second_group_lr=0.04), step_size=2, gamma=0.1)
    np.testing.assert_allclose(lr_sequence(sched, 7, group=1), [0.04 * 0.1 ** (t // 2) for t in range(7)], rtol=1e-14)


def test_steplr_step_size_must_be_a_positive_integer():
    with pytest.raises(ValueError, match="StepLR: step_size must be a positive integer"):
        lr_scheduler.StepLR(make_sgd(), step_size=0)


def test_multisteplr_decays_once_per_milestone_passed():
    sched = lr_scheduler.MultiStepLR(make_sgd(lr=1.0), milestones=[2, 5, 5, 9], gamma=0.1)
    passed = [sum(m <= t for m in [2, 5, 5, 9]) for t in range(12)]
    np.testing.assert_allclose(lr_sequence(sched, 12), [0.1**n for n in passed], rtol=1e-14)


def test_exponentiallr_is_gamma_to_the_t():
    sched = lr_scheduler.ExponentialLR(make_sgd(lr=0.2), gamma=0.9)
    np.testing.assert_allclose(lr_sequence(sched, 25), [0.2 * 0.9**t for t in range(25)], rtol=1e-13)


@pytest.mark.parametrize("eta_min", [0.0, 0.01])
def test_cosine_annealing_follows_the_closed_form_through_and_past_t_max(eta_min):
    base, t_max = 0.1, 10
    sched = lr_scheduler.CosineAnnealingLR(make_sgd(lr=base), T_max=t_max, eta_min=eta_min)
    expected = [eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2 for t in range(3 * t_max + 1)]
    np.testing.assert_allclose(lr_sequence(sched, 3 * t_max + 1), expected, rtol=1e-10, atol=1e-15)


def test_cosine_annealing_reaches_eta_min_at_t_max():
    sched = lr_scheduler.CosineAnnealingLR(make_sgd(lr=0.1), T_max=7, eta_min=0.003)
    assert lr_sequence(sched, 8)[-1] == pytest.approx(0.003, rel=1e-12)


def test_cosine_annealing_t_max_must_be_positive():
    with pytest.raises(ValueError, match="CosineAnnealingLR: T_max must be > 0"):
        lr_scheduler.CosineAnnealingLR(make_sgd(), T_max=0)


def test_lambdalr_scales_the_initial_lr_by_the_function_of_the_epoch():
    sched = lr_scheduler.LambdaLR(make_sgd(lr=0.5), lr_lambda=lambda epoch: 1 / (1 + epoch))
    np.testing.assert_allclose(lr_sequence(sched, 6), [0.5 / (1 + t) for t in range(6)], rtol=1e-15)


def test_lambdalr_takes_one_function_per_group():
    opt = make_sgd(lr=1.0, second_group_lr=2.0)
    sched = lr_scheduler.LambdaLR(opt, lr_lambda=[lambda e: 0.5**e, lambda e: e + 1])
    for _ in range(3):
        opt.step()
        sched.step()
    assert sched.get_last_lr() == [0.125, 8.0]


def test_lambdalr_with_the_wrong_number_of_functions_is_an_error():
    with pytest.raises(ValueError, match="LambdaLR: expected 2 lr_lambdas"):
        lr_scheduler.LambdaLR(make_sgd(second_group_lr=0.1), lr_lambda=[lambda e: 1.0])


# ---- OneCycleLR ---------------------------------------------------------------------------------


def one_cycle_closed_form(t, total, max_lr, pct_start, div_factor, final_div_factor, strategy, three_phase):
    """The 1cycle lr at step t: phases (end step, start lr, end lr), annealed by pct of the phase."""
    initial = max_lr / div_factor
    minimum = initial / final_div_factor
    if three_phase:
        phases = [(pct_start * total - 1, initial, max_lr), (2 * pct_start * total - 2, max_lr, initial),
                  (total - 1, initial, minimum)]  # fmt: skip
    else:
        phases = [(pct_start * total - 1, initial, max_lr), (total - 1, max_lr, minimum)]
    phase_start = 0.0
    for index, (phase_end, start, end) in enumerate(phases):
        if t <= phase_end or index == len(phases) - 1:
            pct = (t - phase_start) / (phase_end - phase_start)
            if strategy == "cos":
                return end + (start - end) * (1 + math.cos(math.pi * pct)) / 2
            return start + (end - start) * pct
        phase_start = phase_end


@pytest.mark.parametrize("three_phase", [False, True])
@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_one_cycle_lr_follows_its_phases(strategy, three_phase):
    total = 40
    sched = lr_scheduler.OneCycleLR(
        make_sgd(momentum=0.9), max_lr=0.5, total_steps=total, anneal_strategy=strategy, three_phase=three_phase
    )
    expected = [one_cycle_closed_form(t, total, 0.5, 0.3, 25.0, 1e4, strategy, three_phase) for t in range(total)]
    np.testing.assert_allclose(lr_sequence(sched, total), expected, rtol=1e-12)


@pytest.mark.parametrize("three_phase", [False, True])
def test_one_cycle_lr_starts_low_peaks_at_max_lr_and_ends_at_min_lr(three_phase):
    sched = lr_scheduler.OneCycleLR(make_sgd(momentum=0.9), max_lr=1.0, total_steps=20, pct_start=0.5,
                                    three_phase=three_phase)  # fmt: skip
    lrs = lr_sequence(sched, 20)
    assert lrs[0] == pytest.approx(1.0 / 25)
    assert max(lrs) == pytest.approx(1.0) and int(np.argmax(lrs)) == 9  # the end of phase one, step 0.5 * 20 - 1
    assert lrs[-1] == pytest.approx(1.0 / 25 / 1e4)


def test_one_cycle_cycles_sgd_momentum_inversely_to_the_lr():
    opt = make_sgd(momentum=0.9)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=20, pct_start=0.5, anneal_strategy="linear")
    momenta = [opt.param_groups[0]["momentum"]]
    for _ in range(19):
        opt.step()
        sched.step()
        momenta.append(opt.param_groups[0]["momentum"])
    assert momenta[0] == pytest.approx(0.95)
    assert momenta[9] == pytest.approx(0.85)
    assert momenta[19] == pytest.approx(0.95)
    np.testing.assert_allclose(momenta[:10], np.linspace(0.95, 0.85, 10), rtol=1e-12)


def test_one_cycle_cycles_adams_beta1_and_keeps_beta2():
    p = ag.tensor(np.zeros(1), requires_grad=True)
    opt = optim.Adam([p], betas=(0.9, 0.99))
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.01, total_steps=10, pct_start=0.5, base_momentum=0.8)
    assert opt.param_groups[0]["betas"] == (0.95, 0.99)
    for _ in range(4):
        opt.step()
        sched.step()
    assert opt.param_groups[0]["betas"] == (pytest.approx(0.8), 0.99)


def test_one_cycle_without_cycle_momentum_leaves_momentum_alone():
    opt = make_sgd(momentum=0.5)
    lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10, cycle_momentum=False)
    assert opt.param_groups[0]["momentum"] == 0.5


def test_one_cycle_total_steps_may_come_from_epochs_and_steps_per_epoch():
    sched = lr_scheduler.OneCycleLR(make_sgd(momentum=0.9), max_lr=1.0, epochs=4, steps_per_epoch=5)
    assert sched.total_steps == 20


def test_one_cycle_stepping_past_total_steps_is_an_error():
    opt = make_sgd(momentum=0.9)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    opt.step()
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 4 times, but the cycle has total_steps=3"):
        sched.step()


def test_one_cycle_without_total_steps_is_an_error():
    with pytest.raises(ValueError, match="define either total_steps, or both epochs and steps_per_epoch"):
        lr_scheduler.OneCycleLR(make_sgd(momentum=0.9), max_lr=1.0, epochs=3)


def test_one_cycle_momentum_on_an_optimizer_without_momentum_is_an_error():
    opt = optim.Adagrad([ag.tensor(np.zeros(1), requires_grad=True)])
    with pytest.raises(ValueError, match="Adagrad has neither momentum nor betas to cycle; pass cycle_momentum=False"):
        lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)


# ---- ReduceLROnPlateau --------------------------------------------------------------------------


def plateau_lrs(sched, metrics):
    lrs = []
    for metric in metrics:
        sched.optimizer.step()
        sched.step(metric)
        lrs.append(sched.get_last_lr()[0])
    return lrs


def test_plateau_reduces_once_bad_epochs_exceed_patience():
    # The first metric sets the best; each equal metric after it is a bad epoch; the third (> patience=2) reduces.
    sched = lr_scheduler.ReduceLROnPlateau(make_sgd(lr=1.0), patience=2, factor=0.5)
    np.testing.assert_allclose(plateau_lrs(sched, [1.0] * 8), [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25])


def test_plateau_improvement_resets_the_bad_epoch_count():
    sched = lr_scheduler.ReduceLROnPlateau(make_sgd(lr=1.0), patience=2, factor=0.5)
    np.testing.assert_allclose(plateau_lrs(sched, [1.0, 1.0, 1.0, 0.9, 0.9, 0.9, 0.9]), [1, 1, 1, 1, 1, 1, 0.5])


def test_plateau_cooldown_ignores_bad_epochs_after_a_reduction():
    # patience 0: every bad epoch would reduce; cooldown 2 skips the two epochs after each reduction
    sched = lr_scheduler.ReduceLROnPlateau(make_sgd(lr=1.0), patience=0, cooldown=2, factor=0.1)
    np.testing.assert_allclose(plateau_lrs(sched, [1.0] * 8), [1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001])


def test_plateau_never_goes_below_min_lr():
    sched = lr_scheduler.ReduceLROnPlateau(make_sgd(lr=1.0), patience=0, factor=0.1, min_lr=0.05)
    assert plateau_lrs(sched, [1.0] * 5) == [1.0, 0.1, 0.05, 0.05, 0.05]


def test_plateau_min_lr_per_group():
    opt = make_sgd(lr=1.0, second_group_lr=1.0)
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.1, min_lr=[0.5, 0.001])
    plateau_lrs(sched, [1.0] * 4)
    assert sched.get_last_lr() == [0.5, pytest.approx(0.001)]


def test_plateau_skips_reductions_smaller_than_eps():
    sched = lr_scheduler.ReduceLROnPlateau(make_sgd(lr=1e-9), patience=0, factor=0.5, eps=1e-8)
    assert plateau_lrs(sched, [1.0] * 3) == [1e-9] * 3


def test_plateau_relative_threshold_needs_a_big_enough_improvement():
    # In rel mode a metric counts as better only below best * (1 - threshold) = 0.9 here.
    sched = lr_scheduler.ReduceLROnPlateau(make_sgd(lr=1.0), patience=0, threshold=0.1, factor=0.5)
    assert plateau_lrs(sched, [1.0, 0.95, 0.85]) == [1.0, 0.5, 0.5]


def test_plateau_absolute_threshold():
    # In abs mode a metric counts as better only below best - threshold = 0.7 here.
    sched = lr_scheduler.ReduceLROnPlateau(make_sgd(lr=1.0), patience=0, threshold=0.3, threshold_mode="abs")
    assert plateau_lrs(sched, [1.0, 0.71, 0.69]) == [1.0, pytest.approx(0.1), pytest.approx(0.1)]
    assert sched.best == 0.69


def test_plateau_max_mode_wants_the_metric_to_grow():
    sched = lr_scheduler.ReduceLROnPlateau(make_sgd(lr=1.0), mode="max", patience=1, factor=0.5)
    assert plateau_lrs(sched, [0.5, 0.6, 0.7, 0.6, 0.6, 0.8]) == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5]


def test_plateau_accepts_a_zero_dim_tensor_metric():
    sched = lr_scheduler.ReduceLROnPlateau(make_sgd(lr=1.0), patience=0)
    sched.step(ag.tensor(2.0))
    assert sched.best == 2.0


def test_plateau_does_not_step_on_construction():
    opt = make_sgd(lr=0.3)
    sched = lr_scheduler.ReduceLROnPlateau(opt)
    assert sched.last_epoch == 0 and sched.get_last_lr() == [0.3]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(factor=1.0), "factor must be < 1.0"),
        (dict(mode="lowest"), "mode must be 'min' or 'max'"),
        (dict(threshold_mode="percent"), "threshold_mode must be 'rel' or 'abs'"),
        (dict(min_lr=[0.1, 0.2]), "expected 1 min_lrs"),
    ],
)
def test_plateau_invalid_arguments_are_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lr_scheduler.ReduceLROnPlateau(make_sgd(), **kwargs)


# ---- checkpoints --------------------------------------------------------------------------------

SCHEDULERS = {
    "StepLR": lambda opt: lr_scheduler.StepLR(opt, step_size=3, gamma=0.5),
    "MultiStepLR": lambda opt: lr_scheduler.MultiStepLR(opt, milestones=[2, 6], gamma=0.5),
    "ExponentialLR": lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.8),
    "CosineAnnealingLR": lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=6, eta_min=0.01),
    "OneCycleLR": lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=12),
}


@pytest.mark.parametrize("name", SCHEDULERS)
def test_state_dict_round_trip_continues_the_sequence(name):
    make = SCHEDULERS[name]
    straight = make(make_sgd(momentum=0.9))
    uninterrupted = lr_sequence(straight, 11)

    opt = make_sgd(momentum=0.9)
    first = make(opt)
    lr_sequence(first, 5)
    opt_state, sched_state = opt.state_dict(), first.state_dict()

    resumed_opt = make_sgd(momentum=0.9)
    resumed = make(resumed_opt)  # build the scheduler first: construction resets the lr
    resumed_opt.load_state_dict(opt_state)
    resumed.load_state_dict(sched_state)
    assert resumed.get_last_lr() == [uninterrupted[4]]
    continued = [uninterrupted[4]]
    for _ in range(6):
        resumed_opt.step()
        resumed.step()
        continued.append(resumed.get_last_lr()[0])
    np.testing.assert_allclose(continued, uninterrupted[4:], rtol=1e-15)


def test_scheduler_state_dict_leaves_out_the_optimizer():
    state = lr_scheduler.StepLR(make_sgd(), step_size=2).state_dict()
    assert "optimizer" not in state
    assert state["last_epoch"] == 0 and state["step_size"] == 2 and state["base_lrs"] == [0.1]


def test_plateau_state_dict_round_trip_keeps_best_and_counters():
    sched = lr_scheduler.ReduceLROnPlateau(make_sgd(lr=1.0), patience=3)
    plateau_lrs(sched, [1.0, 0.5, 0.6, 0.7])
    other = lr_scheduler.ReduceLROnPlateau(make_sgd(lr=1.0), patience=3)
    other.load_state_dict(sched.state_dict())
    assert (other.best, other.num_bad_epochs, other.last_epoch) == (0.5, 2, 4)


def test_lambdalr_state_dict_keeps_callable_objects_state_but_not_functions():
    class Warmup:
        def __init__(self):
            self.length = 4

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.length)

    opt = make_sgd(second_group_lr=0.1)
    warmup = Warmup()
    sched = lr_scheduler.LambdaLR(opt, lr_lambda=[warmup, lambda e: 1.0])
    warmup.length = 8
    state = sched.state_dict()
    assert state["lr_lambdas"] == [{"length": 8}, None]

    restored = Warmup()
    other = lr_scheduler.LambdaLR(make_sgd(second_group_lr=0.1), lr_lambda=[restored, lambda e: 1.0])
    other.load_state_dict(state)
    assert restored.length == 8


def test_exponentiallr_resumed_with_last_epoch_does_not_advance_on_construction():
    opt = make_sgd(lr=1.0)
    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)
    for _ in range(3):
        opt.step()
        sched.step()
    resumed_opt = make_sgd(lr=1.0)
    resumed_opt.load_state_dict(opt.state_dict())
    resumed = lr_scheduler.ExponentialLR(resumed_opt, gamma=0.5, last_epoch=3)
    assert resumed.get_last_lr() == [0.125]
    resumed_opt.step()
    resumed.step()
    assert resumed.get_last_lr() == [0.0625]
