// Packages judged without changing the pool (Core's ProcessNewPackage with test_accept, as
// testmempoolaccept runs it for several transactions): Core's reject strings and which
// transactions get a result.
#include "mempool_accept_fixture.h"

#include <catch2/catch.hpp>

using namespace consensus;
using namespace mempool_accept_test;
using node::mempool::AcceptResult;
using node::mempool::PackageResult;
using testutil::CoinOf;

namespace {

const AcceptResult* ResultOf(const PackageResult& pr, const TransactionRef& tx) { return FindResult(pr, tx); }

void RequirePackageError(const PackageResult& pr, const std::string& reason)
{
    INFO(pr.state.ToString());
    CHECK(pr.policy_failure);
    CHECK(pr.state.GetRejectReason() == reason);
    CHECK(pr.results.empty());
}

} // namespace

TEST_CASE("test-accept package: a child may spend an earlier transaction's output; the pool is unchanged",
          "[node][mempool_package]")
{
    Fixture f;
    const TransactionRef parent = f.Spend(2, f.Coinbase(1), 2000);
    const TransactionRef child = f.Spend(2, CoinOf(parent, 0), 3000);
    const TransactionRef grandchild = f.Spend(2, CoinOf(child, 0), 4000);
    // Alone, the child's input is missing.
    RequireInvalid(f.Accept(child, /*test=*/true), TxValidationResult::MISSING_INPUTS,
                   "bad-txns-inputs-missingorspent");

    const PackageResult pr = f.acc.TestAcceptPackage({parent, child, grandchild}, f.now);
    INFO(pr.state.ToString());
    REQUIRE(pr.state.IsValid());
    CHECK(!pr.policy_failure);
    REQUIRE(pr.results.size() == 3);
    const int64_t fees[] = {2000, 3000, 4000};
    const TransactionRef txs[] = {parent, child, grandchild};
    for (size_t i = 0; i < 3; ++i) {
        const AcceptResult* r = ResultOf(pr, txs[i]);
        REQUIRE(r);
        RequireValid(*r);
        CHECK(r->base_fee == Amount{fees[i]});
        CHECK(r->vsize == VSize(txs[i]));
        // Each at its own fee rate: no package fee rate in a test (Core's PackageTestAccept).
        REQUIRE(r->effective_feerate);
        CHECK(*r->effective_feerate == node::mempool::FeeRate(Amount{fees[i]}, VSize(txs[i])));
        CHECK(r->effective_feerate_wtxids == std::vector<Uint256>{txs[i]->GetWtxid()});
    }
    CHECK(f.pool.Size() == 0);
}

TEST_CASE("test-accept package: malformed packages get a package error and no result", "[node][mempool_package]")
{
    Fixture f;
    const TransactionRef parent = f.Spend(2, f.Coinbase(1), 2000);
    const TransactionRef child = f.Spend(2, CoinOf(parent, 0), 3000);
    RequirePackageError(f.acc.TestAcceptPackage({child, parent}, f.now), "package-not-sorted");
    RequirePackageError(f.acc.TestAcceptPackage({parent, parent}, f.now), "package-contains-duplicates");
    const TransactionRef rival = f.Spend(2, f.Coinbase(1), 5000);
    RequirePackageError(f.acc.TestAcceptPackage({parent, rival}, f.now), "conflict-in-package");
    RequirePackageError(f.acc.TestAcceptPackage({parent, rival, child}, f.now), "conflict-in-package");
    std::vector<TransactionRef> many;
    for (int h = 1; h <= 26; ++h) many.push_back(f.Spend(2, f.Coinbase(h), 1000));
    RequirePackageError(f.acc.TestAcceptPackage(many, f.now), "package-too-many-transactions");
    many.pop_back();
    // 25 independent transactions are a package too (any topology in a test); the immature
    // coinbases fail, and only that first failure gets a result.
    const PackageResult pr = f.acc.TestAcceptPackage(many, f.now);
    CHECK(!pr.policy_failure);
    CHECK(pr.state.GetRejectReason() == "transaction failed");
    REQUIRE(pr.results.size() == 1);
    CHECK(pr.results[0].first == many[11]->GetWtxid()); // height 12: the first immature coinbase
    CHECK(pr.results[0].second.state.GetRejectReason() == "bad-txns-premature-spend-of-coinbase");
}

