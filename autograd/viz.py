"""Drawing the tape: ``make_dot`` (the graph behind a result) and ``draw_training_step``.

``make_dot(loss, params=dict(model.named_parameters()))`` returns a
``graphviz.Digraph`` of the records behind ``loss``: one node per op, one per
leaf tensor (parameters by name, other leaves as inputs), one per output, and
edges in the direction the data flowed, labelled with the shape that flowed
along them. Ops are grouped in clusters by the naming scope they ran in
(``nn.Module.__call__`` enters one per module), so a model's layers appear as
boxes; ``collapse_modules=True`` draws each module as a single node.

``draw_training_step(model, loss_fn, optimizer, x, y)`` draws one step of
training the way it is drawn on a whiteboard: input, layers with their
weights, predictions, loss, backward, optimizer, weight update.

Building the DOT source (``.source``, ``.save()``) needs nothing but Python.
Rendering (``.render()``, ``.pipe()``, inline display in Jupyter) runs
Graphviz's ``dot`` when it is on ``PATH``, else the ``graphviz-pure`` program
(``pip install 'tapegrad[render]'``); with neither, it raises
:class:`GraphvizNotFoundError`.

This module reads only the tape records and their scopes; it never imports
``nn`` or ``optim`` (models and optimizers are duck-typed).
"""

import contextlib
import functools
import html
import os
import pathlib
import shutil
import sysconfig
import threading

import graphviz
import numpy as np
from graphviz.backend import dot_command

from . import random as _random
from .function import Node
from .grad_mode import no_grad
from .tape import records
from .tensor import Tensor

__all__ = ["make_dot", "draw_training_step", "Digraph", "GraphvizNotFoundError", "find_layout_program"]


# ---- the layout program ------------------------------------------------------------------------

class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Rendering needs Graphviz's ``dot`` (or ``graphviz-pure``) and neither was found.

    A ``RuntimeError``, and a ``graphviz.ExecutableNotFound``, so code that
    catches the graphviz package's error catches this one too.
    """

    def __init__(self, searched=()):
        where = "PATH" + "".join(f", {d}" for d in searched)
        RuntimeError.__init__(
            self,
            "Rendering a graph needs Graphviz's 'dot' program, and neither 'dot' nor 'graphviz-pure' was found "
            f"(looked in {where}). Install one of them: the system Graphviz (`apt-get install graphviz`, "
            "`brew install graphviz`, `conda install graphviz`, or https://graphviz.org/download/), or the "
            "self-contained graphviz-pure with `pip install 'tapegrad[render]'` (or `pip install graphviz-pure`). "
            "The DOT source (.source, .save()) needs neither.",
        )


def _script_dirs():
    """Where pip puts console programs for this interpreter: found even when the venv is not activated."""
    dirs = []
    for scheme in (sysconfig.get_default_scheme(), sysconfig.get_preferred_scheme("user")):
        with contextlib.suppress(KeyError):
            d = sysconfig.get_path("scripts", scheme)
            if d and d not in dirs:
                dirs.append(d)
    return dirs


def find_layout_program():
    """The program that renders: Graphviz's ``dot`` on PATH, else ``graphviz-pure``; None if neither exists.

    A path the user set on the graphviz package (``graphviz.backend.dot_command.DOT_BINARY``) wins.
    """
    if dot_command.DOT_BINARY != pathlib.Path("dot"):
        return os.fspath(dot_command.DOT_BINARY)
    found = shutil.which("dot") or shutil.which("graphviz-pure")
    if found:
        return found
    exe = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    for d in _script_dirs():
        candidate = os.path.join(d, exe)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


_binary_lock = threading.RLock()


def _with_layout_program(run):
    """Wrap one of the graphviz package's runners so it uses :func:`find_layout_program`'s program.

    The graphviz package reads the program from one module attribute; it is
    set for the duration of the call (under a lock) and put back afterwards,
    so plain ``graphviz`` objects elsewhere in the process are unaffected.
    """

    @functools.wraps(run)
    def runner(*args, **kwargs):
        program = find_layout_program()
        if program is None:
            raise GraphvizNotFoundError(_script_dirs())
        with _binary_lock:
            previous = dot_command.DOT_BINARY
            dot_command.DOT_BINARY = pathlib.Path(program)
            try:
                return run(*args, **kwargs)
            finally:
                dot_command.DOT_BINARY = previous

    return runner


class Digraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering finds Graphviz's ``dot`` or ``graphviz-pure``.

    ``.source``, ``.save()``, ``.render()``, ``.pipe()``, ``.view()`` and the
    Jupyter display (``_repr_mimebundle_``) behave as in the graphviz package.
    """

    @property
    def _render(self):
        return _with_layout_program(super()._render)

    @property
    def _pipe_lines(self):
        return _with_layout_program(super()._pipe_lines)

    @property
    def _pipe_lines_string(self):
        return _with_layout_program(super()._pipe_lines_string)


