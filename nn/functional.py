"""``nn.functional``: the stateless functions behind the layers and losses, as ``torch.nn.functional``.

Everything here is built on the engine's public ops (and the few primitives
in ``nn._ops``), so gradients, grad-of-grad and the tape come for free.
Signatures, defaults and reductions follow PyTorch. Where this module differs
on purpose, the docstring says so: a loss whose target shape differs from
the input's raises instead of warning and broadcasting.
"""

import math
import numbers
import warnings

import numpy as np

import autograd as ag

from . import _ops

__all__ = [
    "linear", "bilinear", "conv1d", "conv2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "pad", "dropout", "dropout2d", "batch_norm", "layer_norm",
    "embedding", "one_hot", "relu", "relu6", "leaky_relu", "elu", "gelu", "silu", "mish", "softplus", "hardtanh",
    "sigmoid", "tanh", "softmax", "log_softmax", "logsigmoid", "normalize", "mse_loss", "l1_loss",
    "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
]

_Tensor = ag.Tensor


def _tensor(x, name="input"):
    if isinstance(x, _Tensor):
        return x
    if isinstance(x, (np.ndarray, numbers.Number, list, tuple)):
        return ag.tensor(x)
    raise TypeError(f"{name} must be a Tensor, got {type(x).__name__}")


def _shape(x):
    return tuple(x.shape)


# ---- linear ---------------------------------------------------------------------------------------
def linear(input, weight, bias=None):  # noqa: A002 - PyTorch's argument names
    """``input @ weight.T + bias`` for ``input`` of shape ``(*, in)`` and ``weight`` ``(out, in)``.

    One tape record (``nn._ops.Linear``). Like PyTorch, the input and the
    weight must have the same dtype.
    """
    if input.ndim == 0 or input.shape[-1] != weight.shape[-1]:
        raise RuntimeError(
            f"linear: input of shape {_shape(input)} does not fit weight of shape {_shape(weight)}; the input's last "
            f"dimension must be {weight.shape[-1]}"
        )
    if input.dtype != weight.dtype:
        raise RuntimeError(
            f"linear: input dtype {input.dtype} does not match weight dtype {weight.dtype}; convert the input "
            f"(x.to({'ag.' + weight.dtype.name})) or the model (model.to(ag.{input.dtype.name}))"
        )
    if bias is None:
        return _ops.Linear.apply(input, weight)
    return _ops.Linear.apply(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """``y[..., o] = x1[..., i] W[o, i, j] x2[..., j] + b[o]``."""
    lead = _shape(input1)[:-1]
    if _shape(input2)[:-1] != lead:
        raise RuntimeError(f"bilinear: input1 {_shape(input1)} and input2 {_shape(input2)} must agree except in the last dim")
    x1 = input1.reshape(-1, input1.shape[-1])
    x2 = input2.reshape(-1, input2.shape[-1])
    out = ag.einsum("bi,oij,bj->bo", x1, weight, x2)
    if bias is not None:
        out = out + bias
    return out.reshape(lead + (weight.shape[0],))


# ---- convolution and pooling --------------------------------------------------------------------------
def _engine_op(name):
    fn = getattr(ag, name, None)
    if fn is None:
        raise NotImplementedError(
            f"{name} needs the engine op autograd.{name} (autograd/ops/conv.py), which this installation lacks"
        )
    return fn


def _ntuple(value, n, name):
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ValueError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
        return tuple(int(v) for v in value)
    return (int(value),) * n


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    """2-D cross-correlation over ``(N, C, H, W)`` (or ``(C, H, W)``); ``padding`` may be 'valid' or 'same'.

    The engine's ``autograd.conv2d``.
    """
    return _engine_op("conv2d")(input, weight, bias, stride, padding, dilation, groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):  # noqa: A002
    """1-D cross-correlation over ``(N, C, L)`` (or ``(C, L)``); ``padding`` may be 'valid' or 'same'.

    The engine's ``autograd.conv1d``.
    """
    return _engine_op("conv1d")(input, weight, bias, stride, padding, dilation, groups)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):  # noqa: A002
    """Max over ``kernel_size`` windows; ``stride`` defaults to ``kernel_size``."""
    return _engine_op("max_pool2d")(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,  # noqa: A002
               divisor_override=None):
    """Mean over ``kernel_size`` windows; ``stride`` defaults to ``kernel_size``."""
    return _engine_op("avg_pool2d")(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def adaptive_avg_pool2d(input, output_size):  # noqa: A002
    """Average pooling to a fixed ``output_size`` (an int, or a pair whose None entries keep the input size)."""
    h, w = input.shape[-2], input.shape[-1]
    oh, ow = _ntuple(output_size, 2, "output_size") if not isinstance(output_size, (tuple, list)) else output_size
    oh = h if oh is None else int(oh)
    ow = w if ow is None else int(ow)
    if (oh, ow) == (1, 1):
        return input.mean(dim=(-2, -1), keepdim=True)
    if (oh, ow) == (h, w):
        return input
    return _engine_op("adaptive_avg_pool2d")(input, (oh, ow))


def _pool1d(fn, input, *args):  # noqa: A002
    return fn(input.unsqueeze(-2), *args).squeeze(-2)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):  # noqa: A002
    """1-D max pooling over ``(N, C, L)``, through ``max_pool2d`` on a height-1 image."""
    stride = kernel_size if stride is None else stride
    out = max_pool2d(input.unsqueeze(-2), (1, _ntuple(kernel_size, 1, "kernel_size")[0]),
                     (1, _ntuple(stride, 1, "stride")[0]), (0, _ntuple(padding, 1, "padding")[0]),
                     (1, _ntuple(dilation, 1, "dilation")[0]), ceil_mode, return_indices)
    if return_indices:
        values, idx = out
        return values.squeeze(-2), idx.squeeze(-2)
    return out.squeeze(-2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):  # noqa: A002
    """1-D average pooling over ``(N, C, L)``, through ``avg_pool2d`` on a height-1 image."""
    stride = kernel_size if stride is None else stride
    return avg_pool2d(input.unsqueeze(-2), (1, _ntuple(kernel_size, 1, "kernel_size")[0]),
                      (1, _ntuple(stride, 1, "stride")[0]), (0, _ntuple(padding, 1, "padding")[0]),
                      ceil_mode, count_include_pad).squeeze(-2)


