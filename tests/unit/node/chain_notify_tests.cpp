// Chain notifications (node/chain/notifications.*): asynchronous listeners never hold up
// validation beyond the queue's bound, synchronous ones are current when the writer's call
// returns, SyncWithNotifications waits for the queue, RemoveListener for a call in progress,
// and closing the chainstate delivers what is still queued. The order of events under
// concurrent writers is tested in chain_concurrency_tests.cpp.
#include "chain_builder.h"

#include "node/chain/notifications.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using node::chain::BlockIndex;
using node::chain::Delivery;
using testutil::ChainBuilder;

namespace {

constexpr auto LONG_WAIT = std::chrono::seconds(60);

/** A latch listeners wait on until the test opens it; counts the threads that arrived. */
class Gate {
public:
    void Wait()
    {
        std::unique_lock lock(m_mutex);
        ++m_arrived;
        m_cv.notify_all();
        m_cv.wait(lock, [this] { return m_open; });
    }
    void Open()
    {
        std::lock_guard lock(m_mutex);
        m_open = true;
        m_cv.notify_all();
    }
    /** Waits (bounded) until n threads have arrived; false on timeout. */
    bool WaitArrived(int n)
    {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, LONG_WAIT, [&] { return m_arrived >= n; });
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    int m_arrived{0};
    bool m_open{false};
};

/** Records events as "C<height>", "D<height>", "T<height>"; its first call waits at the gate. */
class GatedRecorder : public node::chain::ChainListener {
public:
    explicit GatedRecorder(Gate& gate, bool gate_every_call = false) : m_gate(gate), m_every(gate_every_call) {}
    void BlockConnected(const std::shared_ptr<const consensus::Block>&, const BlockIndex* index) override
    {
        Record("C" + std::to_string(index->height));
    }
    void BlockDisconnected(const std::shared_ptr<const consensus::Block>&, const BlockIndex* index) override
    {
        Record("D" + std::to_string(index->height));
    }
    void UpdatedBlockTip(const BlockIndex* tip, const BlockIndex*, bool) override
    {
        Record("T" + std::to_string(tip->height));
    }
    std::vector<std::string> Events()
    {
        std::lock_guard lock(m_mutex);
        return m_events;
    }
    std::atomic<int> calls_returned{0};

private:
    void Record(std::string event)
    {
        bool wait = false;
        {
            std::lock_guard lock(m_mutex);
            m_events.push_back(std::move(event));
            wait = m_every || m_events.size() == 1;
        }
        if (wait) m_gate.Wait();
        ++calls_returned;
    }
    Gate& m_gate;
    const bool m_every;
    std::mutex m_mutex;
    std::vector<std::string> m_events;
};

/** The blocks of a reference chain at heights 1..n, to submit elsewhere from any thread. */
std::vector<std::shared_ptr<const consensus::Block>> ReferenceBlocks(int n)
{
    ChainBuilder ref(1);
    ref.MineBlocks(n);
    std::vector<std::shared_ptr<const consensus::Block>> out;
    for (int h = 1; h <= n; ++h) {
        out.push_back(std::make_shared<const consensus::Block>(*ref.Chain().ReadBlock(ref.Chain().AtHeight(h))));
    }
    return out;
}

std::vector<std::string> ConnectsAndTips(int from, int to)
{
    std::vector<std::string> out;
    for (int h = from; h <= to; ++h) {
        out.push_back("C" + std::to_string(h));
        out.push_back("T" + std::to_string(h));
    }
    return out;
}

} // namespace

