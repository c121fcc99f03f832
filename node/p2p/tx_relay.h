// Transaction relay decisions (Core's net_processing tx paths), kept apart from message I/O so
// they can be tested without sockets: what to do with a tx inv (BIP-339 wtxid or txid, into the
// TxRequestTracker with Core's delays), which getdata to send, what an arriving tx is (already
// known / to submit), what a submit result means (recent rejects, punishment, parents to ask
// for, announcements), which pool transactions to serve, per-peer announcement queues trickled
// at Poisson intervals and filtered by feefilter (BIP-133) and by the peer's known inventory,
// our own feefilter schedule, and the BIP-35 mempool request.
//
// Not thread-safe: the peer manager owns one and calls it under its own lock. It calls only
// TxPool's lookups (which take the pool's own lock), never SubmitTx. Time is passed in.
#pragma once

#include "consensus/amount.h"
#include "consensus/primitives/block.h"
#include "consensus/primitives/transaction.h"
#include "net/connection.h"
#include "net/messages.h"
#include "node/p2p/rolling_bloom.h"
#include "node/p2p/tx_pool.h"
#include "node/p2p/tx_request.h"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace node::p2p {

/** Core's INBOUND/OUTBOUND_INVENTORY_BROADCAST_INTERVAL: mean time between tx inv batches. */
inline constexpr std::chrono::microseconds INBOUND_INVENTORY_BROADCAST_INTERVAL{std::chrono::seconds{5}};
inline constexpr std::chrono::microseconds OUTBOUND_INVENTORY_BROADCAST_INTERVAL{std::chrono::seconds{2}};
/** Core v30's INVENTORY_BROADCAST_PER_SECOND, _TARGET (per batch) and _MAX. */
inline constexpr size_t INVENTORY_BROADCAST_PER_SECOND = 14;
inline constexpr size_t INVENTORY_BROADCAST_TARGET = INVENTORY_BROADCAST_PER_SECOND * 5;
inline constexpr size_t INVENTORY_BROADCAST_MAX = 1000;
/** Core's INVENTORY_MAX_RECENT_RELAY: what a peer is remembered to know (rolling filter). */
inline constexpr uint32_t INVENTORY_MAX_RECENT_RELAY = 3500;
/** Core's UNCONDITIONAL_RELAY_DELAY: pool transactions this old are served even if not announced. */
inline constexpr std::chrono::seconds UNCONDITIONAL_RELAY_DELAY{2 * 60};
/** Core's AVG_FEEFILTER_BROADCAST_INTERVAL and MAX_FEEFILTER_CHANGE_DELAY. */
inline constexpr std::chrono::microseconds AVG_FEEFILTER_BROADCAST_INTERVAL{std::chrono::minutes{10}};
inline constexpr std::chrono::microseconds MAX_FEEFILTER_CHANGE_DELAY{std::chrono::minutes{5}};
/** Core's MAX_FEE: the feefilter we send during initial block download (sat/kvB). */
inline constexpr consensus::Amount FEEFILTER_IBD{21'000'000LL * 100'000'000LL};

/** What relay needs to know of a peer when it connects. */
struct TxRelayPeerInfo {
    bool inbound{false};
    bool block_relay_only{false}; //!< no tx traffic at all (Core: no m_tx_relay)
    bool relay_permission{false}; //!< NetPermissionFlags::Relay: preferred, no overload delay
    bool mempool_permission{false};
    bool noban{false}; //!< Core punishes such peers by logging only (the caller's policy decides)
};

/** The outcome of a submitted transaction, for the peer manager to act on. */
struct TxOutcome {
    bool punish{false}; //!< Core's MaybePunishNodeForTx: CONSENSUS failures
    std::string reason; //!< reject reason, for the log and the punishment
    /** MISSING_INPUTS: parents now tracked for a request from the sender (by txid; sent by GetDataToSend). */
    std::vector<consensus::Uint256> parents_requested;
    /** MISSING_INPUTS and no parent rejected: the caller hands the child to the orphan pool (the seam). */
    bool keep_as_orphan{false};
    /**
     * REJECTED for its fee only (RECONSIDERABLE): a child of it from the same peer waiting in the
     * orphan pool may pay for it; the caller tries the pair as a package (Core's Find1P1CPackage).
     */
    bool try_package{false};
};

