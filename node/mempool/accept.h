// Whether a transaction may enter the mempool, and putting it there: Core's MemPoolAccept
// (validation.cpp's PreChecks, ReplacementChecks, PolicyScriptChecks, ConsensusScriptChecks,
// Finalize) over the chainstate's UTXO set plus the pool's own outputs.
//
// Thread contract: Accept and AcceptPackage change the pool and run on the validation owner's
// thread only (in the daemon: jobs on ValidationOwner; unit tests: one thread). They read the
// chainstate through its readers (the tip cannot move meanwhile: only the owner moves it).
#pragma once

#include "consensus/amount.h"
#include "consensus/coins.h"
#include "consensus/primitives/transaction.h"
#include "consensus/validation_result.h"
#include "node/mempool/feerate.h"
#include "node/mempool/policy.h"
#include "node/mempool/txmempool.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string_view>
#include <optional>
#include <string>
#include <vector>

namespace node::chain {
class Chainstate;
} // namespace node::chain

namespace node::mempool {

/** The node's acceptance settings (-acceptnonstdtxn, -datacarrier..., -limitancestorcount...). */
struct AcceptOptions {
    PolicyOptions policy;
    /** False only with -acceptnonstdtxn on a test chain: standardness is not required. */
    bool require_standard{true};
};

/** The reject reason of a valid transaction whose fee is above the caller's maximum (Core's, testmempoolaccept's). */
inline constexpr std::string_view MAX_FEE_EXCEEDED = "max-fee-exceeded";

/** The outcome of one transaction's acceptance (Core's MempoolAcceptResult). */
struct AcceptResult {
    enum class Kind {
        VALID,             //!< entered the pool (or would have, for a test)
        INVALID,           //!< refused: state says why
        MEMPOOL_ENTRY,     //!< the same transaction (wtxid) is already in the pool
        DIFFERENT_WITNESS, //!< the same txid with another witness is in the pool (other_wtxid)
    };
    Kind kind{Kind::INVALID};
    consensus::ValidationResult state;
    consensus::Amount base_fee; //!< VALID / MEMPOOL_ENTRY
    int64_t vsize{0};           //!< VALID / MEMPOOL_ENTRY
    /** The fee rate the transaction was judged at (its own, or its package's): VALID. */
    std::optional<FeeRate> effective_feerate;
    /** The wtxids whose fees and sizes made effective_feerate. */
    std::vector<consensus::Uint256> effective_feerate_wtxids;
    /** Transactions it replaced (RBF), removed from the pool. */
    std::vector<consensus::TransactionRef> replaced;
    /** MISSING_INPUTS: the txids of the parents that are neither in the UTXO set nor the pool. */
    std::vector<consensus::Uint256> missing_parents;
    /** DIFFERENT_WITNESS: the wtxid in the pool. */
    consensus::Uint256 other_wtxid;

    bool Valid() const { return kind == Kind::VALID; }
};

/** One transaction's result in a package, and the package's own verdict (submitpackage). */
struct PackageResult {
    consensus::ValidationResult state; //!< valid, or why the package as a whole failed
    /**
     * Core's PCKG_POLICY: the package broke a rule of packages (its shape, TRUC inside it), as
     * opposed to one of its transactions failing (PCKG_TX). testmempoolaccept's "package-error".
     */
    bool policy_failure{false};
    /** By wtxid, in the package's order; missing for a transaction not judged. */
    std::vector<std::pair<consensus::Uint256, AcceptResult>> results;
};

/** Core's MAX_PACKAGE_COUNT and MAX_PACKAGE_WEIGHT (policy/packages.h): submitpackage, testmempoolaccept. */
inline constexpr size_t MAX_PACKAGE_COUNT = 25;
inline constexpr int64_t MAX_PACKAGE_WEIGHT = 404'000;

/** Core's IsChildWithParentsTree: the last transaction spends every other, none of which spends another. */
bool IsChildWithParentsTree(const std::vector<consensus::TransactionRef>& txs);

/** Core's MEMPOOL_HEIGHT: the height a coin created by a pool transaction reports. */
inline constexpr uint32_t MEMPOOL_HEIGHT = 0x7FFFFFFF;

/**
 * Coins as the pool sees them: a pool transaction's outputs (height MEMPOOL_HEIGHT), else the
 * chainstate's UTXO set. Outputs spent by other pool transactions are still returned (the
 * conflict is the spender index's business, as Core's CCoinsViewMemPool).
 */
class PoolCoinsView final : public consensus::CoinsView {
public:
    /** package (may be null): transactions being judged together, whose outputs count as the pool's. */
    PoolCoinsView(const chain::Chainstate& chain, const TxMemPool& pool,
                  const std::map<consensus::Uint256, consensus::TransactionRef>* package = nullptr)
        : m_chain(chain), m_pool(pool), m_package(package)
    {}
    std::optional<consensus::Coin> GetCoin(const consensus::OutPoint& outpoint) const override;
    /** A coin of the UTXO set only (not the pool). */
    std::optional<consensus::Coin> GetChainCoin(const consensus::OutPoint& outpoint) const;

private:
    const chain::Chainstate& m_chain;
    const TxMemPool& m_pool;
    const std::map<consensus::Uint256, consensus::TransactionRef>* m_package;
};

class MempoolAcceptor {
public:
    MempoolAcceptor(chain::Chainstate& chain, TxMemPool& pool, AcceptOptions options);

