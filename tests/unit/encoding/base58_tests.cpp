// Base58 and Base58Check: bad input and real mainnet addresses. Core's base58_encode_decode.json
// pairs run in tests/unit/rpc/key_io_vectors_tests.cpp.
#include "consensus/encoding/base58.h"
#include "consensus/hex.h"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

using namespace consensus;
using namespace consensus::encoding;

namespace {

std::vector<uint8_t> Hex(const std::string& hex)
{
    auto b = TryParseHex(hex);
    REQUIRE(b);
    return *b;
}

} // namespace

TEST_CASE("Base58 decoding rejects bad characters and over-long results", "[encoding]")
{
    CHECK_FALSE(DecodeBase58("invalid0", 100));       // '0' is not in the alphabet
    CHECK_FALSE(DecodeBase58("3SEo3LWLoPntCl", 100)); // 'l' neither
    CHECK_FALSE(DecodeBase58(std::string("2g\0", 3), 100));
    CHECK(DecodeBase58("  2g \t", 100)); // surrounding whitespace is allowed, as Core
    CHECK_FALSE(DecodeBase58("2g x", 100));
    CHECK_FALSE(DecodeBase58("1111111111", 9));
    CHECK(DecodeBase58("1111111111", 10));
    CHECK_FALSE(DecodeBase58("2cFupjhnEsSn59qHXstmK2ffpLv2", 19));
}

TEST_CASE("Base58Check round-trips mainnet addresses and rejects bad checksums", "[encoding]")
{
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "0077bff20c60e522dfaa3350c39b030a5d004e839a"},
        {"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "05b472a266d0bd89c13706a4132ccfb16f7c3b9fcb"},
        {"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "0062e907b15cbf27d5425399ebf6f0fb50ebb88f18"},
    };
    for (const auto& [addr, payload] : cases) {
        CAPTURE(addr);
        auto decoded = DecodeBase58Check(addr, 21);
        REQUIRE(decoded);
        CHECK(HexStr(*decoded) == payload);
        CHECK(EncodeBase58Check(Hex(payload)) == addr);
        CHECK_FALSE(DecodeBase58Check(addr, 20)); // payload longer than allowed
    }
    CHECK_FALSE(DecodeBase58Check("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", 21)); // last char changed
    CHECK_FALSE(DecodeBase58Check("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz", 21));
    CHECK_FALSE(DecodeBase58Check("1111", 21)); // shorter than the checksum
    CHECK_FALSE(DecodeBase58Check("", 21));
}
