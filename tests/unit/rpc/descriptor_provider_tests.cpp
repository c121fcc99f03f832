// What Descriptor::Expand and ExpandPrivate give a signer (Core's FlatSigningProvider):
// origins, redeem and witness scripts, taproot spend data with valid control blocks,
// private keys (also for hardened steps of a public descriptor), and the descriptor's
// public and private strings and type queries.
#include "common/descriptor.h"
#include "common/descriptor_util.h"
#include "consensus/hash.h"
#include "consensus/hex.h"
#include "consensus/params.h"
#include "consensus/script/bip32.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/key.h"
#include "consensus/script/pubkey.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace consensus;
using namespace common;

namespace {

const std::string XPRV =
    "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3Lq"
    "FtT2emdEXVYsCzC2U";
const std::string XONLY = "a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd";
const std::string WIF = "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1";
const std::string KEY = "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd";

Descriptor Parse(const std::string& desc, const ChainParams& params = Params(ChainType::MAIN))
{
    std::string error;
    auto d = ParseDescriptor(desc, params, error);
    INFO(desc << ": " << error);
    REQUIRE(d);
    return *d;
}

/** The xpub (same network) of XPRV. */
std::string Xpub()
{
    std::string out;
    REQUIRE(Parse("pk(" + XPRV + ")").ToString().find("pk(xpub") == 0);
    out = Parse("pk(" + XPRV + ")").ToString();
    return out.substr(3, out.find(')') - 3);
}

} // namespace

TEST_CASE("Expand records origins and redeem/witness scripts", "[rpc][desc]")
{
    std::string error;
    // sh(wpkh()): the P2WPKH program is the redeem script.
    {
        const auto d = Parse("sh(wpkh([deadbeef/49h/0h/0h]" + Xpub() + "/0/*))");
        std::vector<Script> scripts;
        FlatSigningProvider out;
        REQUIRE(d.Expand(3, FlatSigningProvider{}, scripts, out, error));
        REQUIRE(scripts.size() == 1);
        REQUIRE(out.pubkeys.size() == 1);
        const auto& [id, pubkey] = *out.pubkeys.begin();
        CHECK(Hash160(pubkey) == id);
        const KeyOrigin origin = out.origins.at(id);
        CHECK(HexStr(origin.fingerprint) == "deadbeef");
        CHECK(origin.path == std::vector<uint32_t>{49 | BIP32_HARDENED, BIP32_HARDENED, BIP32_HARDENED, 0, 3});
        Script wpkh;
        wpkh << OP_0 << std::vector<uint8_t>(id.begin(), id.end());
        const Uint160 redeem_id = Hash160(wpkh);
        CHECK(out.GetScript(redeem_id) == wpkh);
        Script p2sh;
        p2sh << OP_HASH160 << std::vector<uint8_t>(redeem_id.begin(), redeem_id.end()) << OP_EQUAL;
        CHECK(scripts[0] == p2sh);
    }
    // wsh(multi()): the witness script under its HASH160, the output commits to its SHA256.
    {
        const auto d = Parse("sh(wsh(multi(1," + KEY + "," + Xpub() + "/7)))");
        std::vector<Script> scripts;
        FlatSigningProvider out;
        REQUIRE(d.Expand(0, FlatSigningProvider{}, scripts, out, error));
        CHECK(out.pubkeys.size() == 2);
        CHECK(out.origins.size() == 2);
        CHECK(out.scripts.size() == 2); // the witness script and the P2WSH program inside sh()
        bool found = false;
        for (const auto& [id, s] : out.scripts) {
            CHECK(Hash160(s) == id);
            if (!s.empty() && s.back() == OP_CHECKMULTISIG) {
                found = true;
                Script p2wsh;
                const Uint256 h = Sha256Hash(s);
                p2wsh << OP_0 << std::vector<uint8_t>(h.begin(), h.end());
                CHECK(out.GetScript(Hash160(p2wsh)) == p2wsh);
            }
        }
        CHECK(found);
    }
    // A failed expansion leaves the outputs alone.
    {
        const auto d = Parse("wpkh(" + Xpub() + "/1h/*)");
        std::vector<Script> scripts;
        FlatSigningProvider out;
        CHECK_FALSE(d.Expand(0, FlatSigningProvider{}, scripts, out, error));
        CHECK(error == "Cannot derive script without private keys");
        CHECK(scripts.empty());
        CHECK(out.pubkeys.empty());
    }
}

