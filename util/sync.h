// Mutexes and locks the thread-safety analysis can see (util/threadsafety.h). They are
// the standard ones with annotated lock/unlock, so std::condition_variable works with
// UniqueLock. A role (ThreadRole) is a capability no mutex backs: "runs on the validation
// thread" — functions REQUIRE it, the thread's entry point asserts it once.
#pragma once

#include "util/threadsafety.h"

#include <mutex>
#include <shared_mutex>

namespace util {

/** std::mutex with annotations: fields are GUARDED_BY(a Mutex). Not recursive. */
class CAPABILITY("mutex") Mutex : public std::mutex {
public:
    void lock() ACQUIRE() { std::mutex::lock(); }
    void unlock() RELEASE() { std::mutex::unlock(); }
    bool try_lock() TRY_ACQUIRE(true) { return std::mutex::try_lock(); }
    /** For `!m` in EXCLUDES clauses: tells the analysis this thread does not hold it. */
    const Mutex& operator!() const { return *this; }
};

/** std::shared_mutex with annotations: many readers (SharedLock) or one writer (ExclusiveLock). */
class CAPABILITY("shared_mutex") SharedMutex : public std::shared_mutex {
public:
    void lock() ACQUIRE() { std::shared_mutex::lock(); }
    void unlock() RELEASE() { std::shared_mutex::unlock(); }
    void lock_shared() ACQUIRE_SHARED() { std::shared_mutex::lock_shared(); }
    void unlock_shared() RELEASE_SHARED() { std::shared_mutex::unlock_shared(); }
    const SharedMutex& operator!() const { return *this; }
};

/**
 * std::recursive_mutex with annotations, for the one object whose public methods call each
 * other under its lock (ArgsManager). The analysis does not model re-entry: annotate the
 * helpers that need it REQUIRES, and do not mark the re-entered methods EXCLUDES.
 */
class CAPABILITY("recursive_mutex") RecursiveMutex : public std::recursive_mutex {
public:
    void lock() ACQUIRE() { std::recursive_mutex::lock(); }
    void unlock() RELEASE() { std::recursive_mutex::unlock(); }
};

/** Holds a RecursiveMutex for its scope. */
class SCOPED_CAPABILITY RecursiveLock {
public:
    explicit RecursiveLock(RecursiveMutex& m) ACQUIRE(m) : m_mutex(m) { m_mutex.lock(); }
    ~RecursiveLock() RELEASE() { m_mutex.unlock(); }
    RecursiveLock(const RecursiveLock&) = delete;
    RecursiveLock& operator=(const RecursiveLock&) = delete;

private:
    RecursiveMutex& m_mutex;
};

/** Holds a Mutex for its scope (std::lock_guard). */
class SCOPED_CAPABILITY LockGuard {
public:
    explicit LockGuard(Mutex& m) ACQUIRE(m) : m_mutex(m) { m_mutex.lock(); }
    ~LockGuard() RELEASE() { m_mutex.unlock(); }
    LockGuard(const LockGuard&) = delete;
    LockGuard& operator=(const LockGuard&) = delete;

private:
    Mutex& m_mutex;
};

/** Holds a Mutex for its scope and can be waited on with std::condition_variable. */
class SCOPED_CAPABILITY UniqueLock : public std::unique_lock<std::mutex> {
public:
    explicit UniqueLock(Mutex& m) ACQUIRE(m) : std::unique_lock<std::mutex>(m) {}
    ~UniqueLock() RELEASE() = default;
    /** Releases early (the destructor then does nothing). */
    void Unlock() RELEASE() { unlock(); }
    /** Takes it again after Unlock(). */
    void Lock() ACQUIRE() { lock(); }
};

/** Holds a SharedMutex shared (as a reader) for its scope. */
class SCOPED_CAPABILITY SharedLock {
public:
    explicit SharedLock(SharedMutex& m) ACQUIRE_SHARED(m) : m_mutex(m) { m_mutex.lock_shared(); }
    ~SharedLock() RELEASE() { m_mutex.unlock_shared(); }
    SharedLock(const SharedLock&) = delete;
    SharedLock& operator=(const SharedLock&) = delete;

private:
    SharedMutex& m_mutex;
};

/** Holds a SharedMutex exclusively (as the writer) for its scope. */
class SCOPED_CAPABILITY ExclusiveLock {
public:
    explicit ExclusiveLock(SharedMutex& m) ACQUIRE(m) : m_mutex(m) { m_mutex.lock(); }
    ~ExclusiveLock() RELEASE() { m_mutex.unlock(); }
    ExclusiveLock(const ExclusiveLock&) = delete;
    ExclusiveLock& operator=(const ExclusiveLock&) = delete;

private:
    SharedMutex& m_mutex;
};

/**
 * A role held by one thread at a time, e.g. "the validation thread": functions that may
 * run only there are REQUIRES(role); the thread asserts the role once where it starts
 * (AssertHeld), so the analysis checks every call path from there. No run-time cost.
 */
class CAPABILITY("role") ThreadRole {
public:
    void AssertHeld() const ASSERT_CAPABILITY(this) {}
    const ThreadRole& operator!() const { return *this; }
};

} // namespace util
