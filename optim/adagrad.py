"""Adagrad: per-coordinate learning rates from the sum of all past squared gradients."""

import numpy as np

from ._checks import check_non_negative
from .optimizer import Optimizer, state_tensor

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011), PyTorch's update rule.

    Parameters
    ----------
    params : iterable
        Tensors to optimize, or dicts defining parameter groups.
    lr : float
        Learning rate, >= 0.
    lr_decay : float
        Learning rate decay, >= 0.
    weight_decay : float
        L2 penalty, >= 0.
    initial_accumulator_value : float
        Starting value of the sum of squared gradients, >= 0.
    eps : float
        Added to the denominator for numerical stability, >= 0.
    maximize : bool
        Maximize the objective instead of minimizing it.

    Notes
    -----
    At step :math:`t` (counted from 1) with gradient :math:`g_t`::

        g_t = -g_t                                  if maximize
        g_t = g_t + weight_decay * theta            if weight_decay != 0
        clr = lr / (1 + (t - 1) * lr_decay)
        s_t = s_{t-1} + g_t**2                      (s_0 = initial_accumulator_value)
        theta = theta - clr * g_t / (sqrt(s_t) + eps)

    State: ``step`` and ``sum`` (s). As in PyTorch, the state of the
    parameters given to the constructor is made there, before any step.
    Unlike PyTorch, which always uses the constructor's value, ``s_0`` is the
    parameter's own group's ``initial_accumulator_value``.
    """

    def __init__(
        self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, *, maximize=False
    ):
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "maximize": maximize,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p.data, group, self.state[p])

    def _check_hyperparameters(self, values):
        check_non_negative("Adagrad", values, "lr", "learning rate")
        check_non_negative("Adagrad", values, "lr_decay", "lr_decay value")
        check_non_negative("Adagrad", values, "weight_decay", "weight_decay value")
        check_non_negative("Adagrad", values, "initial_accumulator_value", "initial_accumulator_value value")
        check_non_negative("Adagrad", values, "eps", "epsilon value")

    def _init_state(self, param, group, state):
        state["step"] = 0
        state["sum"] = state_tensor(np.full_like(param, group["initial_accumulator_value"]))

    def _update(self, param, grad, group, state):
        step = state["step"] = state["step"] + 1
        g = self._effective_grad(param, grad, group["weight_decay"], group["maximize"])
        work = self._scratch(param, 1)
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])

        state_sum = state["sum"].data
        state_sum += np.multiply(g, g, out=work)
        std = np.sqrt(state_sum, out=work)
        std += group["eps"]
        update = np.divide(g, std, out=work)
        update *= clr
        param -= update
