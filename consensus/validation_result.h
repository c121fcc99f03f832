// The outcome of a consensus check: valid, invalid (the data's fault, with Core's reject
// reason and a reason code saying whose fault and what kind) or error (our fault, e.g. a
// resource problem).
#pragma once

#include <string>
#include <utility>

namespace consensus {

/** Why a block is invalid, as Core's BlockValidationResult: the P2P layer decides a peer's
 *  misbehaviour from this, never from the reject string. UNSET on valid, error and tx results. */
enum class BlockValidationResult {
    UNSET,           //!< not a block result (valid, error, or a transaction's result)
    CONSENSUS,       //!< invalid by consensus rules (other than the more specific reasons below)
    CACHED_INVALID,  //!< this block was found invalid before; we do not know why any more
    INVALID_HEADER,  //!< invalid proof of work, difficulty, version or timestamp in the header
    MUTATED,         //!< the data does not match the header's commitments: a copy may have been
                     //!< malleated in transit, so the block (by hash) is NOT marked invalid
    MISSING_PREV,    //!< we do not know the previous block
    INVALID_PREV,    //!< a previous block is invalid
    TIME_FUTURE,     //!< timestamp too far in the future; may become valid later
    HEADER_LOW_WORK, //!< the headers chain has too little work (for headers sync; unused so far)
};

/** Why a transaction is invalid, as Core's TxValidationResult. UNSET on valid, error and
 *  block results. Only consensus checks set reasons today; the policy reasons await the mempool. */
enum class TxValidationResult {
    UNSET,               //!< not a transaction result
    CONSENSUS,           //!< invalid by consensus rules
    INPUTS_NOT_STANDARD, //!< spends inputs in a non-standard way (policy)
    NOT_STANDARD,        //!< not standard (policy)
    MISSING_INPUTS,      //!< an input is missing or already spent
    PREMATURE_SPEND,     //!< spends an immature coinbase, or is not final yet
    WITNESS_MUTATED,     //!< the witness may have been malleated
    WITNESS_STRIPPED,    //!< a witness was expected but is missing
    CONFLICT,            //!< conflicts with the chain or the mempool
    MEMPOOL_POLICY,      //!< refused by a mempool rule (fee, size, ancestors)
    NO_MEMPOOL,          //!< no mempool to accept it
    RECONSIDERABLE,      //!< might be accepted in a package
    UNKNOWN,             //!< not judged yet
};

/** Result of Check.../Accept.../Connect... functions. Inspect it: it is [[nodiscard]].
 *  A plain value; no thread contract. */
class [[nodiscard]] ValidationResult {
public:
    enum class Mode { VALID, INVALID, ERROR };

    ValidationResult() = default;
    static ValidationResult Valid() { return {}; }
    /** An invalid block; reject_reason is Core's string, e.g. "bad-txnmrklroot". */
    static ValidationResult Invalid(BlockValidationResult result, std::string reject_reason, std::string debug = {})
    {
        ValidationResult r(Mode::INVALID, std::move(reject_reason), std::move(debug));
        r.m_block_result = result;
        return r;
    }
    /** An invalid transaction; reject_reason is Core's string, e.g. "bad-txns-vin-empty". */
    static ValidationResult Invalid(TxValidationResult result, std::string reject_reason, std::string debug = {})
    {
        ValidationResult r(Mode::INVALID, std::move(reject_reason), std::move(debug));
        r.m_tx_result = result;
        return r;
    }
    /** A failure on our side, not the data's. */
    static ValidationResult Error(std::string reason) { return ValidationResult(Mode::ERROR, std::move(reason), {}); }

    bool IsValid() const { return m_mode == Mode::VALID; }
    bool IsInvalid() const { return m_mode == Mode::INVALID; }
    bool IsError() const { return m_mode == Mode::ERROR; }
    Mode GetMode() const { return m_mode; }
    /** The block reason of an invalid block; UNSET otherwise. */
    BlockValidationResult GetBlockResult() const { return m_block_result; }
    /** The transaction reason of an invalid transaction; UNSET otherwise. */
    TxValidationResult GetTxResult() const { return m_tx_result; }
    const std::string& GetRejectReason() const { return m_reason; }
    const std::string& GetDebugMessage() const { return m_debug; }
    /** "reason" or "reason, debug". */
    std::string ToString() const { return m_debug.empty() ? m_reason : m_reason + ", " + m_debug; }

private:
    ValidationResult(Mode m, std::string r, std::string d) : m_mode(m), m_reason(std::move(r)), m_debug(std::move(d)) {}
    Mode m_mode{Mode::VALID};
    BlockValidationResult m_block_result{BlockValidationResult::UNSET};
    TxValidationResult m_tx_result{TxValidationResult::UNSET};
    std::string m_reason;
    std::string m_debug;
};

/** True when a failed block may be a malleated copy of a valid one (its data does not match
 *  the header's commitments): such a block must not be marked invalid by hash. Judged by
 *  the reason code only, never by the reject string. */
inline bool IsMutatedBlock(const ValidationResult& r)
{
    return r.IsInvalid() && r.GetBlockResult() == BlockValidationResult::MUTATED;
}

} // namespace consensus
