"""``Function``, the base class of every differentiable op, and ``Node``, the tape record.

An op is a subclass with two static methods written side by side::

    class Mul(Function):
        saves_inputs = True                  # backward reads the inputs

        @staticmethod
        def forward(ctx, a, b):              # numpy arrays in, array out
            return a * b

        @staticmethod
        def backward(ctx, g):                # one gradient per input
            a, b = ctx.saved_tensors
            return g * b, g * a

``Op.apply(*tensors)`` runs ``forward`` on the tensors' arrays and, in grad
mode, records the call in a ``Node`` (PyTorch calls it ``grad_fn``), which
is also the ``ctx`` that ``forward`` and ``backward`` receive. It keeps its
edges (where each input's gradient goes next), an increasing sequence number
``seq``, the naming scope it was made in, the input tensors or the output
when backward reads them, and whatever ``forward`` stored on ``ctx``
(attributes such as ``ctx.dim``, or arrays such as a mask). The hottest
operators (``+``, ``-``, ``*``, ``relu``) take the same steps through
``binary_operator`` and ``unary_operator``, written out for two and one
inputs.

Backward rules are written once, in numpy vocabulary. In an ordinary
``backward()`` they receive numpy arrays and run as plain numpy. With
``create_graph=True`` the engine hands them Tensors instead
(``ctx.saved_tensors`` returns the input tensors, ``ctx.result`` the output
as a tensor that points back at this record) and the same numpy calls
dispatch to differentiable ops through ``Tensor.__array_ufunc__`` and
``__array_function__``, so the gradient is itself recorded on the tape. That
gives grad-of-grad for every op without writing any rule twice.

Summing a gradient back to an input's shape (unbroadcasting), casting it to
the input's dtype and accumulating it happen once, in the engine.
"""

import itertools
import traceback
import weakref

import numpy as np

from .grad_mode import state

_seq = itertools.count()  # one increasing counter: the tape order

# A record's _stamp is the count of in-place changes (state.inplace) when it was made. The
# backward walk looks closer only at records whose stamp is not the current count: something
# was changed in place since, or the record was flagged (FLAGGED) because its output got
# gradient hooks or retains its grad, or a backward pass released its attributes.
FLAGGED = -1


