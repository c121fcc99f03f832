// SelectTransactions (Core's addPackageTxs): packages by ancestor fee rate, re-scored when an
// ancestor is already in the block, within the weight and sigop limits and the minimum fee rate,
// parents before children, non-final transactions left out.
#include "mempool_test_util.h"
#include "node/mempool/miner.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace mempool_test;
using node::mempool::AssemblerOptions;
using node::mempool::SelectedTx;
using node::mempool::SelectTransactions;

namespace {
constexpr int HEIGHT = 200;
constexpr int64_t CUTOFF = 1'700'000'000;

std::vector<consensus::Uint256> Txids(const std::vector<SelectedTx>& sel)
{
    std::vector<consensus::Uint256> out;
    for (const auto& s : sel) out.push_back(s.tx->GetTxid());
    return out;
}

std::vector<consensus::Uint256> Ids(std::initializer_list<consensus::TransactionRef> txs)
{
    std::vector<consensus::Uint256> out;
    for (const auto& t : txs) out.push_back(t->GetTxid());
    return out;
}
} // namespace

TEST_CASE("miner: a child pays for its parent (CPFP), ahead of a lone transaction paying more than the parent",
          "[node][mempool][miner]")
{
    Pool p;
    auto parent = Tx({Coin(1)}, 1, 1);
    auto child = Tx({Out(parent, 0)}, 1, 2);
    auto lone = Tx({Coin(2)}, 1, 3);
    p.Add(parent, 100, 100); // 1 sat/vB
    p.Add(child, 1900, 100); // package 2000 / 200 = 10 sat/vB
    p.Add(lone, 500, 100);   // 5 sat/vB
    const auto sel = SelectTransactions(*p.pool, {}, HEIGHT, CUTOFF);
    CHECK(Txids(sel) == Ids({parent, child, lone}));
    CHECK(sel[0].fee == consensus::Amount{100});
    CHECK(sel[0].weight == 400);
    CHECK(sel[1].sigop_cost == 4);
}

TEST_CASE("miner: a package is re-scored once its ancestor is in the block", "[node][mempool][miner]")
{
    Pool p;
    // parent (1 sat/vB) with two children: c1 lifts the package to 6; once parent is in, c2
    // alone pays 4 and must beat mid (3), though its ancestor score with the parent was only 2.5.
    auto parent = Tx({Coin(1)}, 2, 1);
    auto c1 = Tx({Out(parent, 0)}, 1, 2);
    auto c2 = Tx({Out(parent, 1)}, 1, 3);
    auto mid = Tx({Coin(2)}, 1, 4);
    p.Add(parent, 100, 100);
    p.Add(c1, 1100, 100); // with parent: 1200 / 200 = 6
    p.Add(c2, 400, 100);  // with parent: 500 / 200 = 2.5; alone 4
    p.Add(mid, 300, 100); // 3
    const auto sel = SelectTransactions(*p.pool, {}, HEIGHT, CUTOFF);
    CHECK(Txids(sel) == Ids({parent, c1, c2, mid}));
}

