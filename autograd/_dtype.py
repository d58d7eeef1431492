"""Dtypes and PyTorch's type-promotion rules, on numpy dtypes.

A Tensor's dtype is a plain ``numpy.dtype``. Promotion follows
``torch.result_type``: dtypes are ranked by category (bool < integer <
floating); a Python scalar or a 0-d tensor only promotes when its category is
higher than the n-d tensor's, in which case the result takes the default
float dtype (for a float scalar) or int64 (for an int scalar).
"""

import numpy as np

float16 = half = np.dtype("float16")
float32 = np.dtype("float32")
float64 = double = np.dtype("float64")
int8 = np.dtype("int8")
uint8 = np.dtype("uint8")
int16 = short = np.dtype("int16")
int32 = np.dtype("int32")
int64 = long = np.dtype("int64")
bool_ = np.dtype("bool")

_default_dtype = float32


def get_default_dtype():
    """The dtype that Python floats and float factories produce (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(dtype):
    """Set the default floating dtype (``float32`` or ``float64``), as ``torch.set_default_dtype``."""
    global _default_dtype
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: only floating dtypes are supported, got {dtype}")
    _default_dtype = dtype


def _category(dtype):
    kind = dtype.kind
    if kind == "b":
        return 0
    if kind in "iu":
        return 1
    if kind == "f":
        return 2
    return 3  # complex


def is_floating(dtype):
    return dtype.kind in "fc"


def scalar_dtype(value):
    """The dtype a Python scalar becomes when it is made into a tensor on its own."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, (float, np.floating)):
        return _default_dtype
    if isinstance(value, complex):
        return np.dtype("complex64") if _default_dtype == float32 else np.dtype("complex128")
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def result_type(a_dtype, a_ndim, b_dtype, b_ndim, b_is_scalar=False):
    """Promote two operands as ``torch.result_type`` does.

    Operands rank by priority: n-d tensors, then 0-d tensors, then Python
    scalars (``b_is_scalar``). The highest category present wins; among the
    operands of that category, the highest-priority ones decide the width, and
    when only a scalar has it the result is the default dtype of that category.
    """
    if a_dtype == b_dtype:
        return a_dtype
    ca, cb = _category(a_dtype), _category(b_dtype)
    if ca != cb:
        if ca > cb:
            return a_dtype
        if b_is_scalar:
            return _default_for(cb, b_dtype)
        return b_dtype
    pa = 2 if a_ndim else 1
    pb = 0 if b_is_scalar else (2 if b_ndim else 1)
    if pa > pb:
        return a_dtype
    if pb > pa:
        return b_dtype
    return np.promote_types(a_dtype, b_dtype)


def _default_for(category, dtype):
    if category == 2:
        return _default_dtype
    if category == 1:
        return int64
    return dtype
