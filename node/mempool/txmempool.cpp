// TxMemPool: entries by txid with their in-pool links and Core's ancestor/descendant
// aggregates, a spender index, an entry-time index and a descendant-score index for trimming.
// Everything lives in Impl behind the pool's lock; the public methods take it and call in.
#include "node/mempool/txmempool.h"

#include "consensus/coins.h"
#include "node/mempool/feerate.h"
#include "node/storage/coins_cache.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/node_hash_map.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <stdexcept>
#include <unordered_set>

namespace node::mempool {

using consensus::Amount;
using consensus::OutPoint;
using consensus::TransactionRef;
using consensus::Uint256;

const char* RemovalReasonName(RemovalReason reason)
{
    switch (reason) {
    case RemovalReason::EXPIRY: return "expiry";
    case RemovalReason::SIZELIMIT: return "sizelimit";
    case RemovalReason::REORG: return "reorg";
    case RemovalReason::BLOCK: return "block";
    case RemovalReason::CONFLICT: return "conflict";
    case RemovalReason::REPLACED: return "replaced";
    }
    return "unknown";
}

namespace {

/** Core's ROLLING_FEE_HALFLIFE: the rolling minimum fee halves in 12 hours. */
constexpr double ROLLING_FEE_HALFLIFE = 60 * 60 * 12;

/** Descendant score (Core's CompareTxMemPoolEntryByDescendantScore): the better of the own and the package's rate. */
struct DescKey {
    Amount fee;
    int64_t size{0};
    int64_t time{0};
    Uint256 txid;
};

bool DescLess(const DescKey& a, const DescKey& b)
{
    const __int128 l = static_cast<__int128>(a.fee.sats) * b.size;
    const __int128 r = static_cast<__int128>(b.fee.sats) * a.size;
    if (l != r) return l < r;
    if (a.time != b.time) return a.time > b.time; // of equal score, the newer goes first
    return a.txid < b.txid;
}

struct DescCmp {
    bool operator()(const DescKey& a, const DescKey& b) const { return DescLess(a, b); }
};

DescKey DescKeyOf(const Entry& e)
{
    // The own rate or the package's, whichever is higher (cross-multiplied).
    const __int128 own = static_cast<__int128>(e.ModifiedFee().sats) * e.size_with_descendants;
    const __int128 pkg = static_cast<__int128>(e.fees_with_descendants.sats) * e.vsize;
    if (pkg > own) return DescKey{e.fees_with_descendants, e.size_with_descendants, e.time, e.Txid()};
    return DescKey{e.ModifiedFee(), e.vsize, e.time, e.Txid()};
}

/** Ancestor score (Core's CompareTxMemPoolEntryByAncestorFee): the lower of the own and the package's rate. */
struct AncKey {
    Amount fee;
    int64_t size{0};
    Uint256 txid;
};

struct AncCmp {
    /** a before b: the better score first, then the smaller txid. */
    bool operator()(const AncKey& a, const AncKey& b) const
    {
        const __int128 l = static_cast<__int128>(a.fee.sats) * b.size;
        const __int128 r = static_cast<__int128>(b.fee.sats) * a.size;
        if (l != r) return l > r;
        return a.txid < b.txid;
    }
};

AncKey AncKeyOf(const Entry& e)
{
    const __int128 own_vs_pkg = static_cast<__int128>(e.ModifiedFee().sats) * e.size_with_ancestors;
    const __int128 pkg_vs_own = static_cast<__int128>(e.fees_with_ancestors.sats) * e.vsize;
    if (own_vs_pkg > pkg_vs_own) return AncKey{e.fees_with_ancestors, e.size_with_ancestors, e.Txid()};
    return AncKey{e.ModifiedFee(), e.vsize, e.Txid()};
}

using TimeIndex = std::set<std::pair<int64_t, Uint256>>;
using DescIndex = std::set<DescKey, DescCmp>;
using AncIndex = std::set<AncKey, AncCmp>;

/**
 * An entry with its nodes in the three ordered indexes, so removing or re-scoring it erases by
 * position instead of searching each tree (Core's multi_index does the same).
 */
struct Slot : Entry {
    explicit Slot(Entry&& e) : Entry(std::move(e)) {}
    TimeIndex::iterator time_it;
    DescIndex::iterator desc_it;
    AncIndex::iterator anc_it;
};

/**
 * The entries by txid. A node map: an entry's address stays valid while others come and go
 * (the indexes and readers keep them), and a lookup reads a control byte group and the entry,
 * not a bucket's chain (a send asks about each of the wallet's unconfirmed coins).
 */
using EntryMap = absl::node_hash_map<Uint256, Slot, node::SaltedTxidHasher>;
/** The spender of each outpoint a pool transaction spends: a flat map (plain values, no node
 *  to allocate or free: a block's transactions leave with all their inputs). */
using SpenderMap = absl::flat_hash_map<OutPoint, Uint256, node::SaltedOutPointHasher>;

/**
 * Core's memusage::MallocUsage on 64-bit glibc: an allocation of n bytes takes n plus an 8-byte
 * header, rounded up to 16, and at least 32.
 */
size_t MallocUsage(size_t n) { return n == 0 ? 0 : ((n + 31) >> 4) << 4; }

/**
 * A Swiss table's slots over its elements: it doubles at 7/8 full (then 7/16) and never
 * shrinks after erasures, so about 3/2 (2/3 full) is counted, not the 8/7 of a full table.
 */
constexpr size_t SlotsPerElement(size_t bytes) { return bytes * 3 / 2; }

/** Node map (absl::node_hash_map) element: the value's own allocation, its slot pointer and
 *  control byte. */
template <class V>
size_t NodeMapUsage()
{
    return MallocUsage(sizeof(V)) + SlotsPerElement(sizeof(void*) + 1);
}

/** Flat map (absl::flat_hash_map) element: the value in the table and its control byte. */
template <class V>
size_t FlatMapUsage()
{
    return SlotsPerElement(sizeof(V) + 1);
}

/** Ordered-set node: the red-black header (colour, parent, left, right) and the value. */
template <class V>
size_t TreeNodeUsage()
{
    return MallocUsage(4 * sizeof(void*) + sizeof(V));
}

/**
 * Heap bytes one entry costs, as Core's DynamicMemoryUsage counts them (every allocation with
 * malloc's overhead): the shared transaction with its vectors and scripts, the entry's node and
 * parent links, and its nodes in the wtxid, time, score and spender indexes. The children links
 * (which grow after entry) are not counted, as the other estimates in Core's cachedInnerUsage.
 */
size_t EntryUsage(const Entry& e)
{
    const consensus::Transaction& tx = *e.tx;
    size_t bytes = MallocUsage(sizeof(consensus::Transaction) + 16); // make_shared: object and control block
    bytes += MallocUsage(tx.vin.capacity() * sizeof(consensus::TxIn));
    for (const auto& in : tx.vin) {
        bytes += MallocUsage(in.script_sig.capacity());
        bytes += MallocUsage(in.witness.stack.capacity() * sizeof(std::vector<uint8_t>));
        for (const auto& item : in.witness.stack) bytes += MallocUsage(item.capacity());
    }
    bytes += MallocUsage(tx.vout.capacity() * sizeof(consensus::TxOut));
    for (const auto& out : tx.vout) bytes += MallocUsage(out.script_pubkey.capacity());
    bytes += NodeMapUsage<std::pair<const Uint256, Slot>>() + MallocUsage(e.parents.capacity() * sizeof(Uint256));
    bytes += FlatMapUsage<std::pair<const Uint256, Uint256>>();                  // by_wtxid
    bytes += TreeNodeUsage<std::pair<int64_t, Uint256>>();                       // by_time
    bytes += TreeNodeUsage<DescKey>() + TreeNodeUsage<AncKey>();                 // the two score indexes
    bytes += tx.vin.size() * FlatMapUsage<std::pair<const OutPoint, Uint256>>(); // spenders
    return bytes;
}

} // namespace

struct TxMemPool::Impl {
    EntryMap entries;
    absl::flat_hash_map<Uint256, Uint256, node::SaltedTxidHasher> by_wtxid; // wtxid -> txid
    SpenderMap spenders;
    TimeIndex by_time;
    DescIndex by_desc_score;
    AncIndex by_anc_score;
    std::unordered_set<Uint256> unbroadcast; // txids; each also in entries (erased with every confirmed one)
    std::map<Uint256, Amount> deltas;
    uint64_t sequence{1};
    int64_t total_vsize{0};
    Amount total_fee;
    size_t usage{0};
    double rolling_min_fee{0}; // sat/kvB
    int64_t last_rolling_update{0};
    bool block_since_bump{false};
    std::vector<std::pair<TransactionRef, RemovalReason>> removed; // for the listener, outside the lock

