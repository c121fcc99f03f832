// Coin selection algorithms: branch and bound, CoinGrinder, SRD, knapsack, the waste metric and change.
// The ideas of Core's coinselector_tests, with our own cases and brute-force cross-checks.
#include "coinselection_util.h"

#include "wallet/coinselection.h"

#include <catch2/catch.hpp>

#include <limits>
#include <random>

using namespace wallet;
using namespace coinsel_test;

namespace {

/** Brute force over every subset of groups (n <= 14): calls visit(mask, amount, weight, waste_of_inputs). */
template <typename F>
void EachSubset(const std::vector<OutputGroup>& pool, F visit)
{
    const size_t n = pool.size();
    for (uint32_t mask = 1; mask < (1u << n); ++mask) {
        Amount amount{0}, input_waste{0};
        int weight = 0;
        for (size_t i = 0; i < n; ++i) {
            if (!(mask & (1u << i))) continue;
            amount += pool[i].GetSelectionAmount();
            weight += pool[i].m_weight;
            input_waste += pool[i].fee - pool[i].long_term_fee;
        }
        visit(mask, amount, weight, input_waste);
    }
}

Amount SelectionAmountOf(const SelectionResult& r) { return r.GetSelectedEffectiveValue(); }

} // namespace

TEST_CASE("BnB finds the exact changeless input set when one exists", "[wallet][coinsel]")
{
    const auto params = Params(0, 0); // no fees: effective value == value
    std::vector<COutput> coins;
    for (int64_t v : {100000, 200000, 300000, 400000, 500000})
        coins.push_back(MakeCoin({v}, params.m_effective_feerate));
    auto pool = GroupsOf(coins, params);

    auto out = SelectCoinsBnB(pool, Amount{1000000}, Amount{0}, MAX_STANDARD_TX_WEIGHT);
    REQUIRE(out);
    CHECK(out.result->GetAlgo() == SelectionAlgorithm::BNB);
    CHECK(out.result->GetSelectedValue() == Amount{1000000});
    CHECK(out.result->GetWaste() == Amount{0});

    // 700,000 is 500+200, 400+300 or 400+200+100 (thousands), all without waste. Searching largest
    // first, a later solution of equal waste replaces an earlier one (Core's <=): 400+200+100 stays.
    pool = GroupsOf(coins, params);
    out = SelectCoinsBnB(pool, Amount{700000}, Amount{0}, MAX_STANDARD_TX_WEIGHT);
    REQUIRE(out);
    CHECK(out.result->GetSelectedValue() == Amount{700000});
    CHECK(out.result->GetInputSet().size() == 3);
}

TEST_CASE("BnB reports no solution when nothing lands within cost_of_change of the target", "[wallet][coinsel]")
{
    const auto params = Params(0, 0);
    std::vector<COutput> coins;
    for (int64_t v : {200000, 400000, 600000}) coins.push_back(MakeCoin({v}, params.m_effective_feerate));
    // Sums: 200k, 400k, 600k, 800k, 1.0M, 1.2M: none in [500k, 550k].
    auto pool = GroupsOf(coins, params);
    auto out = SelectCoinsBnB(pool, Amount{500000}, Amount{50000}, MAX_STANDARD_TX_WEIGHT);
    CHECK_FALSE(out);
    CHECK(out.error.empty()); // plain "no solution", not a specific error

    // With a window of 100,000 the single 600,000 coin fits (excess 100,000 becomes waste).
    pool = GroupsOf(coins, params);
    out = SelectCoinsBnB(pool, Amount{500000}, Amount{100000}, MAX_STANDARD_TX_WEIGHT);
    REQUIRE(out);
    CHECK(out.result->GetSelectedValue() == Amount{600000});
    CHECK(out.result->GetWaste() == Amount{100000});

    // Not enough in the pool at all.
    pool = GroupsOf(coins, params);
    CHECK_FALSE(SelectCoinsBnB(pool, Amount{1300000}, Amount{100000}, MAX_STANDARD_TX_WEIGHT));
}

