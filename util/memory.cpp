#include "util/memory.h"

#include <cstdlib>
#include <fstream>

#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

// mallinfo2 (size_t fields) is glibc 2.33's; older ones release nothing.
#if defined(__GLIBC__) && defined(__GLIBC_PREREQ)
#if __GLIBC_PREREQ(2, 33)
#define MINICASH_HAVE_MALLINFO2 1
#endif
#endif

namespace util {

size_t ResidentBytes()
{
    std::ifstream statm("/proc/self/statm");
    size_t total = 0, resident = 0;
    if (!(statm >> total >> resident)) return 0;
    return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

size_t ReleaseFreeMemory(size_t min_unused)
{
#if defined(MINICASH_HAVE_MALLINFO2)
    // Resident but not allocated: malloc's free pages (and the binary, stacks and mapped
    // files, a few tens of MiB). After a release the free chunks are still counted free by
    // malloc but no longer resident, so this does not fire again until pages come back.
    const struct mallinfo2 info = mallinfo2();
    const size_t in_use = info.uordblks + info.hblkhd;
    const size_t resident = ResidentBytes();
    if (resident <= in_use || resident - in_use <= min_unused) return 0;
    malloc_trim(0);
    return resident - in_use;
#else
    (void)min_unused;
    return 0;
#endif
}

void ConfigureAllocator()
{
#if defined(__GLIBC__)
    // Whoever sets glibc's malloc tunables (GLIBC_TUNABLES, or the older MALLOC_*_ variables)
    // decides instead.
    for (const char* var : {"GLIBC_TUNABLES", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_"}) {
        if (std::getenv(var)) return;
    }
    // glibc returns the top of a heap to the system once more than its trim threshold is free
    // there (128 KiB at first) and serves blocks of 128 KiB and up by mmap. A wallet send at
    // 10,000 coins frees ~10 MiB of temporaries, so every call gave its pages back and faulted
    // them in again (its p90 went from 17 to 10 ms without that; docs/benchmarks.md, "Wallet").
    // Blocks under 16 MiB come from the heap and up to 32 MiB stay free at its top, the range
    // glibc's own dynamic thresholds reach.
    mallopt(M_MMAP_THRESHOLD, 16 << 20);
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
    // glibc's arenas (up to 8 per core) are left alone: capping them at one per core held
    // ~100 MiB less at a full pool but made block propagation ~3.5 ms a hop slower, the
    // threads of a node waiting on each other's arena (docs/benchmarks.md).
#endif
}

} // namespace util
