// Runs Bitcoin Core's sighash.json: legacy signature hashes of random transactions, script
// codes and hash types (including the SIGHASH_SINGLE bug and hash types that are no type).
#include "vectors.h"

#include "consensus/hex.h"
#include "consensus/primitives/transaction.h"
#include "consensus/script/interpreter.h"
#include "consensus/serialize.h"
#include "consensus/tx_check.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <sstream>
#include <string>

using namespace consensus;

TEST_CASE("SignatureHash matches every legacy hash of Core's sighash.json", "[vectors][script]")
{
    REQUIRE_VECTOR(path, "bitcoin-core/sighash.json");
    const nlohmann::json tests = nlohmann::json::parse(testutil::ReadFile(path));
    REQUIRE(tests.is_array());

    size_t expected = 0, ran = 0, failures = 0;
    std::ostringstream first;
    auto fail = [&](const std::string& msg) {
        if (++failures <= 25) first << "  " << msg << "\n";
    };

    for (const auto& test : tests) {
        if (!test.is_array() || test.size() == 1) continue; // the format comment
        ++expected;
        const std::string str_test = test.dump();
        if (test.size() != 5) {
            fail("bad test: " + str_test);
            continue;
        }
        try {
            const auto raw_tx = TryParseHex(test[0].get<std::string>());
            const auto raw_script = TryParseHex(test[1].get<std::string>());
            if (!raw_tx || !raw_script) {
                fail("bad hex: " + str_test);
                continue;
            }
            const int in_pos = test[2].get<int>();
            const int hash_type = test[3].get<int>();
            const std::string expected_hash = test[4].get<std::string>();

            ByteReader reader(*raw_tx);
            const Transaction tx = Transaction::Deserialize(reader, TxWitness::WITH);
            // As Core: the transactions are all well-formed.
            const ValidationResult state = CheckTransaction(tx);
            if (!state.IsValid()) fail("CheckTransaction rejected it (" + state.ToString() + "): " + str_test);

            const Script script_code{std::span<const uint8_t>(*raw_script)};
            const Uint256 hash =
                SignatureHash(script_code, tx, static_cast<unsigned>(in_pos), hash_type, Amount{0}, SigVersion::BASE);
            ++ran;
            if (hash.GetHex() != expected_hash) fail("got " + hash.GetHex() + ": " + str_test);
        } catch (const std::exception& e) {
            fail(std::string("exception ") + e.what() + ": " + str_test);
        }
    }

    std::cout << "sighash: " << ran << " cases, " << failures << " failures" << std::endl;
    if (failures) std::cout << first.str() << std::flush;
    CHECK(failures == 0);
    testutil::RequireCaseCount("bitcoin-core/sighash.json", 500, expected, ran);
}