TEST_CASE("tr() spend data: every leaf's control block proves it (BIP-341)", "[rpc][desc]")
{
    std::string error;
    const auto d = Parse("tr(" + XONLY + ",{pk(" + XPRV + "/0/*),{pkh(" + KEY + "),multi_a(1," + XPRV + "/1/*," + XPRV +
                         "/2/*)}})");
    for (uint32_t pos : {0u, 5u}) {
        std::vector<Script> scripts;
        FlatSigningProvider out;
        REQUIRE(d.Expand(pos, FlatSigningProvider{}, scripts, out, error));
        REQUIRE(scripts.size() == 1);
        REQUIRE(scripts[0].size() == 34);
        XOnlyKey output{};
        std::copy(scripts[0].begin() + 2, scripts[0].end(), output.begin());
        const auto data = out.GetTaprootSpendData(output);
        REQUIRE(data);
        CHECK(HexStr(data->internal_key) == XONLY);
        REQUIRE(data->merkle_root);
        REQUIRE(data->scripts.size() == 3);
        for (const auto& [leaf, controls] : data->scripts) {
            CHECK(leaf.second == 0xc0);
            REQUIRE(controls.size() == 1);
            const auto& control = *controls.begin();
            CHECK(control.size() == 33 + 32 * (leaf.first.back() == OP_CHECKSIG && leaf.first.size() == 34 ? 1 : 2));
            CHECK(std::equal(control.begin() + 1, control.begin() + 33, data->internal_key.begin()));
            const Uint256 leaf_hash = ComputeTapleafHash(0xc0, leaf.first);
            CHECK(ComputeTaprootMerkleRoot(control, leaf_hash) == *data->merkle_root);
            CHECK(CheckTapTweak(output, data->internal_key, *data->merkle_root, (control[0] & 1) != 0));
        }
        CHECK(out.pubkeys.size() == 5); // internal key and the four leaf keys
    }
    // Key-path only: no merkle root, no leaves.
    std::vector<Script> scripts;
    FlatSigningProvider out;
    REQUIRE(Parse("tr(" + XONLY + ")").Expand(0, FlatSigningProvider{}, scripts, out, error));
    REQUIRE(out.tr_spenddata.size() == 1);
    CHECK_FALSE(out.tr_spenddata.begin()->second.merkle_root);
    CHECK(out.tr_spenddata.begin()->second.scripts.empty());
}

TEST_CASE("ExpandPrivate gives the private keys, also for a public descriptor's hardened steps", "[rpc][desc]")
{
    std::string error;
    const auto priv = Parse("wpkh(" + XPRV + "/84h/0h/*h)");
    std::vector<Script> scripts;
    FlatSigningProvider out;
    REQUIRE(priv.Expand(4, FlatSigningProvider{}, scripts, out, error));
    FlatSigningProvider keys;
    priv.ExpandPrivate(4, FlatSigningProvider{}, keys);
    REQUIRE(keys.keys.size() == 1);
    const auto& [id, secret] = *keys.keys.begin();
    CHECK(out.pubkeys.count(id) == 1);
    CHECK(PubKeyFromSecret(secret.bytes, true) == out.pubkeys.at(id));

    // The public form cannot derive hardened steps alone, but can with the root's secret.
    const auto pub = Parse(priv.ToString());
    CHECK_FALSE(pub.HasPrivateKeys());
    std::vector<Script> pub_scripts;
    FlatSigningProvider ignored;
    CHECK_FALSE(pub.Expand(4, FlatSigningProvider{}, pub_scripts, ignored, error));
    FlatSigningProvider root;
    root.Merge(FlatSigningProvider{});
    Parse("pk(" + XPRV + ")").ExpandPrivate(0, FlatSigningProvider{}, root);
    REQUIRE(root.keys.size() == 1);
    REQUIRE(pub.Expand(4, root, pub_scripts, ignored, error));
    CHECK(pub_scripts == scripts);
    FlatSigningProvider keys2;
    pub.ExpandPrivate(4, root, keys2);
    CHECK(keys2.keys.size() == 1);
    CHECK(keys2.keys.begin()->first == id);
    std::string priv_text;
    CHECK_FALSE(pub.ToPrivateString(priv_text));
    CHECK(priv_text == pub.ToString());
    CHECK(pub.ToPrivateString(root, priv_text));
    std::string priv_text2;
    CHECK(priv.ToPrivateString(priv_text2));
    CHECK(priv_text == priv_text2);

    // WIF keys, in every position of a multisig.
    FlatSigningProvider wif_keys;
    Parse("wsh(multi(1," + WIF + "," + KEY + "))").ExpandPrivate(0, FlatSigningProvider{}, wif_keys);
    CHECK(wif_keys.keys.size() == 1);
}

