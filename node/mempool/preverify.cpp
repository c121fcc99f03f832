#include "node/mempool/preverify.h"

#include "consensus/coins.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/script_error.h"
#include "consensus/tx_check.h"
#include "node/chain/chainstate.h"
#include "node/chain/script_cache.h"
#include "node/mempool/accept.h"
#include "node/mempool/policy.h"
#include "node/mempool/txmempool.h"

#include <algorithm>
#include <string>
#include <utility>

namespace node::mempool {

bool VerifyInputScripts(const consensus::Transaction& tx, const std::vector<consensus::TxOut>& spent, uint32_t flags,
                        consensus::ScriptError* err)
{
    consensus::PrecomputedTransactionData txdata;
    txdata.Init(tx, std::vector<consensus::TxOut>(spent));
    for (size_t i = 0; i < tx.vin.size(); ++i) {
        const consensus::TxOut& prev = spent[i];
        consensus::TransactionSignatureChecker checker(&tx, static_cast<unsigned>(i), prev.value, txdata,
                                                       consensus::MissingDataBehavior::ASSERT_FAIL);
        consensus::ScriptError e = consensus::ScriptError::OK;
        if (!consensus::VerifyScript(tx.vin[i].script_sig, prev.script_pubkey, &tx.vin[i].witness, flags, checker,
                                     &e)) {
            if (err) *err = e;
            return false;
        }
    }
    return true;
}

ScriptPreverifier::ScriptPreverifier(const chain::Chainstate& chain, const TxMemPool& pool, chain::ScriptCache& cache,
                                     AcceptOptions options, int threads, size_t max_queue)
    : m_chain(chain), m_pool(pool), m_cache(cache), m_opts(std::move(options)), m_max_queue(max_queue)
{
    for (int i = 0; i < std::max(1, threads); ++i) m_threads.emplace_back([this] { WorkerMain(); });
}

ScriptPreverifier::~ScriptPreverifier() { Stop(); }

void ScriptPreverifier::Submit(consensus::TransactionRef tx, std::function<void()> next)
{
    auto job = std::make_shared<Job>(Job{std::move(tx), std::move(next), false});
    util::UniqueLock lock(m_mutex);
    m_order.push_back(job);
    if (m_stopping || m_queued.size() >= m_max_queue) {
        // Handed on unverified, still in its place in the order.
        job->done = true;
        ++m_unverified;
        HandOn(lock);
        return;
    }
    m_queued.push_back(std::move(job));
    m_cv.notify_one();
}

void ScriptPreverifier::Flush()
{
    util::UniqueLock lock(m_mutex);
    m_idle_cv.wait(lock, [&]() REQUIRES(m_mutex) { return m_order.empty() && !m_handing_on; });
}

void ScriptPreverifier::Stop()
{
    {
        util::UniqueLock lock(m_mutex);
        if (m_stopping && m_threads.empty()) return;
        m_stopping = true;
        m_cv.notify_all();
    }
    for (auto& t : m_threads) t.join();
    m_threads.clear();
    util::UniqueLock lock(m_mutex);
    for (auto& job : m_queued) {
        job->done = true;
        ++m_unverified;
    }
    m_queued.clear();
    HandOn(lock);
}

uint64_t ScriptPreverifier::Verified() const
{
    util::LockGuard lock(m_mutex);
    return m_verified;
}

uint64_t ScriptPreverifier::Unverified() const
{
    util::LockGuard lock(m_mutex);
    return m_unverified;
}

void ScriptPreverifier::WorkerMain()
{
    util::UniqueLock lock(m_mutex);
    while (true) {
        m_cv.wait(lock, [&]() REQUIRES(m_mutex) { return m_stopping || !m_queued.empty(); });
        if (m_stopping) return;
        std::shared_ptr<Job> job = std::move(m_queued.front());
        m_queued.pop_front();
        lock.unlock();
        const bool ok = Check(*job->tx);
        lock.lock();
        job->done = true;
        ++(ok ? m_verified : m_unverified);
        HandOn(lock);
    }
}

bool ScriptPreverifier::Check(const consensus::Transaction& tx) const
{
    // What the owner refuses without running scripts is not worth a worker's time: a copy the pool
    // has, a malformed or non-standard transaction, missing or non-standard inputs.
    if (m_pool.ExistsWtxid(tx.GetWtxid()) || tx.IsCoinBase()) return false;
    if (!consensus::CheckTransaction(tx).IsValid()) return false;
    std::string reason;
    if (m_opts.require_standard && !IsStandardTx(tx, m_opts.policy, reason)) return false;
    const PoolCoinsView view(m_chain, m_pool);
    std::vector<consensus::TxOut> spent;
    spent.reserve(tx.vin.size());
    for (const auto& in : tx.vin) {
        auto coin = view.GetCoin(in.prevout);
        if (!coin || coin->IsSpent()) return false;
        spent.push_back(std::move(coin->out));
    }
    if (m_opts.require_standard && (!AreInputsStandard(tx, spent) || !IsWitnessStandard(tx, spent))) return false;
    // A copy that arrived from another peer, or by RPC, may have been verified since it was queued.
    if (m_cache.Contains(tx.GetWtxid(), STANDARD_SCRIPT_VERIFY_FLAGS)) return true;
    if (!VerifyInputScripts(tx, spent, STANDARD_SCRIPT_VERIFY_FLAGS, nullptr)) return false;
    m_cache.Add(tx.GetWtxid(), STANDARD_SCRIPT_VERIFY_FLAGS);
    return true;
}

void ScriptPreverifier::HandOn(util::UniqueLock& lock)
{
    if (m_handing_on) return; // the thread doing it will reach these jobs too
    m_handing_on = true;
    while (!m_order.empty() && m_order.front()->done) {
        std::shared_ptr<Job> job = std::move(m_order.front());
        m_order.pop_front();
        lock.unlock();
        job->next();
        lock.lock();
    }
    m_handing_on = false;
    if (m_order.empty()) m_idle_cv.notify_all();
}

} // namespace node::mempool
