// Runs Bitcoin Core's tx_valid.json and tx_invalid.json with Core's semantics
// (transaction_tests.cpp): CheckTransaction, then every input through VerifyScript, and the
// checks that the listed flags are exactly the ones that matter.
#include "script_parse.h"
#include "vectors.h"

#include "consensus/hex.h"
#include "consensus/primitives/transaction.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/script_error.h"
#include "consensus/serialize.h"
#include "consensus/tx_check.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace consensus;

namespace {

struct Failures {
    size_t count{0};
    std::ostringstream first;
    void Add(const std::string& msg)
    {
        if (++count <= 25) first << "  " << msg << "\n";
    }
};

/** One parsed test: the coins it spends, the transaction, and its flag string. */
struct TxTest {
    std::map<OutPoint, Script> prevout_scripts;
    std::map<OutPoint, int64_t> prevout_values;
    std::shared_ptr<const Transaction> tx;
    std::string flags;
};

/** Parses [[[hash, index, script, amount?]...], tx hex, flags]; nullopt (with why) if malformed. */
std::optional<TxTest> ParseTxTest(const nlohmann::json& test, std::string& why)
{
    if (test.size() != 3 || !test[0].is_array() || !test[1].is_string() || !test[2].is_string()) {
        why = "wrong shape";
        return std::nullopt;
    }
    TxTest out;
    try {
        for (const auto& input : test[0]) {
            if (!input.is_array() || input.size() < 3 || input.size() > 4) {
                why = "bad prevout entry";
                return std::nullopt;
            }
            const auto hash = Uint256::FromHex(input[0].get<std::string>());
            if (!hash) {
                why = "bad prevout hash";
                return std::nullopt;
            }
            // Core reads the index as an int and casts: -1 means 0xffffffff.
            const OutPoint outpoint(*hash, static_cast<uint32_t>(input[1].get<int64_t>()));
            out.prevout_scripts[outpoint] = testutil::ParseScript(input[2].get<std::string>());
            if (input.size() == 4) out.prevout_values[outpoint] = input[3].get<int64_t>();
        }
        const auto raw = TryParseHex(test[1].get<std::string>());
        if (!raw) {
            why = "bad transaction hex";
            return std::nullopt;
        }
        ByteReader reader(*raw);
        out.tx = std::make_shared<const Transaction>(Transaction::Deserialize(reader, TxWitness::WITH));
    } catch (const std::exception& e) {
        why = e.what();
        return std::nullopt;
    }
    out.flags = test[2].get<std::string>();
    return out;
}

/** WITNESS needs P2SH; CLEANSTACK needs WITNESS (removes what lacks its requirement). */
uint32_t TrimFlags(uint32_t flags)
{
    if (!(flags & SCRIPT_VERIFY_P2SH)) flags &= ~uint32_t(SCRIPT_VERIFY_WITNESS);
    if (!(flags & SCRIPT_VERIFY_WITNESS)) flags &= ~uint32_t(SCRIPT_VERIFY_CLEANSTACK);
    return flags;
}

/** CLEANSTACK implies WITNESS; WITNESS implies P2SH (adds what is required). */
uint32_t FillFlags(uint32_t flags)
{
    if (flags & SCRIPT_VERIFY_CLEANSTACK) flags |= SCRIPT_VERIFY_WITNESS;
    if (flags & SCRIPT_VERIFY_WITNESS) flags |= SCRIPT_VERIFY_P2SH;
    return flags;
}

/** flags with each single flag removed (then trimmed), without duplicates or no-ops. */
std::set<uint32_t> ExcludeIndividualFlags(uint32_t flags)
{
    std::set<uint32_t> combos;
    for (const auto& [name, flag] : testutil::TestFlagTable()) {
        const uint32_t excluding_one = TrimFlags(flags & ~flag);
        if (flags != excluding_one) combos.insert(excluding_one);
    }
    return combos;
}

/** A test with its precomputed data, verified under many flag sets. */
class TxScriptRunner {
public:
    explicit TxScriptRunner(const TxTest& test) : m_test(test)
    {
        std::vector<TxOut> spent;
        for (const auto& in : test.tx->vin) {
            const auto it = test.prevout_scripts.find(in.prevout);
            if (it == test.prevout_scripts.end()) {
                m_missing_prevout = true;
                return;
            }
            const auto value = test.prevout_values.find(in.prevout);
            spent.emplace_back(Amount{value == test.prevout_values.end() ? 0 : value->second}, it->second);
        }
        m_txdata.Init(*test.tx, std::move(spent));
    }

