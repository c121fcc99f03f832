// Header consensus rules (ContextualCheckBlockHeader): for each rule a block that breaks
// it by the smallest step, rejected with Core's reason, and a twin that just satisfies it,
// accepted. bad-diffbits (regtest and a retargeting network), time-too-old, time-too-new
// (on an injected clock), bad-version(0x...) at the BIP-34/66/65 heights, BIP-94's
// time-timewarp-attack, and the per-network flags these rules read.
#include "chain_builder.h"

#include "consensus/arith_uint256.h"
#include "consensus/limits.h"
#include "consensus/params.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>

using namespace consensus;
using testutil::ChainBuilder;

namespace {

constexpr uint32_t kRetargetLimitBits = 0x1f0fffff;
// A quarter of it (the most a too-fast period can raise the difficulty): 0x0fffff << 224
// becomes 0x0fffff << 222, whose compact form is 0x1f03ffff.
constexpr uint32_t kRetargetedBits = 0x1f03ffff;

std::string Reason(const ValidationResult& r) { return r.GetRejectReason(); }

void RequireValidBlock(const ValidationResult& r)
{
    INFO(r.ToString());
    REQUIRE(r.IsValid());
}

/** Mines one block on the tip with time t (and nothing else changed); REQUIREs it is accepted. */
void MineAt(ChainBuilder& b, int64_t t)
{
    const auto r = b.Mine({}, [t](Block& blk) { blk.time = static_cast<uint32_t>(t); });
    INFO(r.ToString());
    REQUIRE(r.IsValid());
}

/** Median of the last 11 block times up to index, computed here rather than by BlockIndex. */
int64_t MedianOfLast11(const node::chain::BlockIndex* index)
{
    std::vector<int64_t> times;
    for (; index && times.size() < 11; index = index->prev) times.push_back(index->GetBlockTime());
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

/**
 * A retargeting network for tests: regtest with 16-block periods (two weeks' ratio kept:
 * 600 s blocks) and a pow limit (and genesis bits) of 0x1f0fffff. Regtest's own limit,
 * near 2^255, would overflow 256 bits when a retarget multiplies it by the timespan, as it
 * would in Core; mainnet's limit is too hard to mine here.
 */
ChainParams RetargetingNetwork(bool allow_min_difficulty)
{
    ChainParams p = Params(ChainType::REGTEST);
    p.consensus.pow_no_retargeting = false;
    p.consensus.pow_allow_min_difficulty_blocks = allow_min_difficulty;
    p.consensus.pow_target_timespan = 16 * 600;
    ArithUint256 limit;
    limit.SetCompact(kRetargetLimitBits);
    p.consensus.pow_limit = ArithToUint256(limit);
    p.genesis.bits = kRetargetLimitBits; // the genesis block's own work is never checked
    p.consensus.hash_genesis_block = p.genesis.GetHash();
    return p;
}

} // namespace

TEST_CASE("bad-diffbits: on regtest (no retargeting) a block's bits must equal its parent's", "[node]")
{
    ChainBuilder b;
    b.MineBlocks(3);
    const auto* tip = b.Chain().Tip();
    REQUIRE(tip->bits == 0x207fffff);
    // Harder targets (an easier one than the pow limit fails as high-hash before this rule).
    for (const uint32_t bits : {0x207ffffeu, 0x201fffffu, 0x1f7fffffu}) {
        INFO(bits);
        CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, [bits](Block& blk) { blk.bits = bits; }))) == "bad-diffbits");
    }
    const auto r = b.Submit(b.MakeBlock(tip, {}, [](Block& blk) { blk.bits = 0x207fffff; }));
    INFO(r.ToString());
    CHECK(r.IsValid());
    CHECK(b.Chain().Height() == 4);
}

TEST_CASE("bad-diffbits: on a retargeting network the first block of a period must carry the new target", "[node]")
{
    const ChainParams params = RetargetingNetwork(false);
    REQUIRE(params.consensus.DifficultyAdjustmentInterval() == 16);
    ChainBuilder b(1, &params);
    b.MineBlocks(15); // one second apart: the period took far less than a quarter of its timespan
    const auto* tip = b.Chain().Tip();
    REQUIRE(tip->bits == kRetargetLimitBits);
    const auto with_bits = [](uint32_t bits) { return [bits](Block& blk) { blk.bits = bits; }; };
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, with_bits(kRetargetLimitBits)))) == "bad-diffbits");  // the parent's
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, with_bits(kRetargetedBits - 1)))) == "bad-diffbits"); // one step harder
    auto r = b.Submit(b.MakeBlock(tip, {}, with_bits(kRetargetedBits)));
    INFO(r.ToString());
    REQUIRE(r.IsValid());
    REQUIRE(b.Chain().Height() == 16);
    // Inside the period the bits stay; going back to the old target is not allowed.
    tip = b.Chain().Tip();
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, with_bits(kRetargetLimitBits)))) == "bad-diffbits");
    r = b.Submit(b.MakeBlock(tip));
    INFO(r.ToString());
    CHECK(r.IsValid());
    CHECK(b.Chain().Tip()->bits == kRetargetedBits);
}

