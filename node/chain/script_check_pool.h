// Parallel script verification for block connection (-par): the inputs of a block are
// checked by a fixed pool of worker threads plus the calling thread, and joined before
// the block connects.
#pragma once

#include "consensus/primitives/transaction.h"
#include "consensus/script/interpreter.h"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace node::chain {

/** One input's script check. The pointed-to data must outlive ScriptCheckPool::Run. */
struct ScriptCheck {
    const consensus::Transaction* tx{nullptr};
    unsigned input{0};
    const consensus::TxOut* spent{nullptr};
    uint32_t flags{0};
    const consensus::PrecomputedTransactionData* txdata{nullptr};
    consensus::ScriptError error{consensus::ScriptError::UNKNOWN_ERROR};

    /** Verifies the input's scripts; on failure error says why. */
    bool operator()();
};

/**
 * A fixed pool of threads for ScriptChecks. Thread contract: Run() may be called by one
 * thread at a time (the chainstate lock guarantees that); the destructor joins workers.
 */
class ScriptCheckPool {
public:
    /** threads_total counts the caller: threads_total - 1 workers are started (none if <= 1). */
    explicit ScriptCheckPool(int threads_total);
    ~ScriptCheckPool();
    ScriptCheckPool(const ScriptCheckPool&) = delete;
    ScriptCheckPool& operator=(const ScriptCheckPool&) = delete;

    /** Runs all checks; returns the index of a failing check (the lowest found), or nullopt if all pass. */
    std::optional<size_t> Run(std::vector<ScriptCheck>& checks);
    int Threads() const { return static_cast<int>(m_workers.size()) + 1; }

private:
    void WorkerLoop();
    void Work();

    std::vector<std::thread> m_workers;
    std::mutex m_mutex;
    std::condition_variable m_cv_start;
    std::condition_variable m_cv_done;
    uint64_t m_generation{0};
    int m_active{0};
    bool m_stop{false};
    std::vector<ScriptCheck>* m_checks{nullptr};
    std::atomic<size_t> m_next{0};
    std::atomic<size_t> m_first_fail{SIZE_MAX};
};

} // namespace node::chain