class Function:
    """Base of every op: a subclass defines ``forward`` and ``backward``; ``apply`` runs it and records a ``Node``."""

    #: backward needs the input arrays: keep them and check their versions
    saves_inputs = False
    #: with saves_inputs, optionally: saved_for[i] lists the inputs whose values the gradient of
    #: input i reads. An input that no wanted gradient reads is then not kept (nor checked for
    #: in-place changes), as PyTorch keeps ``self`` of a product only when ``other`` wants a gradient.
    saved_for = None
    #: backward needs the output array (exp, tanh, sigmoid ...)
    saves_result = False
    #: ops such as argmax or comparisons record nothing
    differentiable = True
    #: the output shares the first input's memory (reshape, transpose, indexing)
    is_view = False
    #: one input, and the output and its gradient have the input's shape and dtype (relu, exp ...)
    elementwise = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._op = _Op(cls)

    @staticmethod
    def forward(ctx, *arrays, **attrs):
        """Compute the op's output from numpy arrays; keep on ``ctx`` what ``backward`` will need.

        Receives the input tensors' arrays and the op's keyword arguments
        (``dim``, ``shape`` ...), and returns one numpy array. Every op
        defines it as a ``@staticmethod``.
        """
        raise NotImplementedError  # pragma: no cover - every op defines it

    @staticmethod
    def backward(ctx, grad):
        """Return the gradient for each input, given ``grad``, the gradient of the output.

        One value per input (a tuple when there are several; None for an input
        that gets no gradient), in the shape the input had after
        broadcasting: the engine sums it back to the input's shape, casts it
        and accumulates it. What ``forward`` kept is read from ``ctx``
        (``ctx.saved_tensors``, ``ctx.result``, attributes). Every
        differentiable op defines it as a ``@staticmethod``.
        """
        raise NotImplementedError  # pragma: no cover - every op defines it

    @classmethod
    def apply(cls, *inputs, **attrs):
        """Run the op on tensors; record it when grad mode is on and an input requires grad."""
        # This is the hot path of every op, so it is written out flat: one- and two-input
        # calls unrolled, the record made inline, rare features (views, name scopes,
        # anomaly traces) behind one flag each. Each line here costs every op.
        ctx = Node()
        ctx.op = cls._op
        try:
            if attrs:
                out = cls.forward(ctx, *[t.data for t in inputs], **attrs)
            elif len(inputs) == 2:
                out = cls.forward(ctx, inputs[0].data, inputs[1].data)
            elif len(inputs) == 1:
                out = cls.forward(ctx, inputs[0].data)
            else:
                out = cls.forward(ctx, *[t.data for t in inputs])
        except ValueError as e:
            if "broadcast" not in str(e):
                raise
            raise _broadcast_error(cls, inputs) from None
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        result = _object_new(_Tensor)
        result.data = out
        result.grad = None
        result._vc = None
        result._hooks = None
        result.grad_fn = None
        result.requires_grad = False
        if cls.is_view:  # the output shares the input's memory, so it shares its version counter too
            result._vc = version_counter(inputs[0])
            if np.may_share_memory(out, inputs[0].data):  # (a reshape may have had to copy)
                result._view_of = (inputs[0], cls, attrs)  # how to redo the view: in-place ops update the base
                add_view(inputs[0], result)  # ... and re-take the other views of it
        if not (state.enabled and cls.differentiable):
            return result
        # Edges are captured now, as PyTorch's next_functions are: a later in-place
        # op may rebind an input's grad_fn, and this record must keep the old one.
        # An edge is the input's record, the input itself when it is a leaf, or None.
        partial = False  # some input gets no gradient
        if len(inputs) == 2:
            a, b = inputs
            if a.requires_grad:
                if b.requires_grad:
                    edges = (a.grad_fn or a, b.grad_fn or b)
                else:
                    edges = (a.grad_fn or a, None)
                    ctx._const_meta = _meta(inputs)
                    partial = True
            elif b.requires_grad:
                edges = (None, b.grad_fn or b)
                ctx._const_meta = _meta(inputs)
                partial = True
            else:
                return result
        elif len(inputs) == 1:
            a = inputs[0]
            if not a.requires_grad:
                return result
            edges = (a.grad_fn or a,)
        else:
            edges = []
            constants = 0
            for t in inputs:
                if t.requires_grad:
                    edges.append(t.grad_fn or t)
                else:
                    edges.append(None)
                    constants += 1
            if constants == len(edges):
                return result
            if constants:
                ctx._const_meta = _meta(inputs)
                partial = True
            edges = tuple(edges)
        ctx.next = edges
        ctx.seq = next(_seq)
        ctx.out_shape = out.shape
        ctx.out_dtype = out.dtype
        ctx._exact = cls.elementwise  # else the engine fits each gradient to its input's shape and dtype
        ctx._stamp = state.inplace
        # Only what backward reads is kept: the inputs of ops that read them (not those of
        # add or relu, as in PyTorch), with their versions; the output of ops that read it.
        if cls.saves_inputs:
            if partial and cls.saved_for is not None:
                inputs = _needed(cls.saved_for, edges, inputs)
            ctx.inputs = inputs
            # the inputs' versions now, a tuple of ints, unless no input has a version counter yet (all 0)
            if not (len(inputs) == 2 and inputs[0]._vc is None and inputs[1]._vc is None):
                ctx._versions = tuple([0 if t._vc is None else t._vc[0] for t in inputs])
        else:
            ctx.inputs = ()  # nothing kept (None means "released by a backward pass")
        if cls.saves_result:
            # The output's version counter is made when something first needs it (an in-place op,
            # a view, detach), which links it here (_result_vc); most outputs never need one.
            ctx._result = out
        if state.annotate:
            _annotate(ctx, 3)  # the stack up to the caller of the Tensor method that called apply
        result.grad_fn = ctx
        result.requires_grad = True
        return result


