// The chainstate's owner/readers contract: reads never wait on validation, and blocks
// submitted from several threads at once end where sequential submission ends.
#include "chain_builder.h"

#include "consensus/hash.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

using node::chain::BlockIndex;
using testutil::ChainBuilder;

namespace {

/**
 * A steady clock for ChainstateOptions::clock that, once armed, stops the next call until
 * released. The chainstate reads its clock on the validation owner with the owner's lock
 * held (the flush check after a block connects), so an armed gate holds validation there.
 */
class ClockGate {
public:
    std::chrono::steady_clock::time_point Now()
    {
        std::unique_lock lock(m_mutex);
        if (m_armed) {
            m_armed = false;
            m_held = true;
            m_cv.notify_all();
            m_cv.wait(lock, [this] { return m_released; });
        }
        return std::chrono::steady_clock::now();
    }
    void Arm()
    {
        std::lock_guard lock(m_mutex);
        m_armed = true;
    }
    /** Waits (bounded) until a call is held; false on timeout. */
    bool WaitHeld()
    {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, std::chrono::seconds(60), [this] { return m_held; });
    }
    void Release()
    {
        std::lock_guard lock(m_mutex);
        m_released = true;
        m_cv.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_armed{false}, m_held{false}, m_released{false};
};

/** A one-shot "done" flag with a bounded wait. */
struct DoneFlag {
    std::mutex mutex;
    std::condition_variable cv;
    bool done{false};
    void Set()
    {
        std::lock_guard lock(mutex);
        done = true;
        cv.notify_all();
    }
    bool WaitFor(std::chrono::seconds timeout)
    {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, timeout, [this] { return done; });
    }
};

} // namespace

TEST_CASE("Chain reads complete while validation holds the owner's lock", "[chain][concurrency]")
{
    // Validation is stopped inside ProcessNewBlock, after the block connected and with the
    // owner's lock held (its flush check reads the clock there). Every read must still
    // finish, and see the new block. With one lock for readers and writers (the design
    // before the owner/readers split) the reads wait until the gate opens: the bounded
    // wait below then fails.
    ClockGate gate;
    ChainBuilder b(2, nullptr, [&](node::chain::ChainstateOptions& o) { o.clock = [&gate] { return gate.Now(); }; });
    b.MineBlocks(101);
    node::chain::Chainstate& cs = b.Chain();
    const auto cb = b.CoinbaseAt(1);
    const auto tx = b.Spend({cb}, {cb.second - consensus::Amount{10000}});
    const consensus::Block block = b.MakeBlock(cs.Tip(), {tx});
    const consensus::Uint256 hash = block.GetHash();
    const consensus::OutPoint created(tx->GetTxid(), 0);

    gate.Arm();
    consensus::ValidationResult submitted;
    std::thread writer([&] { submitted = b.Submit(block); });
    const bool held = gate.WaitHeld();

    DoneFlag reads;
    bool found_index = false, in_chain = false, read_block = false, read_undo = false, tip_listed = false;
    bool new_coin = false, spent_gone = false;
    std::thread reader([&] {
        const BlockIndex* index = cs.LookupBlockIndex(hash);
        found_index = index != nullptr;
        if (index) {
            const auto info = cs.GetBlockInfo(hash);
            in_chain = info && info->in_active_chain && cs.Tip() == index;
            read_block = cs.ReadBlock(index).has_value() && cs.ReadRawBlock(index).has_value();
            read_undo = cs.ReadUndo(index).has_value();
            for (const auto& t : cs.GetChainTips()) tip_listed |= t.block == index && t.fork == index;
            const auto coin = cs.GetTxOut(created);
            new_coin = coin && coin->best_block == index;
            spent_gone = !cs.GetTxOut(cb.first);
        }
        reads.Set();
    });
    const bool finished = held && reads.WaitFor(std::chrono::seconds(60));
    gate.Release();
    reader.join();
    writer.join();
    REQUIRE(held);
    REQUIRE(finished);
    CHECK(submitted.IsValid());
    CHECK(found_index);
    CHECK(in_chain);
    CHECK(read_block);
    CHECK(read_undo);
    CHECK(tip_listed);
    CHECK(new_coin);
    CHECK(spent_gone);
}

