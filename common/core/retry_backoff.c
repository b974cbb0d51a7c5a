#include "retry_backoff.h"

int64_t retry_backoff_ms(int failed_attempts, int64_t base_ms, int64_t cap_ms, uint32_t random)
{
    if (base_ms < 1)
        base_ms = 1;
    if (cap_ms < base_ms)
        cap_ms = base_ms;
    int64_t step = base_ms;
    for (int i = 1; i < failed_attempts && step < cap_ms; i++)
        step = step > cap_ms / 2 ? cap_ms : step * 2;
    if (step > cap_ms)
        step = cap_ms;
    int64_t half = step / 2;
    return step - half + (int64_t) ((uint64_t) random % (uint64_t) (half + 1));
}