    Slot* Find(const Uint256& txid)
    {
        auto it = entries.find(txid);
        return it == entries.end() ? nullptr : &it->second;
    }
    const Entry* Find(const Uint256& txid) const
    {
        auto it = entries.find(txid);
        return it == entries.end() ? nullptr : &it->second;
    }

    /** Changes s's aggregates through f, moving its nodes in the score indexes (re-keyed, not reallocated). */
    template <class F>
    void Update(Slot& s, F&& f)
    {
        auto desc = by_desc_score.extract(s.desc_it);
        auto anc = by_anc_score.extract(s.anc_it);
        f(static_cast<Entry&>(s));
        desc.value() = DescKeyOf(s);
        anc.value() = AncKeyOf(s);
        s.desc_it = by_desc_score.insert(std::move(desc)).position;
        s.anc_it = by_anc_score.insert(std::move(anc)).position;
    }

    /** Every in-pool ancestor (direction parents) or descendant (children) of txid, not itself. */
    std::vector<Uint256> Walk(const Uint256& txid, bool up) const
    {
        std::vector<Uint256> out;
        // Most entries have no relatives in the pool (every confirmed one of a typical block):
        // nothing to walk, nothing to allocate.
        if (const Entry* e = Find(txid); !e || (up ? e->parents : e->children).empty()) return out;
        std::unordered_set<Uint256> seen{txid};
        std::vector<Uint256> stack{txid};
        while (!stack.empty()) {
            const Entry* e = Find(stack.back());
            stack.pop_back();
            if (!e) continue;
            for (const Uint256& n : up ? e->parents : e->children) {
                if (seen.insert(n).second) {
                    out.push_back(n);
                    stack.push_back(n);
                }
            }
        }
        return out;
    }

