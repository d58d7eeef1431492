"""The reverse walk: ``backward()`` and ``grad()``.

The records reachable from the outputs are visited in decreasing sequence
number. Every record's ``seq`` is larger than those of the records that made
its inputs, so when a record is popped all gradients flowing into it have
arrived. A heap keyed by ``-seq`` gives that order in one pass with no
recursion (a chain of a million ops is fine) and no global state: the heap,
the pending gradients and the leaf gradients live only for one call.

Three things happen here, once for all ops:
* unbroadcasting: a gradient is summed back to its input's shape;
* casting: a gradient takes its input's dtype;
* accumulation: gradients from several consumers are added.

A plain backward works on numpy arrays. ``create_graph=True`` works on
Tensors with grad mode on, so every step above is itself recorded.
"""

import heapq
import sys

import numpy as np

from .function import FLAGGED, Node, raise_freed
from .grad_mode import state
from .tensor import Tensor, _new


def sum_to(g, shape):
    """Sum a broadcast gradient back to ``shape`` (arrays or Tensors)."""
    gshape = g.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and gshape[i + lead] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if lead or g.shape != shape:
        g = g.reshape(shape)
    return g


def _make_seed(t, gradient, create_graph):
    if gradient is None:
        if t.data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs (this output has shape "
                f"{tuple(t.data.shape)}); pass gradient= with that shape, or reduce first, e.g. y.sum().backward()"
            )
        g = np.ones(t.data.shape, t.data.dtype)
    else:
        g = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient, dtype=t.data.dtype)
        if g.shape != t.data.shape:
            raise RuntimeError(
                f"backward: gradient has shape {tuple(g.shape)} but the output has shape {tuple(t.data.shape)}; "
                "they must match"
            )
        if g.dtype != t.data.dtype:
            g = g.astype(t.data.dtype)
    if create_graph:
        if isinstance(gradient, Tensor):
            return gradient if gradient.data.dtype == t.data.dtype else gradient.to(t.data.dtype)
        return _new(g)
    return g


def _check_roots(tensors):
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"backward: expected Tensors as outputs, got {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn "
                f"(shape {tuple(t.data.shape)}). Create the leaves with requires_grad=True (or call "
                "x.requires_grad_()), and do not compute the output under no_grad()."
            )


