// Address encoding and script classification (node/rpc/key_io) on every network.
#include "consensus/encoding/base58.h"
#include "consensus/hex.h"
#include "consensus/params.h"
#include "common/key_io.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace consensus;
using namespace common;

namespace {

Script ScriptFromHex(const std::string& hex)
{
    auto b = TryParseHex(hex);
    REQUIRE(b);
    return Script(*b);
}

} // namespace

TEST_CASE("Address scripts are classified with Core's type names", "[rpc]")
{
    // The address strings themselves are Core's key_io_valid.json (key_io_vectors_tests.cpp).
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac", "pubkeyhash"},
        {"a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87", "scripthash"},
        {"0014751e76e8199196d454941c45d1b3a323f1433bd6", "witness_v0_keyhash"},
        {"00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262", "witness_v0_scripthash"},
        {"512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", "witness_v1_taproot"},
        {"6002751e", "witness_unknown"},
        {"5210751e76e8199196d454941c45d1b3a323", "witness_unknown"},
        {"51024e73", "anchor"},
    };
    const auto& params = Params(ChainType::MAIN);
    for (const auto& [hex, type] : cases) {
        CAPTURE(hex);
        const Script s = ScriptFromHex(hex);
        CHECK(GetScriptType(s) == type);
        CHECK(EncodeAddress(s, params)); // each has an address
    }
}

TEST_CASE("Upper-case segwit addresses decode and encode lower-case", "[rpc]")
{
    const auto& params = Params(ChainType::MAIN);
    auto script = DecodeAddress("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", params);
    REQUIRE(script);
    CHECK(EncodeAddress(*script, params) == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
}

TEST_CASE("Invalid addresses are rejected with Core's messages", "[rpc]")
{
    const auto& main = Params(ChainType::MAIN);
    const auto& test = Params(ChainType::TESTNET);
    auto error_of = [](const std::string& addr, const ChainParams& params) {
        std::string error;
        CHECK_FALSE(DecodeAddress(addr, params, &error));
        return error;
    };
    // "" is valid Base58 (of nothing), so Core reports a checksum/length problem.
    CHECK(error_of("", main) == "Invalid checksum or length of Base58 address (P2PKH or P2SH)");
    CHECK(error_of("0OIl", main) == "Invalid or unsupported Segwit (Bech32) or Base58 encoding.");
    CHECK(error_of("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", main) ==
          "Invalid checksum or length of Base58 address (P2PKH or P2SH)");
    // A testnet address on mainnet: valid Base58Check with a foreign prefix.
    CHECK(error_of("mkmZxiEcEd8ZqjQWVZuC6so5dFMKEFpN2j", main) == "Invalid or unsupported Base58-encoded address.");
    CHECK(error_of("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", test) == "Invalid or unsupported Base58-encoded address.");
    // Mainnet segwit on testnet: the HRP does not match, so it is tried as Base58.
    CHECK(error_of("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", test) ==
          "Invalid or unsupported Segwit (Bech32) or Base58 encoding.");
    CHECK(error_of("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", main) ==
          "Version 1+ witness address must use Bech32m checksum");
    CHECK(error_of("bc1pw5dgrnzv", main) == "Invalid Bech32 address program size (1 byte)");
    CHECK(error_of("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", test) ==
          "Invalid character or mixed case");
    CHECK(error_of("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", main) == "Invalid Bech32 checksum");
    CHECK(error_of("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3tt", main) == "Invalid Bech32 checksum");
    // Two substituted characters are located too (Core's LocateErrors finds up to two), and
    // positions are reported: string indices, ascending.
    CHECK(error_of("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f300", main) == "Invalid Bech32 checksum");
    std::string err;
    std::vector<int> locations;
    CHECK_FALSE(DecodeAddress("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f300", main, &err, &locations));
    CHECK(locations == std::vector<int>{40, 41});
    CHECK_FALSE(DecodeAddress("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", main, &err, &locations));
    CHECK(locations == std::vector<int>{41});
    CHECK_FALSE(DecodeAddress("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3t4", main, &err, &locations));
    CHECK((err == "Invalid character or mixed case" && locations == std::vector<int>{40}));
    // Three substitutions are beyond what the code can locate: no positions, as Core.
    CHECK_FALSE(DecodeAddress("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f000", main, &err, &locations));
    CHECK((err == "Invalid checksum" && locations.empty()));
    CHECK_FALSE(IsValidAddress("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", main));
}

TEST_CASE("Scripts without an address are classified with Core's type names", "[rpc]")
{
    const auto& params = Params(ChainType::MAIN);
    struct Case {
        std::string hex;
        std::string type;
    };
    const std::string G = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    const std::string G2 = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";
    const std::vector<Case> cases = {
        // Satoshi's genesis output: bare 65-byte pubkey.
        {"4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8"
         "d578a4c702b6bf11d5fac",
         "pubkey"},
        {"5221" + G + "21" + G2 + "52ae", "multisig"},
        {"5121" + G + "21" + G2 + "51ae", "nonstandard"}, // n does not match the key count
        {"6a0b68656c6c6f20776f726c64", "nulldata"},
        {"6a", "nulldata"},
        {"6a51", "nulldata"},
        {"6aab", "nonstandard"},
        {"", "nonstandard"},
        {"51", "nonstandard"},
        {"0010751e76e8199196d454941c45d1b3a323", "nonstandard"}, // v0 with 16-byte program
    };
    for (const auto& c : cases) {
        CAPTURE(c.hex);
        const Script s = ScriptFromHex(c.hex);
        CHECK(GetScriptType(s) == c.type);
        CHECK_FALSE(EncodeAddress(s, params));
    }
}

TEST_CASE("A WIF string holding no valid secret key is no key, as Core's CKey::Set", "[rpc]")
{
    const auto& params = Params(ChainType::MAIN);
    SecretKey zero{};
    zero.compressed = true;
    SecretKey order{};
    order.compressed = true;
    // n, the order of secp256k1's group: one above the largest valid key.
    const auto n = TryParseHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    REQUIRE(n);
    std::copy(n->begin(), n->end(), order.bytes.begin());
    SecretKey below = order;
    below.bytes[31] -= 1; // n - 1: the largest valid key
    CHECK_FALSE(DecodeSecret(EncodeSecret(zero, params), params));
    CHECK_FALSE(DecodeSecret(EncodeSecret(order, params), params));
    const auto ok = DecodeSecret(EncodeSecret(below, params), params);
    REQUIRE(ok);
    CHECK(*ok == below);
    // The compression flag byte must be 0x01.
    std::vector<uint8_t> data = params.Base58Prefix(Base58Type::SECRET_KEY);
    data.insert(data.end(), below.bytes.begin(), below.bytes.end());
    data.push_back(2);
    CHECK_FALSE(DecodeSecret(encoding::EncodeBase58Check(data), params));
}