TEST_CASE("BnB gives Core's weight error when the only solutions are too heavy", "[wallet][coinsel]")
{
    const auto params = Params(0, 0);
    std::vector<COutput> coins;
    for (int i = 0; i < 10; ++i) coins.push_back(MakeCoin({10000}, params.m_effective_feerate));
    const int one_input = 68 * 4;
    auto pool = GroupsOf(coins, params);
    auto out = SelectCoinsBnB(pool, Amount{50000}, Amount{0}, 4 * one_input); // needs 5 inputs
    CHECK_FALSE(out);
    CHECK(out.error == ERR_MAX_WEIGHT);
    pool = GroupsOf(coins, params);
    out = SelectCoinsBnB(pool, Amount{50000}, Amount{0}, 5 * one_input);
    REQUIRE(out);
    CHECK(out.result->GetInputSet().size() == 5);
    CHECK(out.result->GetWeight() == 5 * one_input);
}

TEST_CASE("BnB finds the least-waste changeless set, as a brute force does", "[wallet][coinsel]")
{
    std::mt19937_64 rng(7);
    int solved = 0, unsolved = 0;
    for (int round = 0; round < 60; ++round) {
        const int64_t lt = (round % 2) ? 2 : 20; // long-term rate below and above the current one
        auto params = Params(8, lt);
        std::vector<COutput> coins;
        const int sizes[] = {58, 68, 91, 148};
        for (int i = 0; i < 11; ++i) {
            const int64_t v = 5000 + static_cast<int64_t>(rng() % 95000);
            coins.push_back(MakeCoin({v, sizes[rng() % 4]}, params.m_effective_feerate));
        }
        auto pool = GroupsOf(coins, params);
        Amount total{0};
        for (const auto& g : pool) total += g.GetSelectionAmount();
        const Amount target{total.sats / 4 + static_cast<int64_t>(rng() % static_cast<uint64_t>(total.sats / 4))};
        const Amount window{static_cast<int64_t>(rng() % 3000)};

        std::optional<Amount> best;
        EachSubset(pool, [&](uint32_t, Amount amount, int, Amount input_waste) {
            if (amount < target || amount > target + window) return;
            const Amount waste = input_waste + (amount - target);
            if (!best || waste < *best) best = waste;
        });
        auto out = SelectCoinsBnB(pool, target, window, MAX_STANDARD_TX_WEIGHT);
        REQUIRE(out.result.has_value() == best.has_value());
        if (!best) {
            ++unsolved;
            continue;
        }
        ++solved;
        CHECK(out.result->GetWaste() == *best);
        CHECK(SelectionAmountOf(*out.result) >= target);
        CHECK(SelectionAmountOf(*out.result) <= target + window);
        CHECK(out.result->GetChange(window, Amount{0}) <= window);
    }
    CHECK(solved > 5); // both branches were exercised
    CHECK(unsolved > 5);
}

TEST_CASE("A coin worth less than its fee has a negative effective value and BnB never takes it", "[wallet][coinsel]")
{
    const auto params = Params(10, 10); // 10 sat/vB: a 68 vB input costs 680
    const COutput big = MakeCoin({10000}, params.m_effective_feerate);
    const COutput dust = MakeCoin({500}, params.m_effective_feerate);
    CHECK(big.GetFee() == Amount{680});
    CHECK(big.GetEffectiveValue() == Amount{9320});
    CHECK(dust.GetEffectiveValue() == Amount{-180});

    OutputGroup g(params);
    g.Insert(std::make_shared<COutput>(dust), 0, 0);
    CHECK(g.effective_value == Amount{-180});
    CHECK(g.GetSelectionAmount() == Amount{-180});
    CHECK(g.long_term_fee == Amount{680});

    // 9,320 - 180 = 9,140 exactly: only the dust would make an exact match, and BnB refuses it.
    auto pool = GroupsOf({big, dust}, params);
    CHECK_FALSE(SelectCoinsBnB(pool, Amount{9140}, Amount{0}, MAX_STANDARD_TX_WEIGHT));
    // Nor does the dust's negative value count against what the pool can reach: 9,320 + 4,320 is
    // found though the pool's effective total with the dust is only 13,460.
    const COutput mid = MakeCoin({5000}, params.m_effective_feerate);
    pool = GroupsOf({big, dust, mid}, params);
    auto out = SelectCoinsBnB(pool, Amount{13640}, Amount{0}, MAX_STANDARD_TX_WEIGHT);
    REQUIRE(out);
    CHECK(out.result->GetInputSet().size() == 2);
    CHECK(out.result->GetSelectedEffectiveValue() == Amount{13640});

    // Grouping keeps the dust coin out of the positive groups (BnB, CoinGrinder, SRD) but in the mixed
    // ones (knapsack, which spends dust as Core's legacy solver does).
    std::vector<OutputGroup> discarded;
    const std::vector<SelectionFilter> filters{{CoinEligibilityFilter(1, 6, 0)}};
    const GroupedCoins grouped = GroupCoins({big, dust}, params);
    auto filtered = GroupOutputs(grouped, filters, discarded);
    const Groups& all = filtered.at(filters[0].filter).all_groups;
    CHECK(all.positive_group.size() == 1);
    CHECK(all.mixed_group.size() == 2);

    // When the recipients pay the fee, coins count at their full value.
    auto sffo = params;
    sffo.m_subtract_fee_outputs = true;
    OutputGroup gs(sffo);
    gs.Insert(std::make_shared<COutput>(dust), 0, 0);
    CHECK(gs.GetSelectionAmount() == Amount{500});
}