# ---- styles -------------------------------------------------------------------------------------

_FONT = "Helvetica"  # every Graphviz knows its metrics; SVG viewers substitute Arial where it is missing

_STYLE = {
    "param": 'shape=box, style="rounded,filled", fillcolor="#cfe2f3", color="#3d85c6"',
    "input": 'shape=box, style=filled, fillcolor="#fff2cc", color="#bf9000"',
    "op": 'shape=box, style="rounded,filled", fillcolor="#eeeeee", color="#666666"',
    "output": 'shape=box, style="filled,bold", fillcolor="#b6d7a8", color="#38761d", penwidth=2',
    "const": 'shape=box, style=dashed, color="#999999", fontcolor="#666666"',
    "module": 'shape=box3d, style=filled, fillcolor="#ead1dc", color="#a64d79"',
    "elided": 'shape=note, style=filled, fillcolor="#f3f3f3", color="#999999"',
}

_LEGEND = (
    ("param", "parameter"),
    ("input", "input"),
    ("const", "constant"),
    ("op", "op"),
    ("module", "module"),
    ("output", "output"),
)

# parameters listed by name in a collapsed module's box
_BOX_PARAMS = 4

# the legend's colour swatches: fill, border, dashed border
_SWATCH = {
    "param": ("#cfe2f3", "#3d85c6", False),
    "input": ("#fff2cc", "#bf9000", False),
    "const": ("#ffffff", "#999999", True),
    "op": ("#eeeeee", "#666666", False),
    "module": ("#ead1dc", "#a64d79", False),
    "output": ("#b6d7a8", "#38761d", False),
}

# cluster fill by nesting depth: light enough that nodes stand out
_CLUSTER_FILLS = ("#f7f9fc", "#eef3f9", "#e4ecf5", "#dae5f1")

# record attributes that are bookkeeping, not arguments of the op
_NOT_ATTRS = frozenset({"trace", "hooks", "retained", "freed"})

_DIRECTIONS = ("TB", "LR", "BT", "RL")


def _esc(text):
    return html.escape(str(text), quote=False)


def _small(text, color="#444444"):
    return f'<FONT POINT-SIZE="9" COLOR="{color}">{_esc(text)}</FONT>'


def _label(title, *lines):
    """An HTML-like label: the title in bold, then smaller detail lines (already marked up)."""
    return "<" + "<BR/>".join((f"<B>{_esc(title)}</B>", *lines)) + ">"


def _shape(shape):
    return "?" if shape is None else str(tuple(shape))


def _dtype(dtype):
    return "" if dtype is None else str(np.dtype(dtype))


def _shorten(text, limit):
    return text if limit is None or len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def _is_array_tuple(v):
    return type(v) in (tuple, list) and any(isinstance(x, np.ndarray) for x in v)


def _saved_lines(record):
    if record.is_freed:
        return [_small("saved: freed by backward()", "#b45f06")]
    saved = dict(record.saved_values())
    for k, v in record.__dict__.items():  # tuples of arrays (index arrays, masks) are saved values too
        if not k.startswith("_") and _is_array_tuple(v):
            for i, x in enumerate(v):
                if isinstance(x, np.ndarray):
                    saved[f"{k}[{i}]"] = x
    if not saved:
        return [_small("saves nothing", "#b45f06")]
    return [_small(f"saved {k}: {_shape(v.shape)} {v.dtype}", "#b45f06") for k, v in saved.items()]


