"""The training program end to end, on small generated IDX files (no network, no package data)."""

import csv
import gzip
import os
import signal
import struct
import subprocess
import sys
import time

import numpy as np
import pytest

import nn

PROGRAM = [sys.executable, "-m", "examples.train_mnist"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_idx(path, array):
    """Write an IDX file: magic (0, 0, 0x08 for uint8, ndim), big-endian dims, then the bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def make_digits(n, rng):
    """Images whose class is written as a bright 7x7 block at one of ten places, plus noise."""
    labels = rng.integers(0, 10, n)
    images = rng.integers(0, 60, (n, 28, 28))
    for i, k in enumerate(labels):
        r, c = divmod(int(k), 5)
        images[i, 3 + 12 * r : 10 + 12 * r, 1 + 5 * c : 6 + 5 * c] = 255
    return images, labels


@pytest.fixture(scope="module")
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("digits")
    rng = np.random.default_rng(0)
    for split, n in (("train", 1200), ("t10k", 300)):
        images, labels = make_digits(n, rng)
        write_idx(root / f"{split}-images-idx3-ubyte.gz", images)
        write_idx(root / f"{split}-labels-idx1-ubyte.gz", labels)
    return root


def run(args, **kw):
    return subprocess.run(PROGRAM + args, capture_output=True, text=True, cwd=ROOT, timeout=300, **kw)


def test_a_short_run_writes_every_output_and_the_loss_falls(data_root, tmp_path):
    out = tmp_path / "run"
    proc = run(["--data-root", str(data_root), "--out", str(out), "--epochs", "2", "--batch-size", "64", "--no-progress"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1].startswith("test accuracy: ")
    for name in ("metrics.csv", "curves.png", "confusion.png", "misclassified.png", "model.safetensors",
                 "checkpoint.safetensors"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "graph.svg").exists() or (out / "graph.dot").exists()
    assert (out / "training_loop.svg").exists() or (out / "training_loop.dot").exists()
    with open(out / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2
    assert float(rows[1]["train_loss"]) < float(rows[0]["train_loss"])
    assert float(rows[1]["test_accuracy"]) > 0.5


def test_same_seed_gives_the_same_numbers(data_root, tmp_path):
    outs = []
    for name in ("a", "b"):
        proc = run(["--data-root", str(data_root), "--out", str(tmp_path / name), "--epochs", "1", "--limit", "400",
                    "--no-progress", "--seed", "3"])
        assert proc.returncode == 0, proc.stderr
        outs.append(nn.load(tmp_path / name / "model.safetensors"))
    for key in outs[0]:
        np.testing.assert_array_equal(outs[0][key].data, outs[1][key].data)


def test_interrupt_then_resume_ends_with_the_same_weights(data_root, tmp_path):
    # small batches and several epochs: long enough (~1,000 steps) that Ctrl-C lands mid-training
    common = ["--data-root", str(data_root), "--epochs", "6", "--batch-size", "8", "--no-progress", "--seed", "1"]
    full = run(common + ["--out", str(tmp_path / "full")])
    assert full.returncode == 0, full.stderr

    out = tmp_path / "interrupted"
    proc = subprocess.Popen(PROGRAM + common + ["--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT)
    for line in proc.stdout:  # wait until training has started, then press Ctrl-C
        if line.startswith("model:"):
            break
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "saved a checkpoint" in stdout

    resumed = run(common + ["--out", str(out), "--resume"])
    assert resumed.returncode == 0, resumed.stderr
    a, b = nn.load(tmp_path / "full" / "model.safetensors"), nn.load(out / "model.safetensors")
    for key in a:
        np.testing.assert_array_equal(a[key].data, b[key].data)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--model", "rnn"], "invalid choice: 'rnn'"),
        (["--lr", "-0.1"], "--lr must be a positive number"),
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--out", "/proc/no-such-place/run"], "cannot write there"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_code_2(args, message):
    proc = run(args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_a_truncated_data_file_is_a_clear_error_naming_it(data_root, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in os.listdir(data_root):
        (broken / name).write_bytes((data_root / name).read_bytes())
    images = broken / "train-images-idx3-ubyte.gz"
    raw = gzip.decompress(images.read_bytes())
    images.write_bytes(gzip.compress(raw[: len(raw) // 2]))
    proc = run(["--data-root", str(broken), "--out", str(tmp_path / "o"), "--no-progress"])
    assert proc.returncode == 1
    assert "train-images-idx3-ubyte.gz" in proc.stderr and "Traceback" not in proc.stderr
