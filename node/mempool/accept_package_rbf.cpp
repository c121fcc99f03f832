// Core 28's package replacement (doc/policy/packages.md, "Package Replacements"): a
// one-parent-one-child package may replace the pool transactions it conflicts with when every
// conflict sits in a cluster of at most two, the package pays for what it evicts plus its own
// relay, it is a chunk of its own (its fee rate above its parent's) and it improves the pool's
// fee rate diagram. validation.cpp's PackageRBFChecks, policy/rbf.cpp's CheckConflictTopology
// and ImprovesFeerateDiagram; the diagram is built here for clusters of one or two only.
#include "node/mempool/accept.h"
#include "node/mempool/accept_work.h"

#include "node/mempool/policy.h"

#include <algorithm>
#include <set>

namespace node::mempool {

namespace {

/** A chunk of the fee rate diagram: its modified fees and virtual size. */
struct Chunk {
    int64_t fee{0};
    int64_t size{0};
};

ValidationResult RbfFailure(const std::string& reason, std::string debug = {})
{
    return ValidationResult::Invalid(TxValidationResult::MEMPOOL_POLICY, "package RBF failed: " + reason,
                                     std::move(debug));
}

/** a's fee rate above b's (exact: cross products). */
bool Higher(const Chunk& a, const Chunk& b)
{
    return static_cast<__int128>(a.fee) * b.size > static_cast<__int128>(b.fee) * a.size;
}

/** The cumulative points (size, fee) of chunks sorted best first, from (0, 0). */
std::vector<Chunk> Diagram(std::vector<Chunk> chunks)
{
    std::stable_sort(chunks.begin(), chunks.end(), [](const Chunk& a, const Chunk& b) { return Higher(a, b); });
    std::vector<Chunk> points{Chunk{}};
    for (const Chunk& c : chunks) points.push_back(Chunk{points.back().fee + c.fee, points.back().size + c.size});
    return points;
}

/**
 * The diagram's fee at size x as a fraction num/den (den > 0); flat past its end, as Core's
 * CompareChunks treats a diagram that ends first.
 */
std::pair<__int128, __int128> FeeAt(const std::vector<Chunk>& points, int64_t x)
{
    for (size_t i = 1; i < points.size(); ++i) {
        if (x <= points[i].size) {
            const Chunk& a = points[i - 1];
            const Chunk& b = points[i];
            const __int128 den = b.size - a.size;
            return {static_cast<__int128>(a.fee) * den + static_cast<__int128>(x - a.size) * (b.fee - a.fee), den};
        }
    }
    return {points.back().fee, 1};
}

/** -1, 0, 1: whether the new diagram is below the old one somewhere, never different, or better and never below. */
int CompareDiagrams(const std::vector<Chunk>& old_points, const std::vector<Chunk>& new_points)
{
    // Both are piecewise linear: comparing at every breakpoint of either is enough.
    std::set<int64_t> xs;
    for (const Chunk& p : old_points) xs.insert(p.size);
    for (const Chunk& p : new_points) xs.insert(p.size);
    bool better = false;
    for (int64_t x : xs) {
        const auto [on, od] = FeeAt(old_points, x);
        const auto [nn, nd] = FeeAt(new_points, x);
        const __int128 lhs = nn * od;
        const __int128 rhs = on * nd;
        if (lhs < rhs) return -1;
        if (lhs > rhs) better = true;
    }
    return better ? 1 : 0;
}

} // namespace

std::optional<ValidationResult> MempoolAcceptor::CheckPackageReplacement(const std::vector<Work>& works,
                                                                         Amount total_fees, int64_t total_vsize) const
{
    // Only a parent and its child (a cluster of two once in the pool).
    if (works.size() != 2 || !IsChildWithParentsTree({works[0].tx, works[1].tx})) {
        return RbfFailure("package must be 1-parent-1-child");
    }
    // In-pool ancestors would make the new cluster larger than two.
    for (const Work& w : works) {
        if (!w.ancestors.empty()) return RbfFailure("new transaction cannot have mempool ancestors");
    }
    std::vector<Uint256> direct;
    for (const Work& w : works) {
        for (const Uint256& c : w.conflicts) {
            if (std::find(direct.begin(), direct.end(), c) == direct.end()) direct.push_back(c);
        }
    }
    std::vector<Entry> direct_entries;
    for (const Uint256& c : direct) {
        if (auto e = m_pool.GetEntry(c)) direct_entries.push_back(std::move(*e));
    }
    const Work& parent = works[0];
    const Work& child = works[1];
    const std::string child_txid = child.tx->GetTxid().GetHex();

    // BIP-125 rule 5 on the whole package: at most 100 evicted, counted as Core (descendants of
    // each direct conflict, itself included).
    size_t candidates = 0;
    for (const Entry& e : direct_entries) candidates += static_cast<size_t>(e.count_with_descendants);
    if (candidates > MAX_REPLACEMENT_CANDIDATES) {
        return RbfFailure("too many potential replacements",
                          "rejecting replacement " + child_txid + "; too many potential replacements (" +
                              std::to_string(candidates) + " > " + std::to_string(MAX_REPLACEMENT_CANDIDATES) + ")");
    }
    std::set<Uint256> all; // every transaction that would leave
    for (const Entry& e : direct_entries) {
        all.insert(e.Txid());
        for (const Uint256& d : m_pool.GetDescendants(e.Txid())) all.insert(d);
    }

    // Rules 3 and 4 (Core's PaysForRBF) with the package's fees and size.
    Amount conflicting_fees{0};
    for (const Uint256& h : all) {
        if (auto e = m_pool.GetEntry(h)) conflicting_fees += e->ModifiedFee();
    }
    if (total_fees < conflicting_fees) {
        return RbfFailure("insufficient anti-DoS fees",
                          "rejecting replacement " + child_txid + ", less fees than conflicting txs; " +
                              FormatMoney(total_fees) + " < " + FormatMoney(conflicting_fees));
    }
    const Amount needed = FeeRate(m_pool.GetOptions().incremental_relay_feerate).GetFee(total_vsize);
    if (total_fees - conflicting_fees < needed) {
        return RbfFailure("insufficient anti-DoS fees",
                          "rejecting replacement " + child_txid + ", not enough additional fees to relay; " +
                              FormatMoney(total_fees - conflicting_fees) + " < " + FormatMoney(needed));
    }

    // The package must be one chunk: a child paying only for the parent's eviction fees is not.
    const FeeRate parent_rate(parent.modified_fee, parent.vsize);
    const FeeRate package_rate(total_fees, total_vsize);
    if (package_rate <= parent_rate) {
        return RbfFailure("package feerate is less than or equal to parent feerate",
                          "package feerate " + package_rate.ToString() + " <= parent feerate is " +
                              parent_rate.ToString());
    }

    // Core's CheckConflictTopology: every conflict in a cluster of at most two.
    for (const Entry& e : direct_entries) {
        const std::string txid = e.Txid().GetHex();
        const bool has_ancestor = e.count_with_ancestors > 1;
        const bool has_descendant = e.count_with_descendants > 1;
        if (e.count_with_ancestors > 2) {
            return RbfFailure(txid + " has " + std::to_string(e.count_with_ancestors - 1) +
                              " ancestors, max 1 allowed");
        }
        if (e.count_with_descendants > 2) {
            return RbfFailure(txid + " has " + std::to_string(e.count_with_descendants - 1) +
                              " descendants, max 1 allowed");
        }
        if (has_ancestor && has_descendant) {
            return RbfFailure(txid + " has both ancestor and descendant, exceeding cluster limit of 2");
        }
        if (has_descendant) {
            const auto c = m_pool.GetEntry(e.children.front());
            if (c && c->count_with_ancestors > 2) {
                return RbfFailure(txid + " is not the only parent of child " + c->Txid().GetHex());
            }
        } else if (has_ancestor) {
            const auto p = m_pool.GetEntry(e.parents.front());
            if (p && p->count_with_descendants > 2) {
                return RbfFailure(txid + " is not the only child of parent " + p->Txid().GetHex());
            }
        }
    }

    // The fee rate diagram of the affected clusters (each of one or two) before and after.
    std::set<Uint256> seen;
    std::vector<Chunk> old_chunks;
    std::vector<Chunk> new_chunks{Chunk{total_fees.sats, total_vsize}};
    for (const Entry& e : direct_entries) {
        // The cluster: the conflict and its one parent or child, parent first.
        std::vector<Entry> cluster;
        if (!e.parents.empty()) {
            if (auto p = m_pool.GetEntry(e.parents.front())) cluster.push_back(std::move(*p));
        }
        cluster.push_back(e);
        if (!e.children.empty()) {
            if (auto c = m_pool.GetEntry(e.children.front())) cluster.push_back(std::move(*c));
        }
        if (seen.count(cluster.front().Txid())) continue;
        for (const Entry& m : cluster) seen.insert(m.Txid());
        std::vector<Chunk> txs;
        for (const Entry& m : cluster) txs.push_back(Chunk{m.ModifiedFee().sats, m.vsize});
        // A child paying more per byte than its parent is mined with it: one chunk.
        if (txs.size() == 2 && Higher(txs[1], txs[0])) {
            old_chunks.push_back(Chunk{txs[0].fee + txs[1].fee, txs[0].size + txs[1].size});
        } else {
            old_chunks.insert(old_chunks.end(), txs.begin(), txs.end());
        }
        // What stays of the cluster is alone afterwards.
        for (const Entry& m : cluster) {
            if (!all.count(m.Txid())) new_chunks.push_back(Chunk{m.ModifiedFee().sats, m.vsize});
        }
    }
    if (CompareDiagrams(Diagram(old_chunks), Diagram(new_chunks)) <= 0) {
        return RbfFailure("insufficient feerate: does not improve feerate diagram");
    }
    return std::nullopt;
}

} // namespace node::mempool