def adaptive_avg_pool1d(input, output_size):  # noqa: A002
    """Average pooling of ``(N, C, L)`` to ``output_size``, through ``adaptive_avg_pool2d``."""
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, _ntuple(output_size, 1, "output_size")[0])).squeeze(-2)


_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(input, pad, mode="constant", value=None):  # noqa: A002
    """Pad the last dims: ``pad = (left, right, top, bottom, ...)`` starting from the last dim, as ``F.pad``.

    ``mode`` is 'constant' (with ``value``, default 0), 'reflect', 'replicate'
    or 'circular'. Negative amounts crop.
    """
    pad = [int(p) for p in pad]
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(f"pad: padding length must be even and at most 2 * input.ndim ({2 * input.ndim}), got {len(pad)}")
    nd = input.ndim
    widths = [(0, 0)] * nd
    for i in range(len(pad) // 2):
        widths[nd - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    if any(lo < 0 or hi < 0 for lo, hi in widths):
        crop = tuple(slice(max(-lo, 0), input.shape[d] - max(-hi, 0)) for d, (lo, hi) in enumerate(widths))
        input = input[crop]
        widths = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
    if all(lo == 0 and hi == 0 for lo, hi in widths):
        return input
    if mode == "constant":
        return _ops.ConstantPad.apply(input, widths=tuple(widths), value=0.0 if value is None else value)
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"pad: unsupported mode {mode!r}; use 'constant', 'reflect', 'replicate' or 'circular'")
    out = input
    for d, (lo, hi) in enumerate(widths):
        if lo == 0 and hi == 0:
            continue
        n = input.shape[d]
        limit = n - 1 if mode == "reflect" else n
        if mode != "replicate" and (lo > limit or hi > limit):
            raise ValueError(
                f"pad: {mode} padding of ({lo}, {hi}) is too large for dimension {d} of size {n} (input shape "
                f"{_shape(input)}); it must be at most {limit}"
            )
        index = np.pad(np.arange(n), (lo, hi), mode=_PAD_MODES[mode])
        out = out[(slice(None),) * d + (index,)]
    return out


# ---- dropout -----------------------------------------------------------------------------------------
def _check_p(p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p=0.5, training=True, inplace=False):  # noqa: A002
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``; identity when not training.

    The mask is drawn from the library's random source (``autograd.manual_seed``).
    """
    _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = ag.rand(*input.shape).data < (1.0 - p)
    mask = keep.astype(input.dtype)
    mask *= 1.0 / (1.0 - p)
    return input * mask


def dropout2d(input, p=0.5, training=True, inplace=False):  # noqa: A002
    """Zero whole channels of ``(N, C, H, W)`` (or ``(C, H, W)``) with probability ``p``; scale the rest."""
    _check_p(p)
    if input.ndim not in (3, 4):
        raise RuntimeError(f"dropout2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {_shape(input)}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    shape = _shape(input)[:-2] + (1, 1)
    mask = (ag.rand(*shape).data < (1.0 - p)).astype(input.dtype)
    mask *= 1.0 / (1.0 - p)
    return input * mask


# ---- normalisation --------------------------------------------------------------------------------------
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):  # noqa: A002
    """Normalise each channel (dim 1) of ``(N, C, *)``.

    In training, with the batch's mean and biased variance, and the running
    statistics (if given) are updated in place:
    ``running = (1 - momentum) * running + momentum * batch_stat``, using the
    unbiased variance for ``running_var``. Otherwise with the running statistics.
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected an input with a channel dim (N, C, ...), got shape {_shape(input)}")
    c = input.shape[1]
    shape = (1, c) + (1,) * (input.ndim - 2)
    if training:
        dims = (0,) + tuple(range(2, input.ndim))
        count = input.numel() // c
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {_shape(input)}")
        mean = input.mean(dim=dims, keepdim=True)
        centered = input - mean
        var = (centered * centered).mean(dim=dims, keepdim=True)
        with ag.no_grad():
            if running_mean is not None:
                new = (1.0 - momentum) * running_mean.data + momentum * mean.data.reshape(c)
                running_mean.copy_(new.astype(running_mean.dtype, copy=False))
            if running_var is not None:
                unbiased = var.data.reshape(c) * (count / (count - 1))
                new = (1.0 - momentum) * running_var.data + momentum * unbiased
                running_var.copy_(new.astype(running_var.dtype, copy=False))
        scale = (var + eps).rsqrt()
        if weight is not None:
            scale = scale * weight.reshape(shape)
        out = centered * scale
        return out + bias.reshape(shape) if bias is not None else out
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are required when training=False")
    # y = x * scale + shift, with scale and shift computed on the (C,)-sized tensors
    scale = (running_var.reshape(shape) + eps).rsqrt()
    if weight is not None:
        scale = scale * weight.reshape(shape)
    shift = -running_mean.reshape(shape) * scale
    if bias is not None:
        shift = shift + bias.reshape(shape)
    return input * scale + shift


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):  # noqa: A002
    """Normalise over the last ``len(normalized_shape)`` dims with the biased variance, then scale and shift."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) else tuple(normalized_shape)
    k = len(normalized_shape)
    if _shape(input)[input.ndim - k:] != normalized_shape or input.ndim < k:
        raise RuntimeError(
            f"layer_norm: expected input with shape (*, {', '.join(map(str, normalized_shape))}), got {_shape(input)}"
        )
    dims = tuple(range(input.ndim - k, input.ndim))
    mean = input.mean(dim=dims, keepdim=True)
    centered = input - mean
    var = (centered * centered).mean(dim=dims, keepdim=True)
    out = centered * (var + eps).rsqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def normalize(input, p=2.0, dim=1, eps=1e-12):  # noqa: A002
    """``input / max(||input||_p, eps)`` along ``dim``."""
    return input / input.norm(p, dim=dim, keepdim=True).clamp(min=eps)


# ---- embedding ----------------------------------------------------------------------------------------
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):  # noqa: A002
    """Rows of ``weight`` picked by the integer ``input``; ``padding_idx`` rows get no gradient."""
    idx = input.data if isinstance(input, _Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(
            f"embedding: expected an integer tensor of indices, got dtype {idx.dtype}; convert with .long()"
        )
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise IndexError(f"embedding: index {bad} is out of range for {n} embeddings (valid: 0..{n - 1})")
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: max_norm, scale_grad_by_freq and sparse are not supported")
    out = weight[idx]
    if padding_idx is not None and out.requires_grad:
        if padding_idx < 0:
            padding_idx += n
        at_pad = idx == padding_idx
        if at_pad.any():
            # same values, but the gradient of the padding positions is cut
            out = ag.where(np.broadcast_to(at_pad[..., None], out.shape), out.detach(), out)
    return out


def one_hot(tensor, num_classes=-1):
    """``(*,)`` integer classes to ``(*, num_classes)`` int64 one-hot rows."""
    idx = tensor.data if isinstance(tensor, _Tensor) else np.asarray(tensor)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"one_hot is only applicable to index tensor, got dtype {idx.dtype}")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        raise RuntimeError(f"one_hot: class values must be in [0, {num_classes}), got {int(idx.min())}..{int(idx.max())}")
    return ag.tensor(np.eye(num_classes, dtype=np.int64)[idx])


# ---- activations ---------------------------------------------------------------------------------------
def relu(input, inplace=False):  # noqa: A002
    """``max(x, 0)`` elementwise (in place with ``inplace=True``)."""
    return input.relu_() if inplace else input.relu()


def relu6(input, inplace=False):  # noqa: A002
    """``min(max(x, 0), 6)`` elementwise; ``inplace`` is accepted and ignored."""
    return hardtanh(input, 0.0, 6.0)


def leaky_relu(input, negative_slope=0.01, inplace=False):  # noqa: A002
    """``x`` where ``x > 0``, else ``negative_slope * x``."""
    return ag.where(input.data > 0, input, input * negative_slope)


def elu(input, alpha=1.0, inplace=False):  # noqa: A002
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    negative = input.clamp(max=0.0).expm1() * alpha
    return ag.where(input.data > 0, input, negative)


def gelu(input, approximate="none"):  # noqa: A002
    """``x * Phi(x)`` with the exact normal CDF, or PyTorch's tanh approximation with ``approximate='tanh'``."""
    if approximate == "none":
        return _ops.Gelu.apply(input)
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2.0 / math.pi)
        return input * (inner.tanh() + 1.0) * 0.5
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(input, inplace=False):  # noqa: A002
    """``x * sigmoid(x)``."""
    return input * input.sigmoid()


