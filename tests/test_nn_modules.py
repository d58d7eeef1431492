"""``nn.Module`` and the containers: registration, naming, modes, hooks, state dicts, repr."""

import copy
from collections import OrderedDict

import numpy as np
import pytest

import autograd as ag
import nn


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(3, 2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class WithBuffers(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(ag.ones(2))
        self.register_buffer("counter", ag.zeros(1))
        self.register_buffer("scratch", ag.zeros(3), persistent=False)
        self.inner = nn.BatchNorm1d(2)


# ---- Parameter ----------------------------------------------------------------------------------


def test_parameter_requires_grad_by_default_and_shares_memory():
    t = ag.zeros(3)
    p = nn.Parameter(t)
    assert p.requires_grad and p.is_leaf and isinstance(p, ag.Tensor)
    p.data[0] = 5.0
    assert t.data[0] == 5.0


def test_parameter_repr_starts_with_parameter_containing():
    assert repr(nn.Parameter(ag.zeros(2))).startswith("Parameter containing:\ntensor(")


def test_parameters_can_be_added_together():
    a, b = nn.Parameter(ag.ones(2)), nn.Parameter(ag.ones(2) * 2)
    out = (a + b).sum()
    out.backward()
    np.testing.assert_array_equal(a.grad.data, [1.0, 1.0])


# ---- registration and naming ------------------------------------------------------------------------


def test_attribute_assignment_registers_parameters_and_children_in_order():
    m = TwoLayer()
    assert [n for n, _ in m.named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert [n for n, _ in m.named_children()] == ["fc1", "act", "fc2"]
    assert [n for n, _ in m.named_modules()] == ["", "fc1", "act", "fc2"]


def test_parameters_non_recursive_lists_only_own_parameters():
    m = WithBuffers()
    assert [p.shape for p in m.parameters(recurse=False)] == [(2,)]
    assert len(list(m.parameters())) == 3


def test_named_buffers_include_non_persistent_but_state_dict_does_not():
    m = WithBuffers()
    assert [n for n, _ in m.named_buffers()] == [
        "counter", "scratch", "inner.running_mean", "inner.running_var", "inner.num_batches_tracked"
    ]
    assert list(m.state_dict()) == [
        "scale", "counter", "inner.weight", "inner.bias", "inner.running_mean", "inner.running_var",
        "inner.num_batches_tracked",
    ]


def test_shared_parameter_is_listed_once():
    m = nn.Module()
    lin = nn.Linear(2, 2)
    m.a = lin
    m.b = lin
    assert len(list(m.parameters())) == 2
    assert [n for n, _ in m.named_modules()] == ["", "a"]


def test_assigning_a_plain_tensor_to_a_parameter_name_raises():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="parameter 'weight'"):
        m.weight = ag.zeros(2, 2)


def test_register_parameter_rejects_non_parameters_and_dotted_names():
    m = nn.Module()
    with pytest.raises(TypeError, match="nn.Parameter"):
        m.register_parameter("w", ag.zeros(2))
    with pytest.raises(KeyError, match="contain"):
        m.register_parameter("a.b", nn.Parameter(ag.zeros(2)))


def test_assignment_before_super_init_explains_the_fix():
    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_add_module_and_getattr_and_delattr():
    m = nn.Module()
    m.add_module("body", nn.Linear(2, 2))
    assert isinstance(m.body, nn.Linear)
    del m.body
    with pytest.raises(AttributeError):
        m.body  # noqa: B018


def test_get_submodule_follows_dotted_paths():
    m = nn.Sequential(TwoLayer(), nn.ReLU())
    assert m.get_submodule("0.fc2") is m[0].fc2
    assert m.get_parameter("0.fc1.bias") is m[0].fc1.bias


# ---- naming scopes --------------------------------------------------------------------------------


def test_child_modules_take_their_attribute_name_as_scope_name():
    m = TwoLayer()
    seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    assert (m._scope_name, m.fc1._scope_name, m.fc2._scope_name) == ("", "fc1", "fc2")
    assert [c._scope_name for c in seq] == ["0", "1"]


def test_ops_recorded_in_forward_carry_the_module_scope():
    m = nn.Sequential(nn.Linear(3, 2), nn.Tanh())
    out = m(ag.randn(4, 3))
    tanh_record = out.grad_fn
    linear_record = tanh_record.next_functions[0]
    assert [(s.name, s.owner) for s in tanh_record.scope.path()] == [("", "Sequential"), ("1", "Tanh")]
    assert [(s.name, s.owner) for s in linear_record.scope.path()] == [("", "Sequential"), ("0", "Linear")]


# ---- modes, gradients, apply ----------------------------------------------------------------------------


def test_train_and_eval_set_the_flag_recursively():
    m = nn.Sequential(nn.Dropout(), nn.Sequential(nn.BatchNorm1d(2)))
    m.eval()
    assert not any(x.training for x in m.modules())
    assert m.train() is m and all(x.training for x in m.modules())


def test_train_rejects_non_bool():
    with pytest.raises(ValueError, match="boolean"):
        nn.Linear(2, 2).train("yes")


def test_zero_grad_sets_grads_to_none_by_default():
    m = TwoLayer()
    m(ag.randn(5, 4)).sum().backward()
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_zero_grad_without_set_to_none_fills_zeros_in_place():
    m = nn.Linear(2, 2)
    m(ag.randn(3, 2)).sum().backward()
    grad = m.weight.grad
    m.zero_grad(set_to_none=False)
    assert m.weight.grad is grad
    np.testing.assert_array_equal(grad.data, np.zeros((2, 2)))


def test_requires_grad_false_freezes_every_parameter():
    m = TwoLayer().requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_apply_visits_children_before_parent():
    m = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU()))
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "ReLU", "Sequential", "Sequential"]