def _attr_lines(record, max_chars):
    lines = []
    for k, v in record.attrs().items():
        if k in _NOT_ATTRS or _is_array_tuple(v):
            continue
        lines.append(_small(_shorten(f"{k}={v!r}", max_chars), "#0b5394"))
    return lines


def _grad_lines(t):
    g = t.grad
    if g is None:
        return [_small("grad: None", "#990000")]
    data = g.data if isinstance(g, Tensor) else np.asarray(g)
    norm = float(np.linalg.norm(data.astype(np.float64, copy=False).ravel()))
    return [_small(f"grad {_shape(data.shape)}, norm {norm:.4g}", "#990000")]


def _scope_title(scope):
    path = ".".join(s.name for s in scope.path() if s.name)
    owner = "" if scope.owner is None else str(scope.owner)
    if path and owner:
        return f"{path}: {owner}"
    return path or owner or "scope"


def _param_names(params):
    if params is None:
        return {}
    items = params.items() if hasattr(params, "items") else params
    names = {}
    for item in items:
        try:
            name, t = item
        except (TypeError, ValueError):
            raise TypeError(
                "make_dot: params must be a dict of name -> tensor or an iterable of (name, tensor) pairs, "
                f"such as model.named_parameters(); got an item {item!r}"
            ) from None
        names.setdefault(id(t), str(name))
    return names


def _roots(root):
    roots = [root] if isinstance(root, Tensor) else list(root) if isinstance(root, (list, tuple)) else None
    if roots is None or not roots or not all(isinstance(r, Tensor) for r in roots):
        raise TypeError(
            "make_dot: root must be a Tensor or a non-empty list/tuple of Tensors (the outputs to draw), "
            f"got {type(root).__name__}"
        )
    return roots


# ---- make_dot -----------------------------------------------------------------------------------

def make_dot(
    root,
    params=None,
    show_attrs=False,
    show_saved=False,
    show_grad=False,
    show_seq=False,
    cluster_modules=True,
    collapse_modules=False,
    max_depth=None,
    direction="TB",
    legend=False,
    max_nodes=None,
    show_constants=False,
    max_attr_chars=50,
):
    """Draw the tape behind ``root`` as a ``graphviz.Digraph``, as torchviz's ``make_dot`` and more.

    Parameters
    ----------
    root : Tensor or sequence of Tensors
        The output(s) whose graph to draw; each gets an output node.
    params : dict or iterable of (name, Tensor), optional
        Names for leaf tensors, e.g. ``model.named_parameters()``. Named
        leaves are drawn as parameters; other leaves as inputs.
    show_attrs : bool
        Each op's non-tensor arguments (``dim``, ``keepdim``, stride ...).
    show_saved : bool
        What each op saved for backward, with shapes and dtypes (or that
        backward freed it).
    show_grad : bool
        Each leaf's ``.grad``: shape and norm (after ``backward()``).
    show_seq : bool
        Each op's sequence number: the order of the tape.
    cluster_modules : bool
        Group ops in nested clusters by the naming scope (module) that ran
        them, labelled ``name: ClassName``.
    collapse_modules : bool
        Draw each module at depth ``max_depth`` (default 1: the model's
        children), and each shallower module that has no modules inside (a
        loss function called on its own), as one node listing its
        parameters, keeping only the edges that enter and leave it.
    max_depth : int, optional
        Deepest module level drawn as a cluster (the root module is level 0,
        its children level 1, ...); ops of deeper modules join the cluster of
        their ancestor at that level.
    direction : {"TB", "LR", "BT", "RL"}
        Graphviz ``rankdir``: top to bottom or left to right.
    legend : bool
        Add a small legend of the node kinds drawn.
    max_nodes : int, optional
        Draw at most this many ops, the most recent ones (those nearest the
        output); earlier ones are summarised by a single node.
    show_constants : bool
        Draw inputs that need no gradient (edges without a record) as small
        dashed nodes.
    max_attr_chars : int
        Truncate each shown attribute to this many characters.

    Returns
    -------
    Digraph
        A ``graphviz.Digraph``: ``.source`` is the DOT text; ``.render()``,
        ``.pipe()`` and Jupyter's inline display run Graphviz's ``dot`` (or
        ``graphviz-pure``).

    Examples
    --------
    >>> import autograd as ag
    >>> a = ag.ones(2, 3, requires_grad=True)
    >>> b = ag.full((2, 3), 0.5, requires_grad=True)
    >>> g = ag.make_dot((a * b + a).sum(), params={"a": a, "b": b})
    >>> type(g).__name__
    'Digraph'
    >>> "Mul" in g.source and "Sum" in g.source
    True
    """
    roots = _roots(root)
    if direction not in _DIRECTIONS:
        raise ValueError(f"make_dot: direction must be one of {', '.join(_DIRECTIONS)}, got {direction!r}")
    if max_depth is not None and (not isinstance(max_depth, int) or max_depth < 0):
        raise ValueError(f"make_dot: max_depth must be a non-negative int or None, got {max_depth!r}")
    if max_nodes is not None and (not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"make_dot: max_nodes must be a positive int or None, got {max_nodes!r}")
    names = _param_names(params)
    return _Drawing(
        names, show_attrs, show_saved, show_grad, show_seq, cluster_modules, collapse_modules,
        max_depth, legend, show_constants, max_attr_chars,
    ).draw(roots, direction, max_nodes)


