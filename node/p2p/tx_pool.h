// What the peer manager needs of the mempool for transaction relay (issue 13, section 2): look
// transactions up to serve getdata and skip known announcements, hand new ones to acceptance,
// and read fee rates for feefilter (BIP-133) and the BIP-35 mempool message. The integrator
// implements it over node::mempool::TxMemPool and the acceptance code; tests use a fake
// (tests/unit/node/fake_tx_pool.h). Keeping it an interface keeps node/p2p free of the
// mempool's and policy's headers.
#pragma once

#include "consensus/amount.h"
#include "consensus/primitives/transaction.h"
#include "consensus/uint256.h"
#include "consensus/validation_result.h"
#include "node/p2p/partial_block.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace node::p2p {

/** The outcome of handing a transaction to acceptance. */
struct TxSubmitResult {
    enum class Kind {
        ACCEPTED,       //!< in the pool now; replaced lists the transactions it evicted (RBF)
        MISSING_INPUTS, //!< parents unknown: missing_parents lists their txids (for the orphan pool)
        REJECTED,       //!< refused: state says why (its TxValidationResult drives punishment and recent rejects)
    };
    Kind kind{Kind::REJECTED};
    std::vector<consensus::TransactionRef> replaced;
    std::vector<consensus::Uint256> missing_parents;
    consensus::ValidationResult state;

    static TxSubmitResult Accepted(std::vector<consensus::TransactionRef> replaced = {})
    {
        TxSubmitResult r;
        r.kind = Kind::ACCEPTED;
        r.replaced = std::move(replaced);
        return r;
    }
    static TxSubmitResult MissingInputs(std::vector<consensus::Uint256> parents)
    {
        TxSubmitResult r;
        r.kind = Kind::MISSING_INPUTS;
        r.missing_parents = std::move(parents);
        r.state = consensus::ValidationResult::Invalid(consensus::TxValidationResult::MISSING_INPUTS,
                                                       "bad-txns-inputs-missingorspent");
        return r;
    }
    static TxSubmitResult Rejected(consensus::ValidationResult state)
    {
        TxSubmitResult r;
        r.kind = Kind::REJECTED;
        r.state = std::move(state);
        return r;
    }
};

/** One pool entry as relay needs it (Core's TxMempoolInfo). */
struct TxPoolInfo {
    consensus::TransactionRef tx;
    /** When it entered the pool (for UNCONDITIONAL_RELAY_DELAY). */
    std::chrono::seconds time{0};
    /** Its modified fee and virtual size: the fee rate checked against a peer's feefilter. */
    consensus::Amount fee;
    int64_t vsize{0};
};

/**
 * The mempool as the P2P layer sees it. Thread contract: the lookups (FindTx, HaveTx, Info,
 * InfoAll, MinFeeRate, ForEachTx) may be called from any thread, including under the peer
 * manager's lock: take only the pool's own locks, never call back into the peer manager.
 * SubmitTx returns at once; acceptance runs on the validation owner.
 */
class TxPool : public TxSource {
public:
    ~TxPool() override = default;

    /** The transaction with this txid (by_wtxid false) or wtxid (true), or nullptr. */
    virtual consensus::TransactionRef FindTx(const consensus::Uint256& hash, bool by_wtxid) const = 0;
    /** Whether the pool holds it (Core's m_mempool.exists(GenTxid)). */
    virtual bool HaveTx(const consensus::Uint256& hash, bool by_wtxid) const
    {
        return FindTx(hash, by_wtxid) != nullptr;
    }
    /** The entry's relay data, by txid or wtxid; nullopt when absent. */
    virtual std::optional<TxPoolInfo> Info(const consensus::Uint256& hash, bool by_wtxid) const = 0;
    /** Every entry (BIP-35 mempool replies, the announcement filter); any order. */
    virtual std::vector<TxPoolInfo> InfoAll() const = 0;
    /**
     * Queues tx for acceptance on the validation owner and returns. done is called exactly
     * once, later, on the owner's thread (or on the caller's when the pool is shutting down):
     * it must not block and may take only the peer manager's own lock.
     */
    virtual void SubmitTx(consensus::TransactionRef tx, std::function<void(TxSubmitResult)> done) = 0;
    /** A peer asked for txid and got it: our own transaction's initial broadcast is done (Core). */
    virtual void TxServed(const consensus::Uint256& txid) { (void)txid; }
    /** Our own transactions no peer has asked for yet (Core's unbroadcast set), to announce again. */
    virtual std::vector<consensus::TransactionRef> UnbroadcastTxs() const { return {}; }
    /**
     * Queues a one-parent-one-child package (parent first) for package acceptance on the
     * validation owner (Core's ProcessNewPackage, BIP-331's 1p1c without its messages) and
     * returns; done gets one result per member, in order, exactly once, with the same thread
     * rules as SubmitTx's. By default packages are not supported: every member is refused.
     */
    virtual void SubmitPackage(std::vector<consensus::TransactionRef> txs,
                               std::function<void(std::vector<TxSubmitResult>)> done)
    {
        done(std::vector<TxSubmitResult>(
            txs.size(), TxSubmitResult::Rejected(consensus::ValidationResult::Error("packages not supported"))));
    }
    /**
     * The fee rate (sat/kvB) below which the pool would refuse anything now: the larger of
     * -minrelaytxfee and the rising minimum of a full pool (Core's GetMinFee). Sent in feefilter.
     */
    virtual consensus::Amount MinFeeRate() const = 0;
};

} // namespace node::p2p