def softplus(input, beta=1.0, threshold=20.0):  # noqa: A002
    """``log(1 + exp(beta x)) / beta``, and ``x`` where ``beta x > threshold``."""
    return _ops.Softplus.apply(input, beta=beta, threshold=threshold)


def mish(input, inplace=False):  # noqa: A002
    """``x * tanh(softplus(x))``."""
    return input * _ops.Softplus.apply(input, beta=1.0, threshold=20.0).tanh()


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):  # noqa: A002
    """Clamp to ``[min_val, max_val]``; the gradient is 1 strictly inside, 0 elsewhere (PyTorch's rule)."""
    if min_val > max_val:
        raise ValueError("hardtanh: min_val cannot be greater than max_val")
    inside = (input.data > min_val) & (input.data < max_val)
    return ag.where(inside, input, input.detach().clamp(min_val, max_val))


def logsigmoid(input):  # noqa: A002
    """``log(sigmoid(x)) = -softplus(-x)``, without overflow."""
    return -_ops.Softplus.apply(-input, beta=1.0, threshold=None)


def sigmoid(input):  # noqa: A002
    """The logistic function elementwise, computed without overflow."""
    return input.sigmoid()


def tanh(input):  # noqa: A002
    """The hyperbolic tangent elementwise."""
    return input.tanh()