TEST_CASE("BnB and CoinGrinder leave the pool in the order std::sort gives the groups, ties included",
          "[wallet][coinsel]")
{
    // The pool is sorted in place (SRD then draws from it in that order, as in Core). The sort
    // goes through small keys and moves each group once: the order must be the one sorting the
    // groups themselves gives, equal amounts and equal tie-breakers included.
    std::mt19937_64 rng(11);
    const auto params = Params(8, 20);
    std::vector<COutput> coins;
    const int sizes[] = {68, 91};
    for (int i = 0; i < 300; ++i) {
        coins.push_back(
            MakeCoin({1000 * (1 + static_cast<int64_t>(rng() % 12)), sizes[rng() % 2]}, params.m_effective_feerate));
    }
    const auto outpoints = [](const std::vector<OutputGroup>& pool) {
        std::vector<consensus::OutPoint> out;
        for (const OutputGroup& g : pool) out.push_back(g.m_outputs[0]->outpoint);
        return out;
    };
    const auto amount_then = [](auto tie) {
        return [tie](const OutputGroup& a, const OutputGroup& b) {
            if (a.GetSelectionAmount() != b.GetSelectionAmount())
                return a.GetSelectionAmount() > b.GetSelectionAmount();
            return tie(a) < tie(b);
        };
    };
    auto pool = GroupsOf(coins, params);
    auto expected = pool;
    std::sort(expected.begin(), expected.end(),
              amount_then([](const OutputGroup& g) { return g.fee - g.long_term_fee; }));
    (void)SelectCoinsBnB(pool, Amount{5500}, Amount{0}, MAX_STANDARD_TX_WEIGHT);
    CHECK(outpoints(pool) == outpoints(expected));

    pool = GroupsOf(coins, params);
    expected = pool;
    std::sort(expected.begin(), expected.end(), amount_then([](const OutputGroup& g) { return g.m_weight; }));
    (void)CoinGrinder(pool, Amount{5500}, Amount{0}, MAX_STANDARD_TX_WEIGHT);
    CHECK(outpoints(pool) == outpoints(expected));
}

TEST_CASE("CoinGrinder picks the lightest input set that funds payment and change", "[wallet][coinsel]")
{
    const auto params = Params(50, 10);
    // A=2 BTC light, B and C 1.5 BTC heavy, D 1.1 BTC light: A+D (two light inputs) is the lightest
    // set reaching 3 BTC, though B+C would match it more closely.
    std::vector<COutput> coins{
        MakeCoin({200000000, 68}, params.m_effective_feerate), MakeCoin({150000000, 148}, params.m_effective_feerate),
        MakeCoin({150000000, 148}, params.m_effective_feerate), MakeCoin({110000000, 68}, params.m_effective_feerate)};
    auto pool = GroupsOf(coins, params);
    auto out = CoinGrinder(pool, Amount{300000000}, Amount{60000}, MAX_STANDARD_TX_WEIGHT);
    REQUIRE(out);
    CHECK(out.result->GetAlgo() == SelectionAlgorithm::CG);
    CHECK(out.result->GetWeight() == 2 * 68 * 4);
    CHECK(out.result->GetSelectedValue() == Amount{310000000});
    CHECK(out.result->GetAlgoCompleted());

    pool = GroupsOf(coins, params);
    auto too_heavy = CoinGrinder(pool, Amount{300000000}, Amount{60000}, 2 * 68 * 4 - 1);
    CHECK_FALSE(too_heavy);
    CHECK(too_heavy.error == ERR_MAX_WEIGHT);
    pool = GroupsOf(coins, params);
    CHECK(CoinGrinder(pool, Amount{700000000}, Amount{0}, MAX_STANDARD_TX_WEIGHT).error.empty()); // not enough
}

