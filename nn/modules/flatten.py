"""Reshaping layers: ``Flatten`` and ``Unflatten``."""

from .module import Module

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """Flatten dims ``start_dim..end_dim`` into one (by default all but the batch dim)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):  # noqa: A002
        """``input.flatten(start_dim, end_dim)``; the error names the layer when the dims do not fit."""
        try:
            return input.flatten(self.start_dim, self.end_dim)
        except (IndexError, RuntimeError) as e:
            raise type(e)(f"{self._layer_repr()}: cannot flatten input of shape {tuple(input.shape)}: {e}") from None

    def extra_repr(self):
        """The repr's argument text, e.g. ``'start_dim=1, end_dim=-1'``."""
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input):  # noqa: A002
        """``input.unflatten(dim, unflattened_size)``; the error names the layer when the sizes do not fit."""
        try:
            return input.unflatten(self.dim, self.unflattened_size)
        except (IndexError, RuntimeError) as e:
            raise type(e)(f"{self._layer_repr()}: cannot unflatten input of shape {tuple(input.shape)}: {e}") from None

    def extra_repr(self):
        """The repr's argument text, e.g. ``'dim=1, unflattened_size=(1, 28, 28)'``."""
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
