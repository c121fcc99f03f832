// Runs Bitcoin Core's script_assets test set (taproot-era spends of every kind), as Core's
// script_assets_test: each success spend verifies under every consensus flag combination
// that is a subset of its flags (all of them if final); each failure spend fails under
// every superset.
#include "vectors.h"

#include "consensus/hex.h"
#include "consensus/primitives/transaction.h"
#include "consensus/script/interpreter.h"
#include "consensus/serialize.h"
#include "script_parse.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace consensus;

namespace {

/** The valid combinations of the seven consensus flags (WITNESS needs P2SH, TAPROOT needs WITNESS). */
std::vector<uint32_t> AllConsensusFlags()
{
    std::vector<uint32_t> out;
    for (unsigned i = 0; i < 128; ++i) {
        uint32_t flags = 0;
        if (i & 1) flags |= SCRIPT_VERIFY_P2SH;
        if (i & 2) flags |= SCRIPT_VERIFY_DERSIG;
        if (i & 4) flags |= SCRIPT_VERIFY_NULLDUMMY;
        if (i & 8) flags |= SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY;
        if (i & 16) flags |= SCRIPT_VERIFY_CHECKSEQUENCEVERIFY;
        if (i & 32) flags |= SCRIPT_VERIFY_WITNESS;
        if (i & 64) flags |= SCRIPT_VERIFY_TAPROOT;
        if ((flags & SCRIPT_VERIFY_WITNESS) && !(flags & SCRIPT_VERIFY_P2SH)) continue;
        if ((flags & SCRIPT_VERIFY_TAPROOT) && !(flags & SCRIPT_VERIFY_WITNESS)) continue;
        out.push_back(flags);
    }
    return out;
}

std::vector<uint8_t> HexOrThrow(const std::string& hex)
{
    auto bytes = TryParseHex(hex);
    if (!bytes) throw std::runtime_error("bad hex: " + hex.substr(0, 40));
    return *bytes;
}

ScriptWitness WitnessFromJson(const nlohmann::json& items)
{
    ScriptWitness witness;
    for (const auto& item : items) witness.stack.push_back(HexOrThrow(item.get<std::string>()));
    return witness;
}

} // namespace

TEST_CASE("Every spend of Core's script_assets set verifies or fails under all its flag combinations",
          "[vectors][script]")
{
    REQUIRE_VECTOR(dir, "bitcoin-core/script_assets");
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());

    const std::vector<uint32_t> all_flags = AllConsensusFlags();
    REQUIRE(all_flags.size() == 64);
    size_t read = 0, success_spends = 0, failure_spends = 0, verifications = 0, failures = 0;
    std::ostringstream first;
    auto fail = [&](const std::string& msg) {
        if (++failures <= 25) first << "  " << msg << "\n";
    };

    for (const auto& file : files) {
        const std::string name = file.filename().string();
        try {
            std::string text = testutil::ReadFile(file);
            // Each file is one object followed by a comma (Core concatenates them into an array).
            while (!text.empty() && (std::isspace(static_cast<unsigned char>(text.back())) || text.back() == ','))
                text.pop_back();
            const nlohmann::json test = nlohmann::json::parse(text);
            ++read;

            const auto raw_tx = HexOrThrow(test.at("tx").get<std::string>());
            ByteReader reader(raw_tx);
            MutableTransaction mtx = MutableTransaction::Deserialize(reader, TxWitness::WITH);
            std::vector<TxOut> prevouts;
            for (const auto& p : test.at("prevouts")) {
                const auto raw = HexOrThrow(p.get<std::string>());
                ByteReader r(raw);
                prevouts.push_back(TxOut::Deserialize(r));
            }
            if (prevouts.size() != mtx.vin.size()) {
                fail(name + ": prevouts do not match the inputs");
                continue;
            }
            const size_t idx = test.at("index").get<size_t>();
            if (idx >= mtx.vin.size()) {
                fail(name + ": index out of range");
                continue;
            }
            const uint32_t test_flags = testutil::ParseTestFlags(test.at("flags").get<std::string>());
            const bool fin = test.contains("final") && test["final"].get<bool>();

            for (const char* kind : {"success", "failure"}) {
                if (!test.contains(kind)) continue;
                const bool expect = std::string(kind) == "success";
                mtx.vin[idx].script_sig = Script(HexOrThrow(test[kind].at("scriptSig").get<std::string>()));
                mtx.vin[idx].witness = WitnessFromJson(test[kind].at("witness"));
                const Transaction tx(mtx);
                PrecomputedTransactionData txdata;
                txdata.Init(tx, std::vector<TxOut>(prevouts));
                const TransactionSignatureChecker checker(&tx, static_cast<unsigned>(idx), prevouts[idx].value, txdata,
                                                          MissingDataBehavior::ASSERT_FAIL);
                (expect ? success_spends : failure_spends)++;
                for (const uint32_t flags : all_flags) {
                    // A success holds for subsets of its flags (or all if final); a failure for supersets.
                    const bool applies =
                        expect ? (fin || (flags & test_flags) == flags) : (flags & test_flags) == test_flags;
                    if (!applies) continue;
                    ++verifications;
                    ScriptError err = ScriptError::UNKNOWN_ERROR;
                    const bool ret = VerifyScript(tx.vin[idx].script_sig, prevouts[idx].script_pubkey,
                                                  &tx.vin[idx].witness, flags, checker, &err);
                    if (ret != expect) {
                        fail(name + " (" + test.value("comment", std::string()) + "): " + kind + " spend " +
                             (ret ? "passed" : "failed with " + std::string(ScriptErrorName(err))) + " under " +
                             testutil::FormatTestFlags(flags));
                        break;
                    }
                }
            }
        } catch (const std::exception& e) {
            fail(name + ": exception " + e.what());
        }
    }

    std::cout << "script_assets: " << read << " files, " << success_spends << " success and " << failure_spends
              << " failure spends, " << verifications << " verifications, " << failures << " failures" << std::endl;
    if (failures) std::cout << first.str() << std::flush;
    CHECK(failures == 0);
    testutil::RequireCaseCount("bitcoin-core/script_assets", 2760, files.size(), read);
}
