// MiniMiner (Core's node/mini_miner): what raising the unconfirmed ancestry of outpoints to a
// target fee rate costs, one outpoint at a time and all together; replaced transactions; the
// cluster limit; and, on random pools, the same answers as Core's loop that sorts every round.
#include "mempool_test_util.h"
#include "node/mempool/mini_miner.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

using namespace mempool_test;
using consensus::Amount;
using consensus::OutPoint;
using consensus::Uint256;
using node::mempool::FeeRate;
using node::mempool::MiniMiner;
using node::mempool::MiniMinerEntry;

namespace {

const FeeRate TARGET{Amount{10'000}}; // 10 sat/vB

std::map<OutPoint, Amount> BumpFees(const Pool& p, const std::vector<OutPoint>& ops, const FeeRate& target = TARGET)
{
    MiniMiner m(*p.pool, ops);
    auto fees = m.CalculateBumpFees(target);
    REQUIRE(fees);
    return *fees;
}

Amount TotalBumpFee(const Pool& p, const std::vector<OutPoint>& ops, const FeeRate& target = TARGET)
{
    MiniMiner m(*p.pool, ops);
    auto fee = m.CalculateTotalBumpFees(target);
    REQUIRE(fee);
    return *fee;
}

/** IndividualBumpFees' bump fees, in order (nullopt if it gave none). */
std::optional<std::vector<Amount>> InOrder(const Pool& p, const std::vector<OutPoint>& ops,
                                           const FeeRate& target = TARGET)
{
    const auto fees = node::mempool::IndividualBumpFees(*p.pool, ops, target);
    if (!fees) return std::nullopt;
    std::vector<Amount> out;
    for (const auto& f : *fees) out.push_back(f.bump_fee);
    return out;
}

} // namespace

TEST_CASE("mini miner: confirmed and unknown outpoints cost nothing; a low-fee transaction its shortfall",
          "[node][mempool][miniminer]")
{
    Pool p;
    auto low = Tx({Coin(1)}, 2, 1);
    auto at_target = Tx({Coin(2)}, 1, 2);
    auto just_below = Tx({Coin(3)}, 1, 3);
    p.Add(low, 100, 100);        // 1 sat/vB
    p.Add(at_target, 1000, 100); // 10 sat/vB
    p.Add(just_below, 999, 100); // a satoshi short
    MiniMiner m(*p.pool, {Coin(7), Out(low, 0), Out(low, 1), Out(at_target, 0), Out(just_below, 0)});
    REQUIRE(m.IsReadyToCalculate());
    const auto fees = m.CalculateBumpFees(TARGET);
    REQUIRE(fees);
    CHECK(fees->size() == 5);
    CHECK(fees->at(Coin(7)) == Amount{0});
    CHECK(fees->at(Out(low, 0)) == Amount{900});
    CHECK(fees->at(Out(low, 1)) == Amount{900});
    CHECK(fees->at(Out(at_target, 0)) == Amount{0});
    CHECK(fees->at(Out(just_below, 0)) == Amount{1});
    // The wallet's question, answered in order; the lone transactions read in place.
    CHECK(InOrder(p, {Coin(7), Out(low, 0), Out(low, 1), Out(at_target, 0), Out(just_below, 0)}) ==
          std::vector<Amount>{Amount{0}, Amount{900}, Amount{900}, Amount{0}, Amount{1}});
    // One calculation per copy, as Core's.
    CHECK_FALSE(m.IsReadyToCalculate());
    CHECK_FALSE(m.CalculateBumpFees(TARGET));
    CHECK_FALSE(m.CalculateTotalBumpFees(TARGET));
    // Both outputs of one transaction: its shortfall once.
    CHECK(TotalBumpFee(p, {Out(low, 0), Out(low, 1), Coin(7)}) == Amount{900});
    CHECK(TotalBumpFee(p, {Coin(7)}) == Amount{0});
    CHECK(TotalBumpFee(p, {}) == Amount{0});
    CHECK(TotalBumpFee(p, {Out(at_target, 0)}) == Amount{0});
    CHECK(TotalBumpFee(p, {Out(just_below, 0), Out(low, 1)}) == Amount{901});
}

TEST_CASE("mini miner: a child that pays for its parent, and one that does not", "[node][mempool][miniminer]")
{
    Pool p;
    auto parent = Tx({Coin(1)}, 2, 1);
    auto child = Tx({Out(parent, 0)}, 1, 2);
    p.Add(parent, 100, 100);
    SECTION("the package pays the target: nothing to bump")
    {
        p.Add(child, 2000, 100); // (100 + 2000) / 200 vB = 10.5 sat/vB
        const auto fees = BumpFees(p, {Out(parent, 1), Out(child, 0)});
        CHECK(fees.at(Out(parent, 1)) == Amount{0});
        CHECK(fees.at(Out(child, 0)) == Amount{0});
        CHECK(TotalBumpFee(p, {Out(parent, 1), Out(child, 0)}) == Amount{0});
    }
    SECTION("the package falls short")
    {
        p.Add(child, 1500, 100); // 8 sat/vB with its parent, 15 alone
        const auto fees = BumpFees(p, {Out(parent, 1), Out(child, 0)});
        CHECK(fees.at(Out(parent, 1)) == Amount{900});
        CHECK(fees.at(Out(child, 0)) == Amount{400}); // 2000 for 200 vB, less 1600 paid
        // Together: the parent's shortfall is paid once, and the child's surplus counts.
        CHECK(TotalBumpFee(p, {Out(parent, 1), Out(child, 0)}) == Amount{400});
    }
}

TEST_CASE("mini miner: siblings share a parent's shortfall in the total", "[node][mempool][miniminer]")
{
    Pool p;
    auto parent = Tx({Coin(1)}, 2, 1);
    auto c1 = Tx({Out(parent, 0)}, 1, 2);
    auto c2 = Tx({Out(parent, 1)}, 1, 3);
    p.Add(parent, 200, 200); // 1 sat/vB
    p.Add(c1, 1000, 100);    // 10 sat/vB alone
    p.Add(c2, 1000, 100);
    const auto fees = BumpFees(p, {Out(c1, 0), Out(c2, 0)});
    CHECK(fees.at(Out(c1, 0)) == Amount{1800}); // 3000 for c1 and the parent, less 1200
    CHECK(fees.at(Out(c2, 0)) == Amount{1800});
    CHECK(TotalBumpFee(p, {Out(c1, 0), Out(c2, 0)}) == Amount{1800}); // 4000 for all three, less 2200
    CHECK(TotalBumpFee(p, {Out(c1, 0)}) == Amount{1800});
}

TEST_CASE("mini miner: Core's example, a child whose ancestor set pays more than it does", "[node][mempool][miniminer]")
{
    // Core's comment in CalculateBumpFees: the grandparent at 1 sat/vB, parents at 85 and 15, the
    // child at 9; with its ancestors the child pays 10.29 sat/vB, yet no package reaches 10.
    Pool p;
    auto gp = Tx({Coin(1)}, 3, 1);
    auto p1 = Tx({Out(gp, 0)}, 2, 2);
    auto p2 = Tx({Out(gp, 1)}, 1, 3);
    auto child = Tx({Out(p1, 0), Out(p2, 0)}, 1, 4);
    p.Add(gp, 1700, 1700);
    p.Add(p1, 17000, 200);
    p.Add(p2, 3000, 200);
    p.Add(child, 900, 100);
    const auto fees = BumpFees(p, {Out(gp, 2), Out(p1, 1), Out(child, 0)});
    CHECK(fees.at(Out(gp, 2)) == Amount{15300});
    CHECK(fees.at(Out(p1, 1)) == Amount{300}); // 19000 for p1 and gp, less 18700
    // The ancestor set would need nothing (21000 - 21600 < 0); the child alone lacks 100.
    CHECK(fees.at(Out(child, 0)) == Amount{100});
    CHECK(TotalBumpFee(p, {Out(child, 0)}) == Amount{21000} - Amount{21600});
}

TEST_CASE("mini miner: the pool's spender of an outpoint is taken as replaced, with its descendants",
          "[node][mempool][miniminer]")
{
    Pool p;
    auto a = Tx({Coin(1)}, 2, 1);
    auto spender = Tx({Out(a, 0)}, 1, 2);
    auto grandchild = Tx({Out(spender, 0)}, 1, 3);
    p.Add(a, 100, 100);
    p.Add(spender, 5000, 100); // would pay for a, were it to stay
    p.Add(grandchild, 3000, 100);
    const auto kept = BumpFees(p, {Out(a, 1)});
    CHECK(kept.at(Out(a, 1)) == Amount{0});
    // Spending a:0 again replaces the spender: a must pay for itself, and the spender's and its
    // child's outputs will not exist.
    const auto fees = BumpFees(p, {Out(a, 0), Out(spender, 0), Out(grandchild, 0)});
    CHECK(fees.at(Out(a, 0)) == Amount{900});
    CHECK(fees.at(Out(spender, 0)) == Amount{0});
    CHECK(fees.at(Out(grandchild, 0)) == Amount{0});
    CHECK(TotalBumpFee(p, {Out(a, 0), Out(grandchild, 0)}) == Amount{900});
    // a has a child: not answered alone (it would lack nothing with the spender's help).
    CHECK(InOrder(p, {Out(a, 0)}) == std::vector<Amount>{Amount{900}});
    CHECK(InOrder(p, {Out(a, 1)}) == std::vector<Amount>{Amount{0}});
    // With the ancestry of each outpoint's transaction, itself included.
    const auto with_ancestry =
        node::mempool::IndividualBumpFees(*p.pool, {Coin(5), Out(a, 1), Out(grandchild, 0)}, TARGET);
    REQUIRE(with_ancestry);
    CHECK(with_ancestry->at(0).ancestor_count == 0);
    CHECK(with_ancestry->at(0).descendant_count == 0);
    CHECK(with_ancestry->at(1).ancestor_count == 1);
    CHECK(with_ancestry->at(1).descendant_count == 3);
    // Core's CalculateDescendantMaximum: the descendants of its topmost ancestor, a.
    CHECK(with_ancestry->at(2).ancestor_count == 3);
    CHECK(with_ancestry->at(2).descendant_count == 3);
}

TEST_CASE("mini miner: a lone transaction short of the target stops the template for the others too",
          "[node][mempool][miniminer]")
{
    // b's ancestor set pays 10.38 sat/vB though b alone pays 9: with nothing better it is taken,
    // and its ancestors with it. A lone transaction at 9.5 sat/vB outranks it and stops the
    // template first, as in Core's one template for every outpoint asked about.
    Pool p;
    auto z = Tx({Coin(1)}, 2, 1);
    auto a1 = Tx({Out(z, 0)}, 2, 2);
    auto a2 = Tx({Out(z, 1)}, 1, 3);
    auto b = Tx({Out(a1, 0), Out(a2, 0)}, 1, 4);
    auto lone = Tx({Coin(2)}, 1, 5);
    p.Add(z, 1000, 1000);
    p.Add(a1, 5800, 100);
    p.Add(a2, 5800, 100);
    p.Add(b, 900, 100);
    p.Add(lone, 950, 100);
    const std::vector<OutPoint> without{Out(a1, 1), Out(b, 0)};
    CHECK(BumpFees(p, without) == std::map<OutPoint, Amount>{{Out(a1, 1), Amount{0}}, {Out(b, 0), Amount{0}}});
    CHECK(InOrder(p, without) == std::vector<Amount>{Amount{0}, Amount{0}});
    const std::vector<OutPoint> with{Out(a1, 1), Out(lone, 0), Out(b, 0)};
    const auto core = BumpFees(p, with);
    CHECK(core.at(Out(a1, 1)) == Amount{4200}); // 11,000 for z and a1, less 6,800
    CHECK(core.at(Out(b, 0)) == Amount{100});   // its own shortfall
    CHECK(core.at(Out(lone, 0)) == Amount{50});
    CHECK(InOrder(p, with) == std::vector<Amount>{Amount{4200}, Amount{50}, Amount{100}});
}

TEST_CASE("mini miner: a cluster over 500 transactions is not calculated; many small ones are",
          "[node][mempool][miniminer]")
{
    Pool p;
    auto big = Tx({Coin(1)}, 501, 1);
    p.Add(big, 100'000, 20'000);
    for (uint32_t i = 0; i < 498; ++i) p.Add(Tx({Out(big, i)}, 1, 10 + i), 1000, 100);
    const auto last = Tx({Out(big, 498)}, 1, 9);
    p.Add(last, 1000, 100); // 500 in the cluster: at the limit
    {
        MiniMiner m(*p.pool, {Out(last, 0)});
        CHECK(m.IsReadyToCalculate());
    }
    auto over = Tx({Out(big, 499)}, 1, 8);
    p.Add(over, 1000, 100); // 501
    {
        MiniMiner m(*p.pool, {Out(last, 0)});
        CHECK_FALSE(m.IsReadyToCalculate());
        CHECK_FALSE(m.CalculateBumpFees(TARGET));
    }
    CHECK_FALSE(InOrder(p, {Coin(9), Out(last, 0)}));
    CHECK_FALSE(MiniMiner(*p.pool, {Coin(9), Out(over, 0)}).CalculateTotalBumpFees(TARGET));
    // A confirmed coin alone needs no cluster.
    CHECK(TotalBumpFee(p, {Coin(9)}) == Amount{0});

    // Two separate clusters of 300: each is within the limit (Core counts them together).
    Pool q;
    std::vector<OutPoint> requested;
    for (uint32_t c = 0; c < 2; ++c) {
        auto root = Tx({Coin(100 + c)}, 300, 1000 * (c + 1));
        q.Add(root, 299, 299);
        for (uint32_t i = 0; i < 299; ++i) q.Add(Tx({Out(root, i)}, 1, 1000 * (c + 1) + 1 + i), 1000, 100);
        requested.push_back(Out(root, 299));
    }
    MiniMiner m(*q.pool, requested);
    REQUIRE(m.IsReadyToCalculate());
    const auto fees = m.CalculateBumpFees(TARGET);
    REQUIRE(fees);
    // No package reaches 10 sat/vB (a child with its root: 1,299 sat for 399 vB): each root lacks 2,691.
    CHECK(fees->at(requested[0]) == Amount{2691});
    CHECK(fees->at(requested[1]) == Amount{2691});
}

TEST_CASE("mini miner: given entries need every descendant set, itself included", "[node][mempool][miniminer]")
{
    auto a = Tx({Coin(1)}, 1, 1);
    auto b = Tx({Out(a, 0)}, 1, 2);
    const std::vector<MiniMinerEntry> entries{{a, 100, Amount{100}, 100, Amount{100}},
                                              {b, 100, Amount{5000}, 200, Amount{5100}}};
    CHECK_FALSE(MiniMiner(entries, {{a->GetTxid(), {a->GetTxid(), b->GetTxid()}}}).IsReadyToCalculate());
    CHECK_FALSE(
        MiniMiner(entries, {{a->GetTxid(), {b->GetTxid()}}, {b->GetTxid(), {b->GetTxid()}}}).IsReadyToCalculate());
    MiniMiner m(entries, {{a->GetTxid(), {a->GetTxid(), b->GetTxid()}}, {b->GetTxid(), {b->GetTxid()}}});
    REQUIRE(m.IsReadyToCalculate());
    const auto order = m.Linearize();
    // b (25.5 sat/vB with a) takes a with it in the first round.
    CHECK(order == std::map<Uint256, uint32_t>{{a->GetTxid(), 0}, {b->GetTxid(), 0}});
}

namespace {

/** Core's loop, literally: sort every remaining entry each round, take the best's ancestors. */
struct Reference {
    std::map<Uint256, MiniMinerEntry> left;
    std::map<Uint256, std::vector<Uint256>> descendants;
    std::map<Uint256, uint32_t> order;

    static bool Better(const MiniMinerEntry& a, const MiniMinerEntry& b)
    {
        auto score = [](const MiniMinerEntry& e) {
            // min(ancestor, self) in FeeFrac order: by rate, and of equal rates the larger size is the worse.
            const __int128 self = static_cast<__int128>(e.fee.sats) * e.vsize_with_ancestors;
            const __int128 anc = static_cast<__int128>(e.fees_with_ancestors.sats) * e.vsize;
            if (self < anc || (self == anc && e.vsize > e.vsize_with_ancestors)) return std::pair{e.fee, e.vsize};
            return std::pair{e.fees_with_ancestors, e.vsize_with_ancestors};
        };
        const auto [fa, sa] = score(a);
        const auto [fb, sb] = score(b);
        const __int128 l = static_cast<__int128>(fa.sats) * sb, r = static_cast<__int128>(fb.sats) * sa;
        if (l != r) return l > r;
        if (sa != sb) return sa < sb;
        return a.tx->GetTxid() < b.tx->GetTxid();
    }
    std::set<Uint256> Ancestors(const Uint256& txid) const
    {
        std::set<Uint256> out{txid};
        std::vector<Uint256> todo{txid};
        while (!todo.empty()) {
            const Uint256 t = todo.back();
            todo.pop_back();
            for (const auto& in : left.at(t).tx->vin) {
                if (left.count(in.prevout.hash) && out.insert(in.prevout.hash).second) todo.push_back(in.prevout.hash);
            }
        }
        return out;
    }
    void Build(std::optional<FeeRate> target)
    {
        for (uint32_t round = 0; !left.empty(); ++round) {
            std::vector<const MiniMinerEntry*> all;
            for (const auto& [t, e] : left) all.push_back(&e);
            std::sort(all.begin(), all.end(), [](auto* a, auto* b) { return Better(*a, *b); });
            const MiniMinerEntry& best = *all.front();
            if (target && best.fees_with_ancestors < target->GetFee(best.vsize_with_ancestors)) return;
            const auto package = Ancestors(best.tx->GetTxid());
            for (const Uint256& a : package) {
                order[a] = round;
                for (const Uint256& d : descendants.at(a)) {
                    if (!left.count(d)) continue;
                    left.at(d).fees_with_ancestors -= left.at(a).fee;
                    left.at(d).vsize_with_ancestors -= left.at(a).vsize;
                }
            }
            for (const Uint256& a : package) left.erase(a);
        }
    }
};

} // namespace

TEST_CASE("mini miner: random pools give the answers of Core's sort-every-round loop", "[node][mempool][miniminer]")
{
    std::mt19937_64 rng(20261206);
    for (int round = 0; round < 200; ++round) {
        Pool p;
        std::vector<consensus::TransactionRef> txs;
        std::vector<OutPoint> unspent;
        const int n = 2 + static_cast<int>(rng() % 40);
        for (int i = 0; i < n; ++i) {
            std::vector<OutPoint> ins;
            const int nin = 1 + static_cast<int>(rng() % 3);
            for (int k = 0; k < nin && !unspent.empty(); ++k) {
                if (rng() % 4 == 0) break;
                const size_t pick = rng() % unspent.size();
                ins.push_back(unspent[pick]);
                unspent.erase(unspent.begin() + static_cast<std::ptrdiff_t>(pick));
            }
            if (ins.empty()) ins.push_back(Coin(static_cast<uint32_t>(1000 * round + i)));
            auto tx = Tx(ins, 3, static_cast<uint32_t>(i));
            // Fee rates from 1 to 30 sat/vB; a few equal rates and sizes for the ties.
            const int64_t vsize = 100 * (1 + static_cast<int64_t>(rng() % 4));
            p.Add(tx, vsize * (1 + static_cast<int64_t>(rng() % 30)), vsize);
            txs.push_back(tx);
            for (uint32_t o = 0; o < 3; ++o) unspent.push_back(Out(tx, o));
        }
        std::vector<OutPoint> requested;
        for (const auto& op : unspent) {
            if (rng() % 3 == 0) requested.push_back(op);
        }
        const FeeRate target{Amount{static_cast<int64_t>(1000 + rng() % 25'000)}};

        Reference ref;
        for (const auto& tx : txs) {
            const auto e = p.E(tx);
            ref.left.emplace(tx->GetTxid(), MiniMinerEntry{tx, e.vsize, e.ModifiedFee(), e.size_with_ancestors,
                                                           e.fees_with_ancestors});
            auto desc = p.pool->GetDescendants(tx->GetTxid());
            desc.push_back(tx->GetTxid());
            ref.descendants.emplace(tx->GetTxid(), desc);
        }
        Reference linear = ref;
        ref.Build(target);
        std::map<OutPoint, Amount> expected;
        std::set<Uint256> roots;
        for (const auto& op : requested) {
            const auto it = ref.left.find(op.hash);
            Amount bump{0};
            if (it != ref.left.end()) {
                const MiniMinerEntry& e = it->second;
                bump = std::max(target.GetFee(e.vsize_with_ancestors) - e.fees_with_ancestors,
                                target.GetFee(e.vsize) - e.fee);
                roots.insert(op.hash);
            }
            expected[op] = bump;
        }
        std::set<Uint256> to_bump;
        for (const Uint256& r : roots) {
            for (const Uint256& a : ref.Ancestors(r)) to_bump.insert(a);
        }
        Amount fees{0};
        int64_t vsize = 0;
        for (const Uint256& t : to_bump) fees += ref.left.at(t).fee, vsize += ref.left.at(t).vsize;

        INFO("round " << round << ", " << n << " transactions, " << requested.size() << " outpoints");
        CHECK(BumpFees(p, requested, target) == expected);
        std::vector<Amount> expected_in_order;
        for (const auto& op : requested) expected_in_order.push_back(expected.at(op));
        CHECK(InOrder(p, requested, target) == expected_in_order);
        CHECK(TotalBumpFee(p, requested, target) == target.GetFee(vsize) - fees);
        for (const auto& [op, fee] : expected) CHECK(fee >= Amount{0});

        linear.Build(std::nullopt);
        std::map<Uint256, std::set<Uint256>> desc_sets;
        std::vector<MiniMinerEntry> entries;
        for (const auto& [t, d] : linear.descendants) desc_sets[t] = std::set<Uint256>(d.begin(), d.end());
        for (const auto& tx : txs) {
            const auto e = p.E(tx);
            entries.push_back({tx, e.vsize, e.ModifiedFee(), e.size_with_ancestors, e.fees_with_ancestors});
        }
        CHECK(MiniMiner(entries, desc_sets).Linearize() == linear.order);
        // From the pool: every transaction is in the cluster of some unspent output, and those
        // alone in their clusters take their places too.
        CHECK(MiniMiner(*p.pool, unspent).Linearize() == linear.order);
    }
}