    /**
     * Core's AcceptToMemoryPool. accept_time is the entry time (seconds); bypass_limits (a reorg's
     * or mempool.dat's transactions) skips the fee floors and trimming as Core's; test_accept
     * (testmempoolaccept) judges without changing the pool; max_feerate (a client's maxfeerate)
     * refuses a higher modified fee rate ("max feerate exceeded"). A transaction found valid whose
     * fee is above max_fee (when positive: sendrawtransaction's maxfeerate times its size) is
     * refused with "max-fee-exceeded" before it changes the pool, as Core's BroadcastTransaction
     * refuses it after its test acceptance (here one pass instead of two).
     */
    AcceptResult Accept(const consensus::TransactionRef& tx, int64_t accept_time, bool bypass_limits, bool test_accept,
                        std::optional<FeeRate> max_feerate = std::nullopt, consensus::Amount max_fee = {});

    /**
     * Core's ProcessNewPackage for submitpackage (test_accept false): a child with its
     * unconfirmed parents, topologically sorted. Each transaction is first tried alone; those
     * refused only for their fee (RECONSIDERABLE) are then judged with the child as one
     * package at the package fee rate (one-parent-one-child, BIP-431 rules for TRUC). A failure
     * for another reason ends it there (Core's quit_early). max_feerate (submitpackage's
     * maxfeerate) applies to each transaction's own modified fee rate, not the package's.
     */
    PackageResult AcceptPackage(const std::vector<consensus::TransactionRef>& txs, int64_t accept_time,
                                std::optional<FeeRate> max_feerate = std::nullopt);

    /**
     * Core's ProcessNewPackage with test_accept (testmempoolaccept of several transactions):
     * well-formed and sorted (any topology), none in or conflicting with the pool, a transaction
     * may spend an earlier one's outputs; each judged at its own fee rate (no CPFP). Stops at the
     * first failure: transactions after it (or all, for a package rule) have no result.
     */
    PackageResult TestAcceptPackage(const std::vector<consensus::TransactionRef>& txs, int64_t accept_time);

    const AcceptOptions& Options() const { return m_opts; }
    TxMemPool& Pool() { return m_pool; }

private:
    struct Work;
    /** A broken TRUC rule: Core's message, and the sibling whose eviction may be tried instead. */
    struct TrucError {
        std::string message;
        std::optional<consensus::Uint256> sibling;
    };
    /** BIP-431 (TRUC) topology and size rules for w's transaction (Core's SingleTRUCChecks). */
    std::optional<TrucError> CheckTruc(const Work& w) const;
    /**
     * BIP-431 for w's transaction inside package (Core's PackageTRUCChecks): its in-package
     * parents count with its in-pool ones. A message if a rule is broken.
     */
    std::optional<std::string> CheckPackageTruc(const Work& w,
                                                const std::vector<consensus::TransactionRef>& package) const;
    /** Core's CheckEphemeralSpends over package (pool parents too); false with the failing tx's result in *failed. */
    bool CheckEphemeralSpends(const std::vector<consensus::TransactionRef>& package, size_t* failed,
                              consensus::ValidationResult* state) const;
    /**
     * Core 28's package RBF for works (the package's pending transactions, checked), whose
     * conflicts are to be replaced by a package of total_fees and total_vsize: why not, or none.
     */
    std::optional<consensus::ValidationResult>
    CheckPackageReplacement(const std::vector<Work>& works, consensus::Amount total_fees, int64_t total_vsize) const;
    /**
     * The checks up to (not including) scripts; false with w.result filled on failure. Without
     * allow_replacement (Core's test-accept packages) a conflict with the pool, or a TRUC
     * sibling, is refused instead of becoming a replacement.
     */
    bool PreChecks(Work& w, bool bypass_limits, bool package_feerate, bool allow_replacement = true);
    bool ReplacementChecks(Work& w);
    bool ScriptChecks(Work& w);
    void Finalize(Work& w, bool bypass_limits);

    chain::Chainstate& m_chain; // readers only, and its script cache
    TxMemPool& m_pool;
    AcceptOptions m_opts;
};

} // namespace node::mempool