TEST_CASE("CoinGrinder's weight is the minimum a brute force finds", "[wallet][coinsel]")
{
    std::mt19937_64 rng(11);
    const int sizes[] = {58, 68, 91, 148, 297};
    for (int round = 0; round < 60; ++round) {
        const auto params = Params(40, 10);
        std::vector<COutput> coins;
        for (int i = 0; i < 12; ++i) {
            // Few distinct values so that clones (equal amounts) occur and get skipped.
            const int64_t v = 20000 * (1 + static_cast<int64_t>(rng() % 8));
            coins.push_back(MakeCoin({v, sizes[rng() % 5]}, params.m_effective_feerate));
        }
        auto pool = GroupsOf(coins, params);
        Amount total{0};
        for (const auto& g : pool) total += g.GetSelectionAmount();
        const Amount target{static_cast<int64_t>(rng() % static_cast<uint64_t>(total.sats))};
        const Amount change{static_cast<int64_t>(rng() % 30000)};
        const int max_weight = (round % 3 == 0) ? 1500 : MAX_STANDARD_TX_WEIGHT;

        std::optional<std::pair<int, Amount>> best; // (weight, amount)
        bool heavy_only = false;
        EachSubset(pool, [&](uint32_t, Amount amount, int weight, Amount) {
            if (amount < target + change) return;
            if (weight > max_weight) {
                heavy_only = true;
                return;
            }
            if (!best || std::pair(weight, amount) < *best) best = std::pair(weight, amount);
        });
        auto out = CoinGrinder(pool, target, change, max_weight);
        REQUIRE(out.result.has_value() == best.has_value());
        if (best) {
            CHECK(out.result->GetWeight() == best->first);
            CHECK(SelectionAmountOf(*out.result) == best->second);
        } else if (heavy_only) {
            CHECK(out.error == ERR_MAX_WEIGHT);
        }
    }
}

TEST_CASE("Knapsack and SRD reach their targets", "[wallet][coinsel]")
{
    std::mt19937_64 rng(3);
    const auto params = Params(5, 10);
    for (int round = 0; round < 40; ++round) {
        std::vector<COutput> coins;
        for (int i = 0; i < 30; ++i) {
            coins.push_back(MakeCoin({1000 + static_cast<int64_t>(rng() % 2000000)}, params.m_effective_feerate));
        }
        auto pool = GroupsOf(coins, params);
        Amount total{0};
        for (const auto& g : pool) total += g.GetSelectionAmount();
        const Amount target{static_cast<int64_t>(rng() % static_cast<uint64_t>(total.sats / 2)) + 1};

        auto knap = KnapsackSolver(pool, target, params.m_min_change_target, rng, MAX_STANDARD_TX_WEIGHT);
        REQUIRE(knap);
        CHECK(knap.result->GetAlgo() == SelectionAlgorithm::KNAPSACK);
        CHECK(SelectionAmountOf(*knap.result) >= target);

        auto srd = SelectCoinsSRD(pool, target, params.m_change_fee, rng, MAX_STANDARD_TX_WEIGHT);
        REQUIRE(srd);
        CHECK(srd.result->GetAlgo() == SelectionAlgorithm::SRD);
        CHECK(srd.result->GetTarget() == target); // the change reserve is not part of the target
        CHECK(SelectionAmountOf(*srd.result) >= target + CHANGE_LOWER + params.m_change_fee);
    }
}

TEST_CASE("Knapsack takes an exact match, all smaller coins summing to the target, or the next larger coin",
          "[wallet][coinsel]")
{
    std::mt19937_64 rng(5);
    const auto params = Params(0, 0);
    auto coins_of = [&](std::initializer_list<int64_t> values) {
        std::vector<COutput> out;
        for (int64_t v : values) out.push_back(MakeCoin({v}, params.m_effective_feerate));
        return GroupsOf(out, params);
    };
    auto pool = coins_of({30000, 70000, 123456, 5000000});
    auto out = KnapsackSolver(pool, Amount{123456}, Amount{50000}, rng, MAX_STANDARD_TX_WEIGHT);
    REQUIRE(out);
    CHECK(out.result->GetSelectedValue() == Amount{123456});
    CHECK(out.result->GetInputSet().size() == 1);

    pool = coins_of({10000, 20000, 30000, 5000000});
    out = KnapsackSolver(pool, Amount{60000}, Amount{50000}, rng, MAX_STANDARD_TX_WEIGHT);
    REQUIRE(out);
    CHECK(out.result->GetSelectedValue() == Amount{60000});
    CHECK(out.result->GetInputSet().size() == 3);

    // Smaller coins cannot reach the target: the smallest coin above target + change.
    pool = coins_of({10000, 20000, 400000, 5000000});
    out = KnapsackSolver(pool, Amount{100000}, Amount{50000}, rng, MAX_STANDARD_TX_WEIGHT);
    REQUIRE(out);
    CHECK(out.result->GetSelectedValue() == Amount{400000});

    pool = coins_of({10000, 20000});
    out = KnapsackSolver(pool, Amount{100000}, Amount{50000}, rng, MAX_STANDARD_TX_WEIGHT);
    CHECK_FALSE(out);
    CHECK(out.error.empty());
}

