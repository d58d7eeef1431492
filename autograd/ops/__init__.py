"""The op table and the functions built on it.

``elementwise``, ``reduce``, ``shape``, ``index``, ``linalg`` and ``conv``
hold the primitive ops (a ``Function`` subclass each: forward and backward
side by side). This module holds the second-class ops composed from them
(``norm``, ``stack``, ``masked_fill`` ...), argument checking that produces
the user-facing errors, in-place semantics, and the numpy dispatch that lets
backward rules run on Tensors under ``create_graph``.
"""

import numbers
import sys

import numpy as np

from .. import _dtype
from ..function import Function, version_counter, views_of
from ..grad_mode import state
from .elementwise import (  # noqa: F401 - the op table
    Abs,
    Add,
    Cast,
    Clamp,
    Clone,
    CopyFrom,
    Cos,
    Div,
    Exp,
    Expm1,
    FillLike,
    FloorDiv,
    Log,
    Log1p,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    PowScalar,
    Reciprocal,
    Relu,
    Remainder,
    Rsqrt,
    Sigmoid,
    Sin,
    Sqrt,
    Sub,
    Tan,
    Tanh,
    Where,
)
from .index import Gather, GetItem, IndexIntoZeros, IndexPut, Scatter  # noqa: F401
from .linalg import Einsum, MatMul  # noqa: F401
from .reduce import (  # noqa: F401
    AMax,
    AMin,
    CumSum,
    LogSoftmax,
    LogSumExp,
    MaxDim,
    Norm2,
    Prod,
    ScatterIntoZeros,
    Softmax,
    Sum,
)
from .shape import BroadcastTo, Cat, Flip, Permute, Reshape, Roll, Tile, Tri  # noqa: F401


def _tensor_mod():
    # the package attribute ``autograd.tensor`` is the factory function, so look the module up directly
    return sys.modules["autograd.tensor"]


def _T(x, opname="op"):  # noqa: N802 - short, used everywhere below
    t = _tensor_mod()
    return t._coerce_tensor(x, opname)


def _promote(a, b):
    """Cast two tensors to their common dtype (PyTorch's result_type)."""
    if a.data.dtype == b.data.dtype:
        return a, b
    dt = _dtype.result_type(a.data.dtype, a.data.ndim, b.data.dtype, b.data.ndim)
    return a.to(dt), b.to(dt)


# ---- elementwise ------------------------------------------------------------------------------
def maximum(a, b):
    """Elementwise maximum with broadcasting; ties split the gradient."""
    t = _tensor_mod()
    return t._binary(Maximum, _T(a, "maximum"), b, "maximum")


def minimum(a, b):
    """Elementwise minimum with broadcasting; ties split the gradient."""
    t = _tensor_mod()
    return t._binary(Minimum, _T(a, "minimum"), b, "minimum")


