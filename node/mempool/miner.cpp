#include "node/mempool/miner.h"

#include "consensus/tx_verify.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace node::mempool {

namespace {

/** A candidate's package as it stands: its ancestors not yet in the block, itself included. */
struct Score {
    consensus::Amount fees;
    int64_t vsize{0};
    int64_t sigops{0};
};

/** a's package pays a better rate than b's (cross-multiplied: no rounding). */
bool Better(const Score& a, const Score& b)
{
    const __int128 l = static_cast<__int128>(a.fees.sats) * b.vsize;
    const __int128 r = static_cast<__int128>(b.fees.sats) * a.vsize;
    return l > r;
}

} // namespace

std::vector<SelectedTx> SelectTransactions(const TxMemPool& pool, const AssemblerOptions& options, int height,
                                           int64_t lock_time_cutoff)
{
    const std::vector<Entry> entries = pool.GetByAncestorScore();
    std::unordered_map<consensus::Uint256, size_t> index;
    index.reserve(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) index.emplace(entries[i].Txid(), i);
    auto idx = [&](const consensus::Uint256& h) -> std::optional<size_t> {
        auto it = index.find(h);
        if (it == index.end()) return std::nullopt;
        return it->second;
    };

    // Ancestor sets from the snapshot's parent links (the pool may have moved since: links
    // outside the snapshot are ignored, and a child whose parent is missing is never taken).
    auto ancestors_of = [&](size_t i, std::vector<size_t>& out, bool& complete) {
        std::vector<size_t> stack{i};
        std::set<size_t> seen{i};
        complete = true;
        while (!stack.empty()) {
            const size_t cur = stack.back();
            stack.pop_back();
            for (const auto& p : entries[cur].parents) {
                auto pi = idx(p);
                if (!pi) {
                    complete = false;
                    continue;
                }
                if (seen.insert(*pi).second) {
                    out.push_back(*pi);
                    stack.push_back(*pi);
                }
            }
        }
    };

    std::vector<bool> in_block(entries.size(), false), failed(entries.size(), false);
    // Packages whose ancestors partly entered the block: their remaining score (Core's mapModifiedTx).
    std::map<size_t, Score> modified;
    auto score_of = [&](size_t i) {
        if (auto it = modified.find(i); it != modified.end()) return it->second;
        const Entry& e = entries[i];
        return Score{e.fees_with_ancestors, e.size_with_ancestors, e.sigops_with_ancestors};
    };

    std::vector<SelectedTx> selected;
    int64_t weight = 0, sigops = 0;
    size_t next = 0; // entries is in ancestor-score order
    int consecutive_failures = 0;
    constexpr int MAX_CONSECUTIVE_FAILURES = 1000;
    while (true) {
        while (next < entries.size() && (in_block[next] || failed[next] || modified.count(next))) ++next;
        // The best of the next unmodified entry and the best modified package.
        std::optional<size_t> best;
        if (next < entries.size()) best = next;
        for (const auto& [i, s] : modified) {
            if (in_block[i] || failed[i]) continue;
            if (!best || Better(s, score_of(*best)) ||
                (!Better(score_of(*best), s) && entries[i].Txid() < entries[*best].Txid())) {
                best = i;
            }
        }
        if (!best) break;
        const size_t cand = *best;
        const Score s = score_of(cand);
        if (cand == next) ++next;
        // Below the block's minimum fee rate: so is everything after it.
        if (s.fees.sats * 1000 < options.min_feerate.sats * s.vsize) break;

        std::vector<size_t> package;
        bool complete = true;
        ancestors_of(cand, package, complete);
        std::erase_if(package, [&](size_t a) { return in_block[a]; });
        package.push_back(cand);
        int64_t pkg_weight = 0;
        bool ok = complete;
        for (size_t p : package) {
            pkg_weight += entries[p].weight;
            if (!consensus::IsFinalTx(*entries[p].tx, height, lock_time_cutoff)) ok = false;
        }
        if (ok && (weight + pkg_weight > options.max_weight || sigops + s.sigops > options.max_sigop_cost)) ok = false;
        if (!ok) {
            failed[cand] = true;
            modified.erase(cand);
            if (++consecutive_failures > MAX_CONSECUTIVE_FAILURES && weight > options.max_weight - 4000) break;
            continue;
        }
        consecutive_failures = 0;
        // Parents first: fewer in-pool ancestors sort earlier.
        std::sort(package.begin(), package.end(), [&](size_t a, size_t b) {
            return entries[a].count_with_ancestors < entries[b].count_with_ancestors;
        });
        for (size_t p : package) {
            const Entry& e = entries[p];
            in_block[p] = true;
            modified.erase(p);
            selected.push_back(SelectedTx{e.tx, e.fee, e.sigop_cost, e.weight});
            weight += e.weight;
            sigops += e.sigop_cost;
            // Every descendant's package no longer includes p.
            std::vector<size_t> stack{p};
            std::set<size_t> seen{p};
            while (!stack.empty()) {
                const size_t cur = stack.back();
                stack.pop_back();
                for (const auto& c : entries[cur].children) {
                    auto ci = idx(c);
                    if (!ci || !seen.insert(*ci).second) continue;
                    stack.push_back(*ci);
                    if (in_block[*ci]) continue;
                    Score sc = score_of(*ci);
                    sc.fees -= e.ModifiedFee();
                    sc.vsize -= e.vsize;
                    sc.sigops -= e.sigop_cost;
                    modified[*ci] = sc;
                }
            }
        }
    }
    return selected;
}

} // namespace node::mempool
