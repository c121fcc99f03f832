#include "node/mempool/mini_miner.h"

#include "node/mempool/txmempool.h"

#include <algorithm>
#include <unordered_set>

namespace node::mempool {

using consensus::Amount;
using consensus::OutPoint;
using consensus::Uint256;

namespace {

/** Core's FeeFrac order: by fee rate, and of equal rates the smaller size is the better. < 0: a is worse than b. */
int CompareFeeFrac(Amount fee_a, int64_t size_a, Amount fee_b, int64_t size_b)
{
    const __int128 l = static_cast<__int128>(fee_a.sats) * size_b;
    const __int128 r = static_cast<__int128>(fee_b.sats) * size_a;
    if (l != r) return l < r ? -1 : 1;
    if (size_a != size_b) return size_a > size_b ? -1 : 1;
    return 0;
}

} // namespace

MiniMiner::MiniMiner(const TxMemPool& pool, const std::vector<OutPoint>& outpoints)
{
    std::vector<MiniMinerEntry> copies;
    std::unordered_set<Uint256> to_be_replaced;
    pool.Read([&](PoolReader& reader) {
        for (const OutPoint& op : outpoints) {
            if (!reader.Find(op.hash)) {
                // Confirmed, or not in the pool: nothing to bump (nothing known, Core says).
                m_bump_fees.emplace(op, Amount{0});
                continue;
            }
            m_requested[op.hash].push_back(op);
            if (const Entry* spender = reader.FindSpender(op)) {
                // The caller means to replace the pool's spender of op, and with it its descendants.
                std::vector<const Entry*> todo{spender};
                while (!todo.empty()) {
                    const Entry* e = todo.back();
                    todo.pop_back();
                    if (!to_be_replaced.insert(e->Txid()).second) continue;
                    for (const Uint256& child : e->children) {
                        if (const Entry* c = reader.Find(child)) todo.push_back(c);
                    }
                }
            }
        }
        // Each requested transaction's cluster: whatever parents and children link to it.
        std::unordered_set<Uint256> seen;
        for (const auto& [txid, ops] : m_requested) {
            if (!seen.insert(txid).second) continue;
            std::vector<const Entry*> cluster{reader.Find(txid)};
            for (size_t i = 0; i < cluster.size(); ++i) {
                if (cluster.size() > MAX_CLUSTER_COUNT) {
                    m_ready = false;
                    return;
                }
                for (const auto* links : {&cluster[i]->parents, &cluster[i]->children}) {
                    for (const Uint256& linked : *links) {
                        if (!seen.insert(linked).second) continue;
                        if (const Entry* e = reader.Find(linked)) cluster.push_back(e);
                    }
                }
            }
            if (cluster.size() > MAX_CLUSTER_COUNT) {
                m_ready = false;
                return;
            }
            for (const Entry* e : cluster) {
                copies.push_back({e->tx, e->vsize, e->ModifiedFee(), e->size_with_ancestors, e->fees_with_ancestors});
            }
        }
    });
    if (!m_ready) return;

    for (MiniMinerEntry& copy : copies) {
        const Uint256 txid = copy.tx->GetTxid();
        if (to_be_replaced.count(txid) == 0) {
            m_nodes.emplace(txid, Node(std::move(copy)));
            continue;
        }
        // Its outputs will not exist once it is replaced: nothing to bump. (No transaction left
        // in the copy descends from it: its descendants are replaced too.)
        if (auto it = m_requested.find(txid); it != m_requested.end()) {
            for (const OutPoint& op : it->second) m_bump_fees.emplace(op, Amount{0});
            m_requested.erase(it);
        }
    }
    LinkParents();
    for (auto& [txid, node] : m_nodes) {
        const uint64_t walk = ++m_walk;
        node.mark = walk;
        node.descendants.push_back(&node);
        for (size_t i = 0; i < node.descendants.size(); ++i) {
            for (Node* child : node.descendants[i]->children) {
                if (child->mark == walk) continue;
                child->mark = walk;
                node.descendants.push_back(child);
            }
        }
    }
}

MiniMiner::MiniMiner(const std::vector<MiniMinerEntry>& entries,
                     const std::map<Uint256, std::set<Uint256>>& descendants)
{
    for (const MiniMinerEntry& e : entries) {
        if (!m_nodes.emplace(e.tx->GetTxid(), Node(e)).second) {
            m_ready = false; // the same transaction twice
            return;
        }
    }
    LinkParents();
    for (auto& [txid, node] : m_nodes) {
        auto it = descendants.find(txid);
        if (it == descendants.end() || it->second.count(txid) == 0) {
            m_ready = false; // every entry needs its descendants, itself included
            return;
        }
        for (const Uint256& d : it->second) {
            auto found = m_nodes.find(d);
            if (found == m_nodes.end()) {
                m_ready = false;
                return;
            }
            node.descendants.push_back(&found->second);
        }
    }
}

MiniMiner::~MiniMiner() = default;

void MiniMiner::LinkParents()
{
    for (auto& [txid, node] : m_nodes) {
        for (const auto& in : node.entry.tx->vin) {
            auto parent = m_nodes.find(in.prevout.hash);
            if (parent == m_nodes.end()) continue;
            Node* p = &parent->second;
            // Spending two outputs of one parent links it once.
            if (std::find(node.parents.begin(), node.parents.end(), p) != node.parents.end()) continue;
            node.parents.push_back(p);
            p->children.push_back(&node);
        }
    }
}

std::vector<MiniMiner::Node*> MiniMiner::AncestorsOf(const std::vector<Node*>& roots)
{
    const uint64_t walk = ++m_walk;
    std::vector<Node*> out;
    for (Node* r : roots) {
        if (r->mined || r->mark == walk) continue;
        r->mark = walk;
        out.push_back(r);
    }
    for (size_t i = 0; i < out.size(); ++i) {
        for (Node* p : out[i]->parents) {
            if (p->mined || p->mark == walk) continue;
            p->mark = walk;
            out.push_back(p);
        }
    }
    return out;
}

void MiniMiner::BuildMockTemplate(std::optional<FeeRate> target)
{
    // A candidate's place: the lower of its own and its ancestor set's rate (Core's
    // AncestorFeerateComparator: std::min in FeeFrac order), the better first, then the smaller txid.
    struct Key {
        Amount fee;
        int64_t size{0};
        Node* node{nullptr};
    };
    struct Order {
        bool operator()(const Key& a, const Key& b) const
        {
            const int c = CompareFeeFrac(a.fee, a.size, b.fee, b.size);
            if (c != 0) return c > 0;
            return a.node->entry.tx->GetTxid() < b.node->entry.tx->GetTxid();
        }
    };
    auto key_of = [](Node& n) {
        const MiniMinerEntry& e = n.entry;
        if (CompareFeeFrac(e.fee, e.vsize, e.fees_with_ancestors, e.vsize_with_ancestors) < 0) {
            return Key{e.fee, e.vsize, &n};
        }
        return Key{e.fees_with_ancestors, e.vsize_with_ancestors, &n};
    };
    std::set<Key, Order> queue;
    for (auto& [txid, node] : m_nodes) {
        if (!node.mined) queue.insert(key_of(node));
    }
    uint32_t round = 0;
    while (!queue.empty()) {
        Node& best = *queue.begin()->node;
        // Everything from here on pays less than the target: it is what needs bumping.
        if (target && best.entry.fees_with_ancestors < target->GetFee(best.entry.vsize_with_ancestors)) break;
        const std::vector<Node*> package = AncestorsOf({&best});
        const uint64_t walk = m_walk; // marks the package
        // The package leaves; its descendants outside it lose ancestors, so their keys change.
        std::vector<Node*> touched;
        for (Node* a : package) {
            for (Node* d : a->descendants) {
                if (d->mark == walk) continue;
                d->mark = walk;
                touched.push_back(d);
            }
        }
        for (Node* a : package) queue.erase(key_of(*a));
        for (Node* d : touched) queue.erase(key_of(*d));
        for (Node* a : package) {
            if (!target) m_inclusion_order.emplace(a->entry.tx->GetTxid(), round);
            for (Node* d : a->descendants) {
                d->entry.fees_with_ancestors -= a->entry.fee;
                d->entry.vsize_with_ancestors -= a->entry.vsize;
            }
        }
        for (Node* a : package) a->mined = true;
        for (Node* d : touched) queue.insert(key_of(*d));
        ++round;
    }
    // The copy is spent: another target would need a fresh one.
    m_ready = false;
}

std::optional<std::map<OutPoint, Amount>> MiniMiner::CalculateBumpFees(const FeeRate& target)
{
    if (!m_ready) return std::nullopt;
    BuildMockTemplate(target);
    for (const auto& [txid, ops] : m_requested) {
        Amount bump{0};
        const Node& n = m_nodes.at(txid);
        if (!n.mined) {
            // Both the ancestor set and the transaction alone must reach the target: a child may
            // be left out for its own low rate although its ancestors would pay (Core's example).
            bump = std::max(target.GetFee(n.entry.vsize_with_ancestors) - n.entry.fees_with_ancestors,
                            target.GetFee(n.entry.vsize) - n.entry.fee);
        }
        for (const OutPoint& op : ops) m_bump_fees.emplace(op, bump);
    }
    return m_bump_fees;
}

std::optional<Amount> MiniMiner::CalculateTotalBumpFees(const FeeRate& target)
{
    if (!m_ready) return std::nullopt;
    BuildMockTemplate(target);
    std::vector<Node*> roots;
    Amount fees{0};
    int64_t vsize = 0;
    for (const auto& [txid, ops] : m_requested) {
        Node& n = m_nodes.at(txid);
        if (!n.mined) roots.push_back(&n);
    }
    // Shared ancestors are paid for once: that is what the total saves over the sum of the bump fees.
    for (const Node* n : AncestorsOf(roots)) {
        fees += n->entry.fee;
        vsize += n->entry.vsize;
    }
    return target.GetFee(vsize) - fees;
}

std::map<Uint256, uint32_t> MiniMiner::Linearize()
{
    if (!m_ready) return {};
    BuildMockTemplate(std::nullopt);
    return m_inclusion_order;
}

std::optional<std::vector<OutpointBumpFee>>
IndividualBumpFees(const TxMemPool& pool, const std::vector<OutPoint>& outpoints, const FeeRate& target)
{
    std::vector<OutpointBumpFee> out(outpoints.size());
    std::vector<size_t> linked; // outpoints of transactions with a parent or child in the pool
    // Of the lone transactions short of the target, the one of the best score: in one template
    // with the linked ones it would be the first to stop it, so it joins them (the others, of
    // lower scores, would come after it).
    std::optional<size_t> lone_stop;
    pool.Read([&](PoolReader& reader) {
        // Core's CalculateDescendantMaximum: the most descendants of any of its topmost ancestors.
        auto descendant_maximum = [&](const Entry* entry) {
            int64_t maximum = 0;
            std::vector<const Entry*> todo{entry};
            std::unordered_set<Uint256> counted;
            while (!todo.empty()) {
                const Entry* e = todo.back();
                todo.pop_back();
                if (!counted.insert(e->Txid()).second) continue;
                if (e->parents.empty()) maximum = std::max(maximum, e->count_with_descendants);
                for (const Uint256& parent : e->parents) {
                    if (const Entry* p = reader.Find(parent)) todo.push_back(p);
                }
            }
            return maximum;
        };
        const Entry* stop = nullptr;
        for (size_t i = 0; i < outpoints.size(); ++i) {
            const Entry* e = reader.Find(outpoints[i].hash);
            if (!e) continue; // confirmed, or unknown: nothing to bump
            out[i].ancestor_count = e->count_with_ancestors;
            out[i].descendant_count = e->parents.empty() ? e->count_with_descendants : descendant_maximum(e);
            if (!e->parents.empty() || !e->children.empty()) {
                linked.push_back(i);
                continue;
            }
            // Alone in its cluster (and so unspent): its score is its own rate, and it enters the
            // template exactly when it pays the target itself: fee >= GetFee(vsize), the fee
            // rounded up, which for a whole fee is 1000 * fee >= rate * vsize (no division).
            const __int128 paid = static_cast<__int128>(e->ModifiedFee().sats) * 1000;
            if (paid >= static_cast<__int128>(target.SatsPerKvB().sats) * e->vsize) continue;
            out[i].bump_fee = target.GetFee(e->vsize) - e->ModifiedFee();
            const int c = stop ? CompareFeeFrac(e->ModifiedFee(), e->vsize, stop->ModifiedFee(), stop->vsize) : 1;
            if (c > 0 || (c == 0 && e->Txid() < stop->Txid())) {
                stop = e;
                lone_stop = i;
            }
        }
    });
    if (linked.empty()) return out;
    std::vector<OutPoint> rest;
    rest.reserve(linked.size() + 1);
    for (size_t i : linked) rest.push_back(outpoints[i]);
    if (lone_stop) rest.push_back(outpoints[*lone_stop]);
    const auto mined = MiniMiner(pool, rest).CalculateBumpFees(target);
    if (!mined) return std::nullopt;
    for (size_t k = 0; k < linked.size(); ++k) out[linked[k]].bump_fee = mined->at(rest[k]);
    return out;
}

} // namespace node::mempool