    bool MissingPrevout() const { return m_missing_prevout; }

    /**
     * Verifies inputs in order under flags, stopping at the first failure, as Core's
     * CheckTxScripts. True when the outcome (all pass with OK / one fails with an error)
     * matches expect_valid; detail says which input and error otherwise.
     */
    bool Check(uint32_t flags, bool expect_valid, std::string& detail)
    {
        ++m_verifications_total;
        const Transaction& tx = *m_test.tx;
        bool tx_valid = true;
        ScriptError err = expect_valid ? ScriptError::UNKNOWN_ERROR : ScriptError::OK;
        for (unsigned i = 0; i < tx.vin.size() && tx_valid; ++i) {
            const TxIn& in = tx.vin[i];
            const auto value = m_test.prevout_values.find(in.prevout);
            const Amount amount{value == m_test.prevout_values.end() ? 0 : value->second};
            const TransactionSignatureChecker checker(&tx, i, amount, m_txdata, MissingDataBehavior::ASSERT_FAIL);
            err = ScriptError::UNKNOWN_ERROR;
            tx_valid =
                VerifyScript(in.script_sig, m_test.prevout_scripts.at(in.prevout), &in.witness, flags, checker, &err);
            if (expect_valid && (!tx_valid || err != ScriptError::OK)) {
                detail = "input " + std::to_string(i) + " failed with " + std::string(ScriptErrorName(err)) +
                         " under flags " + testutil::FormatTestFlags(flags);
                return false;
            }
        }
        if (!expect_valid && (tx_valid || err == ScriptError::OK)) {
            detail = "all inputs passed under flags " + testutil::FormatTestFlags(flags);
            return false;
        }
        return true;
    }

    static inline size_t m_verifications_total{0};

private:
    const TxTest& m_test;
    PrecomputedTransactionData m_txdata;
    bool m_missing_prevout{false};
};

} // namespace

TEST_CASE("Every transaction of Core's tx_valid.json is valid, with exactly its flags excluded", "[vectors][script]")
{
    REQUIRE_VECTOR(path, "bitcoin-core/tx_valid.json");
    const nlohmann::json tests = nlohmann::json::parse(testutil::ReadFile(path));
    REQUIRE(tests.is_array());

    const uint32_t all = testutil::AllTestFlags();
    std::mt19937_64 rng(0x7a11d5eedULL);
    size_t expected = 0, ran = 0;
    const size_t verifications_before = TxScriptRunner::m_verifications_total;
    Failures failures;

    for (const auto& test : tests) {
        if (!test.is_array() || test.empty() || !test[0].is_array()) continue; // comments
        ++expected;
        const std::string str_test = test.dump();
        std::string why;
        const auto parsed = ParseTxTest(test, why);
        if (!parsed) {
            failures.Add("bad test (" + why + "): " + str_test);
            continue;
        }
        const ValidationResult state = CheckTransaction(*parsed->tx);
        if (!state.IsValid()) {
            failures.Add("CheckTransaction rejected it (" + state.ToString() + "): " + str_test);
            continue;
        }
        uint32_t excluded = 0;
        try {
            excluded = testutil::ParseTestFlags(parsed->flags);
        } catch (const std::exception& e) {
            failures.Add(std::string("bad flags (") + e.what() + "): " + str_test);
            continue;
        }
        TxScriptRunner runner(*parsed);
        if (runner.MissingPrevout()) {
            failures.Add("bad test (an input's prevout is not listed): " + str_test);
            continue;
        }
        ++ran;
        // The flag combination must be valid as given (Core: "Bad test flags").
        if ((~excluded & all) != FillFlags(~excluded & all)) failures.Add("bad test flags: " + str_test);

        std::string detail;
        if (!runner.Check(~excluded & all, true, detail)) {
            failures.Add("unexpectedly failed: " + detail + ": " + str_test);
            continue;
        }
        // Removing any flag(s) must not invalidate a valid transaction.
        bool ok = true;
        for (const auto& [name, flag] : testutil::TestFlagTable()) {
            if (!runner.Check(TrimFlags(~(excluded | flag) & all), true, detail)) {
                failures.Add("failed with " + std::string(name) + " unset: " + detail + ": " + str_test);
                ok = false;
                break;
            }
            const uint32_t random = static_cast<uint32_t>(rng()) & all;
            if (!runner.Check(TrimFlags(~(excluded | random) & all), true, detail)) {
                failures.Add("failed with random flags unset: " + detail + ": " + str_test);
                ok = false;
                break;
            }
        }
        if (!ok) continue;
        // The excluded flags are maximal: re-enabling any one of them makes it fail.
        for (const uint32_t excluding_one : ExcludeIndividualFlags(excluded)) {
            if (!runner.Check(~excluding_one & all, false, detail)) {
                failures.Add("too many flags excluded (" + testutil::FormatTestFlags(excluded & ~excluding_one) +
                             " not needed): " + detail + ": " + str_test);
                break;
            }
        }
    }

    std::cout << "tx_valid: " << ran << " transactions, "
              << TxScriptRunner::m_verifications_total - verifications_before << " flag sets verified, "
              << failures.count << " failures" << std::endl;
    if (failures.count) std::cout << failures.first.str() << std::flush;
    CHECK(failures.count == 0);
    testutil::RequireCaseCount("bitcoin-core/tx_valid.json", 121, expected, ran);
}

