// The chain as a client outside the node sees it (Core's interfaces::Chain): the wallet, and
// later other followers of the chain, read the active chain, stored blocks and coins, and
// subscribe to its changes through this interface only, never through node/ internals.
// node/interfaces/chain.* implements it over the chainstate; a test may implement it alone.
#pragma once

#include "common/feerate.h"
#include "consensus/amount.h"
#include "consensus/coins.h"
#include "consensus/params.h"
#include "consensus/primitives/block.h"
#include "consensus/uint256.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace common::interfaces {

/** A block of the active chain, named by hash and height. */
struct BlockRef {
    consensus::Uint256 hash;
    int height{-1};
};

/**
 * Receives chain events, in the order the chain changed (a disconnect before the connects of
 * a reorg). Called on the node's one notification thread, after the change and never with
 * chain locks held, so a handler may call back into Chain; the node's validation does not
 * wait for it (beyond a short queue), but a slow handler delays every later notification.
 * Default: ignore.
 */
class ChainNotifications {
public:
    virtual ~ChainNotifications() = default;
    /** block was connected to the active chain at ref. */
    virtual void BlockConnected(const consensus::Block& block, const BlockRef& ref) { (void)block, (void)ref; }
    /** block (formerly at ref) was disconnected from the tip of the active chain. */
    virtual void BlockDisconnected(const consensus::Block& block, const BlockRef& ref) { (void)block, (void)ref; }
    /** The tip moved to tip (after the connects and disconnects that led there). */
    virtual void TipChanged(const BlockRef& tip, bool initial_download) { (void)tip, (void)initial_download; }
    /**
     * tx entered the mempool (Core's TransactionAddedToMempool), in order with the block
     * events: from the user, a peer, mempool.dat or a reorg.
     */
    virtual void TransactionAddedToMempool(const consensus::TransactionRef& tx) { (void)tx; }
    /**
     * tx left the mempool other than by a block (expiry, size limit, reorg, conflict,
     * replacement; Core's TransactionRemovedFromMempool): a block's transactions are told by
     * its BlockConnected instead, which follows.
     */
    virtual void TransactionRemovedFromMempool(const consensus::TransactionRef& tx) { (void)tx; }
};

/** A subscription: notifications stop once Disconnect() returns or the handler is destroyed. */
class Handler {
public:
    virtual ~Handler() = default;
    /** Unsubscribes; idempotent. No notification is delivered after it returns. Waits for a
     *  delivery in progress, so never call it from inside a notification. */
    virtual void Disconnect() = 0;
};

/**
 * Read access to the chain and its notifications. Every method may be called from any thread
 * and takes the node's locks briefly; nullopt means "not there" (no such block, not stored,
 * spent coin). Fee estimation and mempool access come with the mempool.
 */
class Chain {
public:
    virtual ~Chain() = default;
    /** The network's parameters. */
    virtual const consensus::ChainParams& Params() const = 0;
    /** The tip of the active chain; nullopt before the genesis block is connected. */
    virtual std::optional<BlockRef> GetTip() const = 0;
    /** The hash of the active chain's block at height; nullopt beyond the tip or below 0. */
    virtual std::optional<consensus::Uint256> GetBlockHash(int height) const = 0;
    /** The height of hash if it is in the active chain; nullopt if unknown or on another branch. */
    virtual std::optional<int> GetActiveHeight(const consensus::Uint256& hash) const = 0;
    /** A stored block by hash (active chain or not); nullopt if unknown or its data is not stored. */
    virtual std::optional<consensus::Block> ReadBlock(const consensus::Uint256& hash) const = 0;
    /** The unspent coin at outpoint as of the tip; nullopt if spent or never created. */
    virtual std::optional<consensus::Coin> GetCoin(const consensus::OutPoint& outpoint) const = 0;
    /** Core's IsInitialBlockDownload: importing, or the tip is older than a day. */
    virtual bool IsInitialBlockDownload() const = 0;
    /** Subscribes notifications (kept alive by the subscription) until the handler is disconnected. */
    virtual std::unique_ptr<Handler> HandleNotifications(std::shared_ptr<ChainNotifications> notifications) = 0;
    /**
     * Waits until every notification of a chain change made before the call has been
     * delivered (Core's waitForNotifications): e.g. a wallet RPC that must reflect the tip.
     * Never call it from inside a notification.
     */
    virtual void WaitForNotifications() = 0;