TEST_CASE("SRD drops its smallest coins when the selection gets too heavy", "[wallet][coinsel]")
{
    std::mt19937_64 rng(9);
    const auto params = Params(0, 0);
    std::vector<COutput> coins;
    for (int i = 0; i < 20; ++i) coins.push_back(MakeCoin({1000}, params.m_effective_feerate));
    coins.push_back(MakeCoin({200000}, params.m_effective_feerate));
    auto pool = GroupsOf(coins, params);
    const int one = 68 * 4;
    auto out = SelectCoinsSRD(pool, Amount{100000}, Amount{0}, rng, 2 * one);
    REQUIRE(out);
    CHECK(out.result->GetWeight() <= 2 * one);
    CHECK(out.result->GetSelectedValue() >= Amount{200000});

    std::vector<COutput> small(coins.begin(), coins.begin() + 20);
    auto small_pool = GroupsOf(small, params);
    auto fail = SelectCoinsSRD(small_pool, Amount{10000}, Amount{0}, rng, 2 * one);
    CHECK_FALSE(fail);
    CHECK(fail.error == ERR_MAX_WEIGHT);
}

TEST_CASE("The waste metric on a hand-computed example", "[wallet][coinsel]")
{
    // Two coins of 100,000 sat with 100 vB inputs: fee 1,000 each at 10 sat/vB, long-term fee 500 at 5 sat/vB.
    auto params = Params(10, 5);
    std::vector<COutput> coins{MakeCoin({100000, 100}, params.m_effective_feerate),
                               MakeCoin({100000, 100}, params.m_effective_feerate)};
    auto groups = GroupsOf(coins, params);
    const Amount change_cost{2000}, change_fee{1000}, min_change{500};
    auto make = [&](Amount target) {
        SelectionResult r(target, SelectionAlgorithm::MANUAL);
        for (const auto& g : groups) r.AddInput(g);
        return r;
    };

    // With change: 2 x (1,000 - 500) + cost of change 2,000.
    SelectionResult with_change = make(Amount{150000});
    with_change.RecalculateWaste(min_change, change_cost, change_fee);
    CHECK(with_change.GetChange(min_change, change_fee) == Amount{47000}); // 198,000 - 150,000 - 1,000
    CHECK(with_change.GetWaste() == Amount{3000});

    // Without change (47,000 would be -500 here): 2 x 500 + the excess 198,000 - 197,500 given to fees.
    SelectionResult no_change = make(Amount{197500});
    no_change.RecalculateWaste(min_change, change_cost, change_fee);
    CHECK(no_change.GetChange(min_change, change_fee) == Amount{0});
    CHECK(no_change.GetWaste() == Amount{1500});

    // A long-term rate above the current one makes spending now a gain: 2 x (1,000 - 2,000) + 2,000.
    auto cheap_now = Params(10, 20);
    auto groups_lt = GroupsOf(coins, cheap_now);
    SelectionResult r(Amount{150000}, SelectionAlgorithm::MANUAL);
    for (const auto& g : groups_lt) r.AddInput(g);
    r.RecalculateWaste(min_change, change_cost, change_fee);
    CHECK(r.GetWaste() == Amount{0});

    // With SFFO the values count in full and no change fee is deducted.
    auto sffo = params;
    sffo.m_subtract_fee_outputs = true;
    auto groups_sffo = GroupsOf(coins, sffo);
    SelectionResult s(Amount{199000}, SelectionAlgorithm::MANUAL);
    for (const auto& g : groups_sffo) s.AddInput(g);
    s.RecalculateWaste(min_change, change_cost, change_fee);
    CHECK(s.GetChange(min_change, change_fee) == Amount{1000});
    CHECK(s.GetWaste() == Amount{3000}); // 1,000 + 2,000
    SelectionResult s2(Amount{199800}, SelectionAlgorithm::MANUAL);
    for (const auto& g : groups_sffo) s2.AddInput(g);
    s2.RecalculateWaste(min_change, change_cost, change_fee);
    CHECK(s2.GetWaste() == Amount{1200}); // 1,000 + excess 200
}

