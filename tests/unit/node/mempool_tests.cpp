// TxMemPool: aggregates, package limits, removals, prioritisation, trimming and the rolling
// minimum fee, expiry, orderings, sequence numbers. Check() runs after every change.
#include "mempool_test_util.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace mempool_test;
using consensus::Amount;
using node::mempool::Limits;
using node::mempool::RemovalReason;
using node::mempool::TxMemPool;

namespace {
std::vector<consensus::Uint256> Txids(const std::vector<node::mempool::Entry>& es)
{
    std::vector<consensus::Uint256> out;
    for (const auto& e : es) out.push_back(e.Txid());
    return out;
}
} // namespace

TEST_CASE("mempool: aggregates along a chain", "[node][mempool]")
{
    Pool p;
    auto a = Tx({Coin(1)}, 1, 1);
    auto b = Tx({Out(a, 0)}, 1, 2);
    auto c = Tx({Out(b, 0)}, 1, 3);
    p.Add(a, 100, 100);
    p.Add(b, 200, 150);
    p.Add(c, 300, 200);

    const auto ea = p.E(a), eb = p.E(b), ec = p.E(c);
    CHECK(ea.count_with_descendants == 3);
    CHECK(ea.size_with_descendants == 450);
    CHECK(ea.fees_with_descendants == Amount{600});
    CHECK(ea.count_with_ancestors == 1);
    CHECK(eb.count_with_ancestors == 2);
    CHECK(eb.count_with_descendants == 2);
    CHECK(ec.count_with_ancestors == 3);
    CHECK(ec.size_with_ancestors == 450);
    CHECK(ec.fees_with_ancestors == Amount{600});
    CHECK(ec.sigops_with_ancestors == 12);
    CHECK(eb.parents == std::vector{a->GetTxid()});
    CHECK(eb.children == std::vector{c->GetTxid()});
    CHECK(p.pool->Size() == 3);
    CHECK(p.pool->TotalTxSize() == 450);
    CHECK(p.pool->TotalFee() == Amount{600});
    CHECK(p.pool->GetSpender(Out(a, 0)) == b);
    CHECK(p.pool->GetByWtxid(c->GetWtxid()) == c);
    CHECK(p.pool->GetAncestors(c->GetTxid()).size() == 2);
    CHECK(p.pool->GetDescendants(a->GetTxid()).size() == 2);

    // Removing the middle removes its descendant; the root's aggregates shrink back.
    p.pool->RemoveRecursive(b->GetTxid(), RemovalReason::REPLACED);
    p.pool->Check();
    CHECK(p.pool->Size() == 1);
    CHECK(p.E(a).count_with_descendants == 1);
    CHECK(p.E(a).size_with_descendants == 100);
    CHECK(p.removed.size() == 2);
    CHECK(p.pool->GetSpender(Out(a, 0)) == nullptr);
}

TEST_CASE("mempool: a diamond counts the shared ancestor once", "[node][mempool]")
{
    Pool p;
    auto a = Tx({Coin(1)}, 2, 1);
    auto b = Tx({Out(a, 0)}, 1, 2);
    auto c = Tx({Out(a, 1)}, 1, 3);
    auto d = Tx({Out(b, 0), Out(c, 0)}, 1, 4);
    p.Add(a, 1000, 100);
    p.Add(b, 100, 100);
    p.Add(c, 100, 100);
    p.Add(d, 100, 100);
    CHECK(p.E(d).count_with_ancestors == 4);
    CHECK(p.E(d).size_with_ancestors == 400);
    CHECK(p.E(d).fees_with_ancestors == Amount{1300});
    CHECK(p.E(a).count_with_descendants == 4);
    CHECK(p.E(a).fees_with_descendants == Amount{1300});
    CHECK(p.E(d).parents.size() == 2);

    p.pool->RemoveRecursive(b->GetTxid(), RemovalReason::CONFLICT);
    p.pool->Check();
    CHECK(p.pool->Size() == 2);
    CHECK(!p.pool->Exists(d->GetTxid()));
    CHECK(p.E(a).count_with_descendants == 2);
    CHECK(p.E(a).fees_with_descendants == Amount{1100});
}

TEST_CASE("mempool: RemoveRecursive of a transaction not in the pool removes its spenders", "[node][mempool]")
{
    Pool p;
    auto gone = Tx({Coin(9)}, 2, 1); // e.g. from a disconnected block, never added
    auto child = Tx({Out(gone, 1)}, 1, 2);
    auto grandchild = Tx({Out(child, 0)}, 1, 3);
    p.pool->AddUnchecked({child, Amount{100}, 100, 400, 4, p.now, 1, false});
    p.Add(grandchild, 100, 100);
    p.pool->RemoveRecursive(gone->GetTxid(), RemovalReason::REORG);
    p.pool->Check();
    CHECK(p.pool->Size() == 0);
    CHECK(p.removed.size() == 2);
}

