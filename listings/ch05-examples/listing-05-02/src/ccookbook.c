/* ccookbook.c: the C twins of listing 5-1's main kernels, written the way
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
    for (npy_intp i = 0; i < h; i++) {
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

/* ANCHOR: filter_row */
/* Output row i: the rows around i added as whole rows (axis 0), then the
 * padded result added as shifted rows (axis 1), like listing 5-1.
 * scratch holds 2 * w + size - 1 doubles, rows `size` pointers. */
static void filter_row(const double *x, npy_intp h, npy_intp w, npy_intp i, int size,
                       enum mode mode, double cval, double *scratch, const double **rows,
                       double *out)
{
    int r = size / 2;
    double inv = 1.0 / size;
    double *acc = scratch, *mid = scratch + r, *constant_row = scratch + w + 2 * r;
    if (mode == CONSTANT && (i < r || i + r >= h)) {
        for (npy_intp j = 0; j < w; j++) {
            constant_row[j] = cval;
        }
    }
    for (int t = 0; t < size; t++) {
        npy_intp s = source(i + t - r, h, mode);
        rows[t] = s >= 0 ? x + s * w : constant_row;
    }
    for (npy_intp j = 0; j < w; j++) {
        mid[j] = rows[0][j] + rows[1][j];
    }
    for (int t = 2; t < size - 1; t++) {
        for (npy_intp j = 0; j < w; j++) {
            mid[j] += rows[t][j];
        }
    }
    for (npy_intp j = 0; j < w; j++) {
        mid[j] = (mid[j] + rows[size - 1][j]) * inv;
    }
    for (npy_intp j = 0; j < r; j++) {
        npy_intp s = source(j - r, w, mode);
        acc[j] = s >= 0 ? mid[s] : cval;
        s = source(w + j, w, mode);
        acc[r + w + j] = s >= 0 ? mid[s] : cval;
    }
    for (npy_intp j = 0; j < w; j++) {
        out[j] = acc[j] + acc[j + 1];
    }
    for (int t = 2; t < size - 1; t++) {
        for (npy_intp j = 0; j < w; j++) {
            out[j] += acc[t + j];
        }
    }
    for (npy_intp j = 0; j < w; j++) {
        out[j] = (out[j] + acc[size - 1 + j]) * inv;
    }
}
/* ANCHOR_END: filter_row */

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
    npy_intp dims[2] = {PyArray_DIM(a, 0), PyArray_DIM(a, 1)};
    PyArrayObject *out = (PyArrayObject *)PyArray_SimpleNew(2, dims, NPY_DOUBLE);
    double *acc = PyMem_Malloc((2 * dims[1] + size) * sizeof(double));
    const double **rows = PyMem_Malloc(size * sizeof(*rows));
    if (out == NULL || acc == NULL || rows == NULL) {
        Py_DECREF(a);
        Py_XDECREF(out);
        PyMem_Free(acc);
        PyMem_Free(rows);
        return PyErr_NoMemory();
    }
    const double *x = PyArray_DATA(a);
    double *y = PyArray_DATA(out);
    if (dims[1] > 0) {
        for (npy_intp i = 0; i < dims[0]; i++) {
            filter_row(x, dims[0], dims[1], i, size, mode, cval, acc, rows, y + i * dims[1]);
        }
    }
    PyMem_Free(acc);
    PyMem_Free(rows);
    Py_DECREF(a);
    return (PyObject *)out;
}

static PyMethodDef methods[] = {
    {"cube", cube, METH_O, "cube(a, /) -> a**3 as a new float64 array."},
    {"cube_inplace", cube_inplace, METH_O, "cube_inplace(a, /) cubes a 1-D float64 array in place."},
    {"row_sums", row_sums, METH_O, "row_sums(m, /) -> m.sum(axis=1) for a 2-D float64 array."},
    {"uniform_filter", (PyCFunction)(void (*)(void))uniform_filter, METH_VARARGS | METH_KEYWORDS,
     "uniform_filter(a, size=3, mode='reflect', cval=0.0) -> the size x size mean."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "ccookbook",
    .m_doc = "The C twins of listing 5-1's kernels.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit_ccookbook(void)
{
    import_array();
    return PyModule_Create(&module);
}
