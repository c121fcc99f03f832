// util::ReleaseFreeMemory: malloc's free pages go back to the system past a threshold.
#include "util/memory.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <vector>

// A sanitizer's allocator replaces glibc's (its own mallinfo2 and malloc_trim): the release
// is glibc's, so these cases exist only in builds that use glibc's allocator.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZER_ALLOCATOR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZER_ALLOCATOR 1
#endif
#endif
#if defined(__GLIBC__) && !defined(SANITIZER_ALLOCATOR)

TEST_CASE("ReleaseFreeMemory returns the free pages among used ones, past its threshold only, once", "[node]")
{
    // 128 MB in blocks of 4,000 bytes, written so they are resident; then all but every 32nd
    // freed: the free memory is in 124 KB holes between used blocks, where glibc's own
    // trimming (the top of the heap only) never reaches.
    constexpr size_t BLOCK = 4000, COUNT = 32000;
    std::vector<std::unique_ptr<char[]>> blocks(COUNT);
    for (auto& b : blocks) {
        b.reset(new char[BLOCK]);
        std::memset(b.get(), 1, BLOCK);
    }
    for (size_t i = 0; i < COUNT; ++i) {
        if (i % 32 != 31) blocks[i].reset();
    }
    const size_t before = util::ResidentBytes();
    REQUIRE(before > size_t{100'000'000});
    // Over 100 MB resident and unused, but under the threshold asked: nothing is done.
    CHECK(util::ReleaseFreeMemory(size_t{1} << 40) == 0);
    CHECK(util::ResidentBytes() + (8 << 20) > before);
    // Past it: the unused bytes are reported and the holes' pages leave the process.
    const size_t unused = util::ReleaseFreeMemory(size_t{64} << 20);
    CHECK(unused >= size_t{100'000'000});
    CHECK(util::ResidentBytes() + size_t{90'000'000} < before);
    // The free chunks are still malloc's, but no longer resident: a second look does nothing.
    CHECK(util::ReleaseFreeMemory(size_t{64} << 20) == 0);
    // The blocks still in use are intact.
    for (size_t i = 31; i < COUNT; i += 32) {
        REQUIRE(blocks[i][0] == 1);
        REQUIRE(blocks[i][BLOCK - 1] == 1);
    }
}

#endif
