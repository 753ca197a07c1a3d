/*
 * A minimal test framework for the C tests of the pool (no Python involved).
 * Each test file exports a table of tests; run_tests.c runs them all, or those
 * named on the command line, and prints "N passed, N failed" last.
 */
#ifndef NUMEXT_C_TEST_H
#define NUMEXT_C_TEST_H

#include <stddef.h>

typedef struct c_test {
    const char *name;
    void (*fn)(void);
} c_test;

/* Records a failed check (file:line and the expression) for the running test. */
void c_test_fail(const char *file, int line, const char *what);

/* CHECK(cond): fail the running test, and go on, when cond is false. */
#define CHECK(cond) ((cond) ? (void)0 : c_test_fail(__FILE__, __LINE__, #cond))

/* Helpers shared by the tests (run_tests.c). */
void c_test_sleep_us(long us);
double c_test_now_s(void);

/* The test tables, each ending with {NULL, NULL}. */
extern const c_test pool_tests[];
extern const c_test parallel_for_tests[];
extern const c_test fork_tests[];

#endif