TEST_CASE("test-accept package: no replacement of pool transactions, and none already there", "[node][mempool_package]")
{
    Fixture f;
    const TransactionRef original = f.Spend(2, f.Coinbase(1), 2000);
    RequireValid(f.Accept(original));
    const TransactionRef replacement = f.Spend(2, f.Coinbase(1), 20000);
    RequireValid(f.Accept(replacement, /*test=*/true)); // alone, a valid replacement
    const TransactionRef other = f.Spend(2, f.Coinbase(2), 2000);

    PackageResult pr = f.acc.TestAcceptPackage({other, replacement}, f.now);
    CHECK(!pr.policy_failure);
    CHECK(pr.state.GetRejectReason() == "transaction failed");
    CHECK(ResultOf(pr, other) == nullptr); // its scripts were never checked
    REQUIRE(ResultOf(pr, replacement));
    RequireInvalid(*ResultOf(pr, replacement), TxValidationResult::MEMPOOL_POLICY, "bip125-replacement-disallowed");

    pr = f.acc.TestAcceptPackage({original, other}, f.now);
    REQUIRE(ResultOf(pr, original));
    RequireInvalid(*ResultOf(pr, original), TxValidationResult::CONFLICT, "txn-already-in-mempool");
    CHECK(ResultOf(pr, other) == nullptr);
    CHECK(f.pool.Size() == 1);
}

