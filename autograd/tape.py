"""Reading the tape: the records behind a result, in the order they were made.

``tape(loss)`` returns the records reachable from ``loss`` sorted by sequence
number (the order the forward pass ran them); ``print_tape(loss)`` prints
them as a table. That is the tape a backward pass walks, in reverse.

>>> import autograd as ag
>>> x = ag.tensor([1.0, 2.0], requires_grad=True)
>>> y = (x * x).sum()
>>> [r.op for r in ag.tape(y)]
['Mul', 'Sum']
"""

from dataclasses import dataclass

from .tensor import Tensor


@dataclass(frozen=True)
class TapeEntry:
    """One record as a learner sees it."""

    seq: int
    op: str
    input_shapes: tuple
    output_shape: tuple
    requires_grad: tuple  # per input: does a gradient flow to it?
    scope: str
    record: object  # the Node itself

    def __str__(self):
        ins = ", ".join(str(s) for s in self.input_shapes)
        return f"{self.seq:>6}  {self.op:<14} ({ins}) -> {tuple(self.output_shape)}"


def records(roots):
    """The records reachable from ``roots`` (a tensor or several), in tape order. Iterative: no recursion limit."""
    roots = (roots,) if isinstance(roots, Tensor) else tuple(roots)
    seen = set()
    stack = [r.grad_fn for r in roots if r.grad_fn is not None]
    found = []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        found.append(node)
        for edge in node.next:
            if edge is not None and not isinstance(edge, Tensor):
                stack.append(edge)
    found.sort(key=lambda n: n.seq)
    return found


def scope_name(node):
    """The dotted module path a record was made in (``'encoder.fc1'``), or ``''`` outside any module."""
    scope = node.scope
    return ".".join(s.name for s in scope.path() if s.name) if scope is not None else ""


def tape(roots):
    """The tape behind ``roots`` as a list of :class:`TapeEntry`, oldest first.

    ``roots`` is a tensor or a sequence of tensors. The entries are the
    records a backward pass from ``roots`` would visit, in the order the
    forward pass made them (increasing ``seq``).

    Examples
    --------
    >>> import autograd as ag
    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> entries = ag.tape((x.exp() * 2.0).sum())
    >>> [e.op for e in entries]
    ['Exp', 'Mul', 'Sum']
    >>> entries[0].input_shapes, entries[-1].output_shape
    (((2,),), ())
    """
    out = []
    for node in records(roots):
        out.append(
            TapeEntry(
                seq=node.seq,
                op=node.name(),
                input_shapes=tuple(shape for shape, _ in node.input_meta()),
                output_shape=tuple(node.out_shape),
                requires_grad=tuple(e is not None for e in node.next),
                scope=scope_name(node),
                record=node,
            )
        )
    return out


def format_tape(roots):
    """The tape as a text table: seq, op, input shapes, output shape, which inputs get a gradient, module."""
    entries = tape(roots)
    header = ("seq", "op", "inputs", "output", "grad to inputs", "module")
    rows = [
        (
            str(e.seq),
            e.op,
            ", ".join(str(s) for s in e.input_shapes),
            str(tuple(e.output_shape)),
            ", ".join("yes" if r else "no" for r in e.requires_grad),
            e.scope,
        )
        for e in entries
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


def print_tape(roots):
    """Print the tape behind ``roots`` as a table (see :func:`format_tape`).

    Examples
    --------
    >>> import autograd as ag
    >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> ag.print_tape(y)  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
    seq  op   inputs      output  grad to inputs  module
    ---...
    ...  Mul  (2,), (2,)  (2,)    yes, yes
    ...  Sum  (2,)        ()      yes

    (The sequence numbers, elided here, count every record made so far.)
    """
    print(format_tape(roots))
