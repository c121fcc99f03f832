// The block download plan (block_download.h).
#include "node/p2p/block_download.h"

#include "node/chain/chainstate.h"

#include <algorithm>

namespace node::p2p {

using chain::BlockIndex;

void BlockDownload::AddPeer(NodeId peer) { m_peers.try_emplace(peer); }

void BlockDownload::RemovePeer(NodeId peer)
{
    for (auto it = m_in_flight.begin(); it != m_in_flight.end();) {
        it = it->second.peer == peer ? m_in_flight.erase(it) : std::next(it);
    }
    m_peers.erase(peer);
}

void BlockDownload::PeerHas(NodeId peer, const BlockIndex* block)
{
    auto it = m_peers.find(peer);
    if (it == m_peers.end() || !block) return;
    if (!it->second.best_known || block->chain_work > it->second.best_known->chain_work) it->second.best_known = block;
}

const BlockIndex* BlockDownload::BestKnown(NodeId peer) const
{
    auto it = m_peers.find(peer);
    return it == m_peers.end() ? nullptr : it->second.best_known;
}

std::vector<const BlockIndex*> BlockDownload::NextBlocks(NodeId peer, size_t count, NodeId* staller)
{
    std::vector<const BlockIndex*> out;
    if (staller) *staller = -1;
    auto pit = m_peers.find(peer);
    if (pit == m_peers.end() || count == 0) return out;
    PeerState& state = pit->second;
    const BlockIndex* best = state.best_known;
    const BlockIndex* tip = m_chain.Tip();
    if (!best || !tip || best->chain_work < tip->chain_work) return out;
    // Start from a guess (our chain at the peer's height), then the real common ancestor.
    if (!state.last_common) state.last_common = m_chain.AtHeight(std::min(best->height, tip->height));
    if (!state.last_common) return out;
    state.last_common = chain::LastCommonAncestor(state.last_common, best);
    if (state.last_common == best) return out;

    const int window_end = state.last_common->height + BLOCK_DOWNLOAD_WINDOW;
    const int max_height = std::min(best->height, window_end + 1);
    NodeId waiting_for = -1;
    for (int h = state.last_common->height + 1; h <= max_height; ++h) {
        const BlockIndex* b = best->GetAncestor(h);
        if (!b || !b->IsValid(chain::BLOCK_VALID_TREE)) return out; // an invalid chain: nothing from it
        const bool have = (b->status.load() & chain::BLOCK_HAVE_DATA) || m_chain.IsInActiveChain(b);
        if (have) {
            if (b->chain_tx.load() != 0 && state.last_common->height == h - 1) state.last_common = b;
            continue;
        }
        auto in_flight = m_in_flight.find(b->GetBlockHash());
        if (in_flight == m_in_flight.end()) {
            if (h > window_end) {
                // The window is full: whoever holds its first missing block stalls us.
                if (out.empty() && waiting_for != peer && staller) *staller = waiting_for;
                return out;
            }
            out.push_back(b);
            if (out.size() == count) return out;
        } else if (waiting_for == -1) {
            waiting_for = in_flight->second.peer;
        }
    }
    return out;
}

void BlockDownload::MarkRequested(NodeId peer, const BlockIndex* block, Clock::time_point now)
{
    auto pit = m_peers.find(peer);
    if (pit == m_peers.end()) return;
    auto [it, inserted] = m_in_flight.try_emplace(block->GetBlockHash(), Request{peer, now, block->height});
    if (!inserted) {
        if (it->second.peer == peer) return;
        auto old = m_peers.find(it->second.peer);
        if (old != m_peers.end() && old->second.in_flight > 0) --old->second.in_flight;
        it->second = Request{peer, now, block->height};
    }
    if (pit->second.in_flight++ == 0) pit->second.downloading_since = now;
}

std::optional<NodeId> BlockDownload::Received(const consensus::Uint256& block, Clock::time_point now)
{
    auto it = m_in_flight.find(block);
    if (it == m_in_flight.end()) return std::nullopt;
    const NodeId peer = it->second.peer;
    m_in_flight.erase(it);
    if (auto pit = m_peers.find(peer); pit != m_peers.end()) {
        if (pit->second.in_flight > 0) --pit->second.in_flight;
        pit->second.stalling_since.reset();
        // Core moves the clock only when the first block of its queue arrives; any of them
        // here, as blocks are requested lowest first and mostly arrive in order.
        pit->second.downloading_since = std::max(pit->second.downloading_since, now);
    }
    // A block arrived: let the stalling timeout decay back towards its default, as Core.
    if (m_stalling_timeout > BLOCK_STALLING_TIMEOUT_DEFAULT) {
        m_stalling_timeout =
            std::max(BLOCK_STALLING_TIMEOUT_DEFAULT, std::chrono::seconds(m_stalling_timeout.count() * 85 / 100));
    }
    return peer;
}

size_t BlockDownload::InFlight(NodeId peer) const
{
    auto it = m_peers.find(peer);
    return it == m_peers.end() ? 0 : it->second.in_flight;
}

std::vector<int> BlockDownload::InFlightHeights(NodeId peer) const
{
    std::vector<int> out;
    for (const auto& [hash, req] : m_in_flight)
        if (req.peer == peer) out.push_back(req.height);
    std::sort(out.begin(), out.end());
    return out;
}

const BlockIndex* BlockDownload::LastCommon(NodeId peer) const
{
    auto it = m_peers.find(peer);
    return it == m_peers.end() ? nullptr : it->second.last_common;
}

void BlockDownload::MarkStalling(NodeId peer, Clock::time_point now)
{
    auto it = m_peers.find(peer);
    if (it != m_peers.end() && !it->second.stalling_since) it->second.stalling_since = now;
}

std::vector<NodeId> BlockDownload::StalledPeers(Clock::time_point now)
{
    std::vector<NodeId> out;
    for (auto& [id, state] : m_peers) {
        if (state.stalling_since && now - *state.stalling_since > m_stalling_timeout) {
            out.push_back(id);
            state.stalling_since.reset();
        }
    }
    if (!out.empty()) m_stalling_timeout = std::min(BLOCK_STALLING_TIMEOUT_MAX, m_stalling_timeout * 2);
    return out;
}

std::vector<std::pair<NodeId, consensus::Uint256>>
BlockDownload::TimedOutPeers(Clock::time_point now, std::chrono::seconds block_interval) const
{
    int downloading = 0;
    for (const auto& [id, state] : m_peers)
        if (state.in_flight > 0) ++downloading;
    std::vector<std::pair<NodeId, consensus::Uint256>> out;
    for (const auto& [id, state] : m_peers) {
        if (state.in_flight == 0) continue;
        const double intervals = BLOCK_DOWNLOAD_TIMEOUT_BASE + BLOCK_DOWNLOAD_TIMEOUT_PER_PEER * (downloading - 1);
        const auto limit = std::chrono::duration_cast<Clock::duration>(block_interval * intervals);
        if (now - state.downloading_since <= limit) continue;
        const Request* lowest = nullptr;
        const consensus::Uint256* hash = nullptr;
        for (const auto& [h, req] : m_in_flight) {
            if (req.peer == id && (!lowest || req.height < lowest->height)) {
                lowest = &req;
                hash = &h;
            }
        }
        if (hash) out.emplace_back(id, *hash);
    }
    return out;
}

} // namespace node::p2p
