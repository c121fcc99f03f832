// BIP-431 (TRUC, version 3) in MempoolAcceptor: topology, sizes and inheritance, with Core v30's
// reject reason "TRUC-violation" and its messages.
#include "mempool_accept_fixture.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace consensus;
using namespace mempool_accept_test;
using testutil::CoinOf;

namespace {

const std::string TRUC = "TRUC-violation";

} // namespace

TEST_CASE("TRUC: a version-3 transaction has at most one unconfirmed ancestor", "[node][mempool_truc]")
{
    Fixture f;
    const auto cb = f.Coinbase(1);
    const TransactionRef parent = f.Make(3, {cb}, {f.Pay(100'000'000), f.Pay(cb.txout.value.sats - 100'001'000)});
    RequireValid(f.Accept(parent));
    const TransactionRef child = f.Spend(3, CoinOf(parent, 0), 1000);
    RequireValid(f.Accept(child));
    // A grandchild would have two unconfirmed ancestors.
    const TransactionRef grandchild = f.Spend(3, CoinOf(child, 0), 1000);
    RequireInvalid(f.Accept(grandchild), TxValidationResult::MEMPOOL_POLICY, TRUC,
                   "tx " + Id(grandchild) + " would have too many ancestors");

    // Two unconfirmed parents are two ancestors too.
    const TransactionRef other = f.Spend(3, f.Coinbase(2), 1000);
    RequireValid(f.Accept(other));
    const auto two = f.Make(3, {CoinOf(other, 0), CoinOf(parent, 1)},
                            {f.Pay(other->vout[0].value.sats + parent->vout[1].value.sats - 2000)});
    RequireInvalid(f.Accept(two), TxValidationResult::MEMPOOL_POLICY, TRUC,
                   "tx " + Id(two) + " would have too many ancestors");
    CHECK(f.pool.Size() == 3);
    f.pool.Check();
}