TEST_CASE("Blocks and invalidations from several threads end as sequential submission does", "[chain][concurrency]")
{
    // Two branches from height 5: A (8 blocks) and B (10 blocks, more work), built on a
    // reference chainstate. A second chainstate gets every block from four threads at once
    // (headers and blocks in any order) while readers look at it; then A's last block is
    // invalidated and reconsidered from two threads. The tip and the UTXO set must match
    // the reference's.
    ChainBuilder ref(1);
    ref.MineBlocks(5);
    const BlockIndex* fork = ref.Chain().Tip();
    std::vector<consensus::Block> branch_a, branch_b;
    const BlockIndex* prev = fork;
    for (int i = 0; i < 8; ++i) {
        branch_a.push_back(ref.MakeBlock(prev));
        REQUIRE(ref.Submit(branch_a.back()).IsValid());
        prev = ref.Chain().LookupBlockIndex(branch_a.back().GetHash());
    }
    prev = fork;
    for (int i = 0; i < 10; ++i) {
        branch_b.push_back(ref.MakeBlock(prev, {}, [i](consensus::Block& blk) { blk.time += 1000 + i; }));
        REQUIRE(ref.Submit(branch_b.back()).IsValid());
        prev = ref.Chain().LookupBlockIndex(branch_b.back().GetHash());
    }
    const auto ref_stats = ref.Chain().GetUtxoStats();
    REQUIRE(ref_stats);
    const consensus::Uint256 ref_tip = ref.Chain().Tip()->GetBlockHash();
    REQUIRE(ref_tip == branch_b.back().GetHash());

    ChainBuilder b(2);
    node::chain::Chainstate& cs = b.Chain();
    for (int h = 1; h <= 5; ++h) {
        const BlockIndex* at = ref.Chain().AtHeight(h);
        const auto blk = ref.Chain().ReadBlock(at);
        REQUIRE(blk);
        REQUIRE(b.Submit(*blk).IsValid());
    }
    std::atomic<bool> stop{false};
    std::atomic<int> tips_reads{0}, tips_not_one_active{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 2; ++r) {
        readers.emplace_back([&] {
            while (!stop.load()) {
                // getchaintips: each answer has exactly one active tip, even mid-reorg.
                int active = 0;
                for (const auto& t : cs.GetChainTips()) {
                    (void)t.block->status.load();
                    active += t.fork == t.block;
                }
                ++tips_reads;
                if (active != 1) ++tips_not_one_active;
                if (const BlockIndex* tip = cs.Tip()) {
                    (void)cs.GetBlockInfo(tip->GetBlockHash());
                    (void)cs.ReadBlock(tip);
                    (void)cs.GetTxOut(consensus::OutPoint(tip->GetBlockHash(), 0));
                }
            }
        });
    }
    // The headers of both branches arrive at once from two threads (each in order, as
    // peers send them); then the blocks from four threads, newest first, so a block's
    // parent often arrives after it.
    std::vector<std::thread> writers;
    for (const auto* branch : {&branch_a, &branch_b}) {
        writers.emplace_back([&cs, branch] {
            std::vector<consensus::BlockHeader> headers(branch->begin(), branch->end());
            (void)cs.ProcessNewBlockHeaders(headers);
        });
    }
    for (auto& t : writers) t.join();
    writers.clear();
    for (int w = 0; w < 4; ++w) {
        writers.emplace_back([&, w] {
            for (int i = 9; i >= 0; --i) {
                if (i % 4 != w) continue;
                if (i < static_cast<int>(branch_a.size())) {
                    (void)cs.ProcessNewBlock(std::make_shared<const consensus::Block>(branch_a[i]));
                }
                (void)cs.ProcessNewBlock(std::make_shared<const consensus::Block>(branch_b[i]));
            }
        });
    }
    for (auto& t : writers) t.join();
    const bool activated = cs.ActivateBestChain().IsValid();
    const consensus::Uint256 tip_after_blocks = cs.Tip()->GetBlockHash();

    // Invalidate and reconsider the tip's parent from two threads at once; whichever runs
    // last, one more reconsider leaves the branch valid again.
    const consensus::Uint256 target = branch_b[8].GetHash();
    std::thread inv([&] { (void)cs.InvalidateBlock(target); });
    std::thread rec([&] { (void)cs.ReconsiderBlock(target); });
    inv.join();
    rec.join();
    const bool reconsidered = cs.ReconsiderBlock(target).IsValid();
    stop = true;
    for (auto& t : readers) t.join();
    REQUIRE(activated);
    CHECK(tip_after_blocks == ref_tip);
    CHECK(tips_reads.load() > 0);
    CHECK(tips_not_one_active.load() == 0);
    REQUIRE(reconsidered);
    CHECK(cs.Tip()->GetBlockHash() == ref_tip);
    const auto stats = cs.GetUtxoStats();
    REQUIRE(stats);
    CHECK(stats->hash_serialized == ref_stats->hash_serialized);
    CHECK(stats->txouts == ref_stats->txouts);
}

