// Connect and disconnect: applying a block to the UTXO set (every contextual rule:
// BIP-30, BIP-68 sequence locks, coinbase maturity, fees and subsidy, sigop cost, and
// scripts checked in parallel) and undoing it with its undo data.
#include "node/chain/chainstate_impl.h"
#include "consensus/contextual_check.h"

#include "consensus/limits.h"
#include "consensus/tx_verify.h"

#include <cmath>
#include <deque>
#include <unordered_set>

namespace node::chain {

using consensus::ValidationResult;

namespace {

// Core's BIP34_IMPLIES_BIP30_LIMIT: the first height where a coinbase could repeat a
// pre-BIP-34 coinbase's txid, so BIP-30 checks resume there.
constexpr int BIP34_IMPLIES_BIP30_LIMIT = 1983702;

/** True if view has an unspent coin at out, without entering it into the cache (so with no lock). */
bool CoinExists(const CoinsViewCache& view, const consensus::OutPoint& out)
{
    if (const CoinsCacheEntry* e = view.PeekEntry(out)) return !e->coin.IsSpent();
    consensus::Coin coin;
    return view.ReadFromBase(out, coin) == ReadStatus::FOUND;
}

/**
 * A block being applied to a coins view in place. ConnectBlock looks up, spends and adds
 * coins through it as it walks the transactions; it logs each change, and if the block
 * fails a later check (or an exception unwinds), the destructor undoes the changes in
 * reverse order: added coins removed (and a coin an exception-block coinbase overwrote
 * put back), spent coins restored from the undo data. Restored coins may be left DIRTY
 * where they were clean before: the next flush rewrites the same value.
 *
 * Every change to the view (a coin read from disk entered, one transaction's spends, one
 * transaction's outputs, the rollback) holds `fence` (view_mutex) exclusively and no
 * disk read happens under it, so readers of a shared view are kept out only briefly; with
 * `before` (the main cache, ConnectTarget::MAIN_CACHE) each changed coin's previous state
 * is recorded there for them, until CommitLocked or the rollback clears it.
 */
class BlockApplication {
public:
    /** check_bip30: AddOutputs refuses outputs that exist before the block (see there). */
    BlockApplication(CoinsViewCache& view, size_t expected_changes, bool check_bip30, util::SharedMutex& fence,
                     CoinsBefore* before)
        : m_view(view), m_check_bip30(check_bip30), m_fence(fence), m_before(before)
    {
        m_log.reserve(expected_changes);
        if (m_before) m_before->reserve(expected_changes);
    }
    ~BlockApplication()
    {
        if (m_committed) return;
        util::ExclusiveLock lock(m_fence);
        Rollback();
        if (m_before) m_before->clear();
    }
    BlockApplication(const BlockApplication&) = delete;
    BlockApplication& operator=(const BlockApplication&) = delete;

    /**
     * The unspent coin at out, or nullptr; valid until this application spends it or ends.
     * Only entering a coin read from disk into the view takes the fence: readers may share
     * the view with this thread's lookups, and the read itself holds no lock.
     */
    const consensus::Coin* Access(const consensus::OutPoint& out)
    {
        if (const CoinsCacheEntry* e = m_view.PeekEntry(out)) return e->coin.IsSpent() ? nullptr : &e->coin;
        consensus::Coin coin;
        if (m_view.ReadFromBase(out, coin) != ReadStatus::FOUND) return nullptr;
        util::ExclusiveLock lock(m_fence);
        return m_view.CacheFetched(out, std::move(coin));
    }

    /** Spends the coins tx's inputs spend into txundo's slots (sized to match; they must stay put until the end). */
    void SpendInputs(const consensus::Transaction& tx, TxUndo& txundo)
    {
        util::ExclusiveLock lock(m_fence);
        for (size_t j = 0; j < tx.vin.size(); ++j) {
            const consensus::OutPoint& out = tx.vin[j].prevout;
            consensus::Coin& undo_slot = txundo.prevouts[j];
            if (m_view.SpendCoin(out, &undo_slot)) {
                m_log.push_back({out, &undo_slot, -1});
                if (m_before) m_before->try_emplace(out, &undo_slot); // an earlier add's nullptr stays
            }
            if (m_check_bip30) m_spent_txids.insert(out.hash);
        }
    }

