"""The graph exporter: the DOT source ``make_dot`` and ``draw_training_step`` write, and rendering it."""

import html
import pathlib
import re
import shutil
import time
from collections import Counter

import numpy as np
import pytest
from graphviz.backend import dot_command

import autograd as ag
from autograd import viz
from autograd.viz import GraphvizNotFoundError, draw_training_step, make_dot

try:
    import nn
    import optim
except ImportError:  # the layers live in another package of the repository
    nn = optim = None

needs_nn = pytest.mark.skipif(nn is None or not hasattr(nn, "Sequential"), reason="nn is not importable here")

_NODE = re.compile(r"^\s*(\w+) \[label=<(.*?)>, (.*)\]$")
_EDGE = re.compile(r"^\s*(\w+)(?::\w+)? -> (\w+)(?::\w+)?(?: \[(.*)\])?$")
_CLUSTER = re.compile(r"^\s*subgraph (cluster_\w+) \{$")
_CLUSTER_LABEL = re.compile(r"^\s*label=<(.*?)> ")


def text(label):
    """The text of an HTML-like label, one line per <BR/>."""
    return html.unescape(re.sub(r"<[^>]+>", "", label.replace("<BR/>", "\n")))


class Dot:
    """The nodes, edges and clusters of a DOT source, parsed line by line."""

    def __init__(self, source):
        self.source = source
        self.nodes = {}  # id -> (text, attributes)
        self.edges = []  # (src id, dst id, attributes)
        self.cluster = {}  # node id -> tuple of enclosing cluster titles, outermost first
        stack = []
        for line in source.splitlines():
            if m := _CLUSTER.match(line):
                stack.append(None)
            elif stack and stack[-1] is None and (m := _CLUSTER_LABEL.match(line)):
                stack[-1] = text(m.group(1))
            elif line.strip() == "}" and stack:
                stack.pop()
            elif m := _NODE.match(line):
                self.nodes[m.group(1)] = (text(m.group(2)), m.group(3))
                self.cluster[m.group(1)] = tuple(stack)
            elif m := _EDGE.match(line):
                self.edges.append((m.group(1), m.group(2), m.group(3) or ""))

    def title(self, nid):
        return self.nodes[nid][0].split("\n")[0]

    def lines(self, nid):
        return self.nodes[nid][0].split("\n")[1:]

    def find(self, title):
        found = [nid for nid in self.nodes if self.title(nid) == title]
        assert len(found) == 1, f"expected one node titled {title!r}, found {found} in\n{self.source}"
        return found[0]

    def titles(self):
        return Counter(self.title(n) for n in self.nodes if n != "legend")

    def edge_titles(self):
        return Counter((self.title(a), self.title(b)) for a, b, _ in self.edges if "invis" not in _)

    def edge_label(self, src_title, dst_title):
        labels = [
            re.search(r'label="([^"]*)"', attrs).group(1)
            for a, b, attrs in self.edges
            if self.title(a) == src_title and self.title(b) == dst_title
        ]
        assert len(labels) == 1, labels
        return labels[0]

    def attr(self, nid, name):
        m = re.search(rf'\b{name}="?([^",\]]*)', self.nodes[nid][1])
        return m.group(1) if m else None


def leaf(*shape, dtype=ag.float32):
    return ag.randn(*shape, dtype=dtype, requires_grad=True)


@pytest.fixture(autouse=True)
def _seed():
    ag.manual_seed(0)


# ---- the graph's structure -------------------------------------------------------------------
def test_small_graph_has_exactly_its_ops_leaves_and_output():
    a, b = leaf(2, 3), leaf(2, 3)
    dot = Dot(make_dot((a * b + a).sum(), params={"a": a, "b": b}).source)
    assert dot.titles() == Counter(["a", "b", "Mul", "Add", "Sum", "output"])
    assert dot.edge_titles() == Counter(
        [("a", "Mul"), ("b", "Mul"), ("Mul", "Add"), ("a", "Add"), ("Add", "Sum"), ("Sum", "output")]
    )


