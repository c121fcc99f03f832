// BIP-341 wallet test vectors: taproot outputs from an internal key and script tree (leaf
// hashes, merkle root, tweak, output key, scriptPubKey, bech32m address, control blocks),
// and key-path spending (BIP-341 signature hashes, tweaked secret keys, signatures).
#include "vectors.h"

#include "consensus/encoding/bech32.h"
#include "consensus/hex.h"
#include "consensus/primitives/transaction.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/key.h"
#include "consensus/script/pubkey.h"
#include "consensus/serialize.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using namespace consensus;

namespace {

/** A leaf of a script tree and the sibling hashes from it up to the root. */
struct LeafInfo {
    uint8_t version{0};
    Uint256 hash;
    std::vector<Uint256> path;
};

/** Hashes a scriptTree node (a leaf object or a two-element array); records leaves by id. */
Uint256 HashTree(const nlohmann::json& node, std::map<int, LeafInfo>& leaves, std::vector<int>& ids)
{
    if (node.is_object()) {
        const auto script = testutil::ParseHexOrFail(node.at("script").get<std::string>());
        LeafInfo leaf;
        leaf.version = static_cast<uint8_t>(node.at("leafVersion").get<int>());
        leaf.hash = ComputeTapleafHash(leaf.version, script);
        const int id = node.at("id").get<int>();
        leaves[id] = leaf;
        ids.push_back(id);
        return leaf.hash;
    }
    if (!node.is_array() || node.size() != 2) throw std::runtime_error("bad scriptTree node");
    std::vector<int> left_ids, right_ids;
    const Uint256 left = HashTree(node[0], leaves, left_ids);
    const Uint256 right = HashTree(node[1], leaves, right_ids);
    for (int id : left_ids) leaves[id].path.push_back(right);
    for (int id : right_ids) leaves[id].path.push_back(left);
    ids.insert(ids.end(), left_ids.begin(), left_ids.end());
    ids.insert(ids.end(), right_ids.begin(), right_ids.end());
    return ComputeTapbranchHash(left.Span(), right.Span());
}

/** Raw-order hex of a hash (BIP-341 vectors print tagged hashes in byte order). */
std::string RawHex(const Uint256& h) { return HexStr(h.Span()); }

Uint256 RawUint256(const std::string& hex)
{
    const auto bytes = testutil::ParseHexOrFail(hex);
    REQUIRE(bytes.size() == 32);
    return Uint256(std::span<const uint8_t>(bytes));
}

} // namespace

