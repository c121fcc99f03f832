// common/psbt against Core's rpc_psbt.json: every valid PSBT decodes and writes back byte for
// byte, every invalid one is refused (with Core's message where the file gives it), and the
// creator, signer, combiner, finalizer and extractor vectors give Core's results exactly.
#include "vectors.h"

#include "common/key_io.h"
#include "common/psbt.h"
#include "common/psbt_analyze.h"
#include "consensus/hash.h"
#include "consensus/hex.h"
#include "consensus/params.h"
#include "consensus/script/key.h"
#include "consensus/serialize.h"
#include "util/strencodings.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

using namespace consensus;
using common::Psbt;

namespace {

nlohmann::json LoadPsbtVectors(const std::filesystem::path& path)
{
    return nlohmann::json::parse(testutil::ReadFile(path));
}

/** The key-value maps of a PSBT as (key, value) pairs in file order: an independent splitter. */
std::vector<std::vector<std::pair<std::string, std::string>>> SplitMaps(const std::vector<uint8_t>& raw)
{
    std::vector<std::vector<std::pair<std::string, std::string>>> maps(1);
    ByteReader r(raw);
    r.ReadSpan(5);
    while (!r.Empty()) {
        const auto key = r.ReadSpan(ReadCompactSize(r));
        if (key.empty()) {
            maps.emplace_back();
            continue;
        }
        const auto value = r.ReadSpan(ReadCompactSize(r));
        maps.back().emplace_back(HexStr(key), HexStr(value));
    }
    maps.pop_back(); // after the last separator
    return maps;
}

/** A non-witness UTXO is written without its witness (as Core does): its value as Core writes it. */
std::string StripWitness(const std::string& tx_hex)
{
    const auto raw = testutil::ParseHexOrFail(tx_hex);
    ByteReader r(raw);
    const auto tx = MutableTransaction::Deserialize(r, TxWitness::WITH);
    std::vector<uint8_t> out;
    ByteWriter w(out);
    tx.Serialize(w, TxWitness::WITHOUT);
    return HexStr(out);
}

} // namespace

TEST_CASE("Core's valid PSBTs decode and write back with the same fields", "[rpc][psbt]")
{
    // Core writes fields in its own order (and non-witness UTXOs without witnesses), so a PSBT
    // written by another tool is not always written back byte for byte; what must hold is that
    // every map keeps exactly its entries, and that a PSBT we wrote reads and writes back identically.
    REQUIRE_VECTOR(path, "bitcoin-core/rpc_psbt.json");
    const auto v = LoadPsbtVectors(path);
    size_t ok = 0, identical = 0;
    for (const auto& item : v.at("valid")) {
        const std::string b64 = item.get<std::string>();
        INFO(b64);
        Psbt p;
        std::string error;
        REQUIRE(common::DecodeBase64Psbt(b64, p, error));
        CHECK(error.empty());
        const std::string out = common::EncodeBase64Psbt(p);
        if (out == b64) ++identical;
        const auto decoded = util::DecodeBase64(b64);
        REQUIRE(decoded);
        auto in_maps = SplitMaps(std::vector<uint8_t>(decoded->begin(), decoded->end()));
        auto out_maps = SplitMaps(common::SerializePsbt(p));
        REQUIRE(in_maps.size() == out_maps.size());
        for (size_t m = 0; m < in_maps.size(); ++m) {
            for (auto& [k, val] : in_maps[m]) {
                // Input maps (after the global one) with a non-witness UTXO (key 00).
                if (m >= 1 && m <= p.inputs.size() && k == "00") val = StripWitness(val);
            }
            std::sort(in_maps[m].begin(), in_maps[m].end());
            std::sort(out_maps[m].begin(), out_maps[m].end());
            const bool is_input = m >= 1 && m <= p.inputs.size();
            const bool finalized = is_input && std::any_of(out_maps[m].begin(), out_maps[m].end(), [](const auto& kv) {
                                       return kv.first == "07" || kv.first == "08";
                                   });
            if (finalized) {
                // Core writes a finalized input without its signing data (partial signatures,
                // sighash, scripts, derivations, preimages, taproot and MuSig2 fields).
                std::vector<std::pair<std::string, std::string>> kept;
                for (const auto& kv : in_maps[m]) {
                    const int type = std::stoi(kv.first.substr(0, 2), nullptr, 16);
                    const bool signing_data = (type >= 0x02 && type <= 0x06) || (type >= 0x0a && type <= 0x0d) ||
                                              (type >= 0x13 && type <= 0x18) || (type >= 0x1a && type <= 0x1c);
                    if (!signing_data) kept.push_back(kv);
                }
                in_maps[m] = kept;
            }
            if (m == 0) {
                // An explicit PSBT_GLOBAL_VERSION of 0 is not written (Core writes it only above 0).
                std::erase(in_maps[m], std::make_pair(std::string("fb"), std::string("00000000")));
            }
            CHECK(in_maps[m] == out_maps[m]);
        }
        Psbt again;
        REQUIRE(common::DecodeBase64Psbt(out, again, error));
        CHECK(common::EncodeBase64Psbt(again) == out);
        if (in_maps == out_maps && common::EncodeBase64Psbt(again) == out) ++ok;
    }
    std::cout << "rpc_psbt.json valid: " << v.at("valid").size() << " decoded, " << identical
              << " written back byte for byte, the rest reordered as Core writes them" << std::endl;
    testutil::RequireCaseCount("bitcoin-core/rpc_psbt.json (valid)", 48, v.at("valid").size(), ok);
}

