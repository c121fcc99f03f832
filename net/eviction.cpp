// Inbound eviction (eviction.h).
#include "net/eviction.h"

#include <algorithm>
#include <map>

namespace net {

namespace {

using Candidates = std::vector<EvictionCandidate>;

/** Sorts by less and removes up to k elements from the end that satisfy pred (those are protected). */
template <typename Less, typename Pred>
void EraseLastK(Candidates& c, Less less, size_t k, Pred pred)
{
    std::sort(c.begin(), c.end(), less);
    size_t protected_count = 0;
    for (size_t i = c.size(); i > 0 && protected_count < k;) {
        --i;
        if (pred(c[i])) {
            c.erase(c.begin() + static_cast<long>(i));
            ++protected_count;
        }
    }
}

template <typename Less>
void EraseLastK(Candidates& c, Less less, size_t k)
{
    EraseLastK(c, less, k, [](const EvictionCandidate&) { return true; });
}

bool YoungerFirst(const EvictionCandidate& a, const EvictionCandidate& b) { return a.connected > b.connected; }

} // namespace

std::optional<NodeId> SelectNodeToEvict(Candidates candidates)
{
    std::erase_if(candidates, [](const EvictionCandidate& c) { return c.noban || !c.inbound; });
    // Net groups: an attacker cannot choose the keyed hash, so cannot make its groups the protected ones.
    EraseLastK(
        candidates, [](const auto& a, const auto& b) { return a.keyed_net_group < b.keyed_net_group; }, 4);
    // Lowest ping: the peers closest to us.
    EraseLastK(
        candidates, [](const auto& a, const auto& b) { return a.min_ping_us > b.min_ping_us; }, 8);
    // Most recent transactions.
    EraseLastK(
        candidates,
        [](const auto& a, const auto& b) {
            if (a.last_tx_time != b.last_tx_time) return a.last_tx_time < b.last_tx_time;
            if (a.relay_txs != b.relay_txs) return b.relay_txs;
            return YoungerFirst(a, b);
        },
        4);
    // Block-relay-only peers that most recently sent a block.
    EraseLastK(
        candidates,
        [](const auto& a, const auto& b) {
            if (a.relay_txs != b.relay_txs) return a.relay_txs;
            if (a.last_block_time != b.last_block_time) return a.last_block_time < b.last_block_time;
            if (a.relevant_services != b.relevant_services) return b.relevant_services;
            return YoungerFirst(a, b);
        },
        8, [](const EvictionCandidate& c) { return !c.relay_txs && c.relevant_services; });
    // Most recent blocks.
    EraseLastK(
        candidates,
        [](const auto& a, const auto& b) {
            if (a.last_block_time != b.last_block_time) return a.last_block_time < b.last_block_time;
            if (a.relevant_services != b.relevant_services) return b.relevant_services;
            return YoungerFirst(a, b);
        },
        4);
    // Half of the rest by longest connection; leaves them sorted youngest first.
    EraseLastK(candidates, YoungerFirst, candidates.size() / 2);
    if (candidates.empty()) return std::nullopt;

    if (std::any_of(candidates.begin(), candidates.end(), [](const auto& c) { return c.prefer_evict; })) {
        std::erase_if(candidates, [](const EvictionCandidate& c) { return !c.prefer_evict; });
    }
    // The net group with the most connections; each group's first member is its youngest.
    std::map<uint64_t, Candidates> groups;
    uint64_t most_group = 0;
    size_t most = 0;
    int64_t most_time = 0;
    for (const EvictionCandidate& c : candidates) {
        Candidates& g = groups[c.keyed_net_group];
        g.push_back(c);
        if (g.size() > most || (g.size() == most && g.front().connected > most_time)) {
            most = g.size();
            most_time = g.front().connected;
            most_group = c.keyed_net_group;
        }
    }
    return groups[most_group].front().id;
}

} // namespace net
