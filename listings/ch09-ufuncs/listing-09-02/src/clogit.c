/* Listing 9-2: the logit ufunc of NumPy's "Writing your own ufunc" tutorial,
 * modernised (multi-phase initialisation, PyModule_AddObjectRef, the
 * Py_mod_gil slot): the C twin of listing 9-1. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_2_0_API_VERSION
#include <numpy/ndarraytypes.h>
#include <numpy/ufuncobject.h>
#include <math.h>

// ANCHOR: loops
/* One inner loop per type: n elements, each operand at its own byte step. */
static void
float_logit(char **args, const npy_intp *dimensions, const npy_intp *steps,
            void *data)
{
    (void)data;
    npy_intp n = dimensions[0];
    char *in = args[0], *out = args[1];
    npy_intp in_step = steps[0], out_step = steps[1];

    for (npy_intp i = 0; i < n; i++) {
        float p = *(float *)in;
        *(float *)out = logf(p / (1.0f - p));
        in += in_step;
        out += out_step;
    }
}

static void
double_logit(char **args, const npy_intp *dimensions, const npy_intp *steps,
             void *data)
{
    (void)data;
    npy_intp n = dimensions[0];
    char *in = args[0], *out = args[1];
    npy_intp in_step = steps[0], out_step = steps[1];

    for (npy_intp i = 0; i < n; i++) {
        double p = *(double *)in;
        *(double *)out = log(p / (1.0 - p));
        in += in_step;
        out += out_step;
    }
}
// ANCHOR_END: loops

// ANCHOR: register
/* Static: NumPy keeps pointers to these for the life of the ufunc. */
static PyUFuncGenericFunction funcs[] = {&float_logit, &double_logit};
static void *data[] = {NULL, NULL};
static const char types[] = {NPY_FLOAT, NPY_FLOAT, NPY_DOUBLE, NPY_DOUBLE};

static int
clogit_exec(PyObject *module)
{
    import_array1(-1);
    import_umath1(-1);
    PyObject *logit = PyUFunc_FromFuncAndData(
        funcs, data, (char *)types, 2, 1, 1, PyUFunc_None, "logit",
        "logit(p) = log(p / (1 - p)), elementwise; C inner loops for "
        "float32 and float64.", 0);
    if (logit == NULL) {
        return -1;
    }
    int rc = PyModule_AddObjectRef(module, "logit", logit);
    Py_DECREF(logit);
    return rc;
}
// ANCHOR_END: register

static PyModuleDef_Slot clogit_slots[] = {
    {Py_mod_exec, clogit_exec},
#ifdef Py_GIL_DISABLED
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef clogit_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "clogit",
    .m_doc = "The logit ufunc of NumPy's tutorial, modernised.",
    .m_size = 0,
    .m_slots = clogit_slots,
};

PyMODINIT_FUNC
PyInit_clogit(void)
{
    return PyModuleDef_Init(&clogit_module);
}