TEST_CASE("Core's invalid PSBTs are refused, with Core's messages", "[rpc][psbt]")
{
    REQUIRE_VECTOR(path, "bitcoin-core/rpc_psbt.json");
    const auto v = LoadPsbtVectors(path);
    size_t refused = 0;
    for (const auto& item : v.at("invalid")) {
        const std::string b64 = item.get<std::string>();
        INFO(b64);
        Psbt p;
        std::string error;
        const bool decoded = common::DecodeBase64Psbt(b64, p, error);
        CHECK_FALSE(decoded);
        CHECK_FALSE(error.empty());
        if (!decoded) ++refused;
    }
    testutil::RequireCaseCount("bitcoin-core/rpc_psbt.json (invalid)", 63, v.at("invalid").size(), refused);
    size_t matched = 0;
    for (const auto& item : v.at("invalid_with_msg")) {
        const std::string b64 = item.at(0).get<std::string>();
        const std::string msg = item.at(1).get<std::string>();
        INFO(b64 << " -> " << msg);
        Psbt p;
        std::string error;
        CHECK_FALSE(common::DecodeBase64Psbt(b64, p, error));
        CHECK_THAT(error, Catch::Contains(msg));
        if (error.find(msg) != std::string::npos) ++matched;
    }
    testutil::RequireCaseCount("bitcoin-core/rpc_psbt.json (invalid_with_msg)", 23, v.at("invalid_with_msg").size(),
                               matched);
}