def _softmax_dim(name, ndim, dim):
    if dim is not None:
        return dim
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, dtype=None):  # noqa: A002
    """Softmax along ``dim``, as ``torch.nn.functional.softmax``.

    ``dtype`` casts the input first. Without ``dim`` PyTorch's deprecated
    implicit choice is made (dim 0 for 0-, 1- and 3-D input, else 1) with a
    warning.
    """
    x = input if dtype is None else input.to(dtype)
    return x.softmax(_softmax_dim("softmax", x.ndim, dim))


def log_softmax(input, dim=None, dtype=None):  # noqa: A002
    """Log-softmax along ``dim``, computed stably; arguments as :func:`softmax`."""
    x = input if dtype is None else input.to(dtype)
    return x.log_softmax(_softmax_dim("log_softmax", x.ndim, dim))


# ---- losses ---------------------------------------------------------------------------------------------
_REDUCTIONS = ("none", "mean", "sum")


def _legacy_reduction(size_average, reduce, reduction):
    """PyTorch's deprecated ``size_average``/``reduce`` pair, mapped to ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction= instead.", stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return "mean"
    return "sum" if reduce else "none"


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction; use 'mean', 'sum' or 'none'")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _pair(input, target, opname):  # noqa: A002
    """Check a pointwise loss's operands: same shape (PyTorch only warns), floating input."""
    input = _tensor(input)
    target = _tensor(target, "target")
    if _shape(input) != _shape(target):
        raise ValueError(
            f"{opname}: target shape {_shape(target)} differs from input shape {_shape(input)}; they must match "
            "(PyTorch would broadcast them with a warning, which is almost always a bug), e.g. use "
            "target.reshape(input.shape) or input.squeeze(-1)"
        )
    if input.dtype.kind != "f":
        raise TypeError(f"{opname}: input must be floating point, got {input.dtype}")
    if target.dtype != input.dtype:
        target = target.to(input.dtype)
    return input, target