def run_backward(roots, seeds, retain_graph, create_graph, capture=None, accumulate=True):
    """Propagate ``seeds`` from ``roots`` down the tape.

    ``capture`` maps a record or a leaf tensor to a slot index: the total
    gradient reaching it is stored in the returned list (``autograd.grad``).
    With ``accumulate`` the leaves' ``.grad`` are updated (``backward``).
    """
    pending = {}  # seq -> [record, gradient of its output]
    heap = []  # -seq of the records with a pending gradient
    leaf_grads = {}  # leaf -> [leaf, most addends kept, gradients...] (tensors hash by identity)
    captured = [None] * (len(capture) if capture else 0)
    prev_enabled, prev_graph = state.enabled, state.graph
    state.graph = create_graph
    state.enabled = create_graph
    anomaly = state.anomaly
    push, pop = heapq.heappush, heapq.heappop
    try:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for t, g in zip(roots, seeds):
                edge = t.grad_fn or t
                if isinstance(edge, Tensor):
                    entry = leaf_grads.setdefault(edge, [edge, 3])  # a root's gradients are added at once
                    entry.append(g)
                    if len(entry) > entry[1]:
                        entry[2:] = [_sum_addends(entry[2:])]
                else:
                    _add_pending(pending, heap, edge, g)
            nxt = None  # the next record to visit, when it is the only one with a pending gradient ...
            nxt_g = None  # ... and its gradient
            while True:
                # A record's gradient is complete once every record with a larger seq has run.
                # When the record just reached is the only one pending (a chain), that holds
                # at once, and it is visited without the heap: this saves a quarter of a
                # chain's backward time.
                if nxt is not None:
                    node, g = nxt, nxt_g
                    nxt = None
                elif heap:
                    node, g = pending.pop(-pop(heap))
                else:
                    break
                if node._stamp != state.inplace:  # an in-place change since it was made, or a flag
                    g = _visit_flagged(node, g, create_graph)
                if capture and node in capture:
                    captured[capture[node]] = g
                op = node.op  # (every record is a Node, so these reads stay on CPython's fast path)
                backward = op.backward
                grads = backward(node, g)
                if type(grads) is not tuple:
                    grads = (grads,)
                if anomaly:
                    _check_finite(node, grads)
                exact = node._exact
                for edge, gi in zip(node.next, grads):
                    if edge is None or gi is None:
                        continue
                    if not exact:  # fit the gradient to the input: unbroadcast, cast, and make it an array
                        if type(gi) is not np.ndarray and not create_graph:
                            gi = np.asarray(gi)  # numpy indexing can hand back a scalar
                        if type(edge) is not Node:  # a leaf tensor
                            shape, dtype = edge.data.shape, edge.data.dtype
                        else:
                            shape, dtype = edge.out_shape, edge.out_dtype
                        if gi.shape != shape:
                            gi = sum_to(gi, shape)
                        if gi.dtype is not dtype and gi.dtype != dtype:
                            gi = gi.astype(dtype)
                    if type(edge) is not Node:  # a leaf tensor (nn.Parameter too): its gradients are summed over the pass
                        entry = leaf_grads.get(edge)
                        if entry is None:
                            # small gradients are kept and summed in one reduction (see _sum_addends)
                            small = type(gi) is np.ndarray and gi.nbytes <= _ADDEND_BYTES and not create_graph
                            keep = _ADDENDS if small else 1
                            leaf_grads[edge] = [edge, keep + 2, gi]
                        else:
                            entry.append(gi)
                            if len(entry) > entry[1]:
                                entry[2:] = [_sum_addends(entry[2:])]
                        continue
                    if nxt is None:
                        if not heap:
                            nxt, nxt_g = edge, gi
                            continue
                    elif nxt is edge:
                        nxt_g = nxt_g + gi
                        continue
                    else:  # a second record reached: both go through the heap
                        pending[nxt.seq] = [nxt, nxt_g]
                        push(heap, -nxt.seq)
                        nxt = None
                    seq = edge.seq
                    entry = pending.get(seq)
                    if entry is None:
                        pending[seq] = [edge, gi]
                        push(heap, -seq)
                    else:
                        entry[1] = entry[1] + gi
                if not retain_graph:  # drop what backward needed: saved inputs, output, array attributes
                    if op.saves:
                        node.inputs = None
                        node._result = None
                        node._stamp = FLAGGED  # a second walk stops here with the freed-graph error
                    if op.attrs_seen:
                        node.release_attrs()
            grads = gi = g = nxt_g = None  # drop the walk's last references, so fresh leaf gradients can be kept uncopied
            entries = list(leaf_grads.values())
            for entry in entries:
                entry[1:] = [_sum_addends(entry[2:])]  # now [leaf, gradient]
            shared = len({id(e[1]) for e in entries}) != len(entries)  # one array sent to two leaves
            leaf_grads = None
            for entry in entries:
                leaf, g = entry
                entry[1] = None
                for hook in list(leaf._hooks or ()):
                    g = _run_hook(hook, g, create_graph)
                if capture and leaf in capture:
                    captured[capture[leaf]] = g
                if accumulate:
                    _accumulate_leaf(leaf, g, create_graph, shared)
    finally:
        state.enabled, state.graph = prev_enabled, prev_graph
    return captured


_ADDEND_BYTES = 1 << 12  # a leaf's gradients this small are kept and summed together ...
_ADDENDS = 256  # ... up to this many at a time


def _sum_addends(arrays):
    """The sum of same-shape, same-dtype gradients, in one reduction when there are several.

    A small leaf used by many ops (a bias applied at every step of a long chain,
    a shared scalar) gets one small gradient from each. Adding them one by one
    costs a numpy call each; copying them into one block and reducing it over
    the first axis costs a fraction of that (on the chain benchmark, a tenth of
    the backward time) and adds in the same order, so the sum is the same to
    the bit.
    """
    if len(arrays) == 1:
        return arrays[0]
    if len(arrays) == 2:
        return arrays[0] + arrays[1]
    first = arrays[0]
    if first.size == 1:  # numpy sums a single column pairwise; a running sum keeps the order
        return np.cumsum(np.array(arrays).reshape(-1))[-1].reshape(first.shape)
    block = np.concatenate(arrays).reshape((len(arrays),) + first.shape)
    return np.add.reduce(block)


