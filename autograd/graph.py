"""``autograd.graph``: the parts of ``torch.autograd.graph`` that apply to a numpy engine."""

from .function import Node, version_counter
from .grad_mode import state

__all__ = ["Node", "increment_version"]


def increment_version(tensor):
    """Record that ``tensor`` (or each tensor in a list) was changed in place behind the engine's back.

    Tensor methods that write in place (``add_``, ``copy_``, ``x[i] = v``)
    do this themselves. Code that writes into ``tensor.data`` with numpy, as
    the optimizers do, calls it afterwards, so that a backward pass through a
    record that saved the old values raises instead of using the new ones, as
    in PyTorch. Calling it more than once for one change is harmless.

    >>> import autograd as ag
    >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> w.data *= 2  # numpy, unseen by the engine
    >>> ag.graph.increment_version(w)
    >>> w._version
    1
    """
    tensors = tensor if isinstance(tensor, (list, tuple)) else (tensor,)
    for t in tensors:
        version_counter(t)[0] += 1
    state.inplace += 1
