/* colcumsum.c: a MATLAB MEX function, the way such code is usually written.
 * C = colcumsum(A) returns the cumulative sum down each column of the
 * double matrix A, like MATLAB's cumsum(A, 1).
 *
 * Shown for comparison only: building it needs MATLAB's mex compiler.
 * MATLAB stores matrices column by column (Fortran order), so element
 * (i, j) of an m-by-n matrix is at pr[i + j*m]. */
#include "mex.h"

void mexFunction(int nlhs, mxArray *plhs[], int nrhs, const mxArray *prhs[])
{
    if (nrhs != 1 || !mxIsDouble(prhs[0]) || mxIsComplex(prhs[0]) ||
        mxGetNumberOfDimensions(prhs[0]) != 2) {
        mexErrMsgIdAndTxt("colcumsum:input", "expected one real double matrix");
    }
    mwSize m = mxGetM(prhs[0]);
    mwSize n = mxGetN(prhs[0]);
    const double *a = mxGetPr(prhs[0]);

    plhs[0] = mxCreateDoubleMatrix(m, n, mxREAL);
    double *c = mxGetPr(plhs[0]);

    for (mwSize j = 0; j < n; j++) {
        double acc = 0.0;
        for (mwSize i = 0; i < m; i++) {
            acc += a[i + j * m];
            c[i + j * m] = acc;
        }
    }
}