def _visit_flagged(node, g, create_graph):
    """The checks for a record whose stamp is not current (see function.FLAGGED); returns the gradient to pass on.

    Runs the output's gradient hooks and fills its retained ``.grad``, raises
    if a backward pass released what this record needs, and raises if a value
    it saved was changed in place since.
    """
    if node.hooks or node.retained is not None:
        g = _visit_watched(node, g, create_graph)
    if node.is_freed:
        raise_freed(node)
    if node.op.saves:
        node.check_versions()
    return g


def _visit_watched(node, g, create_graph):
    """Run the output's gradient hooks and fill its retained ``.grad``; return the gradient to pass on."""
    if node.hooks:
        for hook in list(node.hooks):
            g = _run_hook(hook, g, create_graph)
    if node.retained is not None:
        owner = node.retained()
        if owner is not None:
            _accumulate_leaf(owner, g, create_graph)
    return g


def _add_pending(pending, heap, node, g):
    if g.shape != node.out_shape:
        g = sum_to(g, node.out_shape)
    entry = pending.get(node.seq)
    if entry is None:
        pending[node.seq] = [node, g]
        heapq.heappush(heap, -node.seq)
    else:
        entry[1] = entry[1] + g


_FRESH_REFS = 3  # references to an unshared leaf gradient when _accumulate_leaf checks it (loop, argument, call)


def _accumulate_leaf(leaf, g, create_graph, shared=True):
    if create_graph:
        gt = g if isinstance(g, Tensor) else _new(g)
        leaf.grad = gt if leaf.grad is None else leaf.grad + gt
        return
    if leaf.grad is None:
        # .grad needs a private, writable array: g may be shared with another input's gradient or be a
        # broadcast view. A fresh array that nothing else refers to (the leaf_grads entry, the loop
        # variable, this argument and getrefcount's own) can be kept as it is: the copy of a large
        # weight gradient costs a noticeable part of a training step.
        owned = (
            not shared and type(g) is np.ndarray and g.base is None and g.flags.writeable
            and g.dtype == leaf.data.dtype and sys.getrefcount(g) <= _FRESH_REFS
        )
        leaf.grad = _new(g if owned else np.array(g, dtype=leaf.data.dtype, copy=True))
    elif leaf.grad.requires_grad:
        leaf.grad = _new(leaf.grad.data + g)
    else:
        leaf.grad.data += g


def _run_hook(hook, g, create_graph):
    gt = g if isinstance(g, Tensor) else _new(g)
    out = hook(gt)
    if out is None:
        return g
    if not isinstance(out, Tensor):
        out = _new(np.asarray(out))
    if out.data.shape != gt.data.shape:
        raise RuntimeError(f"hook returned a gradient of shape {tuple(out.data.shape)}; expected {tuple(gt.data.shape)}")
    return out if create_graph else out.data


