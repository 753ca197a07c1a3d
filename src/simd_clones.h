/*
 * NUMEXT_SIMD_CLONES: compile a hot kernel for AVX-512, AVX2 and the baseline,
 * chosen once at load time (GCC function multi-versioning). NumPy's own loops
 * dispatch the same way; without it our loops would run on SSE2 only and lose
 * to NumPy on cache-resident inputs. Off for other compilers and CPUs, and
 * with -DNUMEXT_NO_SIMD_CLONES.
 */
#ifndef NUMEXT_SIMD_CLONES_H
#define NUMEXT_SIMD_CLONES_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) &&       \
    !defined(NUMEXT_NO_SIMD_CLONES)
#define NUMEXT_SIMD_CLONES                                                                         \
    __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
/* At most 256-bit vectors (AVX2), for loops that stream through memory on
 * misaligned operands: a 64-byte load off a cache line splits on every
 * vector, a 32-byte one on every other (measured up to 10% faster there;
 * 512-bit is faster on cache-resident data). */
#define NUMEXT_SIMD_CLONES_256 __attribute__((target_clones("default", "arch=x86-64-v3")))
/* One function compiled for AVX2 and FMA alone, for a loop written in
 * 256-bit vectors; call it only where NUMEXT_HAS_TARGET_256() (feature
 * names, not "x86-64-v3", which older GCCs' __builtin_cpu_supports lack). */
#define NUMEXT_TARGET_256 __attribute__((target("avx2,fma")))
#define NUMEXT_HAS_TARGET_256() (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
/* Keeps a loaded vector in a register: GCC otherwise folds the load into
 * each instruction that uses the vector, loading it once per use. */
#define NUMEXT_IN_REGISTER(v) __asm__("" : "+x"(v))
#else
#define NUMEXT_SIMD_CLONES
#define NUMEXT_SIMD_CLONES_256
#endif

#endif
