// Core 28's package RBF (doc/policy/packages.md, "Package Replacements") in AcceptPackage: a
// one-parent-one-child package replacing pool transactions in clusters of at most two, with
// Core's "package RBF failed: ..." reasons.
#include "mempool_accept_fixture.h"

#include <catch2/catch.hpp>

using namespace consensus;
using namespace mempool_accept_test;
using node::mempool::AcceptResult;
using node::mempool::PackageResult;
using testutil::CoinOf;

namespace {

const AcceptResult& ResultOf(const PackageResult& pr, const TransactionRef& tx)
{
    const AcceptResult* r = FindResult(pr, tx);
    if (!r) FAIL("no result for " << tx->GetTxid().GetHex());
    return *r;
}

void RequireRbfFailure(const PackageResult& pr, const std::string& reason)
{
    INFO(pr.state.ToString());
    CHECK(pr.policy_failure);
    CHECK(pr.state.GetRejectReason() == "package RBF failed: " + reason);
}

} // namespace

TEST_CASE("package RBF: a parent too cheap to replace alone gets in with its child", "[node][mempool_package]")
{
    Fixture f;
    const TransactionRef original = f.Spend(2, f.Coinbase(1), 1000);
    RequireValid(f.Accept(original));
    const TransactionRef parent = f.Spend(2, f.Coinbase(1), 200);
    const TransactionRef child = f.Spend(2, CoinOf(parent, 0), 20'000);
    RequireInvalid(f.Accept(parent, true), TxValidationResult::RECONSIDERABLE, "insufficient fee");

    const PackageResult pr = f.acc.AcceptPackage({parent, child}, f.now);
    INFO(pr.state.ToString());
    REQUIRE(pr.state.IsValid());
    RequireValid(ResultOf(pr, parent));
    RequireValid(ResultOf(pr, child));
    REQUIRE(ResultOf(pr, parent).replaced.size() == 1);
    CHECK(ResultOf(pr, parent).replaced[0]->GetTxid() == original->GetTxid());
    CHECK(!f.pool.Exists(original->GetTxid()));
    CHECK(f.pool.Exists(parent->GetTxid()));
    CHECK(f.pool.Exists(child->GetTxid()));
    f.pool.Check();
}

TEST_CASE("package RBF: a child left alone (its parent got in) is judged alone, not as a package",
          "[node][mempool_package]")
{
    Fixture f;
    const TransactionRef original = f.Spend(2, f.Coinbase(2), 5000);
    RequireValid(f.Accept(original));
    // The parent pays for itself; the child spends it and the coin original spends, too cheaply
    // to replace original: it fails alone, as Core's AcceptSubPackage of one transaction.
    const TransactionRef parent = f.Spend(2, f.Coinbase(1), 1000);
    const TransactionRef child =
        f.Make(2, {CoinOf(parent, 0), f.Coinbase(2)},
               {f.Pay(CoinOf(parent, 0).txout.value.sats + f.Coinbase(2).txout.value.sats - 2000)});
    const PackageResult pr = f.acc.AcceptPackage({parent, child}, f.now);
    INFO(pr.state.ToString());
    CHECK(!pr.policy_failure);
    CHECK(pr.state.GetRejectReason() == "transaction failed");
    RequireValid(ResultOf(pr, parent));
    RequireInvalid(ResultOf(pr, child), TxValidationResult::RECONSIDERABLE, "insufficient fee");
    CHECK(f.pool.Exists(original->GetTxid()));
    CHECK(f.pool.Exists(parent->GetTxid()));
    f.pool.Check();
}

TEST_CASE("package RBF: the package pays for what it evicts and is a chunk of its own", "[node][mempool_package]")
{
    Fixture f;
    const TransactionRef original = f.Spend(2, f.Coinbase(1), 30'000);
    RequireValid(f.Accept(original));
    // Less than the evicted fees.
    const TransactionRef parent = f.Spend(2, f.Coinbase(1), 200);
    const TransactionRef child = f.Spend(2, CoinOf(parent, 0), 20'000);
    PackageResult pr = f.acc.AcceptPackage({parent, child}, f.now);
    RequireRbfFailure(pr, "insufficient anti-DoS fees");
    CHECK(pr.state.GetDebugMessage().find(", less fees than conflicting txs; ") != std::string::npos);
    // Each transaction keeps its own result (Core's individual results).
    RequireInvalid(ResultOf(pr, parent), TxValidationResult::RECONSIDERABLE, "insufficient fee");
    RequireInvalid(ResultOf(pr, child), TxValidationResult::MISSING_INPUTS, "bad-txns-inputs-missingorspent");
    CHECK(f.pool.Exists(original->GetTxid()));

    // A child paying no more per byte than its parent: the package is no better chunk.
    Fixture g;
    const TransactionRef cheap = g.Spend(2, g.Coinbase(1), 1000);
    RequireValid(g.Accept(cheap));
    const TransactionRef p2 = g.Spend(2, g.Coinbase(1), 900);
    const TransactionRef c2 = g.Spend(2, CoinOf(p2, 0), 890);
    pr = g.acc.AcceptPackage({p2, c2}, g.now);
    RequireRbfFailure(pr, "package feerate is less than or equal to parent feerate");
    CHECK(pr.state.GetDebugMessage().rfind("package feerate ", 0) == 0);
    CHECK(g.pool.Exists(cheap->GetTxid()));
    CHECK(g.pool.Size() == 1);
}

TEST_CASE("package RBF: only conflicts in clusters of two, and no pool ancestors", "[node][mempool_package]")
{
    Fixture f;
    const auto cb = f.Coinbase(1);
    const TransactionRef a = f.Spend(2, cb, 1000);
    const TransactionRef a1 = f.Spend(2, CoinOf(a, 0), 1000);
    const TransactionRef a2 = f.Spend(2, CoinOf(a1, 0), 1000);
    RequireValid(f.Accept(a));
    RequireValid(f.Accept(a1));
    RequireValid(f.Accept(a2));
    const TransactionRef parent = f.Spend(2, cb, 200);
    const TransactionRef child = f.Spend(2, CoinOf(parent, 0), 50'000);
    PackageResult pr = f.acc.AcceptPackage({parent, child}, f.now);
    RequireRbfFailure(pr, a->GetTxid().GetHex() + " has 2 descendants, max 1 allowed");

    // Replacing the middle one: the new parent spends a pool transaction.
    const TransactionRef p2 = f.Spend(2, CoinOf(a, 0), 200);
    const TransactionRef c2 = f.Spend(2, CoinOf(p2, 0), 50'000);
    pr = f.acc.AcceptPackage({p2, c2}, f.now);
    RequireRbfFailure(pr, "new transaction cannot have mempool ancestors");
    CHECK(f.pool.Size() == 3);

    // Two parents (both too cheap alone) and a child: not a package RBF may replace for.
    Fixture g;
    const TransactionRef x = g.Spend(2, g.Coinbase(1), 1000);
    const TransactionRef y = g.Spend(2, g.Coinbase(2), 1000);
    RequireValid(g.Accept(x));
    RequireValid(g.Accept(y));
    const TransactionRef px = g.Spend(2, g.Coinbase(1), 200);
    const TransactionRef py = g.Spend(2, g.Coinbase(2), 200);
    const TransactionRef both =
        g.Make(2, {CoinOf(px, 0), CoinOf(py, 0)},
               {g.Pay(CoinOf(px, 0).txout.value.sats + CoinOf(py, 0).txout.value.sats - 50'000)});
    pr = g.acc.AcceptPackage({px, py, both}, g.now);
    RequireRbfFailure(pr, "package must be 1-parent-1-child");
    CHECK(g.pool.Size() == 2);
}

TEST_CASE("package RBF: the pool's fee rate diagram must improve", "[node][mempool_package]")
{
    // The conflict's cluster: a cheap parent and a rich child, mined together (one chunk).
    auto setup = [](Fixture& f, TransactionRef& a, TransactionRef& a1) {
        a = f.Spend(2, f.Coinbase(1), 200);
        a1 = f.Spend(2, CoinOf(a, 0), 10'000);
        RequireValid(f.Accept(a));
        RequireValid(f.Accept(a1));
    };
    // A bigger package paying a little more in total but less per byte: the anti-DoS fees are
    // paid, yet the diagram is worse at the old chunk's size.
    auto make_child = [](Fixture& f, const TransactionRef& parent, int64_t fee) {
        const int64_t value = CoinOf(parent, 0).txout.value.sats - fee;
        return f.Make(2, {CoinOf(parent, 0)}, {f.Pay(value - 3000), f.Pay(1000), f.Pay(1000), f.Pay(1000)});
    };
    Fixture f;
    TransactionRef a, a1;
    setup(f, a, a1);
    const TransactionRef parent = f.Spend(2, f.Coinbase(1), 150);
    PackageResult pr = f.acc.AcceptPackage({parent, make_child(f, parent, 10'100)}, f.now);
    RequireRbfFailure(pr, "insufficient feerate: does not improve feerate diagram");
    CHECK(f.pool.Size() == 2);

    // Paying enough per byte, the same shape replaces both.
    const TransactionRef rich = make_child(f, parent, 30'000);
    pr = f.acc.AcceptPackage({parent, rich}, f.now);
    INFO(pr.state.ToString());
    REQUIRE(pr.state.IsValid());
    CHECK(!f.pool.Exists(a->GetTxid()));
    CHECK(!f.pool.Exists(a1->GetTxid()));
    CHECK(f.pool.Exists(rich->GetTxid()));
    f.pool.Check();
}

TEST_CASE("package RBF: at most 100 transactions evicted", "[node][mempool_package]")
{
    Fixture f({}, [](node::mempool::TxMemPool::Options& o) {
        o.limits.ancestor_count = 200;
        o.limits.descendant_count = 200;
    });
    const auto cb = f.Coinbase(1);
    TransactionRef tip = f.Spend(2, cb, 1000);
    const TransactionRef first = tip;
    RequireValid(f.Accept(tip));
    for (int i = 0; i < 100; ++i) { // the conflict and 100 descendants: 101 to evict
        tip = f.Spend(2, CoinOf(tip, 0), 1000);
        RequireValid(f.Accept(tip));
    }
    const TransactionRef parent = f.Spend(2, cb, 200);
    const TransactionRef child = f.Spend(2, CoinOf(parent, 0), 5'000'000);
    const PackageResult pr = f.acc.AcceptPackage({parent, child}, f.now);
    RequireRbfFailure(pr, "too many potential replacements");
    CHECK(pr.state.GetDebugMessage() ==
          "rejecting replacement " + child->GetTxid().GetHex() + "; too many potential replacements (101 > 100)");
    CHECK(f.pool.Exists(first->GetTxid()));
    CHECK(f.pool.Size() == 101);
}