def _weighted(loss, weight, reduction, input, mean_by_weight):  # noqa: A002
    if weight is None:
        return _reduce(loss, reduction)
    if _shape(weight) != _shape(input):
        raise ValueError(f"Weights and input must have the same size (weight {_shape(weight)}, input {_shape(input)}).")
    loss = loss * weight
    if reduction == "mean" and mean_by_weight:
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):  # noqa: A002
    """Mean squared error ``(x - y)^2``, reduced; with ``weight``, the mean divides by ``weight.sum()``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target = _pair(input, target, "mse_loss")
    diff = input - target
    return _weighted(diff * diff, weight, reduction, input, True)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):  # noqa: A002
    """Mean absolute error ``|x - y|``, reduced; with ``weight``, the mean divides by ``weight.sum()``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target = _pair(input, target, "l1_loss")
    return _weighted((input - target).abs(), weight, reduction, input, True)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):  # noqa: A002
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (``beta = 0`` is the L1 loss)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = _pair(input, target, "smooth_l1_loss")
    diff = input - target
    absdiff = diff.abs()
    if beta == 0:
        return _reduce(absdiff, reduction)
    loss = ag.where(absdiff.data < beta, diff * diff * (0.5 / beta), absdiff - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):  # noqa: A002
    """``0.5 d^2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``; with ``weight``, mean is over elements."""
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    input, target = _pair(input, target, "huber_loss")
    diff = input - target
    absdiff = diff.abs()
    loss = ag.where(absdiff.data < delta, diff * diff * 0.5, (absdiff - 0.5 * delta) * delta)
    return _weighted(loss, weight, reduction, input, False)


