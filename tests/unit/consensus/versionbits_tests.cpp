// BIP-9 state machine (consensus/versionbits.h) over a fake chain: period transitions,
// threshold met exactly vs one short, timeout, min_activation_height, always/never active,
// statistics, and the block version a miner computes.
#include "consensus/params.h"
#include "consensus/versionbits.h"

#include <catch2/catch.hpp>

#include <memory>

using namespace consensus;

namespace {

/** A minimal block index: the fields and methods the templates use. MTP is set directly. */
struct FakeIndex {
    int height{0};
    int32_t version{0};
    int64_t mtp{0};
    FakeIndex* prev{nullptr};
    int64_t GetMedianTimePast() const { return mtp; }
    const FakeIndex* GetAncestor(int h) const
    {
        const FakeIndex* b = this;
        if (h < 0 || h > height) return nullptr;
        while (b && b->height > h) b = b->prev;
        return b;
    }
};

constexpr int PERIOD = 10;
constexpr int THRESHOLD = 8;
constexpr int BIT = 5;
constexpr int32_t SIGNAL = static_cast<int32_t>(VERSIONBITS_TOP_BITS | (1u << BIT));
constexpr int32_t NO_SIGNAL = static_cast<int32_t>(VERSIONBITS_TOP_BITS);

/** A chain of fake blocks (from a genesis block at MTP 0) and the params of one deployment (TESTDUMMY slot) on it. */
struct FakeChain {
    std::vector<std::unique_ptr<FakeIndex>> blocks;
    ConsensusParams params;
    ThresholdCache<FakeIndex> cache;

    FakeChain(int64_t start, int64_t timeout, int min_height = 0)
    {
        params.miner_confirmation_window = PERIOD;
        params.rule_change_activation_threshold = THRESHOLD;
        params.Deployment(DeploymentPos::TESTDUMMY) = Bip9Deployment{BIT, start, timeout, min_height};
        params.Deployment(DeploymentPos::TAPROOT) =
            Bip9Deployment{2, Bip9Deployment::NEVER_ACTIVE, Bip9Deployment::NO_TIMEOUT, 0};
        Mine(1, NO_SIGNAL, 0); // the genesis block, height 0
    }
    /** Appends n blocks with this version and MTP. */
    FakeChain& Mine(int n, int32_t version, int64_t mtp)
    {
        for (int i = 0; i < n; ++i) {
            auto b = std::make_unique<FakeIndex>();
            b->prev = blocks.empty() ? nullptr : blocks.back().get();
            b->height = b->prev ? b->prev->height + 1 : 0;
            b->version = version;
            b->mtp = mtp;
            blocks.push_back(std::move(b));
        }
        return *this;
    }
    const FakeIndex* Tip() const { return blocks.empty() ? nullptr : blocks.back().get(); }
    /** State for the next block, computed with the shared cache and with a fresh one (they must agree). */
    ThresholdState Next()
    {
        ThresholdCache<FakeIndex> fresh;
        const ThresholdState a = GetStateFor(Tip(), params, DeploymentPos::TESTDUMMY, cache);
        const ThresholdState b = GetStateFor(Tip(), params, DeploymentPos::TESTDUMMY, fresh);
        REQUIRE(a == b);
        return a;
    }
    int Since() { return GetStateSinceHeightFor(Tip(), params, DeploymentPos::TESTDUMMY, cache); }
};

} // namespace

TEST_CASE("BIP-9 stays DEFINED until a period ends with MTP at the start time, then STARTED", "[consensus]")
{
    FakeChain c(1000, Bip9Deployment::NO_TIMEOUT);
    CHECK(c.Next() == ThresholdState::DEFINED); // after genesis
    CHECK(GetStateFor<FakeIndex>(nullptr, c.params, DeploymentPos::TESTDUMMY, c.cache) == ThresholdState::DEFINED);
    c.Mine(PERIOD - 1, SIGNAL, 999);            // heights 1..9
    CHECK(c.Next() == ThresholdState::DEFINED); // the period ended before the start time
    c.Mine(PERIOD, SIGNAL, 999);
    CHECK(c.Next() == ThresholdState::DEFINED);
    // Signalling while DEFINED does not count; the start time reached at a period end starts it.
    c.Mine(PERIOD - 1, SIGNAL, 1000);
    CHECK(c.Next() == ThresholdState::DEFINED); // mid-period: still the period's state
    c.Mine(1, SIGNAL, 1000);
    CHECK(c.Next() == ThresholdState::STARTED);
    CHECK(c.Since() == 3 * PERIOD);
}