TEST_CASE("bad-diffbits: the testnet minimum-difficulty exception starts strictly after 20 minutes", "[node]")
{
    const ChainParams params = RetargetingNetwork(true);
    ChainBuilder b(1, &params);
    b.MineBlocks(15);
    REQUIRE(b.Mine({}, [](Block& blk) { blk.bits = kRetargetedBits; }).IsValid()); // height 16
    const auto* tip = b.Chain().Tip();
    const int64_t t = tip->GetBlockTime();
    const auto at = [](int64_t time, uint32_t bits) {
        return [time, bits](Block& blk) {
            blk.time = static_cast<uint32_t>(time);
            blk.bits = bits;
        };
    };
    // Exactly 1200 s after the parent: the normal target is still required.
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, at(t + 1200, kRetargetLimitBits)))) == "bad-diffbits");
    // 1201 s: the minimum difficulty is required (the normal target is not it).
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, at(t + 1201, kRetargetedBits)))) == "bad-diffbits");
    auto r = b.Submit(b.MakeBlock(tip, {}, at(t + 1200, kRetargetedBits)));
    INFO(r.ToString());
    CHECK(r.IsValid());
    r = b.Submit(b.MakeBlock(b.Chain().Tip(), {}, at(t + 1200 + 1201, kRetargetLimitBits)));
    INFO(r.ToString());
    REQUIRE(r.IsValid());
    REQUIRE(b.Chain().Height() == 18);
    // After a minimum-difficulty block the target is the last one that did not use the
    // exception, not the parent's.
    tip = b.Chain().Tip();
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, at(tip->GetBlockTime() + 1, kRetargetLimitBits)))) == "bad-diffbits");
    r = b.Submit(b.MakeBlock(tip, {}, at(tip->GetBlockTime() + 1, kRetargetedBits)));
    INFO(r.ToString());
    CHECK(r.IsValid());
}

TEST_CASE("bad-diffbits with BIP-94: a retarget scales the period's first target, not a minimum-difficulty last block",
          "[node]")
{
    // Period 2 (heights 16..31) starts at the retargeted target and ends with a
    // minimum-difficulty block. Testnet3's rule scales the last block's bits (the pow
    // limit) at height 32; BIP-94 (testnet4) scales the first block's.
    for (const bool bip94 : {false, true}) {
        INFO("BIP-94 " << bip94);
        ChainParams params = RetargetingNetwork(true);
        params.consensus.enforce_bip94 = bip94;
        ChainBuilder b(1, &params);
        b.MineBlocks(15);
        RequireValidBlock(b.Mine({}, [](Block& blk) { blk.bits = kRetargetedBits; })); // height 16
        b.MineBlocks(14);
        const int64_t t30 = b.Chain().Tip()->GetBlockTime();
        RequireValidBlock(b.Mine({}, [t30](Block& blk) { // height 31, 1201 s late: minimum difficulty
            blk.time = static_cast<uint32_t>(t30 + 1201);
            blk.bits = kRetargetLimitBits;
        }));
        REQUIRE(b.Chain().Height() == 31);
        // The period took 1,216 s, less than a quarter of 9,600: the target is divided by 4.
        // 0x0fffff << 224 / 4 is 0x1f03ffff; 0x03ffff << 224 / 4 is 0x1f00ffff.
        const uint32_t expected = bip94 ? 0x1f00ffffu : kRetargetedBits;
        const uint32_t other = bip94 ? kRetargetedBits : 0x1f00ffffu;
        const auto* tip = b.Chain().Tip();
        const auto with_bits = [t = tip->GetBlockTime() + 1](uint32_t bits) {
            return [t, bits](Block& blk) {
                blk.time = static_cast<uint32_t>(t);
                blk.bits = bits;
            };
        };
        CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, with_bits(other)))) == "bad-diffbits");
        RequireValidBlock(b.Submit(b.MakeBlock(tip, {}, with_bits(expected))));
        CHECK(b.Chain().Height() == 32);
    }
}

