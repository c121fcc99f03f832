// ArithUint256 arithmetic, the compact nBits encoding, proof-of-work checks, chain work
// and the retarget rules. Expected values are Bitcoin Core's (arith_uint256_tests, pow_tests).
#include "consensus/arith_uint256.h"
#include "consensus/params.h"
#include "consensus/pow.h"

#include <catch2/catch.hpp>

#include <map>

using namespace consensus;

namespace {

ArithUint256 FromHex(const std::string& hex)
{
    auto u = Uint256::FromHex(hex);
    REQUIRE(u);
    return UintToArith256(*u);
}

struct CompactCase {
    uint32_t compact;
    std::string hex; // value as 64 hex digits, most significant first
    uint32_t round_trip;
    bool negative;
    bool overflow;
};

} // namespace

TEST_CASE("ArithUint256 adds, subtracts and wraps around modulo 2^256", "[consensus]")
{
    const ArithUint256 max = ~ArithUint256();
    CHECK(max + 1 == ArithUint256());
    CHECK(ArithUint256() - 1 == max);
    CHECK((ArithUint256(0xffffffffULL) + 1).GetLow64() == 0x100000000ULL);
    CHECK(ArithUint256(5) - ArithUint256(3) == ArithUint256(2));
    ArithUint256 x(0xffffffffffffffffULL);
    ++x;
    CHECK(x == ArithUint256(1) << 64);
    --x;
    CHECK(x == ArithUint256(0xffffffffffffffffULL));
    CHECK(-ArithUint256(1) == max);
}

TEST_CASE("ArithUint256 multiplies and divides like big integers", "[consensus]")
{
    const ArithUint256 a = FromHex("000000000000000000000000000000000000000000000000ffffffffffffffff");
    const ArithUint256 sq = a * a;
    CHECK(sq.GetHex() == "00000000000000000000000000000000fffffffffffffffe0000000000000001");
    CHECK(sq / a == a);
    CHECK(sq / uint32_t{1} == sq);
    CHECK(ArithUint256(1000) / ArithUint256(7) == ArithUint256(142));
    CHECK(ArithUint256(7) / ArithUint256(1000) == ArithUint256(0));
    CHECK((ArithUint256(3) * uint32_t{0x80000000}).GetLow64() == 0x180000000ULL);
    // A 64-bit factor must not be truncated to 32 bits.
    CHECK((ArithUint256(1) * int64_t{0x100000000LL}).GetLow64() == 0x100000000ULL);
    CHECK_THROWS_AS(ArithUint256(1) / ArithUint256(0), ArithError);
    // (2^256 - 1) / 3 = 0x5555...5555
    CHECK((~ArithUint256() / ArithUint256(3)).GetHex() == std::string(64, '5'));
}

TEST_CASE("ArithUint256 shifts, compares and counts bits", "[consensus]")
{
    const ArithUint256 one(1);
    CHECK((one << 255).GetHex() == "8" + std::string(63, '0'));
    CHECK((one << 256) == ArithUint256());
    CHECK(((one << 255) >> 255) == one);
    CHECK(((one << 100) >> 37) == (one << 63));
    CHECK((one << 31 << 1) == (one << 32));
    CHECK(ArithUint256().bits() == 0);
    CHECK(one.bits() == 1);
    CHECK((one << 200).bits() == 201);
    CHECK(ArithUint256(2) > one);
    CHECK((one << 128) > ArithUint256(0xffffffffffffffffULL));
    CHECK(ArithUint256(0) < one);
    CHECK((ArithUint256(0xf0) & ArithUint256(0x3c)) == ArithUint256(0x30));
    CHECK((ArithUint256(0xf0) | ArithUint256(0x0f)) == ArithUint256(0xff));
    CHECK((ArithUint256(0xff) ^ ArithUint256(0x0f)) == ArithUint256(0xf0));
    CHECK((one << 64).GetDouble() == Approx(18446744073709551616.0));
}

