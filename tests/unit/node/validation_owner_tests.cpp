// The validation owner (node/chain/validation_owner.h): every chain write handed to it runs
// on its one thread; Submit and Post return before the job runs; Stop resolves every
// pending job with an error; the start-up catch-up Open() leaves runs there in steps that
// other jobs interleave with.
#include "chain_builder.h"

#include "node/chain/validation_owner.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

using consensus::Block;
using consensus::ValidationResult;
using node::chain::BlockResult;
using node::chain::ValidationOwner;
using testutil::ChainBuilder;

namespace {

constexpr auto ZERO = std::chrono::seconds(0);
/** Bound on every wait: a hang fails the test instead of stalling the run. */
constexpr auto BOUND = std::chrono::seconds(60);

/** Records the thread of every BlockConnected and BlockDisconnected. */
class ThreadRecorder : public node::chain::ChainListener {
public:
    void BlockConnected(const std::shared_ptr<const Block>&, const node::chain::BlockIndex*) override { Note(); }
    void BlockDisconnected(const std::shared_ptr<const Block>&, const node::chain::BlockIndex*) override { Note(); }
    void Note()
    {
        std::lock_guard lock(m_mutex);
        m_threads.insert(std::this_thread::get_id());
        ++m_events;
    }
    std::set<std::thread::id> Threads()
    {
        std::lock_guard lock(m_mutex);
        return m_threads;
    }
    int Events()
    {
        std::lock_guard lock(m_mutex);
        return m_events;
    }

private:
    std::mutex m_mutex;
    std::set<std::thread::id> m_threads;
    int m_events{0};
};

/** Occupies the owner with a job that waits until Release() (bounded): the owner is busy meanwhile. */
class BusyOwner {
public:
    explicit BusyOwner(ValidationOwner& owner)
    {
        m_done = owner.Submit([this] {
            m_started.set_value();
            return m_release_future.wait_for(BOUND) == std::future_status::ready;
        });
        REQUIRE(m_started.get_future().wait_for(BOUND) == std::future_status::ready);
    }
    /** Releases the job and waits (bounded) until it returned: it uses this object until then. */
    ~BusyOwner()
    {
        Release();
        if (m_done.valid()) m_done.wait_for(BOUND);
    }
    void Release()
    {
        if (!m_released.exchange(true)) m_release.set_value();
    }
    std::future<bool>& Done() { return m_done; }

private:
    std::promise<void> m_started;
    std::promise<void> m_release;
    std::shared_future<void> m_release_future{m_release.get_future().share()};
    std::atomic<bool> m_released{false};
    std::future<bool> m_done;
};

/** n blocks on top of each other, built (and connected) in a builder of their own. */
std::vector<std::shared_ptr<const Block>> BuildBlocks(int n)
{
    ChainBuilder src(1);
    std::vector<std::shared_ptr<const Block>> blocks;
    for (int i = 0; i < n; ++i) {
        const Block block = src.MakeBlock(src.Chain().Tip());
        REQUIRE(src.Submit(block).IsValid());
        blocks.push_back(std::make_shared<const Block>(block));
    }
    return blocks;
}

} // namespace

TEST_CASE("Every chain write handed to the validation owner runs on its thread", "[chain][owner]")
{
    // The header clock is read on the validating thread for every header and block accepted.
    std::mutex clock_mutex;
    std::set<std::thread::id> clock_threads;
    std::atomic<bool> armed{false};
    ChainBuilder b(2, nullptr, [&](node::chain::ChainstateOptions& o) {
        o.now_seconds = [&]() -> int64_t {
            if (armed) {
                std::lock_guard lock(clock_mutex);
                clock_threads.insert(std::this_thread::get_id());
            }
            return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        };
    });
    const auto blocks = BuildBlocks(12);
    ThreadRecorder recorder;
    b.Chain().AddListener(&recorder, node::chain::Delivery::SYNC); // called by the validating thread
    armed = true;
    {
        ValidationOwner owner(b.Chain());
        // Three submitters (as RPC threads and a peer would be), each handing over every block in order.
        std::vector<std::thread> submitters;
        std::atomic<int> failures{0};
        for (int t = 0; t < 3; ++t) {
            submitters.emplace_back([&, t] {
                for (const auto& block : blocks) {
                    if (t == 2) {
                        // One submits the header first, as submitheader does.
                        if (!owner.SubmitHeaders({*block}).get().IsValid()) ++failures;
                    }
                    if (!owner.SubmitBlock(block).get().result.IsValid()) ++failures;
                }
            });
        }
        for (auto& s : submitters) s.join();
        CHECK(failures == 0);
        CHECK(b.Chain().Height() == 12);
        // invalidateblock and reconsiderblock from two more threads.
        const consensus::Uint256 at5 = blocks[4]->GetHash();
        std::thread([&] { CHECK(owner.InvalidateBlock(at5).get().IsValid()); }).join();
        CHECK(b.Chain().Height() == 4);
        std::thread([&] { CHECK(owner.ReconsiderBlock(at5).get().IsValid()); }).join();
        CHECK(b.Chain().Height() == 12);
        CHECK(recorder.Events() == 12 + 8 + 8);
        CHECK(recorder.Threads() == std::set<std::thread::id>{owner.ThreadId()});
        std::lock_guard lock(clock_mutex);
        CHECK(clock_threads == std::set<std::thread::id>{owner.ThreadId()});
    }
    b.Chain().RemoveListener(&recorder);
}