class _Drawing:
    """One ``make_dot`` call: decides where each record, leaf and edge goes, then writes DOT lines."""

    def __init__(self, names, show_attrs, show_saved, show_grad, show_seq, cluster_modules, collapse_modules,
                 max_depth, legend, show_constants, max_attr_chars):
        self.names = names
        self.show_attrs = show_attrs
        self.show_saved = show_saved
        self.show_grad = show_grad
        self.show_seq = show_seq
        self.cluster_modules = cluster_modules
        self.collapse_depth = (1 if max_depth is None else max_depth) if collapse_modules else None
        self.max_depth = max_depth
        self.legend = legend
        self.show_constants = show_constants
        self.max_attr_chars = max_attr_chars
        self.kinds = set()  # node kinds drawn, for the legend
        self.members = {}  # cluster key (None: top level) -> node lines
        self.children = {}  # cluster key -> child cluster keys, in order of appearance
        self.clusters = {}  # cluster key -> (scope, depth, number)
        self._placement = {}  # id(scope) -> (cluster chain, collapse target or None)
        self.has_children = set()  # ids of scopes that other scopes run inside

    # -- scopes ------------------------------------------------------------------------------
    def placement(self, scope):
        """(chain of scopes drawn as clusters, outermost first; the scope this op collapses into or None)."""
        if scope is None:
            return (), None
        key = id(scope)
        hit = self._placement.get(key)
        if hit is not None:
            return hit
        chain = []
        target = None
        level = 0
        path = scope.path()
        for s in path:
            if s.name:
                level += 1
            if self.collapse_depth is not None and (
                level >= self.collapse_depth or (s is path[-1] and id(s) not in self.has_children)
            ):
                target = s  # the module at the collapse depth, or a shallower one with no modules inside
                break
            if self.cluster_modules and (self.max_depth is None or level <= self.max_depth):
                chain.append(s)
        hit = (tuple(chain), target)
        self._placement[key] = hit
        return hit

    def register(self, chain):
        """Make sure the clusters of ``chain`` exist; return the key of the innermost (None: top level)."""
        parent = None
        for depth, s in enumerate(chain):
            key = id(s)
            if key not in self.clusters:
                self.clusters[key] = (s, depth, len(self.clusters))
                self.children.setdefault(parent, []).append(key)
            parent = key
        return parent

    def add(self, chain, line, kind):
        self.kinds.add(kind)
        self.members.setdefault(self.register(chain), []).append(line)

    # -- the drawing ----------------------------------------------------------------------------
    def draw(self, roots, direction, max_nodes):
        recs = records(roots)
        hidden = ()
        if max_nodes is not None and len(recs) > max_nodes:
            hidden = {id(r) for r in recs[: len(recs) - max_nodes]}
            recs = recs[len(recs) - max_nodes:]
        if self.collapse_depth is not None:
            seen = set()
            for r in recs:
                if r.scope is not None and id(r.scope) not in seen:
                    seen.add(id(r.scope))
                    self.has_children.update(id(s) for s in r.scope.path()[:-1])
        edges = []
        edge_seen = set()  # edges touching a collapsed module or the summary of hidden ops are drawn once

        # where each record is drawn: its own node, or the node of the module it collapses into
        node_of = {}
        chain_of = {}
        boxes = {}  # id(target scope) -> [node id, target scope, cluster chain, [(name, parameter)], op count]
        for r in recs:
            chain, target = self.placement(r.scope)
            if target is None:
                nid = f"op{r.seq}"
                node_of[id(r)] = nid
                chain_of[nid] = chain
                self.add(chain, f"\t{nid} [label={self.op_label(r)}, {_STYLE['op']}]\n", "op")
            else:
                box = boxes.get(id(target))
                if box is None:
                    box = boxes[id(target)] = [f"mod{len(boxes)}", target, chain, [], 0]
                    chain_of[box[0]] = chain
                box[4] += 1
                node_of[id(r)] = box[0]

        # leaves, in order of first use
        leaves = {}  # id(tensor) -> [tensor, consumer node ids]
        for r in recs:
            for e in r.next:
                if isinstance(e, Tensor):
                    leaf = leaves.get(id(e))
                    if leaf is None:
                        leaf = leaves[id(e)] = [e, []]
                    leaf[1].append(node_of[id(r)])
        for t in roots:
            if t.grad_fn is None and t.requires_grad and id(t) not in leaves:
                leaves[id(t)] = [t, []]

        leaf_node = {}
        box_by_id = {b[0]: b for b in boxes.values()}
        for n, (t, consumers) in enumerate(leaves.values()):
            name = self.names.get(id(t))
            is_param = name is not None or type(t).__name__ == "Parameter"
            title = name if name is not None else ("parameter" if is_param else "input")
            if is_param and consumers and all(c == consumers[0] for c in consumers) and consumers[0] in box_by_id:
                box_by_id[consumers[0]][3].append((title, t))
                leaf_node[id(t)] = consumers[0]
                continue
            nid = f"leaf{n}"
            leaf_node[id(t)] = nid
            lines = [_small(f"{_shape(t.shape)} {t.dtype}")]
            if self.show_grad:
                lines += _grad_lines(t)
            chain = _common_prefix([chain_of[c] for c in consumers]) if is_param and consumers else ()
            kind = "param" if is_param else "input"
            self.add(chain, f"\t{nid} [label={_label(title, *lines)}, {_STYLE[kind]}]\n", kind)

        for nid, target, chain, params, count in boxes.values():
            prefix = ".".join(s.name for s in target.path() if s.name) + "."
            lines = [
                _small(f"{name[len(prefix):] if name.startswith(prefix) else name} {_shape(t.shape)}", "#3d85c6")
                for name, t in params[:_BOX_PARAMS]
            ]
            if len(params) > _BOX_PARAMS:
                lines.append(_small(f"… and {len(params) - _BOX_PARAMS} more", "#3d85c6"))
            if params:
                size = sum(int(t.data.size) for _, t in params)
                lines.append(_small(f"{len(params)} parameters, {size:,} values", "#3d85c6"))
            lines.append(_small(f"{count:,} op{'s' if count != 1 else ''}"))
            self.add(chain, f"\t{nid} [label={_label(_scope_title(target), *lines)}, {_STYLE['module']}]\n", "module")

        if hidden:
            self.add((), f"\telided [label={_label(f'… {len(hidden):,} earlier ops')}, {_STYLE['elided']}]\n",
                     "elided")

        # edges, in the direction the data flowed
        for r in recs:
            dst = node_of[id(r)]
            meta = r.input_meta()
            for i, e in enumerate(r.next):
                shape = meta[i][0]
                if e is None:
                    if not self.show_constants:
                        continue
                    src = f"const{r.seq}_{i}"
                    label = _label("constant", _small(f"{_shape(shape)} {_dtype(meta[i][1])}"))
                    self.add(chain_of[dst], f"\t{src} [label={label}, {_STYLE['const']}]\n", "const")
                elif isinstance(e, Node):
                    src = "elided" if id(e) in hidden else node_of[id(e)]
                else:
                    src = leaf_node[id(e)]
                if src == dst:
                    continue
                line = f'\t{src} -> {dst} [label="{_shape(shape)}"]\n'
                if dst.startswith("mod") or src.startswith(("mod", "elided")):
                    if line in edge_seen:
                        continue
                    edge_seen.add(line)
                edges.append(line)

        # outputs
        for k, t in enumerate(roots):
            nid = f"out{k}"
            title = "output" if len(roots) == 1 else f"output {k}"
            lines = [_small(f"{_shape(t.shape)} {t.dtype}")]
            if t.data.size == 1:
                lines.append(_small(f"value {float(t.data.reshape(())):.6g}"))
            self.add((), f"\t{nid} [label={_label(title, *lines)}, {_STYLE['output']}]\n", "output")
            fn = t.grad_fn
            if fn is not None:
                src = "elided" if id(fn) in hidden else node_of[id(fn)]
            elif id(t) in leaf_node:
                src = leaf_node[id(t)]
            else:
                continue  # a tensor that records nothing: drawn alone
            edges.append(f'\t{src} -> {nid} [label="{_shape(t.shape)}", penwidth=2]\n')

        body = []
        self.emit_clusters(body)
        body += edges
        if self.legend:
            body += self.legend_lines()
        return Digraph(
            name="tape",
            graph_attr={"rankdir": direction, "fontname": _FONT, "fontsize": "11", "nodesep": "0.3",
                        "ranksep": "0.35", "compound": "true"},
            node_attr={"fontname": _FONT, "fontsize": "11", "margin": "0.12,0.05", "height": "0.3"},
            edge_attr={"fontname": _FONT, "fontsize": "9", "fontcolor": "#555555", "color": "#555555",
                       "arrowsize": "0.7"},
            body=body,
        )

    def op_label(self, r):
        lines = []
        if self.show_seq:
            lines.append(_small(f"seq {r.seq}", "#666666"))
        if self.show_attrs:
            lines += _attr_lines(r, self.max_attr_chars)
        if self.show_saved:
            lines += _saved_lines(r)
        return _label(r.name(), *lines)

    def emit_clusters(self, body):
        """Write top-level nodes and the nested clusters; iterative, as the nesting can be deep."""
        body += self.members.get(None, ())
        stack = [iter(self.children.get(None, ()))]
        while stack:
            key = next(stack[-1], None)
            if key is None:
                stack.pop()
                if stack:
                    body.append("\t}\n")
                continue
            scope, depth, number = self.clusters[key]
            fill = _CLUSTER_FILLS[min(depth, len(_CLUSTER_FILLS) - 1)]
            body.append(
                f"\tsubgraph cluster_{number} {{\n"
                f'\t\tlabel={_label(_scope_title(scope))} labeljust=l fontsize=10 style="rounded,filled" '
                f'fillcolor="{fill}" color="#8e9fb5"\n'
            )
            body += self.members.get(key, ())
            stack.append(iter(self.children.get(key, ())))

    def legend_lines(self):
        """One small node: a table with a swatch of each node kind drawn."""
        rows = []
        for kind, text in _LEGEND:
            if kind in self.kinds:
                fill, border, dashed = _SWATCH[kind]
                style = ' STYLE="dashed"' if dashed else ""
                rows.append(f'<TR><TD BGCOLOR="{fill}" COLOR="{border}"{style} WIDTH="22"> </TD>'
                            f'<TD ALIGN="LEFT" BORDER="0">{text}</TD></TR>')
        table = ('<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="3" CELLPADDING="2">'
                 '<TR><TD COLSPAN="2" BORDER="0"><B>legend</B></TD></TR>' + "".join(rows) + "</TABLE>")
        return [f'\tlegend [label=<{table}>, shape=plaintext, fontsize=9, margin=0]\n']


