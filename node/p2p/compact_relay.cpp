// BIP-152 compact block relay state (compact_relay.h).
#include "node/p2p/compact_relay.h"

#include <algorithm>
#include <array>
#include <random>

namespace node::p2p {

void CompactRelay::AddPeer(net::NodeId id, bool inbound) { m_peers[id].inbound = inbound; }

void CompactRelay::RemovePeer(net::NodeId id)
{
    m_peers.erase(id);
    std::erase(m_hb_to, id);
}

void CompactRelay::OnSendCmpct(net::NodeId id, bool announce, uint64_t version)
{
    auto it = m_peers.find(id);
    if (it == m_peers.end() || version != CMPCTBLOCKS_VERSION) return; // Core ignores other versions
    it->second.provides = true;
    it->second.hb_from = announce;
}

bool CompactRelay::ProvidesCompact(net::NodeId id) const
{
    auto it = m_peers.find(id);
    return it != m_peers.end() && it->second.provides;
}

bool CompactRelay::HighBandwidthFrom(net::NodeId id) const
{
    auto it = m_peers.find(id);
    return it != m_peers.end() && it->second.hb_from;
}

bool CompactRelay::HighBandwidthTo(net::NodeId id) const
{
    return std::find(m_hb_to.begin(), m_hb_to.end(), id) != m_hb_to.end();
}

std::vector<net::NodeId> CompactRelay::HighBandwidthFromPeers() const
{
    std::vector<net::NodeId> out;
    for (const auto& [id, p] : m_peers)
        if (p.hb_from) out.push_back(id);
    return out;
}

std::vector<std::pair<net::NodeId, bool>> CompactRelay::SelectHighBandwidth(net::NodeId id)
{
    auto me = m_peers.find(id);
    if (me == m_peers.end() || !me->second.provides) return {};
    const auto is_inbound = [this](net::NodeId p) {
        auto it = m_peers.find(p);
        return it != m_peers.end() && it->second.inbound;
    };
    int outbound_hb = 0;
    for (auto it = m_hb_to.begin(); it != m_hb_to.end(); ++it) {
        if (*it == id) { // already chosen: it becomes the newest
            m_hb_to.erase(it);
            m_hb_to.push_back(id);
            return {};
        }
        if (!is_inbound(*it)) ++outbound_hb;
    }
    // An inbound newcomer must not push out our last outbound high-bandwidth peer (Core).
    if (me->second.inbound && m_hb_to.size() >= MAX_HB_PEERS && outbound_hb == 1 && !is_inbound(m_hb_to.front()))
        std::swap(m_hb_to[0], m_hb_to[1]);
    std::vector<std::pair<net::NodeId, bool>> out;
    if (m_hb_to.size() >= MAX_HB_PEERS) {
        out.emplace_back(m_hb_to.front(), false);
        m_hb_to.pop_front();
    }
    out.emplace_back(id, true);
    m_hb_to.push_back(id);
    return out;
}

namespace {
/** Drops the partial block for hash from a peer's list. */
void EraseHash(std::vector<std::pair<consensus::Uint256, PartialBlock>>& partials, const consensus::Uint256& hash)
{
    std::erase_if(partials, [&hash](const auto& p) { return p.first == hash; });
}
} // namespace

ReadStatus CompactRelay::InitPartial(PartialBlock& partial, const net::HeaderAndShortIDs& cmpct) const
{
    const std::array<const TxSource*, 2> sources{m_source, &m_extra};
    return partial.Init(cmpct, sources);
}

ReadStatus CompactRelay::StartPartial(net::NodeId id, const consensus::Uint256& hash,
                                      const net::HeaderAndShortIDs& cmpct)
{
    auto it = m_peers.find(id);
    if (it == m_peers.end()) return ReadStatus::FAILED;
    auto& partials = it->second.partials;
    EraseHash(partials, hash);
    PartialBlock partial;
    const ReadStatus status = InitPartial(partial, cmpct);
    if (status != ReadStatus::OK) return status;
    if (partials.size() >= MAX_PARTIALS_PER_PEER) partials.erase(partials.begin());
    partials.emplace_back(hash, std::move(partial));
    return status;
}

ReadStatus CompactRelay::RebuildWhole(const net::HeaderAndShortIDs& cmpct, consensus::Block& block,
                                      bool segwit_active) const
{
    PartialBlock partial;
    const ReadStatus status = InitPartial(partial, cmpct);
    if (status != ReadStatus::OK) return status;
    if (!partial.MissingIndexes().empty()) return ReadStatus::FAILED;
    return partial.Fill(block, {}, segwit_active);
}

const PartialBlock* CompactRelay::Partial(net::NodeId id, const consensus::Uint256& hash) const
{
    auto it = m_peers.find(id);
    if (it == m_peers.end()) return nullptr;
    for (const auto& [h, partial] : it->second.partials)
        if (h == hash) return &partial;
    return nullptr;
}

void CompactRelay::ErasePartial(net::NodeId id, const consensus::Uint256& hash)
{
    if (auto it = m_peers.find(id); it != m_peers.end()) EraseHash(it->second.partials, hash);
}

void CompactRelay::ForgetBlock(const consensus::Uint256& hash)
{
    for (auto& [id, state] : m_peers) EraseHash(state.partials, hash);
}

size_t CompactRelay::PartialCount(net::NodeId id) const
{
    auto it = m_peers.find(id);
    return it == m_peers.end() ? 0 : it->second.partials.size();
}

std::shared_ptr<const net::HeaderAndShortIDs> CompactRelay::CompactFor(const consensus::Block& block)
{
    const consensus::Uint256 hash = block.GetHash();
    if (m_cached && m_cached_hash == hash) return m_cached;
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    m_cached = std::make_shared<const net::HeaderAndShortIDs>(BuildCompactBlock(block, rng()));
    m_cached_hash = hash;
    return m_cached;
}

std::shared_ptr<const net::HeaderAndShortIDs> CompactRelay::Cached(const consensus::Uint256& hash) const
{
    return m_cached && m_cached_hash == hash ? m_cached : nullptr;
}

} // namespace node::p2p