    std::vector<Uint256> InPoolParents(const consensus::Transaction& tx) const
    {
        std::vector<Uint256> parents;
        for (const auto& in : tx.vin) {
            if (entries.count(in.prevout.hash) &&
                std::find(parents.begin(), parents.end(), in.prevout.hash) == parents.end()) {
                parents.push_back(in.prevout.hash);
            }
        }
        return parents;
    }

    /** Removes the set (Core's RemoveStaged): survivors' aggregates and links updated first. */
    void RemoveSet(const std::vector<Uint256>& txids, RemovalReason reason)
    {
        // One transaction (a confirmed one, usually) needs no set to say what else goes.
        std::unordered_set<Uint256> gone_set;
        if (txids.size() > 1) gone_set.insert(txids.begin(), txids.end());
        const auto gone = [&](const Uint256& h) { return txids.size() > 1 ? gone_set.count(h) > 0 : h == txids[0]; };
        for (const Uint256& h : txids) {
            const Entry* x = Find(h);
            if (!x) continue;
            const int64_t vsize = x->vsize, sigops = x->sigop_cost;
            const Amount fee = x->ModifiedFee();
            for (const Uint256& a : Walk(h, true)) {
                if (gone(a)) continue;
                Update(entries.at(a), [&](Entry& e) {
                    e.count_with_descendants -= 1;
                    e.size_with_descendants -= vsize;
                    e.fees_with_descendants -= fee;
                });
            }
            for (const Uint256& d : Walk(h, false)) {
                if (gone(d)) continue;
                Update(entries.at(d), [&](Entry& e) {
                    e.count_with_ancestors -= 1;
                    e.size_with_ancestors -= vsize;
                    e.fees_with_ancestors -= fee;
                    e.sigops_with_ancestors -= sigops;
                });
            }
        }
        for (const Uint256& h : txids) {
            auto it = entries.find(h);
            if (it == entries.end()) continue;
            Slot& x = it->second;
            for (const Uint256& p : x.parents) {
                if (Entry* pe = Find(p); pe && !gone(p)) std::erase(pe->children, h);
            }
            for (const Uint256& c : x.children) {
                if (Entry* ce = Find(c); ce && !gone(c)) std::erase(ce->parents, h);
            }
            for (const auto& in : x.tx->vin) spenders.erase(in.prevout);
            by_wtxid.erase(x.tx->GetWtxid());
            by_time.erase(x.time_it);
            by_desc_score.erase(x.desc_it);
            by_anc_score.erase(x.anc_it);
            unbroadcast.erase(h);
            total_vsize -= x.vsize;
            total_fee -= x.fee;
            usage -= EntryUsage(x);
            removed.emplace_back(x.tx, reason);
            entries.erase(it);
            ++sequence;
        }
    }