def _common_prefix(chains):
    first = chains[0]
    n = len(first)
    for c in chains[1:]:
        n = min(n, len(c))
        for i in range(n):
            if c[i] is not first[i]:
                n = i
                break
    return first[:n]


# ---- draw_training_step -------------------------------------------------------------------------

@contextlib.contextmanager
def _left_as_found(model):
    """Put back every parameter and buffer value and the random state after running ``model``."""
    tensors = []
    for attr in ("parameters", "buffers"):
        get = getattr(model, attr, None)
        if callable(get):
            tensors += [t for t in get() if isinstance(t, Tensor)]
    saved = [(t, t.data, t.data.copy()) for t in tensors]
    rng = _random.get_rng_state()
    try:
        yield
    finally:
        for t, array, values in saved:
            if t.data is not array or not np.array_equal(array, values):
                np.copyto(array, values)
                t.data = array
        _random.set_rng_state(rng)


def _first_shape(out):
    if isinstance(out, (list, tuple)):
        for o in out:
            s = _first_shape(o)
            if s is not None:
                return s
        return None
    shape = getattr(out, "shape", None)
    return None if shape is None else tuple(shape)


def _layers(model):
    """[(name, module)] of the model's top-level layers; the model itself if it has none."""
    children = getattr(model, "named_children", None)
    layers = list(children()) if callable(children) else []
    return layers or [("", model)]