def _class_dim_check(input, target, opname):  # noqa: A002
    """Shapes for class-index losses: input ``(N, C, d...)`` or ``(C,)``, target ``(N, d...)`` or ``()``."""
    if input.ndim == 0:
        raise ValueError(f"{opname}: input must have a class dimension, got a 0-d tensor")
    expected = _shape(input)[:1] + _shape(input)[2:] if input.ndim >= 2 else ()
    if _shape(target) != expected:
        if input.ndim >= 2 and target.ndim >= 1 and target.shape[0] != input.shape[0]:
            raise ValueError(
                f"{opname}: Expected input batch_size ({input.shape[0]}) to match target batch_size ({target.shape[0]}); "
                f"input shape {_shape(input)}, target shape {_shape(target)}"
            )
        raise ValueError(
            f"{opname}: expected target of shape {expected} (class indices) for input of shape {_shape(input)}, "
            f"got {_shape(target)}"
        )


def _class_targets(target, n_classes, ignore_index, opname):
    """The target's index array and the mask of targets not ignored (None when none is ignored); checks the range."""
    t = target.data if isinstance(target, _Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"{opname}: expected class indices (an integer tensor, e.g. target.long()) as target, got dtype {t.dtype}"
        )
    if t.size:
        lo, hi = t.min(), t.max()
        if 0 <= lo and hi < n_classes and not lo <= ignore_index <= hi:
            return t, None  # every target is a class and none is ignore_index: no mask needed
    valid = t != ignore_index
    if valid.any():
        tv = t[valid]
        if tv.min() < 0 or tv.max() >= n_classes:
            bad = int(tv.max()) if tv.max() >= n_classes else int(tv.min())
            raise IndexError(f"{opname}: Target {bad} is out of bounds (classes 0..{n_classes - 1}, ignore_index={ignore_index})")
    return t, valid


