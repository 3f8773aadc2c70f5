"""Listing 10-2: `lstsq_model`, against NumPy."""

import gc
import pickle
import sys
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import lstsq_model as lm


def data(n=40, k=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, k))
    return x, x @ np.arange(1.0, k + 1) + 0.1 * rng.standard_normal(n)


# The normal equations square x: values near 1e-160 would underflow in xᵀx,
# and the model would call them rank-deficient (lstsq's SVD would not).
VALUES = st.one_of(st.just(0.0), st.floats(1e-3, 10), st.floats(-10, -1e-3))


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6).flatmap(lambda k: st.tuples(
    hnp.arrays(np.float64, (3 * k + 2, k), elements=VALUES),
    hnp.arrays(np.float64, 3 * k + 2, elements=VALUES))))
def test_fit_matches_lstsq_or_says_rank_deficient(xy):
    x, y = xy
    expected, _, rank, sv = np.linalg.lstsq(x, y)
    try:
        m = lm.LeastSquares().fit(x, y)
    except ValueError as e:
        assert "rank-deficient" in str(e)
        assert rank < x.shape[1] or sv[-1] < 1e-5 * sv[0]
        return
    if sv[-1] > 1e-3 * sv[0]:  # well conditioned: the normal equations agree
        np.testing.assert_allclose(m.coef, expected, rtol=1e-8, atol=1e-8)
    scale = np.abs(x) @ np.abs(m.coef) + 1
    np.testing.assert_allclose(m.predict(x), x @ m.coef, rtol=0, atol=1e-14 * scale.max())


def test_fit_returns_the_model_and_predict_matches_numpy():
    x, y = data()
    m = lm.LeastSquares()
    assert m.fit(x, y) is m
    np.testing.assert_allclose(m.coef, np.linalg.lstsq(x, y)[0], rtol=1e-12)
    np.testing.assert_allclose(m.predict(x[::-1].T.copy().T), x[::-1] @ m.coef, rtol=1e-14)
    f = m.freeze()
    np.testing.assert_array_equal(f.predict(x), m.predict(x))
    np.testing.assert_array_equal(lm.predict(x, m.coef), m.predict(x))


