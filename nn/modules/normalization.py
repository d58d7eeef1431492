"""Normalisation layers: ``BatchNorm1d``, ``BatchNorm2d`` and ``LayerNorm``."""

import numbers

import numpy as np

import autograd as ag

from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm"]


class _BatchNorm(Module):
    _dims = "(N, C, ...)"

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None,
                 dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(ag.empty(num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(ag.empty(num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", ag.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ag.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", ag.tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        """Set ``running_mean`` to 0, ``running_var`` to 1 and ``num_batches_tracked`` to 0."""
        if self.track_running_stats:
            with ag.no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        """Reset the running statistics, ``weight`` to ones and ``bias`` to zeros."""
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def _check_input_dim(self, input):  # noqa: A002
        raise NotImplementedError

    def forward(self, input):  # noqa: A002
        """Normalise each channel with the batch statistics (training) or the running ones (eval)."""
        self._check_input_dim(input)
        if input.shape[1] != self.num_features:
            raise RuntimeError(
                f"{self._layer_repr()}: expected input with {self.num_features} channels (dim 1) {self._dims}, "
                f"got shape {tuple(input.shape)}"
            )
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            with ag.no_grad():
                self.num_batches_tracked.add_(1)
            factor = 1.0 / float(self.num_batches_tracked.item()) if self.momentum is None else self.momentum
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        try:
            return F.batch_norm(
                input,
                self.running_mean if track else None,
                self.running_var if track else None,
                self.weight,
                self.bias,
                use_batch_stats,
                factor,
                self.eps,
            )
        except ValueError as e:
            raise ValueError(f"{self._layer_repr()}: {e}") from None

    def extra_repr(self):
        """The repr's argument text: ``num_features``, ``eps``, ``momentum`` and the flags."""
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation over ``(N, C)`` or ``(N, C, L)``, as ``torch.nn.BatchNorm1d``.

    Training normalises with the batch mean and biased variance and updates
    ``running_mean``/``running_var`` (the latter with the unbiased variance)
    by ``momentum``, or by a cumulative average when ``momentum=None``.
    Evaluation uses the running statistics.
    """

    _dims = "(N, C) or (N, C, L)"

    def _check_input_dim(self, input):  # noqa: A002
        if input.ndim not in (2, 3):
            raise RuntimeError(f"{self._layer_repr()}: expected 2D or 3D input {self._dims}, got shape {tuple(input.shape)}")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation over ``(N, C, H, W)``, per channel, as ``torch.nn.BatchNorm2d``."""

    _dims = "(N, C, H, W)"

    def _check_input_dim(self, input):  # noqa: A002
        if input.ndim != 4:
            raise RuntimeError(f"{self._layer_repr()}: expected 4D input {self._dims}, got shape {tuple(input.shape)}")


class LayerNorm(Module):
    """Normalise over the last ``len(normalized_shape)`` dims, then ``* weight + bias``, as ``torch.nn.LayerNorm``."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(s) for s in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ag.ones(*self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(ag.zeros(*self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self):
        """Set ``weight`` to ones and ``bias`` to zeros."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input):  # noqa: A002
        """Normalise over the last ``len(normalized_shape)`` dims, then scale and shift."""
        k = len(self.normalized_shape)
        if tuple(input.shape[input.ndim - k:]) != self.normalized_shape or input.ndim < k:
            raise RuntimeError(
                f"{self._layer_repr()}: expected input whose last {k} dim(s) are {self.normalized_shape}, got shape "
                f"{tuple(input.shape)}"
            )
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        """The repr's argument text, e.g. ``'(8,), eps=1e-05, elementwise_affine=True, bias=True'``."""
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
            f"bias={self.bias is not None}"
        )