    std::vector<Uint256> WithDescendants(const std::vector<Uint256>& roots) const
    {
        std::vector<Uint256> out;
        std::unordered_set<Uint256> seen;
        for (const Uint256& r : roots) {
            if (!entries.count(r) || !seen.insert(r).second) continue;
            out.push_back(r);
            for (const Uint256& d : Walk(r, false)) {
                if (seen.insert(d).second) out.push_back(d);
            }
        }
        return out;
    }
};

TxMemPool::TxMemPool(Options options) : m_opts(std::move(options)), m_impl(std::make_unique<Impl>()) {}
TxMemPool::~TxMemPool() = default;

int64_t TxMemPool::Now() const
{
    if (m_opts.now_seconds) return m_opts.now_seconds();
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void TxMemPool::Notify(std::vector<std::pair<TransactionRef, RemovalReason>> removed) const
{
    if (!m_listener) return;
    for (const auto& [tx, reason] : removed) m_listener(tx, reason);
}

size_t TxMemPool::Size() const
{
    util::SharedLock lock(m_mutex);
    return m_impl->entries.size();
}

int64_t TxMemPool::TotalTxSize() const
{
    util::SharedLock lock(m_mutex);
    return m_impl->total_vsize;
}

Amount TxMemPool::TotalFee() const
{
    util::SharedLock lock(m_mutex);
    return m_impl->total_fee;
}

size_t TxMemPool::DynamicMemoryUsage() const
{
    util::SharedLock lock(m_mutex);
    return m_impl->usage;
}

bool TxMemPool::Exists(const Uint256& txid) const
{
    util::SharedLock lock(m_mutex);
    return m_impl->entries.count(txid) > 0;
}

bool TxMemPool::ExistsWtxid(const Uint256& wtxid) const
{
    util::SharedLock lock(m_mutex);
    return m_impl->by_wtxid.count(wtxid) > 0;
}

TransactionRef TxMemPool::Get(const Uint256& txid) const
{
    util::SharedLock lock(m_mutex);
    const Entry* e = m_impl->Find(txid);
    return e ? e->tx : nullptr;
}

TransactionRef TxMemPool::GetByWtxid(const Uint256& wtxid) const
{
    util::SharedLock lock(m_mutex);
    auto it = m_impl->by_wtxid.find(wtxid);
    if (it == m_impl->by_wtxid.end()) return nullptr;
    return m_impl->entries.at(it->second).tx;
}

std::optional<Entry> TxMemPool::GetEntry(const Uint256& txid) const
{
    util::SharedLock lock(m_mutex);
    const Entry* e = m_impl->Find(txid);
    if (!e) return std::nullopt;
    return *e;
}

TransactionRef TxMemPool::GetSpender(const OutPoint& outpoint) const
{
    util::SharedLock lock(m_mutex);
    auto it = m_impl->spenders.find(outpoint);
    if (it == m_impl->spenders.end()) return nullptr;
    return m_impl->entries.at(it->second).tx;
}

namespace {
/** a's own-or-ancestor score (the lower of the two rates, Core's) beats b's. */
bool AncestorScoreBetter(const Entry& a, const Entry& b) { return AncCmp{}(AncKeyOf(a), AncKeyOf(b)); }
} // namespace

std::vector<Entry> TxMemPool::GetAllSorted() const
{
    util::SharedLock lock(m_mutex);
    std::vector<Entry> out;
    out.reserve(m_impl->entries.size());
    for (const auto& [h, e] : m_impl->entries) out.push_back(e);
    std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
        if (a.count_with_ancestors != b.count_with_ancestors) return a.count_with_ancestors < b.count_with_ancestors;
        return AncestorScoreBetter(a, b);
    });
    return out;
}

std::vector<Uint256> TxMemPool::GetAncestors(const Uint256& txid) const
{
    util::SharedLock lock(m_mutex);
    return m_impl->Walk(txid, true);
}

std::vector<Uint256> TxMemPool::GetDescendants(const Uint256& txid) const
{
    util::SharedLock lock(m_mutex);
    return m_impl->Walk(txid, false);
}

std::vector<Entry> TxMemPool::GetByAncestorScore() const
{
    util::SharedLock lock(m_mutex);
    std::vector<Entry> out;
    out.reserve(m_impl->entries.size());
    for (const AncKey& k : m_impl->by_anc_score) out.push_back(m_impl->entries.at(k.txid));
    return out;
}

