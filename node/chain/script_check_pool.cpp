#include "node/chain/script_check_pool.h"

#include <algorithm>
#include <stdexcept>

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
    m_cv_work.notify_all();
    for (auto& t : m_workers) t.join();
}

void ScriptCheckPool::RunAvailable(std::unique_lock<std::mutex>& lock)
{
    // Small batches: a signature check (~60 us) dwarfs the lock, and small batches keep
    // the threads busy to the end of the block.
    constexpr size_t MAX_BATCH = 8;
    const size_t threads = static_cast<size_t>(Threads());
    while (m_checks && m_next < m_published && m_first_fail == SIZE_MAX) {
        const size_t n = std::clamp<size_t>((m_published - m_next) / threads, 1, MAX_BATCH);
        const size_t start = m_next;
        m_next += n;
        ++m_running;
        ScriptCheck* const checks = m_checks;
        lock.unlock();
        size_t fail = SIZE_MAX;
        for (size_t i = start; i < start + n; ++i) {
            if (!checks[i]()) {
                fail = i;
                break;
            }
        }
        lock.lock();
        m_first_fail = std::min(m_first_fail, fail);
        if (--m_running == 0) m_cv_idle.notify_all();
    }
}

void ScriptCheckPool::WorkerLoop()
{
    std::unique_lock lock(m_mutex);
    while (!m_stop) {
        if (m_checks && m_next < m_published && m_first_fail == SIZE_MAX) {
            RunAvailable(lock);
            continue;
        }
        ++m_idle_workers;
        m_cv_work.wait(lock);
        --m_idle_workers;
    }
}

void ScriptCheckPool::Begin(ScriptCheck* checks)
{
    std::lock_guard lock(m_mutex);
    m_checks = checks;
    m_published = m_next = 0;
    m_first_fail = SIZE_MAX;
}

void ScriptCheckPool::Publish(size_t count)
{
    std::unique_lock lock(m_mutex);
    if (count <= m_published) return;
    const size_t fresh = count - m_published;
    m_published = count;
    const int idle = m_idle_workers;
    lock.unlock();
    if (idle == 0) return;
    if (fresh > 1 && idle > 1) {
        m_cv_work.notify_all();
    } else {
        m_cv_work.notify_one();
    }
}

std::optional<size_t> ScriptCheckPool::Finish(bool cancel)
{
    std::unique_lock lock(m_mutex);
    if (cancel) {
        m_published = m_next; // nothing more is taken; wait for what is running
    } else {
        RunAvailable(lock);
    }
    m_cv_idle.wait(lock, [&] { return m_running == 0; });
    const size_t fail = m_first_fail;
    m_checks = nullptr;
    m_published = m_next = 0;
    m_first_fail = SIZE_MAX;
    if (fail == SIZE_MAX) return std::nullopt;
    return fail;
}

ScriptCheckPool::Session::Session(ScriptCheckPool& pool, size_t capacity) : m_pool(pool)
{
    m_checks.reserve(capacity);
    m_pool.Begin(m_checks.data());
}

ScriptCheckPool::Session::~Session()
{
    if (!m_joined) m_pool.Finish(true);
}

void ScriptCheckPool::Session::Add(const ScriptCheck& check)
{
    if (m_checks.size() == m_checks.capacity()) throw std::logic_error("ScriptCheckPool::Session: over capacity");
    m_checks.push_back(check);
}

void ScriptCheckPool::Session::Release()
{
    m_pool.Publish(m_checks.size());
}

std::optional<size_t> ScriptCheckPool::Session::Join()
{
    m_joined = true;
    m_pool.Publish(m_checks.size());
    return m_pool.Finish(false);
}

} // namespace node::chain
