// The node's mempool subsystem: the pool, its acceptance, and its place in the chain's life —
// blocks connected remove their transactions, blocks disconnected give theirs back (Core's
// MaybeUpdateMempoolForReorg), mempool.dat is loaded at start and saved at shutdown.
//
// Thread contract: the manager is a SYNC chain listener, so the validation owner calls its
// chain hooks inside each chain write, before the write returns (getblocktemplate never sees a
// pool older than the tip). Accept* run on the owner's thread too: from other threads use
// Submit*, which queue a job on the owner. The pool's readers (TxMemPool's const methods) are
// for any thread.
#pragma once

#include "node/chain/chainstate.h"
#include "node/mempool/accept.h"
#include "node/mempool/fees.h"
#include "node/mempool/preverify.h"
#include "node/mempool/txmempool.h"

#include <atomic>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <vector>

namespace node::chain {
class ValidationOwner;
} // namespace node::chain

namespace node::mempool {

class MempoolManager final : public chain::ChainListener {
public:
    /** Subscribes to chain (SYNC). The chainstate and owner must outlive it. */
    MempoolManager(chain::Chainstate& chain, chain::ValidationOwner* owner, TxMemPool::Options pool_options,
                   AcceptOptions accept_options);
    ~MempoolManager() override;
    MempoolManager(const MempoolManager&) = delete;
    MempoolManager& operator=(const MempoolManager&) = delete;

    TxMemPool& Pool() { return m_pool; }
    const TxMemPool& Pool() const { return m_pool; }
    const AcceptOptions& Options() const { return m_acceptor.Options(); }
    const chain::Chainstate& Chain() const { return m_chain; }
    /** The fee estimator the pool and the chain feed (estimatesmartfee); its own lock, any thread. */
    FeeEstimator& Fees() { return m_fees; }
    /** The validation owner the Submit/Post jobs go to. */
    chain::ValidationOwner& Owner() { return *m_owner; }

    /** On the owner's thread: one transaction (now as its entry time). */
    AcceptResult Accept(const consensus::TransactionRef& tx, bool test_accept, consensus::Amount max_fee = {});
    /** On the owner's thread: a package (submitpackage; max_feerate its client's maxfeerate, per transaction). */
    PackageResult AcceptPackage(const std::vector<consensus::TransactionRef>& txs,
                                std::optional<FeeRate> max_feerate = std::nullopt);
    /** On the owner's thread: several transactions judged as a package, the pool unchanged (testmempoolaccept). */
    PackageResult TestAcceptPackage(const std::vector<consensus::TransactionRef>& txs);
    /** From any other thread: queues Accept on the owner (throws chain::OwnerStopped when stopped). */
    std::future<AcceptResult> Submit(consensus::TransactionRef tx, bool test_accept, consensus::Amount max_fee = {});
    /**
     * Runs job on the owner after tx went through the pre-verifier as Post's transactions do
     * (its scripts checked on a worker, or handed on unchecked past the queue's bound or when
     * stopping; straight to the owner without a pre-verifier); jobs queued so reach the owner
     * in the order queued (a JSON-RPC batch's sendrawtransaction calls begun ahead:
     * BeginBroadcast). job should judge tx there (Accept) and must not throw. If the owner
     * stopped first, on_cancel runs instead, on the thread that stops it or, if it already
     * had, on the one handing job on.
     */
    void PostAfterScripts(consensus::TransactionRef tx, std::function<void()> job, std::function<void()> on_cancel);
    /**
     * Queues Accept on the owner and calls done there with the result (the P2P layer); if the
     * owner stops first, done gets an error result on the thread that stops it.
     */
    void Post(consensus::TransactionRef tx, std::function<void(const AcceptResult&)> done);
    /** As Post, for a package (P2P 1p1c): AcceptPackage on the owner, done with its result there. */
    void PostPackage(std::vector<consensus::TransactionRef> txs, std::function<void(const PackageResult&)> done);
    /**
     * Verifies the scripts of Submit's, Post's and PostAfterScripts' transactions before they
     * reach the owner: Post's and PostAfterScripts' on worker threads (ScriptPreverifier),
     * Submit's on the calling thread. Before use.
     */
    void EnablePreverify(int threads);
    /** Waits until every transaction given to Post or PostAfterScripts reached the owner's queue (shutdown). */
    void FlushPreverify();
    /** The pre-verifier, or nullptr (tests). */
    const ScriptPreverifier* Preverifier() const { return m_preverifier.get(); }

    /**
     * On the owner's thread: loads mempool.dat's transactions through acceptance (their
     * recorded times, fee deltas applied first; expired ones skipped). Logs Core's summary line.
     * False (with error) only when the file exists and is unreadable.
     */
    bool Load(const std::filesystem::path& path, std::string& error);
    /** The start-up load was tried (getmempoolinfo "loaded"); set once by init. Any thread. */
    void SetLoaded() { m_loaded = true; }
    bool IsLoaded() const { return m_loaded.load(); }
    /** Writes mempool.dat atomically (savemempool, shutdown). Any thread. */
    bool Dump(const std::filesystem::path& path, std::string& error) const;

    /** Called with every transaction that entered the pool (relay, fee estimation); owner thread. */
    void SetOnAccepted(std::function<void(const consensus::TransactionRef&)> f) { m_on_accepted = std::move(f); }

    // chain::ChainListener (SYNC: on the owner, inside the chain write)
    void BlockConnected(const std::shared_ptr<const consensus::Block>& block, const chain::BlockIndex* index) override;
    void BlockDisconnected(const std::shared_ptr<const consensus::Block>& block,
                           const chain::BlockIndex* index) override;
    void UpdatedBlockTip(const chain::BlockIndex* new_tip, const chain::BlockIndex* fork,
                         bool initial_download) override;

private:
    int64_t Now() const;
    /** Re-accepts the disconnected blocks' transactions, then drops entries the new tip made invalid. */
    void UpdateForReorg();
    /** Would entry still be accepted at the current tip (final, mature, BIP-68)? */
    bool StillValid(const Entry& entry) const;
    /** tx entered the pool: the chain's asynchronous listeners (the wallet) and m_on_accepted hear of it. */
    void OnAccepted(const consensus::TransactionRef& tx);
    /** Tells the fee estimator about a transaction that entered (tracked only if valid_for_estimate). */
    void TrackFee(const consensus::TransactionRef& tx, bool valid_for_estimate);

    chain::Chainstate& m_chain;
    chain::ValidationOwner* m_owner;
    TxMemPool m_pool;
    MempoolAcceptor m_acceptor;
    FeeEstimator m_fees;
    /** Transactions of blocks disconnected since the last tip update, oldest block first (owner only). */
    std::vector<consensus::TransactionRef> m_disconnected;
    std::function<void(const consensus::TransactionRef&)> m_on_accepted;
    std::atomic<bool> m_loaded{false};
    /** Last member: its workers (which read the pool) stop first. */
    std::unique_ptr<ScriptPreverifier> m_preverifier;
};

} // namespace node::mempool