TEST_CASE("mempool: each package limit with Core's message", "[node][mempool]")
{
    Pool p;
    std::string err;
    auto a = Tx({Coin(1)}, 3, 1);
    auto b = Tx({Out(a, 0)}, 2, 2);
    p.Add(a, 100, 200);
    p.Add(b, 100, 100);

    SECTION("ancestor count")
    {
        // a <- b <- new: three with itself; a limit of 2 refuses.
        Limits l;
        l.ancestor_count = 2;
        auto t = Tx({Out(b, 0)}, 1, 10);
        CHECK(!p.pool->CalculateAncestors(*t, 100, l, err));
        CHECK(err == "too many unconfirmed ancestors [limit: 2]");
        l.ancestor_count = 3;
        auto anc = p.pool->CalculateAncestors(*t, 100, l, err);
        REQUIRE(anc);
        CHECK(anc->size() == 2);
    }
    SECTION("direct parents")
    {
        auto c = Tx({Coin(2)}, 1, 3);
        p.Add(c, 100, 100);
        Limits l;
        l.ancestor_count = 2;
        auto t = Tx({Out(a, 1), Out(c, 0)}, 1, 10);
        CHECK(!p.pool->CalculateAncestors(*t, 100, l, err));
        CHECK(err == "too many unconfirmed parents [limit: 2]");
    }
    SECTION("ancestor size")
    {
        Limits l;
        l.ancestor_size_vbytes = 350;
        auto t = Tx({Out(b, 0)}, 1, 10);
        CHECK(p.pool->CalculateAncestors(*t, 50, l, err));
        CHECK(!p.pool->CalculateAncestors(*t, 51, l, err));
        CHECK(err == "exceeds ancestor size limit [limit: 350]");
    }
    SECTION("descendant count")
    {
        Limits l;
        l.descendant_count = 3;
        auto t = Tx({Out(a, 1)}, 1, 10);
        REQUIRE(p.pool->CalculateAncestors(*t, 100, l, err));
        p.Add(t, 100, 100); // a now has 3 with itself
        auto u = Tx({Out(a, 2)}, 1, 11);
        CHECK(!p.pool->CalculateAncestors(*u, 100, l, err));
        CHECK(err == "too many descendants for tx " + a->GetTxid().GetHex() + " [limit: 3]");
    }
    SECTION("descendant size")
    {
        Limits l;
        l.descendant_size_vbytes = 400;
        auto t = Tx({Out(a, 1)}, 1, 10);
        CHECK(p.pool->CalculateAncestors(*t, 100, l, err));
        CHECK(!p.pool->CalculateAncestors(*t, 101, l, err));
        CHECK(err == "exceeds descendant size limit for tx " + a->GetTxid().GetHex() + " [limit: 400]");
    }
    SECTION("Core's defaults: a chain of 25 takes no 26th")
    {
        Pool q;
        auto prev = Tx({Coin(5)}, 1, 100);
        q.Add(prev, 100, 100);
        for (uint32_t i = 1; i < 25; ++i) {
            auto next = Tx({Out(prev, 0)}, 1, 100 + i);
            REQUIRE(q.pool->CalculateAncestors(*next, 100, Limits{}, err));
            q.Add(next, 100, 100);
            prev = next;
        }
        auto t = Tx({Out(prev, 0)}, 1, 999);
        CHECK(!q.pool->CalculateAncestors(*t, 100, Limits{}, err));
        CHECK(err == "too many unconfirmed ancestors [limit: 25]");
    }
}

TEST_CASE("mempool: RemoveForBlock removes confirmed and conflicting transactions", "[node][mempool]")
{
    Pool p;
    auto a = Tx({Coin(1)}, 1, 1);
    auto b = Tx({Out(a, 0)}, 1, 2);
    auto c = Tx({Coin(2)}, 1, 3); // conflicts with d in the block
    auto e = Tx({Out(c, 0)}, 1, 4);
    p.Add(a, 100, 100);
    p.Add(b, 100, 100);
    p.Add(c, 100, 100);
    p.Add(e, 100, 100);
    p.pool->PrioritiseTransaction(a->GetTxid(), Amount{50});
    auto d = Tx({Coin(2)}, 1, 5);
    const auto seq = p.pool->GetSequence();

    p.pool->RemoveForBlock({a, d});
    p.pool->Check();
    CHECK(p.pool->Size() == 1);
    CHECK(p.E(b).count_with_ancestors == 1);
    CHECK(p.E(b).parents.empty());
    CHECK(p.pool->GetFeeDelta(a->GetTxid()) == Amount{0});
    CHECK(p.pool->GetSequence() == seq + 3);
    REQUIRE(p.removed.size() == 3);
    CHECK(p.removed[0] == std::pair{a->GetTxid(), RemovalReason::BLOCK});
    std::vector<std::pair<consensus::Uint256, RemovalReason>> rest(p.removed.begin() + 1, p.removed.end());
    CHECK(std::count(rest.begin(), rest.end(), std::pair{c->GetTxid(), RemovalReason::CONFLICT}) == 1);
    CHECK(std::count(rest.begin(), rest.end(), std::pair{e->GetTxid(), RemovalReason::CONFLICT}) == 1);
}

