// The whole descriptor language: nesting rules and Core's errors, multisig (BIP-383, BIP-67
// order from Core's rpc_bip67.json), multi_a (BIP-387), combo, rawtr, and what Expand puts
// in the signing provider (origins, redeem/witness scripts, taproot control blocks),
// ExpandPrivate, ToString/ToPrivateString and the type queries.
#include "vectors.h"

#include "common/descriptor.h"
#include "common/descriptor_util.h"
#include "common/key_io.h"
#include "consensus/hash.h"
#include "consensus/hex.h"
#include "consensus/params.h"
#include "consensus/script/bip32.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/key.h"
#include "consensus/script/pubkey.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using namespace consensus;
using namespace common;

namespace {

/** The compressed public key (hex) of the secret key n (1, 2, ...). */
std::string Key(int n, bool compressed = true)
{
    std::array<uint8_t, 32> secret{};
    secret[31] = static_cast<uint8_t>(n);
    secret[30] = 0x11; // not the tiny multiples of G
    return HexStr(*PubKeyFromSecret(secret, compressed));
}

std::string Keys(int count, int first = 1)
{
    std::string out;
    for (int i = 0; i < count; ++i) out += (i ? "," : "") + Key(first + i);
    return out;
}

std::string ParseError(const std::string& desc, const ChainParams& params = Params(ChainType::MAIN))
{
    std::string error;
    const auto d = ParseDescriptor(desc, params, error);
    return d ? "(parsed)" : error;
}

const std::string XPRV =
    "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3Lq"
    "FtT2emdEXVYsCzC2U";
const std::string XONLY = "a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd";

} // namespace

TEST_CASE("Descriptor nesting rules and Core's errors", "[rpc][desc]")
{
    const std::string k = Key(1);
    const std::string u = Key(1, false);
    CHECK(ParseError("sh(sh(pkh(" + k + ")))") == "Can only have sh() at top level");
    CHECK(ParseError("wsh(wsh(pkh(" + k + ")))") == "Can only have wsh() at top level or inside sh()");
    CHECK(ParseError("wsh(wpkh(" + k + "))") == "Can only have wpkh() at top level or inside sh()");
    CHECK(ParseError("tr(" + XONLY + ",wpkh(" + k + "))") == "Can only have wpkh() at top level or inside sh()");
    CHECK(ParseError("sh(combo(" + k + "))") == "Can only have combo() at top level");
    CHECK(ParseError("wsh(tr(" + XONLY + "))") == "Can only have tr at top level");
    CHECK(ParseError("sh(rawtr(" + XONLY + "))") == "Can only have rawtr at top level");
    CHECK(ParseError("sh(raw(deadbeef))") == "Can only have raw() at top level");
    CHECK(ParseError("wsh(addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j))") == "Can only have addr() at top level");
    CHECK(ParseError("sh(" + k + ")") == "A function is needed within P2SH");
    CHECK(ParseError("wsh(" + k + ")") == "A function is needed within P2WSH");
    CHECK(ParseError("foo(" + k + ")") == "'foo' is not a valid descriptor function");
    CHECK(ParseError("") == "'' is not a valid descriptor function");
    // Uncompressed keys: allowed at top level and in sh(), not under segwit or taproot.
    CHECK(ParseError("sh(pk(" + u + "))") == "(parsed)");
    CHECK(ParseError("sh(multi(1," + u + "))") == "(parsed)");
    CHECK(ParseError("wsh(pk(" + u + "))") == "Uncompressed keys are not allowed");
    CHECK(ParseError("sh(wpkh(" + u + "))") == "Uncompressed keys are not allowed");
    CHECK(ParseError("wsh(multi(1," + u + "))") == "Uncompressed keys are not allowed");
    CHECK(ParseError("tr(" + XONLY + ",pk(" + u + "))") == "Uncompressed keys are not allowed");
    CHECK(ParseError("rawtr(" + u + ")") == "Uncompressed keys are not allowed");
    // x-only keys only in taproot contexts.
    CHECK(ParseError("rawtr(" + XONLY + ")") == "(parsed)");
    CHECK(ParseError("wsh(pk(" + XONLY + "))") == "Pubkey '" + XONLY + "' is invalid");
}