namespace {
class Reader final : public PoolReader {
public:
    Reader(const EntryMap& entries, const AncIndex& by_anc, const SpenderMap& spenders)
        : m_entries(entries), m_by_anc(by_anc), m_spenders(spenders), m_next(by_anc.begin())
    {}
    const Entry* Find(const Uint256& txid) const override
    {
        auto it = m_entries.find(txid);
        return it == m_entries.end() ? nullptr : &it->second;
    }
    const Entry* NextByAncestorScore() override
    {
        if (m_next == m_by_anc.end()) return nullptr;
        return &m_entries.at((m_next++)->txid);
    }
    const Entry* FindSpender(const OutPoint& outpoint) const override
    {
        auto it = m_spenders.find(outpoint);
        return it == m_spenders.end() ? nullptr : Find(it->second);
    }

private:
    const EntryMap& m_entries;
    const AncIndex& m_by_anc;
    const SpenderMap& m_spenders;
    AncIndex::const_iterator m_next;
};
} // namespace

void TxMemPool::Read(const std::function<void(PoolReader&)>& f) const
{
    util::SharedLock lock(m_mutex);
    Reader reader(m_impl->entries, m_impl->by_anc_score, m_impl->spenders);
    f(reader);
}

Amount TxMemPool::GetMinFee()
{
    util::ExclusiveLock lock(m_mutex);
    Impl& d = *m_impl;
    if (!d.block_since_bump || d.rolling_min_fee == 0) return Amount{std::llround(d.rolling_min_fee)};
    const int64_t now = Now();
    if (now > d.last_rolling_update + 10) {
        double halflife = ROLLING_FEE_HALFLIFE;
        const auto limit = static_cast<size_t>(m_opts.max_size_bytes);
        if (d.usage < limit / 4) {
            halflife /= 4;
        } else if (d.usage < limit / 2) {
            halflife /= 2;
        }
        d.rolling_min_fee /= std::pow(2.0, static_cast<double>(now - d.last_rolling_update) / halflife);
        d.last_rolling_update = now;
        if (d.rolling_min_fee < static_cast<double>(m_opts.incremental_relay_feerate.sats) / 2) {
            d.rolling_min_fee = 0;
            return Amount{0};
        }
    }
    return std::max(Amount{std::llround(d.rolling_min_fee)}, m_opts.incremental_relay_feerate);
}

uint64_t TxMemPool::GetSequence() const
{
    util::SharedLock lock(m_mutex);
    return m_impl->sequence;
}

void TxMemPool::AddUnbroadcast(const Uint256& txid)
{
    util::ExclusiveLock lock(m_mutex);
    if (m_impl->entries.count(txid)) m_impl->unbroadcast.insert(txid);
}

void TxMemPool::RemoveUnbroadcast(const Uint256& txid)
{
    util::ExclusiveLock lock(m_mutex);
    m_impl->unbroadcast.erase(txid);
}

bool TxMemPool::IsUnbroadcast(const Uint256& txid) const
{
    util::SharedLock lock(m_mutex);
    return m_impl->unbroadcast.count(txid) > 0;
}

size_t TxMemPool::UnbroadcastCount() const
{
    util::SharedLock lock(m_mutex);
    return m_impl->unbroadcast.size();
}

std::set<Uint256> TxMemPool::GetUnbroadcast() const
{
    util::SharedLock lock(m_mutex);
    return {m_impl->unbroadcast.begin(), m_impl->unbroadcast.end()};
}

void TxMemPool::ForEachTx(const std::function<void(const TransactionRef&)>& visit) const
{
    util::SharedLock lock(m_mutex);
    for (const auto& [h, e] : m_impl->entries) visit(e.tx);
}

std::optional<std::vector<Uint256>> TxMemPool::CalculateAncestors(const consensus::Transaction& tx, int64_t vsize,
                                                                  const Limits& limits, std::string& error) const
{
    util::SharedLock lock(m_mutex);
    const Impl& d = *m_impl;
    std::vector<Uint256> staged = d.InPoolParents(tx);
    if (static_cast<int64_t>(staged.size()) >= limits.ancestor_count) {
        error = "too many unconfirmed parents [limit: " + std::to_string(limits.ancestor_count) + "]";
        return std::nullopt;
    }
    std::unordered_set<Uint256> ancestors;
    std::unordered_set<Uint256> queued(staged.begin(), staged.end());
    int64_t total_size = vsize;
    while (!staged.empty()) {
        const Uint256 h = staged.back();
        staged.pop_back();
        const Entry& e = d.entries.at(h);
        ancestors.insert(h);
        total_size += e.vsize;
        if (e.size_with_descendants + vsize > limits.descendant_size_vbytes) {
            error = "exceeds descendant size limit for tx " + h.GetHex() +
                    " [limit: " + std::to_string(limits.descendant_size_vbytes) + "]";
            return std::nullopt;
        }
        if (e.count_with_descendants + 1 > limits.descendant_count) {
            error = "too many descendants for tx " + h.GetHex() +
                    " [limit: " + std::to_string(limits.descendant_count) + "]";
            return std::nullopt;
        }
        if (total_size > limits.ancestor_size_vbytes) {
            error = "exceeds ancestor size limit [limit: " + std::to_string(limits.ancestor_size_vbytes) + "]";
            return std::nullopt;
        }
        for (const Uint256& p : e.parents) {
            if (queued.insert(p).second) staged.push_back(p);
        }
        if (static_cast<int64_t>(staged.size() + ancestors.size()) + 1 > limits.ancestor_count) {
            error = "too many unconfirmed ancestors [limit: " + std::to_string(limits.ancestor_count) + "]";
            return std::nullopt;
        }
    }
    return std::vector<Uint256>(ancestors.begin(), ancestors.end());
}