TEST_CASE("mempool: RemoveForReorg removes what the predicate rejects, with descendants", "[node][mempool]")
{
    Pool p;
    auto a = Tx({Coin(1)}, 1, 1);
    auto b = Tx({Out(a, 0)}, 1, 2);
    auto c = Tx({Coin(2)}, 1, 3);
    p.Add(a, 100, 100);
    p.Add(b, 100, 100);
    p.Add(c, 100, 100);
    p.pool->RemoveForReorg([&](const node::mempool::Entry& e) { return e.Txid() != a->GetTxid(); });
    p.pool->Check();
    CHECK(p.pool->Size() == 1);
    CHECK(p.pool->Exists(c->GetTxid()));
    CHECK(p.removed.size() == 2);
    CHECK(p.removed[0].second == RemovalReason::REORG);
}

TEST_CASE("mempool: prioritisation before and after entry", "[node][mempool]")
{
    Pool p;
    auto a = Tx({Coin(1)}, 1, 1);
    auto b = Tx({Out(a, 0)}, 1, 2);
    p.pool->PrioritiseTransaction(b->GetTxid(), Amount{1000}); // before it enters
    CHECK(p.pool->GetFeeDelta(b->GetTxid()) == Amount{1000});
    p.Add(a, 100, 100);
    p.Add(b, 100, 100);
    CHECK(p.E(b).fee_delta == Amount{1000});
    CHECK(p.E(b).ModifiedFee() == Amount{1100});
    CHECK(p.E(a).fees_with_descendants == Amount{1200});
    CHECK(p.E(b).fees_with_ancestors == Amount{1200});
    CHECK(p.pool->TotalFee() == Amount{200}); // base fees

    p.pool->PrioritiseTransaction(a->GetTxid(), Amount{-300}); // after entry
    p.pool->Check();
    CHECK(p.E(a).ModifiedFee() == Amount{-200});
    CHECK(p.E(b).fees_with_ancestors == Amount{900});
    CHECK(p.E(a).fees_with_descendants == Amount{900});

    p.pool->PrioritiseTransaction(a->GetTxid(), Amount{300}); // back to zero: the record goes
    p.pool->Check();
    CHECK(p.pool->GetFeeDeltas().count(a->GetTxid()) == 0);
    CHECK(p.pool->GetFeeDeltas().size() == 1);

    p.pool->ClearPrioritisation(b->GetTxid());
    p.pool->Check();
    CHECK(p.E(b).ModifiedFee() == Amount{100});
    CHECK(p.E(a).fees_with_descendants == Amount{200});
}

TEST_CASE("mempool: trimming evicts the lowest descendant score and raises the minimum fee", "[node][mempool]")
{
    Pool p;
    auto cheap = Tx({Coin(1)}, 1, 1);        // 1 sat/vB
    auto mid = Tx({Coin(2)}, 1, 2);          // 5 sat/vB
    auto parent = Tx({Coin(3)}, 1, 3);       // 0 sat/vB, but its child pays 20 sat/vB:
    auto child = Tx({Out(parent, 0)}, 1, 4); // descendant score 10 sat/vB
    p.Add(cheap, 100, 100);
    p.Add(mid, 500, 100);
    p.Add(parent, 0, 100);
    p.Add(child, 2000, 100);
    CHECK(p.pool->GetMinFee() == Amount{0});

    const size_t full = p.pool->DynamicMemoryUsage();
    std::vector<consensus::OutPoint> no_spends;
    p.pool->TrimToSize(full - 1, &no_spends);
    p.pool->Check();
    CHECK(!p.pool->Exists(cheap->GetTxid()));
    CHECK(p.pool->Size() == 3);
    CHECK(no_spends == std::vector{Coin(1)});
    REQUIRE(p.removed.size() == 1);
    CHECK(p.removed[0].second == RemovalReason::SIZELIMIT);
    // 100 sat over 100 vB = 1000 sat/kvB, plus the incremental relay fee (100).
    CHECK(p.pool->GetMinFee() == Amount{1100});

    // Next goes mid (5 sat/vB), before the CPFP package (10 sat/vB).
    p.pool->TrimToSize(p.pool->DynamicMemoryUsage() - 1);
    p.pool->Check();
    CHECK(!p.pool->Exists(mid->GetTxid()));
    CHECK(p.pool->Exists(parent->GetTxid()));
    CHECK(p.pool->GetMinFee() == Amount{5100});
    // The package goes whole.
    p.pool->TrimToSize(p.pool->DynamicMemoryUsage() - 1);
    p.pool->Check();
    CHECK(p.pool->Size() == 0);
    CHECK(p.pool->GetMinFee() == Amount{10100});
    CHECK(p.pool->DynamicMemoryUsage() == 0);
}

