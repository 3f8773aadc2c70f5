/* ANCHOR: all */
/* ckernels.c, listing 13-5: the C twins of listing 13-4 (ewma, the Morlet
 * wavelet, the histogram), written as listing 5-3 writes C: PyArray_FROM_OTF
 * makes an aligned, C-contiguous float64 copy of an input that is not one,
 * then a plain loop runs, with the GIL released. The histogram walks the
 * strides itself instead, with a check for Ctrl-C every 2**20 elements. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_2_0_API_VERSION
#include <numpy/arrayobject.h>
#include <math.h>

/* A new reference to `obj` as an aligned, C-contiguous 1-D float64 array,
 * or NULL with an exception set. */
static PyArrayObject *as_vector(PyObject *obj)
{
    if (!PyArray_Check(obj) || PyArray_TYPE((PyArrayObject *)obj) != NPY_DOUBLE) {
        PyErr_SetString(PyExc_TypeError, "expected a float64 NumPy array");
        return NULL;
    }
    if (PyArray_NDIM((PyArrayObject *)obj) != 1) {
        PyErr_Format(PyExc_ValueError, "expected a 1-D array, got %d-D", PyArray_NDIM((PyArrayObject *)obj));
        return NULL;
    }
    return (PyArrayObject *)PyArray_FROM_OTF(obj, NPY_DOUBLE, NPY_ARRAY_IN_ARRAY);
}

/* ANCHOR: ewma */
static PyObject *ewma(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *obj;
    double alpha;
    if (!PyArg_ParseTuple(args, "Od:ewma", &obj, &alpha)) {
        return NULL;
    }
    if (!(alpha > 0.0 && alpha <= 1.0)) {
        PyErr_Format(PyExc_ValueError, "alpha must be in (0, 1], got %R", PyTuple_GET_ITEM(args, 1));
        return NULL;
    }
    PyArrayObject *a = as_vector(obj);
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
    Py_BEGIN_ALLOW_THREADS
    double prev = n > 0 ? x[0] : 0.0;
    for (npy_intp i = 0; i < n; i++) {
        prev = i == 0 ? x[0] : alpha * x[i] + (1.0 - alpha) * prev;
        y[i] = prev;
    }
    Py_END_ALLOW_THREADS
    Py_DECREF(a);
    return (PyObject *)out;
}
/* ANCHOR_END: ewma */

/* ANCHOR: morlet */
static PyObject *morlet(PyObject *Py_UNUSED(self), PyObject *arg)
{
    PyArrayObject *a = as_vector(arg);
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
    Py_BEGIN_ALLOW_THREADS
    for (npy_intp i = 0; i < n; i++) {
        y[i] = cos(5.0 * x[i]) * exp(-0.5 * x[i] * x[i]);
    }
    Py_END_ALLOW_THREADS
    Py_DECREF(a);
    return (PyObject *)out;
}
/* ANCHOR_END: morlet */

/* ANCHOR: histogram */
static PyObject *histogram(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *obj;
    Py_ssize_t nbins;
    double lo, hi;
    if (!PyArg_ParseTuple(args, "Ondd:histogram", &obj, &nbins, &lo, &hi)) {
        return NULL;
    }
    if (nbins < 1) {
        PyErr_Format(PyExc_ValueError, "nbins must be at least 1, got %zd", nbins);
        return NULL;
    }
    if (!(isfinite(lo) && isfinite(hi) && lo < hi)) {
        PyErr_Format(PyExc_ValueError, "lo and hi must be finite, with lo < hi, got %R and %R",
                     PyTuple_GET_ITEM(args, 2), PyTuple_GET_ITEM(args, 3));
        return NULL;
    }
    if (!PyArray_Check(obj) || PyArray_TYPE((PyArrayObject *)obj) != NPY_DOUBLE ||
        PyArray_NDIM((PyArrayObject *)obj) != 1) {
        PyErr_SetString(PyExc_TypeError, "expected a 1-D float64 NumPy array");
        return NULL;
    }
    PyArrayObject *a = (PyArrayObject *)obj;
    if (!PyArray_ISALIGNED(a)) {
        PyErr_SetString(PyExc_ValueError, "array data is not aligned for its dtype");
        return NULL;
    }
    npy_intp dims = nbins;
    PyArrayObject *counts = (PyArrayObject *)PyArray_ZEROS(1, &dims, NPY_INT64, 0);
    if (counts == NULL) {
        return NULL;
    }
    npy_int64 *c = PyArray_DATA(counts);
    const double scale = (double)nbins / (hi - lo);
    /* Walk the strides: a copy of a huge view would not fit in memory. */
    npy_intp n = PyArray_DIM(a, 0), s = PyArray_STRIDE(a, 0);
    const char *p = PyArray_BYTES(a);
    for (npy_intp i = 0; i < n; i++, p += s) {
        if (i % (1 << 20) == 0 && PyErr_CheckSignals() < 0) {
            Py_DECREF(counts);
            return NULL;
        }
        double v = *(const double *)p;
        if (v >= lo && v <= hi) {
            npy_intp k = (npy_intp)((v - lo) * scale);
            c[k < nbins ? k : nbins - 1] += 1;
        }
    }
    return (PyObject *)counts;
}
/* ANCHOR_END: histogram */

static PyMethodDef methods[] = {
    {"ewma", ewma, METH_VARARGS, "ewma(x, alpha, /) -> the exponentially weighted moving average."},
    {"morlet", morlet, METH_O, "morlet(x, /) -> cos(5x) exp(-x**2/2)."},
    {"histogram", histogram, METH_VARARGS, "histogram(x, nbins, lo, hi, /) -> counts in nbins equal bins."},
    {NULL, NULL, 0, NULL}};

static int ckernels_exec(PyObject *Py_UNUSED(m))
{
    import_array1(-1);
    return 0;
}

/* No state of its own: safe without a GIL on free-threaded CPython. */
static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, ckernels_exec},
#ifdef Py_GIL_DISABLED
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "ckernels",
    .m_doc = "The C twins of listing 13-4's kernels.",
    .m_methods = methods,
    .m_slots = slots,
};

PyMODINIT_FUNC PyInit_ckernels(void)
{
    return PyModuleDef_Init(&module);
}
/* ANCHOR_END: all */