    /**
     * Adds tx's outputs at height, as CoinsViewCache::AddCoins with possible_overwrite
     * for a coinbase (a coinbase may repeat an earlier one's txid in the BIP-30
     * exception blocks; it replaces exactly the coins that exist).
     *
     * With check_bip30, false (and nothing of tx added) if one of tx's outputs existed
     * unspent before the block: it still exists now, or an earlier transaction of this
     * block spent it. Called after tx passed CheckTxInputs, this says exactly what Core's
     * BIP-30 pass before the walk says for tx: an output that exists now but not before
     * the block was created by an earlier transaction with the same txid, which is tx
     * itself again and fails CheckTxInputs (its inputs are spent); an output with tx's
     * txid spent earlier in the block existed before it, unless that same duplicate made it.
     */
    [[nodiscard]] bool AddOutputs(const consensus::Transaction& tx, uint32_t height)
    {
        const bool coinbase = tx.IsCoinBase();
        if (m_check_bip30) {
            if (m_spent_txids.count(tx.GetTxid())) return false;
            for (uint32_t o = 0; o < tx.vout.size(); ++o) {
                if (CoinExists(m_view, consensus::OutPoint(tx.GetTxid(), o))) return false;
            }
        }
        // A coinbase may overwrite coins (the BIP-30 exception blocks): looked up before the fence.
        std::vector<const consensus::Coin*> existing;
        if (coinbase) {
            for (uint32_t o = 0; o < tx.vout.size(); ++o)
                existing.push_back(Access(consensus::OutPoint(tx.GetTxid(), o)));
        }
        util::ExclusiveLock lock(m_fence);
        for (uint32_t o = 0; o < tx.vout.size(); ++o) {
            if (tx.vout[o].script_pubkey.IsUnspendable()) continue;
            const consensus::OutPoint out(tx.GetTxid(), o);
            int replaced = -1;
            if (coinbase) {
                if (const consensus::Coin* c = existing[o]) {
                    replaced = static_cast<int>(m_replaced.size());
                    m_replaced.push_back(*c);
                }
            }
            m_view.AddCoin(out, consensus::Coin(tx.vout[o], height, coinbase), replaced >= 0);
            m_log.push_back({out, nullptr, replaced});
            if (m_before) m_before->try_emplace(out, replaced >= 0 ? &m_replaced[replaced] : nullptr);
        }
        return true;
    }

    /** The changes are final. The caller holds the fence exclusively (readers see them from now on). */
    void CommitLocked()
    {
        if (m_before) m_before->clear();
        m_committed = true;
    }

private:
    struct Change {
        consensus::OutPoint out;
        consensus::Coin* spent; // a spend: where the coin went; nullptr for an add
        int replaced;           // an add over an existing coin: its index in m_replaced
    };

    void Rollback()
    {
        for (auto it = m_log.rbegin(); it != m_log.rend(); ++it) {
            if (it->spent) {
                m_view.AddCoin(it->out, std::move(*it->spent), false);
                continue;
            }
            m_view.SpendCoin(it->out);
            if (it->replaced >= 0) m_view.AddCoin(it->out, std::move(m_replaced[it->replaced]), true);
        }
    }