TEST_CASE("SubmitBlock and PostBlock return before the owner runs the block", "[chain][owner]")
{
    ChainBuilder b(1);
    const auto blocks = BuildBlocks(2);
    ValidationOwner owner(b.Chain());
    BusyOwner busy(owner);

    std::future<BlockResult> submitted;
    std::thread([&] { submitted = owner.SubmitBlock(blocks[0]); }).join(); // returned: the owner is busy
    CHECK(submitted.wait_for(ZERO) == std::future_status::timeout);

    std::promise<std::pair<BlockResult, std::thread::id>> called;
    std::atomic<bool> called_back{false};
    owner.PostBlock(blocks[1], [&](const BlockResult& r) {
        called_back = true;
        called.set_value({r, std::this_thread::get_id()});
    });
    CHECK_FALSE(called_back);
    CHECK(owner.QueueSize() == 2);
    CHECK(b.Chain().Height() == 0);

    busy.Release();
    REQUIRE(submitted.wait_for(BOUND) == std::future_status::ready);
    const BlockResult r = submitted.get();
    CHECK(r.result.IsValid());
    CHECK(r.new_block);
    auto later = called.get_future();
    REQUIRE(later.wait_for(BOUND) == std::future_status::ready);
    const auto [r2, thread] = later.get();
    CHECK(r2.result.IsValid());
    CHECK(thread == owner.ThreadId());
    CHECK(b.Chain().Height() == 2);
}