class _Op:
    """What the backward walk reads of an op, on one object of one class.

    CPython specialises an attribute read for the one class it keeps meeting
    at that spot in the code; the backward walk meets records of many ops in
    turn, and if each op were its own class every read there would take the
    slow, generic path. So every record is a ``Node`` and points to its op's
    ``_Op``: on the 1,000-op chain this takes 8% off the instructions of
    forward and backward together, and 7% off their time.
    """

    __slots__ = ("cls", "backward", "saves", "attrs_seen")

    def __init__(self, cls):
        self.cls = cls
        self.backward = cls.backward
        self.saves = bool(cls.saves_inputs or cls.saves_result)
        self.attrs_seen = True  # False once a release found no attributes to scan


class Node:
    """One record on the tape (PyTorch's ``grad_fn``): one call of an op, as ``Function.apply`` made it.

    It keeps its edges ``next`` (where each input's gradient goes next), an
    increasing sequence number ``seq``, the output's shape and dtype, the
    naming scope it was made in, the input tensors or the output when
    backward reads them, and whatever ``forward`` stored on ``ctx`` (a record
    is the ``ctx`` that ``forward`` and ``backward`` receive). ``fn`` is the
    op's ``Function`` subclass.
    """

    __slots__ = (
        "op", "inputs", "next", "seq", "out_shape", "out_dtype", "_result", "_stamp", "_exact",
        # Set only when needed (unset reads as None through getattr): slots keep most records without a
        # __dict__. _versions: the saved inputs' versions when one had a version counter (else all were 0);
        # _result_vc: the output's version counter, once something made one (see version_counter).
        "_scope", "_const_meta", "_versions", "_result_vc",
        "__dict__", "__weakref__",
    )

    # Rarely set; class-level defaults cost nothing on the hot path.
    hooks = None  # gradient hooks of the output tensor (register_hook on a non-leaf)
    retained = None  # weak reference to the output tensor when it retains its grad
    trace = None  # the forward stack, recorded under detect_anomaly()
    freed = False  # saved values released by a backward pass

    @property
    def fn(self):
        """The op's ``Function`` subclass, e.g. ``autograd.ops.Mul``."""
        return self.op.cls

    # ---- what backward rules read -------------------------------------------------
    @property
    def saved_tensors(self):
        """The inputs: arrays in a plain backward, tensors under ``create_graph``."""
        inputs = self.inputs
        if inputs is None:
            raise_freed(self)
        if state.graph:  # (an input not kept reads as None: see saved_for)
            return tuple([None if t is NOT_KEPT else t for t in inputs])
        if len(inputs) == 2:
            return inputs[0].data, inputs[1].data
        return [t.data for t in inputs]

    @property
    def result(self):
        """The output: an array in a plain backward, a tensor recorded on the tape under ``create_graph``."""
        if self._result is None:
            raise_freed(self)
        if state.graph:
            t = _new_tensor(self._result)
            t.grad_fn = self
            t.requires_grad = True
            return t
        return self._result

    def needs_input_grad(self, i):
        """Whether input ``i`` wants a gradient: lets costly rules skip work (a matmul's data input)."""
        return self.next[i] is not None

    # ---- bookkeeping ----------------------------------------------------------------
    @property
    def scope(self):
        """The name_scope the op ran in (a module call, ``ag.name_scope``), or None."""
        return getattr(self, "_scope", None)

    def name(self):
        """The op's name as the tape shows it, e.g. ``Mul``."""
        return self.op.cls.__name__

    def __repr__(self):
        return f"<{self.name()}Backward seq={self.seq}>"

    @property
    def next_functions(self):
        """Where gradients go next, one entry per input: a record, a leaf tensor, or None."""
        return tuple(self.next)

    def attrs(self):
        """The op's non-array arguments (dim, stride, ...), for display."""
        return {
            k: v for k, v in self.__dict__.items()
            if not k.startswith("_") and k not in _BOOKKEEPING and not _is_array(v)
        }

    def saved_values(self):
        """Name -> array of what this record holds for backward (empty once freed)."""
        if self.inputs is None:  # released
            return {}
        saved = {}
        if self.fn.saves_inputs:
            for i, t in enumerate(self.inputs):
                if t is not NOT_KEPT:
                    saved[f"input{i}"] = t.data
        if self.fn.saves_result:
            saved["result"] = self._result
        for k, v in self.__dict__.items():
            if not k.startswith("_") and k not in _BOOKKEEPING and _is_array(v):
                saved[k] = v
        return saved

    def check_versions(self):
        """Raise if a value backward needs was changed in place after it was saved."""
        if self.fn.saves_inputs:
            saved = getattr(self, "_versions", None)
            for i, t in enumerate(self.inputs):
                vc = t._vc
                then = 0 if saved is None else saved[i]
                if vc is not None and vc[0] != then:
                    raise_modified(self, t.data.shape, t.data.dtype, f"input {i}", vc[0], then)
        result_vc = getattr(self, "_result_vc", None)
        if self.fn.saves_result and result_vc is not None and result_vc[0] != 0:
            raise_modified(self, self.out_shape, self.out_dtype, "the output", result_vc[0], 0)

    def release_attrs(self):
        """Drop the arrays ``forward`` kept as attributes (a mask, indices); keep the rest.

        Called by a backward pass without ``retain_graph`` after it drops the
        saved inputs and output. The graph's shape survives (``next``,
        ``out_shape``, attributes such as ``dim``), so the exporter can still
        draw it and an op that saved nothing can be walked again, as in PyTorch.
        """
        d = self.__dict__
        if not d:
            self.op.attrs_seen = False  # this op keeps no attributes: later releases skip the scan
            return
        ndarray = np.ndarray
        arrays = [
            k for k, v in d.items()
            if isinstance(v, ndarray) or (type(v) is tuple and any(isinstance(x, ndarray) for x in v))
        ]
        if arrays:
            for k in arrays:
                del d[k]
            self.freed = True
            self._stamp = FLAGGED  # a later walk must stop here with the freed-graph error

    @property
    def is_freed(self):
        """True once a backward pass has released values this record needs."""
        return self.freed or (self.inputs is None and self.op.saves)

    def input_meta(self):
        """(shape, dtype) of each input: from the tensors while they are held, else from the edges."""
        inputs = self.inputs or ()
        meta = []
        const_meta = getattr(self, "_const_meta", None)
        for i, e in enumerate(self.next):
            t = inputs[i] if i < len(inputs) else NOT_KEPT
            if t is not NOT_KEPT:
                meta.append((tuple(t.data.shape), t.data.dtype))
            elif e is None:
                meta.append(const_meta[i] if const_meta else (None, None))
            elif isinstance(e, Node):
                meta.append((tuple(e.out_shape), e.out_dtype))
            else:
                meta.append((tuple(e.data.shape), e.data.dtype))
        return meta


