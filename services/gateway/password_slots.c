#include "password_slots.h"

#include <errno.h>
#include <semaphore.h>
#include <time.h>

static sem_t slots_free;

int password_slots_setup(unsigned slots)
{
    return slots >= 1 && sem_init(&slots_free, 0, slots) == 0 ? 0 : -1;
}

void password_slots_teardown(void)
{
    sem_destroy(&slots_free);
}

bool password_slots_enter(int wait_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);   /* sem_timedwait knows no other clock */
    deadline.tv_sec += wait_ms / 1000;
    deadline.tv_nsec += (long) (wait_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    int rc;
    while ((rc = sem_timedwait(&slots_free, &deadline)) != 0 && errno == EINTR)
        continue;
    return rc == 0;
}

void password_slots_leave(void)
{
    sem_post(&slots_free);
}