def test_edges_carry_the_shape_that_flows_along_them():
    a, b = leaf(2, 3), leaf(3)
    dot = Dot(make_dot((a * b).sum(dim=0), params={"a": a, "b": b}).source)
    assert dot.edge_label("a", "Mul") == "(2, 3)"
    assert dot.edge_label("b", "Mul") == "(3,)"  # before broadcasting
    assert dot.edge_label("Mul", "Sum") == "(2, 3)"
    assert dot.edge_label("Sum", "output") == "(3,)"


def test_a_leaf_shows_its_parameter_name_shape_and_dtype():
    w = leaf(4, 5, dtype=ag.float64)
    dot = Dot(make_dot(w.sum(), params={"layer.weight": w}).source)
    assert dot.lines(dot.find("layer.weight")) == ["(4, 5) float64"]


def test_params_may_be_name_tensor_pairs_such_as_named_parameters():
    w, b = leaf(3), leaf(3)
    pairs = (p for p in [("fc.weight", w), ("fc.bias", b)])  # a one-shot iterator, as named_parameters() is
    dot = Dot(make_dot((w + b).sum(), params=pairs).source)
    assert {"fc.weight", "fc.bias"} <= set(dot.titles())


def test_unnamed_leaves_are_inputs_styled_apart_from_parameters_ops_and_outputs():
    w, x = leaf(3), leaf(3)
    dot = Dot(make_dot((w * x).sum(), params={"w": w}).source)
    nodes = [dot.find(t) for t in ("w", "input", "Mul", "output")]
    looks = {(dot.attr(n, "shape"), dot.attr(n, "fillcolor")) for n in nodes}
    assert len(looks) == 4


def test_a_node_used_twice_is_drawn_once_with_an_edge_to_each_consumer():
    x = leaf(3)
    y = x.exp()
    dot = Dot(make_dot((y.sin() + y.cos()).sum(), params={"x": x}).source)
    assert dot.titles()["Exp"] == 1
    assert dot.edge_titles() == Counter(
        [("x", "Exp"), ("Exp", "Sin"), ("Exp", "Cos"), ("Sin", "Add"), ("Cos", "Add"), ("Add", "Sum"),
         ("Sum", "output")]
    )


def test_two_outputs_get_one_output_node_each_and_share_their_common_ops():
    x = leaf(3)
    h = x.tanh()
    u, v = h.sum(), h.exp()
    dot = Dot(make_dot([u, v], params={"x": x}).source)
    assert dot.titles() == Counter(["x", "Tanh", "Sum", "Exp", "output 0", "output 1"])
    assert dot.edge_titles() == Counter(
        [("x", "Tanh"), ("Tanh", "Sum"), ("Tanh", "Exp"), ("Sum", "output 0"), ("Exp", "output 1")]
    )


def test_a_scalar_output_shows_its_value():
    x = ag.tensor([1.0, 2.0, 4.0], requires_grad=True)
    dot = Dot(make_dot(x.sum()).source)
    assert "value 7" in dot.lines(dot.find("output"))


def test_inputs_that_need_no_gradient_are_drawn_only_when_asked():
    w = leaf(3)
    c = ag.tensor([1.0, 2.0, 3.0])
    loss = (w * c).sum()
    assert "constant" not in Dot(make_dot(loss).source).titles()
    dot = Dot(make_dot(loss, show_constants=True).source)
    assert dot.titles()["constant"] == 1
    assert dot.edge_label("constant", "Mul") == "(3,)"


def test_root_must_be_a_tensor_or_a_list_of_tensors():
    with pytest.raises(TypeError, match="root must be a Tensor"):
        make_dot(np.ones(3))


def test_an_unknown_direction_is_an_error():
    with pytest.raises(ValueError, match="direction"):
        make_dot(leaf(2).sum(), direction="up")