void TxMemPool::AddUnchecked(const NewEntry& n)
{
    util::ExclusiveLock lock(m_mutex);
    Impl& d = *m_impl;
    const Uint256& txid = n.tx->GetTxid();
    if (d.entries.count(txid)) throw std::logic_error("AddUnchecked: " + txid.GetHex() + " is already in the pool");
    Entry e;
    e.tx = n.tx;
    e.fee = n.fee;
    if (auto it = d.deltas.find(txid); it != d.deltas.end()) e.fee_delta = it->second;
    e.vsize = n.vsize;
    e.weight = n.weight;
    e.sigop_cost = n.sigop_cost;
    e.time = n.time;
    e.entry_height = n.entry_height;
    e.spends_coinbase = n.spends_coinbase;
    e.sequence = d.sequence;
    e.parents = d.InPoolParents(*n.tx);
    // Ancestors from the parents' links (the new entry has none yet).
    std::unordered_set<Uint256> ancestors;
    for (const Uint256& p : e.parents) {
        ancestors.insert(p);
        for (const Uint256& a : d.Walk(p, true)) ancestors.insert(a);
    }
    e.count_with_ancestors = 1 + static_cast<int64_t>(ancestors.size());
    e.size_with_ancestors = e.vsize;
    e.fees_with_ancestors = e.ModifiedFee();
    e.sigops_with_ancestors = e.sigop_cost;
    e.count_with_descendants = 1;
    e.size_with_descendants = e.vsize;
    e.fees_with_descendants = e.ModifiedFee();
    for (const Uint256& a : ancestors) {
        Slot& ae = d.entries.at(a);
        e.size_with_ancestors += ae.vsize;
        e.fees_with_ancestors += ae.ModifiedFee();
        e.sigops_with_ancestors += ae.sigop_cost;
        d.Update(ae, [&](Entry& x) {
            x.count_with_descendants += 1;
            x.size_with_descendants += e.vsize;
            x.fees_with_descendants += e.ModifiedFee();
        });
    }
    for (const Uint256& p : e.parents) d.entries.at(p).children.push_back(txid);
    for (const auto& in : n.tx->vin) d.spenders[in.prevout] = txid;
    d.by_wtxid[n.tx->GetWtxid()] = txid;
    d.total_vsize += e.vsize;
    d.total_fee += e.fee;
    d.usage += EntryUsage(e);
    ++d.sequence;
    // The index nodes first: the entry never exists without them.
    Slot s(std::move(e));
    s.time_it = d.by_time.insert({s.time, txid}).first;
    s.desc_it = d.by_desc_score.insert(DescKeyOf(s)).first;
    s.anc_it = d.by_anc_score.insert(AncKeyOf(s)).first;
    d.entries.emplace(txid, std::move(s));
}

void TxMemPool::RemoveRecursive(const Uint256& txid, RemovalReason reason)
{
    std::vector<std::pair<TransactionRef, RemovalReason>> removed;
    {
        util::ExclusiveLock lock(m_mutex);
        Impl& d = *m_impl;
        std::vector<Uint256> roots{txid};
        if (!d.entries.count(txid)) {
            // Not in the pool (e.g. confirmed, or refused on a reorg): what spends its outputs goes.
            roots.clear();
            for (const auto& [out, spender] : d.spenders) {
                if (out.hash == txid) roots.push_back(spender);
            }
        }
        d.RemoveSet(d.WithDescendants(roots), reason);
        removed.swap(d.removed);
    }
    Notify(std::move(removed));
}