def _class_weight(weight, n_classes, opname):
    if weight is None:
        return None
    w = weight.data if isinstance(weight, _Tensor) else np.asarray(weight)
    if w.shape != (n_classes,):
        raise RuntimeError(f"{opname}: weight tensor should be defined either for all {n_classes} classes or no classes but got weight tensor of shape: {w.shape}")
    return w


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):  # noqa: A002
    """Negative log-likelihood of class indices: ``-weight[t] * input[n, t]``.

    The mean divides by the sum of the weights of the non-ignored targets
    (the count of them without ``weight``), as PyTorch.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input = _tensor(input)
    _class_dim_check(input, target, "nll_loss")
    return _nll(input, target, weight, ignore_index, reduction, "nll_loss")


def _nll(input, target, weight, ignore_index, reduction, opname):  # noqa: A002
    """``nll_loss`` once its arguments are checked (``cross_entropy`` checks them itself)."""
    class_dim = 1 if input.ndim >= 2 else 0
    n_classes = input.shape[class_dim]
    t, valid = _class_targets(target, n_classes, ignore_index, opname)
    w = _class_weight(weight, n_classes, opname)
    if valid is None and w is None:  # the common case: every target counts once
        coef = 1.0
        denom = float(t.size) if reduction == "mean" else 1.0
        return _ops.NllLoss.apply(input, target=t, coef=coef, class_dim=class_dim, reduction=reduction, denom=denom)
    if valid is None:
        valid = np.ones(t.shape, dtype=bool)
    safe = np.where(valid, t, 0)
    coef = valid.astype(input.dtype) if w is None else (w[safe] * valid).astype(input.dtype)
    denom = coef.sum() if reduction == "mean" else 1.0
    return _ops.NllLoss.apply(input, target=safe, coef=coef, class_dim=class_dim, reduction=reduction, denom=denom)


def _mean_by(total, denom):
    """``total / denom``; with every target ignored (denom 0) the loss is NaN and the gradient 0, as PyTorch."""
    if denom == 0:
        return total * 0.0 + float("nan")
    return total / float(denom)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,  # noqa: A002
                  reduction="mean", label_smoothing=0.0):
    """Cross-entropy of logits ``input`` (``(N, C)``, ``(N, C, d...)`` or ``(C,)``) against ``target``.

    ``target`` holds class indices (an integer tensor of shape ``(N, d...)``)
    or class probabilities (a float tensor of the input's shape). Computed as
    ``nll_loss(log_softmax(input))``, which stays finite for huge logits.
    ``label_smoothing`` mixes the target with the uniform distribution as
    PyTorch does; with ``weight`` and class indices the mean divides by the
    weights of the non-ignored targets.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    input = _tensor(input)
    target = _tensor(target, "target")
    if input.dtype.kind != "f":
        raise TypeError(f"cross_entropy: input (logits) must be floating point, got {input.dtype}")
    class_dim = 1 if input.ndim >= 2 else 0
    logp = input.log_softmax(class_dim)
    n_classes = input.shape[class_dim] if input.ndim else 0
    w = _class_weight(weight, n_classes, "cross_entropy")
    wshape = [1] * input.ndim
    if input.ndim:
        wshape[class_dim] = n_classes

    if target.dtype.kind == "f":  # class probabilities
        if _shape(target) != _shape(input):
            raise ValueError(
                f"cross_entropy: a float target means class probabilities and must have the input's shape "
                f"{_shape(input)}, got {_shape(target)}; for class indices pass an integer tensor (target.long())"
            )
        if label_smoothing > 0:
            target = target * (1.0 - label_smoothing) + label_smoothing / n_classes
        prod = logp * target.to(input.dtype)
        if w is not None:
            prod = prod * w.reshape(wshape).astype(input.dtype)
        loss = -prod.sum(class_dim)
        if reduction == "mean":
            return loss.sum() / (input.numel() // n_classes) if input.ndim >= 2 else loss
        return _reduce(loss, reduction)

    _class_dim_check(input, target, "cross_entropy")
    nll = _nll(logp, target, weight, ignore_index, reduction, "cross_entropy")
    if label_smoothing <= 0:
        return nll
    t, valid = _class_targets(target, n_classes, ignore_index, "cross_entropy")
    if valid is None:
        valid = np.ones(t.shape, dtype=bool)
    prod = logp if w is None else logp * w.reshape(wshape).astype(input.dtype)
    smooth = -prod.sum(class_dim)
    smooth = smooth * valid.astype(input.dtype)
    if reduction == "none":
        ret = smooth
    elif reduction == "sum":
        ret = smooth.sum()
    else:
        ret = _mean_by(smooth.sum(), valid.sum() if w is None else w[t[valid]].sum())
    return nll * (1.0 - label_smoothing) + ret * (label_smoothing / n_classes)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):  # noqa: A002
    """``-w (t log x + (1 - t) log(1 - x))`` for probabilities ``x``; each log is clamped at -100, as PyTorch."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target = _pair(input, target, "binary_cross_entropy")
    x = input.data
    if x.size and (np.nanmin(x) < 0 or np.nanmax(x) > 1):
        raise RuntimeError(
            "binary_cross_entropy: all elements of input should be between 0 and 1 (they are probabilities); "
            "for logits use binary_cross_entropy_with_logits / BCEWithLogitsLoss"
        )
    loss = _ops.BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,  # noqa: A002
                                     reduction="mean", pos_weight=None):
    """``sigmoid`` + binary cross-entropy in one stable formula, as PyTorch:

    ``(1 - t) x + (1 + (pos_weight - 1) t) softplus(-x)``, times ``weight``.
    Finite loss and gradients for logits of any size.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target = _pair(input, target, "binary_cross_entropy_with_logits")
    softplus_neg = _ops.Softplus.apply(-input, beta=1.0, threshold=None)
    if pos_weight is not None:
        log_weight = (pos_weight - 1.0) * target + 1.0
        loss = (1.0 - target) * input + log_weight * softplus_neg
    else:
        loss = (1.0 - target) * input + softplus_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)
