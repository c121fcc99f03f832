// MempoolAcceptor's topology policies: BIP-431 (TRUC) for one transaction and inside a package
// (Core v30's policy/truc_policy.cpp), and ephemeral dust's spends (policy/ephemeral_policy.cpp).
#include "node/mempool/accept.h"
#include "node/mempool/accept_work.h"

#include <algorithm>

namespace node::mempool {

namespace {

/** BIP-431's limits: a TRUC transaction and its one unconfirmed relative. */
constexpr int64_t TRUC_MAX_VSIZE = 10'000;
constexpr int64_t TRUC_CHILD_MAX_VSIZE = 1'000;
constexpr int64_t TRUC_ANCESTOR_LIMIT = 2;   // itself included
constexpr int64_t TRUC_DESCENDANT_LIMIT = 2; // itself included

std::string Name(const Uint256& txid, const Uint256& wtxid)
{
    return txid.GetHex() + " (wtxid=" + wtxid.GetHex() + ")";
}
std::string Name(const consensus::Transaction& tx) { return Name(tx.GetTxid(), tx.GetWtxid()); }

std::string TrucSpendsNonTruc(const consensus::Transaction& tx, const consensus::Transaction& parent)
{
    return "version=3 tx " + Name(tx) + " cannot spend from non-version=3 tx " + Name(parent);
}
std::string NonTrucSpendsTruc(const consensus::Transaction& tx, const consensus::Transaction& parent)
{
    return "non-version=3 tx " + Name(tx) + " cannot spend from version=3 tx " + Name(parent);
}
std::string TooBig(const consensus::Transaction& tx, int64_t vsize)
{
    return "version=3 tx " + Name(tx) + " is too big: " + std::to_string(vsize) + " > " +
           std::to_string(TRUC_MAX_VSIZE) + " virtual bytes";
}
std::string ChildTooBig(const consensus::Transaction& tx, int64_t vsize)
{
    return "version=3 child tx " + Name(tx) + " is too big: " + std::to_string(vsize) + " > " +
           std::to_string(TRUC_CHILD_MAX_VSIZE) + " virtual bytes";
}
std::string TooManyAncestors(const consensus::Transaction& tx)
{
    return "tx " + Name(tx) + " would have too many ancestors";
}
std::string DescendantLimit(const consensus::Transaction& parent)
{
    return "tx " + Name(parent) + " would exceed descendant count limit";
}

} // namespace

std::optional<MempoolAcceptor::TrucError> MempoolAcceptor::CheckTruc(const Work& w) const
{
    // Core v30's SingleTRUCChecks, over the in-pool ancestors.
    const consensus::Transaction& tx = *w.tx;
    std::vector<Entry> ancestors;
    for (const Uint256& a : w.ancestors) {
        if (auto e = m_pool.GetEntry(a)) ancestors.push_back(std::move(*e));
    }
    // BIP-431: TRUC-ness is inherited both ways through unconfirmed spends.
    for (const Entry& a : ancestors) {
        if (tx.version != TRUC_VERSION && a.tx->version == TRUC_VERSION) {
            return TrucError{NonTrucSpendsTruc(tx, *a.tx), std::nullopt};
        }
        if (tx.version == TRUC_VERSION && a.tx->version != TRUC_VERSION) {
            return TrucError{TrucSpendsNonTruc(tx, *a.tx), std::nullopt};
        }
    }
    if (tx.version != TRUC_VERSION) return std::nullopt;
    if (w.vsize > TRUC_MAX_VSIZE) return TrucError{TooBig(tx, w.vsize), std::nullopt};
    if (static_cast<int64_t>(ancestors.size()) + 1 > TRUC_ANCESTOR_LIMIT) {
        return TrucError{TooManyAncestors(tx), std::nullopt};
    }
    if (ancestors.empty()) return std::nullopt;
    if (w.vsize > TRUC_CHILD_MAX_VSIZE) return TrucError{ChildTooBig(tx, w.vsize), std::nullopt};
    // The one parent may have one child: a child this transaction replaces does not count.
    const Entry& parent = ancestors.front();
    const bool child_replaced = std::any_of(parent.children.begin(), parent.children.end(), [&](const Uint256& c) {
        return std::find(w.conflicts.begin(), w.conflicts.end(), c) != w.conflicts.end();
    });
    if (parent.count_with_descendants + 1 > TRUC_DESCENDANT_LIMIT && !child_replaced) {
        // Sibling eviction (BIP-431): the existing child may be replaced under the RBF rules, if it
        // is the parent's only descendant and has no other ancestor (a reorg could make either false).
        std::optional<Uint256> sibling;
        if (parent.count_with_descendants == 2 && parent.children.size() == 1) {
            auto child = m_pool.GetEntry(parent.children.front());
            if (child && child->count_with_ancestors == 2) sibling = child->Txid();
        }
        return TrucError{DescendantLimit(*parent.tx), sibling};
    }
    return std::nullopt;
}

std::optional<std::string> MempoolAcceptor::CheckPackageTruc(const Work& w,
                                                             const std::vector<TransactionRef>& package) const
{
    // Core v30's PackageTRUCChecks: the rules again, with in-package parents counted as parents.
    const consensus::Transaction& tx = *w.tx;
    auto spends = [](const consensus::Transaction& child, const Uint256& txid) {
        return std::any_of(child.vin.begin(), child.vin.end(),
                           [&](const consensus::TxIn& in) { return in.prevout.hash == txid; });
    };
    std::vector<TransactionRef> package_parents;
    for (const TransactionRef& p : package) {
        if (p->GetTxid() != tx.GetTxid() && spends(tx, p->GetTxid())) package_parents.push_back(p);
    }
    std::vector<Entry> ancestors;
    for (const Uint256& a : w.ancestors) {
        if (auto e = m_pool.GetEntry(a)) ancestors.push_back(std::move(*e));
    }
    if (tx.version != TRUC_VERSION) {
        for (const Entry& a : ancestors) {
            if (a.tx->version == TRUC_VERSION) return NonTrucSpendsTruc(tx, *a.tx);
        }
        for (const TransactionRef& p : package_parents) {
            if (p->version == TRUC_VERSION) return NonTrucSpendsTruc(tx, *p);
        }
        return std::nullopt;
    }
    if (w.vsize > TRUC_MAX_VSIZE) return TooBig(tx, w.vsize);
    const auto parents = static_cast<int64_t>(ancestors.size() + package_parents.size());
    if (parents + 1 > TRUC_ANCESTOR_LIMIT) return TooManyAncestors(tx);
    if (parents == 0) return std::nullopt;
    if (w.vsize > TRUC_CHILD_MAX_VSIZE) return ChildTooBig(tx, w.vsize);
    // The one parent, in the pool or in the package.
    const consensus::Transaction& parent = ancestors.empty() ? *package_parents.front() : *ancestors.front().tx;
    const bool parent_has_pool_child = !ancestors.empty() && ancestors.front().count_with_descendants > 1;
    if (parent.version != TRUC_VERSION) return TrucSpendsNonTruc(tx, parent);
    for (const TransactionRef& other : package) {
        if (other->GetTxid() == tx.GetTxid()) continue;
        // A sibling in the package (whether it conflicts is no excuse here), or a child of tx.
        if (spends(*other, parent.GetTxid())) return DescendantLimit(parent);
        if (spends(*other, tx.GetTxid())) return TooManyAncestors(*other);
    }
    if (parent_has_pool_child) return DescendantLimit(parent);
    return std::nullopt;
}

bool MempoolAcceptor::CheckEphemeralSpends(const std::vector<TransactionRef>& package, size_t* failed,
                                           ValidationResult* state) const
{
    const auto k = FindMissingEphemeralSpends(package, m_opts.policy.dust_relay_feerate,
                                              [this](const Uint256& txid) { return m_pool.Get(txid); });
    if (!k) return true;
    if (failed) *failed = *k;
    if (state) {
        *state = ValidationResult::Invalid(TxValidationResult::MEMPOOL_POLICY, "missing-ephemeral-spends",
                                           "tx " + Name(*package[*k]) + " did not spend parent's ephemeral dust");
    }
    return false;
}

} // namespace node::mempool
