"""Grad mode: whether ops are recorded on the tape.

``no_grad`` and ``enable_grad`` work as context managers and as decorators,
like their PyTorch namesakes. The state is process-global (not per thread),
which is what a numpy engine with no threads of its own needs.
"""

import functools


class _State:
    """Flags read on every op; kept on one small object so the hot path reads one global."""

    __slots__ = ("enabled", "graph", "_anomaly", "_scope", "inplace", "annotate")

    def __init__(self):
        self.enabled = True  # record ops on the tape
        self.graph = False  # a backward pass with create_graph=True is running
        self._anomaly = False  # detect_anomaly() is active
        self._scope = None  # innermost name_scope (a _Scope) or None
        self.inplace = 0  # count of in-place changes so far: records made since the last one skip version checks
        self.annotate = False  # a scope or anomaly mode is on: records get tagged (one check per op)

    @property
    def anomaly(self):
        return self._anomaly

    @anomaly.setter
    def anomaly(self, value):
        self._anomaly = value
        self.annotate = bool(value) or self._scope is not None

    @property
    def scope(self):
        return self._scope

    @scope.setter
    def scope(self, value):
        self._scope = value
        self.annotate = value is not None or bool(self._anomaly)


state = _State()


def is_grad_enabled():
    """True when new ops are recorded on the tape."""
    return state.enabled


class _GradModeContext:
    """Base of the grad-mode switches: context manager and decorator in one."""

    mode = True

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self.mode

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Do not record ops: results do not require grad. Use as ``with no_grad():`` or ``@no_grad()``.

    As ``torch.no_grad``: for evaluation and for updating weights in place.

    Examples
    --------
    >>> import autograd as ag
    >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> with ag.no_grad():
    ...     y = w * 2.0
    >>> y.requires_grad
    False
    >>> @ag.no_grad()
    ... def predict(x):
    ...     return (w * x).sum()
    >>> predict(ag.tensor([3.0, 4.0]))
    tensor(11.)
    """

    mode = False


class enable_grad(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Record ops again inside a ``no_grad`` block. Context manager or decorator."""

    mode = True


class set_grad_enabled(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Switch recording on or off: ``set_grad_enabled(False)`` as a call, a context manager or a decorator."""

    def __init__(self, mode=True):
        self.mode = bool(mode)
        self._prev = state.enabled
        state.enabled = self.mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        state.enabled = self._prev
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = state.enabled
            state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                state.enabled = prev

        return wrapper


class _Scope:
    """One level of naming scope: a name, an optional owner object, and its parent."""

    __slots__ = ("name", "owner", "parent", "__weakref__")

    def __init__(self, name, owner, parent):
        self.name = name
        self.owner = owner
        self.parent = parent

    def path(self):
        """The chain of scopes from the outermost to this one."""
        chain = []
        scope = self
        while scope is not None:
            chain.append(scope)
            scope = scope.parent
        return chain[::-1]


class name_scope:  # noqa: N801 - reads like the context manager it is
    """Tag every op recorded inside with a scope, so the tape knows who ran it.

    ``nn.Module.__call__`` enters one per module call; the graph exporter draws
    each scope as a cluster. ``owner_type`` is a label such as the module's
    class name.
    """

    __slots__ = ("name", "owner_type", "_prev")

    def __init__(self, name, owner_type=None):
        self.name = name
        self.owner_type = owner_type

    def __enter__(self):
        prev = self._prev = state._scope
        scope = state.scope = _Scope(self.name, self.owner_type, prev)
        return scope

    def __exit__(self, *exc):
        state.scope = self._prev
        return False
