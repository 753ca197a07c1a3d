/*
 * Runs the pool's C tests: every test, or those named as arguments. Each test
 * gets 60 s (alarm) so that a deadlock fails loudly instead of hanging.
 * Prints one line per test and "N passed, N failed" last; exits non-zero when
 * a test failed.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "c_test.h"

static int failed_checks;
static const char *running_test = "";

void c_test_fail(const char *file, int line, const char *what)
{
    failed_checks++;
    printf("    %s:%d: CHECK(%s) failed\n", file, line, what);
    fflush(stdout);
}

void c_test_sleep_us(long us)
{
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

double c_test_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "TIMED OUT (deadlock?) in ";
    ssize_t rc = write(2, msg, sizeof(msg) - 1);
    rc += write(2, running_test, strlen(running_test));
    rc += write(2, "\n", 1);
    (void)rc;
    _exit(3);
}

static int wanted(const char *name, int argc, char **argv)
{
    if (argc <= 1) {
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], name) == 0) {
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    const c_test *tables[] = {pool_tests, parallel_for_tests, fork_tests};
    int passed = 0, failed = 0;
    signal(SIGALRM, on_alarm);
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        for (const c_test *test = tables[t]; test->name != NULL; test++) {
            if (!wanted(test->name, argc, argv)) {
                continue;
            }
            running_test = test->name;
            printf("RUN  %s\n", test->name);
            fflush(stdout);
            failed_checks = 0;
            alarm(60);
            double start = c_test_now_s();
            test->fn();
            alarm(0);
            printf("%s %s (%.2f s)\n", failed_checks ? "FAIL" : "ok  ", test->name,
                   c_test_now_s() - start);
            fflush(stdout);
            if (failed_checks) {
                failed++;
            } else {
                passed++;
            }
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0 || passed == 0;
}
