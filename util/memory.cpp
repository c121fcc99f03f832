#include "util/memory.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace util {

size_t ReleaseFreeMemory(size_t min_free)
{
#if defined(__GLIBC__)
    const size_t free_bytes = mallinfo2().fordblks;
    if (free_bytes <= min_free) return 0;
    malloc_trim(0);
    return free_bytes;
#else
    (void)min_free;
    return 0;
#endif
}

void ConfigureAllocator()
{
#if defined(__GLIBC__)
    if (std::getenv("GLIBC_TUNABLES")) return;
    // glibc returns the top of a heap to the system once more than its trim threshold is free
    // there (128 KiB at first) and serves blocks of 128 KiB and up by mmap. A wallet send at
    // 10,000 coins frees ~10 MiB of temporaries, so every call gave its pages back and faulted
    // them in again (its p90 went from 17 to 10 ms without that; docs/benchmarks.md, "Wallet").
    // Blocks under 16 MiB come from the heap and up to 32 MiB stay free at its top, the range
    // glibc's own dynamic thresholds reach.
    mallopt(M_MMAP_THRESHOLD, 16 << 20);
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
    // glibc gives each thread that allocates while the others' arenas are busy an arena of its
    // own, up to 8 per core, and each keeps its own free memory (up to the trim threshold at
    // its top, and the holes). With the pool full (300 MB) that was ~700 MiB resident with
    // 370 MB in use; one arena per core keeps the rate and holds less (docs/benchmarks.md).
    mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
#endif
}

} // namespace util
