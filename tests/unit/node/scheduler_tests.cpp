// util::Scheduler: periodic tasks, MockForward (the mockscheduler RPC) and Stop.
#include "util/scheduler.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>

using namespace std::chrono_literals;

TEST_CASE("Scheduler runs a task each interval; MockForward brings it forward and waits for it", "[node]")
{
    util::Scheduler s;
    std::atomic<int> runs{0};
    s.ScheduleEvery([&] { ++runs; }, std::chrono::hours(1));
    s.MockForward(std::chrono::seconds(3600)); // not started: moves the task, waits for nothing
    CHECK(runs == 0);
    s.Start("scheduler-test");
    // Due now (an hour was taken off before the start): MockForward(1 s) returns after it ran.
    s.MockForward(std::chrono::seconds(1));
    CHECK(runs == 1);
    // The next run is an hour after that one.
    s.MockForward(std::chrono::seconds(1800));
    CHECK(runs == 1);
    s.MockForward(std::chrono::seconds(1800));
    CHECK(runs == 2);
    s.MockForward(std::chrono::seconds(3600));
    CHECK(runs == 3);
    CHECK(s.RunCount() == 3);
    s.Stop(); // returns with the task still scheduled an hour away
    s.MockForward(std::chrono::seconds(3600)); // after Stop: nothing runs, nothing waits
    CHECK(runs == 3);
}

TEST_CASE("Scheduler keeps running after a task throws", "[node]")
{
    util::Scheduler s;
    std::atomic<int> runs{0};
    s.ScheduleEvery(
        [&] {
            ++runs;
            throw std::runtime_error("boom");
        },
        std::chrono::hours(1));
    s.Start("scheduler-test");
    s.MockForward(std::chrono::seconds(3600));
    s.MockForward(std::chrono::seconds(3600));
    CHECK(runs == 2);
}