@pytest.mark.parametrize("direction", ["TB", "LR"])
def test_direction_sets_the_rank_direction(direction):
    assert f"rankdir={direction}" in make_dot(leaf(2).sum(), direction=direction).source


# ---- module clusters ---------------------------------------------------------------------------
def _scoped_mlp():
    """Two 'Linear' layers and a 'ReLU' inside a root 'Net' scope, as nn.Module.__call__ would tag them."""
    x = ag.randn(5, 4)
    params = {"0.weight": leaf(8, 4), "0.bias": leaf(8), "2.weight": leaf(2, 8), "2.bias": leaf(2)}
    with ag.name_scope("", "Net"):
        with ag.name_scope("0", "Linear"):
            h = x @ params["0.weight"].T + params["0.bias"]
        with ag.name_scope("1", "ReLU"):
            h = h.relu()
        with ag.name_scope("2", "Linear"):
            y = h @ params["2.weight"].T + params["2.bias"]
    return y.sum(), params


def test_ops_are_clustered_by_the_scope_that_ran_them():
    loss, params = _scoped_mlp()
    dot = Dot(make_dot(loss, params=params).source)
    assert dot.cluster[dot.find("Relu")] == ("Net", "1: ReLU")
    assert dot.cluster[dot.find("Sum")] == ()
    ops = [n for n in dot.nodes if n.startswith("op") and dot.title(n) not in ("Relu", "Sum")]
    assert {dot.cluster[n] for n in ops} == {("Net", "0: Linear"), ("Net", "2: Linear")}


def test_a_parameter_sits_in_the_cluster_of_the_module_that_uses_it():
    loss, params = _scoped_mlp()
    dot = Dot(make_dot(loss, params=params).source)
    assert dot.cluster[dot.find("0.weight")] == ("Net", "0: Linear")
    assert dot.cluster[dot.find("2.bias")] == ("Net", "2: Linear")


def test_nested_scopes_give_nested_clusters_labelled_with_the_full_name():
    x = leaf(3)
    with ag.name_scope("", "Model"), ag.name_scope("encoder", "Encoder"), ag.name_scope("conv", "Conv"):
        y = x.exp()
    dot = Dot(make_dot(y.sum(), params={"x": x}).source)
    assert dot.cluster[dot.find("Exp")] == ("Model", "encoder: Encoder", "encoder.conv: Conv")


def test_cluster_modules_false_draws_no_clusters():
    loss, params = _scoped_mlp()
    source = make_dot(loss, params=params, cluster_modules=False).source
    assert "subgraph" not in source


def test_max_depth_puts_deeper_ops_in_their_ancestors_cluster():
    x = leaf(3)
    with ag.name_scope("", "Model"), ag.name_scope("encoder", "Encoder"), ag.name_scope("conv", "Conv"):
        y = x.exp()
    dot = Dot(make_dot(y.sum(), params={"x": x}, max_depth=1).source)
    assert dot.cluster[dot.find("Exp")] == ("Model", "encoder: Encoder")


def test_collapse_modules_draws_each_top_level_module_as_one_node():
    loss, params = _scoped_mlp()
    dot = Dot(make_dot(loss, params=params, collapse_modules=True).source)
    assert dot.titles() == Counter(["0: Linear", "1: ReLU", "2: Linear", "Sum", "output"])
    assert dot.edge_titles() == Counter(
        [("0: Linear", "1: ReLU"), ("1: ReLU", "2: Linear"), ("2: Linear", "Sum"), ("Sum", "output")]
    )
    assert dot.edge_label("1: ReLU", "2: Linear") == "(5, 8)"


def test_a_collapsed_module_lists_its_parameters_and_op_count():
    loss, params = _scoped_mlp()
    dot = Dot(make_dot(loss, params=params, collapse_modules=True).source)
    lines = dot.lines(dot.find("0: Linear"))
    assert "weight (8, 4)" in lines and "bias (8,)" in lines
    assert f"2 parameters, {8 * 4 + 8} values" in lines