TEST_CASE("Uint256 and ArithUint256 convert both ways little-endian", "[consensus]")
{
    const std::string hex = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
    const auto h = Uint256::FromHex(hex);
    REQUIRE(h);
    const ArithUint256 a = UintToArith256(*h);
    CHECK(a.GetHex() == hex);
    CHECK(ArithToUint256(a) == *h);
    CHECK(a.GetLimb(0) == 0x0a8ce26fU);
}

TEST_CASE("SetCompact and GetCompact follow Bitcoin's nBits rules", "[consensus]")
{
    const std::string z(64, '0');
    const std::vector<CompactCase> cases = {
        {0x00000000, z, 0, false, false},
        {0x00123456, z, 0, false, false},
        {0x01003456, z, 0, false, false},
        {0x02000056, z, 0, false, false},
        {0x03000000, z, 0, false, false},
        {0x04000000, z, 0, false, false},
        {0x00923456, z, 0, false, false},
        {0x01803456, z, 0, false, false},
        {0x02800056, z, 0, false, false},
        {0x03800000, z, 0, false, false},
        {0x04800000, z, 0, false, false},
        {0x01123456, std::string(62, '0') + "12", 0x01120000, false, false},
        {0x01fedcba, std::string(62, '0') + "7e", 0x01fe0000, true, false},
        {0x02123456, std::string(60, '0') + "1234", 0x02123400, false, false},
        {0x03123456, std::string(58, '0') + "123456", 0x03123456, false, false},
        {0x04123456, std::string(56, '0') + "12345600", 0x04123456, false, false},
        {0x04923456, std::string(56, '0') + "12345600", 0x04923456, true, false},
        {0x05009234, std::string(56, '0') + "92340000", 0x05009234, false, false},
        {0x20123456, "123456" + std::string(58, '0'), 0x20123456, false, false},
    };
    for (const auto& c : cases) {
        INFO("compact " << std::hex << c.compact);
        bool negative = true;
        bool overflow = true;
        ArithUint256 v;
        v.SetCompact(c.compact, &negative, &overflow);
        CHECK(v.GetHex() == c.hex);
        CHECK(v.GetCompact(negative) == c.round_trip);
        CHECK(negative == c.negative);
        CHECK(overflow == c.overflow);
    }
    bool negative = false;
    bool overflow = false;
    ArithUint256().SetCompact(0xff123456, &negative, &overflow);
    CHECK(overflow);
    CHECK_FALSE(negative);
    // Largest representable sizes: 0x22 with one mantissa byte fits, 0x23 overflows.
    ArithUint256().SetCompact(0x22000001, nullptr, &overflow);
    CHECK_FALSE(overflow);
    ArithUint256().SetCompact(0x23000001, nullptr, &overflow);
    CHECK(overflow);
    ArithUint256().SetCompact(0x21010000, nullptr, &overflow);
    CHECK(overflow);
    // GetCompact normalises a mantissa with the sign bit set into one more byte.
    CHECK(ArithUint256(0x80).GetCompact() == 0x02008000U);
    CHECK(ArithUint256(0x80).GetCompact(true) == 0x02808000U);
    CHECK(ArithUint256().GetCompact(true) == 0U);
}

TEST_CASE("Compact targets round-trip for every network's pow limit", "[consensus]")
{
    const std::map<ChainType, uint32_t> expected = {{ChainType::MAIN, 0x1d00ffff},
                                                    {ChainType::TESTNET, 0x1d00ffff},
                                                    {ChainType::TESTNET4, 0x1d00ffff},
                                                    {ChainType::SIGNET, 0x1e0377ae},
                                                    {ChainType::REGTEST, 0x207fffff}};
    for (const auto& [chain, bits] : expected) {
        const ArithUint256 limit = UintToArith256(Params(chain).consensus.pow_limit);
        CHECK(limit.GetCompact() == bits);
        CHECK(ArithUint256().SetCompact(bits) <= limit);
        CHECK(Params(chain).genesis.bits == bits);
    }
}