namespace {

/** Records the tip height (as lock-free readers see it) each time a block event arrives. */
class HeightRecorder : public node::chain::ChainListener {
public:
    explicit HeightRecorder(node::chain::Chainstate& cs) : m_cs(cs) {}
    void BlockConnected(const std::shared_ptr<const consensus::Block>&, const BlockIndex* index) override
    {
        connected_at.push_back(m_cs.Height());
        block_heights.push_back(index->height);
    }
    void BlockDisconnected(const std::shared_ptr<const consensus::Block>&, const BlockIndex* index) override
    {
        disconnected_at.push_back(m_cs.Height());
        block_heights.push_back(index->height);
    }
    std::vector<int> connected_at, disconnected_at, block_heights;

private:
    node::chain::Chainstate& m_cs;
};

/** Runs a writer's steps one at a time; returns how many block events each step brought. */
std::vector<size_t> EventsPerStep(const node::chain::WriteStep& step, const HeightRecorder& rec)
{
    std::vector<size_t> per_step;
    size_t before = rec.block_heights.size();
    while (true) {
        const std::optional<consensus::ValidationResult> r = step();
        const size_t now = rec.block_heights.size();
        if (now != before) per_step.push_back(now - before);
        before = now;
        if (r) {
            CHECK(r->IsValid());
            return per_step;
        }
    }
}

} // namespace

TEST_CASE("invalidateblock and reconsiderblock release the owner between bounded steps", "[chain][concurrency]")
{
    // 40 blocks above the invalidated one: the walk back takes two steps (32 + 8), and so
    // does reconnecting; the owner's lock is released between steps (the caller runs them
    // one by one here). In one unbounded hold there would be one step of 40. A synchronous
    // listener, called inside each step, reads the tip as lock-free readers see it: the tip
    // moves with each block, not only when a step ends.
    ChainBuilder b(1);
    b.MineBlocks(50);
    node::chain::Chainstate& cs = b.Chain();
    const BlockIndex* target = cs.AtHeight(11);
    HeightRecorder rec(cs);
    cs.AddListener(&rec, node::chain::Delivery::SYNC);
    CHECK(EventsPerStep(cs.InvalidateBlockSteps(target->GetBlockHash()), rec) == std::vector<size_t>{32, 8});
    REQUIRE(cs.Height() == 10);
    REQUIRE(rec.disconnected_at.size() == 40);
    for (size_t i = 0; i < 40; ++i) CHECK(rec.disconnected_at[i] == rec.block_heights[i] - 1);
    rec.block_heights.clear();
    CHECK(EventsPerStep(cs.ReconsiderBlockSteps(target->GetBlockHash()), rec) == std::vector<size_t>{32, 8});
    cs.RemoveListener(&rec);
    REQUIRE(cs.Height() == 50);
    REQUIRE(rec.connected_at.size() == 40);
    for (size_t i = 0; i < 40; ++i) CHECK(rec.connected_at[i] == rec.block_heights[i]);
}

