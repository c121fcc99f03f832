// Descriptor checksums, addr()/raw()/key descriptors and InferDescriptor-lite.
#include "consensus/hex.h"
#include "consensus/params.h"
#include "common/descriptor_util.h"

#include <catch2/catch.hpp>

#include <string>

using namespace consensus;
using namespace common;

TEST_CASE("Descriptor checksums match Core's examples", "[rpc]")
{
    CHECK(DescriptorChecksum("addr(mkmZxiEcEd8ZqjQWVZuC6so5dFMKEFpN2j)") == "02wpgw69");
    CHECK(DescriptorChecksum("raw(deadbeef)") == "89f8spxm");
    CHECK(AddDescriptorChecksum("raw(deadbeef)") == "raw(deadbeef)#89f8spxm");
    CHECK(DescriptorChecksum("raw(\x01)").empty());
}

TEST_CASE("Descriptor checksums are verified like Core", "[rpc]")
{
    std::string error, payload;
    CHECK(CheckDescriptorChecksum("raw(deadbeef)#89f8spxm", true, error, &payload));
    CHECK(payload == "raw(deadbeef)");
    CHECK(CheckDescriptorChecksum("raw(deadbeef)", false, error, &payload));
    CHECK_FALSE(CheckDescriptorChecksum("raw(deadbeef)", true, error));
    CHECK(error == "Missing checksum");
    CHECK_FALSE(CheckDescriptorChecksum("raw(deadbeef)#89f8spxn", false, error));
    CHECK(error == "Provided checksum '89f8spxn' does not match computed checksum '89f8spxm'");
    CHECK_FALSE(CheckDescriptorChecksum("raw(deadbeef)#89f8", false, error));
    CHECK(error == "Expected 8 character checksum, not 4 characters");
    CHECK_FALSE(CheckDescriptorChecksum("raw(deadbeef)#89f8spxm#89f8spxm", false, error));
    CHECK(error == "Multiple '#' symbols");
}

TEST_CASE("addr() and raw() descriptors parse to scriptPubKeys", "[rpc]")
{
    const auto& test = Params(ChainType::TESTNET);
    std::string error;
    auto s = ParseDescriptorScript("addr(mkmZxiEcEd8ZqjQWVZuC6so5dFMKEFpN2j)#02wpgw69", test, error);
    REQUIRE(s);
    CHECK(HexStr(*s) == "76a914399c39ac90dac26965fb55fdb2035e6715fdac4e88ac");
    s = ParseDescriptorScript("raw(deadbeef)", test, error);
    REQUIRE(s);
    CHECK(HexStr(*s) == "deadbeef");
    CHECK_FALSE(ParseDescriptorScript("raw(deadbeef)#00000000", test, error));
    CHECK(error == "Provided checksum '00000000' does not match computed checksum '89f8spxm'");
    CHECK_FALSE(ParseDescriptorScript("addr(1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2)", test, error));
    CHECK(error == "Address is not valid");
    CHECK_FALSE(ParseDescriptorScript("raw(xyz)", test, error));
    CHECK(error == "Raw script is not hex");
    CHECK_FALSE(ParseDescriptorScript("foo(00)", test, error));
    CHECK(error == "'foo' is not a valid descriptor function");
}

TEST_CASE("Key descriptors with hex public keys give the standard scripts", "[rpc]")
{
    const auto& main = Params(ChainType::MAIN);
    const std::string key = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    std::string error;
    auto pkh = ParseDescriptorScript("pkh(" + key + ")", main, error);
    REQUIRE(pkh);
    CHECK(HexStr(*pkh) == "76a914751e76e8199196d454941c45d1b3a323f1433bd688ac");
    auto wpkh = ParseDescriptorScript("wpkh(" + key + ")", main, error);
    REQUIRE(wpkh);
    CHECK(HexStr(*wpkh) == "0014751e76e8199196d454941c45d1b3a323f1433bd6");
    auto pk = ParseDescriptorScript("pk(" + key + ")", main, error);
    REQUIRE(pk);
    CHECK(HexStr(*pk) == "21" + key + "ac");
    CHECK_FALSE(ParseDescriptorScript("pk(02" + std::string(64, '0') + ")", main, error));
    CHECK(error == "Pubkey '02" + std::string(64, '0') + "' is invalid");
}

TEST_CASE("InferDescriptor gives addr, raw, pk, multi and rawtr like Core", "[rpc]")
{
    const auto& main = Params(ChainType::MAIN);
    auto infer = [&](const std::string& hex) { return InferDescriptor(Script(*TryParseHex(hex)), main); };
    const std::string d1 = infer("76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac");
    CHECK(d1.rfind("addr(1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2)#", 0) == 0);
    CHECK(d1 == AddDescriptorChecksum("addr(1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2)"));
    CHECK(infer("deadbeef") == "raw(deadbeef)#89f8spxm");
    CHECK(infer("6a0b68656c6c6f20776f726c64") == AddDescriptorChecksum("raw(6a0b68656c6c6f20776f726c64)"));
    const std::string key = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
    CHECK(infer("21" + key + "ac") == AddDescriptorChecksum("pk(" + key + ")"));
    CHECK(infer("5121" + key + "51ae") == AddDescriptorChecksum("multi(1," + key + ")"));
    CHECK(infer("512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798") ==
          AddDescriptorChecksum("rawtr(79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)"));
}