def test_a_collapsed_module_gets_one_edge_per_value_entering_it():
    x = leaf(3)
    with ag.name_scope("", "Net"):
        with ag.name_scope("block", "Residual"):
            y = x.tanh() * x + x  # x enters the block three times
        z = y.exp()
    dot = Dot(make_dot(z.sum(), params={}, collapse_modules=True).source)
    assert dot.edge_titles()[("input", "block: Residual")] == 1
    assert dot.lines(dot.find("block: Residual"))[-1] == "3 ops"


def test_collapse_at_max_depth_keeps_shallower_modules_as_clusters():
    x = leaf(3)
    with ag.name_scope("", "Model"), ag.name_scope("encoder", "Encoder"):
        with ag.name_scope("conv", "Conv"):
            y = x.exp()
        y = y + 1.0
    dot = Dot(make_dot(y.sum(), params={"x": x}, collapse_modules=True, max_depth=2).source)
    assert dot.cluster[dot.find("encoder.conv: Conv")] == ("Model", "encoder: Encoder")
    assert dot.cluster[dot.find("Add")] == ("Model", "encoder: Encoder")


@needs_nn
def test_an_nn_sequential_gives_a_cluster_per_layer_with_named_parameters():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    loss = model(ag.randn(5, 4)).sum()
    dot = Dot(make_dot(loss, params=model.named_parameters()).source)
    weight = dot.find("0.weight")
    assert dot.lines(weight) == ["(8, 4) float32"]
    assert dot.cluster[weight] == ("Sequential", "0: Linear")
    assert dot.cluster[dot.find("Relu")] == ("Sequential", "1: ReLU")


# ---- what a node can show ------------------------------------------------------------------------
def test_show_saved_lists_what_each_op_saved_with_shapes():
    a, b = leaf(2, 3), leaf(2, 3)
    y = (a * b).exp()  # Mul keeps both inputs, Exp keeps its result
    dot = Dot(make_dot(y.sum(), show_saved=True).source)
    assert dot.lines(dot.find("Mul")) == ["saved input0: (2, 3) float32", "saved input1: (2, 3) float32"]
    assert dot.lines(dot.find("Exp")) == ["saved result: (2, 3) float32"]


def test_show_saved_after_backward_says_the_values_were_freed():
    a = leaf(2, 3)
    loss = (a * a).sum()
    loss.backward()
    dot = Dot(make_dot(loss, show_saved=True).source)
    assert dot.lines(dot.find("Mul")) == ["saved: freed by backward()"]


def test_show_attrs_lists_the_ops_non_tensor_arguments():
    x = leaf(2, 3)
    dot = Dot(make_dot(x.sum(dim=1, keepdim=True), show_attrs=True).source)
    lines = dot.lines(dot.find("Sum"))
    assert "keepdim=True" in lines
    assert any(line.startswith("dim=") and "1" in line for line in lines)
    assert not any(line.startswith("scope=") for line in lines)


def test_show_grad_gives_each_leafs_gradient_shape_and_norm():
    x = ag.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    expected_norm = np.linalg.norm(2 * np.array([[1.0, -2.0], [3.0, 0.5]]))  # d/dx sum(x^2) = 2x
    dot = Dot(make_dot(loss, params={"x": x}, show_grad=True).source)
    assert dot.lines(dot.find("x"))[1] == f"grad (2, 2), norm {expected_norm:.4g}"


def test_show_grad_before_backward_says_there_is_none():
    x = leaf(2)
    dot = Dot(make_dot(x.sum(), params={"x": x}, show_grad=True).source)
    assert dot.lines(dot.find("x"))[1] == "grad: None"


