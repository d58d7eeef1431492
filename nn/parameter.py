"""``Parameter``: a tensor that a ``Module`` registers as one of its learnable weights."""

import numpy as np

import autograd as ag

__all__ = ["Parameter"]


class Parameter(ag.Tensor):
    """A tensor that is a module's parameter, as ``torch.nn.Parameter``.

    Assigning a ``Parameter`` to a ``Module`` attribute registers it, so it
    appears in ``parameters()``, ``named_parameters()`` and ``state_dict()``.
    It requires grad by default. ``Parameter(t)`` shares ``t``'s memory.

    >>> import autograd as ag
    >>> from nn import Parameter
    >>> p = Parameter(ag.zeros(2))
    >>> p.requires_grad
    True
    """

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.empty((0,), dtype=ag.get_default_dtype())
        elif isinstance(data, ag.Tensor):
            data = data.data
        super().__init__(data)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        out = Parameter(self.data.copy(), requires_grad=self.requires_grad)
        if self.grad is not None:
            out.grad = ag.tensor(self.grad.data)
        memo[id(self)] = out
        return out

    def __reduce_ex__(self, protocol):
        return (Parameter, (self.data, self.requires_grad))
