"""Dropout layers: random zeroing in training mode, identity in evaluation mode."""

from .. import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout2d"]


class Dropout(Module):
    """Zero each element with probability ``p`` and scale the others by ``1 / (1 - p)`` while training.

    In ``eval()`` mode it returns its input. ``p = 1`` gives zeros.
    """

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        """Drop and rescale while training; return ``input`` unchanged in eval mode. ``inplace`` is ignored."""
        return F.dropout(input, self.p, self.training)

    def extra_repr(self):
        """The repr's argument text, e.g. ``'p=0.5, inplace=False'``."""
        return f"p={self.p}, inplace={self.inplace}"


class Dropout2d(Dropout):
    """Zero whole channels of ``(N, C, H, W)`` with probability ``p`` while training."""

    def forward(self, input):  # noqa: A002
        """Drop whole channels and rescale while training; return ``input`` unchanged in eval mode."""
        return F.dropout2d(input, self.p, self.training)