TEST_CASE("time-too-old: a time equal to the median time past is rejected, one second more is accepted", "[node]")
{
    ChainBuilder b;
    b.MineBlocks(12);
    // A tip far ahead of its predecessors, so the median lies well below the parent's time.
    MineAt(b, b.Chain().Tip()->GetBlockTime() + 5000);
    const auto* tip = b.Chain().Tip();
    const int64_t mtp = MedianOfLast11(tip);
    REQUIRE(mtp == tip->GetMedianTimePast());
    REQUIRE(mtp < tip->GetBlockTime() - 4000);
    const auto at = [](int64_t time) { return [time](Block& blk) { blk.time = static_cast<uint32_t>(time); }; };
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, at(mtp - 1)))) == "time-too-old");
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, at(mtp)))) == "time-too-old");
    // Earlier than the parent is fine as long as it is after the median.
    const auto r = b.Submit(b.MakeBlock(tip, {}, at(mtp + 1)));
    INFO(r.ToString());
    CHECK(r.IsValid());
    CHECK(b.Chain().Tip()->GetBlockTime() == mtp + 1);
}

TEST_CASE("time-too-new: more than two hours ahead of the clock is rejected, exactly two hours accepted", "[node]")
{
    REQUIRE(MAX_FUTURE_BLOCK_TIME == 2 * 60 * 60);
    // The clock starts a day after the genesis block (regtest's blocks are one second apart).
    std::atomic<int64_t> now{Params(ChainType::REGTEST).genesis.GetBlockTime() + 86400};
    ChainBuilder b(1, nullptr,
                   [&now](node::chain::ChainstateOptions& o) { o.now_seconds = [&now] { return now.load(); }; });
    b.MineBlocks(2);
    const auto* tip = b.Chain().Tip();
    now = tip->GetBlockTime() + 100000;
    const auto at = [](int64_t time) { return [time](Block& blk) { blk.time = static_cast<uint32_t>(time); }; };
    const Block too_new = b.MakeBlock(tip, {}, at(now + MAX_FUTURE_BLOCK_TIME + 1));
    const Block just_in_time = b.MakeBlock(tip, {}, at(now + MAX_FUTURE_BLOCK_TIME));
    CHECK(Reason(b.Submit(too_new)) == "time-too-new");
    CHECK(Reason(b.Chain().ProcessNewBlockHeaders({too_new})) == "time-too-new");
    auto r = b.Submit(just_in_time);
    INFO(r.ToString());
    CHECK(r.IsValid());
    CHECK(b.Chain().Tip()->GetBlockHash() == just_in_time.GetHash());
    // Not invalid for ever (Core's BLOCK_TIME_FUTURE): a second later the same block is fine.
    now += 1;
    r = b.Submit(too_new);
    INFO(r.ToString());
    CHECK(r.IsValid());
}

TEST_CASE("bad-version: versions below 2, 3 and 4 are rejected from the BIP-34, BIP-66 and BIP-65 heights on", "[node]")
{
    ChainParams params = Params(ChainType::REGTEST);
    params.consensus.bip34_height = 2;
    params.consensus.bip66_height = 4;
    params.consensus.bip65_height = 6;
    ChainBuilder b(1, &params);
    const auto version = [](int32_t v) { return [v](Block& blk) { blk.version = v; }; };
    for (int height = 1; height <= 7; ++height) {
        const int min_version = height >= 6 ? 4 : height >= 4 ? 3 : height >= 2 ? 2 : 0;
        const auto* tip = b.Chain().Tip();
        for (int32_t v = 0; v <= 4; ++v) {
            if (v >= min_version) continue;
            char expected[32];
            std::snprintf(expected, sizeof(expected), "bad-version(0x%08x)", static_cast<unsigned>(v));
            INFO("height " << height << " version " << v);
            CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, version(v)))) == expected);
        }
        // The lowest version allowed (the first accepted block becomes the tip), then the next.
        for (int32_t v = min_version; v <= 4; ++v) {
            const auto r = b.Submit(b.MakeBlock(tip, {}, version(v)));
            INFO("height " << height << " version " << v << ": " << r.ToString());
            CHECK(r.IsValid());
        }
        REQUIRE(b.Chain().Height() == height);
        CHECK(b.Chain().Tip()->version == min_version);
    }
    // The version is printed as Core prints it: eight hex digits of the unsigned value.
    const auto* tip = b.Chain().Tip();
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, version(-1)))) == "bad-version(0xffffffff)");
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, version(INT32_MIN)))) == "bad-version(0x80000000)");
    CHECK(b.Submit(b.MakeBlock(tip, {}, version(0x20000000))).IsValid()); // BIP-9 versions are above 4
}

