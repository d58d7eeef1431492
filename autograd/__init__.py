"""tapegrad's engine: a ``Tensor`` that records each op on a dynamic tape, and reverse mode over it.

The public names mirror ``torch`` (``import autograd as ag`` where you would
``import torch``): tensors and factories, dtypes, grad mode, ``backward`` and
``grad``, the function transforms in ``autograd.functional``, ``gradcheck``,
``detect_anomaly``, and the tape itself (``tape``, ``print_tape``).
"""

from . import data, functional, graph, memory, ops
from ._dtype import (
    bool_,
    double,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
)
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .engine import backward, grad
from .factories import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .function import Function
from .grad_mode import enable_grad, is_grad_enabled, name_scope, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .ops import (
    bmm,
    cat,
    concat,
    concatenate,
    dot,
    einsum,
    gather,
    index_select,
    masked_fill,
    matmul,
    maximum,
    minimum,
    mm,
    outer,
    scatter,
    stack,
    where,
)
from .ops.conv import adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, conv1d, conv2d, max_pool2d
from .random import Generator, get_rng_state, manual_seed, seed, set_rng_state
from .tape import TapeEntry, format_tape, print_tape, tape
from .tensor import Tensor
from .viz import draw_training_step, make_dot

bool = bool_  # noqa: A001 - torch.bool
float = float32  # noqa: A001 - torch.float
int = int32  # noqa: A001 - torch.int

__version__ = "0.1.0"


def _method(name):
    def fn(input, *args, **kwargs):  # noqa: A002 - PyTorch's argument name
        if not isinstance(input, Tensor):
            input = tensor(input)
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = name
    fn.__qualname__ = name
    fn.__doc__ = f"``autograd.{name}(x, ...)`` is ``x.{name}(...)``; see :meth:`Tensor.{name}`."
    return fn


# torch.* functions that are Tensor methods with the tensor first
for _name in (
    "exp log log2 log10 log1p expm1 sqrt rsqrt square sin cos tan tanh sinh cosh sigmoid relu abs sign "
    "floor ceil round trunc neg negative reciprocal clamp clip pow sum mean prod var std max min amax amin "
    "argmax argmin logsumexp softmax log_softmax norm cumsum reshape flatten unflatten squeeze unsqueeze "
    "transpose swapaxes permute movedim expand broadcast_to repeat tile flip roll chunk split narrow unbind "
    "tril triu clone detach isnan isinf isfinite any all add sub mul div true_divide multiply subtract divide "
    "remainder floor_divide lerp addcmul addcdiv t numel allclose equal eq ne lt le gt ge"
).split():
    globals()[_name] = _method(_name)
del _name


def is_tensor(obj):
    """True if ``obj`` is a ``Tensor`` (an ``nn.Parameter`` too), as ``torch.is_tensor``."""
    return isinstance(obj, Tensor)


def numel(x):
    """The number of elements of ``x``, as ``torch.numel``."""
    return x.numel()


def sigmoid(x):
    """Logistic function, computed without overflow for large ``|x|``."""
    return tensor(x).sigmoid() if not isinstance(x, Tensor) else x.sigmoid()


def from_array(array):
    """A tensor sharing memory with a numpy array: :func:`from_numpy` under another name."""
    return from_numpy(array)


def no_grad_fn(fn):
    """Decorator form of :class:`no_grad`, kept for readability in examples."""
    return no_grad()(fn)

