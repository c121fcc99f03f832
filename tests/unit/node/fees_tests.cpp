// FeeEstimator (node/mempool/fees.h): Core's bucket layout, decay, a synthetic fee market,
// smart-fee modes, persistence (round trip, corruption, staleness).
#include "node/mempool/fees.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <unistd.h>

using consensus::Uint256;
using node::mempool::FeeEstimator;
using node::mempool::FeeHorizon;

namespace {

Uint256 TxidOf(uint64_t n)
{
    char hex[65];
    std::snprintf(hex, sizeof(hex), "%064llx", static_cast<unsigned long long>(n));
    return *Uint256::FromHex(hex);
}

/**
 * Each block, `per_block` transactions at `high` sat/kvB confirm in the next block and as
 * many at `low` confirm `low_wait` blocks after entering.
 */
void RunMarket(FeeEstimator& est, unsigned blocks, int per_block = 20, int64_t high = 50'000, int64_t low = 2'000,
               unsigned low_wait = 10)
{
    uint64_t next_id = 1;
    std::map<unsigned, std::vector<Uint256>> due; // height -> txids confirmed there
    unsigned height = est.BestSeenHeight();
    for (unsigned i = 0; i < blocks; ++i) {
        for (int k = 0; k < per_block; ++k) {
            const Uint256 hi = TxidOf(next_id++), lo = TxidOf(next_id++);
            est.ProcessTransaction(hi, high, height, true);
            est.ProcessTransaction(lo, low, height, true);
            due[height + 1].push_back(hi);
            due[height + low_wait].push_back(lo);
        }
        ++height;
        est.ProcessBlock(height, due[height]);
        due.erase(height);
    }
}

std::filesystem::path TempFile(const char* name)
{
    auto dir = std::filesystem::temp_directory_path() / ("minicash_fees_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir / name;
}

std::string Slurp(const std::filesystem::path& p)
{
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

void Spit(const std::filesystem::path& p, const std::string& s)
{
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << s;
}

} // namespace

TEST_CASE("fees: bucket layout is Core's", "[node][fees]")
{
    FeeEstimator est;
    const auto& b = est.Buckets();
    REQUIRE(b.size() == 237); // 100 * 1.05^k <= 1e7 for k = 0..235, then infinity
    CHECK(b.front() == 100);
    CHECK(b[1] == Approx(105));
    CHECK(b[235] <= 1e7);
    CHECK(b[235] * 1.05 > 1e7);
    CHECK(b.back() == node::mempool::INF_FEERATE);
    CHECK(est.HighestTargetTracked(FeeHorizon::SHORT) == 12);
    CHECK(est.HighestTargetTracked(FeeHorizon::MEDIUM) == 48);
    CHECK(est.HighestTargetTracked(FeeHorizon::LONG) == 1008);
    CHECK(node::mempool::FeePerKvB(consensus::Amount(1234), 250) == 4936);
    CHECK(node::mempool::FeePerKvB(consensus::Amount(1), 3) == 333);
}

TEST_CASE("fees: no data means no estimate", "[node][fees]")
{
    FeeEstimator est;
    for (int target : {1, 2, 6, 1008}) {
        auto smart = est.EstimateSmartFee(target, false);
        CHECK_FALSE(smart.feerate);
        CHECK_FALSE(est.EstimateSmartFee(target, true).feerate);
    }
    CHECK_FALSE(est.EstimateRawFee(1, 0.95, FeeHorizon::SHORT).feerate);
    CHECK_FALSE(est.EstimateSmartFee(0, false).feerate);
    CHECK_FALSE(est.EstimateSmartFee(1009, false).feerate);
    CHECK_FALSE(est.EstimateRawFee(13, 0.95, FeeHorizon::SHORT).feerate); // beyond the short horizon
    CHECK(est.MaxUsableEstimate() == 0);
}

TEST_CASE("fees: tracking rules (tip height only, valid only, once, reorg heights ignored)", "[node][fees]")
{
    FeeEstimator est;
    est.ProcessBlock(5, {});
    est.ProcessTransaction(TxidOf(1), 10'000, 4, true); // not at the tip
    est.ProcessTransaction(TxidOf(2), 10'000, 5, false);
    est.ProcessTransaction(TxidOf(3), 10'000, 5, true);
    est.ProcessTransaction(TxidOf(3), 20'000, 5, true);
    CHECK(est.TrackedCount() == 1);
    est.ProcessBlock(5, {TxidOf(3)}); // not above the best height: ignored
    CHECK(est.TrackedCount() == 1);
    CHECK(est.BestSeenHeight() == 5);
    CHECK(est.RemoveTx(TxidOf(3)));
    CHECK_FALSE(est.RemoveTx(TxidOf(3)));
    CHECK(est.TrackedCount() == 0);
}

TEST_CASE("fees: averages decay by each horizon's factor per block", "[node][fees]")
{
    FeeEstimator est;
    est.ProcessBlock(1, {});
    std::vector<Uint256> txids;
    for (uint64_t i = 0; i < 100; ++i) {
        txids.push_back(TxidOf(i + 1));
        est.ProcessTransaction(txids.back(), 10'000, 1, true);
    }
    est.ProcessBlock(2, txids);
    auto s0 = est.EstimateRawFee(1, 0.95, FeeHorizon::SHORT);
    REQUIRE(s0.feerate);
    CHECK(*s0.feerate == 10'000);
    CHECK(s0.pass.total_confirmed == Approx(100));
    CHECK(s0.pass.within_target == Approx(100));
    CHECK(s0.pass.end >= 10'000);
    CHECK(s0.pass.start < 10'000);
    CHECK(s0.decay == node::mempool::SHORT_DECAY);
    CHECK(s0.scale == 1);
    auto m0 = est.EstimateRawFee(2, 0.95, FeeHorizon::MEDIUM);
    REQUIRE(m0.feerate);
    CHECK(m0.scale == 2);
    est.ProcessBlock(3, {});
    est.ProcessBlock(4, {});
    auto s2 = est.EstimateRawFee(1, 0.95, FeeHorizon::SHORT);
    REQUIRE(s2.feerate);
    CHECK(s2.pass.total_confirmed == Approx(100 * 0.962 * 0.962));
    auto m2 = est.EstimateRawFee(2, 0.95, FeeHorizon::MEDIUM);
    CHECK(m2.pass.total_confirmed == Approx(100 * 0.9952 * 0.9952));
    // The long horizon needs 0.1 / (1 - .99931) ~ 145 transactions: it reports the range as failing, with its counts.
    auto l2 = est.EstimateRawFee(24, 0.95, FeeHorizon::LONG);
    CHECK_FALSE(l2.feerate);
    CHECK(l2.fail.total_confirmed == Approx(100 * 0.99931 * 0.99931));
    // Enough blocks later the short horizon has too little data left (< 0.5 / (1 - .962) ~ 13.2).
    for (unsigned h = 5; h < 5 + 60; ++h) est.ProcessBlock(h, {});
    CHECK_FALSE(est.EstimateRawFee(1, 0.95, FeeHorizon::SHORT).feerate);
    CHECK(est.EstimateRawFee(2, 0.95, FeeHorizon::MEDIUM).feerate);
}

TEST_CASE("fees: a market where high fees confirm in 1 block and low fees in 10", "[node][fees]")
{
    FeeEstimator est;
    est.ProcessBlock(1, {});
    RunMarket(est, 200);
    CHECK(est.MaxUsableEstimate() == 99); // blocks with data / 2

    auto fast = est.EstimateSmartFee(2, false);
    auto slow = est.EstimateSmartFee(20, false);
    REQUIRE(fast.feerate);
    REQUIRE(slow.feerate);
    CHECK(fast.returned_target == 2);
    CHECK(slow.returned_target == 20);
    CHECK(*fast.feerate == 50'000);
    CHECK(*slow.feerate == 2'000);
    // Target 1 is answered as 2.
    auto one = est.EstimateSmartFee(1, false);
    CHECK(one.returned_target == 2);
    CHECK(one.feerate == fast.feerate);
    // Above the usable span the target is lowered.
    auto far = est.EstimateSmartFee(500, false);
    CHECK(far.returned_target == 99);
    CHECK(far.feerate == std::optional<int64_t>(2'000));

    // Conservative is never below economical.
    for (int target : {2, 3, 5, 8, 10, 12, 15, 20, 30, 48, 60, 99}) {
        auto eco = est.EstimateSmartFee(target, false);
        auto cons = est.EstimateSmartFee(target, true);
        REQUIRE(eco.feerate);
        REQUIRE(cons.feerate);
        CHECK(*cons.feerate >= *eco.feerate);
    }
    // Estimates fall (weakly) as the target grows.
    int64_t previous = std::numeric_limits<int64_t>::max();
    for (int target = 2; target <= 48; ++target) {
        auto e = est.EstimateSmartFee(target, false);
        REQUIRE(e.feerate);
        CHECK(*e.feerate <= previous);
        previous = *e.feerate;
    }
    // Raw: within 5 blocks at 95% only the high fee passes; the low bucket is reported failing.
    auto raw = est.EstimateRawFee(5, 0.95, FeeHorizon::SHORT);
    REQUIRE(raw.feerate);
    CHECK(*raw.feerate == 50'000);
    CHECK(raw.fail.start >= 0);
    CHECK(raw.fail.end >= 2'000);
    CHECK(raw.fail.start < 2'000);
    // Still in the pool: 20 low-fee transactions from each of the last 9 heights. Within 5
    // blocks, those waiting 5 blocks or more count against the bucket (5 heights).
    CHECK(raw.fail.in_mempool == 5 * 20);
    CHECK(est.EstimateRawFee(3, 0.95, FeeHorizon::SHORT).fail.in_mempool == 7 * 20);
    auto raw_long = est.EstimateRawFee(12, 0.95, FeeHorizon::SHORT);
    CHECK(raw_long.feerate == std::optional<int64_t>(2'000));
}

TEST_CASE("fees: transactions leaving the mempool unconfirmed count as failures", "[node][fees]")
{
    FeeEstimator est;
    est.ProcessBlock(1, {});
    RunMarket(est, 100, 20, 50'000, 50'000, 1); // plenty of fast confirmations at 50,000
    // Now 30 per block at 5,000 sit 4 blocks and are dropped (replaced or expired).
    uint64_t id = 1'000'000;
    unsigned height = est.BestSeenHeight();
    std::vector<std::pair<unsigned, Uint256>> waiting;
    for (int round = 0; round < 60; ++round) {
        for (int k = 0; k < 30; ++k) {
            waiting.emplace_back(height, TxidOf(id));
            est.ProcessTransaction(TxidOf(id++), 5'000, height, true);
        }
        ++height;
        est.ProcessBlock(height, {});
        while (!waiting.empty() && waiting.front().first + 4 <= height) {
            CHECK(est.RemoveTx(waiting.front().second));
            waiting.erase(waiting.begin());
        }
    }
    auto raw = est.EstimateRawFee(2, 0.85, FeeHorizon::MEDIUM);
    REQUIRE(raw.feerate);
    CHECK(*raw.feerate == 50'000);
    CHECK(raw.fail.left_mempool > 0);
    CHECK(raw.fail.end >= 5'000);
    // The pool holds the last 3 heights' 30 each (older ones were removed): 2 heights have
    // waited 2 blocks or more.
    CHECK(raw.fail.in_mempool == 2 * 30);
}

TEST_CASE("fees: fee_estimates.dat round trip", "[node][fees]")
{
    FeeEstimator est;
    est.ProcessBlock(1, {});
    RunMarket(est, 120);
    const auto path = TempFile("round_trip.dat");
    std::string error;
    REQUIRE(est.Write(path, 1'000'000, error));

    FeeEstimator loaded;
    REQUIRE(loaded.Read(path, 1'000'000 + 3600, false, error));
    CHECK(loaded.BestSeenHeight() == est.BestSeenHeight());
    CHECK(loaded.MaxUsableEstimate() == est.MaxUsableEstimate()); // from the historical span
    for (int target : {2, 5, 10, 20, 48}) {
        for (bool cons : {false, true}) {
            auto a = est.EstimateSmartFee(target, cons);
            auto b = loaded.EstimateSmartFee(target, cons);
            CHECK(a.feerate == b.feerate);
            CHECK(a.returned_target == b.returned_target);
        }
    }
    for (auto h : {FeeHorizon::SHORT, FeeHorizon::MEDIUM, FeeHorizon::LONG}) {
        auto a = est.EstimateRawFee(static_cast<int>(est.HighestTargetTracked(h)), 0.95, h);
        auto b = loaded.EstimateRawFee(static_cast<int>(est.HighestTargetTracked(h)), 0.95, h);
        CHECK(a.feerate == b.feerate);
        CHECK(a.pass.total_confirmed == b.pass.total_confirmed);
        CHECK(a.pass.within_target == b.pass.within_target);
    }
    // The loaded estimator goes on from the saved height.
    RunMarket(loaded, 5);
    CHECK(loaded.BestSeenHeight() == est.BestSeenHeight() + 5);
    std::filesystem::remove(path);
}

TEST_CASE("fees: stale files are ignored unless accepted", "[node][fees]")
{
    FeeEstimator est;
    est.ProcessBlock(1, {});
    RunMarket(est, 50);
    const auto path = TempFile("stale.dat");
    std::string error;
    REQUIRE(est.Write(path, 1'000'000, error));
    const int64_t max_age = node::mempool::FEE_ESTIMATES_MAX_AGE;
    FeeEstimator a, b, c;
    CHECK(a.Read(path, 1'000'000 + max_age, false, error)); // exactly 60 hours: still fine
    CHECK_FALSE(b.Read(path, 1'000'000 + max_age + 1, false, error));
    CHECK(error.find("60 hours") != std::string::npos);
    CHECK(b.BestSeenHeight() == 0);
    CHECK(c.Read(path, 1'000'000 + 10 * max_age, true, error));
    CHECK(c.BestSeenHeight() == est.BestSeenHeight());
    std::filesystem::remove(path);
}

TEST_CASE("fees: corrupted files are refused and leave the state alone", "[node][fees]")
{
    FeeEstimator est;
    est.ProcessBlock(1, {});
    RunMarket(est, 60);
    const auto path = TempFile("corrupt.dat");
    std::string error;
    REQUIRE(est.Write(path, 1'000'000, error));
    const std::string good = Slurp(path);

    FeeEstimator target;
    target.ProcessBlock(7, {});
    auto check_refused = [&](const std::string& bytes) {
        Spit(path, bytes);
        std::string err;
        CHECK_FALSE(target.Read(path, 1'000'000, false, err));
        CHECK_FALSE(err.empty());
        CHECK(target.BestSeenHeight() == 7);
    };
    // Truncated anywhere.
    for (size_t len :
         {size_t{0}, size_t{3}, size_t{8}, size_t{20}, size_t{31}, size_t{40}, good.size() / 2, good.size() - 1}) {
        check_refused(good.substr(0, len));
    }
    check_refused(good + '\0'); // trailing byte
    std::string bad = good;
    bad[0] = 'X'; // magic
    check_refused(bad);
    bad = good;
    bad[4] = 2; // version
    check_refused(bad);
    bad = good;
    bad[28] = static_cast<char>(0xff); // bucket count: 0xff... never allocated, refused
    bad[29] = static_cast<char>(0xff);
    check_refused(bad);
    bad = good;
    bad[24] = static_cast<char>(0xff); // historical best above best height
    bad[25] = static_cast<char>(0xff);
    check_refused(bad);
    // A NaN in the last count.
    bad = good;
    const uint64_t nan_bits = 0x7ff8000000000000ULL;
    for (int i = 0; i < 8; ++i) bad[bad.size() - 8 + i] = static_cast<char>((nan_bits >> (8 * i)) & 0xff);
    check_refused(bad);
    // A negative count.
    bad = good;
    bad[bad.size() - 1] = static_cast<char>(0xbf);
    check_refused(bad);
    // Missing file.
    std::filesystem::remove(path);
    std::string err;
    CHECK_FALSE(target.Read(path, 1'000'000, false, err));
    // And the good bytes still load.
    Spit(path, good);
    CHECK(target.Read(path, 1'000'000, false, err));
    CHECK(target.BestSeenHeight() == est.BestSeenHeight());
    std::filesystem::remove(path);
}

TEST_CASE("fees: a transaction waiting past a horizon's reach is counted once, as old", "[node][fees]")
{
    // The short horizon follows 12 blocks: a transaction still in the pool after that moves from
    // the per-height ring to the "old" count, and the in-mempool figure must count it once.
    FeeEstimator est;
    est.ProcessBlock(1, {});
    RunMarket(est, 60, 20, 50'000, 50'000, 1);
    unsigned height = est.BestSeenHeight();
    for (uint64_t id = 0; id < 10; ++id) est.ProcessTransaction(TxidOf(2'000'000 + id), 5'000, height, true);
    for (int i = 0; i < 5; ++i) est.ProcessBlock(++height, {});
    CHECK(est.EstimateRawFee(2, 0.85, FeeHorizon::SHORT).fail.in_mempool == 10);
    CHECK(est.EstimateRawFee(6, 0.85, FeeHorizon::SHORT).fail.in_mempool == 0); // waited 5 blocks only
    // Targets over half the horizon's 12 blocks are summed the other way: the same counts.
    for (int i = 0; i < 3; ++i) est.ProcessBlock(++height, {});
    CHECK(est.EstimateRawFee(8, 0.85, FeeHorizon::SHORT).fail.in_mempool == 10); // waited 8
    CHECK(est.EstimateRawFee(9, 0.85, FeeHorizon::SHORT).fail.in_mempool == 0);
    CHECK(est.EstimateRawFee(5, 0.85, FeeHorizon::SHORT).fail.in_mempool == 10);
    for (int i = 0; i < 7; ++i) est.ProcessBlock(++height, {});
    CHECK(est.EstimateRawFee(2, 0.85, FeeHorizon::SHORT).fail.in_mempool == 10);
    CHECK(est.EstimateRawFee(12, 0.85, FeeHorizon::SHORT).fail.in_mempool == 10);
    CHECK(est.RemoveTx(TxidOf(2'000'000)));
    CHECK(est.EstimateRawFee(2, 0.85, FeeHorizon::SHORT).fail.in_mempool == 9);
}