def test_show_seq_numbers_ops_in_tape_order():
    x = leaf(3)
    loss = x.exp().sin().sum()
    dot = Dot(make_dot(loss, show_seq=True).source)
    shown = {dot.title(n): int(dot.lines(n)[0].removeprefix("seq ")) for n in dot.nodes if dot.title(n)[0].isupper()}
    assert shown == {e.op: e.seq for e in ag.tape(loss)}
    assert shown["Exp"] < shown["Sin"] < shown["Sum"]


def test_legend_shows_the_kinds_of_node_drawn():
    w, x = leaf(3), leaf(3)
    dot = Dot(make_dot((w * x).sum(), params={"w": w}, legend=True).source)
    rows = re.findall(r'<TD ALIGN="LEFT"[^>]*>(.*?)</TD>', dot.nodes["legend"][1] + dot.source)
    assert rows == ["parameter", "input", "op", "output"]


def test_max_nodes_draws_the_latest_ops_and_summarises_the_earlier_ones():
    x = leaf(3)
    y = x
    for _ in range(20):
        y = y.tanh()
    dot = Dot(make_dot(y.sum(), max_nodes=5).source)  # 21 ops: the last 4 Tanh and the Sum are drawn
    assert dot.titles() == Counter({"Tanh": 4, "Sum": 1, "… 16 earlier ops": 1, "output": 1})
    assert dot.edge_titles()[("… 16 earlier ops", "Tanh")] == 1


# ---- size --------------------------------------------------------------------------------------
def test_a_10000_op_chain_builds_its_dot_source_in_well_under_3_seconds():
    x = leaf(3)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    loss = y.sum()
    start = time.perf_counter()
    source = make_dot(loss, params={"x": x}).source
    elapsed = time.perf_counter() - start
    assert elapsed < 3.0, f"{elapsed:.2f} s"
    assert source.count("[label=<<B>Mul</B>>") == 10_000


# ---- rendering ---------------------------------------------------------------------------------
def _pure_binary():
    for d in viz._script_dirs():
        candidate = pathlib.Path(d, "graphviz-pure")
        if candidate.exists():
            return candidate
    found = shutil.which("graphviz-pure")
    return pathlib.Path(found) if found else None


needs_binary = pytest.mark.skipif(
    viz.find_layout_program() is None,
    reason="neither Graphviz's dot nor graphviz-pure is installed (apt-get install graphviz, or "
    "pip install 'tapegrad[render]')",
)


@pytest.fixture
def no_system_dot(monkeypatch, tmp_path):
    """PATH with no layout program on it."""
    monkeypatch.setenv("PATH", str(tmp_path))


def _graph():
    a, b = leaf(2, 3), leaf(2, 3)
    return make_dot((a * b + a).sum(), params={"a": a, "b": b}, legend=True)


def test_building_the_source_needs_no_binary(no_system_dot, monkeypatch):
    monkeypatch.setattr(viz, "_script_dirs", lambda: [])
    assert viz.find_layout_program() is None
    assert "Mul" in _graph().source


def test_rendering_without_any_binary_is_a_clear_error(no_system_dot, monkeypatch):
    monkeypatch.setattr(viz, "_script_dirs", lambda: [])
    with pytest.raises(RuntimeError) as err:
        _graph().pipe(format="svg")
    assert isinstance(err.value, GraphvizNotFoundError)
    message = str(err.value)
    assert "apt-get install graphviz" in message
    assert "pip install 'tapegrad[render]'" in message and "graphviz-pure" in message


@needs_binary
def test_render_writes_an_svg_file(tmp_path):
    path = _graph().render(tmp_path / "graph", format="svg", cleanup=True)
    svg = pathlib.Path(path).read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "Mul" in svg


@needs_binary
def test_render_writes_a_png_file(tmp_path):
    path = _graph().render(tmp_path / "graph", format="png", cleanup=True)
    assert pathlib.Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_binary
def test_jupyter_displays_the_graph_inline_as_svg():
    bundle = _graph()._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt-get install graphviz)")