class TxRelay {
public:
    /** pool outlives this. salt: the request tracker's order (tests pass a fixed one). */
    explicit TxRelay(TxPool& pool, std::optional<std::pair<uint64_t, uint64_t>> salt = std::nullopt,
                     uint64_t rng_seed = std::random_device{}());

    void AddPeer(net::NodeId id, const TxRelayPeerInfo& info, std::chrono::microseconds now);
    void RemovePeer(net::NodeId id);
    /** The relay flag of the peer's version: false, we announce no transactions to it (no BIP-37 here). */
    void SetPeerRelay(net::NodeId id, bool relay);
    /** BIP-339: the peer sent wtxidrelay before verack: announce and request by wtxid. */
    void SetWtxidRelay(net::NodeId id);
    bool WtxidRelay(net::NodeId id) const;
    /** BIP-133 feefilter received (sat/kvB; an out-of-range value is ignored, as Core). */
    void OnFeeFilter(net::NodeId id, consensus::Amount rate);

    enum class InvResult { TRACKED, IGNORED, DISCONNECT };
    /**
     * A MSG_TX / MSG_WTX inv entry from peer. DISCONNECT from a block-relay-only peer (a
     * protocol violation for Core). IGNORED for the kind of hash the peer should not use
     * (txid from a wtxid-relay peer and vice versa, BIP-339), a known tx (pool, recent
     * rejects), during initial block download, or past MAX_PEER_TX_ANNOUNCEMENTS without the
     * relay permission. Otherwise TRACKED for a request, with Core's delays.
     */
    InvResult OnTxInv(net::NodeId id, const net::Inv& inv, bool initial_download, std::chrono::microseconds now);
    /** The getdata entries to send peer now (MSG_WTX or MSG_TX), each recorded as in flight for GETDATA_TX_INTERVAL. */
    std::vector<net::Inv> GetDataToSend(net::NodeId id, std::chrono::microseconds now);
    /** notfound entries from peer: those requests are answered; another announcer is tried. */
    void OnNotFound(net::NodeId id, const std::vector<net::Inv>& items);

    /**
     * A tx message from peer: marks it answered and known to that peer. Returns false when it
     * needs no submission (already in the pool or recently rejected): then it is forgotten.
     */
    bool OnTxReceived(net::NodeId id, const consensus::TransactionRef& tx);
    /**
     * Acting on the pool's verdict for tx from peer (from_peer false: our own, e.g. RPC).
     * ACCEPTED: forgotten in the tracker, queued for every peer. REJECTED: forgotten and
     * remembered in recent rejects by wtxid, and by txid too unless the failure may be a
     * witness malleation (Core); punishment for CONSENSUS. MISSING_INPUTS: the parents (not
     * recently rejected, not in the pool) requested from peer by txid; if a parent was
     * rejected the child is rejected too (Core).
     */
    TxOutcome OnTxResult(net::NodeId id, const consensus::TransactionRef& tx, const TxSubmitResult& result,
                         std::chrono::microseconds now);
    /**
     * The active tip changed (a block connected or disconnected, outside initial download):
     * recent rejects are forgotten, since a transaction refused against the old tip (non-final,
     * premature, spending what the block changed) may be valid now (Core's ActiveTipChange).
     */
    void OnTipChanged()
    {
        m_recent_rejects.Reset();
        m_recent_rejects_reconsiderable.Reset();
    }
    /**
     * A block connected: its transactions (txid and wtxid) are remembered so announcements that
     * cross the block are not fetched again (Core's m_recent_confirmed_transactions).
     */
    void OnBlockConnected(const consensus::Block& block);
    /** A block disconnected: those transactions may be wanted again (Core resets the filter). */
    void OnBlockDisconnected() { m_recent_confirmed.Reset(); }
    /** Refused for its fee only (by wtxid): worth trying again with a child (Core's m_lazy_recent_rejects_reconsiderable). */
    bool RejectedReconsiderable(const consensus::Uint256& wtxid) const
    {
        return m_recent_rejects_reconsiderable.Contains(wtxid);
    }
    /** Queues txid/wtxid for announcement to every tx-relay peer (Core's RelayTransaction). */
    void RelayTransaction(const consensus::Uint256& txid, const consensus::Uint256& wtxid);