void TxMemPool::RemoveForBlock(const std::vector<TransactionRef>& block_txs)
{
    std::vector<std::pair<TransactionRef, RemovalReason>> removed;
    {
        util::ExclusiveLock lock(m_mutex);
        Impl& d = *m_impl;
        d.removed.reserve(block_txs.size());
        for (const TransactionRef& tx : block_txs) {
            const Uint256& txid = tx->GetTxid();
            // Confirmed: it leaves alone (its children stay, now with one ancestor fewer).
            if (d.entries.count(txid)) d.RemoveSet({txid}, RemovalReason::BLOCK);
            // Whatever else spends what it spends conflicts with the block.
            for (const auto& in : tx->vin) {
                auto it = d.spenders.find(in.prevout);
                if (it != d.spenders.end() && it->second != txid) {
                    d.RemoveSet(d.WithDescendants({it->second}), RemovalReason::CONFLICT);
                }
            }
            d.deltas.erase(txid);
        }
        d.last_rolling_update = Now();
        d.block_since_bump = true;
        removed.swap(d.removed);
    }
    Notify(std::move(removed));
}

void TxMemPool::RemoveForReorg(const std::function<bool(const Entry&)>& still_valid)
{
    // The predicate reads the pool (and the chain): it runs on copies, without the lock. Only
    // this writer changes the pool, so the copies stay current until the removal.
    std::vector<Uint256> bad;
    for (const Entry& e : GetAllSorted()) {
        if (!still_valid(e)) bad.push_back(e.Txid());
    }
    std::vector<std::pair<TransactionRef, RemovalReason>> removed;
    {
        util::ExclusiveLock lock(m_mutex);
        Impl& d = *m_impl;
        d.RemoveSet(d.WithDescendants(bad), RemovalReason::REORG);
        removed.swap(d.removed);
    }
    Notify(std::move(removed));
}

size_t TxMemPool::Expire()
{
    std::vector<std::pair<TransactionRef, RemovalReason>> removed;
    {
        util::ExclusiveLock lock(m_mutex);
        Impl& d = *m_impl;
        const int64_t cutoff = Now() - m_opts.expiry_seconds;
        std::vector<Uint256> old;
        for (auto it = d.by_time.begin(); it != d.by_time.end() && it->first < cutoff; ++it) old.push_back(it->second);
        d.RemoveSet(d.WithDescendants(old), RemovalReason::EXPIRY);
        removed.swap(d.removed);
    }
    const size_t n = removed.size();
    Notify(std::move(removed));
    return n;
}

void TxMemPool::TrimToSize(size_t limit, std::vector<OutPoint>* no_spends_remaining)
{
    std::vector<std::pair<TransactionRef, RemovalReason>> removed;
    {
        util::ExclusiveLock lock(m_mutex);
        Impl& d = *m_impl;
        while (!d.entries.empty() && d.usage > limit) {
            const DescKey worst = *d.by_desc_score.begin();
            const Entry& e = d.entries.at(worst.txid);
            // The rate that got evicted, plus the increment: what a newcomer must beat.
            const FeeRate evicted(e.fees_with_descendants, e.size_with_descendants);
            const double bumped =
                static_cast<double>(evicted.SatsPerKvB().sats + m_opts.incremental_relay_feerate.sats);
            if (bumped > d.rolling_min_fee) {
                d.rolling_min_fee = bumped;
                d.block_since_bump = false;
            }
            const std::vector<Uint256> stage = d.WithDescendants({worst.txid});
            std::vector<TransactionRef> txs;
            for (const Uint256& h : stage) txs.push_back(d.entries.at(h).tx);
            d.RemoveSet(stage, RemovalReason::SIZELIMIT);
            if (no_spends_remaining) {
                for (const TransactionRef& tx : txs) {
                    for (const auto& in : tx->vin) {
                        if (!d.entries.count(in.prevout.hash)) no_spends_remaining->push_back(in.prevout);
                    }
                }
            }
        }
        removed.swap(d.removed);
    }
    Notify(std::move(removed));
}

void TxMemPool::PrioritiseTransaction(const Uint256& txid, Amount delta)
{
    util::ExclusiveLock lock(m_mutex);
    Impl& d = *m_impl;
    Amount& total = d.deltas[txid];
    total += delta;
    if (Slot* e = d.Find(txid)) {
        d.Update(*e, [&](Entry& x) {
            x.fee_delta += delta;
            x.fees_with_ancestors += delta;
            x.fees_with_descendants += delta;
        });
        for (const Uint256& a : d.Walk(txid, true)) {
            d.Update(d.entries.at(a), [&](Entry& x) { x.fees_with_descendants += delta; });
        }
        for (const Uint256& c : d.Walk(txid, false)) {
            d.Update(d.entries.at(c), [&](Entry& x) { x.fees_with_ancestors += delta; });
        }
    }
    if (total.sats == 0) d.deltas.erase(txid);
}

