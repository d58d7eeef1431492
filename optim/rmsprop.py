"""RMSprop: divide the gradient by a running root mean square of recent gradients."""

import numpy as np

from ._checks import check_non_negative
from .adam import lerp_
from .optimizer import Optimizer, state_tensor

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture 6e), PyTorch's update rule.

    Parameters
    ----------
    params : iterable
        Tensors to optimize, or dicts defining parameter groups.
    lr : float
        Learning rate, >= 0.
    alpha : float
        Smoothing constant of the running averages, >= 0.
    eps : float
        Added to the denominator for numerical stability, >= 0.
    weight_decay : float
        L2 penalty, >= 0.
    momentum : float
        Momentum factor, >= 0.
    centered : bool
        Normalize by an estimate of the gradient's variance (the mean square
        minus the squared mean) instead of its uncentered second moment.
    maximize : bool
        Maximize the objective instead of minimizing it.

    Notes
    -----
    At each step with gradient :math:`g_t`::

        g_t = -g_t                                  if maximize
        g_t = g_t + weight_decay * theta            if weight_decay != 0
        v_t = alpha * v_{t-1} + (1 - alpha) * g_t**2
        if centered:
            a_t = alpha * a_{t-1} + (1 - alpha) * g_t      (as a_{t-1}.lerp(g_t, 1 - alpha))
            avg = sqrt(v_t - a_t**2) + eps
        else:
            avg = sqrt(v_t) + eps
        if momentum > 0:
            b_t = momentum * b_{t-1} + g_t / avg
            theta = theta - lr * b_t
        else:
            theta = theta - lr * g_t / avg

    State (all zeros at first, as in PyTorch): ``step``, ``square_avg`` (v),
    ``momentum_buffer`` (b, when momentum > 0) and ``grad_avg`` (a, when centered).
    """

    def __init__(
        self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, *, maximize=False
    ):
        defaults = {
            "lr": lr,
            "alpha": alpha,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "centered": centered,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_hyperparameters(self, values):
        check_non_negative("RMSprop", values, "lr", "learning rate")
        check_non_negative("RMSprop", values, "eps", "epsilon value")
        check_non_negative("RMSprop", values, "momentum", "momentum value")
        check_non_negative("RMSprop", values, "weight_decay", "weight_decay value")
        check_non_negative("RMSprop", values, "alpha", "alpha value")

    def _init_state(self, param, group, state):
        state["step"] = 0
        state["square_avg"] = state_tensor(np.zeros_like(param))
        if group["momentum"] > 0:
            state["momentum_buffer"] = state_tensor(np.zeros_like(param))
        if group["centered"]:
            state["grad_avg"] = state_tensor(np.zeros_like(param))

    def _update(self, param, grad, group, state):
        lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
        state["step"] += 1
        g = self._effective_grad(param, grad, group["weight_decay"], group["maximize"])
        work = self._scratch(param, 1)

        square_avg = state["square_avg"].data
        square_avg *= alpha
        square_avg += np.multiply(np.multiply(g, g, out=work), 1 - alpha, out=work)

        if group["centered"]:
            grad_avg = _state_array(state, "grad_avg", param)
            lerp_(grad_avg, g, 1 - alpha, work)
            avg = np.multiply(grad_avg, grad_avg, out=work)
            np.subtract(square_avg, avg, out=avg)
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(square_avg, out=work)
        avg += eps

        if momentum > 0:
            buf = _state_array(state, "momentum_buffer", param)
            buf *= momentum
            buf += np.divide(g, avg, out=work)
            param -= np.multiply(buf, lr, out=work)
        else:
            update = np.divide(g, avg, out=work)
            update *= lr
            param -= update


def _state_array(state, key, param):
    """``state[key]``'s array, made (zeros) if an option that needs it was switched on after the first step."""
    if key not in state:
        state[key] = state_tensor(np.zeros_like(param))
    return state[key].data