def test_double_casts_float_parameters_but_keeps_integer_buffers():
    m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).double()
    assert m[0].weight.dtype == np.float64 and m[1].running_mean.dtype == np.float64
    assert m[1].num_batches_tracked.dtype == np.int64
    assert m.float()[0].weight.dtype == np.float32


def test_to_keeps_parameter_identity():
    m = nn.Linear(2, 2)
    w = m.weight
    m.to(ag.float64)
    assert m.weight is w and w.dtype == np.float64


def test_to_rejects_integer_dtypes():
    with pytest.raises(TypeError, match="floating point"):
        nn.Linear(2, 2).to(ag.int64)


# ---- hooks ------------------------------------------------------------------------------------------


def test_forward_hook_sees_input_and_output_and_can_replace_output():
    m = nn.Linear(2, 2)
    calls = []

    def hook(mod, args, out):
        calls.append((mod, args[0].shape, out.shape))
        return out * 0.0

    handle = m.register_forward_hook(hook)
    out = m(ag.ones(3, 2))
    assert calls == [(m, (3, 2), (3, 2))]
    np.testing.assert_array_equal(out.data, np.zeros((3, 2)))
    handle.remove()
    m(ag.ones(3, 2))
    assert len(calls) == 1


def test_forward_pre_hook_can_replace_the_input():
    m = nn.Identity()
    m.register_forward_pre_hook(lambda mod, args: args[0] + 1.0)
    np.testing.assert_array_equal(m(ag.zeros(2)).data, [1.0, 1.0])


def test_prepended_hook_runs_first():
    m = nn.Identity()
    order = []
    m.register_forward_hook(lambda *a: order.append("second"))
    m.register_forward_hook(lambda *a: order.append("first"), prepend=True)
    m(ag.zeros(1))
    assert order == ["first", "second"]


# ---- containers --------------------------------------------------------------------------------------


