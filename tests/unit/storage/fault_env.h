// FaultEnv: a LevelDB Env for tests that injects storage faults on demand into the files
// of one database (paths containing a target substring, e.g. "chainstate"): failing or
// corrupting reads of table files, failing writes, and a "crash" after N synced log writes
// (every later write is dropped and fails, as if the process had died there); it also
// counts LevelDB's background jobs so a test can wait for a compaction. Production
// code never sees it: it is passed as ChainstateOptions::leveldb_env or a database's env.
#pragma once

#include <leveldb/env.h>
#include <leveldb/status.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace storage_test {

class FaultEnv : public leveldb::EnvWrapper {
public:
    /** Faults apply to files whose path contains target ("" = every file). Any thread. */
    explicit FaultEnv(std::string target = "")
        : leveldb::EnvWrapper(leveldb::Env::Default()), m_target(std::move(target))
    {}
    /** Waits for the background jobs' wrappers to finish with this env (ThreadSanitizer saw one outlive it). */
    ~FaultEnv() override { WaitForBackgroundJobs(); }

    /** Reads of table (.ldb) files fail with an IOError while set. */
    void FailReads(bool on) { m_fail_reads = on; }
    /** Reads of table (.ldb) files return their bytes inverted (a checksum mismatch) while set. */
    void CorruptReads(bool on) { m_corrupt_reads = on; }
    /** Every write (append, flush, sync) fails with an IOError while set; nothing reaches the file. */
    void FailWrites(bool on) { m_fail_writes = on; }
    /**
     * After n more synced writes of a log file (one per synced LevelDB batch), every later
     * write is dropped and fails: the disk as a process killed there leaves it. n <= 0: off.
     */
    void CrashAfterSyncs(int n)
    {
        m_syncs_left = n;
        m_crashed = false;
    }
    /** Clears every fault (a crash too). */
    void Heal()
    {
        m_fail_reads = m_corrupt_reads = m_fail_writes = m_crashed = false;
        m_syncs_left = 0;
    }
    /**
     * While on, each read of a table file by a thread other than `except` waits until the
     * test releases it (ReleaseHeldRead, one at a time in arrival order), so the test can
     * look at the node while, say, validation is stopped in the middle of a block. Off
     * lets every held read go on.
     */
    void HoldReads(bool on, std::thread::id except = {})
    {
        std::lock_guard lock(m_hold_mutex);
        m_hold = on;
        m_hold_except = except;
        m_hold_cv.notify_all();
    }
    /** Waits (at most 60 s) until a read is held (true) or holding is off (false). */
    bool WaitForHeldRead()
    {
        std::unique_lock lock(m_hold_mutex);
        m_hold_cv.wait_for(lock, std::chrono::seconds(60), [this] { return !m_hold || m_arrived > m_released; });
        return m_hold && m_arrived > m_released;
    }
    /** Lets the oldest held read go on. */
    void ReleaseHeldRead()
    {
        std::lock_guard lock(m_hold_mutex);
        ++m_released;
        m_hold_cv.notify_all();
    }
    /** Faults injected so far (reads failed or corrupted, writes failed): shows a test hit its fault. */
    int Injected() const { return m_injected; }

    /** Runs LevelDB's background work (compactions) through the default Env, counting it. */
    void Schedule(void (*function)(void*), void* arg) override
    {
        {
            std::lock_guard lock(m_jobs_mutex);
            ++m_jobs_scheduled;
        }
        target()->Schedule(&FaultEnv::RunJob, new Job{this, function, arg});
    }
    /** Blocks until every background job scheduled so far (and any it scheduled) has run. */
    void WaitForBackgroundJobs()
    {
        std::unique_lock lock(m_jobs_mutex);
        m_jobs_cv.wait(lock, [this] { return m_jobs_done == m_jobs_scheduled; });
    }