TEST_CASE("A blocked asynchronous listener does not stop block connection until the queue is full", "[chain][notify]")
{
    // The listener blocks in its first call (C1). ProcessNewBlock still returns for block
    // after block: each leaves two events (connect, tip) queued. Before each step a writer
    // waits while more than MAX_QUEUED_EVENTS (10) are pending, so blocks 1..6 go through
    // (12 pending) and block 7 waits. Opening the gate lets everything finish, in order.
    static_assert(node::chain::ChainNotifier::MAX_QUEUED_EVENTS == 10);
    const auto blocks = ReferenceBlocks(12);
    ChainBuilder b(1);
    node::chain::Chainstate& cs = b.Chain();
    Gate gate;
    GatedRecorder listener(gate);
    cs.AddListener(&listener);
    std::atomic<int> submitted{0};
    std::thread writer([&] {
        for (const auto& blk : blocks) {
            (void)cs.ProcessNewBlock(blk);
            ++submitted;
        }
    });
    const bool arrived = gate.WaitArrived(1);
    const auto deadline = std::chrono::steady_clock::now() + LONG_WAIT;
    while (submitted.load() < 6 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const int passed = submitted.load();
    // The writer now waits for room, however long we wait.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const int after_pause = submitted.load();
    const size_t pending = cs.PendingNotifications();
    gate.Open();
    writer.join();
    cs.SyncWithNotifications();
    cs.RemoveListener(&listener);
    REQUIRE(arrived);
    CHECK(passed == 6);
    CHECK(after_pause == 6);
    CHECK(pending == 12);
    CHECK(cs.Height() == 12);
    CHECK(cs.PendingNotifications() == 0);
    CHECK(listener.Events() == ConnectsAndTips(1, 12));
}

namespace {

/** A synchronous listener: what it saw, on which thread, and the tip readers saw then. */
class SyncWitness : public node::chain::ChainListener {
public:
    explicit SyncWitness(node::chain::Chainstate& cs) : m_cs(cs) {}
    struct Call {
        char kind;
        consensus::Uint256 hash;
        std::thread::id thread;
        consensus::Uint256 reader_tip;   // through the readers' API, inside the call
        consensus::Uint256 snapshot_tip; // through the tip snapshot (getbestblockhash's), then
    };
    void BlockConnected(const std::shared_ptr<const consensus::Block>& block, const BlockIndex*) override
    {
        Note('C', block->GetHash());
    }
    void BlockDisconnected(const std::shared_ptr<const consensus::Block>& block, const BlockIndex*) override
    {
        Note('D', block->GetHash());
    }
    std::optional<Call> Last()
    {
        std::lock_guard lock(m_mutex);
        if (m_calls.empty()) return std::nullopt;
        return m_calls.back();
    }
    std::vector<Call> Calls()
    {
        std::lock_guard lock(m_mutex);
        return m_calls;
    }

private:
    void Note(char kind, const consensus::Uint256& hash)
    {
        const consensus::Uint256 tip = m_cs.Tip()->GetBlockHash();
        const consensus::Uint256 snapshot = m_cs.GetTipSnapshot().hash;
        std::lock_guard lock(m_mutex);
        m_calls.push_back({kind, hash, std::this_thread::get_id(), tip, snapshot});
    }
    node::chain::Chainstate& m_cs;
    std::mutex m_mutex;
    std::vector<Call> m_calls;
};

} // namespace

TEST_CASE("A synchronous listener has seen a change when the call that made it returns", "[chain][notify]")
{
    // Connects and disconnects reach a synchronous listener on the writer's own thread,
    // before ProcessNewBlock / InvalidateBlock return, with the change already visible to
    // readers (the view lock is not held: the listener reads the tip inside its call).
    ChainBuilder b(1);
    b.MineBlocks(3);
    node::chain::Chainstate& cs = b.Chain();
    SyncWitness witness(cs);
    cs.AddListener(&witness, Delivery::SYNC);

    const consensus::Block first = b.MakeBlock(cs.Tip());
    REQUIRE(b.Submit(first).IsValid());
    auto last = witness.Last();
    REQUIRE(last);
    CHECK(last->kind == 'C');
    CHECK(last->hash == first.GetHash());
    CHECK(last->thread == std::this_thread::get_id());
    CHECK(last->reader_tip == first.GetHash());

    // From another writer thread: seen on that thread before its call returns.
    const consensus::Block second = b.MakeBlock(cs.LookupBlockIndex(first.GetHash()));
    std::optional<SyncWitness::Call> seen_in_writer;
    std::thread::id writer_id;
    std::thread writer([&] {
        writer_id = std::this_thread::get_id();
        (void)cs.ProcessNewBlock(std::make_shared<const consensus::Block>(second));
        seen_in_writer = witness.Last();
    });
    writer.join();
    REQUIRE(seen_in_writer);
    CHECK(seen_in_writer->kind == 'C');
    CHECK(seen_in_writer->hash == second.GetHash());
    CHECK(seen_in_writer->thread == writer_id);

    REQUIRE(cs.InvalidateBlock(second.GetHash()).IsValid());
    last = witness.Last();
    REQUIRE(last);
    CHECK(last->kind == 'D');
    CHECK(last->hash == second.GetHash());
    CHECK(last->thread == std::this_thread::get_id());
    CHECK(last->reader_tip == first.GetHash());
    cs.RemoveListener(&witness);
}

TEST_CASE("The tip snapshot moves with the chain at each block of a many-block step", "[chain][notify]")
{
    // getblockchaininfo reads the chain, getbestblockhash and getblockcount the snapshot: a
    // client reading one then the other must never see the second behind the first (the
    // snapshot was once published only at the end of a step, so a restart's catch-up or a
    // reconsiderblock showed "blocks" ahead of getbestblockhash for the whole step).
    ChainBuilder b(1);
    b.MineBlocks(4);
    node::chain::Chainstate& cs = b.Chain();
    const consensus::Uint256 top = cs.Tip()->GetBlockHash();
    const consensus::Uint256 second = cs.AtHeight(2)->GetBlockHash();
    REQUIRE(cs.InvalidateBlock(second).IsValid());
    REQUIRE(cs.Height() == 1);
    SyncWitness witness(cs);
    cs.AddListener(&witness, Delivery::SYNC);
    REQUIRE(cs.ReconsiderBlock(second).IsValid());
    cs.RemoveListener(&witness);
    const std::vector<SyncWitness::Call> calls = witness.Calls();
    REQUIRE(calls.size() == 3); // heights 2, 3 and 4, in one step
    for (const SyncWitness::Call& c : calls) {
        CHECK(c.kind == 'C');
        CHECK(c.reader_tip == c.hash);
        CHECK(c.snapshot_tip == c.hash);
    }
    CHECK(cs.GetTipSnapshot().hash == top);
}

TEST_CASE("A reorganisation's walk back to the fork is not shown by the tip snapshot", "[chain][notify]")
{
    // As in Core (cs_main held over the step), getbestblockhash and waitfornewblock go from the
    // old tip to the new branch's blocks; they never show the fork point, an older block.
    ChainBuilder b(1);
    b.MineBlocks(4);
    node::chain::Chainstate& cs = b.Chain();
    const consensus::Uint256 old_tip = cs.Tip()->GetBlockHash();
    const BlockIndex* fork = cs.AtHeight(2);
    std::vector<consensus::Block> branch{b.MakeBlock(fork)};
    REQUIRE(b.Submit(branch.back()).IsValid());
    for (int i = 0; i < 2; ++i) {
        branch.push_back(b.MakeBlock(cs.LookupBlockIndex(branch.back().GetHash())));
        if (i == 0) REQUIRE(b.Submit(branch.back()).IsValid()); // as much work as the active chain
    }
    REQUIRE(cs.Tip()->GetBlockHash() == old_tip);
    SyncWitness witness(cs);
    cs.AddListener(&witness, Delivery::SYNC);
    REQUIRE(b.Submit(branch.back()).IsValid()); // more work: disconnect 4 and 3, connect 3', 4', 5'
    cs.RemoveListener(&witness);
    const std::vector<SyncWitness::Call> calls = witness.Calls();
    REQUIRE(calls.size() == 5);
    for (size_t i = 0; i < 2; ++i) {
        CHECK(calls[i].kind == 'D');
        CHECK(calls[i].snapshot_tip == old_tip);
    }
    for (size_t i = 2; i < 5; ++i) {
        CHECK(calls[i].kind == 'C');
        CHECK(calls[i].hash == branch[i - 2].GetHash());
        CHECK(calls[i].snapshot_tip == calls[i].hash);
    }
    CHECK(cs.GetTipSnapshot().hash == branch.back().GetHash());
}

TEST_CASE("SyncWithNotifications returns once a slow listener has everything queued before the call", "[chain][notify]")
{
    // The listener is stuck in its first call while three blocks' six events are queued; a
    // second thread calls SyncWithNotifications. The gate opens only later, so the call can
    // return only after all six were delivered.
    ChainBuilder b(1);
    node::chain::Chainstate& cs = b.Chain();
    Gate gate;
    GatedRecorder listener(gate);
    cs.AddListener(&listener);
    b.MineBlocks(3);
    REQUIRE(gate.WaitArrived(1));
    std::atomic<bool> returned{false};
    std::vector<std::string> seen_at_return;
    std::thread syncer([&] {
        cs.SyncWithNotifications();
        seen_at_return = listener.Events();
        returned = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const bool returned_early = returned.load();
    gate.Open();
    syncer.join();
    cs.RemoveListener(&listener);
    CHECK_FALSE(returned_early);
    CHECK(seen_at_return == ConnectsAndTips(1, 3));
    CHECK(listener.calls_returned.load() == 6);
}

TEST_CASE("RemoveListener waits for a call in progress to that listener", "[chain][notify]")
{
    ChainBuilder b(1);
    node::chain::Chainstate& cs = b.Chain();
    Gate gate;
    GatedRecorder listener(gate);
    cs.AddListener(&listener);
    REQUIRE(b.Mine().IsValid());
    REQUIRE(gate.WaitArrived(1)); // inside BlockConnected now
    std::atomic<bool> removed{false};
    int returned_at_removal = -1;
    std::thread remover([&] {
        cs.RemoveListener(&listener);
        returned_at_removal = listener.calls_returned.load();
        removed = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const bool removed_early = removed.load();
    gate.Open();
    remover.join();
    CHECK_FALSE(removed_early);
    CHECK(returned_at_removal == 1);
    // Nothing more reaches it: the tip event still queued and later blocks are not delivered.
    REQUIRE(b.Mine().IsValid());
    cs.SyncWithNotifications();
    CHECK(listener.Events() == std::vector<std::string>{"C1"});
}

TEST_CASE("Closing the chainstate delivers the events still queued", "[chain][notify]")
{
    // As Core flushes its callbacks at shutdown: the listener is stuck while three blocks'
    // events queue up; the chainstate closes on another thread; once the gate opens, every
    // event is delivered before the close finishes.
    auto builder = std::make_unique<ChainBuilder>(1);
    Gate gate;
    GatedRecorder listener(gate);
    builder->Chain().AddListener(&listener);
    builder->MineBlocks(3);
    REQUIRE(gate.WaitArrived(1));
    std::atomic<bool> closed{false};
    std::thread closer([&] {
        builder.reset();
        closed = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const bool closed_early = closed.load();
    gate.Open();
    closer.join();
    CHECK_FALSE(closed_early);
    CHECK(listener.Events() == ConnectsAndTips(1, 3));
}

namespace {

/** Counts the transactions added that reach it; opts out of mempool events if told to. */
class TxCounter : public node::chain::ChainListener {
public:
    explicit TxCounter(bool wants) : m_wants(wants) {}
    void TransactionAddedToMempool(const consensus::TransactionRef&) override { ++added; }
    bool WantsMempoolEvents() const override { return m_wants; }
    std::atomic<int> added{0};

private:
    const bool m_wants;
};

} // namespace

TEST_CASE("Mempool events are queued only for listeners that want them", "[chain][notify]")
{
    ChainBuilder b(1);
    node::chain::Chainstate& cs = b.Chain();
    const consensus::TransactionRef tx = consensus::MakeTransactionRef(consensus::MutableTransaction{});
    // A blocks-only listener stuck in its first call: the transaction events add nothing to
    // the queue behind it, and it is never called with them.
    Gate gate;
    struct GatedBlocksOnly : GatedRecorder {
        using GatedRecorder::GatedRecorder;
        bool WantsMempoolEvents() const override { return false; }
    } blocks_only(gate);
    struct BlocksOnly : TxCounter {
        BlocksOnly() : TxCounter(false) {}
    } opted_out;
    cs.AddListener(&blocks_only);
    cs.AddListener(&opted_out);
    b.MineBlocks(1);
    REQUIRE(gate.WaitArrived(1));
    const size_t pending = cs.PendingNotifications();
    for (int i = 0; i < 3; ++i) cs.NotifyTransactionAdded(tx);
    CHECK(cs.PendingNotifications() == pending);
    gate.Open();
    cs.SyncWithNotifications();
    // With a listener that wants them, they are delivered to it alone.
    TxCounter wants(true);
    cs.AddListener(&wants);
    for (int i = 0; i < 2; ++i) cs.NotifyTransactionAdded(tx);
    cs.SyncWithNotifications();
    cs.RemoveListener(&wants);
    cs.RemoveListener(&opted_out);
    cs.RemoveListener(&blocks_only);
    CHECK(wants.added.load() == 2);
    CHECK(opted_out.added.load() == 0);
}