TEST_CASE("Every transaction of Core's tx_invalid.json fails, with exactly its flags needed", "[vectors][script]")
{
    REQUIRE_VECTOR(path, "bitcoin-core/tx_invalid.json");
    const nlohmann::json tests = nlohmann::json::parse(testutil::ReadFile(path));
    REQUIRE(tests.is_array());

    const uint32_t all = testutil::AllTestFlags();
    std::mt19937_64 rng(0xbad7c5eedULL);
    size_t expected = 0, ran = 0, badtx = 0;
    const size_t verifications_before = TxScriptRunner::m_verifications_total;
    Failures failures;

    for (const auto& test : tests) {
        if (!test.is_array() || test.empty() || !test[0].is_array()) continue; // comments
        ++expected;
        const std::string str_test = test.dump();
        std::string why;
        const auto parsed = ParseTxTest(test, why);
        if (!parsed) {
            failures.Add("bad test (" + why + "): " + str_test);
            continue;
        }
        const ValidationResult state = CheckTransaction(*parsed->tx);
        if (!state.IsValid()) {
            // Only BADTX cases may fail CheckTransaction.
            if (parsed->flags != "BADTX") {
                failures.Add("CheckTransaction rejected a non-BADTX case (" + state.ToString() + "): " + str_test);
            } else {
                ++badtx;
                ++ran;
            }
            continue;
        }
        if (parsed->flags == "BADTX") {
            failures.Add("CheckTransaction accepted a BADTX case: " + str_test);
            continue;
        }
        uint32_t flags = 0;
        try {
            flags = testutil::ParseTestFlags(parsed->flags);
        } catch (const std::exception& e) {
            failures.Add(std::string("bad flags (") + e.what() + "): " + str_test);
            continue;
        }
        TxScriptRunner runner(*parsed);
        if (runner.MissingPrevout()) {
            failures.Add("bad test (an input's prevout is not listed): " + str_test);
            continue;
        }
        ++ran;
        if (flags != FillFlags(flags)) failures.Add("bad test flags: " + str_test);

        std::string detail;
        if (!runner.Check(flags, false, detail)) {
            failures.Add("unexpectedly passed: " + detail + ": " + str_test);
            continue;
        }
        // Adding any flag(s) must not validate an invalid transaction.
        bool ok = true;
        for (const auto& [name, flag] : testutil::TestFlagTable()) {
            if (!runner.Check(FillFlags(flags | flag), false, detail)) {
                failures.Add("passed with " + std::string(name) + " set: " + detail + ": " + str_test);
                ok = false;
                break;
            }
            const uint32_t random = static_cast<uint32_t>(rng()) & all;
            if (!runner.Check(FillFlags(flags | random), false, detail)) {
                failures.Add("passed with random flags set: " + detail + ": " + str_test);
                ok = false;
                break;
            }
        }
        if (!ok) continue;
        // The flags are minimal: removing any one of them makes it pass.
        for (const uint32_t excluding_one : ExcludeIndividualFlags(flags)) {
            if (!runner.Check(excluding_one, true, detail)) {
                failures.Add("too many flags set (" + testutil::FormatTestFlags(flags & ~excluding_one) +
                             " not needed): " + detail + ": " + str_test);
                break;
            }
        }
    }

    std::cout << "tx_invalid: " << ran << " transactions (" << badtx << " BADTX), "
              << TxScriptRunner::m_verifications_total - verifications_before << " flag sets verified, "
              << failures.count << " failures" << std::endl;
    if (failures.count) std::cout << failures.first.str() << std::flush;
    CHECK(failures.count == 0);
    testutil::RequireCaseCount("bitcoin-core/tx_invalid.json", 93, expected, ran);
}
