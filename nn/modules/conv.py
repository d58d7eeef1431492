"""Convolution layers: ``Conv1d`` and ``Conv2d``, on the engine's ``conv1d``/``conv2d`` ops."""

import math

import autograd as ag

from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Conv1d", "Conv2d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _ntuple(value, n):
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ValueError(f"expected an int or a tuple of {n} ints, got {value!r}")
        return tuple(int(v) for v in value)
    return (int(value),) * n


class _ConvNd(Module):
    _nd = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        nd = self._nd
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError(f"in_channels must be divisible by groups (in_channels={in_channels}, groups={groups})")
        if out_channels % groups != 0:
            raise ValueError(f"out_channels must be divisible by groups (out_channels={out_channels}, groups={groups})")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, but got padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _ntuple(kernel_size, nd)
        self.stride = _ntuple(stride, nd)
        self.dilation = _ntuple(dilation, nd)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding = padding
        else:
            self.padding = _ntuple(padding, nd)
        self.groups = groups
        self.padding_mode = padding_mode
        self.output_padding = (0,) * nd
        self.transposed = False
        # F.pad order (last dim first), used for padding_mode != 'zeros'
        if self.padding == "same":
            pairs = [(d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2) for d, k in zip(self.dilation, self.kernel_size)]
        elif self.padding == "valid":
            pairs = [(0, 0)] * nd
        else:
            pairs = [(p, p) for p in self.padding]
        self._reversed_padding_repeated_twice = [v for lo, hi in reversed(pairs) for v in (lo, hi)]
        self.weight = Parameter(ag.empty(out_channels, in_channels // groups, *self.kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(ag.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Re-draw ``weight`` (``kaiming_uniform_(a=sqrt(5))``) and ``bias`` (U(-1/sqrt(fan_in), 1/sqrt(fan_in)))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _check_input(self, input):  # noqa: A002
        nd = self._nd
        dims = "(N, C, L)" if nd == 1 else "(N, C, H, W)"
        if input.ndim not in (nd + 1, nd + 2):
            raise RuntimeError(
                f"{self._layer_repr()}: expected a {nd + 2}-D input {dims} (or {nd + 1}-D unbatched), got shape "
                f"{tuple(input.shape)}"
            )
        c = input.shape[-nd - 1]
        if c != self.in_channels:
            raise RuntimeError(
                f"{self._layer_repr()}: expected input with {self.in_channels} channels (dim {input.ndim - nd - 1}), "
                f"got shape {tuple(input.shape)}"
            )
        if input.dtype != self.weight.dtype:
            raise RuntimeError(
                f"{self._layer_repr()}: input dtype {input.dtype} does not match the layer's {self.weight.dtype}; "
                f"convert the input or the model (model.to(ag.{input.dtype.name}))"
            )

    def _conv(self, fn, input):  # noqa: A002
        self._check_input(input)
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return fn(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return fn(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)

    def extra_repr(self):
        """The repr's argument text: channels, ``kernel_size``, ``stride`` and the non-default options."""
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if isinstance(self.padding, str) or self.padding != (0,) * self._nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._nd:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution over ``(N, C_in, H, W)``, as ``torch.nn.Conv2d``.

    ``weight`` is ``(out_channels, in_channels / groups, kh, kw)``, initialised
    ``kaiming_uniform_(a=sqrt(5))``; ``bias`` U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    ``padding`` is an int, a pair, 'valid' or 'same' (stride 1);
    ``padding_mode`` is 'zeros', 'reflect', 'replicate' or 'circular'.

    Examples
    --------
    >>> import autograd as ag, nn
    >>> _ = ag.manual_seed(0)
    >>> conv = nn.Conv2d(1, 4, kernel_size=3, padding=1)
    >>> conv
    Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    >>> conv.weight.shape
    (4, 1, 3, 3)
    >>> conv(ag.ones(2, 1, 28, 28)).shape
    (2, 4, 28, 28)
    >>> nn.Conv2d(1, 4, kernel_size=3, stride=2)(ag.ones(2, 1, 28, 28)).shape  # (28 - 3) // 2 + 1
    (2, 4, 13, 13)
    """

    _nd = 2

    def forward(self, input):  # noqa: A002
        """Convolve ``(N, C_in, H, W)`` (or unbatched ``(C_in, H, W)``) into ``(N, C_out, H_out, W_out)``."""
        return self._conv(F.conv2d, input)


class Conv1d(_ConvNd):
    """1-D convolution over ``(N, C_in, L)``, as ``torch.nn.Conv1d``."""

    _nd = 1

    def forward(self, input):  # noqa: A002
        """Convolve ``(N, C_in, L)`` (or unbatched ``(C_in, L)``) into ``(N, C_out, L_out)``."""
        return self._conv(F.conv1d, input)
