/* ccookbook.c: the C twins of listing 5-2's main kernels, written the way
 * the 2006 Cookbook wrote them: PyArray_FROM_OTF turns any input into an
 * aligned, C-contiguous float64 array (copying it when it has to), then a
 * plain loop runs over the data. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_2_0_API_VERSION
#include <numpy/arrayobject.h>
#include <string.h>

/* ANCHOR: input */
/* A new reference to `obj` as an aligned C-contiguous float64 array of
 * `ndim` dimensions, or NULL with an exception set. */
static PyArrayObject *as_double(PyObject *obj, int ndim)
{
    if (!PyArray_Check(obj) || PyArray_TYPE((PyArrayObject *)obj) != NPY_DOUBLE) {
        PyErr_SetString(PyExc_TypeError, "expected a float64 NumPy array");
        return NULL;
    }
    PyArrayObject *a = (PyArrayObject *)PyArray_FROM_OTF(obj, NPY_DOUBLE, NPY_ARRAY_IN_ARRAY);
    if (a != NULL && PyArray_NDIM(a) != ndim) {
        PyErr_Format(PyExc_ValueError, "expected a %d-D array, got %d-D", ndim, PyArray_NDIM(a));
        Py_DECREF(a);
        return NULL;
    }
    return a;
}
/* ANCHOR_END: input */

/* ANCHOR: cube */
static PyObject *cube(PyObject *Py_UNUSED(self), PyObject *arg)
{
    PyArrayObject *a = as_double(arg, 1);
    if (a == NULL) {
        return NULL;
    }
    npy_intp n = PyArray_DIM(a, 0);
    PyArrayObject *out = (PyArrayObject *)PyArray_SimpleNew(1, &n, NPY_DOUBLE);
    if (out == NULL) {
        Py_DECREF(a);
        return NULL;
    }
    const double *x = PyArray_DATA(a);
    double *y = PyArray_DATA(out);
    for (npy_intp i = 0; i < n; i++) {
        y[i] = x[i] * x[i] * x[i];
    }
    Py_DECREF(a);
    return (PyObject *)out;
}
/* ANCHOR_END: cube */

/* ANCHOR: cube_into */
/* cube_into(a, out): the twin of listing 5-2's cube_into_fast, with the
 * same checks: 1-D float64, aligned, contiguous, out writeable, same
 * length, no overlap. */
static PyObject *cube_into(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "cube_into(a, out) takes exactly 2 arguments");
        return NULL;
    }
    for (int k = 0; k < 2; k++) {
        if (!PyArray_Check(args[k]) || PyArray_TYPE((PyArrayObject *)args[k]) != NPY_DOUBLE ||
            PyArray_NDIM((PyArrayObject *)args[k]) != 1) {
            PyErr_SetString(PyExc_TypeError, "expected a 1-D float64 NumPy array");
            return NULL;
        }
    }
    PyArrayObject *a = (PyArrayObject *)args[0], *out = (PyArrayObject *)args[1];
    if (!PyArray_ISALIGNED(a) || !PyArray_ISALIGNED(out)) {
        PyErr_SetString(PyExc_ValueError, "array data is not aligned for its dtype");
        return NULL;
    }
    if (!PyArray_IS_C_CONTIGUOUS(a) || !PyArray_IS_C_CONTIGUOUS(out)) {
        PyErr_SetString(PyExc_ValueError, "cube_into needs contiguous arrays");
        return NULL;
    }
    if (!PyArray_ISWRITEABLE(out)) {
        PyErr_SetString(PyExc_ValueError, "out is read-only");
        return NULL;
    }
    npy_intp n = PyArray_DIM(a, 0);
    if (PyArray_DIM(out, 0) != n) {
        PyErr_Format(PyExc_ValueError, "out has %zd elements, a has %zd", (Py_ssize_t)PyArray_DIM(out, 0),
                     (Py_ssize_t)n);
        return NULL;
    }
    const double *x = PyArray_DATA(a);
    double *y = PyArray_DATA(out);
    if (n > 0 && x < y + n && y < x + n) {
        PyErr_SetString(PyExc_ValueError, "a and out overlap");
        return NULL;
    }
    for (npy_intp i = 0; i < n; i++) {
        y[i] = x[i] * x[i] * x[i];
    }
    Py_RETURN_NONE;
}
/* ANCHOR_END: cube_into */

