"""Dataset, TensorDataset, Subset, random_split, DataLoader and default_collate."""

import collections

import numpy as np
import pytest

import autograd as ag
from autograd.data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split


class Squares(Dataset):
    """A generic dataset: only __getitem__ and __len__; counts the fetches."""

    def __init__(self, n):
        self.n = n
        self.fetches = 0

    def __getitem__(self, i):
        self.fetches += 1
        return np.array([i, i * i], dtype=np.float32), i % 3

    def __len__(self):
        return self.n


def features_and_labels(n):
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n, dtype=np.int64) * 10
    return x, y


def loaded_labels(loader):
    return np.concatenate([batch[-1].data for batch in loader])


# ---- TensorDataset ----------------------------------------------------------------------------------
def test_tensor_dataset_item_is_the_row_of_each_tensor():
    x, y = features_and_labels(4)
    dataset = TensorDataset(ag.tensor(x), ag.tensor(y))
    xi, yi = dataset[2]
    np.testing.assert_array_equal(xi.data, [6, 7, 8])
    assert yi.item() == 20
    assert len(dataset) == 4


def test_tensor_dataset_accepts_numpy_arrays_keeping_dtype():
    x, y = features_and_labels(3)
    dataset = TensorDataset(x, y)
    assert all(isinstance(t, ag.Tensor) for t in dataset.tensors)
    assert dataset.tensors[0].dtype == ag.float32 and dataset.tensors[1].dtype == ag.int64


def test_tensor_dataset_size_mismatch_is_an_error():
    with pytest.raises(ValueError, match="Size mismatch between tensors"):
        TensorDataset(np.zeros((3, 2)), np.zeros(4))


# ---- Subset --------------------------------------------------------------------------------------
def test_subset_maps_indices_in_order():
    x, y = features_and_labels(6)
    subset = Subset(TensorDataset(x, y), [5, 0, 3])
    assert len(subset) == 3
    assert [subset[i][1].item() for i in range(3)] == [50, 0, 30]


def test_subset_of_subset():
    x, y = features_and_labels(6)
    inner = Subset(TensorDataset(x, y), [4, 2, 1, 5])
    outer = Subset(inner, [3, 0])
    assert [outer[i][1].item() for i in range(2)] == [50, 40]


# ---- random_split ------------------------------------------------------------------------------
def test_random_split_sizes_and_disjoint_cover():
    dataset = Squares(10)
    parts = random_split(dataset, [3, 7], seed=0)
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))


def test_random_split_fractions_follow_pytorch_rounding():
    # floor(11 * 0.5) = 5 each, the one left over goes to the first split
    assert [len(p) for p in random_split(Squares(11), [0.5, 0.5], seed=0)] == [6, 5]
    # floor(10 * f) = 7, 1, 1; the one left goes to the first split
    assert [len(p) for p in random_split(Squares(10), [0.75, 0.125, 0.125], seed=0)] == [8, 1, 1]


def test_random_split_is_reproducible_with_a_seed():
    a = random_split(Squares(20), [0.5, 0.5], seed=42)
    b = random_split(Squares(20), [0.5, 0.5], seed=42)
    assert a[0].indices == b[0].indices


def test_random_split_is_shuffled():
    indices = random_split(Squares(50), [25, 25], seed=1)[0].indices
    assert indices != sorted(indices)


def test_random_split_accepts_a_generator():
    a = random_split(Squares(20), [10, 10], generator=np.random.default_rng(3))
    b = random_split(Squares(20), [10, 10], generator=ag.Generator().manual_seed(3))
    c = random_split(Squares(20), [10, 10], seed=3)
    assert a[0].indices == b[0].indices == c[0].indices


def test_random_split_follows_the_global_seed():
    ag.manual_seed(7)
    a = random_split(Squares(20), [10, 10])
    ag.manual_seed(7)
    b = random_split(Squares(20), [10, 10])
    assert a[0].indices == b[0].indices


def test_random_split_lengths_must_sum_to_the_dataset_size():
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(Squares(10), [3, 3], seed=0)


def test_random_split_rejects_seed_and_generator_together():
    with pytest.raises(ValueError, match="not both"):
        random_split(Squares(4), [2, 2], seed=0, generator=np.random.default_rng(0))