def _named_params(module):
    named = getattr(module, "named_parameters", None)
    return list(named()) if callable(named) else []


def _callable_name(fn):
    if hasattr(type(fn), "forward") or not hasattr(fn, "__name__"):
        return type(fn).__name__
    return fn.__name__


def draw_training_step(model, loss_fn, optimizer, x, y, direction="TB", max_params=6):
    """Draw one training step as it is drawn on a whiteboard, from the live objects.

    Input X -> each top-level layer with its weights -> predictions Y' ->
    loss function <- true targets Y -> loss score (the real value), then the
    backward pass as dashed edges back through the layers (gradients
    ∂Loss/∂W), the optimizer (class and learning rate) and the weight
    updates it makes to each layer with weights.

    The model is run once, forward only, under ``no_grad`` to measure the
    shapes and the loss; its parameters, buffers (running statistics) and the
    library's random state are left exactly as they were. ``model`` needs
    ``named_children()``/``named_parameters()`` (a module), ``loss_fn`` is
    called as ``loss_fn(prediction, y)``, and ``optimizer`` may have
    ``param_groups`` (its ``lr`` is shown) or be None.

    Returns a ``graphviz.Digraph``.
    """
    if direction not in _DIRECTIONS:
        raise ValueError(f"draw_training_step: direction must be one of {', '.join(_DIRECTIONS)}, got {direction!r}")
    layers = _layers(model)
    called = []  # (layer index, output shape) in the order the forward ran them
    handles = []
    for i, (_, module) in enumerate(layers):
        register = getattr(module, "register_forward_hook", None)
        if module is not model and callable(register):
            handles.append(register(functools.partial(_record_call, called, i)))
    try:
        with _left_as_found(model), no_grad():
            prediction = model(x)
            loss = loss_fn(prediction, y)
    finally:
        for h in handles:
            h.remove()

    out_shape = {}
    order = []
    for i, shape in called:
        if i not in out_shape:
            out_shape[i] = shape
            order.append(i)
    if not order:  # no hooks: the order the model lists its layers
        order = list(range(len(layers)))

    # parameters the model holds itself, outside any child
    prefixes = tuple(f"{name}." for name, m in layers if m is not model)
    own = [(n, p) for n, p in _named_params(model) if prefixes and not n.startswith(prefixes)]

    body = []
    inp = _label("Input X", _small(f"{_shape(_first_shape(x))}"))
    body.append(f"\tx [label={inp}, {_STYLE['input']}]\n")

    layer_ids = []
    weighted = []
    for pos, i in enumerate(order):
        name, module = layers[i]
        title = f"{name}: {type(module).__name__}" if name else type(module).__name__
        params = [(f"{name}.{n}" if name else n, p) for n, p in _named_params(module)]
        nid = f"layer{pos}"
        layer_ids.append(nid)
        body.append(f"\t{nid} [label={_layer_label(title, params, max_params)}, "
                    f"{_STYLE['param'] if params else _STYLE['op']}]\n")
        if params:
            weighted.append(nid)
    if own:
        nid = f"layer{len(order)}"
        layer_ids.append(nid)
        weighted.append(nid)
        body.append(f"\t{nid} [label={_layer_label(type(model).__name__ + ' (own weights)', own, max_params)}, "
                    f"{_STYLE['param']}]\n")

    pred_shape = _first_shape(prediction)
    nodes = (
        ("pred", _label("Predictions Y'", _small(_shape(pred_shape))), _STYLE["output"]),
        ("targets", _label("True targets Y", _small(_shape(_first_shape(y)))), _STYLE["input"]),
        ("loss_fn", _label("Loss function", _small(_callable_name(loss_fn))),
         'shape=box, style="rounded,filled", fillcolor="#f4cccc", color="#990000"'),
        ("score", _label("Loss score", _small(_score(loss), "#990000")),
         'shape=ellipse, style="filled,bold", fillcolor="#f4cccc", color="#990000"'),
    )
    body += [f"\t{nid} [label={label}, {style}]\n" for nid, label, style in nodes]

    # forward: solid
    chain = ["x", *layer_ids, "pred"]
    # each edge carries the shape of what its source made; the last one carries the prediction itself
    made = [out_shape.get(i) for i in order]
    shapes = [_first_shape(x)] + (made if own else made[:-1]) + [pred_shape]
    for (a, b), shape in zip(zip(chain, chain[1:]), shapes):
        label = f' [label="{_shape(shape)}"]' if shape is not None else ""
        body.append(f"\t{a} -> {b}{label}\n")
    body.append("\tpred -> loss_fn\n\ttargets -> loss_fn\n\tloss_fn -> score\n")
    body.append("\t{rank=same; pred; targets}\n")

    # backward: dashed, from the loss back up through the layers on one side; updates come in on the other
    back = ["score", "loss_fn", "pred", *reversed(layer_ids)]
    for a, b in zip(back, back[1:]):
        label = ', label="∂Loss/∂W"' if b in weighted else ""
        body.append(f'\t{a} -> {b} [style=dashed, color="#cc0000", fontcolor="#cc0000", '
                    f"constraint=false{label}]\n")

    if optimizer is not None:
        opt_lines = [_small(type(optimizer).__name__)]
        lr = _lr(optimizer)
        if lr is not None:
            opt_lines.append(_small(f"lr = {lr:g}"))
        body.append(f"\toptimizer [label={_label('Optimizer', *opt_lines)}, "
                    'shape=box, style="rounded,filled", fillcolor="#d9d2e9", color="#674ea7"]\n')
        body.append("\t{rank=same; score; optimizer}\n")
        body.append('\tscore -> optimizer [style=dashed, color="#cc0000", fontcolor="#cc0000", label="gradients"]\n')
        for nid in weighted:
            body.append(f'\toptimizer -> {nid} [color="#38761d", fontcolor="#38761d", '
                        'penwidth=1.5, label="weight update", constraint=false]\n')

    return Digraph(
        name="training_step",
        graph_attr={"rankdir": direction, "fontname": _FONT, "fontsize": "12", "nodesep": "0.5",
                    "ranksep": "0.6", "labelloc": "t",
                    "label": "One training step: forward (solid), backward (dashed), weight update (green)"},
        node_attr={"fontname": _FONT, "fontsize": "11", "margin": "0.15,0.08"},
        edge_attr={"fontname": _FONT, "fontsize": "9", "color": "#444444", "fontcolor": "#444444"},
        body=body,
    )


def _record_call(called, index, module, args, output):
    called.append((index, _first_shape(output)))


def _layer_label(title, params, max_params):
    lines = [_small(f"{n} {_shape(p.shape)}", "#1c4587") for n, p in params[:max_params]]
    if len(params) > max_params:
        lines.append(_small(f"… and {len(params) - max_params} more", "#1c4587"))
    if not params:
        lines.append(_small("no weights", "#777777"))
    return _label(title, *lines)


def _score(loss):
    data = getattr(loss, "data", loss)
    arr = np.asarray(data)
    if arr.size == 1:
        return f"{float(arr.reshape(())):.6g}"
    return f"shape {_shape(arr.shape)}"


def _lr(optimizer):
    groups = getattr(optimizer, "param_groups", None)
    try:
        return float(groups[0]["lr"])
    except (TypeError, KeyError, IndexError, ValueError):
        return None
