// ValidationResult's reason codes (Core's BlockValidationResult / TxValidationResult): the
// P2P layer and the chainstate judge by the code, never by the reject string.
#include "consensus/validation_result.h"

#include <catch2/catch.hpp>

using namespace consensus;

TEST_CASE("A ValidationResult carries a block or a transaction reason code, never both", "[consensus]")
{
    CHECK(ValidationResult::Valid().GetBlockResult() == BlockValidationResult::UNSET);
    CHECK(ValidationResult::Valid().GetTxResult() == TxValidationResult::UNSET);
    const auto blk = ValidationResult::Invalid(BlockValidationResult::TIME_FUTURE, "time-too-new", "debug");
    CHECK(blk.IsInvalid());
    CHECK(blk.GetBlockResult() == BlockValidationResult::TIME_FUTURE);
    CHECK(blk.GetTxResult() == TxValidationResult::UNSET);
    CHECK(blk.ToString() == "time-too-new, debug");
    const auto tx = ValidationResult::Invalid(TxValidationResult::MISSING_INPUTS, "bad-txns-inputs-missingorspent");
    CHECK(tx.GetTxResult() == TxValidationResult::MISSING_INPUTS);
    CHECK(tx.GetBlockResult() == BlockValidationResult::UNSET);
    const auto err = ValidationResult::Error("disk");
    CHECK(err.IsError());
    CHECK(err.GetBlockResult() == BlockValidationResult::UNSET);
}

TEST_CASE("A mutated block is judged by its reason code, not by its reject string", "[consensus]")
{
    // The strings of Core's mutation checks with a different code are not mutations...
    for (const char* s : {"bad-txnmrklroot", "bad-txns-duplicate", "bad-witness-nonce-size", "bad-witness-merkle-match",
                          "unexpected-witness"}) {
        INFO(s);
        CHECK_FALSE(IsMutatedBlock(ValidationResult::Invalid(BlockValidationResult::CONSENSUS, s)));
        CHECK_FALSE(IsMutatedBlock(ValidationResult::Invalid(TxValidationResult::WITNESS_MUTATED, s)));
        CHECK(IsMutatedBlock(ValidationResult::Invalid(BlockValidationResult::MUTATED, s)));
    }
    // ...and the code alone makes one, whatever the string says.
    CHECK(IsMutatedBlock(ValidationResult::Invalid(BlockValidationResult::MUTATED, "some-future-reason")));
    CHECK_FALSE(IsMutatedBlock(ValidationResult::Valid()));
    CHECK_FALSE(IsMutatedBlock(ValidationResult::Error("bad-txnmrklroot")));
}