TEST_CASE("BIP-9 locks in with the threshold met exactly, not one short, and activates a period later", "[consensus]")
{
    // {signalling blocks, of which carry the bit without the 001 top bits}
    for (auto [signalling, bad_top] : {std::pair{THRESHOLD - 1, 0}, std::pair{THRESHOLD, 0}, std::pair{THRESHOLD, 1}}) {
        FakeChain c(0, Bip9Deployment::NO_TIMEOUT);
        c.Mine(PERIOD - 1, NO_SIGNAL, 0); // first period: DEFINED -> STARTED at its end (MTP 0 >= start 0)
        REQUIRE(c.Next() == ThresholdState::STARTED);
        c.Mine(PERIOD - signalling, NO_SIGNAL, 10).Mine(signalling, SIGNAL, 10);
        // A block without the top bits 001 never counts, even with the bit set.
        if (bad_top) c.blocks.back()->version = static_cast<int32_t>(0x40000000u | (1u << BIT));
        if (signalling == THRESHOLD && !bad_top) {
            CHECK(c.Next() == ThresholdState::LOCKED_IN);
            CHECK(c.Since() == 2 * PERIOD);
            c.Mine(PERIOD, NO_SIGNAL, 20);
            CHECK(c.Next() == ThresholdState::ACTIVE);
            CHECK(c.Since() == 3 * PERIOD);
            c.Mine(3 * PERIOD, NO_SIGNAL, 30);
            CHECK(c.Next() == ThresholdState::ACTIVE); // terminal
            CHECK(c.Since() == 3 * PERIOD);
        } else {
            CHECK(c.Next() == ThresholdState::STARTED);
            CHECK(c.Since() == PERIOD);
        }
    }
}

TEST_CASE("BIP-9 fails at the timeout unless the same period locked in", "[consensus]")
{
    SECTION("timeout without enough signals")
    {
        FakeChain c(0, 100);
        c.Mine(PERIOD - 1, NO_SIGNAL, 0);
        REQUIRE(c.Next() == ThresholdState::STARTED);
        c.Mine(PERIOD, SIGNAL, 99); // locks in: MTP before the timeout does not matter
        CHECK(c.Next() == ThresholdState::LOCKED_IN);
    }
    SECTION("period ending at the timeout with too few signals fails")
    {
        FakeChain c(0, 100);
        c.Mine(PERIOD - 1, NO_SIGNAL, 0);
        c.Mine(PERIOD, NO_SIGNAL, 100);
        CHECK(c.Next() == ThresholdState::FAILED);
        CHECK(c.Since() == 2 * PERIOD);
        c.Mine(PERIOD, SIGNAL, 200); // terminal: signals after failing change nothing
        CHECK(c.Next() == ThresholdState::FAILED);
    }
    SECTION("threshold reached in the period that ends after the timeout still locks in")
    {
        FakeChain c(0, 100);
        c.Mine(PERIOD - 1, NO_SIGNAL, 0);
        c.Mine(PERIOD, SIGNAL, 150);
        CHECK(c.Next() == ThresholdState::LOCKED_IN);
    }
    SECTION("a deployment whose start is after its timeout never reaches STARTED before failing")
    {
        FakeChain c(50, 40);
        c.Mine(PERIOD - 1, SIGNAL, 60);
        CHECK(c.Next() == ThresholdState::STARTED);
        c.Mine(PERIOD, NO_SIGNAL, 60);
        CHECK(c.Next() == ThresholdState::FAILED);
    }
}

TEST_CASE("BIP-9 LOCKED_IN waits for min_activation_height", "[consensus]")
{
    FakeChain c(0, Bip9Deployment::NO_TIMEOUT, 4 * PERIOD);
    c.Mine(PERIOD - 1, NO_SIGNAL, 0);
    c.Mine(PERIOD, SIGNAL, 0);
    REQUIRE(c.Next() == ThresholdState::LOCKED_IN);
    c.Mine(PERIOD, NO_SIGNAL, 0); // the block after is at height 3 * PERIOD < 4 * PERIOD
    CHECK(c.Next() == ThresholdState::LOCKED_IN);
    CHECK(c.Since() == 2 * PERIOD);
    c.Mine(PERIOD, NO_SIGNAL, 0); // next block at 4 * PERIOD
    CHECK(c.Next() == ThresholdState::ACTIVE);
    CHECK(c.Since() == 4 * PERIOD);
}

TEST_CASE("BIP-9 ALWAYS_ACTIVE and NEVER_ACTIVE ignore the chain", "[consensus]")
{
    FakeChain always(Bip9Deployment::ALWAYS_ACTIVE, Bip9Deployment::NO_TIMEOUT);
    CHECK(always.Next() == ThresholdState::ACTIVE);
    always.Mine(3 * PERIOD, NO_SIGNAL, 0);
    CHECK(always.Next() == ThresholdState::ACTIVE);
    CHECK(always.Since() == 0);
    FakeChain never(Bip9Deployment::NEVER_ACTIVE, Bip9Deployment::NO_TIMEOUT);
    never.Mine(3 * PERIOD, SIGNAL, 1'000'000);
    CHECK(never.Next() == ThresholdState::FAILED);
    CHECK(never.Since() == 0);
}