    CoinsViewCache& m_view;
    const bool m_check_bip30;
    util::SharedMutex& m_fence;
    CoinsBefore* const m_before;
    std::unordered_set<consensus::Uint256> m_spent_txids; // with check_bip30: txids of the coins spent so far
    std::vector<Change> m_log;
    std::deque<consensus::Coin> m_replaced; // a deque: `before` points into it
    bool m_committed{false};
};

/** Starts loading the cache slots tx's lookups will read (its inputs, its outputs). */
void PrefetchCoins(const CoinsViewCache& view, const consensus::Transaction& tx)
{
    if (!tx.IsCoinBase()) {
        for (const auto& in : tx.vin) view.Prefetch(in.prevout);
    }
    for (uint32_t o = 0; o < tx.vout.size(); ++o) view.Prefetch(consensus::OutPoint(tx.GetTxid(), o));
}

} // namespace

ValidationResult Chainstate::Impl::ConnectBlock(const consensus::Block& block, BlockIndex* index, CoinsViewCache& view,
                                                bool just_check, ConnectTarget target)
{
    const auto& cp = params->consensus;
    const consensus::Uint256 hash = block.GetHash();
    // The genesis block's coinbase is not spendable and adds nothing to the UTXO set.
    if (hash == cp.hash_genesis_block) {
        if (!just_check) {
            util::ExclusiveLock lock(view_mutex);
            view.SetBestBlock(hash);
            if (target == ConnectTarget::MAIN_CACHE) SetActiveTip(index);
        }
        return ValidationResult::Valid();
    }
    const int height = index->height;
    const BlockIndex* prev = index->prev;
    if (view.GetBestBlock() != prev->GetBlockHash()) {
        return ValidationResult::Error("coins view is not at the block's parent");
    }

    // BIP-30: no transaction may overwrite an unspent output, except in the two historical
    // blocks; after BIP-34 activated (on the chain with the BIP-34 block), unique coinbase
    // heights make the check unnecessary until BIP34_IMPLIES_BIP30_LIMIT.
    bool enforce_bip30 = !cp.IsBip30Exception(height, hash);
    if (const BlockIndex* bip34 = prev->GetAncestor(cp.bip34_height);
        bip34 && !cp.bip34_hash.IsNull() && bip34->GetBlockHash() == cp.bip34_hash) {
        enforce_bip30 = false;
    }
    const bool check_bip30 = enforce_bip30 || height >= BIP34_IMPLIES_BIP30_LIMIT;
    // BIP-30 is checked per transaction during the walk (AddOutputs), where its lookups
    // overlap the script checks. Core checks every transaction before the walk, so a block
    // that also breaks another rule earlier is rejected as bad-txns-BIP30: any failure
    // (after the view is back as it was) runs Core's pass to give the same reason.
    ValidationResult r = ApplyBlock(block, index, view, just_check, check_bip30, target);
    if (r.IsInvalid() && check_bip30) {
        const auto overwrites = [&] {
            for (const auto& tx : block.vtx) {
                for (uint32_t o = 0; o < tx->vout.size(); ++o) {
                    if (CoinExists(view, consensus::OutPoint(tx->GetTxid(), o))) return true;
                }
            }
            return false;
        };
        if (overwrites())
            r = ValidationResult::Invalid(consensus::BlockValidationResult::CONSENSUS, "bad-txns-BIP30",
                                          "tried to overwrite transaction");
    }
    // A coin that could not be read looked absent: whatever the walk concluded is no
    // verdict on the block (ApplyBlock has undone its changes, see there).
    if (r.IsInvalid() && view.ReadFailed()) return CoinsReadError(hash);
    return r;
}

ValidationResult Chainstate::Impl::CoinsReadError(const consensus::Uint256& hash)
{
    return ValidationResult::Error(
        StorageErrorMessage("Failed to read from the coins database while connecting block " + hash.GetHex(), false));
}

ValidationResult Chainstate::Impl::ApplyBlock(const consensus::Block& block, BlockIndex* index, CoinsViewCache& view,
                                              bool just_check, bool check_bip30, ConnectTarget target)
{
    const int height = index->height;
    const BlockIndex* prev = index->prev;
    const consensus::Uint256 hash = block.GetHash();
    const uint32_t flags = BlockScriptFlags(index);
    const bool enforce_bip68 = CsvActive(height);
    BlockUndo undo;
    undo.txundo.reserve(block.vtx.size() > 0 ? block.vtx.size() - 1 : 0);
    std::vector<consensus::PrecomputedTransactionData> txdata(block.vtx.size());
    size_t total_inputs = 0;
    for (const auto& tx : block.vtx) {
        if (!tx->IsCoinBase()) total_inputs += tx->vin.size();
    }
    // The view is changed in place; any return before Commit() undoes it. Declared
    // before the session so the workers are stopped before the rollback runs.
    size_t total_outputs = 0;
    for (const auto& tx : block.vtx) total_outputs += tx->vout.size();
    CoinsBefore* before = nullptr;
    if (target == ConnectTarget::MAIN_CACHE) {
        util::SharedLock lock(view_mutex); // the address only; BlockApplication locks for its changes
        before = &coins_before;
    }
    BlockApplication applied(view, total_inputs + total_outputs, check_bip30, view_mutex, before);
    // Declared after txdata, which its checks point into: an early return below cancels
    // and waits for the workers before txdata goes away.
    ScriptCheckPool::Session checks(*pool, total_inputs);
    consensus::Amount fees;
    int64_t sigop_cost = 0;
    std::vector<const consensus::Coin*> coins; // the coins the current transaction spends
    std::vector<int> prev_heights;

    if (!block.vtx.empty()) PrefetchCoins(view, *block.vtx[0]);
    for (size_t i = 0; i < block.vtx.size(); ++i) {
        const consensus::Transaction& tx = *block.vtx[i];
        // The next transaction's coin lookups wait less on memory if their slots start
        // loading now, while this one is walked.
        if (i + 1 < block.vtx.size()) PrefetchCoins(view, *block.vtx[i + 1]);
        coins.clear();
        if (!tx.IsCoinBase()) {
            // One lookup per input; the pointers stay valid until the coins are spent below.
            for (const auto& in : tx.vin) coins.push_back(applied.Access(in.prevout));
            consensus::Amount fee;
            if (auto r = consensus::CheckTxInputs(tx, coins, height, fee); !r.IsValid()) {
                return ValidationResult::Invalid(consensus::BlockValidationResult::CONSENSUS, r.GetRejectReason(),
                                                 r.GetDebugMessage() + " (tx " + tx.GetTxid().GetHex() + ")");
            }
            fees += fee;
            if (!consensus::MoneyRange(fees)) {
                return ValidationResult::Invalid(consensus::BlockValidationResult::CONSENSUS,
                                                 "bad-txns-accumulated-fee-outofrange",
                                                 "accumulated fee in the block out of range");
            }
            // BIP-68 relative lock-times.
            prev_heights.resize(tx.vin.size());
            for (size_t j = 0; j < tx.vin.size(); ++j) prev_heights[j] = static_cast<int>(coins[j]->height);
            const auto locks =
                consensus::CalculateSequenceLocks(tx, enforce_bip68, prev_heights, height, [index](int h) {
                    return index->GetAncestor(h)->GetMedianTimePast();
                });
            if (!consensus::EvaluateSequenceLocks(height, prev->GetMedianTimePast(), locks)) {
                return ValidationResult::Invalid(consensus::BlockValidationResult::CONSENSUS, "bad-txns-nonfinal",
                                                 "contains a non-BIP68-final transaction");
            }
        }
        // Sigop cost counts P2SH and witness sigops, so it needs the coins being spent.
        sigop_cost += consensus::GetTransactionSigOpCost(tx, coins, flags);
        if (sigop_cost > consensus::MAX_BLOCK_SIGOPS_COST) {
            return ValidationResult::Invalid(consensus::BlockValidationResult::CONSENSUS, "bad-blk-sigops",
                                             "too many sigops");
        }
        // A transaction whose scripts the mempool verified under these flags is not checked
        // again (Core's script execution cache).
        if (!tx.IsCoinBase() && !script_cache.Contains(tx.GetWtxid(), flags)) {
            std::vector<consensus::TxOut> spent;
            spent.reserve(tx.vin.size());
            for (const consensus::Coin* c : coins) spent.push_back(c->out);
            txdata[i].Init(tx, std::move(spent));
            for (unsigned j = 0; j < tx.vin.size(); ++j) {
                ScriptCheck c;
                c.tx = &tx;
                c.input = j;
                c.spent = &txdata[i].m_spent_outputs[j];
                c.flags = flags;
                c.txdata = &txdata[i];
                checks.Add(c);
            }
            checks.Release(); // the workers start on this transaction's inputs now
        }
        if (!tx.IsCoinBase()) {
            TxUndo& txundo = undo.txundo.emplace_back();
            txundo.prevouts.resize(tx.vin.size()); // sized once: the log points into it
            applied.SpendInputs(tx, txundo);
        }
        if (!applied.AddOutputs(tx, static_cast<uint32_t>(height))) {
            return ValidationResult::Invalid(consensus::BlockValidationResult::CONSENSUS, "bad-txns-BIP30",
                                             "tried to overwrite transaction");
        }
    }

    const consensus::Amount reward = fees + consensus::GetBlockSubsidy(height, params->consensus);
    if (block.vtx[0]->GetValueOut() > reward) {
        return ValidationResult::Invalid(
            consensus::BlockValidationResult::CONSENSUS, "bad-cb-amount",
            "coinbase pays too much (actual=" + std::to_string(block.vtx[0]->GetValueOut().sats) +
                " vs limit=" + std::to_string(reward.sats) + ")");
    }
    // The undo data is complete: write it while the workers still verify scripts. If
    // a script then fails, the record stays unreferenced in the rev file (nothing points
    // to it: undo_pos and BLOCK_HAVE_UNDO are set only for a valid block).
    std::optional<FlatFilePos> undo_pos;
    if (!just_check && !(index->status & BLOCK_HAVE_UNDO)) {
        undo_pos = blockman.WriteUndo(undo, index->data_pos.file, prev->GetBlockHash());
        if (!undo_pos) return ValidationResult::Error("failed to write undo data");
    }
    if (auto failed = checks.Join()) {
        const ScriptCheck& c = checks.Checks()[*failed];
        // Core 30+ names a block's script failure block-script-verify-flag-failed (older
        // releases said mandatory-script-verify-flag-failed for blocks and the mempool).
        return ValidationResult::Invalid(consensus::BlockValidationResult::CONSENSUS,
                                         "block-script-verify-flag-failed (" + consensus::ScriptErrorString(c.error) +
                                             ")",
                                         "input " + std::to_string(c.input) + " of tx " + c.tx->GetTxid().GetHex());
    }
    // A failed coins read is an error whatever the walk concluded (a BIP-30 lookup that
    // failed read as "absent"); returning here undoes the block's changes.
    if (view.ReadFailed()) return CoinsReadError(hash);
    if (just_check) {
        util::ExclusiveLock lock(view_mutex);
        applied.CommitLocked(); // the caller's throwaway view keeps the block's changes
        return ValidationResult::Valid();
    }

    if (undo_pos) {
        index->undo_pos = *undo_pos;
        index->status |= BLOCK_HAVE_UNDO;
    }
    index->RaiseValidity(BLOCK_VALID_SCRIPTS);
    blockman.MarkDirty(index);
    // The block's changes and (in the main cache) the new tip reach readers in one moment.
    util::ExclusiveLock lock(view_mutex);
    view.SetBestBlock(hash);
    if (target == ConnectTarget::MAIN_CACHE) SetActiveTip(index);
    applied.CommitLocked();
    return ValidationResult::Valid();
}

bool Chainstate::Impl::DisconnectBlock(const consensus::Block& block, const BlockIndex* index, CoinsViewCache& view,
                                       bool* clean_out)
{
    if (index->GetBlockHash() == params->consensus.hash_genesis_block || !index->prev) return false;
    auto undo = BlockReads().ReadUndo(index->undo_pos, index->prev->GetBlockHash());
    if (!undo) {
        CHAIN_LOG("DisconnectBlock: no undo data for %s\n", index->GetBlockHash().GetHex().c_str());
        return false;
    }
    if (undo->txundo.size() + 1 != block.vtx.size()) {
        CHAIN_LOG("DisconnectBlock: undo data does not match the block\n");
        return false;
    }
    bool clean = true;
    for (size_t i = block.vtx.size(); i-- > 0;) {
        const consensus::Transaction& tx = *block.vtx[i];
        // Remove the outputs this transaction created.
        for (uint32_t o = 0; o < tx.vout.size(); ++o) {
            if (tx.vout[o].script_pubkey.IsUnspendable()) continue;
            consensus::Coin coin;
            const bool was_unspent = view.SpendCoin(consensus::OutPoint(tx.GetTxid(), o), &coin);
            if (!was_unspent || tx.vout[o] != coin.out || coin.height != static_cast<uint32_t>(index->height) ||
                coin.coinbase != tx.IsCoinBase()) {
                clean = false; // e.g. a BIP-30 exception's overwritten coinbase
            }
        }
        if (i == 0) break;
        // Restore the coins its inputs spent.
        const TxUndo& txundo = undo->txundo[i - 1];
        if (txundo.prevouts.size() != tx.vin.size()) return false;
        for (size_t j = tx.vin.size(); j-- > 0;) {
            const consensus::OutPoint& out = tx.vin[j].prevout;
            if (view.HaveCoin(out)) clean = false;
            consensus::Coin c = txundo.prevouts[j];
            view.AddCoin(out, std::move(c), !clean);
        }
    }
    view.SetBestBlock(index->prev->GetBlockHash());
    if (clean_out) *clean_out = clean;
    if (!clean) CHAIN_LOG("DisconnectBlock: %s disconnected uncleanly\n", index->GetBlockHash().GetHex().c_str());
    return true;
}

ValidationResult Chainstate::Impl::ConnectTip(BlockIndex* index, std::shared_ptr<const consensus::Block> block)
{
    if (!block || block->GetHash() != index->GetBlockHash()) {
        auto read = ReadBlockLocked(index);
        if (!read) {
            const ValidationResult r = ValidationResult::Error(
                StorageErrorMessage("Failed to read block " + index->GetBlockHash().GetHex() + " from disk", true));
            AbortNode(r.GetRejectReason());
            return r;
        }
        block = std::make_shared<const consensus::Block>(std::move(*read));
    }
    // In place in the main cache, which readers share (ConnectTarget): they see the tip's
    // coins until the block is final, then its coins with it as the tip. A failed block's
    // changes are undone. Core connects in a child cache; here that would copy every
    // coin spent (about 4% of the connect time, docs/benchmarks.md).
    const auto start = std::chrono::steady_clock::now();
    ValidationResult r = ConnectBlock(*block, index, *coins, false, ConnectTarget::MAIN_CACHE);
    if (!r.IsValid()) {
        // Only a verdict on the block's data marks it; an error (a storage fault) stops the node.
        if (r.IsInvalid()) InvalidBlockFound(index, r);
        if (r.IsError()) AbortNode(r.GetRejectReason());
        return r;
    }
    const double connect_ms = util::MillisSince(start);
    LogUpdateTip();
    NotifyLocked({ChainEvent::Kind::CONNECTED, block, index, nullptr, false});
    util::LogDebug(util::LogCategory::BENCH, "  - Connect %zu transactions: %.2fms, notifications %.2fms\n",
                   block->vtx.size(), connect_ms, util::MillisSince(start) - connect_ms);
    return ValidationResult::Valid();
}

ValidationResult Chainstate::Impl::DisconnectTip()
{
    // Readers of the pool and then the chain wait until the tip event gives this block's
    // transactions back to the pool (ReorgSequence).
    BeginReorg();
    BlockIndex* tip = active.Tip();
    auto read = ReadBlockLocked(tip);
    const auto fail = [this](const std::string& what, bool block_index) {
        const std::string message = StorageErrorMessage(what, block_index);
        AbortNode(message);
        return ValidationResult::Error(message);
    };
    if (!read) return fail("Failed to read block " + tip->GetBlockHash().GetHex() + " from disk", true);
    auto block = std::make_shared<const consensus::Block>(std::move(*read));
    CoinsViewCache view(coins_tip.get());
    if (!DisconnectBlock(*block, tip, view)) {
        return fail("Failed to disconnect block " + tip->GetBlockHash().GetHex() + " (its undo data is unreadable)",
                    true);
    }
    if (view.ReadFailed()) {
        return fail("Failed to read from the coins database while disconnecting block " + tip->GetBlockHash().GetHex(),
                    false);
    }
    if (!CommitTip(view, tip->prev)) return ValidationResult::Error("failed to update the coins cache");
    LogUpdateTip();
    NotifyLocked({ChainEvent::Kind::DISCONNECTED, block, tip, nullptr, false});
    return ValidationResult::Valid();
}

bool Chainstate::Impl::CommitTip(CoinsViewCache& child, BlockIndex* new_tip)
{
    // One exclusive moment for both, so a reader never sees the coins of one tip with
    // another tip (gettxout reports the coin with its best block).
    util::ExclusiveLock view(view_mutex);
    if (!child.Flush()) return false;
    SetActiveTip(new_tip);
    return true;
}

void Chainstate::Impl::LogUpdateTip() const
{
    // Core logs this line for every block connected or disconnected, IBD and imports
    // included (its log rate limiter exempts this line): the same here.
    const BlockIndex* tip = active.Tip();
    if (!tip) return;
    CHAIN_LOG("UpdateTip: new best=%s height=%d version=0x%08x log2_work=%f tx=%llu date='%s' progress=%f "
              "cache=%.1fMiB(%zutxo)\n",
              tip->GetBlockHash().GetHex().c_str(), tip->height, static_cast<uint32_t>(tip->version),
              std::log(tip->chain_work.GetDouble()) / std::log(2.0), static_cast<unsigned long long>(tip->chain_tx),
              util::FormatIso8601(tip->GetBlockTime()).c_str(),
              chain::GuessVerificationProgress(params->chain_tx_data, tip, NowSeconds()),
              static_cast<double>(coins->DynamicMemoryUsage()) / (1 << 20), coins->CacheSize());
}

} // namespace node::chain