def _check_finite(node, grads):
    for i, gi in enumerate(grads):
        if gi is None:
            continue
        arr = gi.data if isinstance(gi, Tensor) else gi
        if not np.all(np.isfinite(arr)):
            where = "".join(node.trace[-3:]) if node.trace else "  (created before detect_anomaly() was entered)\n"
            raise RuntimeError(
                f"Function '{node.name()}Backward' returned nan or inf values in its {i}th output "
                f"(shape {tuple(np.shape(arr))}).\nThe op was created here in the forward pass:\n{where}"
            )


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves, as ``torch.autograd.backward``.

    Parameters
    ----------
    tensors : Tensor or sequence of Tensor
        The outputs to differentiate; each must require grad.
    grad_tensors : Tensor or sequence, optional
        The gradient with respect to each output (None for a one-element
        output, which then gets 1).
    retain_graph : bool, optional
        Keep the saved values so the graph can be walked again; defaults to
        ``create_graph``.
    create_graph : bool
        Record the backward pass, so the gradients can be differentiated again.
    inputs : Tensor or sequence of Tensor, optional
        Accumulate into these tensors only, instead of every leaf.

    Examples
    --------
    >>> import autograd as ag
    >>> w = ag.tensor([1.0, -1.0], requires_grad=True)
    >>> a, b = (w * 2.0).sum(), (w * w).sum()
    >>> ag.backward([a, b])
    >>> w.grad
    tensor([4., 0.])
    """
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
        grad_tensors = (grad_tensors,)
    else:
        tensors = tuple(tensors)
        grad_tensors = tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    _check_roots(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    seeds = [_make_seed(t, g, create_graph) for t, g in zip(tensors, grad_tensors)]
    if inputs is not None:
        inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
        grads = grad(tensors, inputs, seeds, retain_graph, create_graph, allow_unused=True, _seeds_ready=True)
        for x, g in zip(inputs, grads):
            if g is not None:
                _accumulate_leaf(x, g if create_graph else g.data, create_graph)
        return
    run_backward(tensors, seeds, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None,
         materialize_grads=False, _seeds_ready=False):
    """Return the gradients of ``outputs`` w.r.t. ``inputs`` without touching any ``.grad``.

    As ``torch.autograd.grad``: ``create_graph=True`` records the computation
    of the gradients, so they can be differentiated again.

    Parameters
    ----------
    outputs : Tensor or sequence of Tensor
        What to differentiate.
    inputs : Tensor or sequence of Tensor
        With respect to what; each must require grad.
    grad_outputs : Tensor or sequence, optional
        The gradient with respect to each output (None for one-element
        outputs: 1).
    retain_graph : bool, optional
        Keep the saved values for another pass; defaults to ``create_graph``.
    create_graph : bool
        Record the computation of the gradients on the tape (for higher
        derivatives).
    allow_unused : bool, optional
        Return None for an input the outputs do not depend on, instead of
        raising.
    materialize_grads : bool
        Return zeros instead of None for such inputs.

    Returns
    -------
    tuple of Tensor
        One gradient per input, in order.

    Examples
    --------
    >>> import autograd as ag
    >>> x = ag.tensor(3.0, requires_grad=True)
    >>> (dy,) = ag.grad(x ** 3, x, create_graph=True)
    >>> dy
    tensor(27., grad_fn=<MulBackward>)
    >>> ag.grad(dy, x)  # the second derivative, 6 x
    (tensor(18.),)
    >>> x.grad is None  # no .grad was touched
    True
    """
    single_out = isinstance(outputs, Tensor)
    outputs = (outputs,) if single_out else tuple(outputs)
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,) * len(outputs) if grad_outputs is None else (grad_outputs,)
    _check_roots(outputs)
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor):
            raise TypeError(f"grad: inputs[{i}] is a {type(x).__name__}, expected a Tensor")
        if not x.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (inputs[{i}], shape {tuple(x.data.shape)}) does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    seeds = list(grad_outputs) if _seeds_ready else [_make_seed(t, g, create_graph) for t, g in zip(outputs, grad_outputs)]
    capture = {}
    for i, x in enumerate(inputs):
        capture.setdefault(x.grad_fn or x, i)
    got = run_backward(outputs, seeds, retain_graph, create_graph, capture=capture, accumulate=False)
    result = []
    for i, x in enumerate(inputs):
        g = got[capture[x.grad_fn or x]]
        if g is None:
            if materialize_grads:
                result.append(_new(np.zeros_like(x.data)))
                continue
            if not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated Tensors (inputs[{i}], shape {tuple(x.data.shape)}) appears to not have "
                    "been used in the graph. Set allow_unused=True if this is the desired behavior."
                )
            result.append(None)
            continue
        if not isinstance(g, Tensor):
            g = _new(np.array(g, dtype=x.data.dtype, copy=True))
        elif g.data.dtype != x.data.dtype:
            g = g.to(x.data.dtype)
        result.append(g)
    return tuple(result)