static PyObject *cube_inplace(PyObject *Py_UNUSED(self), PyObject *arg)
{
    if (!PyArray_Check(arg) || PyArray_TYPE((PyArrayObject *)arg) != NPY_DOUBLE ||
        PyArray_NDIM((PyArrayObject *)arg) != 1) {
        PyErr_SetString(PyExc_TypeError, "expected a 1-D float64 NumPy array");
        return NULL;
    }
    PyArrayObject *a = (PyArrayObject *)arg;
    if (!PyArray_ISWRITEABLE(a)) {
        PyErr_SetString(PyExc_ValueError, "array is read-only");
        return NULL;
    }
    if (!PyArray_ISALIGNED(a)) {
        PyErr_SetString(PyExc_ValueError, "array data is not aligned for its dtype");
        return NULL;
    }
    /* Walk the strides: in place, a copy would be useless. */
    npy_intp n = PyArray_DIM(a, 0), s = PyArray_STRIDE(a, 0);
    char *p = PyArray_BYTES(a);
    for (npy_intp i = 0; i < n; i++, p += s) {
        /* Ctrl-C once per million elements, as in listing 5-2. */
        if (i % (1 << 20) == 0 && PyErr_CheckSignals() < 0) {
            return NULL;
        }
        double v = *(double *)p;
        *(double *)p = v * v * v;
    }
    Py_RETURN_NONE;
}

static PyObject *row_sums(PyObject *Py_UNUSED(self), PyObject *arg)
{
    PyArrayObject *a = as_double(arg, 2);
    if (a == NULL) {
        return NULL;
    }
    npy_intp h = PyArray_DIM(a, 0), w = PyArray_DIM(a, 1);
    PyArrayObject *out = (PyArrayObject *)PyArray_SimpleNew(1, &h, NPY_DOUBLE);
    if (out == NULL) {
        Py_DECREF(a);
        return NULL;
    }
    const double *x = PyArray_DATA(a);
    double *y = PyArray_DATA(out);
    npy_intp unchecked = 0;
    for (npy_intp i = 0; i < h; i++) {
        /* Ctrl-C once per million elements, as in listing 5-2. */
        unchecked += w;
        if (unchecked >= 1 << 20) {
            unchecked = 0;
            if (PyErr_CheckSignals() < 0) {
                Py_DECREF(a);
                Py_DECREF(out);
                return NULL;
            }
        }
        /* Four accumulators, as the Rust `sum` uses several. */
        const double *row = x + i * w;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        npy_intp j = 0;
        for (; j + 4 <= w; j += 4) {
            s0 += row[j];
            s1 += row[j + 1];
            s2 += row[j + 2];
            s3 += row[j + 3];
        }
        for (; j < w; j++) {
            s0 += row[j];
        }
        y[i] = (s0 + s1) + (s2 + s3);
    }
    Py_DECREF(a);
    return (PyObject *)out;
}

enum mode { REFLECT, MIRROR, NEAREST, CONSTANT };

/* The index in 0..n standing for position i, or -1 for the constant. */
static npy_intp source(npy_intp i, npy_intp n, enum mode mode)
{
    npy_intp p;
    switch (mode) {
    case REFLECT:
        p = ((i % (2 * n)) + 2 * n) % (2 * n);
        return p < n ? p : 2 * n - 1 - p;
    case MIRROR:
        if (n == 1) {
            return 0;
        }
        p = ((i % (2 * n - 2)) + 2 * n - 2) % (2 * n - 2);
        return p < n ? p : 2 * n - 2 - p;
    case NEAREST:
        return i < 0 ? 0 : (i >= n ? n - 1 : i);
    default:
        return (i >= 0 && i < n) ? i : -1;
    }
}

