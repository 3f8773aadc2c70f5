/* Listing 12-1: cgridhist._core, the C core of a small package that counts
 * points on regular grids. Written for this book the way NumPy C extensions
 * are written: arguments parsed by PyArg_ParseTuple (positional only), any
 * array-like converted by PyArray_FROM_O, one NpyIter over every input
 * (broadcast together, cast to float64 by NumPy's "safe" rule, buffered),
 * the GIL released while it counts, and every error through one `fail:`
 * label. The idea, a histogram over NpyIter, is the one of Thomas
 * Robitaille's fast-histogram; the code is this book's. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_2_0_API_VERSION
#include <numpy/arrayobject.h>
#include <math.h>

/* At most this many coordinate arrays (the grid's dimensions). */
#define MAX_COORDS 32

// ANCHOR: grid
/* The grid's checks, shared by both functions: `bins` bins over [lo, hi). */
static int
check_grid(Py_ssize_t bins, double lo, double hi, double *norm)
{
    if (bins <= 0) {
        PyErr_Format(PyExc_ValueError, "bins must be positive, got %zd", bins);
        return -1;
    }
    if (!(lo < hi) || !isfinite(hi - lo)) {
        PyErr_SetString(PyExc_ValueError,
                        "the range must be finite, with lo < hi");
        return -1;
    }
    *norm = (double)bins / (hi - lo);
    if (!isfinite(*norm)) {
        PyErr_SetString(PyExc_ValueError, "the range is too narrow for the bins");
        return -1;
    }
    return 0;
}

/* The bin of v, for lo <= v < hi: rounding can give `bins` just below hi. */
static inline npy_intp
bin_of(double v, double lo, double norm, npy_intp bins)
{
    npy_intp i = (npy_intp)((v - lo) * norm);
    return i < bins ? i : bins - 1;
}
// ANCHOR_END: grid

// ANCHOR: iter
/* One buffered iterator over all the operands, each read as float64: NumPy
 * broadcasts them, refuses a dtype that does not cast safely, and copies
 * into aligned native-order buffers whatever needs it. */
static NpyIter *
float64_iter(int nop, PyArrayObject **op)
{
    npy_uint32 op_flags[MAX_COORDS + 1];
    PyArray_Descr *op_dtypes[MAX_COORDS + 1];
    PyArray_Descr *f64 = PyArray_DescrFromType(NPY_DOUBLE);
    for (int i = 0; i < nop; i++) {
        op_flags[i] = NPY_ITER_READONLY | NPY_ITER_ALIGNED | NPY_ITER_NBO;
        op_dtypes[i] = f64;
    }
    NpyIter *iter = NpyIter_MultiNew(
        nop, op,
        NPY_ITER_EXTERNAL_LOOP | NPY_ITER_BUFFERED | NPY_ITER_GROWINNER |
            NPY_ITER_ZEROSIZE_OK | NPY_ITER_REFS_OK,
        NPY_KEEPORDER, NPY_SAFE_CASTING, op_flags, op_dtypes);
    Py_DECREF(f64);
    return iter;
}
// ANCHOR_END: iter

// ANCHOR: hist1d
static PyObject *
hist1d(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *x_obj, *w_obj;
    Py_ssize_t bins;
    double lo, hi, norm;
    PyArrayObject *op[2] = {NULL, NULL};
    PyArrayObject *result = NULL;
    NpyIter *iter = NULL;

    if (!PyArg_ParseTuple(args, "OOndd:_hist1d", &x_obj, &w_obj, &bins, &lo, &hi)) {
        return NULL;
    }
    if (check_grid(bins, lo, hi, &norm) < 0) {
        return NULL;
    }
    int nop = w_obj == Py_None ? 1 : 2;
    op[0] = (PyArrayObject *)PyArray_FROM_O(x_obj);
    if (op[0] == NULL) {
        goto fail;
    }
    if (nop == 2 && (op[1] = (PyArrayObject *)PyArray_FROM_O(w_obj)) == NULL) {
        goto fail;
    }
    iter = float64_iter(nop, op);
    if (iter == NULL) {
        goto fail;
    }
    result = (PyArrayObject *)PyArray_ZEROS(1, &bins, NPY_DOUBLE, 0);
    if (result == NULL) {
        goto fail;
    }
    if (NpyIter_GetIterSize(iter) > 0) {
        NpyIter_IterNextFunc *iternext = NpyIter_GetIterNext(iter, NULL);
        if (iternext == NULL) {
            goto fail;
        }
        char **data = NpyIter_GetDataPtrArray(iter);
        npy_intp *strides = NpyIter_GetInnerStrideArray(iter);
        npy_intp *size = NpyIter_GetInnerLoopSizePtr(iter);
        double *counts = (double *)PyArray_DATA(result);
        NPY_BEGIN_THREADS_DEF;
        if (!NpyIter_IterationNeedsAPI(iter)) {
            NPY_BEGIN_THREADS_THRESHOLDED(NpyIter_GetIterSize(iter));
        }
        do {
            char *x = data[0];
            npy_intp n = *size, sx = strides[0];
            if (nop == 1) {
                for (npy_intp i = 0; i < n; i++, x += sx) {
                    double v = *(double *)x;
                    if (v >= lo && v < hi) {
                        counts[bin_of(v, lo, norm, bins)] += 1.0;
                    }
                }
            }
            else {
                char *w = data[1];
                npy_intp sw = strides[1];
                for (npy_intp i = 0; i < n; i++, x += sx, w += sw) {
                    double v = *(double *)x;
                    if (v >= lo && v < hi) {
                        counts[bin_of(v, lo, norm, bins)] += *(double *)w;
                    }
                }
            }
        } while (iternext(iter));
        NPY_END_THREADS;
    }
    if (NpyIter_Deallocate(iter) != NPY_SUCCEED) {
        iter = NULL;
        goto fail;
    }
    Py_DECREF(op[0]);
    Py_XDECREF(op[1]);
    return (PyObject *)result;

fail:
    if (iter != NULL) {
        NpyIter_Deallocate(iter);
    }
    Py_XDECREF(op[0]);
    Py_XDECREF(op[1]);
    Py_XDECREF(result);
    return NULL;
}
// ANCHOR_END: hist1d