TEST_CASE("Change below min_viable_change is dropped to the fee", "[wallet][coinsel]")
{
    auto params = Params(0, 0);
    std::vector<COutput> coins{MakeCoin({100000}, params.m_effective_feerate)};
    auto groups = GroupsOf(coins, params);
    SelectionResult r(Amount{90000}, SelectionAlgorithm::MANUAL);
    r.AddInput(groups[0]);
    CHECK(r.GetChange(Amount{9000}, Amount{1000}) == Amount{9000}); // exactly viable
    CHECK(r.GetChange(Amount{9001}, Amount{1000}) == Amount{0});    // one sat short: no change output
    CHECK(r.GetChange(Amount{294}, Amount{0}) == Amount{10000});

    // Core's rule for the threshold: above the cost of spending change at the discard rate, and not dust.
    std::mt19937_64 rng(1);
    CoinSelectionParams p;
    p.m_effective_feerate = SatVB(20);
    p.m_discard_feerate = SatVB(3);
    p.change_output_size = 31;
    p.change_spend_size = 68;
    SetChangeParams(p, Amount{20000}, 1, Amount{294}, rng);
    CHECK(p.m_change_fee == Amount{620});
    CHECK(p.m_cost_of_change == Amount{620 + 204});
    CHECK(p.min_viable_change == Amount{294});                  // dust (294) > 204 + 1
    CHECK(p.m_min_change_target == Amount{620} + CHANGE_LOWER); // payment <= 25,000: no randomness
    p.m_discard_feerate = SatVB(10);
    SetChangeParams(p, Amount{20000}, 1, Amount{294}, rng);
    CHECK(p.min_viable_change == Amount{681}); // 680 + 1 > dust
}

TEST_CASE("The change target is random between CHANGE_LOWER and min(2 x payment, CHANGE_UPPER)", "[wallet][coinsel]")
{
    std::mt19937_64 rng(2);
    CHECK(GenerateChangeTarget(Amount{25000}, Amount{100}, rng) == Amount{50100});
    Amount lo = consensus::MAX_MONEY, hi{0};
    for (int i = 0; i < 2000; ++i) {
        const Amount t = GenerateChangeTarget(Amount{40000}, Amount{100}, rng);
        lo = std::min(lo, t);
        hi = std::max(hi, t);
    }
    CHECK(lo >= Amount{50100});
    CHECK(hi < Amount{80100});
    CHECK(hi - lo > Amount{25000}); // spread over the range
    for (int i = 0; i < 2000; ++i) {
        const Amount t = GenerateChangeTarget(Amount{5000000}, Amount{0}, rng);
        CHECK(t >= CHANGE_LOWER);
        CHECK(t < CHANGE_UPPER);
    }
}

TEST_CASE("Results order by waste, then by more inputs; a coin cannot be selected twice", "[wallet][coinsel]")
{
    auto params = Params(0, 0);
    std::vector<COutput> coins{MakeCoin({50000}, params.m_effective_feerate),
                               MakeCoin({50000}, params.m_effective_feerate),
                               MakeCoin({100000}, params.m_effective_feerate)};
    auto groups = GroupsOf(coins, params);
    SelectionResult two(Amount{100000}, SelectionAlgorithm::KNAPSACK);
    two.AddInput(groups[0]);
    two.AddInput(groups[1]);
    SelectionResult one(Amount{100000}, SelectionAlgorithm::SRD);
    one.AddInput(groups[2]);
    two.RecalculateWaste(Amount{1000}, Amount{500}, Amount{0});
    one.RecalculateWaste(Amount{1000}, Amount{500}, Amount{0});
    REQUIRE(two.GetWaste() == one.GetWaste());
    CHECK(two < one);
    CHECK_FALSE(one < two);
    CHECK_THROWS_AS(one.AddInput(groups[2]), std::logic_error);
    CHECK_THROWS_AS(one.Merge(one), std::logic_error);
}