def where(condition, input, other):  # noqa: A002 - PyTorch's argument name
    """Pick from ``input`` where ``condition`` is true, else from ``other`` (broadcasting all three)."""
    t = _tensor_mod()
    cond = condition.data if isinstance(condition, t.Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise TypeError(f"where: expected a bool condition, got dtype {cond.dtype}; compare first, e.g. x > 0")
    scalar_a = isinstance(input, t._SCALAR_TYPES)
    scalar_b = isinstance(other, t._SCALAR_TYPES)
    if scalar_a and scalar_b:
        dt = _dtype.result_type(_dtype.scalar_dtype(input), 0, _dtype.scalar_dtype(other), 0, True)
        a, b = _T(np.asarray(input, dt)), _T(np.asarray(other, dt))
    elif scalar_a:
        b = _T(other, "where")
        dt = _dtype.result_type(b.data.dtype, b.data.ndim, _dtype.scalar_dtype(input), 0, True)
        a, b = _T(np.asarray(input, dt)), b.to(dt)
    elif scalar_b:
        a = _T(input, "where")
        dt = _dtype.result_type(a.data.dtype, a.data.ndim, _dtype.scalar_dtype(other), 0, True)
        a, b = a.to(dt), _T(np.asarray(other, dt))
    else:
        a, b = _promote(_T(input, "where"), _T(other, "where"))
    try:
        shape = np.broadcast_shapes(cond.shape, a.data.shape, b.data.shape)
    except ValueError:
        raise RuntimeError(
            f"where: condition {tuple(cond.shape)}, input {tuple(a.data.shape)} and other {tuple(b.data.shape)} "
            "cannot be broadcast together"
        ) from None
    if cond.shape != shape:
        cond = np.broadcast_to(cond, shape)
    return Where.apply(a, b, cond=cond)


def fill_like(x, value):
    """``x`` filled with ``value`` (the op behind ``fill_``); no gradient reaches ``x``."""
    return FillLike.apply(x, value=value.item() if hasattr(value, "item") and not isinstance(value, float) else value)


def copy_like(dst, src):
    """``src`` broadcast to ``dst``'s shape and cast to its dtype (behind ``copy_``); the gradient goes to ``src``."""
    src = _T(src, "copy_")
    try:
        np.broadcast_to(src.data, dst.data.shape)
    except ValueError:
        raise RuntimeError(f"copy_: source shape {tuple(src.data.shape)} cannot be broadcast to {tuple(dst.data.shape)}") from None
    return CopyFrom.apply(dst, src)


# ---- reductions ---------------------------------------------------------------------------------
class _MaxResult(tuple):
    """``(values, indices)`` with names, like PyTorch's ``torch.return_types.max``."""

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]


def max_with_indices(x, dim, keepdim, largest):
    """``max(dim)``/``min(dim)``: a ``(values, indices)`` tuple with names; the gradient goes to the reported index."""
    t = _tensor_mod()
    opname = "max" if largest else "min"
    d = t._norm_dim(dim, x.data.ndim, opname)
    if x.data.ndim == 0:
        return _MaxResult((x, t._new(np.asarray(0, dtype=np.int64))))
    values = MaxDim.apply(x, dim=d, keepdim=keepdim, largest=largest)
    idx = values.grad_fn.indices if values.grad_fn is not None else None
    if idx is None:
        idx = np.expand_dims((np.argmax if largest else np.argmin)(x.data, axis=d), d)
    idx = idx.astype(np.int64)
    return _MaxResult((values, t._new(idx if keepdim else np.squeeze(idx, d))))


def norm(x, p="fro", dim=None, keepdim=False):
    """Vector p-norm of ``x`` over ``dim`` (all elements by default); ``p`` in {2, 'fro', 1, inf, -inf, 0, a number}."""
    t = _tensor_mod()
    if x.data.dtype.kind not in "fc":
        raise RuntimeError(f"norm(): input dtype should be floating point, got {x.data.dtype}; convert with .float()")
    axes = t._dims_arg(dim, x.data.ndim, "norm")
    if p in ("fro", None, 2, 2.0):
        return Norm2.apply(x, dim=axes, keepdim=keepdim)
    if p == float("inf"):
        return x.abs().amax(axes, keepdim)
    if p == float("-inf"):
        return x.abs().amin(axes, keepdim)
    if p == 0:
        return t._new(np.sum(x.data != 0, axis=axes, keepdims=keepdim).astype(x.data.dtype))
    if p == 1:
        return x.abs().sum(axes, keepdim)
    if isinstance(p, numbers.Real):
        return (x.abs() ** p).sum(axes, keepdim) ** (1.0 / p)
    raise ValueError(f"norm: unsupported p={p!r}; use a number, inf, -inf or 'fro'")


# ---- shape ------------------------------------------------------------------------------------
def cat(tensors, dim=0):
    """Concatenate tensors along an existing dim (shapes must match elsewhere)."""
    t = _tensor_mod()
    tensors = [_T(x, "cat") for x in tensors]
    if not tensors:
        raise RuntimeError("cat(): expected a non-empty list of Tensors")
    ref = tensors[0]
    d = t._norm_dim(dim, ref.data.ndim, "cat")
    dt = ref.data.dtype
    for x in tensors[1:]:
        dt = _dtype.result_type(dt, 1, x.data.dtype, 1)
        if x.data.ndim != ref.data.ndim or any(
            a != b for i, (a, b) in enumerate(zip(x.data.shape, ref.data.shape)) if i != d
        ):
            raise RuntimeError(
                f"cat(): Sizes of tensors must match except in dimension {d}; got shapes "
                f"{[tuple(y.data.shape) for y in tensors]}"
            )
    tensors = [x.to(dt) for x in tensors]
    return Cat.apply(*tensors, dim=d)


