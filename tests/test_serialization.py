"""Checkpoints: the safetensors file format, round trips, atomic writes and clear errors for bad files."""

import json
import os
import struct

import numpy as np
import pytest
import safetensors.numpy

import autograd as ag
import nn


def small_cnn():
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3))


def test_saved_file_is_safetensors_readable_by_the_reference_reader(tmp_path):
    m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    path = tmp_path / "model.safetensors"
    nn.save(m.state_dict(), path)
    arrays = safetensors.numpy.load(path.read_bytes())
    assert set(arrays) == set(m.state_dict())
    for key, value in m.state_dict().items():
        assert arrays[key].dtype == value.dtype and arrays[key].shape == value.shape
        np.testing.assert_array_equal(arrays[key], value.data)


def test_file_header_is_little_endian_length_then_json(tmp_path):
    path = tmp_path / "w.safetensors"
    nn.save({"w": ag.tensor(np.arange(6, dtype=np.float32).reshape(2, 3))}, path)
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    assert header["w"] == {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}
    np.testing.assert_array_equal(np.frombuffer(data[8 + n :], dtype="<f4"), np.arange(6))


def test_load_reads_files_written_by_the_reference_writer(tmp_path):
    path = tmp_path / "ref.safetensors"
    path.write_bytes(safetensors.numpy.save({"a": np.ones((2, 2), np.float64), "n": np.array(7, np.int64)}))
    sd = nn.load(path)
    assert isinstance(sd["a"], ag.Tensor) and sd["a"].dtype == np.float64 and int(sd["n"].item()) == 7


def test_round_trip_keeps_values_dtypes_and_key_order(tmp_path):
    m = small_cnn()
    m(ag.randn(4, 1, 4, 4))  # non-trivial running statistics
    path = tmp_path / "cnn.safetensors"
    m.save(path)
    loaded = nn.load(path)
    assert list(loaded) == list(m.state_dict())
    for key, value in m.state_dict().items():
        assert loaded[key].dtype == value.dtype
        np.testing.assert_array_equal(loaded[key].data, value.data)


def test_loaded_state_dict_reproduces_the_model_outputs(tmp_path):
    a, b = small_cnn(), small_cnn()
    a(ag.randn(4, 1, 4, 4))
    a.eval()
    b.eval()
    a.save(tmp_path / "a.safetensors")
    b.load_state_dict(nn.load(tmp_path / "a.safetensors"))
    x = ag.randn(2, 1, 4, 4)
    np.testing.assert_array_equal(a(x).data, b(x).data)


def test_loaded_tensors_are_writable(tmp_path):
    nn.save({"w": ag.zeros(3)}, tmp_path / "w.safetensors")
    w = nn.load(tmp_path / "w.safetensors")["w"]
    w.data[0] = 1.0
    assert w.data[0] == 1.0


def test_save_overwrites_atomically_and_leaves_no_temp_file(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    nn.save({"w": ag.zeros(2)}, path)
    nn.save({"w": ag.ones(2)}, path)
    np.testing.assert_array_equal(nn.load(path)["w"].data, [1.0, 1.0])
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]


def test_exception_mid_write_keeps_the_old_file_and_removes_the_temp(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    nn.save({"w": ag.zeros(2)}, path)
    old_bytes = path.read_bytes()

    def crash(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        nn.save({"w": ag.ones(1000)}, path)
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]


def test_interrupted_rename_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    nn.save({"w": ag.zeros(2)}, path)

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        nn.save({"w": ag.ones(2)}, path)
    monkeypatch.undo()
    np.testing.assert_array_equal(nn.load(path)["w"].data, [0.0, 0.0])
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]


def test_truncated_file_raises_a_value_error_naming_the_file(tmp_path):
    path = tmp_path / "cut.safetensors"
    nn.save({"w": ag.zeros(100)}, path)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(nn.SerializationError, match=r"cut\.safetensors.*truncated"):
        nn.load(path)


def test_file_cut_inside_the_header_raises(tmp_path):
    path = tmp_path / "cut.safetensors"
    nn.save({"w": ag.zeros(100)}, path)
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(ValueError, match=r"cut\.safetensors"):
        nn.load(path)


@pytest.mark.parametrize("content", [b"", b"abc", b"PK\x03\x04 this is a zip, not safetensors at all......"])
def test_non_safetensors_file_raises_a_value_error_naming_the_file(tmp_path, content):
    path = tmp_path / "model.pt"
    path.write_bytes(content)
    with pytest.raises(nn.SerializationError, match=r"model\.pt") as info:
        nn.load(path)
    assert isinstance(info.value, ValueError)


def test_corrupt_header_json_raises(tmp_path):
    path = tmp_path / "bad.safetensors"
    body = b"{not json"
    path.write_bytes(struct.pack("<Q", len(body)) + body)
    with pytest.raises(nn.SerializationError, match="not valid JSON"):
        nn.load(path)


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "nope.safetensors")


def test_save_accepts_a_module_and_numpy_arrays(tmp_path):
    nn.save(nn.Linear(2, 1), tmp_path / "m.safetensors")
    assert list(nn.load(tmp_path / "m.safetensors")) == ["weight", "bias"]
    nn.save({"a": np.arange(3)}, tmp_path / "a.safetensors")
    np.testing.assert_array_equal(nn.load(tmp_path / "a.safetensors")["a"].data, [0, 1, 2])


def test_save_rejects_non_tensor_values(tmp_path):
    with pytest.raises(TypeError, match="'lr'"):
        nn.save({"lr": object()}, tmp_path / "x.safetensors")
    assert os.listdir(tmp_path) == []