Amount TxMemPool::GetFeeDelta(const Uint256& txid) const
{
    util::SharedLock lock(m_mutex);
    auto it = m_impl->deltas.find(txid);
    return it == m_impl->deltas.end() ? Amount{0} : it->second;
}

std::map<Uint256, Amount> TxMemPool::GetFeeDeltas() const
{
    util::SharedLock lock(m_mutex);
    return m_impl->deltas;
}

void TxMemPool::ClearPrioritisation(const Uint256& txid)
{
    Amount delta = GetFeeDelta(txid);
    if (delta.sats != 0) PrioritiseTransaction(txid, Amount{-delta.sats});
}

void TxMemPool::SetRemovalListener(RemovalListener listener) { m_listener = std::move(listener); }

void TxMemPool::Check() const
{
    util::SharedLock lock(m_mutex);
    const Impl& d = *m_impl;
    auto fail = [](const std::string& what) { throw std::logic_error("mempool check: " + what); };
    int64_t total_vsize = 0;
    size_t usage = 0;
    size_t spends = 0;
    for (const auto& [h, e] : d.entries) {
        total_vsize += e.vsize;
        usage += EntryUsage(e);
        const std::vector<Uint256> parents = d.InPoolParents(*e.tx);
        if (std::set<Uint256>(parents.begin(), parents.end()) !=
            std::set<Uint256>(e.parents.begin(), e.parents.end())) {
            fail("parents of " + h.GetHex());
        }
        for (const Uint256& p : e.parents) {
            const auto& ch = d.entries.at(p).children;
            if (std::find(ch.begin(), ch.end(), h) == ch.end()) fail("child link of " + p.GetHex());
        }
        const auto anc = d.Walk(h, true);
        int64_t size = e.vsize, sigops = e.sigop_cost;
        Amount fees = e.ModifiedFee();
        for (const Uint256& a : anc) {
            size += d.entries.at(a).vsize;
            fees += d.entries.at(a).ModifiedFee();
            sigops += d.entries.at(a).sigop_cost;
        }
        if (e.count_with_ancestors != 1 + static_cast<int64_t>(anc.size()) || e.size_with_ancestors != size ||
            e.fees_with_ancestors != fees || e.sigops_with_ancestors != sigops) {
            fail("ancestor aggregates of " + h.GetHex());
        }
        const auto desc = d.Walk(h, false);
        size = e.vsize;
        fees = e.ModifiedFee();
        for (const Uint256& c : desc) {
            size += d.entries.at(c).vsize;
            fees += d.entries.at(c).ModifiedFee();
        }
        if (e.count_with_descendants != 1 + static_cast<int64_t>(desc.size()) || e.size_with_descendants != size ||
            e.fees_with_descendants != fees) {
            fail("descendant aggregates of " + h.GetHex());
        }
        for (const auto& in : e.tx->vin) {
            auto it = d.spenders.find(in.prevout);
            if (it == d.spenders.end() || it->second != h) fail("spender of an input of " + h.GetHex());
            ++spends;
        }
        // Each entry's index nodes are its own and hold its current keys.
        const auto same_desc = [](const DescKey& a, const DescKey& b) { return !DescLess(a, b) && !DescLess(b, a); };
        const auto same_anc = [](const AncKey& a, const AncKey& b) { return !AncCmp{}(a, b) && !AncCmp{}(b, a); };
        if (!same_desc(*e.desc_it, DescKeyOf(e))) fail("score index of " + h.GetHex());
        if (!same_anc(*e.anc_it, AncKeyOf(e))) fail("ancestor score index of " + h.GetHex());
        if (*e.time_it != std::make_pair(e.time, h)) fail("time index of " + h.GetHex());
    }
    if (spends != d.spenders.size()) fail("spender index size");
    for (const Uint256& h : d.unbroadcast) {
        if (!d.entries.count(h)) fail("unbroadcast txid not in the pool: " + h.GetHex());
    }
    if (d.by_desc_score.size() != d.entries.size() || d.by_anc_score.size() != d.entries.size() ||
        d.by_time.size() != d.entries.size() || d.by_wtxid.size() != d.entries.size()) {
        fail("index sizes");
    }
    if (total_vsize != d.total_vsize) fail("total size");
    if (usage != d.usage) fail("usage");
}

} // namespace node::mempool