# ---- DataLoader: batching ----------------------------------------------------------------------------
@pytest.mark.parametrize("n,batch_size,drop_last,expected", [(10, 3, False, 4), (10, 3, True, 3), (9, 3, False, 3)])
def test_len_is_the_number_of_batches(n, batch_size, drop_last, expected):
    loader = DataLoader(TensorDataset(*features_and_labels(n)), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == expected
    assert len(list(loader)) == expected


def test_batches_have_batch_size_rows_and_a_smaller_last_one():
    loader = DataLoader(TensorDataset(*features_and_labels(10)), batch_size=4)
    assert [x.shape for x, _ in loader] == [(4, 3), (4, 3), (2, 3)]


def test_drop_last_leaves_out_the_short_batch():
    loader = DataLoader(TensorDataset(*features_and_labels(10)), batch_size=4, drop_last=True)
    assert [x.shape for x, _ in loader] == [(4, 3), (4, 3)]
    np.testing.assert_array_equal(loaded_labels(loader), np.arange(8) * 10)


def test_batches_are_tensors_with_the_data_dtypes():
    x, y = features_and_labels(5)
    xb, yb = next(iter(DataLoader(TensorDataset(x, y), batch_size=2)))
    assert isinstance(xb, ag.Tensor) and isinstance(yb, ag.Tensor)
    assert xb.dtype == ag.float32 and yb.dtype == ag.int64
    np.testing.assert_array_equal(xb.data, x[:2])


def test_without_shuffle_the_order_is_the_dataset_order():
    loader = DataLoader(TensorDataset(*features_and_labels(7)), batch_size=3)
    np.testing.assert_array_equal(loaded_labels(loader), np.arange(7) * 10)


def test_batch_size_must_be_a_positive_int():
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="batch_size"):
            DataLoader(Squares(3), batch_size=bad)


# ---- DataLoader: shuffling -------------------------------------------------------------------------
def test_shuffled_epoch_is_a_permutation():
    loader = DataLoader(TensorDataset(*features_and_labels(23)), batch_size=5, shuffle=True, seed=0)
    labels = loaded_labels(loader)
    assert sorted(labels.tolist()) == [10 * i for i in range(23)]
    assert labels.tolist() != sorted(labels.tolist())


def test_shuffle_keeps_features_and_labels_together():
    loader = DataLoader(TensorDataset(*features_and_labels(12)), batch_size=5, shuffle=True, seed=1)
    for x, y in loader:
        # row i of the data is [3i, 3i+1, 3i+2] with label 10i
        np.testing.assert_array_equal(x.data[:, 0], y.data / 10 * 3)


def test_shuffle_is_reproducible_with_a_seed():
    def epochs(seed):
        loader = DataLoader(TensorDataset(*features_and_labels(30)), batch_size=7, shuffle=True, seed=seed)
        return [loaded_labels(loader).tolist() for _ in range(3)]

    assert epochs(5) == epochs(5)
    assert epochs(5) != epochs(6)


def test_each_epoch_has_a_new_order():
    loader = DataLoader(TensorDataset(*features_and_labels(30)), batch_size=7, shuffle=True, seed=2)
    first, second = loaded_labels(loader).tolist(), loaded_labels(loader).tolist()
    assert first != second and sorted(first) == sorted(second)


def test_shuffle_follows_the_global_seed():
    loader = DataLoader(TensorDataset(*features_and_labels(30)), batch_size=8, shuffle=True)
    ag.manual_seed(11)
    a = [loaded_labels(loader).tolist() for _ in range(2)]
    ag.manual_seed(11)
    b = [loaded_labels(loader).tolist() for _ in range(2)]
    assert a == b and a[0] != a[1]


def test_shuffle_draws_from_a_given_generator():
    dataset = TensorDataset(*features_and_labels(16))
    order = loaded_labels(DataLoader(dataset, batch_size=4, shuffle=True, generator=np.random.default_rng(9))) // 10
    np.testing.assert_array_equal(order, np.random.default_rng(9).permutation(16))


def test_order_is_drawn_when_iteration_starts():
    loader = DataLoader(TensorDataset(*features_and_labels(10)), batch_size=10, shuffle=True)
    ag.manual_seed(3)
    it = iter(loader)
    ag.manual_seed(100)  # re-seeding after iter() does not change this epoch
    first = next(it)[1].data.tolist()
    ag.manual_seed(3)
    assert next(iter(loader))[1].data.tolist() == first


def test_pytorch_worker_arguments_are_accepted():
    loader = DataLoader(TensorDataset(*features_and_labels(4)), batch_size=2, num_workers=2, pin_memory=True)
    np.testing.assert_array_equal(loaded_labels(loader), [0, 10, 20, 30])


