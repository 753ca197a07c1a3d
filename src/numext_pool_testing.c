/*
 * numext_pool's test interface (numext_pool_testing.h): counters to observe
 * the pool and a switch to make worker creation fail. Kept out of the pool's
 * own files so that what production code may call is numext_pool.h alone.
 */
#include "numext_pool_testing.h"

#include "numext_pool_internal.h"

int numext_pool_testing_workers_alive(void)
{
    pthread_mutex_lock(&numext_pool.lock);
    int n = numext_pool.workers_alive;
    pthread_mutex_unlock(&numext_pool.lock);
    return n;
}

int numext_pool_testing_max_busy(void)
{
    pthread_mutex_lock(&numext_pool.lock);
    int n = numext_pool.max_busy_observed;
    pthread_mutex_unlock(&numext_pool.lock);
    return n;
}

void numext_pool_testing_reset_max_busy(void)
{
    pthread_mutex_lock(&numext_pool.lock);
    numext_pool.max_busy_observed = numext_pool.busy;
    pthread_mutex_unlock(&numext_pool.lock);
}

void numext_pool_testing_fail_creation_after(int n)
{
    pthread_mutex_lock(&numext_pool.lock);
    numext_pool.fail_creation_after = n;
    numext_pool.creation_failed = 0;
    pthread_mutex_unlock(&numext_pool.lock);
}

long numext_pool_testing_recruits_taken_back(void)
{
    pthread_mutex_lock(&numext_pool.lock);
    long n = numext_pool.recruits_taken_back;
    pthread_mutex_unlock(&numext_pool.lock);
    return n;
}