TEST_CASE("TRUC: version 3 does not mix with other versions while unconfirmed", "[node][mempool_truc]")
{
    Fixture f;
    const TransactionRef v2_parent = f.Spend(2, f.Coinbase(1), 1000);
    const TransactionRef v3_parent = f.Spend(3, f.Coinbase(2), 1000);
    RequireValid(f.Accept(v2_parent));
    RequireValid(f.Accept(v3_parent));

    const TransactionRef v3_child = f.Spend(3, CoinOf(v2_parent, 0), 1000);
    RequireInvalid(f.Accept(v3_child), TxValidationResult::MEMPOOL_POLICY, TRUC,
                   "version=3 tx " + Id(v3_child) + " cannot spend from non-version=3 tx " + Id(v2_parent));
    const TransactionRef v2_child = f.Spend(2, CoinOf(v3_parent, 0), 1000);
    RequireInvalid(f.Accept(v2_child), TxValidationResult::MEMPOOL_POLICY, TRUC,
                   "non-version=3 tx " + Id(v2_child) + " cannot spend from version=3 tx " + Id(v3_parent));
    const TransactionRef v1_child = f.Spend(1, CoinOf(v3_parent, 0), 1000);
    RequireInvalid(f.Accept(v1_child), TxValidationResult::MEMPOOL_POLICY, TRUC,
                   "non-version=3 tx " + Id(v1_child) + " cannot spend from version=3 tx " + Id(v3_parent));

    // Core checks the inheritance first: a version-3 child both too big and spending a
    // non-version-3 parent is refused for its parent.
    const TransactionRef big = f.Make(3, {CoinOf(v2_parent, 0)},
                                      {f.Pay(v2_parent->vout[0].value.sats - 50'000), DataOut(5100), DataOut(5100)});
    REQUIRE(VSize(big) > 10'000);
    RequireInvalid(f.Accept(big), TxValidationResult::MEMPOOL_POLICY, TRUC,
                   "version=3 tx " + Id(big) + " cannot spend from non-version=3 tx " + Id(v2_parent));

    // Once the parent is confirmed, any version may spend it.
    REQUIRE(f.b.Mine({v2_parent, v3_parent}).IsValid());
    f.pool.RemoveForBlock({v2_parent, v3_parent}); // no chain listener in this fixture
    RequireValid(f.Accept(v3_child));
    RequireValid(f.Accept(v2_child));
}

TEST_CASE("TRUC: size limits of a version-3 transaction and of a version-3 child", "[node][mempool_truc]")
{
    Fixture f;
    // At most 10,000 vB: the same transaction in version 2 is fine.
    const auto cb = f.Coinbase(1);
    const std::vector<TxOut> outs{f.Pay(cb.txout.value.sats - 50'000), DataOut(5100), DataOut(5100)};
    const TransactionRef big3 = f.Make(3, {cb}, outs);
    REQUIRE(VSize(big3) > 10'000);
    RequireInvalid(f.Accept(big3), TxValidationResult::MEMPOOL_POLICY, TRUC,
                   "version=3 tx " + Id(big3) + " is too big: " + std::to_string(VSize(big3)) +
                       " > 10000 virtual bytes");
    RequireValid(f.Accept(f.Make(2, {cb}, outs), /*test=*/true));

    // A child of a version-3 parent: at most 1,000 vB.
    const TransactionRef parent = f.Spend(3, f.Coinbase(2), 1000);
    RequireValid(f.Accept(parent));
    const TransactionRef fat =
        f.Make(3, {CoinOf(parent, 0)}, {f.Pay(parent->vout[0].value.sats - 5000), DataOut(1000)});
    REQUIRE(VSize(fat) > 1000);
    RequireInvalid(f.Accept(fat), TxValidationResult::MEMPOOL_POLICY, TRUC,
                   "version=3 child tx " + Id(fat) + " is too big: " + std::to_string(VSize(fat)) +
                       " > 1000 virtual bytes");
    // Without a parent in the pool the same size is fine.
    const auto cb3 = f.Coinbase(3);
    RequireValid(f.Accept(f.Make(3, {cb3}, {f.Pay(cb3.txout.value.sats - 5000), DataOut(1000)}), /*test=*/true));
    const TransactionRef slim =
        f.Make(3, {CoinOf(parent, 0)}, {f.Pay(parent->vout[0].value.sats - 5000), DataOut(800)});
    REQUIRE(VSize(slim) <= 1000);
    RequireValid(f.Accept(slim));
}

TEST_CASE("TRUC sibling eviction: a second child replaces the first if it pays for it", "[node][mempool_truc]")
{
    Fixture f;
    const auto cb = f.Coinbase(1);
    const TransactionRef parent = f.Make(3, {cb}, {f.Pay(100'000'000), f.Pay(cb.txout.value.sats - 100'001'000)});
    RequireValid(f.Accept(parent));
    const TransactionRef first = f.Spend(3, CoinOf(parent, 0), 1000);
    RequireValid(f.Accept(first));
    // Another child of the parent, spending another output: not a conflict, yet one child too
    // many. It may evict the first under the replacement rules: not for the same fee ...
    const TransactionRef cheap = f.Spend(3, CoinOf(parent, 1), 1000);
    RequireInvalid(f.Accept(cheap), TxValidationResult::RECONSIDERABLE,
                   "insufficient fee (including sibling eviction)");
    CHECK(f.pool.Exists(first->GetTxid()));
    // ... but for more.
    const TransactionRef better = f.Spend(3, CoinOf(parent, 1), 3000);
    const auto r = f.Accept(better);
    RequireValid(r);
    REQUIRE(r.replaced.size() == 1);
    CHECK(r.replaced[0]->GetTxid() == first->GetTxid());
    CHECK(!f.pool.Exists(first->GetTxid()));
    CHECK(f.pool.Exists(better->GetTxid()));
    CHECK(f.pool.Size() == 2);
    f.pool.Check();
}

TEST_CASE("TRUC in packages: in-package parents count as parents", "[node][mempool_truc]")
{
    Fixture f;
    // A version-2 parent pays at least the relay floor (below it, it fails alone first, as in
    // Core's PreChecks), so it gets in on its own; its version-3 child is then refused.
    const TransactionRef v2_parent = f.Spend(2, f.Coinbase(1), 200);
    const TransactionRef v3_child = f.Spend(3, CoinOf(v2_parent, 0), 20'000);
    auto pr = f.acc.AcceptPackage({v2_parent, v3_child}, f.now);
    INFO(pr.state.ToString());
    CHECK(!pr.state.IsValid());
    const auto found = std::find_if(pr.results.begin(), pr.results.end(),
                                    [&](const auto& wr) { return wr.first == v3_child->GetWtxid(); });
    REQUIRE(found != pr.results.end());
    const auto& child_result = found->second;
    CHECK(child_result.state.GetRejectReason() == "TRUC-violation");
    CHECK(child_result.state.GetDebugMessage() ==
          "version=3 tx " + Id(v3_child) + " cannot spend from non-version=3 tx " + Id(v2_parent));
    CHECK(f.pool.Exists(v2_parent->GetTxid()));
    CHECK(f.pool.Size() == 1);

    // A version-3 child of a version-3 parent in the package: at most 1,000 vB.
    const TransactionRef parent = f.Spend(3, f.Coinbase(2), 0);
    const TransactionRef fat =
        f.Make(3, {CoinOf(parent, 0)}, {f.Pay(parent->vout[0].value.sats - 20'000), DataOut(1000)});
    pr = f.acc.AcceptPackage({parent, fat}, f.now);
    INFO(pr.state.ToString());
    CHECK(pr.state.GetRejectReason() == "TRUC-violation");
    CHECK(pr.state.GetDebugMessage() ==
          "version=3 child tx " + Id(fat) + " is too big: " + std::to_string(VSize(fat)) + " > 1000 virtual bytes");
    for (const auto& [wtxid, r] : pr.results) CHECK(!r.Valid());
    CHECK(f.pool.Size() == 1);

    // Within the limits the pair gets in.
    const TransactionRef child = f.Spend(3, CoinOf(parent, 0), 20'000);
    pr = f.acc.AcceptPackage({parent, child}, f.now);
    INFO(pr.state.ToString());
    CHECK(pr.state.IsValid());
    CHECK(f.pool.Size() == 3);
}
