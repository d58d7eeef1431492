"""Affine layers: ``Identity``, ``Linear``, ``Bilinear``."""

import math

import autograd as ag

from .. import _ops, init
from .. import functional as F
from ..parameter import Parameter
from .module import Module

__all__ = ["Identity", "Linear", "Bilinear"]


def _empty(*shape, dtype=None):
    return ag.empty(*shape, dtype=dtype)


class Identity(Module):
    """Returns its input; accepts and ignores any constructor arguments."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):  # noqa: A002
        """Return ``input`` itself."""
        return input


class Linear(Module):
    """``y = x W^T + b``, as ``torch.nn.Linear``.

    ``weight`` has shape ``(out_features, in_features)`` and starts as
    ``kaiming_uniform_(a=sqrt(5))``, i.e. U(-1/sqrt(in), 1/sqrt(in)); ``bias``
    starts U(-1/sqrt(in), 1/sqrt(in)). The input is ``(*, in_features)``.

    Examples
    --------
    >>> import autograd as ag, nn
    >>> _ = ag.manual_seed(0)
    >>> layer = nn.Linear(3, 2)
    >>> layer
    Linear(in_features=3, out_features=2, bias=True)
    >>> layer.weight.shape, layer.bias.shape
    ((2, 3), (2,))
    >>> layer(ag.ones(5, 3)).shape
    (5, 2)
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(_empty(out_features, in_features, dtype=dtype))
        if bias:
            self.bias = Parameter(_empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Re-draw ``weight`` (``kaiming_uniform_(a=sqrt(5))``) and ``bias`` (U(-1/sqrt(in), 1/sqrt(in)))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):  # noqa: A002
        """``input @ weight.T + bias`` for ``input`` of shape ``(*, in_features)``; checks shape and dtype first."""
        shape = input.shape
        params = self._parameters  # what self.weight and self.bias read, without Module.__getattr__ each time
        weight, bias = params["weight"], params.get("bias")
        if not shape or shape[-1] != self.in_features:
            hint = ""
            if len(shape) > 2 and math.prod(shape[1:]) == self.in_features:
                hint = "; flatten it first (nn.Flatten())"
            elif shape:
                hint = "; check the previous layer's output size"
            raise RuntimeError(
                f"{self._layer_repr()}: expected input with last dimension {self.in_features}, got shape "
                f"{tuple(shape)}{hint}"
            )
        if input.dtype != weight.dtype:
            raise RuntimeError(
                f"{self._layer_repr()}: input dtype {input.dtype} does not match the layer's {weight.dtype}; "
                f"convert the input (x.to(ag.{weight.dtype.name})) or the model (model.to(ag.{input.dtype.name}))"
            )
        # checked above: straight to the op (F.linear would check again)
        if bias is None:
            return _ops.Linear.apply(input, weight)
        return _ops.Linear.apply(input, weight, bias)

    def extra_repr(self):
        """The repr's argument text, e.g. ``'in_features=3, out_features=2, bias=True'``."""
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    """``y = x1^T A x2 + b``, as ``torch.nn.Bilinear``; weight ``(out, in1, in2)``, both U(-1/sqrt(in1), 1/sqrt(in1))."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(_empty(out_features, in1_features, in2_features, dtype=dtype))
        if bias:
            self.bias = Parameter(_empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Re-draw ``weight`` and ``bias`` from U(-1/sqrt(in1_features), 1/sqrt(in1_features))."""
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        """``x1^T A x2 + b`` for inputs of shapes ``(*, in1_features)`` and ``(*, in2_features)``."""
        for name, x, n in (("input1", input1, self.in1_features), ("input2", input2, self.in2_features)):
            if not x.shape or x.shape[-1] != n:
                raise RuntimeError(f"{self._layer_repr()}: expected {name} with last dimension {n}, got shape {tuple(x.shape)}")
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        """The repr's argument text: the three feature sizes and whether there is a bias."""
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )
