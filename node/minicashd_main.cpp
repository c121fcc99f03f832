// minicashd: the minicash full node daemon.
#include "node/init.h"

#include <cstdlib>

#include <malloc.h>

int main(int argc, char* argv[])
{
    // glibc returns the top of a heap to the system once more than its trim threshold is free
    // there (128 KiB at first) and serves blocks of 128 KiB and up by mmap. A wallet send at
    // 10,000 coins frees ~10 MiB of temporaries, so every call gave its pages back and faulted
    // them in again (its p90 went from 17 to 10 ms without that; docs/benchmarks.md, "Wallet").
    // Blocks under 16 MiB come from the heap and up to 32 MiB stay free at its top, the range
    // glibc's own dynamic thresholds reach. GLIBC_TUNABLES, when set, decides instead.
    if (!std::getenv("GLIBC_TUNABLES")) {
        mallopt(M_MMAP_THRESHOLD, 16 << 20);
        mallopt(M_TRIM_THRESHOLD, 32 << 20);
    }
    return node::RunDaemon(argc, argv);
}