def test_sequential_runs_children_in_order():
    m = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    x = ag.randn(3, 2)
    expected = np.maximum(x.data @ m[0].weight.data.T + m[0].bias.data, 0)
    np.testing.assert_allclose(m(x).data, expected, rtol=1e-6)


def test_sequential_indexing_negative_index_len_and_iteration():
    layers = [nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)]
    m = nn.Sequential(*layers)
    assert len(m) == 3 and m[-1] is layers[2] and list(m) == layers
    with pytest.raises(IndexError):
        m[3]


def test_sequential_slice_is_a_sequential_keeping_names():
    m = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    tail = m[1:]
    assert isinstance(tail, nn.Sequential) and list(tail) == [m[1], m[2]]
    assert list(tail.state_dict()) == ["2.weight", "2.bias"]


def test_sequential_append_and_delete_renumber():
    m = nn.Sequential(nn.Linear(2, 2)).append(nn.ReLU()).append(nn.Tanh())
    del m[1]
    assert [n for n, _ in m.named_children()] == ["0", "1"] and isinstance(m[1], nn.Tanh)


def test_sequential_from_ordered_dict_uses_its_keys():
    m = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    assert list(m.state_dict()) == ["fc.weight", "fc.bias"]


def test_module_list_registers_its_modules():
    m = nn.Module()
    m.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])
    m.layers.append(nn.Linear(2, 1))
    assert list(m.state_dict()) == [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"
    ]
    assert len(m.layers) == 3 and m.layers[-1].out_features == 1


def test_module_dict_registers_by_key():
    d = nn.ModuleDict({"enc": nn.Linear(2, 2), "dec": nn.Linear(2, 1)})
    assert list(d.keys()) == ["enc", "dec"] and "enc" in d
    assert list(d.state_dict()) == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]


# ---- state_dict: keys written out for known architectures ------------------------------------------------


def test_state_dict_keys_of_linear_batchnorm_sequential():
    m = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    assert list(m.state_dict()) == [
        "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked"
    ]


def test_state_dict_keys_of_a_small_cnn():
    m = nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(), nn.Linear(4, 2)
    )
    sd = m.state_dict()
    assert list(sd) == [
        "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
        "6.weight", "6.bias",
    ]
    assert sd["0.weight"].shape == (4, 1, 3, 3) and sd["1.num_batches_tracked"].shape == ()


def test_state_dict_of_nested_model_and_no_bias_layer():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(5, 3)
            self.body = nn.Sequential(nn.Linear(3, 3, bias=False), nn.LayerNorm(3))

    assert list(Net().state_dict()) == ["emb.weight", "body.0.weight", "body.1.weight", "body.1.bias"]


def test_state_dict_values_are_detached_and_share_memory():
    m = nn.Linear(2, 2)
    w = m.state_dict()["weight"]
    assert not w.requires_grad
    w.data[0, 0] = 42.0
    assert m.weight.data[0, 0] == 42.0


def test_batchnorm_without_running_stats_has_no_buffers_in_state_dict():
    assert list(nn.BatchNorm1d(3, track_running_stats=False).state_dict()) == ["weight", "bias"]


# ---- load_state_dict ------------------------------------------------------------------------------------


def test_state_dict_round_trip_reproduces_outputs():
    a, b = TwoLayer(), TwoLayer()
    result = b.load_state_dict(a.state_dict())
    x = ag.randn(3, 4)
    np.testing.assert_array_equal(a(x).data, b(x).data)
    assert result.missing_keys == [] and result.unexpected_keys == []


def test_load_state_dict_copies_values_rather_than_sharing():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    b.load_state_dict(a.state_dict())
    b.weight.data[0, 0] = 123.0
    assert a.weight.data[0, 0] != 123.0


def test_load_state_dict_casts_to_the_parameter_dtype():
    m = nn.Linear(2, 2)
    m.load_state_dict({"weight": np.ones((2, 2), dtype=np.float64), "bias": np.zeros(2)})
    assert m.weight.dtype == np.float32 and m.weight.data.sum() == 4