TEST_CASE("test-accept package: no CPFP, each transaction pays its own fee floor", "[node][mempool_package]")
{
    Fixture f;
    // A zero-fee TRUC parent gets in with its child through submitpackage, not in a test.
    const TransactionRef parent = f.Spend(3, f.Coinbase(1), 0);
    const TransactionRef child = f.Spend(3, CoinOf(parent, 0), 50'000);
    const PackageResult pr = f.acc.TestAcceptPackage({parent, child}, f.now);
    CHECK(pr.state.GetRejectReason() == "transaction failed");
    REQUIRE(ResultOf(pr, parent));
    RequireInvalid(*ResultOf(pr, parent), TxValidationResult::RECONSIDERABLE, "min relay fee not met");
    CHECK(ResultOf(pr, child) == nullptr);
    CHECK(f.acc.AcceptPackage({parent, child}, f.now).state.IsValid());
}

TEST_CASE("test-accept package: TRUC rules count in-package parents (a package error)", "[node][mempool_package]")
{
    Fixture f;
    // A version-2 child of a version-3 parent breaks BIP-431 only with the package counted.
    const TransactionRef parent = f.Spend(3, f.Coinbase(1), 2000);
    const TransactionRef child = f.Spend(2, CoinOf(parent, 0), 3000);
    const PackageResult pr = f.acc.TestAcceptPackage({parent, child}, f.now);
    RequirePackageError(pr, "TRUC-violation");
    CHECK(pr.state.GetDebugMessage() ==
          "non-version=3 tx " + Id(child) + " cannot spend from version=3 tx " + Id(parent));
}

TEST_CASE("test-accept package: a failing script after others passed leaves their results", "[node][mempool_package]")
{
    Fixture f;
    const TransactionRef a = f.Spend(2, f.Coinbase(1), 2000);
    const TransactionRef b = f.Spend(2, f.Coinbase(2), 2000);
    const testutil::Utxo coin = f.Coinbase(3);
    const TransactionRef bad =
        testutil::SignTx(testutil::MakeTx({coin}, {f.Pay(coin.txout.value.sats - 2000)}, 2, 0, 0xfffffffe), {coin},
                         testutil::TestKey{8});
    const PackageResult pr = f.acc.TestAcceptPackage({a, b, bad}, f.now);
    CHECK(pr.state.GetRejectReason() == "transaction failed");
    REQUIRE(pr.results.size() == 3);
    RequireValid(*ResultOf(pr, a));
    RequireValid(*ResultOf(pr, b));
    const AcceptResult* r = ResultOf(pr, bad);
    REQUIRE(r);
    REQUIRE(r->kind == AcceptResult::Kind::INVALID);
    CHECK(r->state.GetRejectReason().rfind("mempool-script-verify-flag-failed", 0) == 0);

    // A missing input stops the package before any script: only that transaction has a result.
    const TransactionRef orphan = f.Spend(2, CoinOf(f.Spend(2, f.Coinbase(4), 1000), 0), 1000);
    const PackageResult pr2 = f.acc.TestAcceptPackage({a, b, orphan}, f.now);
    REQUIRE(pr2.results.size() == 1);
    RequireInvalid(*ResultOf(pr2, orphan), TxValidationResult::MISSING_INPUTS, "bad-txns-inputs-missingorspent");
}

TEST_CASE("submitpackage's maxfeerate: a transaction above it fails, and the package with it",
          "[node][mempool_package]")
{
    Fixture f;
    const TransactionRef parent = f.Spend(2, f.Coinbase(1), 20'000);
    const TransactionRef child = f.Spend(2, CoinOf(parent, 0), 20'000);
    const node::mempool::FeeRate below_parent(Amount{20'000 - 1}, VSize(parent));

    // The parent alone is above it: refused before its scripts; the child then lacks its input
    // and the package stops there (Core's quit_early).
    PackageResult pr = f.acc.AcceptPackage({parent, child}, f.now, below_parent);
    CHECK(pr.state.GetRejectReason() == "transaction failed");
    REQUIRE(pr.results.size() == 2);
    RequireInvalid(*ResultOf(pr, parent), TxValidationResult::MEMPOOL_POLICY, "max feerate exceeded");
    CHECK(ResultOf(pr, parent)->state.ToString() == "max feerate exceeded");
    RequireInvalid(*ResultOf(pr, child), TxValidationResult::MISSING_INPUTS, "bad-txns-inputs-missingorspent");
    CHECK(f.pool.Size() == 0);

    // Exactly at the rate is allowed; without a maximum nothing is checked.
    RequireValid(f.acc.Accept(parent, f.now, false, /*test_accept=*/true,
                              node::mempool::FeeRate(Amount{20'000}, VSize(parent))));
    CHECK(f.acc.AcceptPackage({parent, child}, f.now).state.IsValid());
    CHECK(f.pool.Size() == 2);
}

TEST_CASE("submitpackage's maxfeerate applies to each transaction's own rate, not the package's",
          "[node][mempool_package]")
{
    Fixture f;
    // A zero-fee TRUC parent (RECONSIDERABLE alone) and a rich child: the package fee rate is
    // below the maximum, the child's own rate above it.
    const TransactionRef parent = f.Spend(3, f.Coinbase(1), 0);
    const TransactionRef child = f.Spend(3, CoinOf(parent, 0), 40'000);
    const node::mempool::FeeRate max(Amount{40'000 - 1}, VSize(child));
    REQUIRE(node::mempool::FeeRate(Amount{40'000}, VSize(parent) + VSize(child)) < max);
    const PackageResult pr = f.acc.AcceptPackage({parent, child}, f.now, max);
    CHECK(pr.state.GetRejectReason() == "transaction failed");
    // The parent keeps its own result; the child failed in the package evaluation.
    RequireInvalid(*ResultOf(pr, parent), TxValidationResult::RECONSIDERABLE, "min relay fee not met");
    RequireInvalid(*ResultOf(pr, child), TxValidationResult::MEMPOOL_POLICY, "max feerate exceeded");
    CHECK(f.pool.Size() == 0);
}

TEST_CASE("IsChildWithParentsTree: submitpackage's topology", "[node][mempool_package]")
{
    Fixture f;
    const TransactionRef p1 = f.Make(2, {f.Coinbase(1)}, {f.Pay(1'000'000), f.Pay(2'000'000)});
    const TransactionRef p2 = f.Spend(2, f.Coinbase(2), 1000);
    const TransactionRef child =
        f.Make(2, {CoinOf(p1, 0), CoinOf(p2, 0)}, {f.Pay(1'000'000 + CoinOf(p2, 0).txout.value.sats - 2000)});
    using node::mempool::IsChildWithParentsTree;
    CHECK(IsChildWithParentsTree({p1, p2, child}));
    CHECK(IsChildWithParentsTree({p2, p1, child}));
    CHECK(!IsChildWithParentsTree({child}));
    CHECK(!IsChildWithParentsTree({p1, p2})); // p1 is no parent of p2
    const TransactionRef mid = f.Spend(2, CoinOf(p1, 1), 1000);
    const TransactionRef last = f.Make(2, {CoinOf(p1, 0), CoinOf(mid, 0)}, {f.Pay(2'000'000)});
    CHECK(!IsChildWithParentsTree({p1, mid, last})); // mid spends p1: parents depend on each other
    const TransactionRef grandchild = f.Spend(2, CoinOf(mid, 0), 1000);
    CHECK(!IsChildWithParentsTree({p1, mid, grandchild})); // a chain of three
}

TEST_CASE("package limits: the package counted as one against the ancestor and descendant limits",
          "[node][mempool_package]")
{
    auto limits = [](int64_t ancestors, int64_t descendants) {
        return [=](node::mempool::TxMemPool::Options& o) {
            o.limits.ancestor_count = ancestors;
            o.limits.descendant_count = descendants;
        };
    };
    {
        Fixture f({}, limits(2, 25));
        const TransactionRef a = f.Spend(2, f.Coinbase(1), 2000);
        const TransactionRef b = f.Spend(2, CoinOf(a, 0), 2000);
        const TransactionRef c = f.Spend(2, CoinOf(b, 0), 2000);
        const PackageResult pr = f.acc.TestAcceptPackage({a, b, c}, f.now);
        RequirePackageError(pr, "package-mempool-limits");
        CHECK(pr.state.GetDebugMessage() == "package count 3 exceeds ancestor count limit [limit: 2]");

        // One in-pool parent and a package of two: three ancestors.
        RequireValid(f.Accept(a));
        const PackageResult pr2 = f.acc.TestAcceptPackage({b, c}, f.now);
        RequirePackageError(pr2, "package-mempool-limits");
        CHECK(pr2.state.GetDebugMessage() == "too many unconfirmed parents [limit: 2]");
    }
    {
        // An in-pool parent with a child already: the package would be its third descendant.
        Fixture f({}, limits(25, 3));
        const TransactionRef x = f.Make(2, {f.Coinbase(1)}, {f.Pay(100'000'000), f.Pay(100'000'000)});
        const TransactionRef x1 = f.Spend(2, CoinOf(x, 0), 2000);
        RequireValid(f.Accept(x));
        RequireValid(f.Accept(x1));
        const TransactionRef p = f.Spend(2, CoinOf(x, 1), 2000);
        const TransactionRef c = f.Spend(2, CoinOf(p, 0), 2000);
        RequireValid(f.Accept(p, /*test=*/true)); // alone it fits
        const PackageResult pr = f.acc.TestAcceptPackage({p, c}, f.now);
        RequirePackageError(pr, "package-mempool-limits");
        CHECK(pr.state.GetDebugMessage() ==
              "possibly too many descendants for tx " + x->GetTxid().GetHex() + " [limit: 3]");
    }
    {
        // submitpackage: a zero-fee TRUC parent and its child over a descendant limit of one.
        Fixture f({}, limits(25, 1));
        const TransactionRef p = f.Spend(3, f.Coinbase(1), 0);
        const TransactionRef c = f.Spend(3, CoinOf(p, 0), 5000);
        const PackageResult pr = f.acc.AcceptPackage({p, c}, f.now);
        INFO(pr.state.ToString());
        CHECK(pr.policy_failure);
        CHECK(pr.state.GetRejectReason() == "package-mempool-limits");
        CHECK(pr.state.GetDebugMessage() == "package count 2 exceeds descendant count limit [limit: 1]");
        CHECK(f.pool.Size() == 0);
    }
}