TEST_CASE("multi() and multi_a() thresholds and key counts (Core's limits)", "[rpc][desc]")
{
    CHECK(ParseError("multi(0," + Keys(2) + ")") == "Multisig threshold cannot be 0, must be at least 1");
    CHECK(ParseError("multi(3," + Keys(2) + ")") ==
          "Multisig threshold cannot be larger than the number of keys; threshold is 3 but only 2 keys specified");
    CHECK(ParseError("multi(a," + Keys(2) + ")") == "Multi threshold 'a' is not valid");
    CHECK(ParseError("multi(-1," + Keys(2) + ")") == "Multi threshold '-1' is not valid");
    CHECK(ParseError("multi(1," + Keys(3) + ")") == "(parsed)");
    CHECK(ParseError("multi(1," + Keys(4) + ")") == "Cannot have 4 pubkeys in bare multisig; only at most 3 pubkeys");
    CHECK(ParseError("sh(multi(1," + Keys(15) + "))") == "(parsed)");
    CHECK(ParseError("sh(multi(1," + Keys(16) + "))") ==
          "P2SH script is too large, 547 bytes is larger than 520 bytes");
    CHECK(ParseError("wsh(multi(1," + Keys(20) + "))") == "(parsed)");
    CHECK(ParseError("wsh(multi(1," + Keys(21) + "))") ==
          "Cannot have 21 keys in multisig; must have between 1 and 20 keys, inclusive");
    CHECK(ParseError("wsh(multi(1))") == "Cannot have 0 keys in multisig; must have between 1 and 20 keys, inclusive");
    CHECK(ParseError("tr(" + XONLY + ",multi(1," + Keys(2) + "))") ==
          "Can only have multi/sortedmulti at top level, in sh(), or in wsh()");
    CHECK(ParseError("multi_a(1," + Keys(2) + ")") == "Can only have multi_a/sortedmulti_a inside tr()");
    CHECK(ParseError("wsh(sortedmulti_a(1," + Keys(2) + "))") == "Can only have multi_a/sortedmulti_a inside tr()");
    CHECK(ParseError("tr(" + XONLY + ",multi_a(1," + Keys(21) + "))") == "(parsed)"); // up to 999 in tapscript
    CHECK(ParseError("tr(" + XONLY + ",multi_a(0," + Keys(2) + "))") ==
          "Multisig threshold cannot be 0, must be at least 1");
}

TEST_CASE("multi_a() and sortedmulti_a() leaf scripts (BIP-387)", "[rpc][desc]")
{
    const auto& main = Params(ChainType::MAIN);
    std::string error;
    const std::string a = Key(2), b = Key(1);
    const std::string xa = a.substr(2), xb = b.substr(2);
    // <A> OP_CHECKSIG <B> OP_CHECKSIGADD OP_2 OP_NUMEQUAL, keys x-only, in the given or sorted order.
    const std::string given = "20" + xa + "ac" + "20" + xb + "ba" + "529c";
    const std::string sorted = xa < xb ? given : "20" + xb + "ac" + "20" + xa + "ba" + "529c";
    for (const auto& [desc, leaf_hex] : std::vector<std::pair<std::string, std::string>>{
             {"tr(" + XONLY + ",multi_a(2," + a + "," + b + "))", given},
             {"tr(" + XONLY + ",sortedmulti_a(2," + a + "," + b + "))", sorted},
             {"tr(" + XONLY + ",sortedmulti_a(2," + b + "," + a + "))", sorted}}) {
        INFO(desc);
        const auto d = ParseDescriptor(desc, main, error);
        REQUIRE(d);
        std::vector<Script> scripts;
        FlatSigningProvider out;
        REQUIRE(d->Expand(0, FlatSigningProvider{}, scripts, out, error));
        REQUIRE(out.tr_spenddata.size() == 1);
        const TaprootSpendData& data = out.tr_spenddata.begin()->second;
        REQUIRE(data.scripts.size() == 1);
        CHECK(HexStr(data.scripts.begin()->first.first) == leaf_hex);
    }
    CHECK(xa != xb);
}

TEST_CASE("sortedmulti() orders keys as BIP-67 (Core's rpc_bip67.json)", "[rpc][vectors][desc]")
{
    REQUIRE_VECTOR(path, "bitcoin-core/rpc_bip67.json");
    const auto& test = Params(ChainType::TESTNET);
    const auto vectors = nlohmann::json::parse(testutil::ReadFile(path));
    size_t ran = 0;
    for (const auto& v : vectors) {
        std::string keys, sorted_keys;
        for (const auto& k : v.at("keys")) keys += "," + k.get<std::string>();
        for (const auto& k : v.at("sorted_keys")) sorted_keys += "," + k.get<std::string>();
        const std::string script_hex = v.at("script").get<std::string>();
        const std::string threshold = std::to_string(std::stoi(script_hex.substr(0, 2), nullptr, 16) - 0x50);
        INFO(keys);
        std::string error;
        const auto d = ParseDescriptor("sh(sortedmulti(" + threshold + keys + "))", test, error);
        REQUIRE(d);
        std::vector<Script> scripts;
        FlatSigningProvider out;
        REQUIRE(d->Expand(0, FlatSigningProvider{}, scripts, out, error));
        CHECK(EncodeAddress(scripts.at(0), test) == v.at("address").get<std::string>());
        REQUIRE(out.scripts.size() == 1);
        CHECK(HexStr(out.scripts.begin()->second) == script_hex); // the redeem script
        // multi() keeps the given order: the same script only for the sorted list.
        const auto plain = ParseDescriptor("sh(multi(" + threshold + sorted_keys + "))", test, error);
        REQUIRE(plain);
        CHECK(*plain->Expand(0, error) == scripts[0]);
        if (keys != sorted_keys) {
            const auto unsorted = ParseDescriptor("sh(multi(" + threshold + keys + "))", test, error);
            REQUIRE(unsorted);
            CHECK(*unsorted->Expand(0, error) != scripts[0]);
        }
        ++ran;
    }
    testutil::RequireCaseCount("bitcoin-core/rpc_bip67.json", 4, vectors.size(), ran);
}

