"""Listing 6-6: a #[repr(C)] struct as a NumPy structured dtype."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import records

FIELDS = [("id", "<i4"), ("x", "<f8"), ("y", "<f8"), ("mass", "<f4")]
ALIGNED = np.dtype(FIELDS, align=True)
PACKED = np.dtype(FIELDS)


def test_rust_layout_is_numpys_aligned_layout():
    offsets, size = records.rust_layout()
    assert dict(offsets) == {name: ALIGNED.fields[name][1] for name, _ in FIELDS}
    assert size == ALIGNED.itemsize == 32
    assert records.dtype() == ALIGNED
    assert records.dtype().isalignedstruct


def test_packed_layout_differs():
    assert PACKED.itemsize == 24
    assert PACKED.fields["x"][1] == 4  # not 8: no padding after id
    assert records.dtype() != PACKED


def particles(xs, ys, ms):
    a = np.zeros(len(xs), dtype=records.dtype())
    a["id"] = np.arange(len(xs))
    a["x"], a["y"], a["mass"] = xs, ys, ms
    return a


@given(st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3), st.floats(0.5, 10, width=32)),
                min_size=1, max_size=40))
@settings(max_examples=80, deadline=None)
def test_center_of_mass_matches_numpy(rows):
    xs, ys, ms = map(np.array, zip(*rows))
    a = particles(xs, ys, ms)
    m = a["mass"].astype(np.float64)
    expected = ((m * a["x"]).sum() / m.sum(), (m * a["y"]).sum() / m.sum())
    got = records.center_of_mass(a)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-9)
    # A strided view of records works too (every other particle).
    if len(a) > 1:
        v = a[::2]
        mv = v["mass"].astype(np.float64)
        np.testing.assert_allclose(records.center_of_mass(v),
                                   ((mv * v["x"]).sum() / mv.sum(), (mv * v["y"]).sum() / mv.sum()), rtol=1e-12,
                                   atol=1e-9)


def test_read_only_records():
    a = particles([0.0, 2.0], [0.0, 0.0], [1.0, 1.0])
    a.flags.writeable = False
    assert records.center_of_mass(a) == (1.0, 0.0)


@pytest.mark.parametrize(
    "make, fragment",
    [
        (lambda: np.zeros(3, dtype=PACKED), "from=[('id', '<i4'), ('x', '<f8'), ('y', '<f8'), ('mass', '<f4')]"),
        (lambda: np.zeros(3, dtype=ALIGNED.newbyteorder(">")), "'formats': ['>i4', '>f8', '>f8', '>f4']"),
        (lambda: np.zeros(3, dtype=np.float64), "from=float64"),
        (lambda: np.zeros(3, dtype=[("id", "<i4"), ("x", "<f8"), ("y", "<f8"), ("m", "<f4")], ), "from="),
    ],
)
def test_other_layouts_are_rejected_with_a_type_error(make, fragment):
    with pytest.raises(TypeError) as info:
        records.center_of_mass(make())
    assert str(info.value).startswith("type mismatch:\n from=")
    assert fragment in str(info.value)


def test_misaligned_records_are_refused_before_they_are_read():
    good = particles([1.0], [2.0], [1.0])
    raw = np.frombuffer(bytes(1) + good.tobytes(), dtype=records.dtype(), offset=1)
    assert not raw.flags.aligned
    with pytest.raises(ValueError, match=r"^particle data is not aligned \(8 bytes\)"):
        records.center_of_mass(raw)
    # The fix the message suggests works:
    assert records.center_of_mass(np.require(raw, requirements="A")) == (1.0, 2.0)


@pytest.mark.parametrize(
    "a, message",
    [
        (np.zeros(0, dtype=ALIGNED), "^no particles$"),
        (np.zeros(3, dtype=ALIGNED), "^total mass is zero$"),
    ],
)
def test_empty_and_massless(a, message):
    with pytest.raises(ValueError, match=message):
        records.center_of_mass(a)


def test_nan_positions_propagate():
    x, y = records.center_of_mass(particles([np.nan, 1.0], [0.0, 0.0], [1.0, 1.0]))
    assert np.isnan(x) and y == 0.0


@pytest.mark.parametrize("bad", [None, [(0, 1.0, 1.0, 1.0)], np.zeros((2, 2), dtype=ALIGNED)])
def test_not_a_1d_record_array(bad):
    with pytest.raises(TypeError):
        records.center_of_mass(bad)