_BOOKKEEPING = frozenset({"hooks", "retained", "trace", "freed"})


def binary_operator(cls, general):
    """``Tensor.__add__`` and friends: ``cls.apply(a, b)`` with the record made inline.

    For two tensors of one dtype (the common case) this does what ``apply``
    does for a two-input op, without its extra call and argument handling;
    anything else goes to ``general(a, b)`` (scalars, lists, dtype promotion).
    On the 1,000-op chain benchmark it takes about a sixth off the forward time.
    """
    assert not cls.is_view and cls.differentiable and not cls.saves_result
    forward, saves_inputs, saved_for, op = cls.forward, cls.saves_inputs, cls.saved_for, cls._op
    ndarray, new, seq = np.ndarray, _object_new, _seq

    def operator(a, b):
        if type(b) is not _Tensor:
            return general(a, b)
        x, y = a.data, b.data
        dtype = x.dtype
        if dtype is not y.dtype:
            return general(a, b)
        ctx = Node()
        ctx.op = op
        try:
            out = forward(ctx, x, y)
        except ValueError as e:
            if "broadcast" not in str(e):
                raise
            raise _broadcast_error(cls, (a, b)) from None
        if type(out) is not ndarray:
            out = np.asarray(out)  # 0-d inputs give a numpy scalar
        result = new(_Tensor)
        result.data = out
        result.grad = None
        result._vc = None
        result._hooks = None
        ra, rb = a.requires_grad, b.requires_grad
        if not ((ra or rb) and state.enabled):
            result.grad_fn = None
            result.requires_grad = False
            return result
        if ra and rb:
            ctx.next = (a.grad_fn or a, b.grad_fn or b)
        else:
            ctx.next = (a.grad_fn or a, None) if ra else (None, b.grad_fn or b)
            ctx._const_meta = _meta((a, b))
            if saved_for is not None:  # keep only the factor the wanted gradient reads
                a, b = _needed(saved_for, ctx.next, (a, b))
        ctx.seq = next(seq)
        ctx.out_dtype = dtype  # +, -, * of two arrays of one dtype give that dtype
        shape = x.shape  # (each read of an array's shape builds a tuple: one read is saved when they match)
        if shape == y.shape:
            # one dtype and no broadcasting: the gradients come back in the inputs' shape and dtype,
            # and the engine can pass them on without checking (a third of a chain's backward checks)
            ctx.out_shape = shape
            ctx._exact = True
        else:
            ctx.out_shape = out.shape
            ctx._exact = False
        ctx._stamp = state.inplace
        if saves_inputs:
            ctx.inputs = (a, b)
            va, vb = a._vc, b._vc
            if va is not None or vb is not None:
                ctx._versions = (0 if va is None else va[0], 0 if vb is None else vb[0])
        else:
            ctx.inputs = ()
        if state.annotate:
            _annotate(ctx, 2)  # the stack up to the line with the operator
        result.grad_fn = ctx
        result.requires_grad = True
        return result

    operator.__name__, operator.__doc__ = general.__name__, general.__doc__
    return operator