    /**
     * getdata MSG_TX / MSG_WTX / MSG_WITNESS_TX from peer: the transaction to send, if the pool
     * has it and it was announced to this peer (or it is older than UNCONDITIONAL_RELAY_DELAY,
     * or the peer asked for our mempool); nullptr: answer notfound.
     */
    consensus::TransactionRef TxToServe(net::NodeId id, const net::Inv& inv, std::chrono::microseconds now);
    /**
     * The inv entries to announce to peer now: nothing before its Poisson trickle time (mean 5 s
     * inbound, 2 s outbound, the inbound schedule shared by all inbound peers, as Core; a peer
     * with the noban permission is not kept waiting, as Core's fSendTrickle); then up
     * to Core's per-batch limit, highest fee rate first, skipping what the peer knows and what
     * is under its feefilter or no longer in the pool.
     */
    std::vector<net::Inv> AnnouncementsDue(net::NodeId id, std::chrono::microseconds now);
    /**
     * The feefilter to send peer now, if due (Core's schedule: about every 10 minutes, sooner
     * after a large change; the pool's minimum, MAX during initial download; never to
     * block-relay-only peers). The caller sends it only to peers of version 70013 or later.
     */
    std::optional<consensus::Amount> FeeFilterToSend(net::NodeId id, bool initial_download,
                                                     std::chrono::microseconds now);
    /**
     * BIP-35 mempool from peer: false if the peer lacks the mempool permission (the caller
     * disconnects it, as Core). Otherwise the whole pool is queued for its next announcement.
     */
    bool OnMempoolRequest(net::NodeId id);

    /** getpeerinfo: the peer's feefilter (sat/kvB), whether it relays txs, its last accepted tx time. */
    consensus::Amount PeerFeeFilter(net::NodeId id) const;
    bool PeerRelaysTxs(net::NodeId id) const;
    std::chrono::seconds LastTxTime(net::NodeId id) const;
    bool RecentlyRejected(const consensus::Uint256& hash) const { return m_recent_rejects.Contains(hash); }
    const TxRequestTracker& Tracker() const { return m_tracker; }

private:
    struct PeerState {
        PeerState() = default;
        TxRelayPeerInfo info;
        bool relay{true};
        bool wtxid{false};
        consensus::Amount fee_filter{0};
        RollingBloomFilter known{INVENTORY_MAX_RECENT_RELAY, 0.000001};
        std::set<consensus::Uint256> to_announce; // txids or wtxids as the peer relays
        bool send_mempool{false};
        std::chrono::microseconds next_inv{0};
        consensus::Amount fee_filter_sent{-1};
        std::chrono::microseconds next_fee_filter{0};
        std::chrono::seconds last_tx{0};
        std::chrono::seconds mempool_time{-1}; // pool entries older than its mempool request may be served
        RollingBloomFilter announced{INVENTORY_MAX_RECENT_RELAY, 0.000001}; // what we announced to it
    };
    /** In the pool or recently rejected; with include_reconsiderable, also refused for its fee only (Core's AlreadyHaveTx). */
    bool AlreadyHave(const GenTxid& g, bool include_reconsiderable = true) const;
    std::chrono::microseconds Poisson(std::chrono::microseconds now, std::chrono::microseconds mean);
    bool HaveWtxidPeers() const;

    TxPool& m_pool;
    TxRequestTracker m_tracker;
    RollingBloomFilter m_recent_rejects{120'000, 0.000001};
    RollingBloomFilter m_recent_rejects_reconsiderable{120'000, 0.000001};
    RollingBloomFilter m_recent_confirmed{48'000, 0.000001};
    std::map<net::NodeId, PeerState> m_peers;
    std::mt19937_64 m_rng;
    std::chrono::microseconds m_next_inbound_inv{0};
};

/** Core's FeeFilterRounder: the feefilter value rounded down to a bucket of 10% steps, so it leaks less. */
consensus::Amount RoundFeeFilter(consensus::Amount rate, std::mt19937_64& rng);

} // namespace node::p2p
