/* ANCHOR: all */
#include <stddef.h>

/* The sum of the squares of x[0..n]. Reads the n values, writes nothing,
   keeps no state: safe to call from several threads at once. */
double faq_sum_squares(const double *x, size_t n)
{
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
        total += x[i] * x[i];
    }
    return total;
}
/* ANCHOR_END: all */