TEST_CASE("miner: weight and sigop limits skip a package and keep filling", "[node][mempool][miner]")
{
    Pool p;
    auto big = Tx({Coin(1)}, 1, 1);
    auto small = Tx({Coin(2)}, 1, 2);
    auto smaller = Tx({Coin(3)}, 1, 3);
    p.Add(big, 10'000, 1000); // 10 sat/vB, weight 4000
    p.Add(small, 800, 100);   // 8 sat/vB, weight 400
    p.Add(smaller, 500, 100); // 5 sat/vB
    AssemblerOptions o;
    o.max_weight = 1000; // room for two small ones, not the big one
    CHECK(Txids(SelectTransactions(*p.pool, o, HEIGHT, CUTOFF)) == Ids({small, smaller}));
    o = {};
    o.max_sigop_cost = 8; // each transaction costs 4
    CHECK(Txids(SelectTransactions(*p.pool, o, HEIGHT, CUTOFF)) == Ids({big, small}));
}

TEST_CASE("miner: below -blockmintxfee nothing more is taken", "[node][mempool][miner]")
{
    Pool p;
    auto good = Tx({Coin(1)}, 1, 1);
    auto cheap = Tx({Coin(2)}, 1, 2);
    p.Add(good, 500, 100);  // 5000 sat/kvB
    p.Add(cheap, 100, 100); // 1000 sat/kvB
    AssemblerOptions o;
    o.min_feerate = consensus::Amount{2000};
    CHECK(Txids(SelectTransactions(*p.pool, o, HEIGHT, CUTOFF)) == Ids({good}));
}

TEST_CASE("miner: a transaction not final at the block's height stays out, and its child too", "[node][mempool][miner]")
{
    Pool p;
    // Tx's tag is its lock-time: 1000 is a height above HEIGHT; a non-final input sequence makes it count.
    consensus::MutableTransaction m(*Tx({Coin(1)}, 1, 1000));
    m.vin[0].sequence = 0;
    auto late = consensus::MakeTransactionRef(std::move(m));
    auto child = Tx({Out(late, 0)}, 1, 2);
    auto ok = Tx({Coin(2)}, 1, 3);
    p.Add(late, 5000, 100);
    p.Add(child, 5000, 100);
    p.Add(ok, 100, 100);
    CHECK(Txids(SelectTransactions(*p.pool, {}, HEIGHT, CUTOFF)) == Ids({ok}));
    CHECK(Txids(SelectTransactions(*p.pool, {}, 1001, CUTOFF)) == Ids({late, child, ok}));
}

TEST_CASE("miner: a prioritisation delta moves a transaction up; base fees are reported", "[node][mempool][miner]")
{
    Pool p;
    auto a = Tx({Coin(1)}, 1, 1);
    auto b = Tx({Coin(2)}, 1, 2);
    p.Add(a, 200, 100);
    p.Add(b, 300, 100);
    CHECK(Txids(SelectTransactions(*p.pool, {}, HEIGHT, CUTOFF)) == Ids({b, a}));
    p.pool->PrioritiseTransaction(a->GetTxid(), consensus::Amount{1000});
    p.pool->Check();
    const auto sel = SelectTransactions(*p.pool, {}, HEIGHT, CUTOFF);
    CHECK(Txids(sel) == Ids({a, b}));
    CHECK(sel[0].fee == consensus::Amount{200}); // the coinbase collects the real fee
}

TEST_CASE("miner: a long chain and a wide fan come out parents first and complete", "[node][mempool][miner]")
{
    Pool p;
    std::vector<consensus::TransactionRef> chain{Tx({Coin(1)}, 1, 1)};
    p.Add(chain[0], 100, 100);
    for (uint32_t i = 1; i < 20; ++i) {
        chain.push_back(Tx({Out(chain.back(), 0)}, 1, 100 + i));
        p.Add(chain.back(), 100 + 50 * i, 100);
    }
    auto fan_root = Tx({Coin(2)}, 10, 2);
    p.Add(fan_root, 100, 100);
    std::vector<consensus::TransactionRef> fan;
    for (uint32_t i = 0; i < 10; ++i) {
        fan.push_back(Tx({Out(fan_root, i)}, 1, 200 + i));
        p.Add(fan.back(), 300 + 10 * i, 100);
    }
    const auto sel = SelectTransactions(*p.pool, {}, HEIGHT, CUTOFF);
    REQUIRE(sel.size() == 31);
    const auto ids = Txids(sel);
    auto pos = [&](const consensus::TransactionRef& t) {
        return std::find(ids.begin(), ids.end(), t->GetTxid()) - ids.begin();
    };
    for (size_t i = 1; i < chain.size(); ++i) CHECK(pos(chain[i - 1]) < pos(chain[i]));
    for (const auto& f : fan) CHECK(pos(fan_root) < pos(f));
    // The fan's children are taken best first once the root is in.
    for (size_t i = 1; i < fan.size(); ++i) CHECK(pos(fan[i]) < pos(fan[i - 1]));
}
