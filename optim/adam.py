"""Adam and AdamW: adaptive moment estimation, with L2 or decoupled weight decay."""

import numpy as np

from ._checks import check_beta, check_non_negative
from .optimizer import Optimizer, state_tensor

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2014), PyTorch's update rule.

    Parameters
    ----------
    params : iterable
        Tensors to optimize, or dicts defining parameter groups.
    lr : float
        Learning rate, >= 0.
    betas : tuple of float
        Decay rates ``(beta1, beta2)`` of the first and second moment
        estimates, each in [0, 1).
    eps : float
        Added to the denominator for numerical stability, >= 0.
    weight_decay : float
        L2 penalty, >= 0 (added to the gradient; see ``AdamW`` for decoupled decay).
    amsgrad : bool
        Use the AMSGrad variant: normalize by the running maximum of the
        second moment estimate.
    maximize : bool
        Maximize the objective instead of minimizing it.
    decoupled_weight_decay : bool
        Decay the parameters directly (AdamW) instead of through the gradient.

    Notes
    -----
    At step :math:`t` (counted from 1) with gradient :math:`g_t`::

        g_t = -g_t                                  if maximize
        theta = theta * (1 - lr * weight_decay)     if decoupled_weight_decay
        g_t = g_t + weight_decay * theta            otherwise, if weight_decay != 0
        m_t = beta1 * m_{t-1} + (1 - beta1) * g_t          (as m_{t-1}.lerp(g_t, 1 - beta1))
        v_t = beta2 * v_{t-1} + (1 - beta2) * g_t**2
        vmax_t = max(vmax_{t-1}, v_t)               if amsgrad, and v_t := vmax_t below
        step_size = lr / (1 - beta1**t)
        denom = sqrt(v_t) / sqrt(1 - beta2**t) + eps
        theta = theta - step_size * m_t / denom

    ``eps`` is added after the bias correction of ``sqrt(v_t)``, exactly where
    PyTorch adds it. State: ``step`` (an int), ``exp_avg`` (m), ``exp_avg_sq``
    (v) and, with amsgrad, ``max_exp_avg_sq``; the moments start at zero.

    Examples
    --------
    Each early step moves a parameter by about ``lr``, whatever the scale of
    its gradient (here 2 and 4 at the start):

    >>> import autograd as ag, optim
    >>> w = ag.tensor([0.0, 0.0], requires_grad=True)
    >>> target = ag.tensor([1.0, -2.0])
    >>> opt = optim.Adam([w], lr=0.1)  # in a model: optim.Adam(model.parameters(), lr=1e-3)
    >>> for _ in range(3):
    ...     opt.zero_grad()
    ...     ((w - target) ** 2).sum().backward()
    ...     opt.step()
    >>> w
    tensor([ 0.2984, -0.2994], requires_grad=True)
    >>> opt.state[w]["step"]
    3
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        maximize=False,
        decoupled_weight_decay=False,
    ):
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _check_hyperparameters(self, values):
        name = self._name
        check_non_negative(name, values, "lr", "learning rate")
        check_non_negative(name, values, "eps", "epsilon value")
        check_beta(name, values, "betas", 0)
        check_beta(name, values, "betas", 1)
        check_non_negative(name, values, "weight_decay", "weight_decay value")

    def _init_state(self, param, group, state):
        state["step"] = 0
        state["exp_avg"] = state_tensor(np.zeros_like(param))
        state["exp_avg_sq"] = state_tensor(np.zeros_like(param))
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = state_tensor(np.zeros_like(param))

    def _update(self, param, grad, group, state):
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        decoupled = group["decoupled_weight_decay"]
        exp_avg, exp_avg_sq = state["exp_avg"].data, state["exp_avg_sq"].data
        step = state["step"] = state["step"] + 1

        if weight_decay != 0 and decoupled:
            param *= 1 - lr * weight_decay
        g = self._effective_grad(param, grad, 0 if decoupled else weight_decay, group["maximize"])
        work = self._scratch(param, 1)

        lerp_(exp_avg, g, 1 - beta1, work)
        exp_avg_sq *= beta2
        exp_avg_sq += np.multiply(np.multiply(g, g, out=work), 1 - beta2, out=work)

        bias_correction1 = 1 - beta1**step
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        step_size = lr / bias_correction1

        second_moment = exp_avg_sq
        if group["amsgrad"]:
            if "max_exp_avg_sq" not in state:  # amsgrad switched on after the state was made
                state["max_exp_avg_sq"] = state_tensor(np.zeros_like(param))
            second_moment = state["max_exp_avg_sq"].data
            np.maximum(second_moment, exp_avg_sq, out=second_moment)

        denom = np.sqrt(second_moment, out=work)
        denom /= bias_correction2_sqrt
        denom += eps
        update = np.divide(exp_avg, denom, out=work)
        update *= step_size
        param -= update


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay, PyTorch's update rule.

    Same parameters as :class:`Adam`, but ``weight_decay`` defaults to 1e-2 and
    shrinks the parameters directly instead of entering the gradient (so it
    is not rescaled by the adaptive denominator).

    Notes
    -----
    At step :math:`t` (counted from 1) with gradient :math:`g_t`::

        g_t = -g_t                                  if maximize
        theta = theta * (1 - lr * weight_decay)
        m_t = beta1 * m_{t-1} + (1 - beta1) * g_t
        v_t = beta2 * v_{t-1} + (1 - beta2) * g_t**2
        vmax_t = max(vmax_{t-1}, v_t)               if amsgrad, and v_t := vmax_t below
        theta = theta - lr / (1 - beta1**t) * m_t / (sqrt(v_t) / sqrt(1 - beta2**t) + eps)
    """

    def __init__(
        self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *, maximize=False
    ):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize, decoupled_weight_decay=True)

    def load_state_dict(self, state_dict):
        """Load as :meth:`Optimizer.load_state_dict`, keeping weight decay decoupled whatever the checkpoint says."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:  # AdamW always decouples, whatever the checkpoint says
            group["decoupled_weight_decay"] = True


def lerp_(start, end, weight, work):
    """``start += weight * (end - start)`` in place, computed as PyTorch's lerp does for either size of weight."""
    diff = np.subtract(end, start, out=work)
    if weight < 0.5:
        diff *= weight
        start += diff
    else:
        diff *= 1 - weight
        np.subtract(end, diff, out=start)
