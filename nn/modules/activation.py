"""Activation layers: thin modules over ``nn.functional``."""

from .. import functional as F
from .module import Module

__all__ = [
    "ReLU", "ReLU6", "LeakyReLU", "ELU", "GELU", "SiLU", "Mish", "Softplus", "Hardtanh", "Sigmoid", "Tanh",
    "Softmax", "LogSoftmax", "LogSigmoid",
]


def _inplace(flag):
    return "inplace=True" if flag else ""


class ReLU(Module):
    """``max(x, 0)``; ``inplace=True`` overwrites the input."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        """Apply ``max(x, 0)`` elementwise (in place on the input when ``inplace``)."""
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self):
        """The repr's argument text: ``'inplace=True'``, or empty by default."""
        return _inplace(self.inplace)


class LeakyReLU(Module):
    """``x`` for ``x > 0``, ``negative_slope * x`` otherwise."""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        """Apply the leaky ReLU elementwise; ``inplace`` is accepted and ignored (the result is a new tensor)."""
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        """The repr's argument text, e.g. ``'negative_slope=0.01'``."""
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise."""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        """Apply the ELU elementwise; ``inplace`` is accepted and ignored (the result is a new tensor)."""
        return F.elu(input, self.alpha)

    def extra_repr(self):
        """The repr's argument text, e.g. ``'alpha=1.0'``."""
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """``x * Phi(x)`` (``approximate='none'``) or its tanh approximation (``'tanh'``)."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input):  # noqa: A002
        """Apply the GELU elementwise."""
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        """The repr's argument text, e.g. ``approximate='none'``."""
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """``x * sigmoid(x)`` (also called swish)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        """Apply ``x * sigmoid(x)`` elementwise; ``inplace`` is accepted and ignored."""
        return F.silu(input)

    def extra_repr(self):
        """The repr's argument text: ``'inplace=True'``, or empty by default."""
        return _inplace(self.inplace)


class Mish(Module):
    """``x * tanh(softplus(x))``."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        """Apply ``x * tanh(softplus(x))`` elementwise; ``inplace`` is accepted and ignored."""
        return F.mish(input)

    def extra_repr(self):
        """The repr's argument text: ``'inplace=True'``, or empty by default."""
        return _inplace(self.inplace)


class Softplus(Module):
    """``log(1 + exp(beta x)) / beta``, linear above ``threshold``."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):  # noqa: A002
        """Apply the softplus elementwise."""
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        """The repr's argument text, e.g. ``'beta=1.0, threshold=20.0'``."""
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """Clamp to ``[min_val, max_val]``."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if min_val > max_val:
            raise ValueError("Hardtanh: min_val cannot be greater than max_val")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        """Clamp elementwise to ``[min_val, max_val]``; ``inplace`` is accepted and ignored."""
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self):
        """The repr's argument text, e.g. ``'min_val=-1.0, max_val=1.0'``."""
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """``min(max(x, 0), 6)``."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        """The repr's argument text: ``'inplace=True'``, or empty by default."""
        return _inplace(self.inplace)


class Sigmoid(Module):
    """The logistic function ``1 / (1 + exp(-x))`` elementwise, as ``torch.nn.Sigmoid``."""

    def forward(self, input):  # noqa: A002
        """Apply the sigmoid elementwise."""
        return input.sigmoid()


class Tanh(Module):
    """The hyperbolic tangent elementwise, as ``torch.nn.Tanh``."""

    def forward(self, input):  # noqa: A002
        """Apply ``tanh`` elementwise."""
        return input.tanh()


class LogSigmoid(Module):
    """``log(sigmoid(x))`` elementwise, computed without overflow, as ``torch.nn.LogSigmoid``."""

    def forward(self, input):  # noqa: A002
        """Apply ``log(sigmoid(x))`` elementwise."""
        return F.logsigmoid(input)


class Softmax(Module):
    """``softmax`` along ``dim``."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):  # noqa: A002
        """Softmax along ``dim`` (PyTorch's deprecated implicit choice, with a warning, when ``dim`` is None)."""
        return F.softmax(input, self.dim)

    def extra_repr(self):
        """The repr's argument text, e.g. ``'dim=1'``."""
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """``log_softmax`` along ``dim``."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):  # noqa: A002
        """Log-softmax along ``dim`` (PyTorch's deprecated implicit choice, with a warning, when None)."""
        return F.log_softmax(input, self.dim)

    def extra_repr(self):
        """The repr's argument text, e.g. ``'dim=1'``."""
        return f"dim={self.dim}"
