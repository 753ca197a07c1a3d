/*
 * numext_pool's test interface: hooks that let tests observe and disturb the
 * pool. Not part of the pool's API; production code must not call them.
 * Python reaches them as numext._numext._testing.* (src/testing_functions.c),
 * the C tests (tests/c/) directly.
 */
#ifndef NUMEXT_POOL_TESTING_H
#define NUMEXT_POOL_TESTING_H

/* Workers created and not lost to fork. */
int numext_pool_testing_workers_alive(void);

/* High-water mark of threads computing pool jobs at once (callers included),
 * and its reset to the number computing now. */
int numext_pool_testing_max_busy(void);
void numext_pool_testing_reset_max_busy(void);

/* After `n` more successful creations, pthread_create is treated as failing
 * (as under a low RLIMIT_NPROC). n < 0 switches the hook off. */
void numext_pool_testing_fail_creation_after(int n);

/* Recruits a caller took back because they had not started when it ran out
 * of tasks (since the process started). */
long numext_pool_testing_recruits_taken_back(void);

#endif
