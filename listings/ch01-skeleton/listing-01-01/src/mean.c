/* mean.c: a function that takes a NumPy array. It uses the NumPy C API
 * through the table that extmodule.c imported (NO_IMPORT_ARRAY is set). */
#include <string.h>
#include "extmodule.h"

PyObject *Ext_Mean(PyObject *Py_UNUSED(self), PyObject *arg)
{
    if (!PyArray_Check(arg)) {
        return PyErr_Format(PyExc_TypeError, "expected a numpy.ndarray, got %s",
                            Py_TYPE(arg)->tp_name);
    }
    PyArrayObject *a = (PyArrayObject *)arg;
    if (PyArray_TYPE(a) != NPY_DOUBLE) {
        return PyErr_Format(PyExc_TypeError, "expected a float64 array, got %s",
                            PyArray_DESCR(a)->typeobj->tp_name);
    }
    if (PyArray_NDIM(a) != 1) {
        return PyErr_Format(PyExc_TypeError, "expected a 1-D array, got %d-D",
                            PyArray_NDIM(a));
    }
    npy_intp n = PyArray_DIM(a, 0);
    if (n == 0) {
        PyErr_SetString(FooError, "mean of an empty array");
        return NULL;
    }
    /* Walk the strides: works for views like a[::2] without a copy.
     * memcpy reads a double from any address, aligned or not. */
    const char *p = PyArray_BYTES(a);
    npy_intp stride = PyArray_STRIDE(a, 0);
    double sum = 0.0;
    for (npy_intp i = 0; i < n; i++) {
        /* Every million elements, let Python handle Ctrl-C (chapter 8). */
        if (i % (1 << 20) == 0 && PyErr_CheckSignals() < 0) {
            return NULL;
        }
        double x;
        memcpy(&x, p + i * stride, sizeof x);
        sum += x;
    }
    return PyFloat_FromDouble(sum / (double)n);
}
