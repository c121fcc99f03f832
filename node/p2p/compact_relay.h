// BIP-152 compact block relay state (Core's net_processing parts for version 2): which peers
// negotiated compact blocks, the high-bandwidth choices in both directions, the blocks being
// reconstructed from each peer, the extra transactions offered to reconstruction, and the cached
// cmpctblock of the newest block. Not thread-safe: the peer manager keeps it under its lock.
// The message handlers that use it are PeerManager's (peer_manager_compact.cpp).
#pragma once

#include "net/compact_blocks.h"
#include "net/connection.h"
#include "node/p2p/block_download.h"
#include "node/p2p/partial_block.h"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace node::p2p {

/** The only compact block version we speak (BIP-152 version 2: wtxid short ids). */
inline constexpr uint64_t CMPCTBLOCKS_VERSION = 2;
/** Core's SHORT_IDS_BLOCKS_VERSION: peers from this version get our sendcmpct. */
inline constexpr int32_t SHORT_IDS_BLOCKS_VERSION = 70014;
/** Core's limits: cmpctblock served this deep below the tip, getblocktxn answered this deep. */
inline constexpr int MAX_CMPCTBLOCK_DEPTH = 5, MAX_BLOCKTXN_DEPTH = 10;
/** BIP-152: at most 3 peers are asked to announce blocks in high-bandwidth mode. */
inline constexpr size_t MAX_HB_PEERS = 3;
/**
 * Blocks reconstructed from one peer at once: Core keeps a partial block with each block in
 * flight from the peer, and starts none past MAX_BLOCKS_IN_TRANSIT_PER_PEER (the peer manager
 * checks that first); past this bound the oldest goes.
 */
inline constexpr size_t MAX_PARTIALS_PER_PEER = MAX_BLOCKS_IN_TRANSIT_PER_PEER;

/** The compact block state of every peer and of the node (see the file comment). */
class CompactRelay {
public:
    /** A new peer (inbound matters for the high-bandwidth choice). */
    void AddPeer(net::NodeId id, bool inbound);
    /** Forgets the peer, its partial blocks and its high-bandwidth slot. */
    void RemovePeer(net::NodeId id);

    /** A sendcmpct from the peer: only version 2 counts (Core); announce = it wants cmpctblock announcements. */
    void OnSendCmpct(net::NodeId id, bool announce, uint64_t version);
    /** The peer sent sendcmpct version 2 (Core's m_provides_cmpctblocks). */
    bool ProvidesCompact(net::NodeId id) const;
    /** The peer asked us to announce with cmpctblock (getpeerinfo bip152_hb_from). */
    bool HighBandwidthFrom(net::NodeId id) const;
    /** We asked the peer to announce to us with cmpctblock (getpeerinfo bip152_hb_to). */
    bool HighBandwidthTo(net::NodeId id) const;
    /**
     * Core's MaybeSetPeerAsAnnouncingHeaderAndIDs, for a peer that just gave us a new tip:
     * it becomes the newest of at most 3 high-bandwidth peers, the oldest demoted (never the
     * last outbound one for an inbound newcomer). Returns the sendcmpct(announce) to send.
     */
    std::vector<std::pair<net::NodeId, bool>> SelectHighBandwidth(net::NodeId id);

    /**
     * Starts reconstructing hash from the peer's cmpctblock with the extra transactions and the
     * source (the mempool) if set, beside the peer's other partial blocks (Core: one with each
     * block in flight; the oldest goes past MAX_PARTIALS_PER_PEER). On a status other than OK
     * nothing is kept.
     */
    ReadStatus StartPartial(net::NodeId id, const consensus::Uint256& hash, const net::HeaderAndShortIDs& cmpct);
    /**
     * Rebuilds the block from the extra transactions and the source alone, keeping nothing (Core's
     * attempt when the peer has no room for another block in flight): OK only if every
     * transaction was at hand and the block matches its merkle root.
     */
    ReadStatus RebuildWhole(const net::HeaderAndShortIDs& cmpct, consensus::Block& block, bool segwit_active) const;
    /** The peer's partial block for hash, or nullptr. */
    const PartialBlock* Partial(net::NodeId id, const consensus::Uint256& hash) const;
    /** Drops the peer's partial block for hash (done or failed). */
    void ErasePartial(net::NodeId id, const consensus::Uint256& hash);
    /** Drops every peer's partial block for hash (the block arrived). */
    void ForgetBlock(const consensus::Uint256& hash);
    /** How many partial blocks the peer has. */
    size_t PartialCount(net::NodeId id) const;
    /** Where a mempool plugs in (nullptr: none); must outlive this object. */
    void SetTxSource(const TxSource* source) { m_source = source; }
    /** The extra transactions offered to reconstruction (fed with disconnected blocks' ones). */
    ExtraTxns& Extra() { return m_extra; }

    /** The cmpctblock of block, built once (random nonce) and cached for the newest block. */
    std::shared_ptr<const net::HeaderAndShortIDs> CompactFor(const consensus::Block& block);
    /** The cached cmpctblock of hash, or nullptr. */
    std::shared_ptr<const net::HeaderAndShortIDs> Cached(const consensus::Uint256& hash) const;
    /** Peers that asked for high-bandwidth announcements. */
    std::vector<net::NodeId> HighBandwidthFromPeers() const;

private:
    struct PeerState {
        bool inbound{false};
        bool provides{false}; // sendcmpct version 2 received
        bool hb_from{false};  // it asked us for high-bandwidth announcements
        std::vector<std::pair<consensus::Uint256, PartialBlock>> partials; // oldest first
    };
    /** Init from the extra transactions and the source (the two places reconstruction looks). */
    ReadStatus InitPartial(PartialBlock& partial, const net::HeaderAndShortIDs& cmpct) const;

    std::map<net::NodeId, PeerState> m_peers;
    std::deque<net::NodeId> m_hb_to; // oldest first (Core's lNodesAnnouncingHeaderAndIDs)
    ExtraTxns m_extra;
    const TxSource* m_source{nullptr};
    consensus::Uint256 m_cached_hash;
    std::shared_ptr<const net::HeaderAndShortIDs> m_cached;
};

} // namespace node::p2p
