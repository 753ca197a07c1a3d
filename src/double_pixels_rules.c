/*
 * double_pixels_rules: in which layouts the running NumPy's complex multiply
 * fuses its products, asked once at import (numext/_multiply_rules.py has
 * the why and the probe); double_pixels_kernels.h applies it per call.
 */
#include "double_pixels_kernels.h"
#include "import_probe.h"

/* Until the probe ran: NumPy 2.4's rule on x86-64 (all but complex64 read
 * backwards). Written once at import, before any call reads it. */
int numext_complex_fused_layouts = NUMEXT_FUSED_ALL & ~NUMEXT_FUSED_CFLOAT_REVERSED;

int numext_double_pixels_rules_init(void)
{
    long layouts;
    if (numext_call_probe("numext._multiply_rules", "probe", &layouts) < 0) {
        return -1;
    }
    numext_complex_fused_layouts = (int)(layouts & NUMEXT_FUSED_ALL);
    return 0;
}
