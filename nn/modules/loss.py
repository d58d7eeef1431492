"""Loss modules: each holds its options (and class weights as buffers) and calls ``nn.functional``."""

from .. import functional as F
from .module import Module

__all__ = [
    "MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
]


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        reduction = F._legacy_reduction(size_average, reduce, reduction)
        F._check_reduction(reduction)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error: ``mean((input - target)^2)`` (or sum / none by ``reduction``), as ``torch.nn.MSELoss``.

    ``target`` must have the input's shape: PyTorch warns and broadcasts,
    this raises.

    Examples
    --------
    >>> import autograd as ag, nn
    >>> pred, target = ag.tensor([1.0, 2.0, 3.0]), ag.tensor([1.0, 0.0, 0.0])
    >>> nn.MSELoss()(pred, target)  # (0 + 4 + 9) / 3
    tensor(4.3333)
    >>> nn.MSELoss(reduction="sum")(pred, target)
    tensor(13.)
    """

    def forward(self, input, target):  # noqa: A002
        """The mean squared error of ``input`` against ``target`` (same shape), reduced by ``reduction``."""
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: ``mean(|input - target|)``."""

    def forward(self, input, target):  # noqa: A002
        """The mean absolute error of ``input`` against ``target`` (same shape), reduced by ``reduction``."""
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Quadratic below ``beta``, linear above: ``0.5 d^2 / beta`` or ``|d| - 0.5 beta``."""

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):  # noqa: A002
        """The smooth L1 loss of ``input`` against ``target`` (same shape), reduced by ``reduction``."""
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Quadratic below ``delta``, linear above: ``0.5 d^2`` or ``delta (|d| - 0.5 delta)``."""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):  # noqa: A002
        """The Huber loss of ``input`` against ``target`` (same shape), reduced by ``reduction``."""
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy between logits and class indices or class probabilities (see :func:`nn.functional.cross_entropy`).

    ``weight`` (per class) is kept as a buffer, as in PyTorch.

    Examples
    --------
    >>> import autograd as ag, nn
    >>> logits = ag.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 3.0]], requires_grad=True)
    >>> loss = nn.CrossEntropyLoss()(logits, ag.tensor([0, 2]))
    >>> loss
    tensor(0.1672, grad_fn=<NllLossBackward>)
    >>> loss.backward()
    >>> logits.grad  # (softmax(logits) - one_hot(target)) / N
    tensor([[-0.1065,  0.0533,  0.0533],
            [ 0.0226,  0.0226, -0.0453]])
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                 label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):  # noqa: A002
        """The cross-entropy of logits ``input`` ``(N, C, ...)`` against class indices or probabilities."""
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of class indices, for inputs that are already log-probabilities."""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):  # noqa: A002
        """The negative log-likelihood of log-probabilities ``input`` ``(N, C, ...)`` at class indices ``target``."""
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities; logs clamped at -100 as PyTorch."""

    def forward(self, input, target):  # noqa: A002
        """The binary cross-entropy of probabilities ``input`` against ``target`` in [0, 1]."""
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy in one numerically stable formula; ``weight`` and ``pos_weight`` are buffers."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):  # noqa: A002
        """The binary cross-entropy of ``sigmoid(input)`` against ``target``, from the logits directly."""
        return F.binary_cross_entropy_with_logits(input, target, self.weight, pos_weight=self.pos_weight,
                                                  reduction=self.reduction)