namespace {

/**
 * Records every block event in arrival order, checks each against the chain so far, and
 * notes the threads it was called on.
 */
class ChainReplayer : public node::chain::ChainListener {
public:
    explicit ChainReplayer(const BlockIndex* tip) : m_tip(tip) {}
    void BlockConnected(const std::shared_ptr<const consensus::Block>&, const BlockIndex* index) override
    {
        std::lock_guard lock(m_mutex);
        if (index->prev != m_tip) ++out_of_order;
        m_tip = index;
        ++events;
        threads.insert(std::this_thread::get_id());
    }
    void BlockDisconnected(const std::shared_ptr<const consensus::Block>&, const BlockIndex* index) override
    {
        std::lock_guard lock(m_mutex);
        if (index != m_tip) ++out_of_order;
        m_tip = index->prev;
        ++events;
        threads.insert(std::this_thread::get_id());
    }
    std::set<std::thread::id> threads;
    const BlockIndex* Tip()
    {
        std::lock_guard lock(m_mutex);
        return m_tip;
    }
    int out_of_order{0}, events{0};

private:
    std::mutex m_mutex;
    const BlockIndex* m_tip;
};

} // namespace

TEST_CASE("Notifications arrive in the order the chain changed, whatever thread changed it",
          "[chain][concurrency][notify]")
{
    // Three writers race: two extend competing branches block by block (each block a
    // possible reorg), one invalidates and reconsiders. Two listeners replay every connect
    // and disconnect on their own copy of the tip: each must apply to the tip the previous
    // event left, and the replayed tip must end where the chain is. The asynchronous one is
    // called on one thread only, which is none of the writers'; the synchronous one on the
    // writers' threads (each change's own writer).
    ChainBuilder ref(1);
    ref.MineBlocks(3);
    const BlockIndex* fork = ref.Chain().Tip();
    std::vector<consensus::Block> branch[2];
    for (int k = 0; k < 2; ++k) {
        const BlockIndex* prev = fork;
        for (int i = 0; i < 40; ++i) {
            branch[k].push_back(ref.MakeBlock(prev, {}, [k, i](consensus::Block& blk) { blk.time += k * 1000 + i; }));
            REQUIRE(ref.Submit(branch[k].back()).IsValid());
            prev = ref.Chain().LookupBlockIndex(branch[k].back().GetHash());
        }
    }
    ChainBuilder b(1);
    node::chain::Chainstate& cs = b.Chain();
    for (int h = 1; h <= 3; ++h) REQUIRE(b.Submit(*ref.Chain().ReadBlock(ref.Chain().AtHeight(h))).IsValid());
    ChainReplayer replay(cs.Tip());
    ChainReplayer sync_replay(cs.Tip());
    cs.AddListener(&replay);
    cs.AddListener(&sync_replay, node::chain::Delivery::SYNC);
    std::mutex ids_mutex;
    std::set<std::thread::id> writer_ids{std::this_thread::get_id()};
    auto note_writer = [&] {
        std::lock_guard lock(ids_mutex);
        writer_ids.insert(std::this_thread::get_id());
    };
    std::vector<std::thread> writers;
    for (int k = 0; k < 2; ++k) {
        writers.emplace_back([&, k] {
            note_writer();
            for (const auto& blk : branch[k]) (void)cs.ProcessNewBlock(std::make_shared<const consensus::Block>(blk));
        });
    }
    writers.emplace_back([&] {
        note_writer();
        for (int round = 0; round < 20; ++round) {
            const consensus::Uint256 target = branch[round % 2][round].GetHash();
            if (cs.LookupBlockIndex(target) == nullptr) continue;
            (void)cs.InvalidateBlock(target);
            (void)cs.ReconsiderBlock(target);
        }
    });
    for (auto& t : writers) t.join();
    cs.SyncWithNotifications();
    cs.RemoveListener(&replay);
    cs.RemoveListener(&sync_replay);
    // How many reorgs happen depends on the scheduler, and so does the final height (a block
    // that arrives while its parent is invalidated is refused for good); every block from
    // the fork to the final tip was connected at least once. Block 4 of branch 1 is never
    // invalidated, so the tip is above the fork.
    CHECK(cs.Height() > 3);
    CHECK(replay.events >= cs.Height() - 3);
    CHECK(replay.out_of_order == 0);
    CHECK(replay.Tip() == cs.Tip());
    REQUIRE(replay.threads.size() == 1);
    CHECK(writer_ids.count(*replay.threads.begin()) == 0);
    CHECK(sync_replay.events == replay.events);
    CHECK(sync_replay.out_of_order == 0);
    CHECK(sync_replay.Tip() == cs.Tip());
    for (const auto& id : sync_replay.threads) CHECK(writer_ids.count(id) == 1);
}