TEST_CASE("Stopping the owner resolves every pending job with an error, never a hang", "[chain][owner]")
{
    ChainBuilder b(1);
    const auto blocks = BuildBlocks(1);
    ValidationOwner owner(b.Chain());
    // The running job lasts until Stop() began: then every job still queued must be cancelled.
    std::promise<void> started;
    auto running = owner.Submit([&] {
        started.set_value();
        const auto until = std::chrono::steady_clock::now() + BOUND;
        while (std::chrono::steady_clock::now() < until) {
            // A job handed over once the owner stops is cancelled at once: Stop() has begun.
            if (owner.Submit([] {}).wait_for(ZERO) == std::future_status::ready) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return false;
    });
    REQUIRE(started.get_future().wait_for(BOUND) == std::future_status::ready);
    auto block = owner.SubmitBlock(blocks[0]);
    auto invalidate = owner.InvalidateBlock(b.Chain().Tip()->GetBlockHash());
    auto generic = owner.Submit([] { return 42; });
    std::promise<BlockResult> posted;
    owner.PostBlock(blocks[0], [&](const BlockResult& r) { posted.set_value(r); });

    owner.Stop();
    REQUIRE(running.wait_for(BOUND) == std::future_status::ready);
    CHECK(running.get()); // it ran to its end
    REQUIRE(block.wait_for(BOUND) == std::future_status::ready);
    const BlockResult br = block.get();
    CHECK(br.result.IsError());
    CHECK(br.result.ToString().find("stopped") != std::string::npos);
    REQUIRE(invalidate.wait_for(BOUND) == std::future_status::ready);
    CHECK(invalidate.get().IsError());
    REQUIRE(generic.wait_for(BOUND) == std::future_status::ready);
    CHECK_THROWS_AS(generic.get(), node::chain::OwnerStopped);
    auto posted_result = posted.get_future();
    REQUIRE(posted_result.wait_for(BOUND) == std::future_status::ready);
    CHECK(posted_result.get().result.IsError());
    // Nothing cancelled was applied; handing over after Stop() fails at once; Stop() again is harmless.
    CHECK(b.Chain().Height() == 0);
    auto late = owner.ActivateBestChain();
    REQUIRE(late.wait_for(ZERO) == std::future_status::ready);
    CHECK(late.get().IsError());
    CHECK_THROWS_AS(owner.Run([] {}), node::chain::OwnerStopped);
    owner.Stop();
}

namespace {

/** A copy of b's datadir opened with -reindex-chainstate: Open alone, nothing beyond genesis connected. */
std::unique_ptr<node::chain::Chainstate> OpenForRebuild(ChainBuilder& b, const testutil::TempDir& copy)
{
    REQUIRE(b.Chain().Flush());
    std::filesystem::copy(b.Dir(), copy.Path(), std::filesystem::copy_options::recursive);
    node::chain::ChainstateOptions options;
    options.data_dir = copy.Path();
    options.params = &b.Chain().Params();
    options.dbcache_bytes = 16u << 20;
    options.par = 1;
    options.reindex_chainstate = true;
    std::string error;
    auto cs = node::chain::Chainstate::Open(options, error);
    INFO(error);
    REQUIRE(cs);
    CHECK(cs->Height() == 0); // the coins' tip: the genesis block, nothing stored beyond it connected
    CHECK(cs->BestHeader()->height == b.Chain().Height());
    return cs;
}

} // namespace

TEST_CASE("Open leaves the catch-up to the owner, which other jobs interleave with", "[chain][owner]")
{
    // 100 blocks stored; -reindex-chainstate wipes the coins, so none of them is connected.
    constexpr int N = 100;
    ChainBuilder b(1);
    b.MineBlocks(N);
    const consensus::Uint256 tip = b.Chain().Tip()->GetBlockHash();
    const auto utxo = b.Chain().GetUtxoStats();
    REQUIRE(utxo);
    testutil::TempDir copy;
    auto cs = OpenForRebuild(b, copy);

    ValidationOwner owner(*cs);
    std::future<ValidationResult> catchup;
    std::future<std::pair<int, bool>> probe;
    {
        // Both handed over while the owner is busy, so the order is fixed: catch-up, then probe.
        BusyOwner busy(owner);
        catchup = owner.ActivateBestChain();
        probe = owner.Submit(
            [&] { return std::make_pair(cs->Height(), catchup.wait_for(ZERO) == std::future_status::ready); });
    }
    REQUIRE(probe.wait_for(BOUND) == std::future_status::ready);
    const auto [height_at_probe, catchup_done_at_probe] = probe.get();
    // The probe ran after one step (32 blocks), before the catch-up's other steps.
    CHECK(height_at_probe == 32);
    CHECK_FALSE(catchup_done_at_probe);
    REQUIRE(catchup.wait_for(BOUND) == std::future_status::ready);
    CHECK(catchup.get().IsValid());
    CHECK(cs->Height() == N);
    CHECK(cs->Tip()->GetBlockHash() == tip);
    const auto after = owner.Submit([&] { return cs->GetUtxoStats(); }).get();
    REQUIRE(after);
    CHECK(after->hash_serialized == utxo->hash_serialized);
    owner.Stop();
}

TEST_CASE("A shutdown ends a long write between its steps, not after all of them", "[chain][owner]")
{
    constexpr int N = 100;
    ChainBuilder b(1);
    b.MineBlocks(N);
    testutil::TempDir copy;
    auto cs = OpenForRebuild(b, copy);
    ValidationOwner owner(*cs);
    std::future<ValidationResult> catchup;
    std::future<void> interrupt;
    {
        BusyOwner busy(owner);
        catchup = owner.ActivateBestChain();
        interrupt = owner.Submit([&] { cs->Interrupt(); }); // runs after the first step
    }
    REQUIRE(interrupt.wait_for(BOUND) == std::future_status::ready);
    REQUIRE(catchup.wait_for(BOUND) == std::future_status::ready);
    const ValidationResult r = catchup.get();
    INFO(r.ToString());
    CHECK(r.IsError());
    CHECK(r.ToString().find("shutting down") != std::string::npos);
    CHECK(cs->Height() > 0);
    CHECK(cs->Height() < N); // what was connected stays; the rest waits for the next start
    owner.Stop();
}