TEST_CASE("BIP-9 statistics count the current period's signals and whether the threshold is still possible",
          "[consensus]")
{
    FakeChain c(0, Bip9Deployment::NO_TIMEOUT);
    c.Mine(PERIOD - 1, NO_SIGNAL, 0);           // heights 1..9
    c.Mine(2, SIGNAL, 0).Mine(1, NO_SIGNAL, 0); // heights 10, 11 signal; 12 does not
    std::vector<bool> sig;
    Bip9Stats s = GetStateStatisticsFor(c.Tip(), c.params, DeploymentPos::TESTDUMMY, &sig);
    CHECK(s.period == PERIOD);
    CHECK(s.threshold == THRESHOLD);
    CHECK(s.elapsed == 3);
    CHECK(s.count == 2);
    CHECK(s.possible); // 1 miss allowed so far of PERIOD - THRESHOLD = 2
    CHECK(sig == std::vector<bool>{true, true, false});
    c.Mine(2, NO_SIGNAL, 0); // three misses: 8 of 10 no longer reachable
    s = GetStateStatisticsFor(c.Tip(), c.params, DeploymentPos::TESTDUMMY, &sig);
    CHECK(s.elapsed == 5);
    CHECK(s.count == 2);
    CHECK_FALSE(s.possible);
    // The last block of a period counts the whole period.
    c.Mine(5, SIGNAL, 0);
    s = GetStateStatisticsFor(c.Tip(), c.params, DeploymentPos::TESTDUMMY, &sig);
    CHECK(s.elapsed == PERIOD);
    CHECK(s.count == 7);
    CHECK(sig.size() == static_cast<size_t>(PERIOD));
    const Bip9Stats empty = GetStateStatisticsFor<FakeIndex>(nullptr, c.params, DeploymentPos::TESTDUMMY);
    CHECK((empty.elapsed == 0 && empty.period == PERIOD && empty.threshold == THRESHOLD));
}

TEST_CASE("ComputeBlockVersion sets the bits of STARTED and LOCKED_IN deployments only", "[consensus]")
{
    FakeChain c(0, Bip9Deployment::NO_TIMEOUT);
    VersionBitsCaches<FakeIndex> caches;
    const int32_t top = static_cast<int32_t>(VERSIONBITS_TOP_BITS);
    CHECK(ComputeBlockVersion<FakeIndex>(nullptr, c.params, caches) == top); // DEFINED at genesis
    c.Mine(PERIOD - 1, NO_SIGNAL, 0);
    CHECK(ComputeBlockVersion(c.Tip(), c.params, caches) == SIGNAL); // STARTED
    c.Mine(PERIOD, SIGNAL, 0);
    CHECK(ComputeBlockVersion(c.Tip(), c.params, caches) == SIGNAL); // LOCKED_IN
    c.Mine(PERIOD, SIGNAL, 0);
    CHECK(ComputeBlockVersion(c.Tip(), c.params, caches) == top); // ACTIVE: no longer signalled
}

TEST_CASE("Network deployments follow Core's chainparams", "[consensus]")
{
    const ConsensusParams& reg = Params(ChainType::REGTEST).consensus;
    CHECK(reg.miner_confirmation_window == 144);
    CHECK(reg.rule_change_activation_threshold == 108);
    const Bip9Deployment& dummy = reg.Deployment(DeploymentPos::TESTDUMMY);
    CHECK((dummy.bit == 28 && dummy.start_time == 0 && dummy.timeout == Bip9Deployment::NO_TIMEOUT &&
           dummy.min_activation_height == 0));
    CHECK(reg.Deployment(DeploymentPos::TAPROOT).start_time == Bip9Deployment::ALWAYS_ACTIVE);
    const ConsensusParams& main = Params(ChainType::MAIN).consensus;
    CHECK((main.miner_confirmation_window == 2016 && main.rule_change_activation_threshold == 1815));
    CHECK(main.Deployment(DeploymentPos::TESTDUMMY).start_time == Bip9Deployment::NEVER_ACTIVE);
    const Bip9Deployment& taproot = main.Deployment(DeploymentPos::TAPROOT);
    CHECK((taproot.bit == 2 && taproot.start_time == 1619222400 && taproot.timeout == 1628640000 &&
           taproot.min_activation_height == 709632));
    CHECK(Params(ChainType::TESTNET).consensus.rule_change_activation_threshold == 1512);
}
