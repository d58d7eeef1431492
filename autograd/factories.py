"""Tensor factories, mirroring ``torch.tensor``, ``zeros``, ``randn`` and friends."""

import numbers

import numpy as np

from . import _dtype
from .random import _rng
from .tensor import Tensor, _as_array, _dtype_of


def _finish(arr, requires_grad):
    t = Tensor(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, numbers.Integral) or s < 0:
            raise RuntimeError(f"factory: sizes must be non-negative ints, got {tuple(size)}")
    return tuple(int(s) for s in size)


def _float_dtype(dtype):
    return _dtype.get_default_dtype() if dtype is None else _dtype_of(dtype)


def tensor(data, dtype=None, requires_grad=False, device=None):
    """Build a tensor from data (copying it), as ``torch.tensor``.

    Python floats become float32 (the default dtype), ints int64; numpy
    arrays keep their dtype.

    >>> import autograd as ag
    >>> ag.tensor([1, 2]).dtype
    dtype('int64')
    >>> ag.tensor([1.0, 2.0]).dtype
    dtype('float32')
    """
    arr = _as_array(data, dtype)
    if isinstance(data, (np.ndarray, Tensor)) and (arr is data or (isinstance(data, Tensor) and arr is data.data)):
        arr = arr.copy()
    return _finish(arr, requires_grad)


def as_tensor(data, dtype=None):
    """Like ``tensor`` but shares memory with a numpy array when the dtype allows."""
    return Tensor(_as_array(data, dtype))


def from_numpy(array):
    """A tensor sharing memory with ``array``."""
    return Tensor(np.asarray(array))


def zeros(*size, dtype=None, requires_grad=False, device=None):
    """A tensor of zeros, as ``torch.zeros``.

    Parameters
    ----------
    *size : int or a tuple of int
        The shape, e.g. ``zeros(2, 3)`` or ``zeros((2, 3))``.
    dtype : dtype, optional
        The default float dtype (``get_default_dtype()``) when not given.
    requires_grad : bool
        Make the result a leaf that requires grad.
    device : ignored
        Accepted for PyTorch compatibility.
    """
    return _finish(np.zeros(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad=False, device=None):
    """A tensor of ones of shape ``size``, as ``torch.ones`` (same arguments as :func:`zeros`)."""
    return _finish(np.ones(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad=False, device=None):
    """An uninitialised tensor of shape ``size``, as ``torch.empty`` (same arguments as :func:`zeros`)."""
    return _finish(np.empty(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False, device=None):
    """A tensor of shape ``size`` filled with ``fill_value``; the dtype follows the value (int64, float, bool)."""
    if dtype is None:
        dtype = _dtype.scalar_dtype(fill_value)
    return _finish(np.full(_size((size,)), fill_value, dtype=_dtype_of(dtype)), requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False, device=None):
    """An ``n`` x ``m`` (default ``n`` x ``n``) matrix with ones on the diagonal, as ``torch.eye``."""
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None):
    """Values from ``start`` to ``end`` (exclusive); int64 for ints, float32 when any argument is a float."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, numbers.Integral) for v in (start, end, step))
        dtype = np.int64 if is_int else _dtype.get_default_dtype()
    return _finish(np.arange(start, end, step).astype(_dtype_of(dtype)), requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False, device=None):
    """``steps`` values evenly spaced from ``start`` to ``end`` inclusive, in the default float dtype."""
    return _finish(np.linspace(start, end, steps).astype(_float_dtype(dtype)), requires_grad)


def rand(*size, dtype=None, requires_grad=False, generator=None, device=None):
    """Samples from U(0, 1) of shape ``size``, from the library's random source or from ``generator``."""
    rng = generator.rng if generator is not None else _rng()
    return _finish(rng.random(_size(size)).astype(_float_dtype(dtype)), requires_grad)


def randn(*size, dtype=None, requires_grad=False, generator=None, device=None):
    """Samples from N(0, 1) of shape ``size``, from the library's random source or from ``generator``."""
    rng = generator.rng if generator is not None else _rng()
    return _finish(rng.standard_normal(_size(size)).astype(_float_dtype(dtype)), requires_grad)


def randint(low, high=None, size=None, dtype=None, generator=None, requires_grad=False, device=None):
    """Random ints in ``[low, high)`` (int64), as ``torch.randint(low, high, size)``."""
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint() missing required argument 'size'")
    if high is None:
        low, high = 0, low
    rng = generator.rng if generator is not None else _rng()
    return _finish(rng.integers(low, high, size=_size((size,))).astype(_dtype_of(dtype or np.int64)), requires_grad)


def randperm(n, dtype=None, generator=None):
    """A random permutation of ``0 .. n - 1`` (int64), as ``torch.randperm``."""
    rng = generator.rng if generator is not None else _rng()
    return Tensor(rng.permutation(n).astype(_dtype_of(dtype or np.int64)))


def _like(fn, x, dtype, requires_grad, *args):
    dt = x.dtype if dtype is None else _dtype_of(dtype)
    return _finish(fn(x.shape, *args).astype(dt), requires_grad)


def zeros_like(x, dtype=None, requires_grad=False):
    """Zeros with the shape (and, by default, the dtype) of ``x``."""
    return _like(np.zeros, x, dtype, requires_grad)


def ones_like(x, dtype=None, requires_grad=False):
    """Ones with the shape (and, by default, the dtype) of ``x``."""
    return _like(np.ones, x, dtype, requires_grad)


def empty_like(x, dtype=None, requires_grad=False):
    """An uninitialised tensor with the shape (and, by default, the dtype) of ``x``."""
    return _like(np.empty, x, dtype, requires_grad)


def full_like(x, fill_value, dtype=None, requires_grad=False):
    """``fill_value`` everywhere, with the shape (and, by default, the dtype) of ``x``."""
    return _like(lambda shape: np.full(shape, fill_value), x, dtype, requires_grad)


def rand_like(x, dtype=None, requires_grad=False):
    """U(0, 1) samples with the shape (and, by default, the dtype) of ``x``."""
    return _like(lambda shape: _rng().random(shape), x, dtype, requires_grad)


def randn_like(x, dtype=None, requires_grad=False):
    """N(0, 1) samples with the shape (and, by default, the dtype) of ``x``."""
    return _like(lambda shape: _rng().standard_normal(shape), x, dtype, requires_grad)


def randint_like(x, low, high=None, dtype=None):
    """Random ints in ``[low, high)`` (``[0, low)`` with one bound) with the shape and dtype of ``x``."""
    if high is None:
        low, high = 0, low
    return Tensor(_rng().integers(low, high, size=x.shape).astype(_dtype_of(dtype) if dtype else x.dtype))
