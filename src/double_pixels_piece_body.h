/*
 * Part of the double_pixels template: included by double_pixels_body.h for
 * complex64 and complex128 (DP_FMA defined), with its macros. The loop for
 * a buffered piece of a long output (and for a single range of 1-2 MiB,
 * which _contiguous_run also hands it).
 *
 * For a broadcast or cast input NumPy copies the input into 8192-element
 * buffers and calls the loop once per buffer along one output;
 * _contiguous_run aligns the output there, which leaves NumPy's buffer off
 * its cache lines. The element loop as GCC vectorises it loads each input
 * vector twice (once per permutation), so that each split load is paid
 * twice, and a quarter of its instructions are the NaN selects. This loop
 * loads each vector once, in 256-bit vectors, and leaves the selects out: it
 * tests its results for NaN instead and redoes a block that holds one with
 * the exact loop (the selects can only matter where a result is NaN). The
 * operations are DP_ELEMENT's fused form: the same bits and flags (GCC 12
 * happens to order its FMA so that even the NaN is NumPy's; the redo keeps
 * that from hanging on the compiler). Broadcast rows of 1e6, one thread,
 * the output at each offset in a cache line, in three processes: complex64
 * 0.92-1.08x NumPy -> 0.99-1.10x, complex128 0.91-1.03x -> 0.98-1.10x.
 */
#ifdef NUMEXT_TARGET_256
typedef DP_PART DP_CAT(DP_KERNEL, _vector) __attribute__((vector_size(32)));

/* src and dst must not overlap: a block is read again after it is written. */
NUMEXT_TARGET_256 __attribute__((noinline)) static void
DP_CAT(DP_KERNEL, _piece)(const DP_IN *src, DP_OUT *dst, npy_intp n)
{
    typedef DP_CAT(DP_KERNEL, _vector) vec;
    enum { LANES = sizeof(vec) / sizeof(DP_PART), PER_VECTOR = LANES / 2, BLOCK = 512 };
    vec times_a, times_b; /* per part: re = a * 2 + b * -0.0, im = a * 0 + b * 2 */
    for (int k = 0; k < LANES; k++) {
        times_a[k] = k % 2 ? 0 : 2;
        times_b[k] = k % 2 ? 2 : (DP_PART)-0.0;
    }
    npy_intp done = 0;
    while (n - done >= PER_VECTOR) {
        const npy_intp rest = (n - done) / PER_VECTOR * PER_VECTOR;
        const npy_intp m = rest < BLOCK ? rest : BLOCK;
        const vec zero = {0};
        __typeof__(zero != zero) nan = zero != zero; /* no lane set */
        for (npy_intp i = done; i < done + m; i += PER_VECTOR) {
            vec x, a, b, y;
            memcpy(&x, &src[i], sizeof x);
            NUMEXT_IN_REGISTER(x);
            for (int k = 0; k < LANES; k++) {
                a[k] = x[k & ~1];
                b[k] = x[k | 1];
            }
            b = b * times_b;
            for (int k = 0; k < LANES; k++) {
                y[k] = DP_FMA(a[k], times_a[k], b[k]);
            }
            nan |= y != y;
            memcpy(&dst[i], &y, sizeof y);
        }
        int any_nan = 0;
        for (int k = 0; k < LANES; k++) {
            any_nan |= nan[k] != 0;
        }
        if (any_nan) {
            DP_CAT(DP_KERNEL, _contiguous)(src + done, dst + done, m, 1);
        }
        done += m;
    }
    DP_CAT(DP_KERNEL, _contiguous)(src + done, dst + done, n - done, 1);
}
#endif