TEST_CASE("BIP-389 multipath <a;b> key steps", "[rpc][desc]")
{
    const auto& main = Params(ChainType::MAIN);
    std::string error;
    const std::string x = XPRV;
    const auto ds = ParseMultipathDescriptor("wsh(multi(1," + x + "/<0;1>/*," + x + "/7/<2h;3h>/*))", main, error);
    REQUIRE(ds);
    REQUIRE(ds->size() == 2);
    const auto d0 = ParseDescriptor("wsh(multi(1," + x + "/0/*," + x + "/7/2h/*))", main, error);
    const auto d1 = ParseDescriptor("wsh(multi(1," + x + "/1/*," + x + "/7/3h/*))", main, error);
    REQUIRE(d0);
    REQUIRE(d1);
    CHECK((*ds)[0].ToString() == d0->ToString());
    CHECK((*ds)[1].ToString() == d1->ToString());
    CHECK(*(*ds)[1].Expand(4, error) == *d1->Expand(4, error));
    // No group: one descriptor. The checksum covers the multipath text.
    const auto one = ParseMultipathDescriptor("pkh(" + x + "/0)", main, error);
    REQUIRE(one);
    CHECK(one->size() == 1);
    const std::string with_sum = AddDescriptorChecksum("pkh(" + x + "/<0;1>)");
    CHECK(ParseMultipathDescriptor(with_sum, main, error, true));
    CHECK_FALSE(ParseDescriptor(with_sum, main, error));
    for (const auto& [bad, message] : std::vector<std::pair<std::string, std::string>>{
             {"pkh(" + x + "/<0>/*)", "Multipath subpaths must have at least two elements"},
             {"pkh(" + x + "/<0;0>/*)", "Duplicated key path value 0 in multipath specifier"},
             {"sh(multi(1," + x + "/<0;1>," + x + "/<0;1;2>))", "Multipath subpaths must be of the same length"},
             {"pkh(" + x + "/<0;1/*)", "Multipath: '<' without its '>'"},
             {"pkh(" + x + "/1<0;1>/*)", "Multipath: '<...>' must be a whole derivation step"},
             {"pkh([deadbeef/<0;1>]" + x + ")", "Multipath: not allowed in a key origin"},
             {"pkh(" + x + "/<0;a>/*)", "Key path value 'a' is not a valid uint32"}}) {
        INFO(bad);
        CHECK_FALSE(ParseMultipathDescriptor(bad, main, error));
        CHECK(error == message);
    }
}

TEST_CASE("Normalized form: a private root's hardened steps move into the origin (BIP-32 vector 1)", "[rpc][desc]")
{
    const auto& params = Params(util::ChainType::MAIN);
    std::string error;
    const std::string master =
        "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";
    const auto desc = ParseDescriptor("pkh(" + master + "/0h/1/*)", params, error);
    REQUIRE(desc);
    // The spec's m/0H xpub, under the master's fingerprint.
    const std::string expected =
        "pkh([3442193e/0h]xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8"
        "PX9rL2dZXvgGDnw/1/*)";
    const std::string normalized = desc->ToNormalizedString();
    CHECK(normalized.substr(0, normalized.find('#')) == expected);
    CHECK(desc->ToString().find("xpub661MyMwAqRbc") != std::string::npos); // the plain public form keeps the root
    // The normalized form derives the same scripts without the private key.
    const auto pub = ParseDescriptor(normalized, params, error, true);
    REQUIRE(pub);
    for (uint32_t pos : {0u, 7u}) CHECK(pub->Expand(pos, error) == desc->Expand(pos, error));
    // Without hardened steps, or without the private key, it is the public form.
    const auto plain = ParseDescriptor("pkh(" + master + "/0/*)", params, error);
    REQUIRE(plain);
    CHECK(plain->ToNormalizedString() == plain->ToString());
}
