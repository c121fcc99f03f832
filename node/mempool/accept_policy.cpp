// MempoolAcceptor's topology policies: BIP-431 (TRUC) for one transaction (Core v30's
// policy/truc_policy.cpp), and ephemeral dust's spends (policy/ephemeral_policy.cpp).
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

std::optional<std::string> MempoolAcceptor::CheckTruc(const Work& w) const
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
            return NonTrucSpendsTruc(tx, *a.tx);
        }
        if (tx.version == TRUC_VERSION && a.tx->version != TRUC_VERSION) {
            return TrucSpendsNonTruc(tx, *a.tx);
        }
    }
    if (tx.version != TRUC_VERSION) return std::nullopt;
    if (w.vsize > TRUC_MAX_VSIZE) return TooBig(tx, w.vsize);
    if (static_cast<int64_t>(ancestors.size()) + 1 > TRUC_ANCESTOR_LIMIT) {
        return TooManyAncestors(tx);
    }
    if (ancestors.empty()) return std::nullopt;
    if (w.vsize > TRUC_CHILD_MAX_VSIZE) return ChildTooBig(tx, w.vsize);
    // The one parent may have one child: a child this transaction replaces does not count.
    const Entry& parent = ancestors.front();
    const bool child_replaced = std::any_of(parent.children.begin(), parent.children.end(), [&](const Uint256& c) {
        return std::find(w.conflicts.begin(), w.conflicts.end(), c) != w.conflicts.end();
    });
    if (parent.count_with_descendants + 1 > TRUC_DESCENDANT_LIMIT && !child_replaced) {
        return DescendantLimit(*parent.tx);
    }
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
