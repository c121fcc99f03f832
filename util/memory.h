// The process's heap: the allocator's settings, and memory that malloc keeps free given back.
#pragma once

#include <cstddef>

namespace util {

/** The process's resident set (/proc/self/statm), in bytes; 0 when it cannot be read. */
size_t ResidentBytes();

/**
 * glibc keeps what the program frees in its arenas for reuse, and a page stays resident while
 * any chunk on it is used: after a flood of transactions (most refused or evicted, their
 * memory interleaved with the pool's) the process holds far more than it uses. When more than
 * min_unused bytes are resident but not allocated, this returns malloc's free pages to the
 * system (malloc_trim) and gives the bytes it saw unused; else 0. Always 0 without glibc 2.33+.
 */
size_t ReleaseFreeMemory(size_t min_unused);

/**
 * The allocator's settings for a long-running daemon, unless the environment sets glibc's
 * malloc tunables. See memory.cpp for each value and why.
 */
void ConfigureAllocator();

} // namespace util
