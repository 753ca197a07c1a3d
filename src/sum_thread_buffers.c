/*
 * sum_thread_buffers: scratch memory parallel_sum and exact_sum keep per
 * thread (see sum_thread_buffers.h).
 *
 * Column sums need a workspace per task and, when a core is cut, rows of
 * partial sums per call: too large for the stack, and allocated afresh per
 * call they cost more than a small call itself (page faults, and mmap/munmap
 * above glibc's threshold). So each thread keeps its buffers for its next
 * calls, up to NUMEXT_THREAD_BUFFER_MAX_BYTES each, and a thread-specific key
 * frees them when the thread exits (pool workers live on; Python threads come

 * and go).
 */
#include "sum_thread_buffers.h"

#include <pthread.h>
#include <stdlib.h>

#include "numext_tuning.h"

/* Under AddressSanitizer only the bytes asked for are usable: a kept buffer
 * is larger, and ASan would otherwise not see a read or write past them. */
#if defined(__SANITIZE_ADDRESS__)
#define NUMEXT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NUMEXT_ASAN 1
#endif
#endif
#ifdef NUMEXT_ASAN
#include <sanitizer/asan_interface.h>
#endif

static void *lend(void *p, size_t bytes, size_t size)
{
#ifdef NUMEXT_ASAN
    ASAN_UNPOISON_MEMORY_REGION(p, bytes);
    ASAN_POISON_MEMORY_REGION((char *)p + bytes, size - bytes);
#else
    (void)bytes;
    (void)size;
#endif
    return p;
}

typedef struct {
    void *p[NUMEXT_NBUFS];
    size_t size[NUMEXT_NBUFS];
} thread_buffers;

static _Thread_local thread_buffers *tls_buffers;
static pthread_key_t buffers_key;
static pthread_once_t buffers_once = PTHREAD_ONCE_INIT;
static int buffers_key_ok;

static void free_thread_buffers(void *arg)
{
    thread_buffers *b = arg;
    for (int i = 0; i < NUMEXT_NBUFS; i++) {
        free(b->p[i]);
    }
    free(b);
    tls_buffers = NULL;
}

static void make_buffers_key(void)
{
    buffers_key_ok = pthread_key_create(&buffers_key, free_thread_buffers) == 0;
}

/* The calling thread's buffer `which`, at least `bytes` long and 64-byte
 * aligned; NULL when it would be larger than the cap or there is no memory. */
void *numext_thread_buffer(int which, size_t bytes)
{
    thread_buffers *b = tls_buffers;
    if (b != NULL && b->size[which] >= bytes) {
        return lend(b->p[which], bytes, b->size[which]);
    }
    if (bytes > NUMEXT_THREAD_BUFFER_MAX_BYTES) {
        return NULL;
    }
    if (b == NULL) {
        pthread_once(&buffers_once, make_buffers_key);
        if (!buffers_key_ok || (b = calloc(1, sizeof *b)) == NULL) {
            return NULL;
        }
        if (pthread_setspecific(buffers_key, b) != 0) {
            free(b);
            return NULL;
        }
        tls_buffers = b;
    }
    /* Whole 64 KiB blocks: fewer regrowths, and a size aligned_alloc accepts. */
    size_t size = (bytes + 65535) / 65536 * 65536;
    void *p = aligned_alloc(64, size);
    if (p == NULL) {
        return NULL;
    }
    free(b->p[which]);
    b->p[which] = p;
    b->size[which] = size;
    return lend(p, bytes, size);
}