TEST_CASE("CheckProofOfWork rejects negative, zero, overflowing and too-easy targets", "[consensus]")
{
    const auto& main = Params(ChainType::MAIN).consensus;
    const Uint256 genesis = Params(ChainType::MAIN).genesis.GetHash();
    CHECK(CheckProofOfWork(genesis, 0x1d00ffff, main));
    // A harder target the genesis hash does not meet.
    CHECK_FALSE(CheckProofOfWork(genesis, 0x1b00ffff, main));
    // Negative target.
    CHECK_FALSE(CheckProofOfWork(Uint256(), 0x1d80ffff, main));
    // Zero target.
    CHECK_FALSE(CheckProofOfWork(Uint256(), 0x1d000000, main));
    CHECK_FALSE(CheckProofOfWork(Uint256(), 0, main));
    // Overflowing target.
    CHECK_FALSE(CheckProofOfWork(Uint256(), 0xff123456, main));
    // Above the pow limit (regtest's minimum difficulty on mainnet).
    CHECK_FALSE(CheckProofOfWork(Uint256(), 0x207fffff, main));
    CHECK(CheckProofOfWork(Uint256(), 0x207fffff, Params(ChainType::REGTEST).consensus));
    // The hash equal to the target passes; one more fails.
    const ArithUint256 target = ArithUint256().SetCompact(0x1d00ffff);
    CHECK(CheckProofOfWork(ArithToUint256(target), 0x1d00ffff, main));
    CHECK_FALSE(CheckProofOfWork(ArithToUint256(target + 1), 0x1d00ffff, main));
    CHECK_FALSE(DeriveTarget(0x1d80ffff, main.pow_limit));
    CHECK(DeriveTarget(0x1d00ffff, main.pow_limit) == target);
}

TEST_CASE("GetBlockProof gives 2^256 / (target + 1)", "[consensus]")
{
    // Mainnet's genesis difficulty: 0x100010001 hashes per block.
    CHECK(GetBlockProof(0x1d00ffff) == ArithUint256(0x100010001ULL));
    // Regtest: target 0x7fffff << 232, about 2 hashes.
    CHECK(GetBlockProof(0x207fffff) == ArithUint256(2));
    // Invalid targets give no work.
    CHECK(GetBlockProof(0) == ArithUint256());
    CHECK(GetBlockProof(0x1d80ffff) == ArithUint256());
    CHECK(GetBlockProof(0xff123456) == ArithUint256());
    // Target 1 (0x01010000) -> 2^255.
    CHECK(GetBlockProof(0x01010000) == ArithUint256(1) << 255);
    // Harder targets mean more work.
    CHECK(GetBlockProof(0x1b0404cb) > GetBlockProof(0x1d00ffff));
}

TEST_CASE("CalculateNextWorkRequired matches Core's retarget examples", "[consensus]")
{
    const auto& main = Params(ChainType::MAIN).consensus;
    // Ordinary retarget at height 32256.
    CHECK(CalculateNextWorkRequired(0x1d00ffff, 1262152739, 1261130161, main) == 0x1d00d86aU);
    // Slower than two weeks: capped at the pow limit.
    CHECK(CalculateNextWorkRequired(0x1d00ffff, 1233061996, 1231006505, main) == 0x1d00ffffU);
    // Far faster than two weeks: clamped to a factor of 4 harder.
    CHECK(CalculateNextWorkRequired(0x1c05a3f4, 1279297671, 1279008237, main) == 0x1c0168fdU);
    // Far slower: clamped to a factor of 4 easier.
    CHECK(CalculateNextWorkRequired(0x1c387f6f, 1269211443, 1263163443, main) == 0x1d00e1fdU);
}

TEST_CASE("Retarget clamps the timespan to a quarter and four times two weeks", "[consensus]")
{
    const auto& main = Params(ChainType::MAIN).consensus;
    const int64_t t = main.pow_target_timespan;
    const uint32_t bits = 0x1b0404cb;
    const ArithUint256 base = ArithUint256().SetCompact(bits);
    const auto next = [&](int64_t span) {
        return CalculateNextWorkRequired(bits, 1000000000 + span, 1000000000, main);
    };
    CHECK(next(t) == bits);
    CHECK(next(1) == next(t / 4));
    CHECK(next(-5000) == next(t / 4));
    CHECK(next(t * 100) == next(t * 4));
    CHECK(next(t / 4) == (base / uint32_t{4}).GetCompact());
    CHECK(next(t * 4) == (base * uint32_t{4}).GetCompact());
    // Regtest never retargets.
    CHECK(CalculateNextWorkRequired(0x207fffff, 10, 0, Params(ChainType::REGTEST).consensus) == 0x207fffffU);
}

