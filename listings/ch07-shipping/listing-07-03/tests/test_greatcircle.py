"""Listing 7-3: `greatcircle`, four Rust versions of NumPy's float32
great-circle distances, checked against the same expression in float64."""

import ast
import os
import re
import signal
import time
from pathlib import Path

import numpy as np
import pytest

import greatcircle

R = 6371.0
FUNCTIONS = [greatcircle.distance_port, greatcircle.distance_hoisted,
             greatcircle.distance_simd, greatcircle.distance_par]
IDS = ["port", "hoisted", "simd", "par"]


def numpy_distance(lat1, lon1, lat2, lon2):
    """The NumPy expression that the listing ports (bench.py times it)."""
    p1, l1 = np.radians(lat1)[:, None], np.radians(lon1)[:, None]
    p2, l2 = np.radians(lat2), np.radians(lon2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2 * np.asarray(R, lat1.dtype) * np.arcsin(np.sqrt(h))


def points(rng, n):
    lat = rng.uniform(-90, 90, n).astype(np.float32)
    lon = rng.uniform(-180, 180, n).astype(np.float32)
    # Poles, the equator, the date line, and a point twice.
    lat[:6] = [90, -90, 0, 0, 0, 45]
    lon[:6] = [0, 0, 180, -180, 0, 45]
    return lat, lon


@pytest.fixture(scope="module")
def case():
    rng = np.random.default_rng(7)
    lat1, lon1 = points(rng, 300)
    lat2, lon2 = points(rng, 500)  # 150,000 pairs: distance_par uses its threads
    truth = numpy_distance(*(a.astype(np.float64) for a in (lat1, lon1, lat2, lon2)))
    return (lat1, lon1, lat2, lon2), truth


# float32 keeps 24 bits. Away from opposite points the distance is then good
# to metres (0.05 km). Near opposite points, an error e in h (a few roundings
# of 2**-24) moves 2 R asin(sqrt(h)) by up to 2 R sqrt(e): for e = 2**-22,
# 2 * 6371 * 2**-11 = 6.2 km. That is the formula's own ill-conditioning,
# which NumPy's float32 result shares (checked too, so the bounds are what
# float32 needs, not what the listing needs).
NEAR = 0.05
EVERYWHERE = 2 * R * 2.0**-11


@pytest.mark.parametrize("f", [numpy_distance, *FUNCTIONS], ids=["numpy", *IDS])
def test_float32_distances_match_float64(f, case):
    args, truth = case
    d = f(*args)
    assert d.dtype == np.float32 and d.shape == truth.shape
    err = np.abs(d - truth)
    away = truth < 19_000
    assert away.mean() > 0.9
    assert err[away].max() <= NEAR, err[away].max()
    assert err.max() <= EVERYWHERE, err.max()


@pytest.mark.parametrize("f", FUNCTIONS, ids=IDS)
def test_known_distances(f):
    lat1 = np.array([0, 90, 10], np.float32)
    lon1 = np.array([0, 0, 20], np.float32)
    d = f(lat1, lon1, lat1, lon1)
    assert np.diag(d).tolist() == [0, 0, 0]  # a point to itself
    # From the equator to a pole: a quarter of a great circle, R pi/2.
    np.testing.assert_allclose(d[0, 1], R * np.pi / 2, rtol=1e-6)
    # Pole to pole, R pi: opposite points, where float32 allows EVERYWHERE.
    pole = f(np.float32([90]), lon1[:1], np.float32([-90]), lon1[:1])
    np.testing.assert_allclose(pole, [[R * np.pi]], atol=EVERYWHERE)


@pytest.mark.parametrize("f", FUNCTIONS, ids=IDS)
def test_along_the_equator(f):
    # From (0, 0) to (0, x) the distance is R x (x in radians). Up to 150
    # degrees, asin is well conditioned, so what is left is float32 rounding:
    # sin(x/2), its square, the square root, asin (libm's, or asin_poly's few
    # ulp) and the product: at most 8 roundings of
    # 2**-24 each.
    lon2 = np.linspace(0.001, 150, 100_000).astype(np.float32)
    zero = np.zeros(1, np.float32)
    d = f(zero, zero, np.zeros_like(lon2), lon2)[0]
    np.testing.assert_allclose(d, R * np.radians(lon2.astype(np.float64)), rtol=8 * 2.0**-24, atol=0)


def test_par_equals_simd_bit_for_bit(case):
    args, _ = case  # large enough for threads: the same kernel, shared out
    np.testing.assert_array_equal(greatcircle.distance_par(*args), greatcircle.distance_simd(*args))


@pytest.mark.parametrize("f", FUNCTIONS, ids=IDS)
def test_nan_and_empty(f):
    lat1 = np.array([np.nan, 1], np.float32)
    lon1 = np.zeros(2, np.float32)
    d = f(lat1, lon1, np.zeros(3, np.float32), np.zeros(3, np.float32))
    assert np.isnan(d[0]).all() and np.isfinite(d[1]).all()
    assert f(lat1[:0], lon1[:0], lat1, lon1).shape == (0, 2)
    assert f(lat1, lon1, lat1[:0], lon1[:0]).shape == (2, 0)


@pytest.mark.parametrize("f", FUNCTIONS, ids=IDS)
@pytest.mark.parametrize(
    "bad, error, message",
    [
        (np.zeros(3), TypeError, "type mismatch:\n from=float64, to=float32"),
        (np.zeros((3, 1), np.float32), TypeError, "dimensionality mismatch:\n from=2, to=1"),
        ([0.0, 0.0, 0.0], TypeError, "'list' object is not an instance of 'ndarray'"),
        (np.zeros(4, np.float32), ValueError, "lat2 and lon2 must have the same length, got 3 and 4"),
        (np.frombuffer(bytes(13), np.float32, 3, 1), ValueError, "lon2: array data is not aligned for float32"),
    ],
    ids=["float64", "2-D", "list", "length", "misaligned"],
)
def test_bad_input(f, bad, error, message):
    ok = np.zeros(3, np.float32)
    with pytest.raises(error) as info:
        f(ok, ok, ok, bad)
    assert str(info.value) == message


class Interrupted(Exception):
    pass


@pytest.mark.skipif(os.environ.get("BOOK_UNDER_VALGRIND") == "1",
                    reason="times a 40-million-pair call against an interrupted one")
@pytest.mark.parametrize("f", FUNCTIONS, ids=IDS)
def test_ctrl_c_stops_the_loop(f):
    # A signal handler that raises runs inside the call (py.check_signals),
    # which then stops, sooner than the whole call takes. (Allocating the
    # 160 MB result, before the loop, is not interruptible: hence 3/4.)
    rng = np.random.default_rng(1)
    lat1, lon1 = points(rng, 200)
    lat2, lon2 = points(rng, 200_000)
    t = time.perf_counter()
    f(lat1, lon1, lat2, lon2)
    whole = time.perf_counter() - t

    def handler(signum, frame):
        raise Interrupted

    old = signal.signal(signal.SIGALRM, handler)
    try:
        t = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, whole / 10)
        with pytest.raises(Interrupted):
            f(lat1, lon1, lat2, lon2)
        stopped = time.perf_counter() - t
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert stopped < 0.75 * whole, (stopped, whole)


def test_the_stub_matches_the_module():
    # greatcircle.pyi (next to Cargo.toml; maturin packs it as
    # greatcircle/__init__.pyi) declares each function with its parameters.
    stub = ast.parse((Path(__file__).resolve().parents[1] / "greatcircle.pyi").read_text())
    declared = {f.name: [a.arg for a in f.args.args] for f in stub.body if isinstance(f, ast.FunctionDef)}
    exported = {f.__name__: re.findall(r"\w+", f.__text_signature__) for f in FUNCTIONS}
    assert declared == exported
    assert set(exported) == {n for n in dir(greatcircle) if n.startswith("distance_")}
