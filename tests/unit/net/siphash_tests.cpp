// SipHash-2-4 (net/siphash.h) against Bitcoin Core's vectors (bitcoin-core/siphash.json, read at
// run time), the fast paths against the streaming hasher, and the reference vector of the SipHash
// paper (Appendix A: key 00..0f, message 00..0e).
#include "net/siphash.h"

#include "consensus/hex.h"
#include "vectors.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <numeric>

namespace {

uint64_t ParseU64(const std::string& hex)
{
    REQUIRE(hex.size() == 16);
    return std::strtoull(hex.c_str(), nullptr, 16);
}

} // namespace

TEST_CASE("SipHash-2-4 matches Bitcoin Core's siphash vectors", "[vectors][net]")
{
    REQUIRE_VECTOR(path, "bitcoin-core/siphash.json");
    const auto cases = nlohmann::json::parse(testutil::ReadFile(path));
    size_t ran = 0, fast256 = 0, fast_extra = 0;
    for (const auto& c : cases) {
        const uint64_t k0 = ParseU64(c["key"][0]);
        const uint64_t k1 = ParseU64(c["key"][1]);
        const uint64_t expected = ParseU64(c["expected"]["siphash24"]);
        std::vector<std::vector<uint8_t>> chunks;
        for (const auto& chunk : c["input"]) chunks.push_back(testutil::ParseHexOrFail(chunk));
        INFO("case " << ran << ": " << c.dump());

        net::SipHasher h(k0, k1);
        for (const auto& chunk : chunks) h.Write(chunk);
        CHECK(h.Finalize() == expected);
        // Byte by byte gives the same result (the tail buffering across chunk boundaries).
        net::SipHasher bytewise(k0, k1);
        for (const auto& chunk : chunks)
            for (uint8_t b : chunk) bytewise.Write(std::span<const uint8_t>(&b, 1));
        CHECK(bytewise.Finalize() == expected);

        if (chunks.size() == 1 && chunks[0].size() == 32) {
            CHECK(net::SipHashUint256(k0, k1, consensus::Uint256(chunks[0])) == expected);
            ++fast256;
        }
        if (chunks.size() == 2 && chunks[0].size() == 32 && chunks[1].size() == 4) {
            const auto& e = chunks[1];
            const uint32_t extra = uint32_t(e[0]) | uint32_t(e[1]) << 8 | uint32_t(e[2]) << 16 | uint32_t(e[3]) << 24;
            CHECK(net::SipHashUint256Extra(k0, k1, consensus::Uint256(chunks[0]), extra) == expected);
            ++fast_extra;
        }
        ++ran;
    }
    std::printf("siphash.json: %zu cases (%zu through SipHashUint256, %zu through SipHashUint256Extra)\n", ran, fast256,
                fast_extra);
    testutil::RequireCaseCount("bitcoin-core/siphash.json", 146, cases.size(), ran);
    CHECK(fast256 == 13);
    CHECK(fast_extra == 11);
}

TEST_CASE("SipHash-2-4 gives the SipHash paper's reference output", "[net]")
{
    // Appendix A of "SipHash: a fast short-input PRF": key 00 01 .. 0f, message 00 01 .. 0e,
    // output a129ca6149be45e5.
    net::SipHasher h(0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL);
    std::vector<uint8_t> msg(15);
    std::iota(msg.begin(), msg.end(), uint8_t{0});
    CHECK(h.Write(msg).Finalize() == 0xa129ca6149be45e5ULL);
    // Finalize does not consume: more bytes can follow, and WriteU64 equals 8 written bytes.
    net::SipHasher a(1, 2), b(1, 2);
    a.Write(msg).WriteU64(0x1122334455667788ULL);
    const uint8_t le[8] = {0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11};
    b.Write(msg);
    (void)b.Finalize();
    b.Write(le);
    CHECK(a.Finalize() == b.Finalize());
    net::SipHasher aligned(1, 2), bytes(1, 2);
    CHECK(aligned.WriteU64(0x1122334455667788ULL).Finalize() == bytes.Write(le).Finalize());
}
