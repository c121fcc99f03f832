// The -par script-check pool: checks handed over while the caller keeps working are all
// run once, a failure is reported by its index, and a session abandoned early (a block
// failing a serial check) waits for its workers instead of leaving them on freed data.
#include "node/chain/script_check_pool.h"

#include "consensus/script/script.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <memory>
#include <optional>

using namespace consensus;
using node::chain::CheckPool;
using node::chain::ScriptCheck;
using node::chain::ScriptCheckPool;

namespace {

/** A transaction with n inputs, and for each a spent output that is OP_1 (passes) or OP_0 (fails). */
struct Inputs {
    Transaction tx;
    std::vector<TxOut> spent;
    PrecomputedTransactionData txdata;

    Inputs(size_t n, const std::vector<size_t>& failing) : tx(Make(n))
    {
        for (size_t i = 0; i < n; ++i) {
            Script spk;
            const bool fails = std::find(failing.begin(), failing.end(), i) != failing.end();
            spk << (fails ? OP_0 : OP_1);
            spent.emplace_back(Amount{1000}, spk);
        }
        txdata.Init(tx, std::vector<TxOut>(spent));
    }

    static Transaction Make(size_t n)
    {
        MutableTransaction mtx;
        mtx.version = 2;
        for (size_t i = 0; i < n; ++i) {
            TxIn in;
            in.prevout = OutPoint(Uint256::FromHex(std::string(63, '0') + "1").value(), static_cast<uint32_t>(i));
            mtx.vin.push_back(in);
        }
        mtx.vout.emplace_back(Amount{1}, Script() << OP_1);
        return Transaction(std::move(mtx));
    }

    ScriptCheck Check(size_t i) const
    {
        ScriptCheck c;
        c.tx = &tx;
        c.input = static_cast<unsigned>(i);
        c.spent = &spent[i];
        c.flags = 0;
        c.txdata = &txdata;
        return c;
    }
};

} // namespace

TEST_CASE("The script-check pool runs checks released while the caller works, on any thread count", "[node]")
{
    for (int threads : {1, 2, 4}) {
        ScriptCheckPool pool(threads);
        REQUIRE(pool.Threads() == threads);
        for (int round = 0; round < 3; ++round) { // sessions reuse the same workers
            const Inputs in(500, {});
            ScriptCheckPool::Session session(pool, in.tx.vin.size());
            for (size_t i = 0; i < in.tx.vin.size(); ++i) {
                session.Add(in.Check(i));
                if (i % 3 == 2) session.Release();
            }
            CHECK_FALSE(session.Join().has_value());
            // Every check ran: a check that never ran keeps its initial UNKNOWN_ERROR.
            for (const ScriptCheck& c : session.Checks()) CHECK(c.error == ScriptError::OK);
        }
    }
}

TEST_CASE("The script-check pool reports a failing input by its index and why", "[node]")
{
    for (int threads : {1, 2, 3}) {
        const Inputs in(300, {217});
        ScriptCheckPool pool(threads);
        ScriptCheckPool::Session session(pool, in.tx.vin.size());
        for (size_t i = 0; i < in.tx.vin.size(); ++i) {
            session.Add(in.Check(i));
            session.Release();
        }
        const auto failed = session.Join();
        REQUIRE(failed.has_value());
        CHECK(*failed == 217);
        CHECK(session.Checks()[217].error == ScriptError::EVAL_FALSE);
    }
}

TEST_CASE("An empty session and one abandoned before Join leave the pool usable", "[node]")
{
    ScriptCheckPool pool(2);
    {
        ScriptCheckPool::Session empty(pool, 0);
        CHECK_FALSE(empty.Join().has_value());
    }
    {
        // Abandoned: the data the checks point to is freed right after the session,
        // which must first wait for any check a worker is running.
        auto in = std::make_unique<Inputs>(200, std::vector<size_t>{});
        {
            ScriptCheckPool::Session abandoned(pool, in->tx.vin.size());
            for (size_t i = 0; i < in->tx.vin.size(); ++i) abandoned.Add(in->Check(i));
            abandoned.Release();
        }
        in.reset();
    }
    const Inputs in(50, {49});
    ScriptCheckPool::Session session(pool, in.tx.vin.size());
    for (size_t i = 0; i < in.tx.vin.size(); ++i) session.Add(in.Check(i));
    CHECK(session.Join() == std::optional<size_t>(49));
}

TEST_CASE("A script-check session refuses more checks than its capacity", "[node]")
{
    const Inputs in(3, {});
    ScriptCheckPool pool(2);
    ScriptCheckPool::Session session(pool, 2);
    session.Add(in.Check(0));
    session.Add(in.Check(1));
    CHECK_THROWS_AS(session.Add(in.Check(2)), std::logic_error);
    CHECK_FALSE(session.Join().has_value());
}

namespace {

/** A check that, once started, holds its thread until the test lets it go. */
struct HeldCheck {
    std::latch* started{nullptr};
    std::promise<void>* release_promise{nullptr};
    std::shared_future<void> release;
    std::atomic<bool>* finished{nullptr};

    bool operator()()
    {
        started->count_down();
        release.wait();
        finished->store(true);
        return true;
    }
};

} // namespace

TEST_CASE("A cancelled session waits for the check a worker is holding", "[node]")
{
    CheckPool<HeldCheck> pool(2); // one worker; the caller never takes a check when cancelling
    std::latch started(1);
    std::promise<void> release_promise;
    std::atomic<bool> finished{false};
    const HeldCheck check{&started, &release_promise, release_promise.get_future().share(), &finished};

    std::optional<CheckPool<HeldCheck>::Session> session;
    session.emplace(pool, 1);
    session->Add(check);
    session->Release();
    started.wait(); // the worker is inside the check now

    // Cancel (destroy without Join) on another thread; it must not return while the check runs.
    std::atomic<bool> finished_when_cancel_returned{false};
    auto cancelled = std::async(std::launch::async, [&] {
        session.reset();
        finished_when_cancel_returned.store(finished.load());
    });
    // A cancel that did not wait would return at once; give it ample time to do so. (This
    // bounds how long a broken pool has to show itself; a correct one cannot return here
    // whatever the timing, so the check below never fails spuriously.)
    CHECK(cancelled.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
    release_promise.set_value();
    cancelled.get();
    CHECK(finished_when_cancel_returned.load());
}