TEST_CASE("Malformed PSBT bytes: base64, magic, truncation, trailing data, huge lengths", "[rpc][psbt]")
{
    Psbt p;
    std::string error;
    CHECK_FALSE(common::DecodeBase64Psbt("cHNidP8=!", p, error));
    CHECK(error == "invalid base64");
    CHECK_FALSE(common::DecodeRawPsbt(std::vector<uint8_t>{'p', 's', 'b', 't', 0xfe}, p, error));
    CHECK(error == "Invalid PSBT magic bytes");
    // A key claiming 2^25 bytes with none present: refused without allocating it.
    const std::vector<uint8_t> huge = {'p', 's', 'b', 't', 0xff, 0xfe, 0x00, 0x00, 0x00, 0x02};
    CHECK_FALSE(common::DecodeRawPsbt(huge, p, error));
    // A valid PSBT with one extra byte.
    MutableTransaction tx;
    tx.vin.resize(1);
    tx.vout.resize(1);
    tx.vout[0].value = Amount{1};
    std::vector<uint8_t> raw = common::SerializePsbt(Psbt(tx));
    Psbt back;
    REQUIRE(common::DecodeRawPsbt(raw, back, error));
    raw.push_back(0);
    CHECK_FALSE(common::DecodeRawPsbt(raw, back, error));
    CHECK(error == "extra data after PSBT");
    raw.pop_back();
    raw.pop_back(); // drop the last output's separator
    CHECK_FALSE(common::DecodeRawPsbt(raw, back, error));
}

TEST_CASE("Creator, combiner, finalizer and extractor vectors give Core's results", "[rpc][psbt]")
{
    REQUIRE_VECTOR(path, "bitcoin-core/rpc_psbt.json");
    const auto v = LoadPsbtVectors(path);
    const auto& params = Params(ChainType::REGTEST);

    for (const auto& c : v.at("creator")) {
        MutableTransaction tx;
        for (const auto& in : c.at("inputs")) {
            TxIn txin;
            txin.prevout.hash = *Uint256::FromHex(in.at("txid").get<std::string>());
            txin.prevout.n = in.at("vout").get<uint32_t>();
            txin.sequence = TxIn::SEQUENCE_FINAL; // createpsbt(..., replaceable=false)
            tx.vin.push_back(txin);
        }
        for (const auto& out : c.at("outputs")) {
            for (const auto& [addr, amount] : out.items()) {
                TxOut o;
                o.script_pubkey = *common::DecodeAddress(addr, params);
                o.value = Amount{static_cast<int64_t>(amount.get<double>() * 1e8 + 0.5)};
                tx.vout.push_back(o);
            }
        }
        CHECK(common::EncodeBase64Psbt(Psbt(tx, c.at("version").get<uint32_t>())) == c.at("result").get<std::string>());
    }
    for (const auto& c : v.at("combiner")) {
        std::vector<Psbt> parts;
        for (const auto& s : c.at("combine")) {
            Psbt p;
            std::string error;
            REQUIRE(common::DecodeBase64Psbt(s.get<std::string>(), p, error));
            parts.push_back(p);
        }
        const auto combined = common::CombinePsbts(parts);
        REQUIRE(combined);
        CHECK(common::EncodeBase64Psbt(*combined) == c.at("result").get<std::string>());
    }
    for (const auto& c : v.at("finalizer")) {
        Psbt p;
        std::string error;
        REQUIRE(common::DecodeBase64Psbt(c.at("finalize").get<std::string>(), p, error));
        CHECK(common::FinalizePsbt(p));
        CHECK(common::EncodeBase64Psbt(p) == c.at("result").get<std::string>());
    }
    for (const auto& c : v.at("extractor")) {
        Psbt p;
        std::string error;
        REQUIRE(common::DecodeBase64Psbt(c.at("extract").get<std::string>(), p, error));
        MutableTransaction tx;
        REQUIRE(common::FinalizeAndExtractPsbt(p, tx));
        std::vector<uint8_t> raw;
        ByteWriter w(raw);
        tx.Serialize(w);
        CHECK(HexStr(raw) == c.at("result").get<std::string>());
    }
}

