// util::Scheduler: periodic tasks, MockForward (the mockscheduler RPC) and Stop.
#include "util/scheduler.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <functional>

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
    s.Stop();                                  // returns with the task still scheduled an hour away
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

TEST_CASE("Scheduler runs a one-shot task once; a task can schedule its next run", "[node]")
{
    util::Scheduler s;
    std::atomic<int> once{0}, chained{0};
    s.ScheduleFromNow([&] { ++once; }, std::chrono::minutes(10));
    std::function<void()> next = [&] {
        ++chained;
        s.ScheduleFromNow(next, std::chrono::minutes(15));
    };
    s.ScheduleFromNow(next, std::chrono::minutes(15));
    s.Start("scheduler-test");
    s.MockForward(std::chrono::seconds(600));
    CHECK(once == 1);
    CHECK(chained == 0);
    s.MockForward(std::chrono::seconds(300));
    CHECK(chained == 1);
    s.MockForward(std::chrono::seconds(900));
    CHECK(chained == 2);
    s.MockForward(std::chrono::seconds(3600));
    CHECK(once == 1); // never again
    CHECK(chained == 3);
    s.Stop();
}
