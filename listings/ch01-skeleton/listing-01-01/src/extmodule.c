/* extmodule.c: the module definition; the only file that calls import_array(). */
#define EXTMODULE_IMPORT_ARRAY
#include "extmodule.h"
#undef EXTMODULE_IMPORT_ARRAY

PyObject *FooError = NULL;

static PyObject *Ext_Foo(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(ignored))
{
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"foo", Ext_Foo, METH_NOARGS, "Does nothing and returns None."},
    {"mean", Ext_Mean, METH_O, "The mean of a 1-D float64 array; FooError if it is empty."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef extmodule = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_extmodule",
    .m_doc = "The 2006 SciPy Cookbook skeleton, modernised for Python 3.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__extmodule(void)
{
    /* Fetches NumPy's _ARRAY_API capsule; on failure it sets an
     * ImportError and returns NULL from this function. */
    import_array();

    PyObject *m = PyModule_Create(&extmodule);
    if (m == NULL) {
        return NULL;
    }
    FooError = PyErr_NewException("_extmodule.FooError", NULL, NULL);
    /* PyModule_AddObjectRef (3.10+) does not steal the reference: the module
     * holds one, and the global FooError keeps its own. */
    if (FooError == NULL || PyModule_AddObjectRef(m, "FooError", FooError) < 0) {
        Py_XDECREF(FooError);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
