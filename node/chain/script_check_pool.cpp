#include "node/chain/script_check_pool.h"

namespace node::chain {

bool ScriptCheck::operator()()
{
    const consensus::TxIn& in = tx->vin[input];
    const consensus::TransactionSignatureChecker checker(tx, input, spent->value, *txdata,
                                                         consensus::MissingDataBehavior::ASSERT_FAIL);
    return consensus::VerifyScript(in.script_sig, spent->script_pubkey, &in.witness, flags, checker, &error);
}

ScriptCheckPool::ScriptCheckPool(int threads_total)
{
    for (int i = 1; i < threads_total; ++i) m_workers.emplace_back([this] { WorkerLoop(); });
}

ScriptCheckPool::~ScriptCheckPool()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv_start.notify_all();
    for (auto& t : m_workers) t.join();
}

void ScriptCheckPool::Work()
{
    // Small batches keep the atomic counter cheap relative to a signature check.
    constexpr size_t BATCH = 8;
    std::vector<ScriptCheck>& checks = *m_checks;
    while (m_first_fail.load(std::memory_order_relaxed) == SIZE_MAX) {
        const size_t start = m_next.fetch_add(BATCH, std::memory_order_relaxed);
        if (start >= checks.size()) break;
        const size_t end = std::min(start + BATCH, checks.size());
        for (size_t i = start; i < end; ++i) {
            if (!checks[i]()) {
                size_t cur = m_first_fail.load();
                while (i < cur && !m_first_fail.compare_exchange_weak(cur, i)) {
                }
                return;
            }
        }
    }
}

void ScriptCheckPool::WorkerLoop()
{
    uint64_t seen = 0;
    while (true) {
        {
            std::unique_lock lock(m_mutex);
            m_cv_start.wait(lock, [&] { return m_stop || m_generation != seen; });
            if (m_stop) return;
            seen = m_generation;
        }
        Work();
        {
            std::lock_guard lock(m_mutex);
            if (--m_active == 0) m_cv_done.notify_one();
        }
    }
}

std::optional<size_t> ScriptCheckPool::Run(std::vector<ScriptCheck>& checks)
{
    if (checks.empty()) return std::nullopt;
    m_checks = &checks;
    m_next = 0;
    m_first_fail = SIZE_MAX;
    if (!m_workers.empty() && checks.size() > 1) {
        {
            std::lock_guard lock(m_mutex);
            m_active = static_cast<int>(m_workers.size());
            ++m_generation;
        }
        m_cv_start.notify_all();
        Work();
        std::unique_lock lock(m_mutex);
        m_cv_done.wait(lock, [&] { return m_active == 0; });
    } else {
        Work();
    }
    m_checks = nullptr;
    const size_t fail = m_first_fail.load();
    if (fail == SIZE_MAX) return std::nullopt;
    return fail;
}

} // namespace node::chain