def unary_operator(cls, method):
    """``Tensor.relu`` and friends: ``cls.apply(a)`` with the record made inline (see ``binary_operator``).

    ``method`` is the plain version, whose name and docstring the result takes.
    """
    assert cls.elementwise and not cls.is_view and cls.differentiable and not cls.saves_inputs
    forward, saves_result, op = cls.forward, cls.saves_result, cls._op
    ndarray, new, seq = np.ndarray, _object_new, _seq

    def operator(a):
        ctx = Node()
        ctx.op = op
        out = forward(ctx, a.data)
        if type(out) is not ndarray:
            out = np.asarray(out)
        result = new(_Tensor)
        result.data = out
        result.grad = None
        result._vc = None
        result._hooks = None
        if not (a.requires_grad and state.enabled):
            result.grad_fn = None
            result.requires_grad = False
            return result
        ctx.next = (a.grad_fn or a,)
        ctx.seq = next(seq)
        ctx.out_shape = out.shape
        ctx.out_dtype = out.dtype
        ctx._exact = True  # elementwise: the gradient has the input's shape and dtype
        ctx.inputs = ()
        ctx._stamp = state.inplace
        if saves_result:
            ctx._result = out  # its version counter is made when first needed (version_counter)
        if state.annotate:
            _annotate(ctx, 2)
        result.grad_fn = ctx
        result.requires_grad = True
        return result

    operator.__name__, operator.__doc__ = method.__name__, method.__doc__
    return operator


def _annotate(ctx, frames):
    """Tag a new record with the name scope it ran in and, under detect_anomaly(), the forward stack."""
    if state._scope is not None:
        ctx._scope = state._scope
    if state._anomaly:
        ctx.trace = traceback.format_stack()[:-frames]


class _NotKept:
    """Stands in a record's inputs for an input that no wanted gradient reads (see ``Function.saved_for``)."""

    __slots__ = ()
    data = None  # what saved_tensors hands back for it
    _vc = None  # never checked for in-place changes

    def __repr__(self):
        return "<not kept>"


