// Address encoding and script classification (node/rpc/key_io) on every network.
#include "consensus/hex.h"
#include "consensus/params.h"
#include "node/rpc/key_io.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace consensus;
using namespace node::rpc;

namespace {

Script ScriptFromHex(const std::string& hex)
{
    auto b = TryParseHex(hex);
    REQUIRE(b);
    return Script(*b);
}

struct AddressCase {
    ChainType chain;
    std::string address;
    std::string script_hex;
    std::string type;
};

} // namespace

TEST_CASE("Addresses decode to their scripts and encode back on every network", "[rpc]")
{
    const std::vector<AddressCase> cases = {
        {ChainType::MAIN, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac",
         "pubkeyhash"},
        {ChainType::MAIN, "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87",
         "scripthash"},
        {ChainType::MAIN, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "0014751e76e8199196d454941c45d1b3a323f1433bd6",
         "witness_v0_keyhash"},
        {ChainType::MAIN, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
         "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", "witness_v1_taproot"},
        {ChainType::MAIN, "bc1sw50qgdz25j", "6002751e", "witness_unknown"},
        {ChainType::MAIN, "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323",
         "witness_unknown"},
        {ChainType::MAIN, "bc1pfeessrawgf", "51024e73", "anchor"},
        {ChainType::TESTNET, "mkmZxiEcEd8ZqjQWVZuC6so5dFMKEFpN2j", "76a914399c39ac90dac26965fb55fdb2035e6715fdac4e88ac",
         "pubkeyhash"},
        {ChainType::TESTNET, "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
         "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262", "witness_v0_scripthash"},
        {ChainType::TESTNET4, "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
         "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433", "witness_v1_taproot"},
        {ChainType::SIGNET, "mkmZxiEcEd8ZqjQWVZuC6so5dFMKEFpN2j", "76a914399c39ac90dac26965fb55fdb2035e6715fdac4e88ac",
         "pubkeyhash"},
        {ChainType::REGTEST, "mkmZxiEcEd8ZqjQWVZuC6so5dFMKEFpN2j", "76a914399c39ac90dac26965fb55fdb2035e6715fdac4e88ac",
         "pubkeyhash"},
        {ChainType::REGTEST, "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", "0014751e76e8199196d454941c45d1b3a323f1433bd6",
         "witness_v0_keyhash"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.address, ChainTypeToString(c.chain));
        const ChainParams& params = Params(c.chain);
        std::string error;
        auto script = DecodeAddress(c.address, params, &error);
        REQUIRE(script);
        CHECK(error.empty());
        CHECK(HexStr(*script) == c.script_hex);
        CHECK(GetScriptType(*script) == c.type);
        auto encoded = EncodeAddress(*script, params);
        REQUIRE(encoded);
        CHECK(*encoded == c.address);
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