concat = concatenate = cat


def stack(tensors, dim=0):
    """Join tensors of one shape along a new dim."""
    t = _tensor_mod()
    tensors = [_T(x, "stack") for x in tensors]
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shapes = {tuple(x.data.shape) for x in tensors}
    if len(shapes) > 1:
        raise RuntimeError(f"stack expects each tensor to be equal size, but got shapes {[tuple(x.data.shape) for x in tensors]}")
    d = t._norm_dim(dim, tensors[0].data.ndim + 1, "stack")
    return cat([x.unsqueeze(d) for x in tensors], d)


# ---- indexing ---------------------------------------------------------------------------------
def _normalize_index(index, shape):
    """Turn an index into numpy's form; returns (index, uses_advanced_indexing)."""
    t = _tensor_mod()
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    advanced = False
    for item in index:
        if isinstance(item, t.Tensor):
            item = item.data
        elif isinstance(item, list):
            item = np.asarray(item)
        if isinstance(item, np.ndarray):
            if item.dtype == np.bool_:
                advanced = True
            elif item.dtype.kind in "iu":
                advanced = True
                item = item.astype(np.intp, copy=False)
            elif item.ndim == 0 and item.dtype.kind in "iu":
                item = int(item)
            else:
                raise IndexError(
                    f"tensors used as indices must be long, int or bool tensors, got dtype {item.dtype}"
                )
        elif isinstance(item, (bool, np.bool_)):
            advanced = True
        elif not (item is None or item is Ellipsis or isinstance(item, (slice, numbers.Integral))):
            raise IndexError(
                f"only integers, slices, None, Ellipsis, and integer or boolean tensors are valid indices "
                f"(got {type(item).__name__})"
            )
        out.append(item)
    return tuple(out), advanced


def _index_error(e, x):
    msg = str(e).replace("axis", "dimension")
    return IndexError(f"index: {msg} (tensor shape {tuple(x.data.shape)})")


def getitem(x, index):
    """``x[index]`` for basic and advanced (integer or bool tensor) indices; basic indexing gives a view."""
    idx, advanced = _normalize_index(index, x.data.shape)
    try:
        x.data[idx] if advanced else None
    except IndexError as e:
        raise _index_error(e, x) from None
    try:
        if advanced:
            return GetItem.apply(x, index=idx, advanced=True)
        return _BasicGetItem.apply(x, index=idx, advanced=False)
    except IndexError as e:
        raise _index_error(e, x) from None


class _BasicGetItem(GetItem):
    """Basic indexing returns a view: it shares the base's version counter."""

    is_view = True

    def name(self):
        return "GetItem"


def setitem(x, index, value):
    """``x[index] = value`` in place; recorded on the tape when ``x`` or ``value`` requires grad."""
    t = _tensor_mod()
    idx, _ = _normalize_index(index, x.data.shape)
    v = value.data if isinstance(value, t.Tensor) else value
    try:
        target_shape = x.data[idx].shape
        vshape = np.shape(v)
        while len(vshape) > len(target_shape) and vshape[0] == 1:  # PyTorch drops leading size-1 dims here
            vshape = vshape[1:]
        if vshape != np.shape(v):
            value = value.reshape(vshape) if isinstance(value, t.Tensor) else np.reshape(v, vshape)
            v = value.data if isinstance(value, t.Tensor) else value
        np.broadcast_to(np.asarray(v), target_shape)
    except IndexError as e:
        raise _index_error(e, x) from None
    except ValueError:
        raise RuntimeError(
            f"setitem: value of shape {tuple(np.shape(v))} cannot be broadcast to the indexed shape "
            f"{tuple(target_shape)} of a tensor of shape {tuple(x.data.shape)}"
        ) from None
    recording = state.enabled and (x.requires_grad or (isinstance(value, t.Tensor) and value.requires_grad))
    if not recording:
        _check_leaf_inplace(x, "__setitem__")
        x.data[idx] = v
        _bump(x)
        return
    vt = _T(value, "setitem")
    if vt.data.dtype != x.data.dtype:
        vt = vt.to(x.data.dtype)
    inplace(x, lambda s: IndexPut.apply(s, vt, index=idx), "__setitem__")


