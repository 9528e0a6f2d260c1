/* clock_nanosleep as the kernel has it, for running the suite under Debian's libfaketime 0.9.10 with
 * FAKETIME_DONT_FAKE_MONOTONIC=1: that version's own clock_nanosleep answers EINVAL to an absolute sleep
 * on the real monotonic clock, which is how CPython's time.sleep sleeps. Preloaded before libfaketime
 * (`make test-dates` builds it), so only the wall clock is moved and every sleep, lock and timeout keeps
 * real time. An absolute sleep on the (faked) wall clock becomes the same relative sleep. */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *request, struct timespec *remain) {
    struct timespec relative = *request;
    if (clock == CLOCK_REALTIME && (flags & TIMER_ABSTIME)) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now); /* the faked wall clock */
        relative.tv_sec = request->tv_sec - now.tv_sec;
        relative.tv_nsec = request->tv_nsec - now.tv_nsec;
        if (relative.tv_nsec < 0) {
            relative.tv_sec -= 1;
            relative.tv_nsec += 1000000000L;
        }
        if (relative.tv_sec < 0) return 0;
        flags &= ~TIMER_ABSTIME;
        clock = CLOCK_MONOTONIC;
    }
    long failed = syscall(SYS_clock_nanosleep, clock, flags, &relative, remain);
    return failed ? errno : 0;
}
