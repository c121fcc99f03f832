// Parallel script verification for block connection (-par): while ConnectBlock walks a
// block's transactions it hands each one's input checks to a fixed pool of worker
// threads, which start verifying at once; the calling thread joins them at the end
// (Core's CCheckQueue pattern), so the serial work of connecting overlaps the scripts.
#pragma once

#include "consensus/primitives/transaction.h"
#include "consensus/script/interpreter.h"

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace node::chain {

/** One input's script check. The pointed-to data must outlive the pool session it was added to. */
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
 * A fixed pool of threads for ScriptChecks, used through one Session at a time. Thread
 * contract: only one thread at a time opens sessions (the chainstate lock guarantees
 * that); the destructor joins the workers.
 */
class ScriptCheckPool {
public:
    /** threads_total counts the caller: threads_total - 1 workers are started (none if <= 1). */
    explicit ScriptCheckPool(int threads_total);
    ~ScriptCheckPool();
    ScriptCheckPool(const ScriptCheckPool&) = delete;
    ScriptCheckPool& operator=(const ScriptCheckPool&) = delete;

    int Threads() const { return static_cast<int>(m_workers.size()) + 1; }

    /**
     * The checks of one block. Add() makes checks available to the workers immediately;
     * Join() has the caller help until all are done. Destroying a session that was not
     * joined cancels the checks not yet started and waits for those running, so an early
     * return from the caller never leaves a worker reading freed data.
     */
    class Session {
    public:
        /** capacity: the most checks this session will hold (the vector never reallocates). */
        Session(ScriptCheckPool& pool, size_t capacity);
        ~Session();
        Session(const Session&) = delete;
        Session& operator=(const Session&) = delete;

        /** Adds a check; throws std::logic_error past the capacity given to the constructor. */
        void Add(const ScriptCheck& check);
        /** Lets the workers start on everything added since the last Release (or Add). */
        void Release();
        /** Runs the rest on the caller too and waits; the index of a failing check (the lowest found), or nullopt. */
        std::optional<size_t> Join();
        /** The checks added so far, for reading a failure's details after Join(). */
        const std::vector<ScriptCheck>& Checks() const { return m_checks; }

    private:
        ScriptCheckPool& m_pool;
        std::vector<ScriptCheck> m_checks;
        bool m_joined{false};
    };

private:
    void WorkerLoop();
    /** Takes and runs checks until none is available; `lock` is held on entry and exit. */
    void RunAvailable(std::unique_lock<std::mutex>& lock);
    void Begin(ScriptCheck* checks);
    void Publish(size_t count);
    std::optional<size_t> Finish(bool cancel);

    std::vector<std::thread> m_workers;
    std::mutex m_mutex;
    std::condition_variable m_cv_work;  // workers: checks available, or stop
    std::condition_variable m_cv_idle;  // joiner: the last running check finished
    bool m_stop{false};
    ScriptCheck* m_checks{nullptr}; // the open session's checks (its vector never reallocates)
    size_t m_published{0};  // checks [0, m_published) may be taken
    size_t m_next{0};       // the next check to take
    int m_running{0};       // checks taken but not finished
    int m_idle_workers{0};  // workers waiting on m_cv_work
    size_t m_first_fail{SIZE_MAX};
};

} // namespace node::chain