def gather(x, dim, index):
    """``out[i][j] = x[index[i][j]][j]`` (dim 0) and so on: PyTorch's gather."""
    t = _tensor_mod()
    d = t._norm_dim(dim, x.data.ndim, "gather")
    idx = index.data if isinstance(index, t.Tensor) else np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"gather(): Expected dtype int64 for index, got {idx.dtype}")
    if idx.ndim != x.data.ndim:
        raise RuntimeError(
            f"gather(): Index tensor must have the same number of dimensions as input tensor "
            f"(index shape {tuple(idx.shape)}, input shape {tuple(x.data.shape)})"
        )
    for i, (a, b) in enumerate(zip(idx.shape, x.data.shape)):
        if i != d and a > b:
            raise RuntimeError(
                f"gather(): Size does not match at dimension {i} expected index {tuple(idx.shape)} to be smaller "
                f"than self {tuple(x.data.shape)} apart from dimension {d}"
            )
    if idx.size and (idx.min() < -x.data.shape[d] or idx.max() >= x.data.shape[d]):
        raise IndexError(f"gather(): index {int(idx.max())} is out of bounds for dimension {d} with size {x.data.shape[d]}")
    return Gather.apply(x, dim=d, index=idx.astype(np.intp, copy=False))


def scatter(x, dim, index, src, add=False):
    """A copy of ``x`` with ``src`` written (or, with ``add=True``, added) at ``index`` along ``dim``."""
    t = _tensor_mod()
    d = t._norm_dim(dim, x.data.ndim, "scatter")
    idx = (index.data if isinstance(index, t.Tensor) else np.asarray(index)).astype(np.intp, copy=False)
    if isinstance(src, t._SCALAR_TYPES):
        src = np.full(idx.shape, src, dtype=x.data.dtype)
    s = _T(src, "scatter")
    if s.data.dtype != x.data.dtype:
        s = s.to(x.data.dtype)
    if idx.size and (idx.min() < -x.data.shape[d] or idx.max() >= x.data.shape[d]):
        raise IndexError(f"scatter(): index {int(idx.max())} is out of bounds for dimension {d} with size {x.data.shape[d]}")
    return Scatter.apply(x, s, dim=d, index=idx, add=add)


def index_select(x, dim, index):
    """The entries of ``x`` at ``index`` (a 1-D int tensor) along ``dim``, as ``torch.index_select``."""
    t = _tensor_mod()
    d = t._norm_dim(dim, x.data.ndim, "index_select")
    idx = index.data if isinstance(index, t.Tensor) else np.asarray(index)
    if idx.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got shape {tuple(idx.shape)}")
    return x[(slice(None),) * d + (idx.reshape(-1),)]