TEST_CASE("mempool: the rolling minimum fee decays only after a block, with Core's half-lives", "[node][mempool]")
{
    auto bumped = [](int64_t max_size) {
        TxMemPool::Options o;
        o.max_size_bytes = max_size;
        auto p = std::make_unique<Pool>(o);
        auto big = Tx({Coin(1)}, 1, 1);
        auto keep = Tx({Coin(2)}, 1, 2);
        p->Add(big, 99'990, 100); // 999'900 sat/kvB + 100 once trimmed
        p->Add(keep, 200'000, 100);
        p->pool->TrimToSize(p->pool->DynamicMemoryUsage() - 1);
        REQUIRE(p->pool->GetMinFee() == Amount{1'000'000});
        return p;
    };
    SECTION("no block yet: no decay")
    {
        auto p = bumped(1);
        p->now += 24 * 3600;
        CHECK(p->pool->GetMinFee() == Amount{1'000'000});
    }
    SECTION("usage above half the limit: 12 h half-life, at most every 10 s")
    {
        auto p = bumped(1);
        p->pool->RemoveForBlock({});
        p->now += 10;
        CHECK(p->pool->GetMinFee() == Amount{1'000'000}); // not more than 10 s yet
        p->now += 12 * 3600 - 10;
        CHECK(p->pool->GetMinFee() == Amount{500'000});
        p->now += 12 * 3600;
        CHECK(p->pool->GetMinFee() == Amount{250'000});
        // Far below half the incremental relay fee: zero.
        p->now += 30 * 12 * 3600;
        CHECK(p->pool->GetMinFee() == Amount{0});
    }
    SECTION("usage under a quarter of the limit: 3 h half-life")
    {
        auto p = bumped(1'000'000'000);
        p->pool->RemoveForBlock({});
        p->now += 3 * 3600;
        CHECK(p->pool->GetMinFee() == Amount{500'000});
    }
    SECTION("usage between a quarter and half of the limit: 6 h half-life")
    {
        auto p = bumped(1);
        const auto usage = static_cast<int64_t>(p->pool->DynamicMemoryUsage());
        TxMemPool::Options o;
        o.max_size_bytes = usage * 3; // usage < limit/2 but not < limit/4
        Pool q(o);
        auto big = Tx({Coin(1)}, 1, 1);
        auto keep = Tx({Coin(2)}, 1, 2);
        q.Add(big, 99'990, 100);
        q.Add(keep, 200'000, 100);
        q.pool->TrimToSize(q.pool->DynamicMemoryUsage() - 1);
        q.pool->RemoveForBlock({});
        q.now += 6 * 3600;
        CHECK(q.pool->GetMinFee() == Amount{500'000});
    }
}

TEST_CASE("mempool: expiry removes old entries with their descendants", "[node][mempool]")
{
    TxMemPool::Options o;
    o.expiry_seconds = 3600;
    Pool p(o);
    auto old_parent = Tx({Coin(1)}, 1, 1);
    auto young_child = Tx({Out(old_parent, 0)}, 1, 2);
    auto young = Tx({Coin(2)}, 1, 3);
    p.Add(old_parent, 100, 100, p.now - 4000);
    p.Add(young_child, 100, 100, p.now - 10);
    p.Add(young, 100, 100, p.now - 3600);
    CHECK(p.pool->Expire() == 2);
    p.pool->Check();
    CHECK(p.pool->Size() == 1);
    CHECK(p.pool->Exists(young->GetTxid()));
    CHECK(p.removed[0].second == RemovalReason::EXPIRY);
}

TEST_CASE("mempool: ancestor-score order for mining and parents-first order", "[node][mempool]")
{
    Pool p;
    auto parent = Tx({Coin(1)}, 1, 1);       // 1 sat/vB
    auto child = Tx({Out(parent, 0)}, 1, 2); // 9 sat/vB alone, 5 with its parent
    auto mid = Tx({Coin(2)}, 1, 3);          // 3 sat/vB
    auto rich = Tx({Coin(3)}, 1, 4);         // 7 sat/vB
    p.Add(parent, 100, 100);
    p.Add(child, 900, 100);
    p.Add(mid, 300, 100);
    p.Add(rich, 700, 100);
    // Scores: rich 7, child min(9, 5) = 5, mid 3, parent 1.
    const auto order = Txids(p.pool->GetByAncestorScore());
    CHECK(order == std::vector{rich->GetTxid(), child->GetTxid(), mid->GetTxid(), parent->GetTxid()});

    // Parents first: by ancestor count, then ancestor score.
    const auto sorted = Txids(p.pool->GetAllSorted());
    CHECK(sorted == std::vector{rich->GetTxid(), mid->GetTxid(), parent->GetTxid(), child->GetTxid()});

    // A delta moves an entry in the order.
    p.pool->PrioritiseTransaction(mid->GetTxid(), Amount{500});
    CHECK(Txids(p.pool->GetByAncestorScore()).front() == mid->GetTxid());
}

TEST_CASE("mempool: sequence numbers and memory usage follow additions and removals", "[node][mempool]")
{
    Pool p;
    CHECK(p.pool->GetSequence() == 1);
    CHECK(p.pool->DynamicMemoryUsage() == 0);
    auto a = Tx({Coin(1)}, 1, 1);
    auto b = Tx({Out(a, 0)}, 1, 2, /*witness=*/true);
    p.Add(a, 100, 100);
    CHECK(p.E(a).sequence == 1);
    const size_t one = p.pool->DynamicMemoryUsage();
    CHECK(one > a->GetTotalSize());
    p.Add(b, 100, 100);
    CHECK(p.E(b).sequence == 2);
    CHECK(p.pool->GetSequence() == 3);
    CHECK(p.pool->DynamicMemoryUsage() > one + b->GetTotalSize());
    CHECK(p.pool->ExistsWtxid(b->GetWtxid()));
    CHECK(!p.pool->ExistsWtxid(b->GetTxid()));
    p.pool->RemoveRecursive(b->GetTxid(), RemovalReason::REPLACED);
    CHECK(p.pool->GetSequence() == 4);
    CHECK(p.pool->DynamicMemoryUsage() == one);
    std::vector<consensus::Uint256> seen;
    p.pool->ForEachTx([&](const consensus::TransactionRef& tx) { seen.push_back(tx->GetTxid()); });
    CHECK(seen == std::vector{a->GetTxid()});
}

TEST_CASE("mempool: AddUnchecked refuses a transaction already in the pool", "[node][mempool]")
{
    // Adding a transaction twice is a caller bug the pool refuses loudly.
    Pool p;
    auto a = Tx({Coin(1)}, 1, 1);
    p.Add(a, 100, 100);
    node::mempool::NewEntry e{a, Amount{100}, 100, 400, 4, p.now, 1, false};
    CHECK_THROWS_AS(p.pool->AddUnchecked(e), std::logic_error);
    p.pool->Check();
}

TEST_CASE("mempool: the unbroadcast set holds pool transactions only", "[node][mempool]")
{
    Pool p;
    auto a = Tx({Coin(1)}, 1, 1);
    auto b = Tx({Out(a, 0)}, 1, 2);
    p.Add(a, 1000, 100);
    p.Add(b, 1000, 100);
    p.pool->AddUnbroadcast(a->GetTxid());
    p.pool->AddUnbroadcast(b->GetTxid());
    p.pool->AddUnbroadcast(Tx({Coin(9)}, 1, 9)->GetTxid()); // not in the pool: ignored
    CHECK(p.pool->GetUnbroadcast().size() == 2);
    CHECK(p.pool->UnbroadcastCount() == 2);
    p.pool->RemoveUnbroadcast(a->GetTxid()); // a peer asked for it
    CHECK(p.pool->UnbroadcastCount() == 1);
    CHECK_FALSE(p.pool->IsUnbroadcast(a->GetTxid()));
    CHECK(p.pool->IsUnbroadcast(b->GetTxid()));
    // Leaving the pool (here with its parent) ends it too.
    p.pool->RemoveRecursive(a->GetTxid(), RemovalReason::REPLACED);
    p.pool->Check();
    CHECK(p.pool->GetUnbroadcast().empty());
    CHECK(p.pool->UnbroadcastCount() == 0);
}