def test_loader_rejects_seed_and_generator_together():
    with pytest.raises(ValueError, match="not both"):
        DataLoader(Squares(3), seed=1, generator=np.random.default_rng(1))


# ---- DataLoader: fast path and generic path -------------------------------------------------------
def test_array_datasets_are_batched_without_getitem(monkeypatch):
    dataset = TensorDataset(*features_and_labels(10))
    monkeypatch.setattr(TensorDataset, "__getitem__", lambda self, i: pytest.fail("fetched item by item"))
    assert [x.shape for x, _ in DataLoader(dataset, batch_size=4, shuffle=True, seed=0)] == [(4, 3), (4, 3), (2, 3)]


def test_subset_of_array_dataset_is_batched_without_getitem(monkeypatch):
    x, y = features_and_labels(10)
    subset = Subset(TensorDataset(x, y), [9, 2, 4, 7])
    monkeypatch.setattr(TensorDataset, "__getitem__", lambda self, i: pytest.fail("fetched item by item"))
    (xb, yb), *_ = DataLoader(subset, batch_size=4)
    np.testing.assert_array_equal(yb.data, [90, 20, 40, 70])
    np.testing.assert_array_equal(xb.data, x[[9, 2, 4, 7]])


def test_fast_path_matches_collating_items_one_by_one():
    x, y = features_and_labels(9)
    dataset = Subset(TensorDataset(x, y), [8, 1, 5, 0, 2, 7, 3])
    fast = list(DataLoader(dataset, batch_size=3))
    slow = list(DataLoader(dataset, batch_size=3, collate_fn=default_collate))
    assert len(fast) == len(slow) == 3
    for fast_batch, slow_batch in zip(fast, slow):
        for f, s in zip(fast_batch, slow_batch):
            assert f.dtype == s.dtype and f.shape == s.shape
            np.testing.assert_array_equal(f.data, s.data)


def test_generic_dataset_is_fetched_item_by_item_and_collated():
    dataset = Squares(5)
    xb, yb = next(iter(DataLoader(dataset, batch_size=4)))
    assert dataset.fetches == 4
    assert xb.dtype == ag.float32 and yb.dtype == ag.int64
    np.testing.assert_array_equal(xb.data, [[0, 0], [1, 1], [2, 4], [3, 9]])
    np.testing.assert_array_equal(yb.data, [0, 1, 2, 0])


def test_custom_collate_fn_receives_the_list_of_samples():
    seen = []
    loader = DataLoader(Squares(3), batch_size=2, collate_fn=lambda samples: seen.append(samples) or len(samples))
    assert list(loader) == [2, 1]
    assert [label for _, label in seen[0]] == [0, 1]


# ---- default_collate ----------------------------------------------------------------------------------
def test_collate_python_numbers_as_pytorch_does():
    ints, floats, bools = default_collate([1, 2]), default_collate([0.5, 1.5]), default_collate([True, False])
    assert ints.dtype == ag.int64 and floats.dtype == ag.float64 and bools.dtype == np.bool_
    np.testing.assert_array_equal(floats.data, [0.5, 1.5])


def test_collate_keeps_numpy_dtypes():
    assert default_collate([np.float16(1), np.float16(2)]).dtype == np.float16
    assert default_collate([np.zeros(2, np.uint8), np.ones(2, np.uint8)]).dtype == np.uint8


def test_collate_stacks_tensors():
    batch = default_collate([ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0])])
    assert batch.shape == (2, 2)
    np.testing.assert_array_equal(batch.data, [[1, 2], [3, 4]])


def test_collate_tuples_become_lists_field_by_field():
    batch = default_collate([(np.zeros(2), 1), (np.ones(2), 2)])
    assert isinstance(batch, list) and len(batch) == 2
    np.testing.assert_array_equal(batch[1].data, [1, 2])


def test_collate_dicts_and_namedtuples_and_strings():
    Pair = collections.namedtuple("Pair", "a b")
    out = default_collate([{"p": Pair(1, "x")}, {"p": Pair(2, "y")}])
    assert isinstance(out["p"], Pair)
    np.testing.assert_array_equal(out["p"].a.data, [1, 2])
    assert out["p"].b == ["x", "y"]


def test_collate_mismatched_shapes_is_a_clear_error():
    with pytest.raises(RuntimeError, match=r"different shapes \[\(2,\), \(3,\)\]"):
        default_collate([np.zeros(2), np.zeros(3)])


def test_collate_unsupported_type_is_an_error():
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])
