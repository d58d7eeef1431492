"""The opt-in process settings of autograd.memory."""

import gc
import weakref

import autograd as ag


def test_relax_gc_raises_the_first_generation_threshold_and_restores_it():
    before = gc.get_threshold()
    try:
        assert ag.memory.relax_gc() == 1_000_000
        assert gc.get_threshold()[0] == 1_000_000
        assert gc.get_threshold()[1:] == before[1:]  # the older generations keep their thresholds
        assert ag.memory.relax_gc(False) == 700
        assert gc.get_threshold()[0] == 700
    finally:
        gc.set_threshold(*before)


def test_relax_gc_still_collects_cycles_without_an_explicit_collect():
    before = gc.get_threshold()
    gc.collect()
    try:
        ag.memory.relax_gc()

        class Node:
            pass

        a, b = Node(), Node()
        a.other, b.other = b, a
        ref = weakref.ref(a)
        del a, b
        keep = [[] for _ in range(1_100_000)]  # more live allocations than the relaxed threshold
        assert ref() is None
        del keep
    finally:
        gc.set_threshold(*before)


def test_retain_freed_memory_reports_whether_it_applied():
    assert ag.memory.retain_freed_memory(False) in (True, False)
