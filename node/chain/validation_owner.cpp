// The validation owner's thread, queue and chain-write wrappers (see validation_owner.h).
#include "node/chain/validation_owner.h"

#include "node/chain/chain_log.h"

namespace node::chain {

using consensus::ValidationResult;

namespace {

/** The result a chain write's caller gets when the owner stopped before it finished. */
ValidationResult StoppedResult()
{
    return ValidationResult::Error("the validation owner stopped (shutdown) before this chain write finished");
}

} // namespace

ValidationOwner::ValidationOwner(Chainstate& chainstate) : m_chainstate(chainstate)
{
    m_thread = std::thread([this] { ThreadMain(); });
    m_thread_id = m_thread.get_id();
}

ValidationOwner::~ValidationOwner() { Stop(); }

void ValidationOwner::Enqueue(Job job)
{
    {
        util::LockGuard lock(m_mutex);
        if (!m_stopping) {
            m_queue.push_back(std::move(job));
            m_cv.notify_one();
            return;
        }
    }
    if (job.cancel) job.cancel();
}

void ValidationOwner::ThreadMain()
{
    while (true) {
        Job job;
        {
            util::UniqueLock lock(m_mutex);
            m_cv.wait(lock, [&]() REQUIRES(m_mutex) { return m_stopping || !m_queue.empty(); });
            if (m_stopping) return;
            job = std::move(m_queue.front());
            m_queue.pop_front();
        }
        bool done = true;
        try {
            done = job.run();
        } catch (...) {
            // The wrappers catch what a write throws; anything else must not end the process.
            CHAIN_LOG("Error: a job on the validation owner threw an unexpected exception\n");
        }
        if (done) continue;
        // Not finished: its next step waits behind whatever was handed over meanwhile (if
        // the owner is stopping, Stop() cancels it with the rest).
        util::LockGuard lock(m_mutex);
        m_queue.push_back(std::move(job));
    }
}

void ValidationOwner::Stop()
{
    util::LockGuard stop_lock(m_stop_mutex);
    {
        util::LockGuard lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
    std::deque<Job> left;
    {
        util::LockGuard lock(m_mutex);
        left.swap(m_queue);
    }
    if (!left.empty()) CHAIN_LOG("Validation owner stopped: %zu queued chain write(s) cancelled\n", left.size());
    for (Job& job : left) {
        if (job.cancel) job.cancel();
    }
}

size_t ValidationOwner::QueueSize() const
{
    util::LockGuard lock(m_mutex);
    return m_queue.size();
}

void ValidationOwner::EnqueueSteps(WriteStep step, std::function<void(ValidationResult)> on_result)
{
    Enqueue(Job{[this, step = std::move(step), on_result]() {
                    std::optional<ValidationResult> r;
                    try {
                        r = step();
                    } catch (const std::exception& e) {
                        r = ValidationResult::Error(std::string("chain write failed: ") + e.what());
                    }
                    if (!r) {
                        // More to do. As Core's ActivateBestChain, a shutdown ends a long
                        // write between its steps (what is done stays; the rest is redone
                        // at the next start), so a stop never waits for a whole rebuild.
                        if (!m_chainstate.IsInterrupted()) return false;
                        r = ValidationResult::Error("interrupted: the node is shutting down");
                    }
                    on_result(std::move(*r));
                    return true;
                },
                [on_result] { on_result(StoppedResult()); }});
}

std::future<ValidationResult> ValidationOwner::SubmitSteps(WriteStep step)
{
    auto promise = std::make_shared<std::promise<ValidationResult>>();
    std::future<ValidationResult> future = promise->get_future();
    EnqueueSteps(std::move(step), [promise](ValidationResult r) { promise->set_value(std::move(r)); });
    return future;
}

std::future<BlockResult> ValidationOwner::SubmitBlock(std::shared_ptr<const consensus::Block> block)
{
    auto promise = std::make_shared<std::promise<BlockResult>>();
    std::future<BlockResult> future = promise->get_future();
    PostBlock(std::move(block), [promise](const BlockResult& r) { promise->set_value(r); });
    return future;
}

void ValidationOwner::PostBlock(std::shared_ptr<const consensus::Block> block,
                                std::function<void(const BlockResult&)> on_done)
{
    // The flag ProcessNewBlock's first step sets lives as long as the job.
    auto new_block = std::make_shared<bool>(false);
    EnqueueSteps(m_chainstate.ProcessNewBlockSteps(std::move(block), new_block.get()),
                 [new_block, on_done = std::move(on_done)](ValidationResult r) {
                     on_done(BlockResult{std::move(r), *new_block});
                 });
}

std::future<ValidationResult> ValidationOwner::SubmitHeaders(std::vector<consensus::BlockHeader> headers)
{
    return SubmitSteps([this, headers = std::move(headers)]() -> std::optional<ValidationResult> {
        return m_chainstate.ProcessNewBlockHeaders(headers);
    });
}

std::future<ValidationResult> ValidationOwner::InvalidateBlock(const consensus::Uint256& hash)
{
    return SubmitSteps(m_chainstate.InvalidateBlockSteps(hash));
}

std::future<ValidationResult> ValidationOwner::ReconsiderBlock(const consensus::Uint256& hash)
{
    return SubmitSteps(m_chainstate.ReconsiderBlockSteps(hash));
}

std::future<ValidationResult> ValidationOwner::ActivateBestChain()
{
    return SubmitSteps(m_chainstate.ActivateBestChainSteps());
}

void ValidationOwner::Run(const std::function<void()>& write)
{
    if (OnOwnerThread()) {
        write();
        return;
    }
    Submit([&write] { write(); }).get();
}

RunOnOwner ValidationOwner::Runner()
{
    return [this](const std::function<void()>& write) { Run(write); };
}

} // namespace node::chain