TEST_CASE("Taproot outputs, addresses and control blocks match the BIP-341 wallet vectors", "[vectors][script]")
{
    REQUIRE_VECTOR(path, "bips/bip341-wallet-test-vectors.json");
    const nlohmann::json vectors = nlohmann::json::parse(testutil::ReadFile(path));
    const auto& cases = vectors.at("scriptPubKey");

    size_t checked = 0, control_blocks = 0;
    for (const auto& c : cases) {
        INFO("scriptPubKey case " << checked);
        const auto internal = testutil::ParseHexOrFail(c.at("given").at("internalPubkey").get<std::string>());
        const auto& tree = c.at("given").at("scriptTree");
        const auto& inter = c.at("intermediary");
        const auto& expected = c.at("expected");

        std::map<int, LeafInfo> leaves;
        std::optional<Uint256> root;
        if (!tree.is_null()) {
            std::vector<int> ids;
            root = HashTree(tree, leaves, ids);
            const auto& leaf_hashes = inter.at("leafHashes");
            REQUIRE(leaf_hashes.size() == leaves.size());
            for (size_t i = 0; i < leaf_hashes.size(); ++i) {
                CHECK(RawHex(leaves.at(static_cast<int>(i)).hash) == leaf_hashes[i].get<std::string>());
            }
            CHECK(RawHex(*root) == inter.at("merkleRoot").get<std::string>());
        } else {
            CHECK(inter.at("merkleRoot").is_null());
        }

        const Uint256* root_ptr = root ? &*root : nullptr;
        CHECK(RawHex(ComputeTapTweakHash(internal, root_ptr)) == inter.at("tweak").get<std::string>());
        const auto tweaked = TweakXOnly(internal, root_ptr);
        REQUIRE(tweaked);
        const std::string output_hex = HexStr(tweaked->first);
        CHECK(output_hex == inter.at("tweakedPubkey").get<std::string>());
        CHECK("5120" + output_hex == expected.at("scriptPubKey").get<std::string>());

        const std::string address = encoding::EncodeSegwitAddress("bc", 1, tweaked->first);
        CHECK(address == expected.at("bip350Address").get<std::string>());
        const auto decoded = encoding::DecodeSegwitAddress("bc", expected.at("bip350Address").get<std::string>());
        REQUIRE(decoded);
        CHECK(decoded->first == 1);
        CHECK(HexStr(decoded->second) == output_hex);

        if (root) {
            const auto& blocks = expected.at("scriptPathControlBlocks");
            REQUIRE(blocks.size() == leaves.size());
            for (size_t i = 0; i < blocks.size(); ++i) {
                const LeafInfo& leaf = leaves.at(static_cast<int>(i));
                std::vector<uint8_t> control{static_cast<uint8_t>(leaf.version | (tweaked->second ? 1 : 0))};
                control.insert(control.end(), internal.begin(), internal.end());
                for (const auto& h : leaf.path) control.insert(control.end(), h.begin(), h.end());
                CHECK(HexStr(control) == blocks[i].get<std::string>());
                // The interpreter's side: the control block leads back to the root and the output key.
                CHECK(ComputeTaprootMerkleRoot(control, leaf.hash) == *root);
                CHECK(CheckTapTweak(tweaked->first, internal, *root, tweaked->second));
                ++control_blocks;
            }
        }
        ++checked;
    }
    std::cout << "bip341 scriptPubKey: " << checked << " outputs, " << control_blocks << " control blocks" << std::endl;
    testutil::RequireCaseCount("bips/bip341-wallet-test-vectors.json (scriptPubKey)", 7, cases.size(), checked);
}