def masked_fill(x, mask, value):
    """``x`` with ``value`` where the bool ``mask`` is true, as ``torch.masked_fill``."""
    t = _tensor_mod()
    m = mask.data if isinstance(mask, t.Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype {m.dtype}")
    if isinstance(value, t.Tensor):
        if value.data.ndim != 0:
            raise RuntimeError(
                f"masked_fill only supports a 0-dimensional value tensor, but got tensor with {value.data.ndim} dimension(s)."
            )
        return where(m, value.to(x.data.dtype), x)
    return where(m, t._new(np.asarray(value, dtype=x.data.dtype)), x)


# ---- matrix products ------------------------------------------------------------------------------
def matmul(a, b):
    """Matrix product with numpy/PyTorch rules (1-d operands, broadcast batch dims)."""
    a, b = _T(a, "matmul"), _T(b, "matmul")
    sa, sb = a.data.shape, b.data.shape
    if not sa or not sb:
        raise RuntimeError(f"matmul: both arguments to matmul need to be at least 1D, but they are {len(sa)}D and {len(sb)}D")
    ka = sa[-1]
    kb = sb[-2] if len(sb) > 1 else sb[0]
    if ka != kb:
        if len(sa) == 2 and len(sb) == 2:
            raise RuntimeError(
                f"matmul: mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]}); "
                "the first's columns must equal the second's rows"
            )
        raise RuntimeError(
            f"matmul: inner dimensions differ for shapes {tuple(sa)} and {tuple(sb)} ({ka} != {kb}); "
            "the last dim of the first must equal the second-to-last dim of the second"
        )
    if len(sa) > 2 and len(sb) > 2:
        try:
            np.broadcast_shapes(sa[:-2], sb[:-2])
        except ValueError:
            raise RuntimeError(f"matmul: batch dims of {tuple(sa)} and {tuple(sb)} cannot be broadcast") from None
    a, b = _promote(a, b)
    return MatMul.apply(a, b)


def mm(a, b):
    """Product of two 2-D matrices, as ``torch.mm``."""
    a, b = _T(a, "mm"), _T(b, "mm")
    if a.data.ndim != 2 or b.data.ndim != 2:
        raise RuntimeError(f"mm: both arguments must be 2-D matrices, got shapes {tuple(a.data.shape)} and {tuple(b.data.shape)}")
    return matmul(a, b)


def bmm(a, b):
    """Batched product of two 3-D tensors ``(b, n, m) @ (b, m, p)``, as ``torch.bmm``."""
    a, b = _T(a, "bmm"), _T(b, "bmm")
    if a.data.ndim != 3 or b.data.ndim != 3 or a.data.shape[0] != b.data.shape[0]:
        raise RuntimeError(
            f"bmm: expected two 3-D tensors with the same batch size, got shapes {tuple(a.data.shape)} and {tuple(b.data.shape)}"
        )
    return matmul(a, b)


def dot(a, b):
    """Inner product of two 1-D tensors of the same size, as ``torch.dot``."""
    a, b = _T(a, "dot"), _T(b, "dot")
    if a.data.ndim != 1 or b.data.ndim != 1:
        raise RuntimeError(f"dot: 1D tensors expected, but got {a.data.ndim}D and {b.data.ndim}D tensors")
    if a.data.shape != b.data.shape:
        raise RuntimeError(
            f"dot: inconsistent tensor size, expected tensor [{a.data.shape[0]}] and src [{b.data.shape[0]}] to have "
            "the same number of elements, but got different"
        )
    return matmul(a, b)


def outer(a, b):
    """Outer product of two 1-D tensors, ``out[i, j] = a[i] * b[j]``, as ``torch.outer``."""
    a, b = _T(a, "outer"), _T(b, "outer")
    if a.data.ndim != 1 or b.data.ndim != 1:
        raise RuntimeError(f"outer: expected 1-D tensors, got shapes {tuple(a.data.shape)} and {tuple(b.data.shape)}")
    return a.unsqueeze(1) * b.unsqueeze(0)


def einsum(equation, *operands):
    """Einstein summation; ``equation`` must not use '...' or repeat a letter within one operand."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ts = [_T(x, "einsum") for x in operands]
    eq = equation.replace(" ", "")
    if "..." in eq:
        raise NotImplementedError("einsum: '...' (ellipsis) is not supported; spell out the dims")
    if "->" not in eq:
        letters = eq.replace(",", "")
        eq = eq + "->" + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    terms = eq.split("->")[0].split(",")
    if len(terms) != len(ts):
        raise RuntimeError(f"einsum(): {len(terms)} operands in the equation but {len(ts)} tensors given")
    for term, x in zip(terms, ts):
        if len(term) != x.data.ndim:
            raise RuntimeError(f"einsum(): the subscript '{term}' has {len(term)} dims but the operand has shape {tuple(x.data.shape)}")
        if len(set(term)) != len(term):
            raise NotImplementedError(f"einsum(): repeated subscripts within one operand ('{term}') are not supported")
    dt = ts[0].data.dtype
    for x in ts[1:]:
        dt = _dtype.result_type(dt, 1, x.data.dtype, 1)
    return Einsum.apply(*[x.to(dt) for x in ts], equation=eq)


# ---- in place -----------------------------------------------------------------------------------
def _bump(x):
    version_counter(x)[0] += 1
    state.inplace += 1


def _check_writable(x, opname):
    if not x.data.flags.writeable:
        raise RuntimeError(
            f"{opname}: unsupported operation: more than one element of the written-to tensor refers to a single "
            f"memory location (a read-only or expanded view of shape {tuple(x.data.shape)}). Please clone() the "
            "tensor before performing the operation."
        )


def _check_leaf_inplace(x, opname):
    _check_writable(x, opname)
    if not (state.enabled and x.requires_grad):
        return
    if x.grad_fn is None:
        raise RuntimeError(
            f"{opname}: a leaf Variable that requires grad is being used in an in-place operation "
            f"(shape {tuple(x.data.shape)}). Update parameters inside `with autograd.no_grad():`, or clone the "
            "tensor first."
        )
    root = _view_chain(x)[-1]
    if root is not x and root.requires_grad and root.grad_fn is None:
        raise RuntimeError(
            f"{opname}: a view of a leaf Variable that requires grad is being used in an in-place operation "
            f"(view shape {tuple(x.data.shape)}, leaf shape {tuple(root.data.shape)}). Change the leaf inside "
            "`with autograd.no_grad():`, or clone() the view first."
        )


def inplace(x, fn, opname):
    """Run ``fn`` (an out-of-place version of the op) and write its result into ``x``.

    With grad mode on and a graph involved, the record of ``fn`` becomes
    ``x``'s new ``grad_fn``: it reads a copy of the old values, so earlier
    records that saved ``x`` see its version change and refuse to run.
    """
    t = _tensor_mod()
    _check_leaf_inplace(x, opname)
    version_counter(x)  # made before x.grad_fn is rebound, so the record that made x is linked to it
    if state.enabled:
        old = t._new(x.data.copy())
        old.grad_fn = x.grad_fn
        old.requires_grad = x.requires_grad
        result = fn(old)
        if result.requires_grad:
            _write(x, result, opname)
            x.grad_fn = result.grad_fn
            x.requires_grad = True
            _bump(x)
            _retake_views(_record_in_bases(x))
            return x
    else:
        result = fn(x)
    _write(x, result, opname)
    _bump(x)
    return x


def _view_chain(x):
    """``[x, the tensor x is a view of, ..., the first that is not a view]``."""
    chain = [x]
    while getattr(chain[-1], "_view_of", None) is not None:
        chain.append(chain[-1]._view_of[0])
    return chain


def _record_in_bases(view):
    """After the tape recorded an in-place change of ``view``, record it in the tensors ``view`` is a view of.

    They share memory, so the base already holds its new values: the view's
    region now comes from the view's new history, the rest from the base's
    old one. A ``ViewUpdate`` record says just that and becomes the base's
    ``grad_fn`` (PyTorch's CopySlices), and so on up a chain of views.

    Returns ``_view_chain(view)``, for ``_retake_views``, which takes again
    the other views of the same memory made before the change.
    """
    chain = _view_chain(view)
    for view, base in zip(chain, chain[1:]):
        _, view_cls, attrs = view._view_of  # (expanded views are read-only: _check_writable refused them)
        update = ViewUpdate.apply(base, view, how=(view_cls, attrs))
        base.grad_fn = update.grad_fn
        base.requires_grad = True
    return chain


def _retake_views(chain):
    """Give every other view of the changed memory the history of its updated base.

    ``chain`` is the changed tensor and its bases (``_view_chain``), which
    ``_record_in_bases`` has brought up to date. The views taken earlier of
    any of them, or of their other views, still point to the old histories.
    Each is re-taken from its base, parents before children, and keeps its
    new record: PyTorch does the same when such a view is next used.
    """
    current = {id(t) for t in chain}  # already up to date
    todo = [chain[-1]]
    while todo:
        base = todo.pop()
        for view in views_of(base):
            if id(view) not in current:
                _, view_cls, attrs = view._view_of
                fresh = view_cls.apply(base, **attrs)
                view.grad_fn, view.requires_grad = fresh.grad_fn, fresh.requires_grad
                current.add(id(view))
            todo.append(view)


class ViewUpdate(Function):
    """A base tensor after an in-place change through one of its views (PyTorch's CopySlices).

    Inputs: the base (its history before the change) and the view (its
    history after). The values are already in the base's memory. The
    gradient of the view is the base's gradient seen through the same view;
    the base's old history gets the gradient outside the view's region.
    """

    @staticmethod
    def forward(ctx, base, view, how):
        view_cls, attrs = how
        ctx.view = view_cls.__name__
        ctx._how = how
        if view_cls is _BasicGetItem:  # the region the view covers gets its gradient from the view
            keep = np.ones(base.shape, dtype=base.dtype)
            keep[attrs["index"]] = 0
            ctx.keep = keep
        return base

    @staticmethod
    def backward(ctx, g):
        view_cls, attrs = ctx._how
        if view_cls is _BasicGetItem:
            return g * ctx.keep, g[attrs["index"]]
        if view_cls is Reshape:  # views that cover the whole base: nothing of the old base is left
            return None, g.reshape(attrs["shape"])
        return None, np.transpose(g, attrs["perm"])


def _write(x, result, opname):
    r = result.data
    if r.shape != x.data.shape:
        raise RuntimeError(
            f"{opname}: output with shape {tuple(x.data.shape)} doesn't match the broadcast shape {tuple(r.shape)}"
        )
    if r.dtype != x.data.dtype and not np.can_cast(r.dtype, x.data.dtype, casting="same_kind"):
        raise RuntimeError(f"{opname}: result type {r.dtype} can't be cast to the desired output type {x.data.dtype}")
    if r is not x.data:
        np.copyto(x.data, r, casting="unsafe")


# ---- numpy dispatch: backward rules written with numpy run on Tensors under create_graph -------------
def _ufunc_table():
    def div(a, b):
        return a / b

    return {
        np.add: lambda a, b: a + b,
        np.subtract: lambda a, b: a - b,
        np.multiply: lambda a, b: a * b,
        np.true_divide: div,
        np.power: lambda a, b: a**b,
        np.negative: lambda a: -a,
        np.positive: lambda a: a,
        np.exp: lambda a: _T(a).exp(),
        np.log: lambda a: _T(a).log(),
        np.log1p: lambda a: _T(a).log1p(),
        np.expm1: lambda a: _T(a).expm1(),
        np.sqrt: lambda a: _T(a).sqrt(),
        np.sin: lambda a: _T(a).sin(),
        np.cos: lambda a: _T(a).cos(),
        np.tan: lambda a: _T(a).tan(),
        np.tanh: lambda a: _T(a).tanh(),
        np.abs: lambda a: _T(a).abs(),
        np.sign: lambda a: _T(a).sign(),
        np.floor: lambda a: _T(a).floor(),
        np.square: lambda a: _T(a) * a,
        np.reciprocal: lambda a: _T(a).reciprocal(),
        np.maximum: maximum,
        np.minimum: minimum,
        np.matmul: matmul,
        np.greater: lambda a, b: _T(a) > b,
        np.greater_equal: lambda a, b: _T(a) >= b,
        np.less: lambda a, b: _T(a) < b,
        np.less_equal: lambda a, b: _T(a) <= b,
        np.equal: lambda a, b: _T(a) == b,
        np.not_equal: lambda a, b: _T(a) != b,
        np.logical_and: lambda a, b: _T(a) & _T(b).data,
        np.bitwise_and: lambda a, b: _T(a) & _T(b).data,
        np.logical_or: lambda a, b: _T(a) | _T(b).data,
        np.isfinite: lambda a: _T(a).isfinite(),
    }


_UFUNCS = None


def array_ufunc(ufunc, method, inputs, kwargs):
    """Run a numpy ufunc called on Tensors as the matching differentiable op (``Tensor.__array_ufunc__``)."""
    global _UFUNCS
    if _UFUNCS is None:
        _UFUNCS = _ufunc_table()
    fn = _UFUNCS.get(ufunc)
    if method != "__call__" or fn is None or kwargs.get("out") is not None:
        names = ", ".join(sorted(u.__name__ for u in _UFUNCS))
        raise TypeError(
            f"numpy.{ufunc.__name__} ({method}) is not supported on autograd Tensors; use the Tensor method, "
            f"or call it on tensor.detach().numpy(). Supported ufuncs: {names}"
        )
    t = _tensor_mod()
    args = [x if isinstance(x, (t.Tensor,) + t._SCALAR_TYPES) else _T(x) for x in inputs]
    if not isinstance(args[0], t.Tensor):
        if len(args) == 2:
            args[0] = _T(np.asarray(args[0], dtype=args[1].data.dtype if args[1].data.dtype.kind == "f" else None))
    return fn(*args)


def _squeeze(a, axis=None):
    return _T(a).squeeze(axis)


def _expand_dims(a, axis):
    x = _T(a)
    axes = axis if isinstance(axis, tuple) else (axis,)
    nd = x.data.ndim + len(axes)
    axes = sorted(ax % nd for ax in axes)
    for ax in axes:
        x = x.unsqueeze(ax)
    return x


def _transpose(a, axes=None):
    x = _T(a)
    return x.permute(*(axes if axes is not None else range(x.data.ndim - 1, -1, -1)))


def _zeros_like(a, dtype=None, **_):
    t = _tensor_mod()
    return t._new(np.zeros(np.shape(a.data if isinstance(a, t.Tensor) else a), dtype=dtype or _T(a).data.dtype))


def _sum(a, axis=None, dtype=None, out=None, keepdims=False, **_):
    return _T(a).sum(dim=axis, keepdim=keepdims)


_FUNCTIONS = {
    np.sum: _sum,
    np.where: lambda c, a, b: where(c, a, b),
    np.broadcast_to: lambda a, shape, **_: _T(a).broadcast_to(shape),
    np.reshape: lambda a, shape=None, **kw: _T(a).reshape(shape if shape is not None else kw["newshape"]),
    np.transpose: _transpose,
    np.swapaxes: lambda a, i, j: _T(a).transpose(i, j),
    np.expand_dims: _expand_dims,
    np.squeeze: _squeeze,
    np.flip: lambda a, axis=None: _T(a).flip(*(axis if isinstance(axis, tuple) else (axis,))),
    np.roll: lambda a, shift, axis=None: _T(a).roll(shift, axis),
    np.cumsum: lambda a, axis=None, **_: _T(a).cumsum(axis),
    np.tril: lambda a, k=0: _T(a).tril(k),
    np.triu: lambda a, k=0: _T(a).triu(k),
    np.concatenate: lambda seq, axis=0, **_: cat(seq, axis),
    np.stack: lambda seq, axis=0, **_: stack(seq, axis),
    np.take_along_axis: lambda a, idx, axis: gather(_T(a), axis, idx),
    np.einsum: lambda eq, *ops, **_: einsum(eq, *ops),
    np.zeros_like: _zeros_like,
    np.any: lambda a, axis=None, **_: _T(a).any(axis),
    np.shape: lambda a: _T(a).shape,
    np.ndim: lambda a: _T(a).ndim,
}


def array_function(func, args, kwargs):
    """Run a numpy function called on Tensors as the matching differentiable op (``Tensor.__array_function__``)."""
    fn = _FUNCTIONS.get(func)
    if fn is None:
        raise TypeError(
            f"numpy.{func.__name__} is not supported on autograd Tensors; use the matching Tensor method or "
            "call it on tensor.detach().numpy()"
        )
    return fn(*args, **kwargs)
