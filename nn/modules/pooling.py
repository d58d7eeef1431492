"""Pooling layers: max, average and adaptive average pooling in 1-D and 2-D."""

from .. import functional as F
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d"]


def _check_ndim(module, input, nd):  # noqa: A002
    if input.ndim not in (nd + 1, nd + 2):
        dims = "(N, C, L)" if nd == 1 else "(N, C, H, W)"
        raise RuntimeError(
            f"{module._layer_repr()}: expected a {nd + 2}-D input {dims} (or {nd + 1}-D unbatched), got shape "
            f"{tuple(input.shape)}"
        )


class MaxPool2d(Module):
    """Max over ``kernel_size`` windows of ``(N, C, H, W)``; ``stride`` defaults to ``kernel_size``."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):  # noqa: A002
        """Max-pool ``(N, C, H, W)`` (or ``(C, H, W)``); with ``return_indices`` also the argmax indices."""
        _check_ndim(self, input, 2)
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                            self.return_indices)

    def extra_repr(self):
        """The repr's argument text: ``kernel_size``, ``stride``, ``padding``, ``dilation``, ``ceil_mode``."""
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1d(MaxPool2d):
    """Max over ``kernel_size`` windows of ``(N, C, L)``."""

    def forward(self, input):  # noqa: A002
        """Max-pool ``(N, C, L)`` (or ``(C, L)``)."""
        _check_ndim(self, input, 1)
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                            self.return_indices)


class AvgPool2d(Module):
    """Mean over ``kernel_size`` windows of ``(N, C, H, W)``, as ``torch.nn.AvgPool2d``."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):  # noqa: A002
        """Average-pool ``(N, C, H, W)`` (or ``(C, H, W)``)."""
        _check_ndim(self, input, 2)
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        """The repr's argument text: ``kernel_size``, ``stride``, ``padding``."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(Module):
    """Mean over ``kernel_size`` windows of ``(N, C, L)``."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = (kernel_size,) if isinstance(kernel_size, int) else tuple(kernel_size)
        stride = kernel_size if stride is None else stride
        self.stride = (stride,) if isinstance(stride, int) else tuple(stride)
        self.padding = (padding,) if isinstance(padding, int) else tuple(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):  # noqa: A002
        """Average-pool ``(N, C, L)`` (or ``(C, L)``)."""
        _check_ndim(self, input, 1)
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)

    def extra_repr(self):
        """The repr's argument text: ``kernel_size``, ``stride``, ``padding``."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling of ``(N, C, H, W)`` to ``output_size`` (int or pair; None keeps that input size)."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):  # noqa: A002
        """Average-pool ``(N, C, H, W)`` (or ``(C, H, W)``) to ``output_size``."""
        _check_ndim(self, input, 2)
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        """The repr's argument text, e.g. ``'output_size=1'``."""
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """Average pooling of ``(N, C, L)`` to ``output_size``."""

    def forward(self, input):  # noqa: A002
        """Average-pool ``(N, C, L)`` (or ``(C, L)``) to ``output_size``."""
        _check_ndim(self, input, 1)
        return F.adaptive_avg_pool1d(input, self.output_size)