NOT_KEPT = _NotKept()


def _needed(saved_for, edges, inputs):
    """``inputs`` with NOT_KEPT where no input that gets a gradient reads it."""
    needed = set()
    for i, e in enumerate(edges):
        if e is not None:
            needed.update(saved_for[i])
    return tuple([t if i in needed else NOT_KEPT for i, t in enumerate(inputs)])


def _meta(inputs):
    """(shape, dtype) of each input: what the drawing shows of inputs that get no gradient, once they are let go."""
    return [(t.data.shape, t.data.dtype) for t in inputs]


def _is_array(v):
    return isinstance(v, np.ndarray)


def _broadcast_error(cls, inputs):
    shapes = [tuple(t.data.shape) for t in inputs]
    name = cls.__name__.lower()
    for i in range(1, min(len(s) for s in shapes) + 1):
        sizes = {s[-i] for s in shapes} - {1}
        if len(sizes) > 1:
            a, b = sorted(sizes)[:2]
            return RuntimeError(
                f"{name}: The size of tensor a ({shapes[0][-i]}) must match the size of tensor b ({shapes[1][-i]}) "
                f"at non-singleton dimension {max(len(s) for s in shapes) - i} (shapes {', '.join(map(str, shapes))}); "
                "broadcasting needs each dimension to match or be 1"
            )
    return RuntimeError(f"{name}: shapes {', '.join(map(str, shapes))} cannot be broadcast together")


# id(tensor) -> (weak reference to it, {id(view): weak reference to the view}), for tensors that have
# views; keyed by id because tensors compare elementwise. Entries leave when the tensor or a view dies.
_views = {}


def add_view(base, view):
    """Note that ``view`` was taken of ``base``, for ``views_of``."""
    key = id(base)
    entry = _views.get(key)
    if entry is None or entry[0]() is not base:
        entry = _views[key] = (weakref.ref(base, lambda _, k=key: _views.pop(k, None)), {})
    views = entry[1]
    vkey = id(view)
    views[vkey] = weakref.ref(view, lambda _, v=views, k=vkey: v.pop(k, None))


def views_of(base):
    """The live views taken of ``base`` (through view ops), in the order they were taken."""
    entry = _views.get(id(base))
    if entry is None or entry[0]() is not base:
        return []
    return [v for v in (r() for r in list(entry[1].values())) if v is not None]


def version_counter(t):
    """``t``'s version counter (a one-item list shared with its views), made on first need.

    In-place ops bump it; records that saved ``t`` compare it in backward. A
    record that saved its output (relu, exp, ...) does not make one up front:
    when the output first gets one, the record is linked to it here.
    """
    vc = t._vc
    if vc is None:
        vc = t._vc = [0]
        node = t.grad_fn
        if node is not None and node.fn.saves_result and node._result is t.data:
            node._result_vc = vc
    return vc


def raise_freed(node):
    """Raise PyTorch's error for walking a graph whose saved values a backward pass already freed."""
    raise RuntimeError(
        f"Trying to backward through the graph a second time (or directly access saved tensors after they "
        f"have already been freed). Saved intermediate values of the graph are freed when you call "
        f".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
        f"graph a second time or if you need to access saved tensors after calling backward. "
        f"(op: {node.name()}, seq {node.seq})"
    )


def raise_modified(node, shape, dtype, which, now, expected):
    """Raise PyTorch's error for a saved value that was changed in place after it was saved."""
    raise RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"[{dtype} tensor of shape {tuple(shape)}], which is {which} of {node.name()} (seq {node.seq}), "
        f"is at version {now}; expected version {expected} instead. Hint: clone the tensor before changing "
        f"it in place (x = x.clone()), or do the in-place change before the op uses it."
    )


_new_tensor = None  # set by tensor.py: makes a Tensor around an array without checks
_Tensor = None  # set by tensor.py
_object_new = object.__new__