TEST_CASE("Descriptor strings: public and private forms, hardened markers as given", "[rpc][desc]")
{
    const auto& regtest = Params(ChainType::REGTEST);
    const std::string tpub =
        "tpubD6NzVbkrYhZ4WaWSyoBvQwbpLkojyoTZPRsgXELWz3Popb3qkjcJyJUGLnL4qHHoQvao8ESaAstxYSnhyswJ76uZPStJRJCTKvosUCJZL5B";
    // Core's rpc_getdescriptorinfo.py examples: the normalized form is the input.
    for (const std::string& desc :
         std::vector<std::string>{"pk(0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)",
                                  "combo(0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)",
                                  "sh(wsh(pkh(02e493dbf1c10d80f3581e4904930b1404cc6c13900ee0758474fa94abe8c4cd13)))",
                                  "pkh(" + tpub + "/1'/2)", "pkh([d34db33f/44'/0'/0']" + tpub + "/1/*)",
                                  "wsh(multi(1," + tpub + "/1/0/*," + tpub + "/0/0/*))",
                                  "tr(" + XONLY + ",{pk(" + KEY + "),pk(" + XONLY + ")})", "rawtr(" + XONLY + ")",
                                  "wpkh([deadbeef/0'/1']" + tpub + "/2h/*h)",
                                  "addr(bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080)", "raw(deadbeef)"}) {
        INFO(desc);
        CHECK(Parse(desc, regtest).ToString() == AddDescriptorChecksum(desc));
    }
    // Mixed markers in one path are printed with the last one's (as Core keeps one flag).
    CHECK(Parse("pkh([deadbeef/0h/1']" + tpub + "/2h/3')", regtest).ToString() ==
          AddDescriptorChecksum("pkh([deadbeef/0'/1']" + tpub + "/2'/3')"));
    // Private keys print as public keys in ToString and as themselves in ToPrivateString.
    const auto main_d = Parse("sh(multi(1," + WIF + "," + XPRV + "/0h/*))");
    CHECK(main_d.ToString().find(WIF) == std::string::npos);
    CHECK(main_d.ToString().find(KEY) != std::string::npos);
    std::string priv;
    CHECK(main_d.ToPrivateString(priv));
    CHECK(priv == AddDescriptorChecksum("sh(multi(1," + WIF + "," + XPRV + "/0h/*))"));
    CHECK(Parse("tr(" + WIF + ")").ToString() == AddDescriptorChecksum("tr(" + XONLY + ")"));
}

TEST_CASE("Descriptor type queries: solvable, single type, output type, range", "[rpc][desc]")
{
    struct Case {
        std::string desc;
        bool solvable, single, range;
        std::optional<OutputType> type;
    };
    const std::string x = Xpub();
    for (const Case& c : std::vector<Case>{
             {"pk(" + KEY + ")", true, true, false, std::nullopt},
             {"pkh(" + x + "/*)", true, true, true, OutputType::LEGACY},
             {"wpkh(" + KEY + ")", true, true, false, OutputType::BECH32},
             {"sh(wpkh(" + KEY + "))", true, true, false, OutputType::P2SH_SEGWIT},
             {"sh(wsh(pk(" + KEY + ")))", true, true, false, OutputType::P2SH_SEGWIT},
             {"sh(multi(1," + KEY + "))", true, true, false, OutputType::LEGACY},
             {"wsh(sortedmulti(1," + KEY + "," + x + "/*))", true, true, true, OutputType::BECH32},
             {"combo(" + KEY + ")", true, false, false, std::nullopt},
             {"tr(" + XONLY + ",pk(" + x + "/*))", true, true, true, OutputType::BECH32M},
             {"rawtr(" + x + "/*)", true, true, true, OutputType::BECH32M},
             {"addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j)", false, true, false, OutputType::LEGACY},
             {"addr(bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4)", false, true, false, OutputType::BECH32},
             {"raw(deadbeef)", false, true, false, std::nullopt},
         }) {
        INFO(c.desc);
        const auto d = Parse(c.desc);
        CHECK(d.IsSolvable() == c.solvable);
        CHECK(d.IsSingleType() == c.single);
        CHECK(d.IsRange() == c.range);
        CHECK(d.GetOutputType() == c.type);
    }
    // A default-constructed descriptor is an empty raw(): safe to query, no crash.
    const Descriptor empty;
    std::string error;
    CHECK_FALSE(empty.IsRange());
    CHECK_FALSE(empty.IsSolvable());
    CHECK(empty.Expand(0, error) == Script{});
    CHECK(OutputTypeName(OutputType::P2SH_SEGWIT) == "p2sh-segwit");
    CHECK(OutputTypeName(OutputType::BECH32M) == "bech32m");
}
