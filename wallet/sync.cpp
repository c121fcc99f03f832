// The wallet following the chain (Core's CWallet::SyncTransaction and its callers): blocks
// connected and disconnected, transactions entering the mempool, and rescans.
#include "wallet/wallet.h"

#include "common/key_io.h"
#include "util/logging.h"

namespace wallet {

using common::interfaces::BlockRef;
using consensus::Uint256;

void Wallet::StoreTx(const WalletTx& wtx, WalletBatch& batch)
{
    batch.Put(KeyWithId(dbkeys::TX, wtx.tx->GetTxid()), EncodeWalletTx(wtx));
}

void Wallet::MarkUsed(const consensus::Transaction& tx, WalletBatch& batch)
{
    for (const auto& out : tx.vout) {
        auto it = m_scripts.find(out.script_pubkey);
        if (it == m_scripts.end()) continue;
        DescriptorSpkm& spkm = m_spkms.at(it->second.spkm);
        if (!spkm.MarkUsed(it->second.index)) continue;
        // The lookahead moves past the used index, so the next N addresses stay watched.
        std::string error;
        if (!TopUp(spkm, error)) util::LogPrintf("Wallet \"%s\": top-up failed: %s", m_name.c_str(), error.c_str());
        batch.Put(KeyWithId(dbkeys::DESCRIPTOR, spkm.Id()), EncodeDescriptor(spkm.Data()));
    }
}

void Wallet::MarkSpentFrom(const consensus::Transaction& tx, WalletBatch& batch)
{
    if (!(m_flags & WALLET_FLAG_AVOID_REUSE)) return;
    for (const auto& in : tx.vin) {
        auto prev = m_txs.find(in.prevout.hash);
        if (prev == m_txs.end() || in.prevout.n >= prev->second.tx->vout.size()) continue;
        const consensus::Script& script = prev->second.tx->vout[in.prevout.n].script_pubkey;
        // Core's SetSpentKeyState: an address of ours (a script without one is never "used").
        if (m_used.contains(script) || !IsMineLocked(script) || !common::EncodeAddress(script, Params())) continue;
        m_used.insert(script);
        batch.Put(std::string(dbkeys::USED) + std::string(script.begin(), script.end()), "");
    }
}

bool Wallet::SyncTransaction(const consensus::TransactionRef& tx, const TxState& state, int64_t block_time,
                             WalletBatch& batch)
{
    const Uint256 txid = tx->GetTxid();
    auto it = m_txs.find(txid);
    if (it == m_txs.end()) {
        // Core's AddToWalletIfInvolvingMe: an output paying us or an input spending ours.
        bool involves = false;
        for (const auto& out : tx->vout) involves = involves || IsMineLocked(out.script_pubkey);
        for (const auto& in : tx->vin) {
            if (involves) break;
            auto prev = m_txs.find(in.prevout.hash);
            involves = prev != m_txs.end() && in.prevout.n < prev->second.tx->vout.size() &&
                       IsMineLocked(prev->second.tx->vout[in.prevout.n].script_pubkey);
        }
        if (!involves) return false;
        WalletTx wtx;
        wtx.tx = tx;
        wtx.state = state;
        wtx.time_received = Now();
        wtx.block_time = block_time;
        wtx.time_smart = state.kind == TxState::Kind::CONFIRMED ? block_time : wtx.time_received;
        AddSpends(*tx);
        it = m_txs.emplace(txid, std::move(wtx)).first;
        IndexNewTx(it->second);
    } else {
        WalletTx& wtx = it->second;
        // A mempool arrival says nothing new about a transaction the wallet already has.
        if (state.kind == TxState::Kind::INACTIVE && !state.abandoned) {
            if (wtx.state.kind != TxState::Kind::INACTIVE || !wtx.state.abandoned) return false;
        }
        // The witness the chain has is the one that counts.
        if (state.kind == TxState::Kind::CONFIRMED) wtx.tx = tx;
        wtx.state = state;
        wtx.block_time = block_time;
        // In a block now: the pool let it go without a notification (Core's BLOCK removals).
        if (state.kind == TxState::Kind::CONFIRMED) wtx.in_mempool = false;
        RefreshCoins(wtx);
    }
    MarkUsed(*tx, batch);
    MarkSpentFrom(*tx, batch);
    StoreTx(it->second, batch);
    return true;
}

void Wallet::UpdateConflicting(const consensus::Transaction& tx, const std::function<bool(WalletTx&)>& update)
{
    std::vector<Uint256> todo;
    for (const auto& in : tx.vin) {
        auto [b, e] = m_spends.equal_range(in.prevout);
        for (auto it = b; it != e; ++it) {
            if (it->second != tx.GetTxid()) todo.push_back(it->second);
        }
    }
    std::set<Uint256> done;
    while (!todo.empty()) {
        const Uint256 txid = todo.back();
        todo.pop_back();
        if (!done.insert(txid).second) continue;
        auto it = m_txs.find(txid);
        // As Core: descendants are visited only through a transaction that changed.
        if (it == m_txs.end() || !update(it->second)) continue;
        for (uint32_t n = 0; n < it->second.tx->vout.size(); ++n) {
            auto [b, e] = m_spends.equal_range(consensus::OutPoint{txid, n});
            for (auto s = b; s != e; ++s) todo.push_back(s->second);
        }
    }
}

void Wallet::MarkConflicts(const consensus::Transaction& tx, const BlockRef& ref, WalletBatch& batch)
{
    // Every wallet transaction spending an outpoint tx spends (but not tx itself), then their
    // descendants in the wallet, is conflicted by this block (Core's MarkConflicted).
    UpdateConflicting(tx, [&](WalletTx& wtx) REQUIRES(m_mutex) {
        if (wtx.state.kind == TxState::Kind::CONFIRMED) return false;
        // A deeper conflict stands (Core's MarkConflicted keeps the one with more confirmations).
        if (wtx.state.kind == TxState::Kind::BLOCK_CONFLICTED && wtx.state.block_height <= ref.height) return false;
        wtx.state = TxState{TxState::Kind::BLOCK_CONFLICTED, ref.hash, ref.height, 0, wtx.state.abandoned};
        StoreTx(wtx, batch);
        RefreshCoins(wtx);
        return true;
    });
}

void Wallet::UpdateMempoolConflicts(const consensus::Transaction& tx, bool conflicting)
{
    const Uint256& txid = tx.GetTxid();
    UpdateConflicting(tx, [&](WalletTx& wtx) REQUIRES(m_mutex) {
        auto& conflicts = wtx.mempool_conflicts;
        const bool changed = conflicting ? conflicts.insert(txid).second : conflicts.erase(txid) > 0;
        if (changed) {
            m_balance_cache.clear();
            RefreshCoins(wtx);
        }
        return changed;
    });
}

void Wallet::ProcessBlock(const consensus::Block& block, const BlockRef& ref, WalletBatch& batch)
{
    for (size_t i = 0; i < block.vtx.size(); ++i) {
        const TxState state{TxState::Kind::CONFIRMED, ref.hash, ref.height, static_cast<int32_t>(i), false};
        SyncTransaction(block.vtx[i], state, block.time, batch);
        if (!block.vtx[i]->IsCoinBase()) MarkConflicts(*block.vtx[i], ref, batch);
    }
}

void Wallet::BlockConnected(const consensus::Block& block, const BlockRef& ref)
{
    util::LockGuard lock(m_mutex);
    WalletBatch batch;
    ProcessBlock(block, ref, batch);
    // The pool lets a block's transactions go without a notification: as Core, what they
    // conflicted with in the pool is no longer a mempool conflict (a block conflict now).
    for (const auto& tx : block.vtx) UpdateMempoolConflicts(*tx, /*conflicting=*/false);
    SetLastBlock(SyncPoint{ref.hash, ref.height}, batch);
    std::string error;
    Commit(batch, error);
}

void Wallet::BlockDisconnected(const consensus::Block& block, const BlockRef& ref)
{
    util::LockGuard lock(m_mutex);
    WalletBatch batch;
    // Its transactions are unconfirmed again (Core: TxStateInactive until the mempool takes
    // them back: the pool's re-acceptances are notified after this, once the new tip is set),
    // and what it conflicted is no longer conflicted.
    for (const auto& tx : block.vtx) {
        auto it = m_txs.find(tx->GetTxid());
        if (it != m_txs.end() && it->second.state.kind == TxState::Kind::CONFIRMED &&
            it->second.state.block_hash == ref.hash) {
            it->second.state = TxState::Inactive(it->second.state.abandoned);
            it->second.in_mempool = false;
            StoreTx(it->second, batch);
            RefreshCoins(it->second);
        }
    }
    for (auto& [txid, wtx] : m_txs) {
        if (wtx.state.kind == TxState::Kind::BLOCK_CONFLICTED && wtx.state.block_hash == ref.hash) {
            wtx.state = TxState::Inactive(wtx.state.abandoned);
            wtx.in_mempool = false;
            StoreTx(wtx, batch);
            RefreshCoins(wtx);
        }
    }
    SetLastBlock(SyncPoint{block.prev_block, ref.height - 1}, batch);
    std::string error;
    Commit(batch, error);
}

void Wallet::TransactionAddedToMempool(const consensus::TransactionRef& tx)
{
    util::LockGuard lock(m_mutex);
    AddedToMempoolLocked(tx);
}

void Wallet::ReplayMempoolTransaction(const consensus::TransactionRef& tx)
{
    util::LockGuard lock(m_mutex);
    // The replay runs beside the notifications: a transaction that left the pool before this
    // question is skipped, and one that leaves after it is notified after it (the removal
    // needs this lock), so neither leaves the wallet's record of the pool stale.
    if (!Chain().IsInMempool(tx->GetTxid())) return;
    AddedToMempoolLocked(tx);
}

void Wallet::AddedToMempoolLocked(const consensus::TransactionRef& tx)
{
    WalletBatch batch;
    auto it = m_txs.find(tx->GetTxid());
    if (it != m_txs.end()) {
        m_balance_cache.clear(); // in the pool now: it (and what spends it) may be trusted
        it->second.in_mempool = true;
        // Back in the pool: no longer abandoned (Core un-abandons a transaction the pool takes).
        if (it->second.state.kind == TxState::Kind::INACTIVE && it->second.state.abandoned) {
            it->second.state.abandoned = false;
            StoreTx(it->second, batch);
            RefreshCoins(it->second);
        }
    } else if (SyncTransaction(tx, TxState{}, 0, batch)) {
        m_txs.at(tx->GetTxid()).in_mempool = true;
    }
    UpdateMempoolConflicts(*tx, /*conflicting=*/true);
    std::string error;
    Commit(batch, error);
}

void Wallet::TransactionRemovedFromMempool(const consensus::TransactionRef& tx)
{
    util::LockGuard lock(m_mutex);
    // Out of the pool unconfirmed: no longer trusted nor pending (Core's wallet sets it inactive).
    UpdateMempoolConflicts(*tx, /*conflicting=*/false);
    auto it = m_txs.find(tx->GetTxid());
    if (it == m_txs.end()) return;
    it->second.in_mempool = false;
    m_balance_cache.clear();
}

void Wallet::RefreshInMempool(const Uint256& txid)
{
    util::LockGuard lock(m_mutex);
    auto it = m_txs.find(txid);
    if (it == m_txs.end()) return;
    // Asked under the wallet's lock: a removal the pool makes after this answer reaches the
    // wallet as a notification after it, so the flag cannot be left stale.
    const bool in_pool = Chain().IsInMempool(txid);
    if (in_pool == it->second.in_mempool) return;
    it->second.in_mempool = in_pool;
    m_balance_cache.clear();
}

std::optional<int> Wallet::ScanBlocks(int start, std::optional<int> stop, std::string& error)
{
    common::interfaces::Chain& chain = Chain();
    int last = start - 1;
    for (int h = start;; ++h) {
        const auto tip = chain.GetTip();
        if (!tip || h > (stop ? std::min(*stop, tip->height) : tip->height)) break;
        const auto hash = chain.GetBlockHash(h);
        if (!hash) break; // the chain shrank under the scan: the notifications take over
        const auto block = chain.ReadBlock(*hash);
        if (!block) {
            error =
                "Error: block " + hash->GetHex() + " at height " + std::to_string(h) + " is not available (pruned?)";
            return std::nullopt;
        }
        util::LockGuard lock(m_mutex);
        // Disconnected since it was read: its BlockDisconnected may already have run, so
        // processing it now would confirm transactions in a stale block. The notifications
        // bring whatever replaced it.
        if (chain.GetActiveHeight(*hash) != h) break;
        WalletBatch batch;
        ProcessBlock(*block, BlockRef{*hash, h}, batch);
        // The scan moves the sync point only forward along the active chain.
        if (h > m_last_block.height || !chain.GetActiveHeight(m_last_block.hash))
            SetLastBlock(SyncPoint{*hash, h}, batch);
        if (!Commit(batch, error)) return std::nullopt;
        last = h;
    }
    return last;
}

bool Wallet::AddOwnTransaction(const consensus::TransactionRef& tx, std::map<std::string, std::string> meta,
                               std::string& error)
{
    util::LockGuard lock(m_mutex);
    const Uint256 txid = tx->GetTxid();
    WalletBatch batch;
    if (!m_txs.contains(txid)) {
        WalletTx wtx;
        wtx.tx = tx;
        wtx.time_received = Now();
        wtx.time_smart = wtx.time_received;
        wtx.meta = std::move(meta);
        AddSpends(*tx);
        MarkUsed(*tx, batch);
        MarkSpentFrom(*tx, batch);
        StoreTx(wtx, batch);
        IndexNewTx(m_txs.emplace(txid, std::move(wtx)).first->second);
    }
    return Commit(batch, error);
}

bool Wallet::AbandonTransaction(const Uint256& txid, std::string& error)
{
    util::LockGuard lock(m_mutex);
    auto it = m_txs.find(txid);
    if (it == m_txs.end()) {
        error = "Invalid or non-wallet transaction id";
        return false;
    }
    if (DepthLocked(it->second) != 0 || InMempool(it->second)) {
        error = "Transaction not eligible for abandonment";
        return false;
    }
    // The transaction and its wallet descendants give their inputs back (Core's AbandonTransaction).
    WalletBatch batch;
    std::vector<Uint256> todo{txid};
    std::set<Uint256> done;
    while (!todo.empty()) {
        const Uint256 id = todo.back();
        todo.pop_back();
        if (!done.insert(id).second) continue;
        auto w = m_txs.find(id);
        if (w == m_txs.end() || DepthLocked(w->second) != 0) continue;
        w->second.state.abandoned = true;
        StoreTx(w->second, batch);
        RefreshCoins(w->second);
        for (uint32_t n = 0; n < w->second.tx->vout.size(); ++n) {
            auto [b, e] = m_spends.equal_range(consensus::OutPoint{id, n});
            for (auto s = b; s != e; ++s) todo.push_back(s->second);
        }
    }
    return Commit(batch, error);
}

} // namespace wallet
