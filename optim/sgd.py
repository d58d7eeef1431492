"""Stochastic gradient descent, with optional (Nesterov) momentum and weight decay."""

import numpy as np

from ._checks import check_non_negative
from .optimizer import Optimizer, state_tensor

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, PyTorch's update rule.

    Parameters
    ----------
    params : iterable
        Tensors to optimize, or dicts defining parameter groups.
    lr : float
        Learning rate :math:`\gamma`, >= 0.
    momentum : float
        Momentum factor :math:`\mu`, >= 0.
    dampening : float
        Dampening :math:`\tau` of the momentum.
    weight_decay : float
        L2 penalty :math:`\lambda`, >= 0.
    nesterov : bool
        Use Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
    maximize : bool
        Maximize the objective instead of minimizing it.

    Notes
    -----
    At step :math:`t` with gradient :math:`g_t` of parameter :math:`\theta`::

        g_t = -g_t                              if maximize
        g_t = g_t + weight_decay * theta        if weight_decay != 0
        if momentum != 0:
            b_t = g_t                                       at the first step
            b_t = momentum * b_{t-1} + (1 - dampening) * g_t   afterwards
            g_t = g_t + momentum * b_t          if nesterov
            g_t = b_t                           otherwise
        theta = theta - lr * g_t

    The buffer :math:`b` is ``state[p]["momentum_buffer"]``; it starts as a
    copy of the first gradient (not as zeros), as in PyTorch.

    Examples
    --------
    One step on ``(w - target)^2``, whose gradient is ``2 (w - target)``:

    >>> import autograd as ag, optim
    >>> w = ag.tensor([0.0, 0.0], requires_grad=True)
    >>> target = ag.tensor([1.0, -2.0])
    >>> opt = optim.SGD([w], lr=0.1)  # in a model: optim.SGD(model.parameters(), ...)
    >>> opt.zero_grad()
    >>> ((w - target) ** 2).sum().backward()
    >>> opt.step()
    >>> w  # 0 - 0.1 * 2 * (0 - target)
    tensor([ 0.2000, -0.4000], requires_grad=True)

    With momentum, the first step is the same and the second adds 0.9 of it:

    >>> w = ag.tensor([0.0, 0.0], requires_grad=True)
    >>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     ((w - target) ** 2).sum().backward()
    ...     opt.step()
    >>> w  # b = 0.9 * [-2, 4] + [-1.6, 3.2]; w = [0.2, -0.4] - 0.1 * b
    tensor([ 0.5400, -1.0800], requires_grad=True)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False):
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_hyperparameters(self, values):
        check_non_negative("SGD", values, "lr", "learning rate")
        check_non_negative("SGD", values, "momentum", "momentum value")
        check_non_negative("SGD", values, "weight_decay", "weight_decay value")
        if values["nesterov"] and (values["momentum"] <= 0 or values["dampening"] != 0):
            raise ValueError(
                f"SGD: Nesterov momentum requires a momentum and zero dampening, but got "
                f"momentum={values['momentum']!r}, dampening={values['dampening']!r}; "
                "set momentum > 0 and dampening=0, or nesterov=False"
            )

    def _update(self, param, grad, group, state):
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        d_p = self._effective_grad(param, grad, group["weight_decay"], group["maximize"])
        work = self._scratch(param, 1)

        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = d_p.astype(param.dtype, copy=True)
                state["momentum_buffer"] = state_tensor(buf)
            else:
                buf = buf.data
                buf *= momentum
                if dampening == 0:
                    buf += d_p
                else:
                    buf += np.multiply(d_p, 1 - dampening, out=work)
            if group["nesterov"]:
                # d_p + momentum * buf, into scratch (d_p may be the user's grad)
                d_p = np.add(np.multiply(buf, momentum, out=work), d_p, out=work)
            else:
                d_p = buf

        param -= np.multiply(d_p, lr, out=work)