/* ANCHOR: filter_rows */
/* out[j] = (rows[0][j] + ... + rows[size - 1][j]) * scale for j < n, like
 * listing 5-2's sum_rows: one pass for size 3, blocks of BLOCK otherwise. */
static inline __attribute__((always_inline)) void
sum_rows_body(int size, const double *const *rows, double scale, double *restrict out, npy_intp n)
{
    if (size == 3) {
        const double *restrict a = rows[0], *restrict b = rows[1], *restrict c = rows[2];
        for (npy_intp j = 0; j < n; j++) {
            out[j] = (a[j] + b[j] + c[j]) * scale;
        }
        return;
    }
    enum { BLOCK = 256 };
    double acc[BLOCK];
    for (npy_intp k = 0; k < n; k += BLOCK) {
        npy_intp m = n - k < BLOCK ? n - k : BLOCK;
        const double *restrict a = rows[0] + k, *restrict b = rows[1] + k, *restrict c = rows[2] + k;
        for (npy_intp j = 0; j < m; j++) {
            acc[j] = a[j] + b[j] + c[j];
        }
        for (int t = 3; t < size - 2; t += 2) {
            const double *restrict d = rows[t] + k, *restrict e = rows[t + 1] + k;
            for (npy_intp j = 0; j < m; j++) {
                acc[j] += d[j] + e[j];
            }
        }
        const double *restrict d = rows[size - 2] + k, *restrict e = rows[size - 1] + k;
        for (npy_intp j = 0; j < m; j++) {
            out[k + j] = (acc[j] + d[j] + e[j]) * scale;
        }
    }
}

/* ANCHOR: dispatch */
/* Set by _uniform_filter_baseline for the call it makes on this thread. */
static _Thread_local int force_baseline;

#if defined(__x86_64__) && defined(__GNUC__)
/* The same body compiled for CPUs with AVX2, as listing 5-2 does; no FMA,
 * so the results equal the baseline's bit for bit. */
__attribute__((target("avx2"))) static void
sum_rows_avx2(int size, const double *const *rows, double scale, double *restrict out, npy_intp n)
{
    sum_rows_body(size, rows, scale, out, n);
}
#endif

static void sum_rows(int size, const double *const *rows, double scale, double *restrict out,
                     npy_intp n)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (!force_baseline && __builtin_cpu_supports("avx2")) {
        sum_rows_avx2(size, rows, scale, out, n);
        return;
    }
#endif
    sum_rows_body(size, rows, scale, out, n);
}
/* ANCHOR_END: dispatch */

/* The window sum around column j of row x, padded by the mode. */
static double edge_sum(const double *x, npy_intp w, int size, enum mode mode, double cval, npy_intp j)
{
    npy_intp r = size / 2, q = source(j - r, w, mode);
    double s = q >= 0 ? x[q] : cval;
    for (int t = 1; t < size; t++) {
        q = source(j + t - r, w, mode);
        s += q >= 0 ? x[q] : cval;
    }
    return s;
}

/* The horizontal window sums of row x (w samples) for the columns
 * start..end, into out[0..end - start]; `rows` has room for size pointers. */
