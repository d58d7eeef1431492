"""Process settings for training: memory reuse for numpy arrays, and fewer cyclic collections.

A training step allocates the same large arrays (activations, gradients,
convolution columns) again and again. With glibc's default settings, blocks
above its mmap threshold are returned to the operating system when freed and
every new one is page-faulted in again; for a small CNN step that costs about
a fifth of the time. PyTorch avoids the same cost with its own caching
allocator. ``retain_freed_memory()`` gets the equivalent for numpy by asking
malloc to keep freed memory for reuse. It changes a process-wide setting, so
the library never calls it on import: programs opt in (``tapegrad-train``
does), and the benchmarks apply it to every implementation alike.
"""

import ctypes
import ctypes.util
import gc
import sys

_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3


def retain_freed_memory(enable=True):
    """Keep freed blocks in the process for reuse (glibc's ``mallopt``); returns True when applied.

    With ``enable=True`` blocks of up to 1 GiB come from the heap and freed
    memory is not trimmed back to the OS, so the resident size stays at its
    peak instead of shrinking between steps. ``enable=False`` restores glibc's
    defaults. Elsewhere than glibc-based Linux this does nothing and returns False.

    >>> import autograd
    >>> autograd.memory.retain_freed_memory(False) in (True, False)
    True
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    if enable:
        ok = mallopt(_M_MMAP_THRESHOLD, 1 << 30) and mallopt(_M_TRIM_THRESHOLD, 1 << 30)
        ok = ok and mallopt(_M_TOP_PAD, 64 << 20)
    else:  # glibc's defaults: 128 KiB thresholds (the dynamic adjustment is not restored) and no top pad
        ok = mallopt(_M_MMAP_THRESHOLD, 128 * 1024) and mallopt(_M_TRIM_THRESHOLD, 128 * 1024)
        ok = ok and mallopt(_M_TOP_PAD, 0)
    return bool(ok)


_GC_DEFAULT_THRESHOLD = 700  # CPython's default first-generation threshold
_GC_RELAXED_THRESHOLD = 1_000_000


def relax_gc(enable=True):
    """Run Python's cyclic garbage collector less often while tapes are being recorded.

    Every recorded op leaves three or four Python objects (its record, the
    output tensor, the edge and input tuples) that live until backward, and
    each collection walks the objects it finds alive. With the default
    thresholds that is four full collections during a 100,000-op forward
    pass, half its time; with a first-generation threshold of 100,000 it is
    still a young collection every 30,000 ops, 15% of that forward pass. The
    tape does not need them, since backward frees its records by reference
    counting, so ``relax_gc()`` raises the first-generation threshold from
    700 to 1,000,000 allocations: a tape of a quarter of a million ops is
    recorded without one. Cycles made elsewhere are still collected, later
    (after a million more objects are alive than were freed). It changes a process-wide setting, so
    the library never calls it on import: programs opt in (``tapegrad-train``
    does), and the benchmarks apply it to every implementation alike.
    ``enable=False`` restores the default. Returns the new threshold.

    >>> import autograd
    >>> autograd.memory.relax_gc(False)
    700
    """
    t0, t1, t2 = gc.get_threshold()
    new = _GC_RELAXED_THRESHOLD if enable else _GC_DEFAULT_THRESHOLD
    gc.set_threshold(new, t1, t2)
    return new
