// The orphan pool (Core's TxOrphanage as of v28): transactions whose parents we do not have
// yet, kept until the parents arrive, the announcing peers go away, a block settles them, they
// expire or they are evicted to keep the pool bounded.
//
// Eviction is Core v28's: expiry (20 minutes, checked at most every 5 minutes), then uniformly
// random eviction down to the count limit. Core v29/v30's per-peer DoS-score eviction is NOT
// implemented; per-peer usage is tracked (UsageByPeer, AnnouncementsByPeer) so that it can be.
//
// Thread contract: not thread-safe and takes no lock. The PeerManager owns it and calls every
// method under its own lock (the same one that guards its peer state).
#pragma once

#include "consensus/primitives/block.h"
#include "consensus/primitives/transaction.h"
#include "consensus/uint256.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <vector>

namespace node::p2p {

using OrphanPeerId = int64_t; //!< net::NodeId

/** Core's DEFAULT_MAX_ORPHAN_TRANSACTIONS (-maxorphantx). */
inline constexpr size_t DEFAULT_MAX_ORPHAN_TRANSACTIONS = 100;
/** Core's ORPHAN_TX_EXPIRE_TIME: an orphan older than this is dropped. */
inline constexpr int64_t ORPHAN_TX_EXPIRE_TIME = 20 * 60;
/** Core's ORPHAN_TX_EXPIRE_INTERVAL: how often LimitOrphans looks for expired orphans. */
inline constexpr int64_t ORPHAN_TX_EXPIRE_INTERVAL = 5 * 60;
/** Policy's MAX_STANDARD_TX_WEIGHT: anything heavier is not kept. */
inline constexpr int64_t ORPHAN_MAX_TX_WEIGHT = 400'000;

class TxOrphanage {
public:
    /** Seconds since the epoch; injected so tests can move time. */
    using Clock = std::function<int64_t()>;
    explicit TxOrphanage(Clock clock);

    /**
     * Keeps tx as an orphan announced by peer. False (nothing added) if it is heavier than
     * ORPHAN_MAX_TX_WEIGHT or already held; in the latter case peer becomes another announcer
     * (Core v28's AddAnnouncer), counted in its usage.
     */
    bool AddTx(const consensus::TransactionRef& tx, OrphanPeerId peer);
    /** Adds peer as an announcer of an orphan already held; false if none has this wtxid. */
    bool AddAnnouncer(const consensus::Uint256& wtxid, OrphanPeerId peer);

    bool HaveTx(const consensus::Uint256& wtxid) const;
    /** The orphan with this wtxid, or null. */
    consensus::TransactionRef GetTx(const consensus::Uint256& wtxid) const;
    /** True when peer announced this orphan. */
    bool HaveTxFromPeer(const consensus::Uint256& wtxid, OrphanPeerId peer) const;

    /** Removes the orphan with this wtxid; returns 1 if one was removed, else 0. */
    int EraseTx(const consensus::Uint256& wtxid);
    /** A peer disconnected: it stops announcing every orphan; orphans left with no announcer go. Its work set is dropped. */
    void EraseForPeer(OrphanPeerId peer);
    /** A block connected: orphans it contains, and orphans spending an outpoint it spends, go. Returns their wtxids. */
    std::vector<consensus::Uint256> EraseForBlock(const consensus::Block& block);

    /**
     * Bounds the pool: every ORPHAN_TX_EXPIRE_INTERVAL, drops orphans older than
     * ORPHAN_TX_EXPIRE_TIME; then removes uniformly random orphans while more than max_orphans
     * are held. Returns how many were removed.
     */
    size_t LimitOrphans(size_t max_orphans, std::mt19937_64& rng);

    /** parent arrived: each orphan spending one of its outputs joins the work set of (one of) its announcers. */
    void AddChildrenToWorkSet(const consensus::Transaction& parent, std::mt19937_64& rng);
    /** Pops an orphan from peer's work set that is still held; nullopt/null when none is left. */
    consensus::TransactionRef GetTxToReconsider(OrphanPeerId peer);
    /** True when peer's work set has an orphan still held. */
    bool HaveTxToReconsider(OrphanPeerId peer);

    /** Orphans held by peer that spend an output of parent (Core's GetChildrenFromSamePeer), newest first. */
    std::vector<consensus::TransactionRef> GetChildrenFromSamePeer(const consensus::TransactionRef& parent,
                                                                   OrphanPeerId peer) const;

    size_t Size() const { return m_orphans.size(); }
    /** Sum of the weights of the orphans held (each counted once). */
    int64_t TotalOrphanUsage() const { return m_total_usage; }
    /** Sum of the weights of the orphans peer announced (an orphan counts fully for each announcer). */
    int64_t UsageByPeer(OrphanPeerId peer) const;
    /** How many orphans peer announced. */
    size_t AnnouncementsByPeer(OrphanPeerId peer) const;

private:
    struct Orphan {
        consensus::TransactionRef tx;
        std::set<OrphanPeerId> announcers;
        int64_t expire_time{0};
        size_t list_pos{0}; //!< index in m_list, for O(1) random eviction
        int64_t weight{0};
    };
    struct PeerInfo {
        int64_t usage{0};
        size_t announcements{0};
        std::set<consensus::Uint256> work_set; //!< wtxids
    };
    using OrphanMap = std::map<consensus::Uint256, Orphan>; //!< by wtxid

    int EraseIt(OrphanMap::iterator it);
    void AddPeerUsage(OrphanPeerId peer, int64_t weight);
    void RemovePeerUsage(OrphanPeerId peer, int64_t weight);

    Clock m_clock;
    OrphanMap m_orphans;
    std::vector<OrphanMap::iterator> m_list;                               //!< every orphan once, any order
    std::map<consensus::OutPoint, std::set<consensus::Uint256>> m_by_prev; //!< outpoint -> wtxids spending it
    std::map<OrphanPeerId, PeerInfo> m_peers;
    int64_t m_total_usage{0};
    int64_t m_next_sweep{0};
};

} // namespace node::p2p
