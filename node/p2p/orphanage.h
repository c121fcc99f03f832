// The orphan pool (Core's TxOrphanage: v30's bounds, v28's expiry): transactions whose parents we do not have
// yet, kept until the parents arrive, the announcing peers go away, a block settles them, they
// expire or they are evicted to keep the pool bounded.
//
// Bounds are Core v30's (PR 31829): the orphanage is trimmed when its latency score (one per
// announcement, plus a tenth of each orphan's input count) exceeds 3,000, or the weight of its
// orphans exceeds 404,000 WU per peer that has announced one. Each peer is entitled to an equal
// share of the score and to 404,000 WU; trimming takes from the peer furthest over its share
// (its "DoS score", the larger of the two ratios), its oldest announcement first, so a peer that
// floods the orphanage loses its own orphans, not the others'. Expiry (20 minutes, checked at
// most every 5 minutes) is kept from Core v28: v30 dropped it, the issue asks for it.
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

/** Core v30's DEFAULT_MAX_ORPHANAGE_LATENCY_SCORE: announcements plus inputs / 10, over all peers. */
inline constexpr int64_t DEFAULT_MAX_ORPHANAGE_LATENCY_SCORE = 3000;
/** Core v30's DEFAULT_RESERVED_ORPHAN_WEIGHT_PER_PEER: the weight each announcing peer may hold. */
inline constexpr int64_t DEFAULT_RESERVED_ORPHAN_WEIGHT_PER_PEER = 404'000;
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
    explicit TxOrphanage(Clock clock, int64_t max_latency_score = DEFAULT_MAX_ORPHANAGE_LATENCY_SCORE,
                         int64_t reserved_weight_per_peer = DEFAULT_RESERVED_ORPHAN_WEIGHT_PER_PEER);

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
     * ORPHAN_TX_EXPIRE_TIME; then, while NeedsTrim, removes the oldest announcement of the peer
     * with the highest DoS score (one not in its work set first; ties: the higher peer id). An
     * orphan goes when its last announcement does. Returns how many orphans were removed.
     */
    size_t LimitOrphans();
    /** True when the latency score or the total weight is over its limit. */
    bool NeedsTrim() const;
    /** Announcements plus a tenth of each orphan's input count (rounded down), over all peers. */
    int64_t TotalLatencyScore() const { return m_announcements + m_input_score; }
    /** The latency score each announcing peer may use: the maximum over their number (at least 1). */
    int64_t MaxPeerLatencyScore() const;
    /** The weight the orphanage may hold: the reserved weight times the announcing peers (at least 1). */
    int64_t MaxGlobalUsage() const;

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
    /** Peer's latency score: for each of its announcements, 1 + inputs / 10. */
    int64_t LatencyScoreByPeer(OrphanPeerId peer) const;

private:
    struct Orphan {
        consensus::TransactionRef tx;
        std::map<OrphanPeerId, uint64_t> announcers; //!< peer -> sequence number of its announcement
        int64_t expire_time{0};
        int64_t weight{0};
        int64_t latency_score{0}; //!< of one announcement: 1 + inputs / 10
    };
    struct PeerInfo {
        int64_t usage{0};
        size_t announcements{0};
        int64_t latency_score{0};
        std::set<std::pair<uint64_t, consensus::Uint256>> by_age; //!< its announcements, oldest first
        std::set<consensus::Uint256> work_set;                    //!< wtxids
    };
    using OrphanMap = std::map<consensus::Uint256, Orphan>; //!< by wtxid

    int EraseIt(OrphanMap::iterator it);
    void AddAnnouncement(Orphan& orphan, const consensus::Uint256& wtxid, OrphanPeerId peer);
    void RemoveAnnouncement(const Orphan& orphan, const consensus::Uint256& wtxid, OrphanPeerId peer);
    /** Peers with at least one announcement, or 1 when none (the shares' divisor). */
    int64_t AnnouncingPeers() const;
    /** The announcing peer furthest over its share of max_latency and the reserved weight (one exists when NeedsTrim). */
    OrphanPeerId WorstPeer(int64_t max_latency) const;
    /** Removes peer's oldest announcement (outside its work set first); 1 if the orphan went too. */
    int EvictOldestOf(OrphanPeerId peer);

    Clock m_clock;
    const int64_t m_max_latency_score;
    const int64_t m_reserved_weight;
    OrphanMap m_orphans;
    std::map<consensus::OutPoint, std::set<consensus::Uint256>> m_by_prev; //!< outpoint -> wtxids spending it
    std::map<OrphanPeerId, PeerInfo> m_peers;
    int64_t m_total_usage{0};
    int64_t m_announcements{0};
    int64_t m_input_score{0}; //!< sum over orphans of inputs / 10
    uint64_t m_sequence{0};
    int64_t m_next_sweep{0};
};

} // namespace node::p2p