def test_rendering_uses_graphvizs_dot_when_it_is_on_path():
    assert pathlib.Path(viz.find_layout_program()).name == "dot"
    assert "graphviz-pure" not in _graph().pipe(format="svg", encoding="utf-8")


@pytest.mark.skipif(_pure_binary() is None, reason="graphviz-pure is not installed (pip install 'tapegrad[render]')")
def test_rendering_falls_back_to_graphviz_pure_without_dot_on_path(no_system_dot, monkeypatch):
    pure_dir = str(_pure_binary().parent)
    monkeypatch.setattr(viz, "_script_dirs", lambda: [pure_dir])
    svg = _graph().pipe(format="svg", encoding="utf-8")
    assert "graphviz-pure" in svg and "Mul" in svg


@needs_binary
def test_rendering_leaves_the_graphviz_packages_setting_as_it_was():
    before = dot_command.DOT_BINARY
    _graph().pipe(format="svg")
    assert dot_command.DOT_BINARY == before


# ---- draw_training_step ---------------------------------------------------------------------------
class _Linear:
    """A duck-typed layer: named_parameters() and a call, nothing else."""

    def __init__(self, n_in, n_out):
        self.weight = ag.randn(n_out, n_in, requires_grad=True)
        self.bias = ag.randn(n_out, requires_grad=True)

    def named_parameters(self):
        return [("weight", self.weight), ("bias", self.bias)]

    def __call__(self, x):
        return x @ self.weight.T + self.bias


class _Tanh:
    def named_parameters(self):
        return []

    def __call__(self, x):
        return x.tanh()


class _Net:
    def __init__(self):
        self.layers = [("0", _Linear(4, 3)), ("1", _Tanh()), ("2", _Linear(3, 2))]

    def named_children(self):
        return iter(self.layers)

    def named_parameters(self):
        return [(f"{name}.{n}", p) for name, layer in self.layers for n, p in layer.named_parameters()]

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def __call__(self, x):
        for _, layer in self.layers:
            x = layer(x)
        return x


class _SGD:
    def __init__(self, params, lr):
        self.param_groups = [{"params": list(params), "lr": lr}]


def mse(prediction, target):
    return ((prediction - target) ** 2).mean()


def _step():
    model = _Net()
    x, y = ag.randn(6, 4), ag.randn(6, 2)
    return model, x, y, Dot(draw_training_step(model, mse, _SGD(model.parameters(), lr=0.05), x, y).source)


def test_training_step_draws_the_whiteboard_nodes_with_shapes():
    _, _, _, dot = _step()
    assert dot.titles() == Counter(
        ["Input X", "0: _Linear", "1: _Tanh", "2: _Linear", "Predictions Y'", "True targets Y", "Loss function",
         "Loss score", "Optimizer"]
    )
    assert dot.lines(dot.find("Input X")) == ["(6, 4)"]
    assert dot.lines(dot.find("Predictions Y'")) == ["(6, 2)"]
    assert dot.lines(dot.find("True targets Y")) == ["(6, 2)"]
    assert dot.lines(dot.find("Loss function")) == ["mse"]


def test_training_step_forward_runs_input_layers_predictions_loss():
    _, _, _, dot = _step()
    forward = {e for e, n in dot.edge_titles().items() if n} - _dashed_or_update(dot)
    assert forward == {
        ("Input X", "0: _Linear"), ("0: _Linear", "1: _Tanh"), ("1: _Tanh", "2: _Linear"),
        ("2: _Linear", "Predictions Y'"), ("Predictions Y'", "Loss function"), ("True targets Y", "Loss function"),
        ("Loss function", "Loss score"),
    }


def _dashed_or_update(dot):
    return {(dot.title(a), dot.title(b)) for a, b, attrs in dot.edges if "dashed" in attrs or "update" in attrs}


