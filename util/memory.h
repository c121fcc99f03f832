// The process's heap: giving memory that malloc keeps free back to the system.
#pragma once

#include <cstddef>

namespace util {

/**
 * glibc keeps what the program frees in its arenas for reuse, and a page stays resident while
 * any chunk on it is used: after a flood of transactions (most refused or evicted, their
 * memory interleaved with the pool's) the process holds far more than it uses. When more than
 * min_free bytes are free in the arenas, this returns their free pages to the system
 * (malloc_trim) and gives the free bytes it saw; else 0. Always 0 without glibc.
 */
size_t ReleaseFreeMemory(size_t min_free);

/**
 * The allocator's settings for a long-running daemon, unless GLIBC_TUNABLES decides them.
 * See memory.cpp for each value and why.
 */
void ConfigureAllocator();

} // namespace util
