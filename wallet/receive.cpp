// What the wallet owns (Core's wallet/receive.cpp): depth and trust of its transactions,
// credits and debits, balances, and the unspent outputs it can spend.
#include "wallet/wallet.h"

#include "consensus/limits.h"

#include <algorithm>

namespace wallet {

using consensus::Amount;
using consensus::Uint256;

int Wallet::DepthLocked(const WalletTx& wtx) const { return DepthAt(wtx, m_last_block.height); }

int Wallet::DepthAt(const WalletTx& wtx, int tip)
{
    switch (wtx.state.kind) {
    case TxState::Kind::CONFIRMED: return std::max(0, tip - wtx.state.block_height + 1);
    case TxState::Kind::BLOCK_CONFLICTED: return -std::max(1, tip - wtx.state.block_height + 1);
    case TxState::Kind::INACTIVE: return 0;
    }
    return 0;
}

bool Wallet::InMempool(const WalletTx& wtx) const
{
    return wtx.state.kind == TxState::Kind::INACTIVE && wtx.in_mempool;
}

bool Wallet::IsImmatureCoinbase(const WalletTx& wtx) const
{
    if (!wtx.IsCoinBase()) return false;
    return DepthLocked(wtx) <= consensus::COINBASE_MATURITY;
}

bool Wallet::IsSpentLocked(const consensus::OutPoint& outpoint) const
{
    // Spent by a wallet transaction that is confirmed, in the mempool, or unconfirmed, not
    // abandoned and without a mempool conflict (Core's IsSpent: not abandoned, not block- or
    // mempool-conflicted).
    auto [b, e] = m_spends.equal_range(outpoint);
    for (auto it = b; it != e; ++it) {
        auto w = m_txs.find(it->second);
        if (w == m_txs.end()) continue;
        if (DepthLocked(w->second) >= 0 && !w->second.state.abandoned && w->second.mempool_conflicts.empty())
            return true;
    }
    return false;
}

void Wallet::RefreshCoin(const consensus::OutPoint& outpoint)
{
    auto it = m_txs.find(outpoint.hash);
    if (it != m_txs.end() && outpoint.n < it->second.tx->vout.size() &&
        IsMineLocked(it->second.tx->vout[outpoint.n].script_pubkey) && !IsSpentLocked(outpoint)) {
        const consensus::TxOut& out = it->second.tx->vout[outpoint.n];
        const auto script = m_scripts.find(out.script_pubkey);
        m_coins.insert_or_assign(
            outpoint, CoinRef{&it->second, out.value, script != m_scripts.end() ? script->second.input : std::nullopt});
    } else {
        m_coins.erase(outpoint);
    }
}

void Wallet::RefreshCoins(const WalletTx& wtx)
{
    const Uint256& txid = wtx.tx->GetTxid();
    for (uint32_t n = 0; n < wtx.tx->vout.size(); ++n) RefreshCoin(consensus::OutPoint{txid, n});
    if (wtx.tx->IsCoinBase()) return;
    for (const auto& in : wtx.tx->vin) RefreshCoin(in.prevout);
}

void Wallet::IndexNewTx(const WalletTx& wtx)
{
    const Uint256& txid = wtx.tx->GetTxid();
    for (uint32_t n = 0; n < wtx.tx->vout.size(); ++n) {
        const consensus::Script& script = wtx.tx->vout[n].script_pubkey;
        // An unspendable output (OP_RETURN) can never become ours.
        if (!script.IsUnspendable() && !IsMineLocked(script)) {
            m_foreign_outputs[script].push_back(consensus::OutPoint{txid, n});
        }
    }
    RefreshCoins(wtx);
}

bool Wallet::IsSpent(const consensus::OutPoint& outpoint) const
{
    util::LockGuard lock(m_mutex);
    return IsSpentLocked(outpoint);
}

bool Wallet::IsTrustedLocked(const WalletTx& wtx, Walk walk) const
{
    // Core's CachedTxIsTrusted: confirmed; or unconfirmed, in the mempool, ours, and spending
    // only trusted outputs of our own.
    const int depth = DepthLocked(wtx);
    if (depth >= 1) return true;
    if (depth < 0 || wtx.state.abandoned) return false;
    // -spendzeroconfchange=0: nothing unconfirmed is trusted, not even our own change.
    if (!m_env.fees.spend_zero_conf_change) return false;
    if (!InMempool(wtx)) return false;
    wtx.Enter(walk.id);
    using Trust = WalletTx::Trust;
    if (wtx.trust == Trust::YES || wtx.trust == Trust::NO) return wtx.trust == Trust::YES;
    // Untrusted while being judged: a cycle of parents (only a corrupt wallet file could hold
    // one) ends there instead of recursing forever.
    if (wtx.trust == Trust::JUDGING) return false;
    wtx.trust = Trust::JUDGING;
    // Every input spends an output of ours, worth more than 0 in all (Core's CachedTxIsFromMe;
    // kept once known, with the parents' records), and every parent is trusted.
    if (!wtx.inputs_ours) {
        Amount debit{0};
        absl::InlinedVector<const WalletTx*, 2> parents;
        for (const auto& in : wtx.tx->vin) {
            auto parent = m_txs.find(in.prevout.hash);
            const bool ours = parent != m_txs.end() && in.prevout.n < parent->second.tx->vout.size() &&
                              IsMineLocked(parent->second.tx->vout[in.prevout.n].script_pubkey);
            if (!ours) {
                wtx.trust = Trust::NO;
                return false;
            }
            debit += parent->second.tx->vout[in.prevout.n].value;
            parents.push_back(&parent->second);
        }
        if (debit <= Amount{0}) {
            wtx.trust = Trust::NO;
            return false;
        }
        wtx.parents = std::move(parents);
        wtx.inputs_ours = true;
    }
    const bool trusted =
        std::all_of(wtx.parents.begin(), wtx.parents.end(),
                    [&](const WalletTx* parent) REQUIRES(m_mutex) { return IsTrustedLocked(*parent, walk); });
    wtx.trust = trusted ? Trust::YES : Trust::NO;
    return trusted;
}

Amount Wallet::CreditLocked(const consensus::Transaction& tx) const
{
    Amount sum{0};
    for (const auto& out : tx.vout) {
        if (IsMineLocked(out.script_pubkey)) sum += out.value;
    }
    return sum;
}

Amount Wallet::DebitLocked(const consensus::Transaction& tx) const
{
    Amount sum{0};
    for (const auto& in : tx.vin) {
        auto prev = m_txs.find(in.prevout.hash);
        if (prev == m_txs.end() || in.prevout.n >= prev->second.tx->vout.size()) continue;
        const auto& out = prev->second.tx->vout[in.prevout.n];
        if (IsMineLocked(out.script_pubkey)) sum += out.value;
    }
    return sum;
}

Balances Wallet::GetBalances(int min_depth) const
{
    // Enough for getbalance's usual minconf values; an RPC client sending many others cannot
    // grow the cache without bound.
    constexpr size_t MAX_CACHED_BALANCES = 8;
    util::LockGuard lock(m_mutex);
    if (auto it = m_balance_cache.find(min_depth); it != m_balance_cache.end()) return it->second;
    const Balances b = ComputeBalances(min_depth);
    if (m_balance_cache.size() >= MAX_CACHED_BALANCES) m_balance_cache.clear();
    m_balance_cache.emplace(min_depth, b);
    return b;
}

Balances Wallet::ComputeBalances(int min_depth) const
{
    Balances b;
    b.at = m_last_block; // under the same lock as the totals (a commit drops the cached ones)
    const Walk walk = NewWalk();
    // Core counts used addresses apart only while the wallet has the avoid_reuse flag.
    const bool reuse_tracked = (m_flags & WALLET_FLAG_AVOID_REUSE) != 0;
    for (const auto& [txid, wtx] : m_txs) {
        const bool trusted = IsTrustedLocked(wtx, walk);
        const int depth = DepthLocked(wtx);
        Amount available{0}, used{0};
        for (uint32_t n = 0; n < wtx.tx->vout.size(); ++n) {
            const auto& out = wtx.tx->vout[n];
            if (!IsMineLocked(out.script_pubkey) || IsSpentLocked(consensus::OutPoint{txid, n})) continue;
            available += out.value;
            if (reuse_tracked && m_used.contains(out.script_pubkey)) used += out.value;
        }
        if (IsImmatureCoinbase(wtx)) {
            if (depth >= 1) b.immature += available;
            continue;
        }
        if (trusted && depth >= min_depth) {
            b.trusted += available;
            b.used_trusted += used;
        }
        if (!trusted && depth == 0 && InMempool(wtx)) {
            b.untrusted_pending += available;
            b.used_untrusted_pending += used;
        }
    }
    return b;
}

std::vector<WalletCoin> Wallet::AvailableCoins(int min_depth, int max_depth, bool include_unsafe, bool include_locked,
                                               bool allow_used, bool with_scripts) const
{
    std::vector<WalletCoin> coins;
    VisitAvailableCoins(min_depth, max_depth, include_unsafe, include_locked, allow_used, with_scripts,
                        [&](size_t most, WalletCoin&& c) {
                            if (coins.empty()) coins.reserve(most);
                            coins.push_back(std::move(c));
                        });
    return coins;
}

size_t Wallet::VisitAvailableCoins(int min_depth, int max_depth, bool include_unsafe, bool include_locked,
                                   bool allow_used, bool with_scripts,
                                   const std::function<void(size_t most, WalletCoin&&)>& visit) const
{
    util::LockGuard lock(m_mutex);
    const bool reuse_tracked = (m_flags & WALLET_FLAG_AVOID_REUSE) != 0;
    const size_t most = m_coins.size();
    const Walk walk = NewWalk();
    // The transaction-level verdicts, once per transaction (Core's tx_safe_cache), found again
    // through the transaction's record (its slot in this walk).
    struct TxVerdict {
        bool take{false};
        bool safe{false};
        bool from_me{false};
        bool coinbase{false};
        int depth{0};
        int64_t time{0};
    };
    std::vector<TxVerdict> verdicts;
    verdicts.reserve(std::min(m_txs.size(), m_coins.size()));
    auto judge = [&](const WalletTx& wtx) REQUIRES(m_mutex) {
        TxVerdict v;
        if (IsImmatureCoinbase(wtx)) return v;
        v.depth = DepthLocked(wtx);
        if (v.depth < 0) return v;
        // Unconfirmed and not in the mempool: it may never confirm (Core skips it).
        if (v.depth == 0 && !InMempool(wtx)) return v;
        v.safe = IsTrustedLocked(wtx, walk);
        if (!v.safe && !include_unsafe) return v;
        if (v.depth < min_depth || v.depth > max_depth) return v;
        v.take = true;
        // Known to spend only our outputs, worth something, or unconfirmed and trusted, which says
        // the same (IsTrustedLocked).
        v.from_me = wtx.inputs_ours || (v.safe && v.depth == 0) || DebitLocked(*wtx.tx) > Amount{0};
        v.time = wtx.block_time ? wtx.block_time : wtx.time_received;
        v.coinbase = wtx.IsCoinBase();
        return v;
    };
    // The coins' records lie scattered through memory, a cache miss each: the record of the coin
    // COINS_AHEAD places on is asked for while this one is judged, so the misses overlap instead
    // of following one another.
    constexpr int COINS_AHEAD = 8;
    auto ahead = m_coins.begin();
    auto prefetch_next = [&]() REQUIRES(m_mutex) {
        if (ahead == m_coins.end()) return;
        __builtin_prefetch(&ahead->second.wtx->walk);
        ++ahead;
    };
    for (int i = 0; i < COINS_AHEAD; ++i) prefetch_next();
    for (const auto& [op, ref] : m_coins) {
        prefetch_next();
        const WalletTx* wtx = ref.wtx;
        wtx->Enter(walk.id);
        if (wtx->slot == UINT32_MAX) {
            const TxVerdict judged = judge(*wtx); // may enter the parents' records, not this slot
            wtx->slot = static_cast<uint32_t>(verdicts.size());
            verdicts.push_back(judged);
        }
        const TxVerdict& v = verdicts[wtx->slot];
        if (!v.take) continue;
        if (!include_locked && m_locked.contains(op)) continue;
        // The output itself is read only when needed: its script is another cache miss a coin.
        auto out = [wtx, n = op.n]() -> const consensus::TxOut& { return wtx->tx->vout[n]; };
        const bool reused = reuse_tracked && m_used.contains(out().script_pubkey);
        if (reused && !allow_used) continue;
        if (!ref.input) {
            // Measured since the coin arrived (CachedInputInfo)? Then keep it with the coin.
            if (const auto mine = m_scripts.find(out().script_pubkey); mine != m_scripts.end()) {
                ref.input = mine->second.input;
            }
        }
        // Built whole, not zeroed and then filled in: 10,000 of them a send.
        visit(most, WalletCoin{.outpoint = op,
                               .txout = with_scripts || !ref.input ? out() : consensus::TxOut{ref.value, {}},
                               .depth = v.depth,
                               .safe = v.safe,
                               .from_me = v.from_me,
                               .coinbase = v.coinbase,
                               .time = v.time,
                               .input = ref.input,
                               .reused = reused});
    }
    return most;
}

bool Wallet::LockCoin(const consensus::OutPoint& outpoint, bool persistent, std::string& error)
{
    util::LockGuard lock(m_mutex);
    m_locked.insert(outpoint);
    if (!persistent) return true;
    m_locked_persistent.insert(outpoint);
    WalletBatch batch;
    std::vector<uint8_t> key(dbkeys::LOCKED.begin(), dbkeys::LOCKED.end());
    consensus::ByteWriter w(key);
    outpoint.Serialize(w);
    batch.Put(std::string(key.begin(), key.end()), "");
    return Commit(batch, error);
}

bool Wallet::UnlockCoin(const consensus::OutPoint& outpoint, std::string& error)
{
    util::LockGuard lock(m_mutex);
    m_locked.erase(outpoint);
    if (m_locked_persistent.erase(outpoint) == 0) return true;
    WalletBatch batch;
    std::vector<uint8_t> key(dbkeys::LOCKED.begin(), dbkeys::LOCKED.end());
    consensus::ByteWriter w(key);
    outpoint.Serialize(w);
    batch.Erase(std::string(key.begin(), key.end()));
    return Commit(batch, error);
}

bool Wallet::UnlockAllCoins(std::string& error)
{
    std::vector<consensus::OutPoint> all = ListLockedCoins();
    for (const auto& op : all) {
        if (!UnlockCoin(op, error)) return false;
    }
    return true;
}

bool Wallet::IsLockedCoin(const consensus::OutPoint& outpoint) const
{
    util::LockGuard lock(m_mutex);
    return m_locked.contains(outpoint);
}

std::vector<consensus::OutPoint> Wallet::ListLockedCoins() const
{
    util::LockGuard lock(m_mutex);
    return {m_locked.begin(), m_locked.end()};
}

std::optional<WalletTx> Wallet::GetTx(const Uint256& txid) const
{
    util::LockGuard lock(m_mutex);
    auto it = m_txs.find(txid);
    if (it == m_txs.end()) return std::nullopt;
    return it->second;
}

size_t Wallet::TxCount() const
{
    util::LockGuard lock(m_mutex);
    return m_txs.size();
}

Wallet::TxsAt Wallet::TransactionsAt() const
{
    util::LockGuard lock(m_mutex);
    TxsAt out;
    out.txs.reserve(m_txs.size());
    for (const auto& [txid, wtx] : m_txs) out.txs.push_back(wtx);
    out.at = m_last_block;
    return out;
}

Wallet::TxsAt Wallet::GetTxAt(const Uint256& txid) const
{
    util::LockGuard lock(m_mutex);
    TxsAt out;
    if (auto it = m_txs.find(txid); it != m_txs.end()) out.txs.push_back(it->second);
    out.at = m_last_block;
    return out;
}

int Wallet::Depth(const WalletTx& wtx) const
{
    util::LockGuard lock(m_mutex);
    return DepthLocked(wtx);
}

bool Wallet::IsTrusted(const Uint256& txid) const
{
    util::LockGuard lock(m_mutex);
    auto it = m_txs.find(txid);
    return it != m_txs.end() && IsTrustedLocked(it->second, NewWalk());
}

Amount Wallet::Credit(const consensus::Transaction& tx) const
{
    util::LockGuard lock(m_mutex);
    return CreditLocked(tx);
}

Amount Wallet::Debit(const consensus::Transaction& tx) const
{
    util::LockGuard lock(m_mutex);
    return DebitLocked(tx);
}

std::optional<consensus::TxOut> Wallet::GetOwnedOutput(const consensus::OutPoint& outpoint) const
{
    util::LockGuard lock(m_mutex);
    auto it = m_txs.find(outpoint.hash);
    if (it == m_txs.end() || outpoint.n >= it->second.tx->vout.size()) return std::nullopt;
    const auto& out = it->second.tx->vout[outpoint.n];
    if (!IsMineLocked(out.script_pubkey)) return std::nullopt;
    return out;
}

std::vector<Uint256> Wallet::Conflicts(const consensus::Transaction& tx) const
{
    util::LockGuard lock(m_mutex);
    std::set<Uint256> out;
    for (const auto& in : tx.vin) {
        auto [b, e] = m_spends.equal_range(in.prevout);
        for (auto it = b; it != e; ++it) {
            if (it->second != tx.GetTxid()) out.insert(it->second);
        }
    }
    return {out.begin(), out.end()};
}

} // namespace wallet