static void hsum(const double *x, npy_intp w, int size, enum mode mode, double cval,
                 npy_intp start, npy_intp end, const double **rows, double *out)
{
    npy_intp r = size / 2;
    npy_intp lo = start > r ? start : r, hi = end < w - r ? end : w - r;
    if (lo < hi) {
        for (int t = 0; t < size; t++) {
            rows[t] = x + lo - r + t;
        }
        sum_rows(size, rows, 1.0, out + lo - start, hi - lo);
    }
    /* The at most 2r columns near the edges, one sample at a time. */
    npy_intp left_end = end < r ? end : r, right_start = w - r > r ? w - r : r;
    left_end = left_end < w ? left_end : w;
    right_start = right_start > start ? right_start : start;
    for (npy_intp j = start; j < left_end; j++) {
        out[j - start] = edge_sum(x, w, size, mode, cval, j);
    }
    for (npy_intp j = right_start; j < end; j++) {
        out[j - start] = edge_sum(x, w, size, mode, cval, j);
    }
}

enum { COLS = 128 };

/* Output rows first..first + nrows of the filter of x (h x w, w > 0),
 * with listing 5-2's ring of horizontal sums: `sums` holds slots + 1 rows
 * of w (the last one the constant row), held[q] the input row in slot q,
 * slot_of and missing room for size entries (missing: 2 * size). */
static void filter_rows(const double *x, npy_intp h, npy_intp w, npy_intp first, npy_intp nrows,
                        int size, enum mode mode, double cval, double *sums, npy_intp *held,
                        npy_intp slots, npy_intp *slot_of, npy_intp *missing, const double **rows,
                        double *out)
{
    npy_intp r = size / 2;
    double scale = 1.0 / ((double)size * size);
    for (npy_intp k = 0; k < nrows; k++) {
        npy_intp i = first + k, nmissing = 0;
        for (int t = 0; t < size; t++) {
            npy_intp s = source(i + t - r, h, mode);
            if (s < 0) {
                slot_of[t] = slots; /* the constant row */
                continue;
            }
            npy_intp q = s % slots;
            if (held[q] != s) {
                held[q] = s;
                missing[2 * nmissing] = s;
                missing[2 * nmissing + 1] = q;
                nmissing++;
            }
            slot_of[t] = q;
        }
        /* All missing rows but the last at once; the last block by block,
         * each block followed by that block of the output row. */
        for (npy_intp m = 0; m + 1 < nmissing; m++) {
            npy_intp s = missing[2 * m], q = missing[2 * m + 1];
            hsum(x + s * w, w, size, mode, cval, 0, w, rows, sums + q * w);
        }
        double *row = out + k * w;
        for (npy_intp start = 0; start < w; start += COLS) {
            npy_intp end = start + COLS < w ? start + COLS : w;
            if (nmissing > 0) {
                npy_intp s = missing[2 * (nmissing - 1)], q = missing[2 * (nmissing - 1) + 1];
                hsum(x + s * w, w, size, mode, cval, start, end, rows, sums + q * w + start);
            }
            for (int t = 0; t < size; t++) {
                rows[t] = sums + slot_of[t] * w + start;
            }
            sum_rows(size, rows, scale, row + start, end - start);
        }
    }
}
/* ANCHOR_END: filter_rows */

