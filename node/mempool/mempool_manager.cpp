#include "node/mempool/mempool_manager.h"

#include "consensus/limits.h"
#include "consensus/tx_verify.h"
#include "node/chain/validation_owner.h"
#include "node/mempool/persist.h"
#include "util/logging.h"

#include <algorithm>
#include <chrono>

namespace node::mempool {

using consensus::TransactionRef;

namespace {
/** Core's MAX_DISCONNECTED_TX_POOL_BYTES: what a deep reorganisation may hold for re-acceptance. */
constexpr size_t MAX_DISCONNECTED_TX_BYTES = 20'000'000;
} // namespace

MempoolManager::MempoolManager(chain::Chainstate& chain, chain::ValidationOwner* owner, TxMemPool::Options pool_options,
                               AcceptOptions accept_options)
    : m_chain(chain), m_owner(owner), m_pool(std::move(pool_options)),
      m_acceptor(chain, m_pool, std::move(accept_options))
{
    // A transaction that leaves unconfirmed counts as a failure for its fee rate, and the
    // chain's listeners (wallets) hear of it; a confirmed one is BlockConnected's business.
    m_pool.SetRemovalListener([this](const TransactionRef& tx, RemovalReason reason) {
        if (reason == RemovalReason::BLOCK) return;
        m_fees.RemoveTx(tx->GetTxid());
        m_chain.NotifyTransactionRemoved(tx);
    });
    m_chain.AddListener(this, chain::Delivery::SYNC);
}

void MempoolManager::TrackFee(const TransactionRef& tx, bool valid_for_estimate)
{
    auto e = m_pool.GetEntry(tx->GetTxid());
    if (!e) return;
    // As Core: only a transaction without pool parents, entering while the chain is current,
    // says how long its own fee rate takes to confirm.
    const bool valid = valid_for_estimate && e->parents.empty() && !m_chain.IsInitialBlockDownload();
    m_fees.ProcessTransaction(e->Txid(), FeePerKvB(e->fee, e->vsize), static_cast<unsigned>(e->entry_height), valid);
}

void MempoolManager::OnAccepted(const TransactionRef& tx)
{
    m_chain.NotifyTransactionAdded(tx);
    if (m_on_accepted) m_on_accepted(tx);
}

MempoolManager::~MempoolManager()
{
    if (m_preverifier) m_preverifier->Stop();
    m_chain.RemoveListener(this);
}

int64_t MempoolManager::Now() const
{
    const auto& clock = m_pool.GetOptions().now_seconds;
    if (clock) return clock();
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

AcceptResult MempoolManager::Accept(const TransactionRef& tx, bool test_accept, consensus::Amount max_fee)
{
    AcceptResult r = m_acceptor.Accept(tx, Now(), /*bypass_limits=*/false, test_accept, std::nullopt, max_fee);
    if (r.Valid() && !test_accept) {
        TrackFee(tx, /*valid_for_estimate=*/true);
        OnAccepted(tx);
    }
    return r;
}

PackageResult MempoolManager::AcceptPackage(const std::vector<TransactionRef>& txs, std::optional<FeeRate> max_feerate)
{
    PackageResult r = m_acceptor.AcceptPackage(txs, Now(), max_feerate);
    for (const auto& [wtxid, res] : r.results) {
        if (!res.Valid()) continue;
        for (const TransactionRef& tx : txs) {
            if (tx->GetWtxid() != wtxid) continue;
            // A package's fee rate is not its members' own (Core does not estimate from them).
            TrackFee(tx, /*valid_for_estimate=*/false);
            OnAccepted(tx);
        }
    }
    return r;
}

PackageResult MempoolManager::TestAcceptPackage(const std::vector<TransactionRef>& txs)
{
    return m_acceptor.TestAcceptPackage(txs, Now());
}

void MempoolManager::PostPackage(std::vector<TransactionRef> txs, std::function<void(const PackageResult&)> done)
{
    auto cancelled = [done] {
        PackageResult r;
        r.state = consensus::ValidationResult::Error("shutting down");
        done(r);
    };
    m_owner->Post([this, txs = std::move(txs)] { return AcceptPackage(txs); }, [done](PackageResult r) { done(r); },
                  std::move(cancelled));
}

void MempoolManager::EnablePreverify(int threads)
{
    m_preverifier =
        std::make_unique<ScriptPreverifier>(m_chain, m_pool, m_chain.GetScriptCache(), m_acceptor.Options(), threads);
}

void MempoolManager::FlushPreverify()
{
    if (m_preverifier) m_preverifier->Flush();
}

std::future<AcceptResult> MempoolManager::Submit(TransactionRef tx, bool test_accept, consensus::Amount max_fee)
{
    // The scripts on this (RPC) thread, so the owner only finds the verdict in the cache.
    if (m_preverifier) m_preverifier->CheckNow(*tx);
    return m_owner->Submit(
        [this, tx = std::move(tx), test_accept, max_fee] { return Accept(tx, test_accept, max_fee); });
}

void MempoolManager::PostAfterScripts(TransactionRef tx, std::function<void()> job, std::function<void()> on_cancel)
{
    auto post = [this, job = std::move(job), on_cancel = std::move(on_cancel)]() mutable {
        m_owner->Post(
            std::move(job), [] {}, std::move(on_cancel));
    };
    if (!m_preverifier) return post(); // no workers (tests): to the owner at once
    m_preverifier->Submit(std::move(tx), std::move(post));
}

void MempoolManager::Post(TransactionRef tx, std::function<void(const AcceptResult&)> done)
{
    // done runs once: on the owner after acceptance, or where the owner is stopped if it never ran.
    auto cancelled = [done] {
        AcceptResult r;
        r.state = consensus::ValidationResult::Error("shutting down");
        done(r);
    };
    // With the pre-verifier, the owner gets it after a worker checked its scripts, in order.
    PostAfterScripts(
        tx,
        [this, tx, done, cancelled] {
            AcceptResult r;
            try {
                r = Accept(tx, false);
            } catch (...) {
                return cancelled(); // as the owner's Post: a job that throws gets on_cancel
            }
            done(r);
        },
        cancelled);
}

void MempoolManager::BlockConnected(const std::shared_ptr<const consensus::Block>& block,
                                    const chain::BlockIndex* index)
{
    std::vector<consensus::Uint256> txids;
    txids.reserve(block->vtx.size());
    for (const TransactionRef& tx : block->vtx) txids.push_back(tx->GetTxid());
    m_fees.ProcessBlock(static_cast<unsigned>(index->height), txids);
    m_pool.RemoveForBlock(block->vtx);
    // A transaction of a disconnected block that is back in a block needs no re-acceptance.
    if (!m_disconnected.empty()) {
        std::vector<consensus::Uint256> mined;
        mined.reserve(block->vtx.size());
        for (const TransactionRef& tx : block->vtx) mined.push_back(tx->GetTxid());
        std::sort(mined.begin(), mined.end());
        std::erase_if(m_disconnected, [&](const TransactionRef& tx) {
            return std::binary_search(mined.begin(), mined.end(), tx->GetTxid());
        });
    }
}

void MempoolManager::BlockDisconnected(const std::shared_ptr<const consensus::Block>& block,
                                       const chain::BlockIndex* index)
{
    (void)index;
    // Blocks leave tip first: this block's transactions go before those already held, so the
    // list stays in chain order (parents first) for re-acceptance.
    std::vector<TransactionRef> txs;
    for (const TransactionRef& tx : block->vtx) {
        if (!tx->IsCoinBase()) txs.push_back(tx);
    }
    m_disconnected.insert(m_disconnected.begin(), txs.begin(), txs.end());
    size_t bytes = 0;
    for (const TransactionRef& tx : m_disconnected) bytes += tx->GetTotalSize();
    // Bounded as Core's: past the limit the transactions of the most recently disconnected
    // blocks (the end of the list) are given up.
    while (bytes > MAX_DISCONNECTED_TX_BYTES && !m_disconnected.empty()) {
        bytes -= m_disconnected.back()->GetTotalSize();
        m_disconnected.pop_back();
    }
}

void MempoolManager::UpdatedBlockTip(const chain::BlockIndex* new_tip, const chain::BlockIndex* fork,
                                     bool initial_download)
{
    (void)new_tip;
    (void)fork;
    (void)initial_download;
    if (!m_disconnected.empty()) UpdateForReorg();
}

void MempoolManager::UpdateForReorg()
{
    std::vector<TransactionRef> txs;
    txs.swap(m_disconnected);
    size_t added = 0;
    for (const TransactionRef& tx : txs) {
        // Core re-accepts with bypass_limits: the fee floors and trimming wait until all are back.
        AcceptResult r = m_acceptor.Accept(tx, Now(), /*bypass_limits=*/true, /*test_accept=*/false);
        if (r.Valid()) {
            ++added;
            TrackFee(tx, /*valid_for_estimate=*/false);
            OnAccepted(tx);
        } else if (r.kind == AcceptResult::Kind::INVALID) {
            // Whatever in the pool spends it cannot stay either.
            for (uint32_t n = 0; n < tx->vout.size(); ++n) {
                if (TransactionRef child = m_pool.GetSpender(consensus::OutPoint{tx->GetTxid(), n})) {
                    m_pool.RemoveRecursive(child->GetTxid(), RemovalReason::REORG);
                }
            }
        }
    }
    m_pool.RemoveForReorg([this](const Entry& e) { return StillValid(e); });
    m_pool.TrimToSize(static_cast<size_t>(m_pool.GetOptions().max_size_bytes));
    util::LogDebug(util::LogCategory::MEMPOOL, "Re-accepted %zu of %zu transactions of disconnected blocks\n", added,
                   txs.size());
}

bool MempoolManager::StillValid(const Entry& entry) const
{
    const consensus::Transaction& tx = *entry.tx;
    const chain::BlockIndex* tip = m_chain.Tip();
    const int next_height = tip->height + 1;
    if (!consensus::IsFinalTx(tx, next_height, tip->GetMedianTimePast())) return false;
    PoolCoinsView view(m_chain, m_pool);
    std::vector<int> prev_heights(tx.vin.size());
    for (size_t i = 0; i < tx.vin.size(); ++i) {
        auto coin = view.GetCoin(tx.vin[i].prevout);
        if (!coin) return false;
        if (coin->height == MEMPOOL_HEIGHT) {
            prev_heights[i] = next_height;
            continue;
        }
        prev_heights[i] = static_cast<int>(coin->height);
        if (coin->coinbase && next_height - static_cast<int>(coin->height) < consensus::COINBASE_MATURITY) {
            return false;
        }
    }
    const auto locks = consensus::CalculateSequenceLocks(tx, tx.version >= 2, prev_heights, next_height, [tip](int h) {
        return tip->GetAncestor(std::min(h, tip->height))->GetMedianTimePast();
    });
    return consensus::EvaluateSequenceLocks(next_height, tip->GetMedianTimePast(), locks);
}

bool MempoolManager::Load(const std::filesystem::path& path, std::string& error)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return true;
    auto file = LoadMempoolFile(path, error);
    if (!file) return false;
    for (const auto& [txid, delta] : file->deltas) m_pool.PrioritiseTransaction(txid, delta);
    const int64_t now = Now();
    const int64_t expiry = m_pool.GetOptions().expiry_seconds;
    size_t count = 0, failed = 0, expired = 0, already = 0;
    for (const auto& rec : file->txs) {
        if (rec.fee_delta.sats != 0 && !file->deltas.count(rec.tx->GetTxid())) {
            m_pool.PrioritiseTransaction(rec.tx->GetTxid(), rec.fee_delta);
        }
        if (rec.time < now - expiry) {
            ++expired;
            continue;
        }
        AcceptResult r = m_acceptor.Accept(rec.tx, rec.time, /*bypass_limits=*/false, /*test_accept=*/false);
        if (r.Valid()) {
            ++count;
            TrackFee(rec.tx, /*valid_for_estimate=*/false);
            OnAccepted(rec.tx);
        } else if (r.kind == AcceptResult::Kind::MEMPOOL_ENTRY) {
            ++already;
        } else {
            ++failed;
        }
    }
    // Ours that no peer had asked for yet stay so (Core's LoadMempool).
    for (const auto& txid : file->unbroadcast) m_pool.AddUnbroadcast(txid);
    util::LogPrintf("Imported mempool transactions from disk: %zu succeeded, %zu failed, %zu expired, %zu already "
                    "there, %zu waiting for initial broadcast\n",
                    count, failed, expired, already, file->unbroadcast.size());
    return true;
}

bool MempoolManager::Dump(const std::filesystem::path& path, std::string& error) const
{
    return DumpMempool(m_pool, path, error, m_pool.GetUnbroadcast());
}

} // namespace node::mempool
