// Runs Bitcoin Core's key_io_valid.json, key_io_invalid.json and base58_encode_decode.json
// against node/rpc/key_io (addresses and WIF keys on every network) and the Base58 codec,
// as Core's key_io_tests and base58_tests do.
#include "vectors.h"

#include "consensus/encoding/base58.h"
#include "consensus/hex.h"
#include "consensus/params.h"
#include "common/key_io.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cctype>
#include <iostream>
#include <string>

using namespace consensus;
using namespace common;

namespace {

/** Every network Core knows, for the "decodes nowhere" checks. */
constexpr ChainType ALL_CHAINS[] = {ChainType::MAIN, ChainType::TESTNET, ChainType::TESTNET4, ChainType::SIGNET,
                                    ChainType::REGTEST};

std::string Lower(std::string s)
{
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string FlipCase(std::string s)
{
    for (auto& c : s) {
        const auto u = static_cast<unsigned char>(c);
        c = static_cast<char>(std::islower(u) ? std::toupper(u) : std::tolower(u));
    }
    return s;
}

} // namespace

TEST_CASE("Every address and WIF key of Core's key_io_valid.json decodes to its script or key and encodes back",
          "[vectors][rpc]")
{
    REQUIRE_VECTOR(path, "bitcoin-core/key_io_valid.json");
    const nlohmann::json tests = nlohmann::json::parse(testutil::ReadFile(path));
    REQUIRE(tests.is_array());
    size_t in_file = 0, ran = 0, keys = 0, flipped = 0;
    for (const auto& test : tests) {
        ++in_file;
        if (!test.is_array() || test.size() < 3) {
            FAIL_CHECK("bad entry: " << test.dump());
            continue;
        }
        const std::string str = test[0].get<std::string>();
        const std::string hex = test[1].get<std::string>();
        const auto& meta = test[2];
        const std::string chain_name = meta.at("chain").get<std::string>();
        INFO(test.dump());
        const auto chain = ChainTypeFromString(chain_name);
        REQUIRE(chain);
        const ChainParams& params = Params(*chain);
        const bool is_privkey = meta.at("isPrivkey").get<bool>();
        if (is_privkey) {
            const bool compressed = meta.at("isCompressed").get<bool>();
            const auto key = DecodeSecret(str, params);
            REQUIRE(key);
            CHECK(HexStr(key->bytes) == hex);
            CHECK(key->compressed == compressed);
            CHECK(EncodeSecret(*key, params) == str);
            // A private key is no address.
            CHECK_FALSE(DecodeAddress(str, params));
            ++keys;
        } else {
            std::string error;
            const auto script = DecodeAddress(str, params, &error);
            REQUIRE(script);
            CHECK(error.empty());
            CHECK(HexStr(*script) == hex);
            CHECK(EncodeAddress(*script, params) == str);
            // An address is no private key.
            CHECK_FALSE(DecodeSecret(str, params));
            // Bech32 is case-insensitive (whole string), Base58 is not.
            const bool try_case_flip = meta.value("tryCaseFlip", false);
            const auto flip = DecodeAddress(FlipCase(str), params);
            CHECK(flip.has_value() == try_case_flip);
            if (flip) {
                CHECK(HexStr(*flip) == hex);
                ++flipped;
            }
        }
        ++ran;
    }
    std::cout << "key_io_valid: " << ran << " cases (" << keys << " WIF keys, " << flipped << " case-flipped addresses)"
              << std::endl;
    testutil::RequireCaseCount("bitcoin-core/key_io_valid.json", 70, in_file, ran);
}

TEST_CASE("No string of Core's key_io_invalid.json decodes as an address or WIF key on any network", "[vectors][rpc]")
{
    REQUIRE_VECTOR(path, "bitcoin-core/key_io_invalid.json");
    const nlohmann::json tests = nlohmann::json::parse(testutil::ReadFile(path));
    REQUIRE(tests.is_array());
    size_t in_file = 0, ran = 0;
    for (const auto& test : tests) {
        ++in_file;
        if (!test.is_array() || test.empty()) {
            FAIL_CHECK("bad entry: " << test.dump());
            continue;
        }
        const std::string str = test[0].get<std::string>();
        for (const ChainType chain : ALL_CHAINS) {
            INFO(ChainTypeToString(chain) << ": " << test.dump());
            std::string error;
            CHECK_FALSE(DecodeAddress(str, Params(chain), &error));
            CHECK_FALSE(error.empty());
            CHECK_FALSE(DecodeSecret(str, Params(chain)));
        }
        ++ran;
    }
    std::cout << "key_io_invalid: " << ran << " strings on " << std::size(ALL_CHAINS) << " networks" << std::endl;
    testutil::RequireCaseCount("bitcoin-core/key_io_invalid.json", 70, in_file, ran);
}

TEST_CASE("Base58 encodes and decodes every pair of Core's base58_encode_decode.json", "[vectors][encoding]")
{
    REQUIRE_VECTOR(path, "bitcoin-core/base58_encode_decode.json");
    const nlohmann::json tests = nlohmann::json::parse(testutil::ReadFile(path));
    REQUIRE(tests.is_array());
    size_t in_file = 0, ran = 0;
    for (const auto& test : tests) {
        ++in_file;
        if (!test.is_array() || test.size() < 2) {
            FAIL_CHECK("bad entry: " << test.dump());
            continue;
        }
        const std::string hex = Lower(test[0].get<std::string>()); // a few are upper-case
        const std::string b58 = test[1].get<std::string>();
        INFO(test.dump());
        const auto bytes = testutil::ParseHexOrFail(hex);
        CHECK(encoding::EncodeBase58(bytes) == b58);
        const auto decoded = encoding::DecodeBase58(b58, 256);
        REQUIRE(decoded);
        CHECK(HexStr(*decoded) == hex);
        // One byte less room than the result needs is refused.
        if (!bytes.empty()) CHECK_FALSE(encoding::DecodeBase58(b58, bytes.size() - 1));
        ++ran;
    }
    std::cout << "base58_encode_decode: " << ran << " pairs" << std::endl;
    testutil::RequireCaseCount("bitcoin-core/base58_encode_decode.json", 21, in_file, ran);
}