    leveldb::Status NewRandomAccessFile(const std::string& f, leveldb::RandomAccessFile** r) override
    {
        leveldb::Status s = target()->NewRandomAccessFile(f, r);
        if (s.ok() && Targets(f)) *r = new ReadFile(*this, std::unique_ptr<leveldb::RandomAccessFile>(*r));
        return s;
    }
    leveldb::Status NewWritableFile(const std::string& f, leveldb::WritableFile** r) override
    {
        leveldb::Status s = target()->NewWritableFile(f, r);
        if (s.ok() && Targets(f)) *r = new WriteFile(*this, std::unique_ptr<leveldb::WritableFile>(*r), IsLog(f));
        return s;
    }
    leveldb::Status NewAppendableFile(const std::string& f, leveldb::WritableFile** r) override
    {
        leveldb::Status s = target()->NewAppendableFile(f, r);
        if (s.ok() && Targets(f)) *r = new WriteFile(*this, std::unique_ptr<leveldb::WritableFile>(*r), IsLog(f));
        return s;
    }

private:
    struct Job {
        FaultEnv* env;
        void (*function)(void*);
        void* arg;
    };
    static void RunJob(void* arg)
    {
        std::unique_ptr<Job> job(static_cast<Job*>(arg));
        job->function(job->arg);
        // Notified under the lock: once a waiter (the destructor too) sees the count, this
        // thread no longer touches the env, which may then be destroyed.
        std::lock_guard lock(job->env->m_jobs_mutex);
        ++job->env->m_jobs_done;
        job->env->m_jobs_cv.notify_all();
    }

    void MaybeHold()
    {
        std::unique_lock lock(m_hold_mutex);
        if (!m_hold || std::this_thread::get_id() == m_hold_except) return;
        const uint64_t ticket = ++m_arrived;
        m_hold_cv.notify_all();
        m_hold_cv.wait(lock, [&] { return !m_hold || m_released >= ticket; });
    }

    bool Targets(const std::string& f) const { return f.find(m_target) != std::string::npos; }
    static bool IsLog(const std::string& f) { return f.size() > 4 && f.compare(f.size() - 4, 4, ".log") == 0; }
    bool WritesBroken()
    {
        if (!m_fail_writes && !m_crashed) return false;
        ++m_injected;
        return true;
    }

    class ReadFile : public leveldb::RandomAccessFile {
    public:
        ReadFile(FaultEnv& env, std::unique_ptr<leveldb::RandomAccessFile> file) : m_env(env), m_file(std::move(file))
        {}
        leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice* result, char* scratch) const override
        {
            m_env.MaybeHold();
            if (m_env.m_fail_reads) {
                ++m_env.m_injected;
                return leveldb::Status::IOError("FaultEnv", "injected read error");
            }
            leveldb::Status s = m_file->Read(offset, n, result, scratch);
            if (s.ok() && m_env.m_corrupt_reads && result->size() > 0) {
                ++m_env.m_injected;
                // The data may live in an mmap: copy it into scratch before changing it.
                std::memmove(scratch, result->data(), result->size());
                for (size_t i = 0; i < result->size(); ++i) scratch[i] = static_cast<char>(~scratch[i]);
                *result = leveldb::Slice(scratch, result->size());
            }
            return s;
        }

    private:
        FaultEnv& m_env;
        std::unique_ptr<leveldb::RandomAccessFile> m_file;
    };

    class WriteFile : public leveldb::WritableFile {
    public:
        WriteFile(FaultEnv& env, std::unique_ptr<leveldb::WritableFile> file, bool log)
            : m_env(env), m_file(std::move(file)), m_log(log)
        {}
        leveldb::Status Append(const leveldb::Slice& data) override
        {
            if (m_env.WritesBroken()) return Error();
            return m_file->Append(data);
        }
        leveldb::Status Close() override { return m_file->Close(); }
        leveldb::Status Flush() override
        {
            if (m_env.WritesBroken()) return Error();
            return m_file->Flush();
        }
        leveldb::Status Sync() override
        {
            if (m_env.WritesBroken()) return Error();
            leveldb::Status s = m_file->Sync();
            if (s.ok() && m_log && m_env.m_syncs_left > 0 && --m_env.m_syncs_left == 0) m_env.m_crashed = true;
            return s;
        }

    private:
        static leveldb::Status Error() { return leveldb::Status::IOError("FaultEnv", "injected write error"); }
        FaultEnv& m_env;
        std::unique_ptr<leveldb::WritableFile> m_file;
        bool m_log;
    };

    const std::string m_target;
    std::atomic<bool> m_fail_reads{false};
    std::atomic<bool> m_corrupt_reads{false};
    std::atomic<bool> m_fail_writes{false};
    std::atomic<bool> m_crashed{false};
    std::atomic<int> m_syncs_left{0};
    mutable std::atomic<int> m_injected{0};
    std::mutex m_hold_mutex;
    std::condition_variable m_hold_cv;
    bool m_hold{false};
    std::thread::id m_hold_except;
    uint64_t m_arrived{0}, m_released{0}; // held reads so far, and how many were let go
    std::mutex m_jobs_mutex;
    std::condition_variable m_jobs_cv;
    int m_jobs_scheduled{0}; // guarded by m_jobs_mutex
    int m_jobs_done{0};      // guarded by m_jobs_mutex
};

} // namespace storage_test