// ANCHOR: histdd
static PyObject *
histdd(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *coords_obj, *w_obj, *seq = NULL;
    Py_ssize_t bins;
    double lo, hi, norm;
    PyArrayObject *op[MAX_COORDS + 1] = {NULL};
    PyArrayObject *result = NULL;
    NpyIter *iter = NULL;
    int k = 0, nop = 0;

    if (!PyArg_ParseTuple(args, "OOndd:_histdd", &coords_obj, &w_obj, &bins, &lo, &hi)) {
        return NULL;
    }
    if (check_grid(bins, lo, hi, &norm) < 0) {
        return NULL;
    }
    seq = PySequence_Fast(coords_obj, "coords must be a sequence of arrays");
    if (seq == NULL) {
        return NULL;
    }
    Py_ssize_t ncoords = PySequence_Fast_GET_SIZE(seq);
    if (ncoords < 1 || ncoords > MAX_COORDS) {
        PyErr_Format(PyExc_ValueError,
                     "coords must hold 1 to %d arrays, got %zd", MAX_COORDS, ncoords);
        goto fail;
    }
    k = (int)ncoords;
    for (nop = 0; nop < k; nop++) {
        op[nop] = (PyArrayObject *)PyArray_FROM_O(PySequence_Fast_GET_ITEM(seq, nop));
        if (op[nop] == NULL) {
            goto fail;
        }
    }
    if (w_obj != Py_None) {
        if ((op[k] = (PyArrayObject *)PyArray_FROM_O(w_obj)) == NULL) {
            goto fail;
        }
        nop = k + 1;
    }
    iter = float64_iter(nop, op);
    if (iter == NULL) {
        goto fail;
    }
    npy_intp dims[MAX_COORDS];
    for (int d = 0; d < k; d++) {
        dims[d] = bins;
    }
    result = (PyArrayObject *)PyArray_ZEROS(k, dims, NPY_DOUBLE, 0);
    if (result == NULL) {
        goto fail;
    }
    if (NpyIter_GetIterSize(iter) > 0) {
        NpyIter_IterNextFunc *iternext = NpyIter_GetIterNext(iter, NULL);
        if (iternext == NULL) {
            goto fail;
        }
        char **data = NpyIter_GetDataPtrArray(iter);
        npy_intp *strides = NpyIter_GetInnerStrideArray(iter);
        npy_intp *size = NpyIter_GetInnerLoopSizePtr(iter);
        double *counts = (double *)PyArray_DATA(result);
        NPY_BEGIN_THREADS_DEF;
        if (!NpyIter_IterationNeedsAPI(iter)) {
            NPY_BEGIN_THREADS_THRESHOLDED(NpyIter_GetIterSize(iter));
        }
        do {
            npy_intp n = *size;
            for (npy_intp i = 0; i < n; i++) {
                npy_intp flat = 0;
                int d;
                for (d = 0; d < k; d++) {
                    double v = *(double *)(data[d] + i * strides[d]);
                    if (!(v >= lo && v < hi)) {
                        break;
                    }
                    flat = flat * bins + bin_of(v, lo, norm, bins);
                }
                if (d == k) {
                    counts[flat] += nop > k ? *(double *)(data[k] + i * strides[k]) : 1.0;
                }
            }
        } while (iternext(iter));
        NPY_END_THREADS;
    }
    if (NpyIter_Deallocate(iter) != NPY_SUCCEED) {
        iter = NULL;
        goto fail;
    }
    for (int i = 0; i < nop; i++) {
        Py_DECREF(op[i]);
    }
    Py_DECREF(seq);
    return (PyObject *)result;

fail:
    if (iter != NULL) {
        NpyIter_Deallocate(iter);
    }
    for (int i = 0; i <= MAX_COORDS; i++) {
        Py_XDECREF(op[i]);
    }
    Py_XDECREF(seq);
    Py_XDECREF(result);
    return NULL;
}
// ANCHOR_END: histdd

static PyMethodDef methods[] = {
    {"_hist1d", hist1d, METH_VARARGS,
     "_hist1d(x, weights, bins, lo, hi, /)\n--\n\n"
     "Counts (or summed weights) of x in `bins` equal bins over [lo, hi)."},
    {"_histdd", histdd, METH_VARARGS,
     "_histdd(coords, weights, bins, lo, hi, /)\n--\n\n"
     "Counts (or summed weights) of points on a grid of bins**len(coords) "
     "cells over [lo, hi) on every axis."},
    {NULL, NULL, 0, NULL},
};

static int
core_exec(PyObject *Py_UNUSED(module))
{
    import_array1(-1);
    return 0;
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, core_exec},
#ifdef Py_GIL_DISABLED
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "cgridhist._core",
    .m_doc = "The C core of cgridhist: counts of points on regular grids.",
    .m_size = 0,
    .m_methods = methods,
    .m_slots = slots,
};

PyMODINIT_FUNC
PyInit__core(void)
{
    return PyModuleDef_Init(&core_module);
}