def test_training_step_shows_each_layers_weights_by_name_and_shape():
    _, _, _, dot = _step()
    assert dot.lines(dot.find("0: _Linear")) == ["0.weight (3, 4)", "0.bias (3,)"]
    assert dot.lines(dot.find("1: _Tanh")) == ["no weights"]


def test_training_step_shows_the_real_loss_value():
    model, x, y, dot = _step()
    h = np.tanh(x.data @ model.layers[0][1].weight.data.T + model.layers[0][1].bias.data)
    pred = h @ model.layers[2][1].weight.data.T + model.layers[2][1].bias.data
    expected = np.mean((pred - y.data) ** 2)
    shown = float(dot.lines(dot.find("Loss score"))[0])
    assert shown == pytest.approx(expected, rel=1e-5)


def test_training_step_backward_is_dashed_back_through_the_layers_labelled_dloss_dw():
    _, _, _, dot = _step()
    dashed = [(dot.title(a), dot.title(b), attrs) for a, b, attrs in dot.edges if "dashed" in attrs]
    back = [(a, b) for a, b, _ in dashed if b != "Optimizer"]
    assert back == [("Loss score", "Loss function"), ("Loss function", "Predictions Y'"),
                    ("Predictions Y'", "2: _Linear"), ("2: _Linear", "1: _Tanh"), ("1: _Tanh", "0: _Linear")]
    labelled = {b for a, b, attrs in dashed if "∂Loss/∂W" in attrs}
    assert labelled == {"0: _Linear", "2: _Linear"}


def test_training_step_optimizer_shows_its_class_and_learning_rate():
    _, _, _, dot = _step()
    assert dot.lines(dot.find("Optimizer")) == ["_SGD", "lr = 0.05"]


def test_training_step_optimizer_updates_exactly_the_layers_with_weights():
    _, _, _, dot = _step()
    updates = {dot.title(b) for a, b, attrs in dot.edges if "weight update" in attrs and dot.title(a) == "Optimizer"}
    assert updates == {"0: _Linear", "2: _Linear"}


def test_training_step_leaves_the_parameters_and_their_gradients_alone():
    model = _Net()
    before = [p.data.copy() for p in model.parameters()]
    draw_training_step(model, mse, _SGD(model.parameters(), lr=0.1), ag.randn(6, 4), ag.randn(6, 2))
    assert all(np.array_equal(b, p.data) for b, p in zip(before, model.parameters()))
    assert all(p.grad is None for p in model.parameters())


def test_training_step_without_an_optimizer_draws_no_optimizer():
    model = _Net()
    dot = Dot(draw_training_step(model, mse, None, ag.randn(6, 4), ag.randn(6, 2)).source)
    assert "Optimizer" not in dot.titles()


@needs_nn
def test_training_step_with_nn_modules_labels_the_activation_shapes_between_layers():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    x, y = ag.randn(16, 4), ag.randn(16, 2)
    dot = Dot(draw_training_step(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), x, y).source)
    assert dot.edge_label("0: Linear", "1: ReLU") == "(16, 8)"
    assert dot.edge_label("2: Linear", "Predictions Y'") == "(16, 2)"
    assert dot.lines(dot.find("Loss function")) == ["MSELoss"]
    assert dot.lines(dot.find("Optimizer")) == ["SGD", "lr = 0.1"]


@needs_nn
def test_training_step_leaves_running_statistics_and_the_random_state_as_they_were():
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Dropout(0.5), nn.Linear(8, 2))
    running = [b.data.copy() for b in model.buffers()]
    x, y = ag.randn(16, 4), ag.randn(16, 2)
    rng = ag.get_rng_state()
    draw_training_step(model, nn.MSELoss(), optim.SGD(model.parameters(), lr=0.1), x, y)
    assert all(np.array_equal(r, b.data) for r, b in zip(running, model.buffers()))
    assert ag.get_rng_state() == rng


def test_the_exporter_is_reachable_from_the_package():
    assert ag.make_dot is make_dot and ag.draw_training_step is draw_training_step
