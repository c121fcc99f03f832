// Which blocks to fetch from which peer during headers-first sync (Core's
// FindNextBlocksToDownload and its in-flight bookkeeping): a moving window of 1,024 blocks
// past the last block we and the peer have in common, at most 16 blocks in flight per peer,
// each block requested from one peer at a time, and stall detection: a peer whose block
// holds the window's start while the window is full is "stalling" and, after a timeout that
// adapts as Core's (2 s, doubling up to 64 s), is disconnected so others can fetch it.
#pragma once

#include "consensus/uint256.h"
#include "net/connection.h"
#include "node/chain/block_index.h"

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

namespace node::chain {
class Chainstate;
}

namespace node::p2p {

using net::NodeId;
using Clock = std::chrono::steady_clock;

/** Core's BLOCK_DOWNLOAD_WINDOW: how far past the last common block blocks are requested. */
inline constexpr int BLOCK_DOWNLOAD_WINDOW = 1024;
/** Core's MAX_BLOCKS_IN_TRANSIT_PER_PEER. */
inline constexpr size_t MAX_BLOCKS_IN_TRANSIT_PER_PEER = 16;
/**
 * Core's BLOCK_DOWNLOAD_TIMEOUT_BASE and _PER_PEER, in block intervals: a peer that has had
 * blocks in flight for 1 + 0.5 x (other peers downloading) block intervals (10 minutes and
 * more on every network) without delivering one is disconnected.
 */
inline constexpr double BLOCK_DOWNLOAD_TIMEOUT_BASE = 1.0, BLOCK_DOWNLOAD_TIMEOUT_PER_PEER = 0.5;
/** Core's BLOCK_STALLING_TIMEOUT_DEFAULT and _MAX. */
inline constexpr std::chrono::seconds BLOCK_STALLING_TIMEOUT_DEFAULT{2}, BLOCK_STALLING_TIMEOUT_MAX{64};

/**
 * The download plan. Not thread-safe: its owner (the peer manager) calls it under its lock.
 * Block index entries are read through the chainstate's readers (never the owner's lock).
 */
class BlockDownload {
public:
    explicit BlockDownload(const chain::Chainstate& chain) : m_chain(chain) {}

    void AddPeer(NodeId peer);
    /** Forgets peer; the blocks it had in flight may now be requested from others. */
    void RemovePeer(NodeId peer);
    /** peer has block (it announced it or sent its header): kept if it has more work than the best so far. */
    void PeerHas(NodeId peer, const chain::BlockIndex* block);
    /** The most-work block peer is known to have, or nullptr. */
    const chain::BlockIndex* BestKnown(NodeId peer) const;

    /**
     * Up to count blocks to request from peer, lowest first: blocks of its best known chain
     * we lack, not in flight, within the window. If the window is full while its first
     * missing block is in flight from another peer, *staller is set to that peer (else -1).
     */
    std::vector<const chain::BlockIndex*> NextBlocks(NodeId peer, size_t count, NodeId* staller);
    /** Records that block was requested from peer at now. */
    void MarkRequested(NodeId peer, const chain::BlockIndex* block, Clock::time_point now);
    /**
     * block arrived (from any peer) or is no longer wanted: it leaves the in-flight set. Returns
     * the peer it was requested from, if any; that peer is no longer stalling.
     */
    std::optional<NodeId> Received(const consensus::Uint256& block, Clock::time_point now = Clock::now());
    bool IsRequested(const consensus::Uint256& block) const { return m_in_flight.count(block) > 0; }
    /** No block other than this one is in flight (Core's mapBlocksInFlight.count(hash) == size()). */
    bool NothingElseInFlight(const consensus::Uint256& block) const
    {
        return m_in_flight.size() == m_in_flight.count(block);
    }
    /** Whether block is in flight from peer. */
    bool IsRequestedFrom(const consensus::Uint256& block, NodeId peer) const
    {
        auto it = m_in_flight.find(block);
        return it != m_in_flight.end() && it->second.peer == peer;
    }
    size_t InFlight(NodeId peer) const;
    /** Heights of the blocks in flight from peer, lowest first (getpeerinfo "inflight"). */
    std::vector<int> InFlightHeights(NodeId peer) const;
    /** The last block we and peer are known to have in common, or nullptr (getpeerinfo "synced_blocks"). */
    const chain::BlockIndex* LastCommon(NodeId peer) const;

    /** Starts peer's stalling clock at now (if not running). */
    void MarkStalling(NodeId peer, Clock::time_point now);
    /**
     * The peers stalling for longer than the current timeout; for each, the timeout doubles
     * (up to 64 s) so a slow network does not lose every peer in turn.
     */
    std::vector<NodeId> StalledPeers(Clock::time_point now);
    std::chrono::seconds StallingTimeout() const { return m_stalling_timeout; }
    /**
     * Core's block download timeout: the peers whose blocks have been in flight, with none
     * delivered, for longer than block_interval x (BASE + PER_PEER x other downloading peers),
     * each with the lowest block it owes.
     */
    std::vector<std::pair<NodeId, consensus::Uint256>> TimedOutPeers(Clock::time_point now,
                                                                     std::chrono::seconds block_interval) const;

private:
    struct PeerState {
        const chain::BlockIndex* best_known{nullptr};
        const chain::BlockIndex* last_common{nullptr};
        size_t in_flight{0};
        std::optional<Clock::time_point> stalling_since;
        // Since when it has owed us a block: its first request, then its last delivery
        // (Core's m_downloading_since).
        Clock::time_point downloading_since{};
    };
    struct Request {
        NodeId peer;
        Clock::time_point when;
        int height;
    };

    const chain::Chainstate& m_chain;
    std::map<NodeId, PeerState> m_peers;
    std::unordered_map<consensus::Uint256, Request> m_in_flight;
    std::chrono::seconds m_stalling_timeout{BLOCK_STALLING_TIMEOUT_DEFAULT};
};

} // namespace node::p2p
