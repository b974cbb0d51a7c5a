#include "process_memory.h"

#include <malloc.h>
#include <stdio.h>
#include <unistd.h>

#include "metrics.h"

size_t process_memory_heap_in_use(void)
{
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

size_t process_memory_heap_free(void)
{
    struct mallinfo2 info = mallinfo2();
    return info.fordblks;
}

size_t process_memory_resident(void)
{
    FILE *statm = fopen("/proc/self/statm", "r");
    if (!statm)
        return 0;
    unsigned long size_pages = 0, resident_pages = 0;
    int fields = fscanf(statm, "%lu %lu", &size_pages, &resident_pages);
    fclose(statm);
    long page = sysconf(_SC_PAGESIZE);
    if (fields != 2 || page <= 0)
        return 0;
    return (size_t) resident_pages * (size_t) page;
}

static void publish(const char *name, const char *help, size_t bytes)
{
    metrics_gauge_t *gauge = metrics_gauge(name, help, NULL);
    if (gauge)
        metrics_gauge_set(gauge, (double) bytes);
}

void process_memory_publish(void)
{
    publish("process_resident_memory_bytes", "Resident memory size in bytes.", process_memory_resident());
    publish("aduan_heap_in_use_bytes", "Bytes malloc has handed out, in its arenas and in chunks mapped alone.",
            process_memory_heap_in_use());
    publish("aduan_heap_free_bytes", "Free bytes in malloc's arenas: resident unless a trim gave their pages back.",
            process_memory_heap_free());
}
