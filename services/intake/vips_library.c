#include "vips_library.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "logger.h"

/* The ABI of the headers built against (libvips 8.x, Debian's libvips42). */
#define VIPS_SONAME "libvips.so.42"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static vips_library_t library;
static const vips_library_t *opened;

/* dlsym's void * into a function pointer's slot (ISO C has no cast between the two). */
static int resolve(void *handle, const char *name, void *slot, size_t size, int *missing)
{
    void *symbol = dlsym(handle, name);
    if (!symbol) {
        logger_error("%s has no %s", VIPS_SONAME, name);
        (*missing)++;
        return -1;
    }
    memcpy(slot, &symbol, size);
    return 0;
}

#define RESOLVE(handle, field, name, missing) resolve(handle, name, &library.field, sizeof library.field, missing)

static int resolve_all(void *handle)
{
    int missing = 0;
    RESOLVE(handle, error_buffer, "vips_error_buffer", &missing);
    RESOLVE(handle, error_clear, "vips_error_clear", &missing);
    RESOLVE(handle, image_new_from_buffer, "vips_image_new_from_buffer", &missing);
    RESOLVE(handle, image_get_width, "vips_image_get_width", &missing);
    RESOLVE(handle, image_get_height, "vips_image_get_height", &missing);
    RESOLVE(handle, image_hasalpha, "vips_image_hasalpha", &missing);
    RESOLVE(handle, image_copy_memory, "vips_image_copy_memory", &missing);
    RESOLVE(handle, flatten, "vips_flatten", &missing);
    RESOLVE(handle, jpegsave_buffer, "vips_jpegsave_buffer", &missing);
    RESOLVE(handle, thumbnail_buffer, "vips_thumbnail_buffer", &missing);
    RESOLVE(handle, thumbnail_image, "vips_thumbnail_image", &missing);
    RESOLVE(handle, object_unref, "g_object_unref", &missing);
    RESOLVE(handle, free, "g_free", &missing);
    RESOLVE(handle, shutdown, "vips_shutdown", &missing);
    return missing ? -1 : 0;
}

/* Started as VIPS_INIT does (refused when the library's ABI is not the headers'), then set for one
 * upload per request: no operation cache to hold old images, no thread pool per image. */
static int start(void *handle)
{
    __typeof__(vips_version) *version = NULL;
    __typeof__(vips_init) *init = NULL;
    __typeof__(vips_cache_set_max) *cache_set_max = NULL;
    __typeof__(vips_concurrency_set) *concurrency_set = NULL;
    int missing = 0;
    resolve(handle, "vips_version", &version, sizeof version, &missing);
    resolve(handle, "vips_init", &init, sizeof init, &missing);
    resolve(handle, "vips_cache_set_max", &cache_set_max, sizeof cache_set_max, &missing);
    resolve(handle, "vips_concurrency_set", &concurrency_set, sizeof concurrency_set, &missing);
    if (missing)
        return -1;
    if (version(3) - version(5) != VIPS_LIBRARY_CURRENT - VIPS_LIBRARY_AGE) {
        logger_error("%s has ABI %d, built for %d", VIPS_SONAME, version(3) - version(5),
                     VIPS_LIBRARY_CURRENT - VIPS_LIBRARY_AGE);
        return -1;
    }
    if (init("aduan-intake") != 0) {
        logger_error("libvips could not start: %s", library.error_buffer());
        return -1;
    }
    cache_set_max(0);
    concurrency_set(1);
    return 0;
}

static void open_library(void)
{
    void *handle = dlopen(VIPS_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        logger_error("%s could not be opened: %s", VIPS_SONAME, dlerror());
        return;
    }
    /* Never closed: libvips keeps threads and type registrations for the life of the process. */
    if (resolve_all(handle) == 0 && start(handle) == 0)
        opened = &library;
}

const vips_library_t *vips_library(void)
{
    return pthread_once(&once, open_library) == 0 ? opened : NULL;
}

void vips_library_stop(void)
{
    if (opened)
        opened->shutdown();
}