def test_strict_load_error_names_every_missing_unexpected_and_mismatched_key():
    m = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    sd = m.state_dict()
    del sd["1.running_var"]
    sd["0.weight"] = ag.zeros(5, 4)
    sd["2.weight"] = ag.zeros(1)
    with pytest.raises(RuntimeError) as info:
        m.load_state_dict(sd)
    msg = str(info.value)
    assert "Missing key(s) in state_dict: \"1.running_var\"" in msg
    assert "Unexpected key(s) in state_dict: \"2.weight\"" in msg
    assert "size mismatch for 0.weight" in msg and "(5, 4)" in msg and "(3, 4)" in msg


def test_failed_load_leaves_the_module_unchanged():
    m = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2))
    before = {k: v.data.copy() for k, v in m.state_dict().items()}
    sd = {k: ag.zeros(*v.shape) for k, v in m.state_dict().items()}
    sd["1.weight"] = ag.zeros(9, 9)  # the last key is wrong; the earlier ones must not be copied
    with pytest.raises(RuntimeError, match="size mismatch for 1.weight"):
        m.load_state_dict(sd)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.data, before[k])


def test_non_strict_load_reports_missing_and_unexpected_keys():
    m = nn.Linear(2, 2)
    result = m.load_state_dict({"weight": ag.ones(2, 2), "extra": ag.ones(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(m.weight.data, np.ones((2, 2)))


def test_non_strict_load_still_rejects_shape_mismatch():
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        nn.Linear(2, 2).load_state_dict({"weight": ag.ones(3, 2)}, strict=False)


def test_load_restores_batchnorm_running_statistics():
    a = nn.BatchNorm1d(3)
    a(ag.randn(8, 3) * 3 + 1)
    b = nn.BatchNorm1d(3)
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(b.running_mean.data, a.running_mean.data)
    assert int(b.num_batches_tracked.item()) == 1


# ---- misc ------------------------------------------------------------------------------------------------


def test_repr_nests_children_like_pytorch():
    m = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Sequential(nn.Dropout(0.1)))
    assert repr(m) == (
        "Sequential(\n"
        "  (0): Linear(in_features=4, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.1, inplace=False)\n"
        "  )\n"
        ")"
    )


def test_module_list_repr_groups_identical_layers():
    m = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU()])
    assert repr(m) == "ModuleList(\n  (0-1): 2 x Linear(in_features=2, out_features=2, bias=True)\n  (2): ReLU()\n)"


def test_deepcopy_gives_independent_parameters():
    m = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    c = copy.deepcopy(m)
    assert isinstance(c[0].weight, nn.Parameter) and c[0].weight is not m[0].weight
    c[0].weight.data[:] = 0
    assert np.any(m[0].weight.data != 0)


def test_module_without_forward_explains():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(ag.zeros(1))


def test_summary_lists_leaf_layers_with_shapes_and_counts():
    m = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2), nn.BatchNorm1d(2))
    s = nn.summary(m, (5, 4))
    assert [r[:3] for r in s.rows] == [
        ("0", "Linear", "[5, 3]"), ("1", "ReLU", "[5, 3]"), ("2", "Linear", "[5, 2]"), ("3", "BatchNorm1d", "[5, 2]")
    ]
    assert [r[3] for r in s.rows] == [15, 0, 8, 4]
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (27, 27, 0)
    assert "Total params: 27" in str(s) and "Non-trainable params: 0" in str(s)


def test_summary_counts_frozen_parameters_as_non_trainable_and_keeps_state():
    m = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    m[0].requires_grad_(False)
    rng_state = ag.get_rng_state()
    s = m.summary((2, 4))
    assert (s.trainable_params, s.non_trainable_params) == (6, 15)
    assert m.training and int(m[1].num_batches_tracked.item()) == 0
    assert ag.get_rng_state() == rng_state
