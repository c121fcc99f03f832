// Runs Bitcoin Core's script_tests.json against VerifyScript, as Core's script_json_test does:
// each case spends a crediting transaction's only output, and must pass or fail with the
// named ScriptError; random flag changes in the safe direction must not change the outcome.
#include "script_parse.h"
#include "vectors.h"

#include "consensus/hex.h"
#include "consensus/primitives/transaction.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/pubkey.h"
#include "consensus/script/script_error.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace consensus;

namespace {

// x(G), the x-only key of secret key 1 (Core uses the same key0): the internal key of the
// single-leaf taproot trees the tapscript cases ask for.
constexpr std::string_view INTERNAL_KEY_HEX = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
constexpr std::string_view TAPROOT_OUTPUT_TOKEN = "0x51 0x20 #TAPROOTOUTPUT#";
constexpr int FLAG_VARIATIONS = 16;

MutableTransaction BuildCreditingTransaction(const Script& script_pubkey, Amount value)
{
    MutableTransaction tx;
    tx.version = 1;
    tx.locktime = 0;
    tx.vin.resize(1);
    tx.vin[0].prevout = OutPoint();
    tx.vin[0].script_sig = Script() << OP_0 << OP_0;
    tx.vin[0].sequence = TxIn::SEQUENCE_FINAL;
    tx.vout.emplace_back(value, script_pubkey);
    return tx;
}

MutableTransaction BuildSpendingTransaction(const Script& script_sig, const ScriptWitness& witness,
                                            const MutableTransaction& credit)
{
    MutableTransaction tx;
    tx.version = 1;
    tx.locktime = 0;
    tx.vin.resize(1);
    tx.vin[0].prevout = OutPoint(credit.GetTxid(), 0);
    tx.vin[0].script_sig = script_sig;
    tx.vin[0].witness = witness;
    tx.vin[0].sequence = TxIn::SEQUENCE_FINAL;
    tx.vout.emplace_back(credit.vout[0].value, Script());
    return tx;
}

struct Failures {
    size_t count{0};
    std::ostringstream first;
    void Add(const std::string& msg)
    {
        if (++count <= 25) first << "  " << msg << "\n";
    }
};

} // namespace