TEST_CASE("Key-path signature hashes, tweaked keys and signatures match the BIP-341 wallet vectors",
          "[vectors][script]")
{
    REQUIRE_VECTOR(path, "bips/bip341-wallet-test-vectors.json");
    const nlohmann::json vectors = nlohmann::json::parse(testutil::ReadFile(path));
    const auto& spending = vectors.at("keyPathSpending");
    REQUIRE(spending.size() == 1);

    size_t inputs = 0, reproduced_with_zero_aux = 0;
    for (const auto& s : spending) {
        const auto raw = testutil::ParseHexOrFail(s.at("given").at("rawUnsignedTx").get<std::string>());
        ByteReader reader(raw);
        const Transaction tx = Transaction::Deserialize(reader, TxWitness::WITH);
        std::vector<TxOut> spent;
        for (const auto& u : s.at("given").at("utxosSpent")) {
            spent.emplace_back(Amount{u.at("amountSats").get<int64_t>()},
                               Script(testutil::ParseHexOrFail(u.at("scriptPubKey").get<std::string>())));
        }
        REQUIRE(spent.size() == tx.vin.size());
        const std::vector<TxOut> spent_copy = spent;
        // The transaction is unsigned (no witnesses), so nothing marks its inputs as taproot:
        // force the BIP-341 hashes, as Core's own test of these vectors does.
        PrecomputedTransactionData txdata;
        txdata.Init(tx, std::vector<TxOut>(spent), /*force=*/true);

        // The BIP-341 single-SHA256 hashes shared by all inputs.
        const auto& shared = s.at("intermediary");
        CHECK(txdata.m_bip341_taproot_ready);
        CHECK(RawHex(txdata.m_spent_amounts_single_hash) == shared.at("hashAmounts").get<std::string>());
        CHECK(RawHex(txdata.m_outputs_single_hash) == shared.at("hashOutputs").get<std::string>());
        CHECK(RawHex(txdata.m_prevouts_single_hash) == shared.at("hashPrevouts").get<std::string>());
        CHECK(RawHex(txdata.m_spent_scripts_single_hash) == shared.at("hashScriptPubkeys").get<std::string>());
        CHECK(RawHex(txdata.m_sequences_single_hash) == shared.at("hashSequences").get<std::string>());

        for (const auto& in : s.at("inputSpending")) {
            const auto& given = in.at("given");
            const auto& inter = in.at("intermediary");
            const unsigned idx = given.at("txinIndex").get<unsigned>();
            INFO("input " << idx);
            REQUIRE(idx < tx.vin.size());
            const auto seckey = testutil::ParseHexOrFail(given.at("internalPrivkey").get<std::string>());
            std::optional<Uint256> root;
            if (!given.at("merkleRoot").is_null()) root = RawUint256(given.at("merkleRoot").get<std::string>());
            const Uint256* root_ptr = root ? &*root : nullptr;
            const uint8_t hash_type = static_cast<uint8_t>(given.at("hashType").get<int>());

            const auto internal = XOnlyFromSecret(seckey);
            REQUIRE(internal);
            CHECK(HexStr(*internal) == inter.at("internalPubkey").get<std::string>());
            CHECK(RawHex(ComputeTapTweakHash(*internal, root_ptr)) == inter.at("tweak").get<std::string>());
            const auto tweaked_key = TweakSecretForTaproot(seckey, root_ptr);
            REQUIRE(tweaked_key);
            CHECK(HexStr(*tweaked_key) == inter.at("tweakedPrivkey").get<std::string>());

            // The spent output is the taproot output of the tweaked key.
            const auto output_key = XOnlyFromSecret(*tweaked_key);
            REQUIRE(output_key);
            CHECK("5120" + HexStr(*output_key) == HexStr(spent_copy[idx].script_pubkey));

            ScriptExecutionData execdata;
            execdata.m_annex_init = true;
            execdata.m_annex_present = false;
            Uint256 sighash;
            REQUIRE(SignatureHashSchnorr(sighash, execdata, tx, idx, hash_type, SigVersion::TAPROOT, txdata,
                                         MissingDataBehavior::FAIL));
            CHECK(RawHex(sighash) == inter.at("sigHash").get<std::string>());

            const auto witness_sig = testutil::ParseHexOrFail(in.at("expected").at("witness")[0].get<std::string>());
            REQUIRE(witness_sig.size() == (hash_type == SIGHASH_DEFAULT ? 64u : 65u));
            if (witness_sig.size() == 65) CHECK(witness_sig[64] == hash_type);
            const std::span<const uint8_t> sig64(witness_sig.data(), 64);
            CHECK(VerifySchnorr(*output_key, sig64, sighash.Span()));

            // The vectors were made with 32 zero bytes of auxiliary randomness.
            const std::vector<uint8_t> zero_aux(32, 0);
            const auto made = SignSchnorr(*tweaked_key, sighash.Span(), zero_aux);
            REQUIRE(made);
            CHECK(HexStr(*made) == HexStr(sig64));
            if (HexStr(*made) == HexStr(sig64)) ++reproduced_with_zero_aux;
            ++inputs;
        }
    }
    std::cout << "bip341 keyPathSpending: " << inputs << " inputs, " << reproduced_with_zero_aux
              << " signatures reproduced with zero aux_rand" << std::endl;
    size_t in_file = 0;
    for (const auto& s : spending) in_file += s.at("inputSpending").size();
    testutil::RequireCaseCount("bips/bip341-wallet-test-vectors.json (keyPathSpending)", 7, in_file, inputs);
}
