"""``Tensor``: a numpy array plus what autograd needs to differentiate through it.

The methods here are thin: each differentiable method hands its work to an op
class in ``autograd.ops`` (forward and backward side by side). This module
holds argument handling (PyTorch's ``dim``/``keepdim`` conventions, dtype
promotion, in-place semantics) and the error messages a user sees.
"""

import numbers

import numpy as np

from . import _dtype
from . import function as _function

_SCALAR_TYPES = (int, float, bool, np.number, np.bool_)


class Tensor:
    """An n-dimensional array that can record the ops applied to it.

    Parameters
    ----------
    data : array_like
        The values. A numpy array keeps its dtype; Python lists and scalars
        become float32 (the default dtype) or int64, as in ``torch.tensor``.
    requires_grad : bool
        Record ops on this tensor so ``backward()`` can compute its gradient.

    Examples
    --------
    >>> import autograd as ag
    >>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    # _view_of is set only on views (see Function.apply): (base tensor, view op, its arguments)
    __slots__ = ("data", "requires_grad", "grad", "grad_fn", "_vc", "_hooks", "_view_of", "__weakref__")
    __hash__ = object.__hash__
    __array_priority__ = 1000  # ndarray op Tensor -> Tensor's reflected operator

    def __init__(self, data, requires_grad=False, dtype=None):
        self.data = _as_array(data, dtype)
        self.grad = None
        self.grad_fn = None
        self._vc = None
        self._hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ---- basic properties ------------------------------------------------------------
    @property
    def shape(self):
        """The size of each dimension, as a tuple of ints (PyTorch returns a ``torch.Size``, a tuple subclass)."""
        return self.data.shape

    @property
    def dtype(self):
        """The element type, a ``numpy.dtype`` such as ``autograd.float32`` (PyTorch has its own ``torch.dtype``)."""
        return self.data.dtype

    @property
    def ndim(self):
        """The number of dimensions."""
        return self.data.ndim

    @property
    def is_leaf(self):
        """True for tensors the user made (and for results of ops that recorded nothing)."""
        return self.grad_fn is None

    @property
    def _version(self):
        return 0 if self._vc is None else self._vc[0]

    @property
    def device(self):
        """Always ``'cpu'`` (a string): arrays live in host memory."""
        return "cpu"

    def dim(self):
        """The number of dimensions, as ``ndim``."""
        return self.data.ndim

    def size(self, dim=None):
        """The shape, or the size of one dimension.

        Parameters
        ----------
        dim : int, optional
            A dimension (negative counts from the end).

        Returns
        -------
        tuple of int or int
            ``shape`` when ``dim`` is None, else ``shape[dim]``.
        """
        if dim is None:
            return self.data.shape
        return self.data.shape[_norm_dim(dim, self.data.ndim, "size")]

    def numel(self):
        """The number of elements."""
        return self.data.size

    def element_size(self):
        """Bytes per element (4 for float32)."""
        return self.data.itemsize

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def item(self):
        """The value of a one-element tensor as a Python number; an error for more elements."""
        if self.data.size != 1:
            raise RuntimeError(
                f"item(): a Tensor with {self.data.size} elements cannot be converted to Scalar; "
                f"index it or reduce it first (shape {tuple(self.data.shape)})"
            )
        return self.data.item()

    def numpy(self):
        """The underlying numpy array, sharing memory; an error if the tensor requires grad (``detach()`` first)."""
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self.data

    def tolist(self):
        """The values as (nested) Python lists of numbers."""
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (shape {tuple(self.data.shape)}); "
                "use .any() or .all()"
            )
        return bool(self.data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.data)

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __repr__(self):
        return _format_tensor(self)

    def __format__(self, spec):
        if self.data.ndim == 0:
            return format(self.data.item(), spec)
        return repr(self)

    # ---- autograd --------------------------------------------------------------------
    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place; only floating tensors may require grad. Returns self."""
        if requires_grad and self.data.dtype.kind not in "fc":
            raise RuntimeError(
                f"Only Tensors of floating point and complex dtype can require gradients (got {self.data.dtype}); "
                "convert first, e.g. x.float().requires_grad_()"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
            )
        self.requires_grad = bool(requires_grad)
        return self

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. every leaf that requires grad, into ``.grad``.

        As ``torch.Tensor.backward``; see :func:`autograd.backward`. Gradients
        accumulate: clear them (``optimizer.zero_grad()``) between steps.

        Parameters
        ----------
        gradient : Tensor, optional
            The gradient with respect to this tensor (its shape). Needed unless
            the tensor has a single element, where it defaults to 1.
        retain_graph : bool, optional
            Keep the values saved for backward so the graph can be walked again
            (defaults to ``create_graph``).
        create_graph : bool
            Record the backward pass on the tape, so the gradients can be
            differentiated again.
        inputs : Tensor or sequence of Tensor, optional
            Accumulate into the ``.grad`` of these tensors only.

        Examples
        --------
        >>> import autograd as ag
        >>> x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> (x ** 2).sum().backward()
        >>> x.grad
        tensor([2., 4., 6.])
        >>> (x * 3.0).backward(ag.ones(3))  # a non-scalar output needs ``gradient``
        >>> x.grad  # accumulated
        tensor([5., 7., 9.])
        """
        from .engine import backward

        backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self):
        """A tensor sharing this one's data (and version counter) that is cut from the graph."""
        t = _new(self.data)
        t._vc = _function.version_counter(self)
        return t

    def detach_(self):
        """Cut this tensor from the graph in place: it becomes a leaf that does not require grad. Returns self."""
        self.grad_fn = None
        self.requires_grad = False
        return self

    def retain_grad(self):
        """Keep ``.grad`` on this non-leaf tensor after backward (leaves always keep it)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            import weakref

            self.grad_fn.retained = weakref.ref(self)
            self.grad_fn._stamp = _function.FLAGGED  # the backward walk stops to fill .grad

    @property
    def retains_grad(self):
        """True when ``retain_grad()`` was called on this non-leaf tensor."""
        return self.grad_fn is not None and self.grad_fn.retained is not None

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a non-None return replaces it.

        Returns a handle whose ``remove()`` unregisters the hook.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            if self.grad_fn.hooks is None:
                self.grad_fn.hooks = []
                self.grad_fn._stamp = _function.FLAGGED  # the backward walk stops to run the hooks
            hooks = self.grad_fn.hooks
        else:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    # ---- conversions -----------------------------------------------------------------
    def to(self, dtype=None, *args, copy=False, **kwargs):
        """Cast to ``dtype`` (differentiable between float dtypes). Device strings are accepted and ignored."""
        if isinstance(dtype, str) and dtype in ("cpu", "cuda") or dtype is None:
            dtype = kwargs.get("dtype", args[0] if args else None)
            if dtype is None:
                return self.clone() if copy else self
        dtype = _dtype_of(dtype)
        if dtype == self.data.dtype and not copy:
            return self
        return _ops.Cast.apply(self, dtype=dtype)

    def type(self, dtype=None):
        """The dtype's name, or a cast: ``type()`` is ``'autograd.float32'``, ``type(dtype)`` is ``to(dtype)``.

        PyTorch's ``type()`` names a tensor class (``'torch.FloatTensor'``) instead.
        """
        if dtype is None:
            return f"autograd.{self.data.dtype.name}"
        return self.to(dtype)

    def float(self):
        """Cast to float32; differentiable."""
        return self.to(_dtype.float32)

    def double(self):
        """Cast to float64; differentiable."""
        return self.to(_dtype.float64)

    def half(self):
        """Cast to float16; differentiable."""
        return self.to(_dtype.float16)

    def long(self):
        """Cast to int64; the result is cut from the graph (no gradient through an integer cast)."""
        return self.to(_dtype.int64)

    def int(self):
        """Cast to int32; the result is cut from the graph."""
        return self.to(_dtype.int32)

    def bool(self):
        """Cast to bool; the result is cut from the graph."""
        return self.to(_dtype.bool_)

    def cpu(self):
        """Return self: there is only one device."""
        return self

    def clone(self):
        """A copy with its own memory; gradients flow back to this tensor."""
        return _ops.Clone.apply(self)

    def contiguous(self):
        """Return self: every op here accepts any memory layout, so there is nothing to copy."""
        return self

    def is_floating_point(self):
        """True for float16/32/64 tensors."""
        return self.data.dtype.kind == "f"

    def astype(self, dtype):
        """numpy spelling of ``to(dtype)``; lets backward rules cast arrays and tensors alike."""
        return self.to(dtype)

    # ---- arithmetic ------------------------------------------------------------------
    def __add__(self, other):
        return _binary(_ops.Add, self, other, "add")

    def __radd__(self, other):
        return _binary(_ops.Add, self, other, "add", reverse=True)

    def __sub__(self, other):
        return _binary(_ops.Sub, self, other, "sub")

    def __rsub__(self, other):
        return _binary(_ops.Sub, self, other, "sub", reverse=True)

    def __mul__(self, other):
        return _binary(_ops.Mul, self, other, "mul")

    def __rmul__(self, other):
        return _binary(_ops.Mul, self, other, "mul", reverse=True)

    def __truediv__(self, other):
        return _binary(_ops.Div, self, other, "div", true_div=True)

    def __rtruediv__(self, other):
        return _binary(_ops.Div, self, other, "div", reverse=True, true_div=True)

    def __floordiv__(self, other):
        return _binary(_ops.FloorDiv, self, other, "floor_divide")

    def __rfloordiv__(self, other):
        return _binary(_ops.FloorDiv, self, other, "floor_divide", reverse=True)

    def __mod__(self, other):
        return _binary(_ops.Remainder, self, other, "remainder")

    def __rmod__(self, other):
        return _binary(_ops.Remainder, self, other, "remainder", reverse=True)

    def __pow__(self, other):
        return self.pow(other)

    def __rpow__(self, other):
        return _binary(_ops.Pow, self, other, "pow", reverse=True)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(_coerce_tensor(other, "matmul"), self)

    def __neg__(self):
        return _ops.Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return self.abs()

    def __invert__(self):
        if self.data.dtype.kind not in "biu":
            raise TypeError(f"bitwise_not: only bool and integer tensors are supported, got {self.data.dtype}")
        return _new(~self.data)

    def __and__(self, other):
        return _new(self.data & _plain(other))

    def __or__(self, other):
        return _new(self.data | _plain(other))

    def __xor__(self, other):
        return _new(self.data ^ _plain(other))

    __rand__ = __and__
    __ror__ = __or__

    # comparisons: no gradient, bool results
    def __eq__(self, other):
        """Elementwise ``self == other`` (also ``eq``), broadcasting: a bool tensor with no gradient."""
        return _compare(np.equal, self, other, "eq")

    def __ne__(self, other):
        """Elementwise ``self != other`` (also ``ne``): a bool tensor with no gradient."""
        return _compare(np.not_equal, self, other, "ne")

    def __lt__(self, other):
        """Elementwise ``self < other`` (also ``lt``): a bool tensor with no gradient."""
        return _compare(np.less, self, other, "lt")

    def __le__(self, other):
        """Elementwise ``self <= other`` (also ``le``): a bool tensor with no gradient."""
        return _compare(np.less_equal, self, other, "le")

    def __gt__(self, other):
        """Elementwise ``self > other`` (also ``gt``): a bool tensor with no gradient."""
        return _compare(np.greater, self, other, "gt")

    def __ge__(self, other):
        """Elementwise ``self >= other`` (also ``ge``): a bool tensor with no gradient."""
        return _compare(np.greater_equal, self, other, "ge")

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def equal(self, other):
        """True if ``other`` has the same shape and the same values (a Python bool, as ``torch.equal``)."""
        return self.data.shape == other.data.shape and bool(np.array_equal(self.data, other.data))

    def allclose(self, other, rtol=1e-5, atol=1e-8, equal_nan=False):
        """True if all values are within ``atol + rtol * |other|`` of ``other`` (a Python bool)."""
        return bool(np.allclose(self.data, _plain(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isnan(self):
        """Elementwise test for NaN: a bool tensor."""
        return _new(np.isnan(self.data))

    def isinf(self):
        """Elementwise test for +-inf: a bool tensor."""
        return _new(np.isinf(self.data))

    def isfinite(self):
        """Elementwise test for finite values (not NaN or inf): a bool tensor."""
        return _new(np.isfinite(self.data))

    def any(self, dim=None, keepdim=False):
        """True where any element along ``dim`` (all elements by default) is nonzero: a bool tensor."""
        return _new(np.any(self.data, axis=_dims_arg(dim, self.data.ndim, "any"), keepdims=keepdim))

    def all(self, dim=None, keepdim=False):
        """True where every element along ``dim`` (all elements by default) is nonzero: a bool tensor."""
        return _new(np.all(self.data, axis=_dims_arg(dim, self.data.ndim, "all"), keepdims=keepdim))

    # named arithmetic
    def add(self, other, alpha=1):
        """``self + alpha * other``, broadcasting and promoting dtypes as PyTorch; differentiable."""
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other, alpha=1):
        """``self - alpha * other`` (also ``subtract``); differentiable."""
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other):
        """``self * other`` (also ``multiply``), broadcasting; differentiable."""
        return self * other

    def div(self, other, rounding_mode=None):
        """``self / other`` (also ``divide``, ``true_divide``), with PyTorch's ``rounding_mode``.

        Parameters
        ----------
        other : Tensor or number
        rounding_mode : {None, 'floor', 'trunc'}
            None is true division (integer inputs give the default float dtype)
            and is differentiable; 'floor' and 'trunc' round the quotient and
            record no gradient.
        """
        if rounding_mode is None:
            return self / other
        if rounding_mode == "floor":
            return self // other
        if rounding_mode == "trunc":
            return _new(np.trunc(self.data / _plain(other)).astype(self.data.dtype))
        raise ValueError(f"div: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}")

    multiply, divide, subtract, true_divide = mul, div, sub, div

    def pow(self, exponent):
        """``self ** exponent``; differentiable in both arguments.

        A Python number as the exponent keeps the tensor's dtype, except that an
        integer tensor raised to a float power is computed in the default float
        dtype, as in PyTorch. The exponent's gradient is 0 where the base is 0.
        """
        if isinstance(exponent, _SCALAR_TYPES):
            if self.data.dtype.kind in "iub" and isinstance(exponent, float):
                return self.to(_dtype.get_default_dtype()).pow(exponent)
            return _ops.PowScalar.apply(self, exponent=exponent)
        return _binary(_ops.Pow, self, exponent, "pow")

    def neg(self):
        """``-self`` (also ``negative``); differentiable."""
        return -self

    negative = neg

    def remainder(self, other):
        """Python-style remainder ``self % other`` (the sign of the divisor), as ``torch.remainder``."""
        return self % other

    def floor_divide(self, other):
        """``self // other``, rounding down as ``torch.floor_divide``; records no gradient."""
        return self // other

    # ---- unary math --------------------------------------------------------------------
    def exp(self):
        """Elementwise ``e ** x``; integer input is computed in the default float dtype. Differentiable."""
        return _ops.Exp.apply(_floating(self))

    def log(self):
        """Elementwise natural logarithm; differentiable."""
        return _ops.Log.apply(_floating(self))

    def log2(self):
        """Elementwise base-2 logarithm; differentiable."""
        return self.log() / float(np.log(2.0))

    def log10(self):
        """Elementwise base-10 logarithm; differentiable."""
        return self.log() / float(np.log(10.0))

    def log1p(self):
        """Elementwise ``log(1 + x)``, accurate for small ``x``; differentiable."""
        return _ops.Log1p.apply(_floating(self))

    def expm1(self):
        """Elementwise ``exp(x) - 1``, accurate for small ``x``; differentiable."""
        return _ops.Expm1.apply(_floating(self))

    def sqrt(self):
        """Elementwise square root; differentiable."""
        return _ops.Sqrt.apply(_floating(self))

    def rsqrt(self):
        """Elementwise ``1 / sqrt(x)``; differentiable."""
        return _ops.Rsqrt.apply(_floating(self))

    def square(self):
        """Elementwise ``x * x``; differentiable."""
        return self * self

    def sin(self):
        """Elementwise sine; differentiable."""
        return _ops.Sin.apply(_floating(self))

    def cos(self):
        """Elementwise cosine; differentiable."""
        return _ops.Cos.apply(_floating(self))

    def tan(self):
        """Elementwise tangent; differentiable."""
        return _ops.Tan.apply(_floating(self))

    def tanh(self):
        """Elementwise hyperbolic tangent; differentiable."""
        return _ops.Tanh.apply(_floating(self))

    def sinh(self):
        """Elementwise hyperbolic sine; differentiable."""
        return (self.exp() - (-self).exp()) * 0.5

    def cosh(self):
        """Elementwise hyperbolic cosine; differentiable."""
        return (self.exp() + (-self).exp()) * 0.5

    def sigmoid(self):
        """Elementwise logistic function ``1 / (1 + exp(-x))``, without overflow for large ``|x|``; differentiable."""
        return _ops.Sigmoid.apply(_floating(self))

    def relu(self):
        """Elementwise ``max(x, 0)``; the gradient at 0 is 0, as in PyTorch."""
        return _ops.Relu.apply(self)

    def abs(self):
        """Elementwise absolute value (also ``absolute``); the gradient is ``sign(x)``, 0 at 0."""
        return _ops.Abs.apply(self)

    absolute = abs

    def sign(self):
        """Elementwise sign (-1, 0 or 1), cut from the graph (PyTorch records a zero gradient instead)."""
        return _new(np.sign(self.data))

    def floor(self):
        """Elementwise floor, cut from the graph (PyTorch records a zero gradient instead)."""
        return _new(np.floor(self.data))

    def ceil(self):
        """Elementwise ceiling, cut from the graph (PyTorch records a zero gradient instead)."""
        return _new(np.ceil(self.data))

    def round(self):
        """Elementwise rounding (half to even), cut from the graph (PyTorch records a zero gradient instead)."""
        return _new(np.round(self.data))

    def trunc(self):
        """Elementwise rounding toward zero, cut from the graph (PyTorch records a zero gradient instead)."""
        return _new(np.trunc(self.data))

    def reciprocal(self):
        """Elementwise ``1 / x``; differentiable."""
        return _ops.Reciprocal.apply(_floating(self))

    def clamp(self, min=None, max=None):  # noqa: A002 - PyTorch's argument names
        """Limit values to ``[min, max]``; the gradient passes where ``min <= x <= max``."""
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            out = self
            if min is not None:
                out = _ops.maximum(out, min)
            if max is not None:
                out = _ops.minimum(out, max)
            return out
        return _ops.Clamp.apply(self, lo=min, hi=max)

    clip = clamp

    def clamp_min(self, min):  # noqa: A002
        """``clamp(min=min)``."""
        return self.clamp(min=min)

    def clamp_max(self, max):  # noqa: A002
        """``clamp(max=max)``."""
        return self.clamp(max=max)

    def maximum(self, other):
        """Elementwise maximum with ``other``; where they are equal each gets half the gradient."""
        return _ops.maximum(self, other)

    def minimum(self, other):
        """Elementwise minimum with ``other``; where they are equal each gets half the gradient."""
        return _ops.minimum(self, other)

    def lerp(self, end, weight):
        """Linear interpolation ``self + weight * (end - self)``; differentiable."""
        return self + (end - self) * weight

    def addcmul(self, t1, t2, value=1):
        """``self + value * t1 * t2``; differentiable."""
        return self + t1 * t2 * value

    def addcdiv(self, t1, t2, value=1):
        """``self + value * t1 / t2``; differentiable."""
        return self + t1 / t2 * value

    # ---- reductions ------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
        """Sum over ``dim`` (an int, a tuple, or None for all). ``axis``/``keepdims`` are numpy aliases."""
        dim, keepdim = _alias(dim, axis, keepdim, keepdims)
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind in "biu" and dtype is None:
            return _new(np.sum(x.data, axis=_dims_arg(dim, x.data.ndim, "sum"), keepdims=keepdim, dtype=np.int64))
        return _ops.Sum.apply(x, dim=_dims_arg(dim, x.data.ndim, "sum"), keepdim=keepdim)

    def mean(self, dim=None, keepdim=False, dtype=None, *, axis=None, keepdims=None):
        """Mean over ``dim`` (an int, a tuple, or None for all elements); differentiable.

        Parameters
        ----------
        dim : int or tuple of int, optional
        keepdim : bool
            Keep the reduced dimensions with size 1.
        dtype : dtype, optional
            Cast to this dtype first. The input must be floating point, as in PyTorch.

        ``axis`` and ``keepdims`` are accepted as numpy spellings.
        """
        dim, keepdim = _alias(dim, axis, keepdim, keepdims)
        x = self if dtype is None else self.to(dtype)
        if x.data.dtype.kind not in "fc":
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be either a floating point or complex "
                f"dtype. Got: {x.data.dtype}; convert with .float() first"
            )
        axes = _dims_arg(dim, x.data.ndim, "mean")
        count = _count(x.data.shape, axes)
        return x.sum(dim=axes, keepdim=keepdim) * (1.0 / count if count else float("nan"))

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """Variance with Bessel's correction by default (``correction=1``), as ``torch.var``."""
        correction = _correction(unbiased, correction)
        axes = _dims_arg(dim, self.data.ndim, "var")
        n = _count(self.data.shape, axes)
        centered = self - self.mean(dim=axes, keepdim=True)
        denom = max(n - correction, 0)
        return (centered * centered).sum(dim=axes, keepdim=keepdim) * (1.0 / denom if denom else float("inf"))

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        """Standard deviation over ``dim``: ``var(...).sqrt()``, with Bessel's correction by default."""
        return self.var(dim, unbiased, keepdim, correction=correction).sqrt()

    def prod(self, dim=None, keepdim=False):
        """Product over ``dim`` (all elements by default); the gradient is exact where elements are zero."""
        return _ops.Prod.apply(_floating_or_int(self), dim=_dims_arg(dim, self.data.ndim, "prod"), keepdim=keepdim)

    def amax(self, dim=None, keepdim=False):
        """Maximum over ``dim``; ties share the gradient evenly."""
        return _ops.AMax.apply(self, dim=_dims_arg(dim, self.data.ndim, "amax"), keepdim=keepdim)

    def amin(self, dim=None, keepdim=False):
        """Minimum over ``dim``; ties share the gradient evenly."""
        return _ops.AMin.apply(self, dim=_dims_arg(dim, self.data.ndim, "amin"), keepdim=keepdim)

    def max(self, dim=None, keepdim=False):
        """``max()`` reduces all (ties share the gradient); ``max(dim)`` returns ``(values, indices)``;
        ``max(other)`` is the elementwise maximum."""
        if isinstance(dim, Tensor):
            return _ops.maximum(self, dim)
        if dim is None:
            return self.amax()
        return _ops.max_with_indices(self, dim, keepdim, largest=True)

    def min(self, dim=None, keepdim=False):
        """Minimum: of all elements, along a dim with indices, or elementwise.

        ``min()`` reduces all elements (ties share the gradient); ``min(dim)``
        returns ``(values, indices)``; ``min(other)`` is the elementwise minimum.
        """
        if isinstance(dim, Tensor):
            return _ops.minimum(self, dim)
        if dim is None:
            return self.amin()
        return _ops.max_with_indices(self, dim, keepdim, largest=False)

    def argmax(self, dim=None, keepdim=False):
        """Index of the maximum over ``dim`` (of the flattened tensor when None), as int64; no gradient."""
        return _arg_reduce(np.argmax, self, dim, keepdim, "argmax")

    def argmin(self, dim=None, keepdim=False):
        """Index of the minimum over ``dim`` (of the flattened tensor when None), as int64; no gradient."""
        return _arg_reduce(np.argmin, self, dim, keepdim, "argmin")

    def logsumexp(self, dim, keepdim=False):
        """``log(sum(exp(x)))`` over ``dim``, computed stably (shifted by the maximum); differentiable."""
        return _ops.LogSumExp.apply(_floating(self), dim=_dims_arg(dim, self.data.ndim, "logsumexp"), keepdim=keepdim)

    def softmax(self, dim):
        """Softmax along ``dim`` (required), computed stably; differentiable."""
        return _ops.Softmax.apply(_floating(self), dim=_norm_dim(dim, self.data.ndim, "softmax"))

    def log_softmax(self, dim):
        """Log of the softmax along ``dim`` (required), computed stably; differentiable."""
        return _ops.LogSoftmax.apply(_floating(self), dim=_norm_dim(dim, self.data.ndim, "log_softmax"))

    def norm(self, p="fro", dim=None, keepdim=False):
        """Vector p-norm over ``dim`` (all elements by default); ``p`` in {2, 'fro', 1, inf, -inf, 0, float}."""
        return _ops.norm(self, p, dim, keepdim)

    def cumsum(self, dim):
        """Cumulative sum along ``dim``; differentiable."""
        return _ops.CumSum.apply(self, dim=_norm_dim(dim, self.data.ndim, "cumsum"))

    # ---- shape ops --------------------------------------------------------------------
    def reshape(self, *shape):
        """A tensor with the same elements in ``shape`` (one entry may be -1); differentiable."""
        shape = _shape_arg(shape)
        return _ops.Reshape.apply(self, shape=_infer_shape(shape, self.data.shape, "reshape"))

    def view(self, *shape):
        """``reshape(*shape)``; differentiable.

        ``view(dtype)`` converts the values as ``to(dtype)`` does, where PyTorch
        reinterprets the bytes.
        """
        if len(shape) == 1 and not isinstance(shape[0], (tuple, list, numbers.Integral)):
            return self.to(shape[0])
        return self.reshape(*shape)

    def view_as(self, other):
        """``reshape(other.shape)``."""
        return self.reshape(other.shape)

    def reshape_as(self, other):
        """``reshape(other.shape)``."""
        return self.reshape(other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        """Merge dims ``start_dim..end_dim`` (all by default) into one; a 0-d tensor becomes shape (1,)."""
        nd = self.data.ndim
        if nd == 0:
            return self.reshape(1)
        s = _norm_dim(start_dim, nd, "flatten")
        e = _norm_dim(end_dim, nd, "flatten")
        if s > e:
            raise RuntimeError(f"flatten() has invalid args: start_dim ({start_dim}) cannot come after end_dim ({end_dim})")
        shape = self.data.shape
        return self.reshape(shape[:s] + (int(np.prod(shape[s : e + 1])),) + shape[e + 1 :])

    def unflatten(self, dim, sizes):
        """Split dim ``dim`` into ``sizes`` (one entry may be -1)."""
        d = _norm_dim(dim, self.data.ndim, "unflatten")
        shape = self.data.shape
        sizes = _infer_shape(tuple(sizes), (shape[d],), "unflatten")
        return self.reshape(shape[:d] + sizes + shape[d + 1 :])

    def squeeze(self, dim=None):
        """Remove size-1 dims: all of them, or those in ``dim`` (an int or a tuple) that have size 1."""
        shape = self.data.shape
        if dim is None:
            new = tuple(s for s in shape if s != 1)
        else:
            dims = {_norm_dim(d, self.data.ndim, "squeeze") for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
            new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
        return self if new == shape else self.reshape(new)

    def unsqueeze(self, dim):
        """Insert a size-1 dim at position ``dim``."""
        d = _norm_dim(dim, self.data.ndim + 1, "unsqueeze")
        shape = self.data.shape
        return self.reshape(shape[:d] + (1,) + shape[d:])

    def transpose(self, dim0, dim1):
        """Swap dims ``dim0`` and ``dim1`` (also ``swapaxes``, ``swapdims``); differentiable."""
        nd = self.data.ndim
        if nd == 0:
            return self
        a, b = _norm_dim(dim0, nd, "transpose"), _norm_dim(dim1, nd, "transpose")
        perm = list(range(nd))
        perm[a], perm[b] = perm[b], perm[a]
        return _ops.Permute.apply(self, perm=tuple(perm))

    swapaxes = swapdims = transpose

    def permute(self, *dims):
        """Reorder the dims as ``dims`` (a permutation of ``range(ndim)``); differentiable."""
        dims = _shape_arg(dims)
        nd = self.data.ndim
        if len(dims) != nd:
            raise RuntimeError(
                f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
                f"desired ordering of dimensions i.e. input.dim() = {nd} is not equal to len(dims) = {len(dims)}"
            )
        perm = tuple(_norm_dim(d, nd, "permute") for d in dims)
        if len(set(perm)) != nd:
            raise RuntimeError(f"permute(): duplicate dims are not allowed, got {dims}")
        return _ops.Permute.apply(self, perm=perm)

    def movedim(self, source, destination):
        """Move dims ``source`` to positions ``destination``, keeping the others in order."""
        nd = self.data.ndim
        perm = list(np.moveaxis(np.arange(nd), source, destination))
        return _ops.Permute.apply(self, perm=tuple(int(p) for p in perm))

    @property
    def T(self):  # noqa: N802 - PyTorch's name
        """All dims reversed (the transpose of a matrix)."""
        nd = self.data.ndim
        return self if nd < 2 else _ops.Permute.apply(self, perm=tuple(range(nd - 1, -1, -1)))

    @property
    def mT(self):  # noqa: N802 - PyTorch's name
        """The last two dims swapped: the transpose of each matrix in a batch."""
        if self.data.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {self.data.ndim}-D tensor.")
        return self.transpose(-2, -1)

    def t(self):
        """The transpose of a tensor of at most 2 dims."""
        if self.data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.data.ndim}D")
        return self.T

    def expand(self, *sizes):
        """Broadcast to ``sizes`` (-1 keeps a dim, new dims go in front); the gradient is summed back."""
        sizes = _shape_arg(sizes)
        shape = self.data.shape
        if len(sizes) < len(shape):
            raise RuntimeError(
                f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the number of "
                f"dimensions in the tensor ({len(shape)})"
            )
        lead = len(sizes) - len(shape)
        target = tuple(
            (shape[i - lead] if s == -1 and i >= lead else s) for i, s in enumerate(sizes)
        )
        return self.broadcast_to(target)

    def expand_as(self, other):
        """``broadcast_to(other.shape)``."""
        return self.broadcast_to(other.shape)

    def broadcast_to(self, shape):
        """Broadcast to ``shape`` by numpy's rules; the gradient is summed back to this tensor's shape."""
        shape = tuple(int(s) for s in shape)
        if shape == self.data.shape:
            return self
        try:
            np.broadcast_shapes(self.data.shape, shape)
            if len(shape) < self.data.ndim:
                raise ValueError
            np.broadcast_to(np.empty((0,) * 0) if False else self.data, shape)
        except ValueError:
            raise RuntimeError(
                f"expand/broadcast_to: the shape {tuple(self.data.shape)} cannot be broadcast to {shape}; "
                "each dimension must match or be 1"
            ) from None
        return _ops.BroadcastTo.apply(self, shape=shape)

    def repeat(self, *sizes):
        """Whole copies side by side: ``repeat(2, 3)`` lays out 2 x 3 copies, as ``torch.Tensor.repeat``."""
        sizes = _shape_arg(sizes)
        if len(sizes) < self.data.ndim:
            raise RuntimeError(
                "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor"
            )
        return _ops.Tile.apply(self, reps=sizes)

    def tile(self, *dims):
        """``repeat`` that also accepts fewer sizes than dims (leading ones are 1), as ``torch.tile``."""
        dims = _shape_arg(dims)
        dims = (1,) * (self.data.ndim - len(dims)) + dims
        return _ops.Tile.apply(self, reps=dims)

    def flip(self, *dims):
        """Reverse the order of elements along ``dims``; differentiable."""
        dims = _shape_arg(dims)
        return _ops.Flip.apply(self, dims=tuple(_norm_dim(d, self.data.ndim, "flip") for d in dims))

    def roll(self, shifts, dims=None):
        """Shift elements along ``dims`` by ``shifts``, wrapping around (no ``dims``: the flattened tensor)."""
        if dims is None:
            return self.flatten().roll(shifts, 0).reshape(self.data.shape)
        shifts = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
        dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
        if len(shifts) != len(dims):
            raise RuntimeError(f"roll: shifts and dims must have the same length, got {len(shifts)} and {len(dims)}")
        return _ops.Roll.apply(self, shifts=shifts, dims=tuple(_norm_dim(d, self.data.ndim, "roll") for d in dims))

    def chunk(self, chunks, dim=0):
        """Split into ``chunks`` pieces along ``dim`` (the last may be smaller), as a tuple of views."""
        d = _norm_dim(dim, self.data.ndim, "chunk")
        size = self.data.shape[d]
        step = -(-size // chunks) if chunks > 0 else 0
        if step <= 0:
            if chunks <= 0:
                raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
            step = 1
        return self.split(step, d)

    def split(self, split_size_or_sections, dim=0):
        """Split along ``dim`` into a tuple of views.

        Parameters
        ----------
        split_size_or_sections : int or list of int
            The size of each piece (the last may be smaller), or the list of sizes,
            which must sum to ``size(dim)``.
        dim : int
        """
        d = _norm_dim(dim, self.data.ndim, "split")
        size = self.data.shape[d]
        if isinstance(split_size_or_sections, numbers.Integral):
            step = int(split_size_or_sections)
            sizes = [min(step, size - i) for i in range(0, size, step)] or [0]
        else:
            sizes = [int(s) for s in split_size_or_sections]
            if sum(sizes) != size:
                raise RuntimeError(
                    f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at "
                    f"dimension {d}), but got split_sizes={sizes}"
                )
        out, start = [], 0
        for s in sizes:
            out.append(self.narrow(d, start, s))
            start += s
        return tuple(out)

    def narrow(self, dim, start, length):
        """The slice ``start:start + length`` along ``dim``, as a view."""
        d = _norm_dim(dim, self.data.ndim, "narrow")
        idx = (slice(None),) * d + (slice(start, start + length),)
        return self[idx]

    def unbind(self, dim=0):
        """The slices along ``dim`` as a tuple, each without that dim."""
        d = _norm_dim(dim, self.data.ndim, "unbind")
        return tuple(self[(slice(None),) * d + (i,)] for i in range(self.data.shape[d]))

    def tril(self, diagonal=0):
        """Zero the elements above diagonal ``diagonal`` of the last two dims."""
        return _ops.Tri.apply(self, k=diagonal, lower=True)

    def triu(self, diagonal=0):
        """Zero the elements below diagonal ``diagonal`` of the last two dims."""
        return _ops.Tri.apply(self, k=diagonal, lower=False)

    # ---- indexing ----------------------------------------------------------------------
    def __getitem__(self, index):
        return _ops.getitem(self, index)

    def __setitem__(self, index, value):
        _ops.setitem(self, index, value)

    def gather(self, dim, index):
        """Values along ``dim`` at ``index`` (an int tensor with this tensor's number of dims), as ``torch.gather``."""
        return _ops.gather(self, dim, index)

    def scatter(self, dim, index, src):
        """A copy with ``src`` (a tensor or a number) written at ``index`` along ``dim``, as ``torch.scatter``."""
        return _ops.scatter(self, dim, index, src)

    def scatter_add(self, dim, index, src):
        """A copy with ``src`` added at ``index`` along ``dim`` (repeats accumulate), as ``torch.scatter_add``."""
        return _ops.scatter(self, dim, index, src, add=True)

    def index_select(self, dim, index):
        """The entries at ``index`` (a 1-D int tensor) along ``dim``."""
        return _ops.index_select(self, dim, index)

    def masked_fill(self, mask, value):
        """A copy with ``value`` where the bool ``mask`` is true; no gradient reaches the filled places."""
        return _ops.masked_fill(self, mask, value)

    def where(self, condition, other):
        """``autograd.where(condition, self, other)``: this tensor where ``condition`` holds, else ``other``."""
        return _ops.where(condition, self, other)

    # ---- linear algebra ---------------------------------------------------------------
    def matmul(self, other):
        """Matrix product with numpy/PyTorch rules (1-D operands, broadcast batch dims); ``self @ other``."""
        return _ops.matmul(self, other)

    def mm(self, other):
        """Product of two 2-D matrices."""
        return _ops.mm(self, other)

    def bmm(self, other):
        """Batched product of two 3-D tensors ``(b, n, m) @ (b, m, p)``."""
        return _ops.bmm(self, other)

    def dot(self, other):
        """Inner product of two 1-D tensors of the same size."""
        return _ops.dot(self, other)

    def outer(self, other):
        """Outer product of two 1-D tensors: ``out[i, j] = self[i] * other[j]``."""
        return _ops.outer(self, other)

    def mv(self, vec):
        """Matrix-vector product."""
        return _ops.matmul(self, vec)

    # ---- in place -------------------------------------------------------------------------
    def add_(self, other, alpha=1):
        """In-place ``add``. Returns self.

        As every in-place op here, it is recorded on the tape in grad mode, and
        it refuses a leaf that requires grad (update weights under ``no_grad``).
        """
        return _ops.inplace(self, lambda s: s.add(other, alpha=alpha), "add_")

    def sub_(self, other, alpha=1):
        """In-place ``sub``."""
        return _ops.inplace(self, lambda s: s.sub(other, alpha=alpha), "sub_")

    def mul_(self, other):
        """In-place ``mul``."""
        return _ops.inplace(self, lambda s: s * other, "mul_")

    def div_(self, other):
        """In-place ``self / other``; the result must keep this tensor's dtype."""
        return _ops.inplace(self, lambda s: s / other, "div_")

    def pow_(self, exponent):
        """In-place ``pow``."""
        return _ops.inplace(self, lambda s: s.pow(exponent), "pow_")

    def clamp_(self, min=None, max=None):  # noqa: A002
        """In-place ``clamp`` (also ``clip_``)."""
        return _ops.inplace(self, lambda s: s.clamp(min, max), "clamp_")

    clip_ = clamp_

    def relu_(self):
        """In-place ``relu``."""
        return _ops.inplace(self, lambda s: s.relu(), "relu_")

    def neg_(self):
        """In-place ``neg``."""
        return _ops.inplace(self, lambda s: -s, "neg_")

    def exp_(self):
        """In-place ``exp``."""
        return _ops.inplace(self, lambda s: s.exp(), "exp_")

    def sqrt_(self):
        """In-place ``sqrt``."""
        return _ops.inplace(self, lambda s: s.sqrt(), "sqrt_")

    def addcmul_(self, t1, t2, value=1):
        """In-place ``addcmul``."""
        return _ops.inplace(self, lambda s: s.addcmul(t1, t2, value), "addcmul_")

    def addcdiv_(self, t1, t2, value=1):
        """In-place ``addcdiv``."""
        return _ops.inplace(self, lambda s: s.addcdiv(t1, t2, value), "addcdiv_")

    def lerp_(self, end, weight):
        """In-place ``lerp``."""
        return _ops.inplace(self, lambda s: s.lerp(end, weight), "lerp_")

    def masked_fill_(self, mask, value):
        """In-place ``masked_fill``."""
        return _ops.inplace(self, lambda s: s.masked_fill(mask, value), "masked_fill_")

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def zero_(self):
        """Fill with zeros in place. Returns self."""
        return self.fill_(0)

    def fill_(self, value):
        """Fill with ``value`` in place; no gradient reaches the old values. Returns self."""
        return _ops.inplace(self, lambda s: _ops.fill_like(s, value), "fill_")

    def copy_(self, src):
        """Copy ``src`` in place, broadcast and cast to this tensor's dtype; the gradient flows to ``src``."""
        return _ops.inplace(self, lambda s: _ops.copy_like(s, src), "copy_")

    def uniform_(self, a=0.0, b=1.0):
        """Fill in place with U(a, b) from the library's random source, outside the tape. Returns self."""
        from .random import _rng

        return self._overwrite(_rng().uniform(a, b, self.data.shape), "uniform_")

    def normal_(self, mean=0.0, std=1.0):
        """Fill in place with N(mean, std^2) from the library's random source, outside the tape. Returns self."""
        from .random import _rng

        return self._overwrite(_rng().normal(mean, std, self.data.shape), "normal_")

    def _overwrite(self, values, opname):
        with _nograd():
            return _ops.inplace(self, lambda s: _new(np.asarray(values, dtype=self.data.dtype)), opname)

    # numpy interoperability: lets backward rules written with numpy run on Tensors
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return _ops.array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        return _ops.array_function(func, args, kwargs)


class _HookHandle:
    def __init__(self, hooks, hook):
        self._hooks = hooks
        self._hook = hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _nograd():
    from .grad_mode import no_grad

    return no_grad()


# ---- helpers shared by the methods -------------------------------------------------------------
def _new(array):
    """Wrap an array in a Tensor without copying or checking; the engine's fast constructor."""
    t = object.__new__(Tensor)
    t.data = array
    t.requires_grad = False
    t.grad = None
    t.grad_fn = None
    t._vc = None
    t._hooks = None
    return t


_function._new_tensor = _new
_function._Tensor = Tensor


def _as_array(data, dtype=None):
    """Turn user data into an array following ``torch.tensor``'s dtype rules."""
    if dtype is not None:
        dtype = _dtype_of(dtype)
    if isinstance(data, Tensor):
        arr = data.data
        return arr.astype(dtype) if dtype is not None and dtype != arr.dtype else arr
    if isinstance(data, np.ndarray):
        return data if dtype is None or dtype == data.dtype else data.astype(dtype)
    if isinstance(data, np.generic):
        return np.asarray(data, dtype=dtype)
    if isinstance(data, (list, tuple)) and data and any(isinstance(v, Tensor) for v in _flat(data)):
        data = _unwrap_nested(data)
    try:
        arr = np.asarray(data)
    except ValueError as e:
        raise ValueError(f"tensor(): could not build a tensor from the given data ({e}); nested lists must be rectangular") from None
    if arr.dtype == object or arr.dtype.kind in "USV":
        raise TypeError(
            f"tensor(): could not infer a numeric dtype from an object of type {type(data).__name__}; "
            "pass numbers, nested lists of numbers, or a numpy array"
        )
    if dtype is not None:
        return arr.astype(dtype)
    if arr.dtype.kind == "f":
        return arr.astype(_dtype.get_default_dtype())
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    if arr.dtype.kind == "c":
        return arr.astype(np.complex64 if _dtype.get_default_dtype() == np.float32 else np.complex128)
    return arr


def _flat(data):
    for v in data:
        if isinstance(v, (list, tuple)):
            yield from _flat(v)
        else:
            yield v


def _unwrap_nested(data):
    if isinstance(data, (list, tuple)):
        return [_unwrap_nested(v) for v in data]
    if isinstance(data, Tensor):
        return data.data
    return data


def _dtype_of(dtype):
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{dtype!r} is not a dtype; use autograd.float32, autograd.int64, ...") from None


def _plain(other):
    return other.data if isinstance(other, Tensor) else other


def _norm_dim(dim, ndim, opname):
    """Map a possibly negative ``dim`` to ``0..ndim-1`` with PyTorch's error when it is out of range."""
    n = max(ndim, 1)
    try:
        d = int(dim)
    except TypeError:
        raise TypeError(f"{opname}(): dim must be an int, got {type(dim).__name__}") from None
    if d < -n or d >= n:
        raise IndexError(
            f"{opname}(): Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
        )
    return d % n


def _dims_arg(dim, ndim, opname):
    """``dim`` for reductions: None (all), an int, or a tuple; returns None or a sorted tuple."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return None
        dims = tuple(sorted(_norm_dim(d, ndim, opname) for d in dim))
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{opname}(): dim {tuple(dim)} appears multiple times in the list of dims")
        return dims if ndim else None
    return (_norm_dim(dim, ndim, opname),) if ndim else None


def _alias(dim, axis, keepdim, keepdims):
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, keepdim


def _count(shape, axes):
    if axes is None:
        return int(np.prod(shape)) if shape else 1
    return int(np.prod([shape[a] for a in axes]))


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None or unbiased is True:
        return 1
    if unbiased is False:
        return 0
    return 1


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    try:
        return tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"shape must be ints, got {shape!r}") from None


def _infer_shape(shape, old_shape, opname):
    size = int(np.prod(old_shape)) if old_shape else 1
    if shape.count(-1) > 1:
        raise RuntimeError(f"{opname}: only one dimension can be inferred (-1), got shape {list(shape)}")
    if -1 in shape:
        rest = int(np.prod([s for s in shape if s != -1])) if len(shape) > 1 else 1
        if rest == 0 or size % rest:
            raise RuntimeError(f"{opname}: shape '{list(shape)}' is invalid for input of size {size} (input shape {tuple(old_shape)})")
        shape = tuple(size // rest if s == -1 else s for s in shape)
    if any(s < 0 for s in shape) or (int(np.prod(shape)) if shape else 1) != size:
        raise RuntimeError(
            f"{opname}: shape '{list(shape)}' is invalid for input of size {size} (input shape {tuple(old_shape)}); "
            "the number of elements must stay the same"
        )
    return shape


def _floating(t):
    """Unary float ops on an int tensor compute in the default float dtype, as PyTorch does."""
    if t.data.dtype.kind in "fc":
        return t
    return t.to(_dtype.get_default_dtype())


def _floating_or_int(t):
    return t


def _coerce_tensor(value, opname):
    if isinstance(value, Tensor):
        return value
    if isinstance(value, _SCALAR_TYPES):
        return _new(np.asarray(value, dtype=_dtype.scalar_dtype(value)))
    if isinstance(value, np.ndarray):
        return _new(value)
    if isinstance(value, (list, tuple)):
        return Tensor(value)
    raise TypeError(f"{opname}: unsupported operand type {type(value).__name__}; expected a Tensor or a number")


def _binary(op, a, b, opname, reverse=False, true_div=False):
    """Coerce the other operand, promote dtypes as PyTorch does, check shapes, and apply ``op``."""
    ad = a.data
    if isinstance(b, Tensor):  # subclasses too (nn.Parameter)
        bd = b.data
        if ad.dtype != bd.dtype:
            dt = _dtype.result_type(ad.dtype, ad.ndim, bd.dtype, bd.ndim)
            if true_div and dt.kind not in "fc":
                dt = _dtype.get_default_dtype()
            a, b = a.to(dt), b.to(dt)
        elif true_div and ad.dtype.kind not in "fc":
            dt = _dtype.get_default_dtype()
            a, b = a.to(dt), b.to(dt)
    elif isinstance(b, _SCALAR_TYPES):
        dt = _dtype.result_type(ad.dtype, ad.ndim, _dtype.scalar_dtype(b), 0, b_is_scalar=True)
        if true_div and dt.kind not in "fc":
            dt = _dtype.get_default_dtype()
        if dt != ad.dtype:
            a = a.to(dt)
        b = _new(np.asarray(b, dtype=dt))
    elif isinstance(b, np.ndarray):
        return _binary(op, a, _new(b), opname, reverse, true_div)
    else:
        return NotImplemented
    if a.data.shape != b.data.shape:
        _check_broadcast(a.data.shape, b.data.shape, opname)
    return op.apply(b, a) if reverse else op.apply(a, b)


def _check_broadcast(sa, sb, opname):
    for i in range(1, min(len(sa), len(sb)) + 1):
        x, y = sa[-i], sb[-i]
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"{opname}: The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton "
                f"dimension {max(len(sa), len(sb)) - i} (shapes {tuple(sa)} and {tuple(sb)}); "
                "broadcasting needs each dimension to match or be 1"
            )


def _compare(ufunc, a, b, opname):
    if isinstance(b, Tensor):
        bd = b.data
    elif isinstance(b, (_SCALAR_TYPES, np.ndarray)):
        bd = b
    elif b is None:
        return False if ufunc is np.equal else True
    else:
        return NotImplemented
    sb = np.shape(bd)
    if a.data.shape != sb:
        _check_broadcast(a.data.shape, sb, opname)
    return _new(ufunc(a.data, bd))


def _arg_reduce(fn, t, dim, keepdim, opname):
    if dim is None:
        out = fn(t.data.reshape(-1))
        return _new(np.asarray(out, dtype=np.int64).reshape((1,) * t.data.ndim if keepdim else ()))
    d = _norm_dim(dim, t.data.ndim, opname)
    if t.data.ndim == 0:
        return _new(np.asarray(0, dtype=np.int64))
    return _new(fn(t.data, axis=d, keepdims=keepdim).astype(np.int64))


def _format_tensor(t):
    arr = t.data
    if arr.dtype.kind == "f" and arr.size:
        finite = arr[np.isfinite(arr)]
        whole = finite.size == 0 or bool(np.all(finite == np.round(finite)))
        big = finite.size and (np.abs(finite).max() >= 1e8 or (np.abs(finite[finite != 0]).min() < 1e-4 if np.any(finite) else False))
        if whole and not big:
            body = np.array2string(arr, separator=", ", prefix="tensor(", floatmode="unique", suppress_small=True)
        elif big:
            body = np.array2string(arr, separator=", ", prefix="tensor(", precision=4, floatmode="fixed",
                                   formatter={"float_kind": lambda v: f"{v:.4e}"})
        else:
            body = np.array2string(arr, separator=", ", prefix="tensor(", precision=4, floatmode="fixed",
                                   suppress_small=True)
    else:
        body = np.array2string(arr, separator=", ", prefix="tensor(")
    extras = []
    if arr.dtype not in (_dtype.get_default_dtype(), np.dtype(np.int64), np.dtype(bool)):
        extras.append(f"dtype=autograd.{arr.dtype.name}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}Backward>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    if arr.size == 0:
        extras.insert(0, f"size={tuple(arr.shape)}")
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"


from . import ops as _ops  # noqa: E402 - ops need Tensor defined first

# The hottest operators go straight to the op with the record made inline (see binary_operator).
Tensor.__add__ = _function.binary_operator(_ops.Add, Tensor.__add__)
Tensor.__sub__ = _function.binary_operator(_ops.Sub, Tensor.__sub__)
Tensor.__mul__ = _function.binary_operator(_ops.Mul, Tensor.__mul__)
Tensor.relu = _function.unary_operator(_ops.Relu, Tensor.relu)