@pytest.mark.parametrize("call, exc, message", [
    (lambda: lm.LeastSquares().predict(np.eye(2)), ValueError, "not fitted yet: call fit(x, y) first"),
    (lambda: lm.LeastSquares().coef, AttributeError, "coef: the model is not fitted yet"),
    (lambda: lm.LeastSquares().fit(np.eye(3), np.zeros(2)), ValueError, "x has 3 rows but y has 2 elements"),
    (lambda: lm.LeastSquares().fit(np.ones((3, 2)), np.zeros(3)), ValueError, "x is rank-deficient: column 1"),
    (lambda: lm.LeastSquares().fit(np.eye(2) * np.nan, np.zeros(2)), ValueError, "must be finite"),
    (lambda: lm.LeastSquares().fit(np.eye(2, dtype=int), np.zeros(2)), TypeError, "from=int64, to=float64"),
    (lambda: lm.LinearFit(np.ones(3)).predict(np.ones((2, 4))), ValueError, "x has 4 columns, the model has 3"),
    (lambda: lm.LinearFit([1.0]), TypeError, "coef must be a NumPy array, got list"),
])
def test_errors(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert message in str(info.value)


HUGE = np.broadcast_to(0.0, 2**40)  # a few bytes; a copy of it is 8 TiB
TALL = np.broadcast_to(0.0, (2**40, 3))  # 3 columns, as the models have


@pytest.mark.parametrize("call", [
    lambda: lm.LinearFit(HUGE),
    lambda: lm.LeastSquares().__setstate__(HUGE),
    lambda: lm.predict(TALL, np.zeros(3)),
    lambda: lm.LinearFit(np.zeros(3)).predict(TALL),
    lambda: lm.LeastSquares().fit(np.eye(4, 3), np.zeros(4)).predict(TALL),
    lambda: lm.LeastSquares().fit(np.zeros((1, 2**20)), np.zeros(1)),  # xᵀx: 2**40 elements
], ids=["LinearFit", "__setstate__", "predict", "LinearFit.predict", "LeastSquares.predict", "fit"])
def test_what_cannot_be_allocated_is_a_memory_error(call):
    # Not an abort: Rust's allocator ends the process when it fails (zeros, lib.rs).
    with pytest.raises(MemoryError, match=r"^cannot allocate an array of shape \[1"):
        call()


@pytest.mark.parametrize("value, exc, message", [
    (np.arange(3), TypeError, "coef must have dtype float64, got int64"),
    (np.zeros((3, 1)), ValueError, "coef must be 1-D, got 2 dimensions"),
    (np.zeros(4), ValueError, "coef must have 3 elements, one per feature, got 4"),
    ([1.0, 2.0, 3.0], TypeError, "coef must be a NumPy array, got list"),
    (None, TypeError, "coef must be a NumPy array, got NoneType"),
])
def test_the_setter_validates(value, exc, message):
    m = lm.LeastSquares().fit(*data())
    before = m.coef
    with pytest.raises(exc) as info:
        m.coef = value
    assert str(info.value) == message
    assert m.coef is before


def test_the_setter_copies_and_old_arrays_keep_their_values():
    m = lm.LeastSquares().fit(*data())
    old = m.coef
    old_values = old.copy()
    new = np.array([1.0, -1.0, 0.5])
    m.coef = new
    new[0] = 99.0  # the model keeps its own copy
    np.testing.assert_array_equal(m.coef, [1.0, -1.0, 0.5])
    np.testing.assert_array_equal(old, old_values)
    assert not m.coef.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        m.coef[0] = 2.0


def test_a_view_keeps_the_frozen_model_alive():
    f = lm.LinearFit(np.array([1.0, 2.0, 3.0]))
    view = f.coef
    assert view.base is f and not view.flags.writeable
    with pytest.raises(ValueError, match="cannot set WRITEABLE flag to True"):
        view.flags.writeable = True
    del f
    gc.collect()
    np.testing.assert_array_equal(view, [1.0, 2.0, 3.0])


def test_reference_counts_come_back():
    f = lm.LinearFit(np.array([1.0, 2.0, 3.0]))
    before = sys.getrefcount(f)
    views = [f.coef for _ in range(100)]
    assert sys.getrefcount(f) == before + 100  # each view holds one reference
    del views
    assert sys.getrefcount(f) == before
    m = lm.LeastSquares().fit(*data())
    x = np.ones((2, 3))
    coef = m.coef
    counts = sys.getrefcount(m), sys.getrefcount(x), sys.getrefcount(coef)
    for _ in range(100):
        m.predict(x)
        f.predict(x)
        lm.predict(x, coef)
    assert (sys.getrefcount(m), sys.getrefcount(x), sys.getrefcount(coef)) == counts


def test_pickle_round_trips():
    m = lm.LeastSquares().fit(*data())
    for obj in (m, m.freeze(), lm.LeastSquares()):
        back = pickle.loads(pickle.dumps(obj))
        assert type(back) is type(obj) and repr(back) == repr(obj)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(m)).coef, m.coef)
    with pytest.raises(TypeError, match="coef must have dtype float64, got int64"):
        lm.LeastSquares().__setstate__(np.arange(3))


def test_repr():
    assert repr(lm.LeastSquares()) == "LeastSquares()  # not fitted"
    assert repr(lm.LinearFit(np.array([1.0, 0.5]))) == "LinearFit(coef=[1, 0.5])"


def test_a_mutable_model_in_use_raises_already_borrowed():
    """fit keeps its mutable borrow while it runs detached: another thread
    that calls the model meanwhile gets pyo3's RuntimeError."""
    x, y = data(n=200_000, k=8)
    m = lm.LeastSquares().fit(x, y)
    seen, stop = [], threading.Event()

    def refit():
        while not stop.is_set():
            m.fit(x, y)

    t = threading.Thread(target=refit)
    t.start()
    try:
        for _ in range(200_000):
            try:
                m.predict(x[:1])
            except RuntimeError as e:
                seen.append(str(e))
                break
    finally:
        stop.set()
        t.join()
    assert seen == ["Already mutably borrowed"]


def test_a_frozen_model_serves_many_threads():
    x, y = data(n=1000, k=4)
    f = lm.LeastSquares().fit(x, y).freeze()
    expected = x @ f.coef
    errors = []

    def serve():
        for _ in range(200):
            if not np.allclose(f.predict(x), expected, rtol=1e-13, atol=1e-13):
                errors.append("differs")

    threads = [threading.Thread(target=serve) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
