import numpy as np
import pytest

import ewma


def ewma_python(x, alpha):
    """The loop we replaced, as plain Python over a NumPy array."""
    out = np.empty_like(x)
    for i, value in enumerate(x):
        out[i] = value if i == 0 else alpha * value + (1 - alpha) * out[i - 1]
    return out


@pytest.mark.parametrize("alpha", [0.1, 0.5, 1.0])
def test_matches_python(alpha):
    x = np.random.default_rng(0).normal(size=1000)
    np.testing.assert_allclose(ewma.ewma(x, alpha), ewma_python(x, alpha), rtol=1e-12)


def test_strided_and_empty():
    x = np.arange(20.0)[::-2]  # a reversed, strided view
    np.testing.assert_allclose(ewma.ewma(x, 0.3), ewma_python(x.copy(), 0.3))
    assert ewma.ewma(np.empty(0), 0.5).shape == (0,)


def test_bad_input():
    with pytest.raises(TypeError):
        ewma.ewma(np.arange(3), 0.5)  # int64, not float64
    with pytest.raises(TypeError):
        ewma.ewma(np.zeros((2, 2)), 0.5)  # 2-D
    with pytest.raises(ValueError, match="alpha"):
        ewma.ewma(np.zeros(3), 0.0)
