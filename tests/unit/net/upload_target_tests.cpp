// -maxuploadtarget on a fake clock: the 24-hour cycle, the overall target and the historical
// block buffer (Core's OutboundTargetReached).
#include "net/upload_target.h"

#include <catch2/catch.hpp>

#include <atomic>

TEST_CASE("UploadTarget counts bytes in 24-hour cycles and keeps a buffer for new blocks", "[net]")
{
    std::atomic<int64_t> now{1'000'000};
    const auto clock = [&] { return now.load(); };

    net::UploadTarget none(0, clock);
    none.Observe(1'000'000'000);
    CHECK_FALSE(none.Reached(false));
    CHECK_FALSE(none.Reached(true));
    CHECK(none.BytesLeft() == 0);
    CHECK(none.TimeLeft() == 0);

    // 600 MB a day: the historical buffer is one 4 MB block per 10 minutes left (576 MB at the start).
    const uint64_t target = 600'000'000;
    net::UploadTarget t(target, clock);
    CHECK(t.TimeLeft() == net::MAX_UPLOAD_TIMEFRAME_SECONDS);
    t.Observe(10'000'000);
    CHECK(t.BytesLeft() == target - 10'000'000);
    CHECK_FALSE(t.Reached(false));
    CHECK_FALSE(t.Reached(true));  // 10 MB < 600 - 576 MB
    t.Observe(30'000'000);         // 30 MB in the cycle
    CHECK(t.Reached(true));        // historical blocks stop
    CHECK_FALSE(t.Reached(false)); // new blocks still go
    now += 12 * 60 * 60;           // half the cycle left: the buffer halves
    CHECK(t.TimeLeft() == 12 * 60 * 60);
    CHECK_FALSE(t.Reached(true));
    t.Observe(target + 10'000'000);
    CHECK(t.Reached(false));
    CHECK(t.BytesLeft() == 0);
    t.Observe(target); // a dip of the counter never counts negative
    CHECK(t.Reached(false));

    now += 12 * 60 * 60 + 1; // a new cycle starts with the next bytes
    t.Observe(target + 10'000'001);
    CHECK_FALSE(t.Reached(false));
    CHECK(t.BytesLeft() == target - 1);
}