static PyObject *uniform_filter(PyObject *Py_UNUSED(self), PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"a", "size", "mode", "cval", NULL};
    PyObject *obj;
    int size = 3;
    const char *mode_name = "reflect";
    double cval = 0.0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|isd", kwlist, &obj, &size, &mode_name, &cval)) {
        return NULL;
    }
    enum mode mode;
    if (strcmp(mode_name, "reflect") == 0) {
        mode = REFLECT;
    } else if (strcmp(mode_name, "mirror") == 0) {
        mode = MIRROR;
    } else if (strcmp(mode_name, "nearest") == 0) {
        mode = NEAREST;
    } else if (strcmp(mode_name, "constant") == 0) {
        mode = CONSTANT;
    } else {
        PyErr_Format(PyExc_ValueError, "unknown mode %s", mode_name);
        return NULL;
    }
    if (size < 3 || size % 2 == 0 || size > 1000001) {
        PyErr_Format(PyExc_ValueError, "size must be odd, at least 3 and at most 1000001, got %d", size);
        return NULL;
    }
    PyArrayObject *a = as_double(obj, 2);
    if (a == NULL) {
        return NULL;
    }
    npy_intp h = PyArray_DIM(a, 0), w = PyArray_DIM(a, 1), dims[2] = {h, w};
    PyArrayObject *out = (PyArrayObject *)PyArray_SimpleNew(2, dims, NPY_DOUBLE);
    if (out == NULL || h == 0 || w == 0) {
        Py_DECREF(a);
        return (PyObject *)out;
    }
    npy_intp slots = size < h ? size : h;
    double *sums = PyMem_Malloc((slots + 1) * w * sizeof(double));
    npy_intp *idx = PyMem_Malloc((slots + 3 * (npy_intp)size) * sizeof(npy_intp));
    const double **rows = PyMem_Malloc(size * sizeof(*rows));
    if (sums == NULL || idx == NULL || rows == NULL) {
        Py_DECREF(a);
        Py_DECREF(out);
        PyMem_Free(sums);
        PyMem_Free(idx);
        PyMem_Free(rows);
        return PyErr_NoMemory();
    }
    npy_intp *held = idx, *slot_of = idx + slots, *missing = idx + slots + size;
    for (npy_intp q = 0; q < slots; q++) {
        held[q] = -1;
    }
    for (npy_intp j = 0; j < w; j++) {
        sums[slots * w + j] = cval * size; /* a row outside the array */
    }
    /* Bands of rows of about a million additions each (a row costs about
     * size * w), with a check for Ctrl-C before each, as in listing 5-2. */
    npy_intp band = (1 << 20) / ((npy_intp)size * w);
    band = band > 0 ? band : 1;
    int interrupted = 0;
    for (npy_intp first = 0; first < h && !interrupted; first += band) {
        interrupted = PyErr_CheckSignals() < 0;
        if (!interrupted) {
            filter_rows(PyArray_DATA(a), h, w, first, first + band < h ? band : h - first, size, mode,
                        cval, sums, held, slots, slot_of, missing, rows,
                        (double *)PyArray_DATA(out) + first * w);
        }
    }
    PyMem_Free(sums);
    PyMem_Free(idx);
    PyMem_Free(rows);
    Py_DECREF(a);
    if (interrupted) {
        Py_DECREF(out);
        return NULL;
    }
    return (PyObject *)out;
}

/* uniform_filter with the baseline (SSE2) code whatever the CPU has. */
static PyObject *uniform_filter_baseline(PyObject *self, PyObject *args, PyObject *kwargs)
{
    force_baseline = 1;
    PyObject *out = uniform_filter(self, args, kwargs);
    force_baseline = 0;
    return out;
}

static PyMethodDef methods[] = {
    {"cube", cube, METH_O, "cube(a, /) -> a**3 as a new float64 array."},
    {"cube_into", (PyCFunction)(void (*)(void))cube_into, METH_FASTCALL,
     "cube_into(a, out, /) writes a**3 into out (both 1-D float64, contiguous, not overlapping)."},
    {"cube_inplace", cube_inplace, METH_O, "cube_inplace(a, /) cubes a 1-D float64 array in place."},
    {"row_sums", row_sums, METH_O, "row_sums(m, /) -> m.sum(axis=1) for a 2-D float64 array."},
    {"uniform_filter", (PyCFunction)(void (*)(void))uniform_filter, METH_VARARGS | METH_KEYWORDS,
     "uniform_filter(a, size=3, mode='reflect', cval=0.0) -> the size x size mean."},
    {"_uniform_filter_baseline", (PyCFunction)(void (*)(void))uniform_filter_baseline,
     METH_VARARGS | METH_KEYWORDS, "uniform_filter with the baseline x86-64 code (for tests)."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "ccookbook",
    .m_doc = "The C twins of listing 5-2's kernels.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit_ccookbook(void)
{
    import_array();
    return PyModule_Create(&module);
}