    // -- The mempool and fees
    /** Whether the transaction txid is in the mempool now. */
    virtual bool IsInMempool(const consensus::Uint256& txid) const = 0;
    /**
     * Core's findCoins: the output at outpoint of a mempool transaction, else the UTXO set's coin
     * (the chain's coin is found even when a mempool transaction spends it); nullopt if neither.
     * During a reorganisation a miss waits for its end, when the disconnected blocks'
     * transactions are back in the pool (Core reads both under cs_main and the pool's lock).
     * So not from a ChainNotifications handler: the end may wait for the handlers to drain.
     */
    virtual std::optional<consensus::Coin> FindCoin(const consensus::OutPoint& outpoint) const = 0;
    /** A mempool transaction with its in-pool ancestors: how many, their vsize and modified fees. */
    struct Ancestry {
        int64_t count{0};
        int64_t vsize{0};
        consensus::Amount fees{0};
    };
    /** Core's getTransactionAncestry (listunspent's ancestor fields); nullopt if txid is not in the pool. */
    virtual std::optional<Ancestry> GetTransactionAncestry(const consensus::Uint256& txid) const = 0;
    /** Core's hasDescendantsInMempool: txid is in the pool and a pool transaction spends an output of it. */
    virtual bool HasDescendantsInMempool(const consensus::Uint256& txid) const = 0;
    /** What a send needs to know of one unconfirmed coin. */
    struct CoinBumpFee {
        consensus::Amount bump_fee;
        int64_t ancestor_count{0};   //!< Core's getTransactionAncestry: itself included; 0 if not in the pool
        int64_t descendant_count{0}; //!< itself included
    };
    /**
     * Core's calculateIndividualBumpFees: for each outpoint, in the order given, what raising the
     * mempool transaction holding it and that transaction's unconfirmed ancestors to target costs
     * (Core's MiniMiner, node/mempool/mini_miner.h); 0 for an outpoint of no mempool transaction.
     * A mempool transaction spending one of the outpoints is taken to be replaced. With it, what
     * Core's wallet asks getTransactionAncestry for each coin. nullopt when a cluster is too large
     * to calculate. (Core answers with a map, and the ancestry one call a coin; a send asks about
     * every unconfirmed coin of the wallet, in one call here.)
     */
    virtual std::optional<std::vector<CoinBumpFee>>
    CalculateIndividualBumpFees(const std::vector<consensus::OutPoint>& outpoints, const FeeRate& target) const = 0;
    /** Core's calculateCombinedBumpFee: the same for the outpoints together, shared ancestors paid once; never below 0. */
    virtual std::optional<consensus::Amount> CalculateCombinedBumpFee(const std::vector<consensus::OutPoint>& outpoints,
                                                                      const FeeRate& target) const = 0;
    /**
     * Core's requestMempoolTransactions: notifications.TransactionAddedToMempool for every
     * transaction in the mempool now, parents first, on the caller's thread (a wallet attaching
     * to the chain learns what arrived while it was not loaded).
     */
    virtual void RequestMempoolTransactions(ChainNotifications& notifications) const = 0;
    /**
     * Core's BroadcastTransaction: tx enters the mempool (its fee at most max_fee; 0: any) and
     * is announced to peers; a transaction already there is announced again. nullopt on
     * success, else why not, in Core's words ("Transaction outputs already in utxo set",
     * "Inputs missing or spent", "Fee exceeds maximum configured by user (e.g. -maxtxfee,
     * maxfeerate)", or the reject reason). Waits for the node to judge it.
     */
    virtual std::optional<std::string> BroadcastTransaction(const consensus::TransactionRef& tx,
                                                            consensus::Amount max_fee) = 0;
    /** estimatesmartfee: the fee rate for confirmation within target blocks (nullopt: no estimate). */
    struct FeeEstimate {
        std::optional<FeeRate> feerate;
        int returned_target{0};
    };
    virtual FeeEstimate EstimateSmartFee(int target, bool conservative) const = 0;
    /** -minrelaytxfee. */
    virtual FeeRate RelayMinFee() const = 0;
    /** The fee rate a transaction needs to enter the mempool now (getmempoolinfo's mempoolminfee). */
    virtual FeeRate MempoolMinFee() const = 0;
    /** -dustrelayfee: an output worth less than spending it costs at this rate is dust. */
    virtual FeeRate RelayDustFee() const = 0;
    /** -incrementalrelayfee (replacements must add at least this rate). */
    virtual FeeRate RelayIncrementalFee() const = 0;
};

} // namespace common::interfaces