TEST_CASE("VerifyScript agrees with every case of Core's script_tests.json", "[vectors][script]")
{
    REQUIRE_VECTOR(path, "bitcoin-core/script_tests.json");
    const nlohmann::json tests = testutil::ParseJsonExactNumbers(testutil::ReadFile(path));
    REQUIRE(tests.is_array());

    const auto internal_key = testutil::ParseHexOrFail(std::string(INTERNAL_KEY_HEX));
    std::mt19937_64 rng(0x5eed5c417e575ULL); // deterministic flag variations
    const uint32_t all_flags = testutil::AllTestFlags();

    size_t expected_cases = 0, executed = 0, variations = 0;
    Failures failures;

    for (const auto& test : tests) {
        const std::string str_test = test.dump();
        if (!test.is_array() || test.empty()) {
            failures.Add("bad entry: " + str_test);
            continue;
        }
        if (test.size() == 1) continue; // a comment
        ++expected_cases;
        size_t pos = 0;
        ScriptWitness witness;
        Amount value{0};
        std::optional<std::array<uint8_t, 32>> taproot_output;
        if (test[0].is_array()) {
            const auto& wit = test[0];
            if (wit.empty()) {
                failures.Add("bad witness array: " + str_test);
                continue;
            }
            bool ok = true;
            try {
                for (size_t i = 0; i + 1 < wit.size(); ++i) {
                    const std::string element = wit[i].get<std::string>();
                    static const std::string SCRIPT_FLAG = "#SCRIPT#";
                    if (element.rfind(SCRIPT_FLAG, 0) == 0) {
                        const Script script = testutil::ParseScript(element.substr(SCRIPT_FLAG.size()));
                        witness.stack.emplace_back(script.begin(), script.end());
                    } else if (element == "#CONTROLBLOCK#") {
                        // A one-leaf tree: the merkle root is the leaf hash of the preceding element.
                        if (witness.stack.empty()) {
                            ok = false;
                            break;
                        }
                        const Uint256 leaf = ComputeTapleafHash(TAPROOT_LEAF_TAPSCRIPT, witness.stack.back());
                        const auto tweaked = TweakXOnly(internal_key, &leaf);
                        if (!tweaked) {
                            ok = false;
                            break;
                        }
                        taproot_output = tweaked->first;
                        std::vector<uint8_t> control{
                            static_cast<uint8_t>(TAPROOT_LEAF_TAPSCRIPT | (tweaked->second ? 1 : 0))};
                        control.insert(control.end(), internal_key.begin(), internal_key.end());
                        witness.stack.push_back(std::move(control));
                    } else {
                        auto bytes = TryParseHex(element);
                        if (!bytes) {
                            ok = false;
                            break;
                        }
                        witness.stack.push_back(std::move(*bytes));
                    }
                }
            } catch (const std::exception&) {
                ok = false;
            }
            const auto amount = testutil::AmountFromJson(wit.back());
            if (!ok || !amount) {
                failures.Add("bad witness or amount: " + str_test);
                continue;
            }
            value = *amount;
            pos = 1;
        }
        if (test.size() < 4 + pos) {
            failures.Add("bad test: " + str_test);
            continue;
        }

        Script script_sig, script_pubkey;
        uint32_t flags = 0;
        std::string expected_name;
        try {
            script_sig = testutil::ParseScript(test[pos].get<std::string>());
            const std::string spk_text = test[pos + 1].get<std::string>();
            if (spk_text == TAPROOT_OUTPUT_TOKEN) {
                if (!taproot_output) throw std::runtime_error("#TAPROOTOUTPUT# without #CONTROLBLOCK#");
                script_pubkey = Script() << OP_1;
                script_pubkey << std::span<const uint8_t>(*taproot_output);
            } else {
                script_pubkey = testutil::ParseScript(spk_text);
            }
            flags = testutil::ParseTestFlags(test[pos + 2].get<std::string>());
            expected_name = test[pos + 3].get<std::string>();
        } catch (const std::exception& e) {
            failures.Add(std::string("unparsable case (") + e.what() + "): " + str_test);
            continue;
        }
        if (ScriptErrorFromName(expected_name) == ScriptError::ERROR_COUNT) {
            failures.Add("unknown expected error name " + expected_name + ": " + str_test);
            continue;
        }
        const bool expect = expected_name == "OK";

        // As Core's DoTest: CLEANSTACK is only defined together with P2SH and WITNESS.
        if (flags & SCRIPT_VERIFY_CLEANSTACK) flags |= SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS;

        const MutableTransaction credit = BuildCreditingTransaction(script_pubkey, value);
        const MutableTransaction spend = BuildSpendingTransaction(script_sig, witness, credit);
        const MutableTransactionSignatureChecker checker(&spend, 0, credit.vout[0].value,
                                                         MissingDataBehavior::ASSERT_FAIL);
        ++executed;
        ScriptError err = ScriptError::UNKNOWN_ERROR;
        const bool result = VerifyScript(script_sig, script_pubkey, &witness, flags, checker, &err);
        const std::string actual_name(ScriptErrorName(err));
        if (result != expect || actual_name != expected_name) {
            failures.Add("expected " + expected_name + ", got " + (result ? "pass" : "fail") + " " + actual_name +
                         " (flags " + testutil::FormatTestFlags(flags) + "): " + str_test);
            continue;
        }

        // Removing flags from a passing case or adding flags to a failing one keeps the outcome.
        for (int i = 0; i < FLAG_VARIATIONS; ++i) {
            const uint32_t extra = static_cast<uint32_t>(rng()) & all_flags;
            const uint32_t combined = expect ? (flags & ~extra) : (flags | extra);
            if ((combined & SCRIPT_VERIFY_CLEANSTACK) && (~combined & (SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS)))
                continue;
            if ((combined & SCRIPT_VERIFY_WITNESS) && (~combined & SCRIPT_VERIFY_P2SH)) continue;
            ++variations;
            ScriptError verr = ScriptError::UNKNOWN_ERROR;
            if (VerifyScript(script_sig, script_pubkey, &witness, combined, checker, &verr) != expect) {
                failures.Add(std::string(expect ? "passing" : "failing") + " case changed outcome with flags " +
                             testutil::FormatTestFlags(combined) + " (error " + std::string(ScriptErrorName(verr)) +
                             "): " + str_test);
                break;
            }
        }
    }

    std::cout << "script_tests: " << executed << " cases, " << variations << " flag variations, " << failures.count
              << " failures" << std::endl;
    if (failures.count) std::cout << failures.first.str() << std::flush;
    CHECK(failures.count == 0);
    testutil::RequireCaseCount("bitcoin-core/script_tests.json", 1222, expected_cases, executed);
}

TEST_CASE("ParseScript reads Core's script text and ParseAmount reads exact BTC amounts", "[vectors][script]")
{
    auto hex = [](std::string_view text) { return HexStr(testutil::ParseScript(text)); };
    CHECK(hex("") == "");
    CHECK(hex("0 -1 1 16") == "004f5160");
    CHECK(hex("17 1000 -1000") == "011102e80302e883");
    CHECK(hex("4294967295 -4294967295") == "05ffffffff0005ffffffff80");
    CHECK(hex("0x4c 0x01 0x07") == "4c0107");
    CHECK(hex("'Az' ''") == "02417a00");
    CHECK(hex("ADD OP_ADD NOP10 CHECKLOCKTIMEVERIFY OP_CHECKSIGADD RESERVED") == "9393b9b1ba50");
    CHECK(hex("  1\t2\n") == "5152");
    CHECK_THROWS(testutil::ParseScript("4294967296"));
    CHECK_THROWS(testutil::ParseScript("OP_1")); // Core does not name OP_0..OP_16 this way
    CHECK_THROWS(testutil::ParseScript("NOP2")); // nor NOP2/NOP3, which are CLTV/CSV
    CHECK_THROWS(testutil::ParseScript("0x"));
    CHECK_THROWS(testutil::ParseScript("0x123"));
    CHECK_THROWS(testutil::ParseScript("#TAPROOTOUTPUT#"));

    CHECK(testutil::ParseAmount("0.00000001") == Amount{1});
    CHECK(testutil::ParseAmount("1e-08") == Amount{1});
    CHECK(testutil::ParseAmount("1.5") == Amount{150000000});
    CHECK(testutil::ParseAmount("21000000") == MAX_MONEY);
    CHECK(testutil::ParseAmount("0") == Amount{0});
    CHECK(!testutil::ParseAmount("0.000000001"));
    CHECK(!testutil::ParseAmount("21000000.00000001"));
    CHECK(!testutil::ParseAmount("abc"));
    CHECK(!testutil::ParseAmount(""));
    CHECK(testutil::ParseJsonExactNumbers("[0.00000001]")[0] == "0.00000001");
}
