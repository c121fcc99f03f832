#include "node/mempool/miner.h"

#include "consensus/tx_verify.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

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

/** The remaining packages whose ancestors partly entered the block, best first (Core's mapModifiedTx). */
class Modified {
public:
    bool Contains(const Entry* e) const { return m_score.count(e) > 0; }
    const Score* Find(const Entry* e) const
    {
        auto it = m_score.find(e);
        return it == m_score.end() ? nullptr : &it->second;
    }
    void Set(const Entry* e, const Score& s)
    {
        Erase(e);
        m_score.emplace(e, s);
        m_order.insert({s, e});
    }
    void Erase(const Entry* e)
    {
        auto it = m_score.find(e);
        if (it == m_score.end()) return;
        m_order.erase({it->second, e});
        m_score.erase(it);
    }
    /** The best package, or nullptr. */
    std::pair<const Entry*, Score> Best() const
    {
        if (m_order.empty()) return {nullptr, Score{}};
        return {m_order.begin()->second, m_order.begin()->first};
    }

private:
    struct Cmp {
        bool operator()(const std::pair<Score, const Entry*>& a, const std::pair<Score, const Entry*>& b) const
        {
            if (Better(a.first, b.first)) return true;
            if (Better(b.first, a.first)) return false;
            return a.second->Txid() < b.second->Txid();
        }
    };
    std::unordered_map<const Entry*, Score> m_score;
    std::set<std::pair<Score, const Entry*>, Cmp> m_order;
};

std::vector<SelectedTx> Select(PoolReader& reader, const AssemblerOptions& options, int height,
                               int64_t lock_time_cutoff)
{
    // Ancestor sets from the parent links, read under the pool's lock.
    auto ancestors_of = [&](const Entry* e, std::vector<const Entry*>& out) {
        std::vector<const Entry*> stack{e};
        std::unordered_set<const Entry*> seen{e};
        while (!stack.empty()) {
            const Entry* cur = stack.back();
            stack.pop_back();
            for (const auto& p : cur->parents) {
                const Entry* pe = reader.Find(p);
                if (pe && seen.insert(pe).second) {
                    out.push_back(pe);
                    stack.push_back(pe);
                }
            }
        }
    };

    std::unordered_set<const Entry*> in_block, failed;
    Modified modified;
    auto score_of = [&](const Entry* e) {
        if (const Score* s = modified.Find(e)) return *s;
        return Score{e->fees_with_ancestors, e->size_with_ancestors, e->sigops_with_ancestors};
    };

    std::vector<SelectedTx> selected;
    int64_t weight = 0, sigops = 0;
    const Entry* next = reader.NextByAncestorScore(); // the best entry not yet considered, in index order
    int consecutive_failures = 0;
    constexpr int MAX_CONSECUTIVE_FAILURES = 1000;
    while (true) {
        while (next && (in_block.count(next) || failed.count(next) || modified.Contains(next))) {
            next = reader.NextByAncestorScore();
        }
        // The best of the next unmodified entry and the best modified package.
        const Entry* cand = next;
        const auto [mod, mod_score] = modified.Best();
        if (mod && (!cand || Better(mod_score, score_of(cand)) ||
                    (!Better(score_of(cand), mod_score) && mod->Txid() < cand->Txid()))) {
            cand = mod;
        }
        if (!cand) break;
        const Score s = score_of(cand);
        if (cand == next) next = reader.NextByAncestorScore();
        // Below the block's minimum fee rate: so is everything after it.
        if (s.fees.sats * 1000 < options.min_feerate.sats * s.vsize) break;

        std::vector<const Entry*> package;
        ancestors_of(cand, package);
        std::erase_if(package, [&](const Entry* a) { return in_block.count(a) > 0; });
        package.push_back(cand);
        int64_t pkg_weight = 0;
        bool ok = true;
        for (const Entry* p : package) {
            pkg_weight += p->weight;
            if (!consensus::IsFinalTx(*p->tx, height, lock_time_cutoff)) ok = false;
        }
        if (ok && (weight + pkg_weight > options.max_weight || sigops + s.sigops > options.max_sigop_cost)) ok = false;
        if (!ok) {
            failed.insert(cand);
            modified.Erase(cand);
            if (++consecutive_failures > MAX_CONSECUTIVE_FAILURES && weight > options.max_weight - 4000) break;
            continue;
        }
        consecutive_failures = 0;
        // Parents first: fewer in-pool ancestors sort earlier.
        std::sort(package.begin(), package.end(),
                  [](const Entry* a, const Entry* b) { return a->count_with_ancestors < b->count_with_ancestors; });
        for (const Entry* e : package) {
            in_block.insert(e);
            modified.Erase(e);
            selected.push_back(SelectedTx{e->tx, e->fee, e->sigop_cost, e->weight});
            weight += e->weight;
            sigops += e->sigop_cost;
            // Every descendant's package no longer includes e.
            std::vector<const Entry*> stack{e};
            std::unordered_set<const Entry*> seen{e};
            while (!stack.empty()) {
                const Entry* cur = stack.back();
                stack.pop_back();
                for (const auto& c : cur->children) {
                    const Entry* ce = reader.Find(c);
                    if (!ce || !seen.insert(ce).second) continue;
                    stack.push_back(ce);
                    if (in_block.count(ce) || failed.count(ce)) continue; // a failed package is not retried
                    Score sc = score_of(ce);
                    sc.fees -= e->ModifiedFee();
                    sc.vsize -= e->vsize;
                    sc.sigops -= e->sigop_cost;
                    modified.Set(ce, sc);
                }
            }
        }
    }
    return selected;
}

} // namespace

std::vector<SelectedTx> SelectTransactions(const TxMemPool& pool, const AssemblerOptions& options, int height,
                                           int64_t lock_time_cutoff)
{
    std::vector<SelectedTx> selected;
    // Under the pool's shared lock, reading its ancestor-score index in order: no copy of the
    // pool, and the walk ends when the block is full (Core holds mempool.cs for this too).
    pool.Read([&](PoolReader& reader) { selected = Select(reader, options, height, lock_time_cutoff); });
    return selected;
}

} // namespace node::mempool
