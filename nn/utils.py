"""Gradient clipping and parameter/vector conversion, as ``torch.nn.utils``.

Self-contained: it needs only ``autograd`` and numpy, so it works on any
tensors, whether or not they belong to an ``nn.Module``. Gradients are changed
in place on their numpy arrays, outside the tape.
"""

import math
import types
import warnings

import numpy as np

import autograd as ag

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "parameters_to_vector", "vector_to_parameters"]


def _as_list(tensors):
    """A list of tensors from one tensor or an iterable of them."""
    if isinstance(tensors, ag.Tensor):
        return [tensors]
    return list(tensors)


def _vector_norm(values, norm_type):
    """The ``norm_type``-norm of all entries of ``values`` as one vector (``torch.linalg.vector_norm``)."""
    absolute = np.abs(values)
    if absolute.size == 0:
        return absolute.dtype.type(0)
    if norm_type == math.inf:
        return absolute.max()
    if norm_type == -math.inf:
        return absolute.min()
    if norm_type == 0:
        return absolute.dtype.type(np.count_nonzero(absolute))
    if norm_type == 1:
        return absolute.sum()
    if norm_type == 2:
        flat = absolute.ravel()
        return np.sqrt(np.dot(flat, flat))
    return np.sum(absolute**norm_type) ** (1.0 / norm_type)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of all entries of ``tensors``, as if they were concatenated into one vector.

    Parameters
    ----------
    tensors : Tensor or iterable of Tensor
        The tensors (typically gradients).
    norm_type : float
        Order of the norm; ``float("inf")`` for the largest absolute value.
    error_if_nonfinite : bool
        Raise if the norm is NaN or infinite.
    foreach : bool, optional
        Accepted for PyTorch compatibility; ignored (one numpy path serves all).

    Returns
    -------
    Tensor
        A 0-d tensor of the tensors' (promoted) dtype; ``tensor(0.)`` for no tensors.

    Notes
    -----
    As PyTorch does, the norm of each tensor is taken first and the total is
    the same norm of the vector of those norms, which equals the norm of the
    concatenation for every order.
    """
    arrays = [t.data if isinstance(t, ag.Tensor) else np.asarray(t) for t in _as_list(tensors)]
    norm_type = float(norm_type)
    if not arrays:
        return ag.tensor(0.0)
    dtype = np.result_type(*arrays)
    norms = np.array([_vector_norm(a, norm_type) for a in arrays], dtype=dtype)
    total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return ag.tensor(np.asarray(total, dtype=dtype))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    r"""Scale the gradients of ``parameters`` in place so that their total norm is at most ``max_norm``.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        Tensors whose ``.grad`` to clip; tensors without a gradient are skipped.
    max_norm : float
        The largest total norm to allow.
    norm_type : float
        Order of the norm; ``float("inf")`` for the largest absolute value.
    error_if_nonfinite : bool
        Raise RuntimeError, and leave the gradients alone, if the total norm
        is NaN or infinite.
    foreach : bool, optional
        Accepted for PyTorch compatibility; ignored.

    Returns
    -------
    Tensor
        The total norm of the gradients **before** clipping (a 0-d tensor).

    Notes
    -----
    With :math:`N` the total norm of all gradients viewed as one vector, every
    gradient is multiplied by ``min(max_norm / (N + 1e-6), 1)``, as in PyTorch
    (the 1e-6 keeps the result just under ``max_norm`` and avoids dividing by zero).
    """
    if isinstance(parameters, types.GeneratorType):
        parameters = list(parameters)
        if not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    parameters = _as_list(parameters)
    grads = [p.grad.data for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite)
    if grads:
        norm = total_norm.data
        clip_coef = np.minimum(max_norm / (norm + norm.dtype.type(1e-6)), 1.0)
        if clip_coef != 1.0:  # multiplying by exactly 1 changes nothing
            with np.errstate(invalid="ignore"):  # an infinite norm scales by 0, and inf * 0 is NaN, as in PyTorch
                for grad in grads:
                    grad *= clip_coef
    return total_norm


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient entry of ``parameters`` into ``[-clip_value, clip_value]``, in place.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        Tensors whose ``.grad`` to clip; tensors without a gradient are skipped.
    clip_value : float
        The largest absolute value to allow.
    foreach : bool, optional
        Accepted for PyTorch compatibility; ignored.
    """
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        if p.grad is not None:
            np.clip(p.grad.data, -clip_value, clip_value, out=p.grad.data)


def parameters_to_vector(parameters):
    """Flatten ``parameters`` into one 1-d tensor (differentiable: gradients flow back to each parameter).

    Parameters
    ----------
    parameters : iterable of Tensor
        E.g. ``model.parameters()``.

    Returns
    -------
    Tensor
        The parameters' entries, one parameter after the other, each in row-major order.
    """
    flat = [p.reshape(-1) for p in _as_list(parameters)]
    if not flat:
        raise ValueError("parameters_to_vector: got no parameters; pass at least one tensor")
    return ag.cat(flat)


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of ``vec`` into ``parameters`` (the inverse of ``parameters_to_vector``).

    Parameters
    ----------
    vec : Tensor
        A 1-d tensor with as many entries as all parameters together.
    parameters : iterable of Tensor
        The tensors to overwrite, in the order ``parameters_to_vector`` used.

    Notes
    -----
    The values are copied into each parameter's existing array (cast to its
    dtype), outside the tape. PyTorch instead rebinds each parameter's data to
    a view of ``vec``; copying keeps parameters independent of ``vec`` and
    keeps optimizers that hold them working.
    """
    if not isinstance(vec, ag.Tensor):
        raise TypeError(f"vector_to_parameters: expected vec to be a Tensor, but got {type(vec).__name__}")
    parameters = _as_list(parameters)
    total = sum(p.data.size for p in parameters)
    if vec.data.ndim != 1 or vec.data.size != total:
        raise ValueError(
            f"vector_to_parameters: vec has shape {tuple(vec.data.shape)} but the parameters hold {total} values; "
            f"pass a 1-d tensor of {total} entries (as made by parameters_to_vector)"
        )
    pointer = 0
    for p in parameters:
        size = p.data.size
        p.data[...] = vec.data[pointer : pointer + size].reshape(p.data.shape)
        pointer += size
