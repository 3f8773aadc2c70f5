/* extmodule.h: shared by every C file of the _extmodule extension. */
#ifndef EXTMODULE_H
#define EXTMODULE_H

/* Python.h must come before any system header. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Refuse NumPy API that was deprecated before NumPy 2.0. */
#define NPY_NO_DEPRECATED_API NPY_2_0_API_VERSION

/* NumPy's C API is a table of function pointers that import_array() fetches
 * at run time. Every file of one extension must share one copy of that
 * table: PY_ARRAY_UNIQUE_SYMBOL names it, and every file except the one
 * that calls import_array() defines NO_IMPORT_ARRAY so that it only
 * declares the table instead of defining a second, empty one. */
#define PY_ARRAY_UNIQUE_SYMBOL extmodule_ARRAY_API
#if !defined(EXTMODULE_IMPORT_ARRAY)
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

/* Defined in extmodule.c, raised in mean.c. */
extern PyObject *FooError;

PyObject *Ext_Mean(PyObject *self, PyObject *arg);

#endif /* EXTMODULE_H */