TEST_CASE("BIP-94 retargets from the first block of the period", "[consensus]")
{
    const auto& t4 = Params(ChainType::TESTNET4).consensus;
    REQUIRE(t4.enforce_bip94);
    const int64_t t = t4.pow_target_timespan;
    // The last block used min difficulty; BIP-94 ignores it and scales the first block's bits.
    CHECK(CalculateNextWorkRequired(0x1d00ffff, 1000 + t, 1000, 0x1c0fffff, t4) == 0x1c0fffffU);
    const auto& test3 = Params(ChainType::TESTNET).consensus;
    CHECK(CalculateNextWorkRequired(0x1d00ffff, 1000 + t, 1000, 0x1c0fffff, test3) == 0x1d00ffffU);
}

TEST_CASE("GetNextWorkRequired applies the testnet minimum-difficulty rule", "[consensus]")
{
    const auto& test3 = Params(ChainType::TESTNET).consensus;
    const auto& main = Params(ChainType::MAIN).consensus;
    const uint32_t limit = 0x1d00ffff;
    // Chain: heights 0..2020; 2016 has real bits, 2017..2019 are min-difficulty blocks.
    const auto ancestor = [&](int h) {
        PowHeader p{h, h >= 2017 ? limit : uint32_t{0x1c0fffff}, 1000 + int64_t{h} * 600};
        return p;
    };
    const PowHeader last = ancestor(2019);
    // Genesis gets the pow limit.
    CHECK(GetNextWorkRequired(std::nullopt, 0, ancestor, main) == limit);
    // More than 20 minutes later: minimum difficulty allowed.
    CHECK(GetNextWorkRequired(last, last.time + 1201, ancestor, test3) == limit);
    // Within 20 minutes: walk back to the last real difficulty.
    CHECK(GetNextWorkRequired(last, last.time + 600, ancestor, test3) == 0x1c0fffffU);
    // Mainnet ignores the rule.
    CHECK(GetNextWorkRequired(last, last.time + 1201, ancestor, main) == limit);
    // At a boundary the retarget uses the block interval - 1 back.
    const auto steady = [](int h) { return PowHeader{h, 0x1c0fffff, 1000 + int64_t{h} * 600}; };
    const PowHeader end = steady(4031);
    CHECK(GetNextWorkRequired(end, end.time + 600, steady, main) ==
          CalculateNextWorkRequired(0x1c0fffff, end.time, steady(2016).time, main));
}

TEST_CASE("PermittedDifficultyTransition allows only clamped changes at boundaries", "[consensus]")
{
    const auto& main = Params(ChainType::MAIN).consensus;
    CHECK(PermittedDifficultyTransition(main, 32256, 0x1d00ffff, 0x1d00d86a));
    CHECK(PermittedDifficultyTransition(main, 32257, 0x1d00d86a, 0x1d00d86a));
    CHECK_FALSE(PermittedDifficultyTransition(main, 32257, 0x1d00d86a, 0x1d00d86b));
    const uint32_t bits = 0x1b0404cb;
    const ArithUint256 base = ArithUint256().SetCompact(bits);
    CHECK(PermittedDifficultyTransition(main, 2016, bits, (base * uint32_t{4}).GetCompact()));
    CHECK_FALSE(PermittedDifficultyTransition(main, 2016, bits, (base * uint32_t{5}).GetCompact()));
    CHECK(PermittedDifficultyTransition(main, 2016, bits, (base / uint32_t{4}).GetCompact()));
    CHECK_FALSE(PermittedDifficultyTransition(main, 2016, bits, (base / uint32_t{5}).GetCompact()));
    CHECK(PermittedDifficultyTransition(Params(ChainType::TESTNET).consensus, 5, bits, 0x1d00ffff));
}