TEST_CASE("bad-version: on regtest every rule is active from height 1", "[node]")
{
    ChainBuilder b;
    const auto* genesis = b.Chain().Tip();
    CHECK(Reason(b.Submit(b.MakeBlock(genesis, {}, [](Block& blk) { blk.version = 3; }))) == "bad-version(0x00000003)");
    CHECK(b.Submit(b.MakeBlock(genesis, {}, [](Block& blk) { blk.version = 4; })).IsValid());
}

namespace {

/**
 * Mines to height interval - 1 with the last block far ahead of the others, so a period's
 * first block can be more than 600 s older than its parent and still after the median.
 */
void MineToPeriodEnd(ChainBuilder& b, int interval)
{
    b.MineBlocks(interval - 2);
    MineAt(b, b.Chain().Tip()->GetBlockTime() + 100000);
    REQUIRE(b.Chain().Height() == interval - 1);
}

} // namespace

TEST_CASE("time-timewarp-attack (BIP-94): a period's first block may be at most 600 s older than its parent", "[node]")
{
    REQUIRE(MAX_TIMEWARP == 600);
    // Regtest with BIP-94 enforced, as Core's regtest -test=bip94 (testnet4's own proof of
    // work is too hard to mine here; its flag is checked in the per-network test below).
    ChainParams params = Params(ChainType::REGTEST);
    params.consensus.enforce_bip94 = true;
    const int interval = static_cast<int>(params.consensus.DifficultyAdjustmentInterval());
    ChainBuilder b(1, &params);
    MineToPeriodEnd(b, interval);
    const auto* tip = b.Chain().Tip();
    const int64_t parent_time = tip->GetBlockTime();
    REQUIRE(tip->GetMedianTimePast() < parent_time - 50000);
    const auto at = [](int64_t time) { return [time](Block& blk) { blk.time = static_cast<uint32_t>(time); }; };
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, at(parent_time - 601)))) == "time-timewarp-attack");
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, at(parent_time - 50000)))) == "time-timewarp-attack");
    // time-too-old is checked first, as in Core.
    CHECK(Reason(b.Submit(b.MakeBlock(tip, {}, at(tip->GetMedianTimePast())))) == "time-too-old");
    auto r = b.Submit(b.MakeBlock(tip, {}, at(parent_time - 600)));
    INFO(r.ToString());
    REQUIRE(r.IsValid());
    REQUIRE(b.Chain().Height() == interval);
    // Only the first block of a period is bound: the next may go back further.
    tip = b.Chain().Tip();
    r = b.Submit(b.MakeBlock(tip, {}, at(tip->GetBlockTime() - 10000)));
    INFO(r.ToString());
    CHECK(r.IsValid());
}

TEST_CASE("time-timewarp-attack is not enforced on a network without BIP-94", "[node]")
{
    const ChainParams& params = Params(ChainType::REGTEST);
    REQUIRE_FALSE(params.consensus.enforce_bip94);
    ChainBuilder b(1, &params);
    MineToPeriodEnd(b, static_cast<int>(params.consensus.DifficultyAdjustmentInterval()));
    const auto* tip = b.Chain().Tip();
    const auto r = b.Submit(
        b.MakeBlock(tip, {}, [t = tip->GetBlockTime()](Block& blk) { blk.time = static_cast<uint32_t>(t - 50000); }));
    INFO(r.ToString());
    CHECK(r.IsValid());
}

TEST_CASE("The time and difficulty rules of each network are Core's", "[node]")
{
    struct Expect {
        ChainType chain;
        bool min_difficulty;
        bool no_retargeting;
        bool bip94;
        int64_t interval;
    };
    // Core's kernel/chainparams.cpp: fPowAllowMinDifficultyBlocks, fPowNoRetargeting,
    // enforce_BIP94 (regtest: only with -test=bip94), nPowTargetTimespan / nPowTargetSpacing.
    const Expect expected[] = {
        {ChainType::MAIN, false, false, false, 2016},   {ChainType::TESTNET, true, false, false, 2016},
        {ChainType::TESTNET4, true, false, true, 2016}, {ChainType::SIGNET, false, false, false, 2016},
        {ChainType::REGTEST, true, true, false, 144},
    };
    for (const auto& e : expected) {
        const auto& c = Params(e.chain).consensus;
        INFO(ChainTypeToString(e.chain));
        CHECK(c.pow_allow_min_difficulty_blocks == e.min_difficulty);
        CHECK(c.pow_no_retargeting == e.no_retargeting);
        CHECK(c.enforce_bip94 == e.bip94);
        CHECK(c.pow_target_spacing == 600);
        CHECK(c.DifficultyAdjustmentInterval() == e.interval);
    }
    CHECK(MAX_FUTURE_BLOCK_TIME == 7200);
    CHECK(MAX_TIMEWARP == 600);
}
