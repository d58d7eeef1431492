"""Reader for the IDX format that MNIST and Fashion-MNIST are published in.

An IDX file is a 4-byte magic number, one big-endian uint32 per dimension,
then the values in C order::

    magic = 0x00 0x00 <dtype code> <number of dimensions>

MNIST's image files are ``0x00000803`` (unsigned bytes, 3 dimensions: count,
rows, columns) and its label files ``0x00000801`` (unsigned bytes, one
dimension: count). Files may be gzipped; that is detected from the content,
not the name.

The reader checks everything it can before numpy sees the bytes: the magic
number, the dimensions, and that the file length is exactly what the header
promises. A damaged file is a ``DataFileError`` that names the file and says
what is wrong with it.
"""

import gzip
import math
import os
import struct
import zlib

import numpy as np

__all__ = ["DataFileError", "read_idx", "read_idx_images", "read_idx_labels"]

# dtype code in the magic number -> numpy dtype (multi-byte values are big-endian)
IDX_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801

_GZIP_MAGIC = b"\x1f\x8b"


class DataFileError(ValueError):
    """A data file is malformed, truncated, or disagrees with the file it is paired with."""


def _read_bytes(path):
    """The file's content, un-gzipped when it is a gzip stream."""
    with open(path, "rb") as f:
        raw = f.read()
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except EOFError:
        raise DataFileError(f"{path}: the gzip stream is truncated (the download or copy was cut short)") from None
    except (OSError, zlib.error) as e:
        raise DataFileError(f"{path}: not a valid gzip file ({e})") from None


def _describe_magic(magic):
    return (
        f"0x{magic:08X} (expected bytes 0x00 0x00, then the dtype code "
        f"{'/'.join(f'0x{c:02X}' for c in IDX_DTYPES)}, then the number of dimensions)"
    )


def read_idx(path, expected_magic=None):
    """Read an IDX file (raw or gzipped) into a numpy array in native byte order.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    expected_magic : int, optional
        When given, the file's magic number must equal it (for example
        ``0x00000803`` for an MNIST image file).

    Raises
    ------
    DataFileError
        The file is not IDX, has an unexpected magic number, or its length
        does not match the dimensions in its header.
    """
    path = os.fspath(path)
    buf = _read_bytes(path)
    if len(buf) < 4:
        raise DataFileError(f"{path}: too short to be an IDX file ({len(buf)} bytes; the magic number alone is 4)")
    (magic,) = struct.unpack(">I", buf[:4])
    zero, code, ndim = magic >> 16, (magic >> 8) & 0xFF, magic & 0xFF
    if expected_magic is not None and magic != expected_magic:
        exp_code, exp_ndim = (expected_magic >> 8) & 0xFF, expected_magic & 0xFF
        what = []
        if zero != 0:
            what.append("it does not start with two zero bytes, so it is not an IDX file")
        if code != exp_code:
            what.append(f"dtype byte is 0x{code:02X}, expected 0x{exp_code:02X}")
        if ndim != exp_ndim:
            what.append(f"it has {ndim} dimensions, expected {exp_ndim}")
        raise DataFileError(
            f"{path}: bad magic number 0x{magic:08X}, expected 0x{expected_magic:08X} ({'; '.join(what)})"
        )
    if zero != 0 or code not in IDX_DTYPES:
        raise DataFileError(f"{path}: bad magic number {_describe_magic(magic)}; this is not an IDX file")
    header_len = 4 + 4 * ndim
    if len(buf) < header_len:
        raise DataFileError(
            f"{path}: truncated header: {ndim} dimensions need {header_len} header bytes, the file holds {len(buf)}"
        )
    dims = struct.unpack(f">{ndim}I", buf[4:header_len])
    dtype = IDX_DTYPES[code]
    expected = header_len + math.prod(dims) * dtype.itemsize  # Python ints: a corrupt header cannot overflow
    shape = "x".join(map(str, dims))
    if len(buf) < expected:
        raise DataFileError(
            f"{path}: truncated: the header promises {shape} values ({expected} bytes in all) "
            f"but the file holds {len(buf)} bytes ({expected - len(buf)} missing)"
        )
    if len(buf) > expected:
        raise DataFileError(
            f"{path}: {len(buf) - expected} unexpected bytes after the {shape} values the header promises "
            f"(expected exactly {expected} bytes)"
        )
    array = np.frombuffer(buf, dtype=dtype, offset=header_len).reshape(dims)
    # a writable array in native byte order, independent of the file buffer
    return array.astype(dtype.newbyteorder("="), copy=True)


def read_idx_images(path):
    """Read an MNIST-style image file: magic ``0x00000803``, uint8 array of shape (count, rows, columns)."""
    return read_idx(path, expected_magic=IMAGES_MAGIC)


def read_idx_labels(path):
    """Read an MNIST-style label file: magic ``0x00000801``, uint8 array of shape (count,)."""
    return read_idx(path, expected_magic=LABELS_MAGIC)
