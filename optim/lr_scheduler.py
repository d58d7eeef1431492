"""Learning-rate schedulers: change ``group["lr"]`` of an optimizer as training goes on.

Each scheduler follows PyTorch's semantics: constructing it records each
group's starting rate as ``group["initial_lr"]`` (``base_lrs``) and performs
the initial step (``last_epoch`` becomes 0); after that, call ``step()`` once
per epoch (or per batch for ``OneCycleLR``), after ``optimizer.step()``.
``last_epoch`` counts those calls. The chainable schedulers update the rate
recursively from its current value, as PyTorch does, so they compose with
other changes to ``group["lr"]``; their values agree with the closed forms
given in each docstring.
"""

import copy
import math
import types
import warnings
import weakref
from bisect import bisect_right
from collections import Counter

from .optimizer import Optimizer

__all__ = [
    "LRScheduler",
    "LambdaLR",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "OneCycleLR",
    "ReduceLROnPlateau",
]

_EPOCH_DEPRECATION_WARNING = (
    "The epoch argument of scheduler.step() is deprecated; call scheduler.step() without it. "
    "When an epoch is given, the closed form is used instead of the chainable form, where there is one."
)


def _check_optimizer(optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer; pass the optimizer whose lr to schedule")


class LRScheduler:
    """Base class of the learning-rate schedulers.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer whose ``param_groups[i]["lr"]`` this scheduler sets.
    last_epoch : int
        Index of the last epoch seen. Keep the default -1 to start a schedule;
        a value >= 0 resumes one and needs ``initial_lr`` in every group (as
        left there by a previous scheduler and restored by
        ``optimizer.load_state_dict``).

    Notes
    -----
    Subclasses implement ``get_lr()``, which returns the new rate of each
    group for the epoch ``self.last_epoch`` (already advanced), and may
    provide ``_get_closed_form_lr()``. Constructing a scheduler overwrites the
    groups' ``lr``: when restoring a checkpoint, build the scheduler before
    calling ``optimizer.load_state_dict``.
    """

    _is_initial = False

    def __init__(self, optimizer, last_epoch=-1):
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for index, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{index}] when resuming a scheduler "
                        f"with last_epoch={last_epoch}; load the optimizer's state_dict saved with the scheduler "
                        "first, or start the schedule with last_epoch=-1"
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        _track_optimizer_steps(optimizer)
        self._initial_step()

    def _initial_step(self):
        """Set the step count to zero and take the first step (the schedule's value at epoch 0)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self):
        """The learning rate of each group at ``self.last_epoch``; subclasses implement it."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr()")

    def get_last_lr(self):
        """The learning rates of the groups as set by the last ``step()`` (a new list)."""
        return list(self._last_lr)

    def step(self, epoch=None):
        """Advance the schedule one epoch and set each group's ``lr``. Call it after ``optimizer.step()``."""
        if self._step_count == 1 and not self._is_initial and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`. Call them in the opposite "
                "order, `optimizer.step()` then `lr_scheduler.step()`; otherwise the first value of the "
                "learning rate schedule is skipped.",
                UserWarning,
                stacklevel=2,
            )
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            warnings.warn(_EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", None)
            values = closed_form() if closed_form is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self):
        """The scheduler's state: every attribute except the optimizer (copied)."""
        return {key: copy.deepcopy(value) for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore the state returned by ``state_dict()``."""
        self.__dict__.update(copy.deepcopy(state_dict))

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]


def _track_optimizer_steps(optimizer):
    """Wrap ``optimizer.step`` so it records that it ran (for the call-order warning of ``step``)."""
    if getattr(optimizer.step, "_tracked_by_lr_scheduler", False):
        return
    optimizer_ref = weakref.ref(optimizer)  # a strong reference would make a cycle through the wrapper
    step_function = type(optimizer).step

    def step(*args, **kwargs):
        opt = optimizer_ref()
        opt._opt_called = True
        return step_function(opt, *args, **kwargs)

    step.__doc__ = step_function.__doc__
    step._tracked_by_lr_scheduler = True
    optimizer.step = step


class LambdaLR(LRScheduler):
    """Set each group's learning rate to its initial rate times ``lr_lambda(epoch)``.

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    lr_lambda : callable or list of callable
        A function of the epoch (an int) returning a factor, or one such
        function per parameter group.
    last_epoch : int
        Index of the last epoch; -1 starts the schedule.

    Notes
    -----
    ``lr_t = initial_lr * lr_lambda(t)``. ``state_dict`` saves the attributes
    of callable objects, not plain functions or lambdas, as in PyTorch.
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if not isinstance(lr_lambda, (list, tuple)):
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)
        else:
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(
                    f"LambdaLR: expected {len(optimizer.param_groups)} lr_lambdas (one per parameter group), "
                    f"but got {len(lr_lambda)}"
                )
            self.lr_lambdas = list(lr_lambda)
        super().__init__(optimizer, last_epoch)

    def state_dict(self):
        """The scheduler's state; for each ``lr_lambda``, the attributes of a callable object or None for a function."""
        state = {
            key: copy.deepcopy(value) for key, value in self.__dict__.items() if key not in ("optimizer", "lr_lambdas")
        }
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else copy.deepcopy(fn.__dict__) for fn in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict):
        """Restore the state from :meth:`state_dict`, including the attributes of callable-object lambdas."""
        state_dict = dict(state_dict)
        lr_lambdas = state_dict.pop("lr_lambdas")
        self.__dict__.update(copy.deepcopy(state_dict))
        for fn, saved in zip(self.lr_lambdas, lr_lambdas):
            if saved is not None:
                fn.__dict__.update(copy.deepcopy(saved))

    def get_lr(self):
        """``initial_lr * lr_lambda(last_epoch)`` for each group."""
        return [base_lr * fn(self.last_epoch) for fn, base_lr in zip(self.lr_lambdas, self.base_lrs)]


class StepLR(LRScheduler):
    """Multiply each group's learning rate by ``gamma`` every ``step_size`` epochs.

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    step_size : int
        Period of the decay, in epochs (> 0).
    gamma : float
        Multiplicative factor of the decay.
    last_epoch : int
        Index of the last epoch; -1 starts the schedule.

    Notes
    -----
    ``lr_t = initial_lr * gamma ** (t // step_size)`` when nothing else
    changes the rate (the update is applied to the current rate).

    Examples
    --------
    >>> import autograd as ag, optim
    >>> opt = optim.SGD([ag.zeros(2, requires_grad=True)], lr=1.0)
    >>> sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    >>> lrs = []
    >>> for epoch in range(6):
    ...     lrs.append(opt.param_groups[0]["lr"])
    ...     opt.step()  # the epoch's training steps
    ...     sched.step()
    >>> lrs
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        if not (isinstance(step_size, int) and step_size > 0):
            raise ValueError(f"StepLR: step_size must be a positive integer (epochs per decay), but got {step_size!r}")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """The current rates, times ``gamma`` when ``last_epoch`` is a positive multiple of ``step_size``."""
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply each group's learning rate by ``gamma`` at each milestone epoch.

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    milestones : iterable of int
        Epochs at which to decay (a milestone listed n times decays by gamma**n).
    gamma : float
        Multiplicative factor of the decay.
    last_epoch : int
        Index of the last epoch; -1 starts the schedule.

    Notes
    -----
    ``lr_t = initial_lr * gamma ** (number of milestones <= t)``.
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """The current rates, times ``gamma`` for each time ``last_epoch`` is listed as a milestone."""
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        milestones = sorted(self.milestones.elements())
        return [base_lr * self.gamma ** bisect_right(milestones, self.last_epoch) for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply each group's learning rate by ``gamma`` every epoch.

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    gamma : float
        Multiplicative factor of the decay.
    last_epoch : int
        Index of the last epoch; -1 starts the schedule.

    Notes
    -----
    ``lr_t = initial_lr * gamma ** t``.
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """The current rates times ``gamma`` (unchanged at the initial step)."""
        if self._is_initial:  # resuming must not advance the rate a step ahead of itself
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Anneal each group's learning rate along a cosine from its initial rate to ``eta_min`` over ``T_max`` epochs.

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    T_max : int
        Number of epochs of the half cosine (> 0).
    eta_min : float
        The minimum learning rate.
    last_epoch : int
        Index of the last epoch; -1 starts the schedule.

    Notes
    -----
    The closed form is::

        lr_t = eta_min + (initial_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2

    and, as in PyTorch, it is reached through the recursion::

        lr_t = eta_min + (lr_{t-1} - eta_min) * (1 + cos(pi * t / T_max)) / (1 + cos(pi * (t - 1) / T_max))

    which also respects outside changes to the rate. Past ``T_max`` the rate
    rises again (a cosine of period ``2 * T_max``), with no restart.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):  # noqa: N803 - PyTorch's argument name
        if not T_max > 0:
            raise ValueError(
                f"CosineAnnealingLR: T_max must be > 0 (the number of epochs to anneal over), got {T_max!r}"
            )
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        """The next rates on the cosine, by the chainable recursion given in the class docstring."""
        t, t_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and t > 0:
            return [
                eta_min + (base_lr - eta_min) * (1 + math.cos(t * math.pi / t_max)) / 2 for base_lr in self.base_lrs
            ]
        if (t - 1 - t_max) % (2 * t_max) == 0:
            # at the trough the recursion would divide by zero; step up from it instead
            return [
                lr + (base_lr - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
                for base_lr, lr in zip(self.base_lrs, self._current_lrs())
            ]
        ratio = (1 + math.cos(math.pi * t / t_max)) / (1 + math.cos(math.pi * (t - 1) / t_max))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [
            self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
            for base_lr in self.base_lrs
        ]


def _per_group(name, optimizer, value):
    """``value`` repeated for each group, or checked to have one entry per group when it is a list."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(
                f"{name} must have one value per parameter group: got {len(value)} values for "
                f"{len(optimizer.param_groups)} groups"
            )
        return list(value)
    return [value] * len(optimizer.param_groups)


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, 2017): warm the learning rate up to ``max_lr``, then anneal it far below.

    Call ``step()`` after every batch. Momentum (SGD's ``momentum`` or Adam's
    ``beta1``) is cycled the opposite way when ``cycle_momentum`` is on.

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    max_lr : float or list of float
        Peak learning rate (per group).
    total_steps : int, optional
        Number of steps in the cycle; otherwise ``epochs * steps_per_epoch``.
    epochs, steps_per_epoch : int, optional
        Used to infer ``total_steps`` when it is not given.
    pct_start : float
        Fraction of the cycle spent increasing the learning rate.
    anneal_strategy : {"cos", "linear"}
        Shape of each phase.
    cycle_momentum : bool
        Cycle momentum inversely to the learning rate between
        ``base_momentum`` and ``max_momentum``.
    base_momentum, max_momentum : float or list of float
        Momentum bounds (per group); momentum is ``max_momentum`` at the start.
    div_factor : float
        ``initial_lr = max_lr / div_factor``.
    final_div_factor : float
        ``min_lr = initial_lr / final_div_factor``.
    three_phase : bool
        Use a third phase that anneals from ``initial_lr`` to ``min_lr``,
        making the first two phases symmetric (the original paper's shape).
    last_epoch : int
        Index of the last batch; -1 starts the schedule.

    Notes
    -----
    With ``T = total_steps`` and ``p = pct_start``, the phases end at steps
    ``p*T - 1`` and ``T - 1`` (two phases: ``initial_lr -> max_lr -> min_lr``) or
    ``p*T - 1``, ``2*p*T - 2`` and ``T - 1`` (three phases:
    ``initial_lr -> max_lr -> initial_lr -> min_lr``). Within a phase running
    from step ``s0`` to ``s1`` from ``a`` to ``b``, at step ``t`` with
    ``pct = (t - s0) / (s1 - s0)``::

        cos:    lr_t = b + (a - b) * (1 + cos(pi * pct)) / 2
        linear: lr_t = a + (b - a) * pct
    """

    def __init__(
        self,
        optimizer,
        max_lr,
        total_steps=None,
        epochs=None,
        steps_per_epoch=None,
        pct_start=0.3,
        anneal_strategy="cos",
        cycle_momentum=True,
        base_momentum=0.85,
        max_momentum=0.95,
        div_factor=25.0,
        final_div_factor=1e4,
        three_phase=False,
        last_epoch=-1,
    ):
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError(f"OneCycleLR: expected a positive integer total_steps, but got {total_steps!r}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"OneCycleLR: expected a positive integer epochs, but got {epochs!r}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(
                    f"OneCycleLR: expected a positive integer steps_per_epoch, but got {steps_per_epoch!r}"
                )
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("OneCycleLR: define either total_steps, or both epochs and steps_per_epoch")

        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"OneCycleLR: expected a float between 0 and 1 for pct_start, but got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', but got {anneal_strategy!r}")
        self.anneal_strategy = anneal_strategy

        if three_phase:
            self._schedule_phases = [
                {"end_step": float(pct_start * self.total_steps) - 1, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": float(2 * pct_start * self.total_steps) - 2, "start_lr": "max_lr", "end_lr": "initial_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
                {"end_step": self.total_steps - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
                 "start_momentum": "max_momentum", "end_momentum": "max_momentum"},
            ]  # fmt: skip
        else:
            self._schedule_phases = [
                {"end_step": float(pct_start * self.total_steps) - 1, "start_lr": "initial_lr", "end_lr": "max_lr",
                 "start_momentum": "max_momentum", "end_momentum": "base_momentum"},
                {"end_step": self.total_steps - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
            ]  # fmt: skip

        max_lrs = _per_group("OneCycleLR: max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, group_max_lr in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = group_max_lr / div_factor
                group["max_lr"] = group_max_lr
                group["min_lr"] = group["initial_lr"] / final_div_factor

        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(
                    f"OneCycleLR: {type(optimizer).__name__} has neither momentum nor betas to cycle; "
                    "pass cycle_momentum=False"
                )
            self.use_beta1 = "betas" in optimizer.defaults
            max_momentums = _per_group("OneCycleLR: max_momentum", optimizer, max_momentum)
            base_momentums = _per_group("OneCycleLR: base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for group, group_max, group_base in zip(optimizer.param_groups, max_momentums, base_momentums):
                    if self.use_beta1:
                        group["betas"] = (group_max, *group["betas"][1:])
                    else:
                        group["momentum"] = group_max
                    group["max_momentum"] = group_max
                    group["base_momentum"] = group_base
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        """The rates (and momentum or beta1, when cycled) at step ``last_epoch`` of the cycle."""
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(
                f"OneCycleLR: tried to step {step_num} times, but the cycle has total_steps={self.total_steps}; "
                "make total_steps (or epochs * steps_per_epoch) cover every step() call"
            )
        lrs = []
        last_phase = len(self._schedule_phases) - 1
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for index, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step_num <= end_step or index == last_phase:
                    pct = (step_num - start_step) / (end_step - start_step)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        momentum = self._anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                        if self.use_beta1:
                            group["betas"] = (momentum, *group["betas"][1:])
                        else:
                            group["momentum"] = momentum
                    break
                start_step = end_step
        return lrs


class ReduceLROnPlateau(LRScheduler):
    """Reduce the learning rate when a metric has stopped improving.

    Call ``step(metric)`` once per epoch with the monitored quantity (e.g.
    the validation loss).

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    mode : {"min", "max"}
        Whether the metric should decrease or increase.
    factor : float
        ``new_lr = lr * factor``; must be < 1.
    patience : int
        Number of epochs without improvement to tolerate: the rate is reduced
        when the count of bad epochs exceeds it.
    threshold : float
        How much better than the best value a metric must be to count as an
        improvement.
    threshold_mode : {"rel", "abs"}
        ``rel``: better than ``best * (1 - threshold)`` (min) or
        ``best * (1 + threshold)`` (max); ``abs``: better than
        ``best - threshold`` (min) or ``best + threshold`` (max).
    cooldown : int
        Epochs to wait after a reduction before counting bad epochs again.
    min_lr : float or list of float
        Lower bound on the learning rate (per group).
    eps : float
        A reduction smaller than ``eps`` is skipped.

    Notes
    -----
    Unlike the other schedulers this one does not set ``initial_lr`` and
    does not step on construction (as in PyTorch); ``last_epoch`` starts at 0.
    """

    def __init__(
        self,
        optimizer,
        mode="min",
        factor=0.1,
        patience=10,
        threshold=1e-4,
        threshold_mode="rel",
        cooldown=0,
        min_lr=0,
        eps=1e-8,
    ):
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be < 1.0 (new_lr = lr * factor), but got {factor!r}")
        self.factor = factor
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(
                    f"ReduceLROnPlateau: expected {len(optimizer.param_groups)} min_lrs (one per parameter group), "
                    f"got {len(min_lr)}"
                )
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _reset(self):
        """Forget the best value and the bad-epoch and cooldown counters."""
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics, epoch=None):
        """Record this epoch's metric and reduce the learning rate if it has not improved for too long."""
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(_EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch

        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1

        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count

        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self):
        if len(self.optimizer.param_groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: the optimizer has {len(self.optimizer.param_groups)} param groups but "
                    f"min_lr was given for {len(self.min_lrs)}, usually because a group was added later; set "
                    "the scheduler's min_lrs to one value per group"
                )
            self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)
        for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    @property
    def in_cooldown(self):
        """True while the cooldown after a reduction is running (bad epochs are not counted)."""
        return self.cooldown_counter > 0

    def _is_better(self, a, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min" and self.threshold_mode == "abs":
            return a < best - self.threshold
        if self.mode == "max" and self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def _init_is_better(self, mode, threshold, threshold_mode):
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', but got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', but got {threshold_mode!r}")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def load_state_dict(self, state_dict):
        """Restore the state from :meth:`state_dict`, rebuilding the comparison for the saved mode."""
        super().load_state_dict(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)
