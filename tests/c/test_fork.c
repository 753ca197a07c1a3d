/*
 * fork(): the child starts with an empty pool, builds a new one and runs jobs
 * on it; the parent's pool is unaffected; forking while other threads run
 * jobs leaves no lock held in the child.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include "c_test.h"
#include "numext_pool.h"
#include "numext_pool_testing.h"

static atomic_int tasks_run;

static void slow_task(void *arg, size_t task, int thread_index)
{
    (void)arg;
    (void)task;
    (void)thread_index;
    atomic_fetch_add(&tasks_run, 1);
    c_test_sleep_us(200);
}

/* In the child: a fresh pool that starts workers and runs a whole job.
 * Exit status 0 when so; the child dies by SIGALRM if it deadlocks. */
static void child_runs_a_job(void)
{
    alarm(20);
    int ok = numext_pool_testing_workers_alive() == 0;
    atomic_store(&tasks_run, 0);
    numext_pool_run(64, slow_task, NULL, 3);
    ok &= atomic_load(&tasks_run) == 64;
    ok &= numext_pool_testing_workers_alive() >= 1;
    _exit(ok ? 0 : 1);
}

static int child_succeeded(pid_t pid)
{
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        return 0;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void test_fork_child_builds_new_pool(void)
{
    numext_pool_set_size(3);
    numext_pool_run(64, slow_task, NULL, 3);
    int alive = numext_pool_testing_workers_alive();
    CHECK(alive >= 1);
    pid_t pid = fork();
    if (pid == 0) {
        child_runs_a_job();
    }
    CHECK(child_succeeded(pid));
    /* The parent keeps its workers and its pool works as before. */
    CHECK(numext_pool_testing_workers_alive() == alive);
    atomic_store(&tasks_run, 0);
    numext_pool_run(64, slow_task, NULL, 3);
    CHECK(atomic_load(&tasks_run) == 64);
    CHECK(numext_pool_testing_workers_alive() == alive);
}

static atomic_int stop_jobs;

static void *job_loop(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop_jobs)) {
        numext_pool_run(16, slow_task, NULL, 3);
    }
    return NULL;
}

static void test_fork_while_jobs_run(void)
{
    numext_pool_set_size(3);
    atomic_store(&stop_jobs, 0);
    pthread_t tid[2];
    for (int i = 0; i < 2; i++) {
        CHECK(pthread_create(&tid[i], NULL, job_loop, NULL) == 0);
    }
    for (int i = 0; i < 5; i++) {
        c_test_sleep_us(2000);
        pid_t pid = fork();
        if (pid == 0) {
            child_runs_a_job();
        }
        CHECK(child_succeeded(pid));
    }
    atomic_store(&stop_jobs, 1);
    for (int i = 0; i < 2; i++) {
        pthread_join(tid[i], NULL);
    }
}

const c_test fork_tests[] = {
    {"fork_child_builds_new_pool", test_fork_child_builds_new_pool},
    {"fork_while_jobs_run", test_fork_while_jobs_run},
    {NULL, NULL},
};