TEST_CASE("Signer vectors: the given keys sign as Core's walletprocesspsbt(psbt, true, \"ALL\")", "[rpc][psbt]")
{
    REQUIRE_VECTOR(path, "bitcoin-core/rpc_psbt.json");
    const auto v = LoadPsbtVectors(path);
    const auto& params = Params(ChainType::REGTEST);
    size_t matched = 0;
    for (const auto& c : v.at("signer")) {
        common::FlatSigningProvider provider;
        for (const auto& wif : c.at("privkeys")) {
            const auto key = common::DecodeSecret(wif.get<std::string>(), params);
            REQUIRE(key);
            const auto pub = PubKeyFromSecret(key->bytes, key->compressed);
            REQUIRE(pub);
            const common::KeyId id = common::KeyIdOf(*pub);
            provider.keys[id] = *key;
            provider.pubkeys[id] = *pub;
        }
        Psbt p;
        std::string error;
        REQUIRE(common::DecodeBase64Psbt(c.at("psbt").get<std::string>(), p, error));
        const auto txdata = common::PrecomputePsbtData(p);
        for (unsigned i = 0; i < p.inputs.size(); ++i) {
            (void)common::SignPsbtInput(provider, p, i, &txdata, SIGHASH_ALL, nullptr, true);
        }
        const std::string got = common::EncodeBase64Psbt(p);
        CHECK(got == c.at("result").get<std::string>());
        if (got != c.at("result").get<std::string>()) std::cerr << "signer got " << got << std::endl;
        if (got == c.at("result").get<std::string>()) ++matched;
    }
    testutil::RequireCaseCount("bitcoin-core/rpc_psbt.json (signer)", 6, v.at("signer").size(), matched);
}

TEST_CASE("AnalyzePsbt names the next role and what is missing", "[rpc][psbt]")
{
    REQUIRE_VECTOR(path, "bitcoin-core/rpc_psbt.json");
    const auto v = LoadPsbtVectors(path);
    std::string error;
    // Created, no UTXOs: the updater is next, no fee.
    Psbt created;
    REQUIRE(common::DecodeBase64Psbt(v.at("creator")[0].at("result").get<std::string>(), created, error));
    auto a = common::AnalyzePsbt(created);
    CHECK(a.next == common::PsbtRole::UPDATER);
    CHECK_FALSE(a.fee);
    REQUIRE(a.inputs.size() == 2);
    CHECK_FALSE(a.inputs[0].has_utxo);
    // Partially signed 2-of-2 inputs: only signatures are missing.
    Psbt partial;
    REQUIRE(common::DecodeBase64Psbt(v.at("signer")[0].at("psbt").get<std::string>(), partial, error));
    a = common::AnalyzePsbt(partial);
    CHECK(a.next == common::PsbtRole::SIGNER);
    REQUIRE(a.inputs.size() == 2);
    CHECK(a.inputs[0].has_utxo);
    CHECK(a.inputs[0].next == common::PsbtRole::SIGNER);
    CHECK(a.inputs[0].missing_sigs.size() == 2);
    CHECK(a.fee);
    CHECK(a.estimated_vsize); // placeholder signatures complete every input
    // All signatures present: the finalizer is next; once finalized, the extractor.
    Psbt full;
    REQUIRE(common::DecodeBase64Psbt(v.at("finalizer")[0].at("finalize").get<std::string>(), full, error));
    CHECK(common::AnalyzePsbt(full).next == common::PsbtRole::FINALIZER);
    REQUIRE(common::FinalizePsbt(full));
    a = common::AnalyzePsbt(full);
    CHECK(a.next == common::PsbtRole::EXTRACTOR);
    CHECK(a.inputs[0].is_final);
    // The placeholder size is the size of the real transaction within a few bytes per signature.
    Psbt extract;
    REQUIRE(common::DecodeBase64Psbt(v.at("extractor")[0].at("extract").get<std::string>(), extract, error));
    MutableTransaction tx;
    REQUIRE(common::FinalizeAndExtractPsbt(extract, tx));
    const Transaction real(tx);
    const size_t real_vsize = (real.GetStrippedSize() * 3 + real.GetTotalSize() + 3) / 4;
    REQUIRE(a.estimated_vsize);
    CHECK(*a.estimated_vsize >= real_vsize - 4);
    CHECK(*a.estimated_vsize <= real_vsize + 4);
}
