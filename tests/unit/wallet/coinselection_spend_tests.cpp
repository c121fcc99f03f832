// The top level of coin selection: SelectCoins, the eligibility filters, grouping, choosing by waste.
#include "coinselection_util.h"

#include "wallet/coinselection.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <random>
#include <set>

using namespace wallet;
using namespace coinsel_test;

namespace {

/** The lists of groups (addresses into groups, which must outlive them; not a temporary). */
Groups PositiveAndMixed(std::vector<OutputGroup>&& groups) = delete;
Groups PositiveAndMixed(const std::vector<OutputGroup>& groups)
{
    Groups g;
    for (const auto& group : groups) {
        if (group.GetSelectionAmount().sats > 0) g.positive_group.push_back(&group);
        g.mixed_group.push_back(&group);
    }
    return g;
}

std::set<consensus::OutPoint> PointsOf(const SelectionResult& r)
{
    std::set<consensus::OutPoint> out;
    for (const auto& c : r.GetInputSet()) out.insert(c->outpoint);
    return out;
}

} // namespace

TEST_CASE("SelectCoins says Insufficient funds as Core does", "[wallet][coinsel]")
{
    std::mt19937_64 rng(1);
    const auto params = Params(10, 10);
    std::vector<COutput> coins{MakeCoin({60000}, params.m_effective_feerate),
                               MakeCoin({40000}, params.m_effective_feerate)};
    std::string error;
    CHECK_FALSE(SelectCoins(coins, {}, Amount{150000}, params, rng, error));
    CHECK(error == "Insufficient funds");
    // Enough value, but not once each input pays its fee (2 x 680).
    CHECK_FALSE(SelectCoins(coins, {}, Amount{99000}, params, rng, error));
    CHECK(error == "Insufficient funds");
    auto ok = SelectCoins(coins, {}, Amount{98000}, params, rng, error);
    REQUIRE(ok);
    CHECK(error.empty());
    CHECK(ok->GetInputSet().size() == 2);
}

TEST_CASE("SelectCoins gives Core's max-weight error when the inputs would be too heavy", "[wallet][coinsel]")
{
    std::mt19937_64 rng(2);
    auto params = Params(1, 10);
    std::vector<COutput> coins;
    for (int i = 0; i < 100; ++i) coins.push_back(MakeCoin({10000}, params.m_effective_feerate));
    params.m_max_tx_weight = 4000; // about 14 inputs; 500,000 sat needs 50
    std::string error;
    CHECK_FALSE(SelectCoins(coins, {}, Amount{500000}, params, rng, error));
    CHECK(error == "The inputs size exceeds the maximum weight. Please try sending a smaller amount or manually "
                   "consolidating your wallet's UTXOs");
    params.m_max_tx_weight.reset(); // 400,000
    auto ok = SelectCoins(coins, {}, Amount{500000}, params, rng, error);
    REQUIRE(ok);
    CHECK(ok->GetSelectedEffectiveValue() >= Amount{500000});
}

TEST_CASE("Subtracting the fee from outputs counts full values and skips BnB", "[wallet][coinsel]")
{
    std::mt19937_64 rng(3);
    auto params = Params(10, 10);
    std::vector<COutput> coins{MakeCoin({60000}, params.m_effective_feerate),
                               MakeCoin({40000}, params.m_effective_feerate),
                               MakeCoin({1000000}, params.m_effective_feerate)};
    std::string error;
    auto sffo = params;
    sffo.m_subtract_fee_outputs = true;
    // 60,000 + 40,000 matches the payment exactly by value: a changeless set BnB would find first.
    auto r = SelectCoins(coins, {}, Amount{100000}, sffo, rng, error);
    REQUIRE(r);
    CHECK(r->GetAlgo() != SelectionAlgorithm::BNB);
    CHECK(r->GetSelectedValue() == Amount{100000});
    CHECK(r->GetChange(sffo.min_viable_change, sffo.m_change_fee) == Amount{0});
    CHECK(r->GetWaste() == Amount{0});

    // A single coin of exactly the payment: enough by value (SFFO), not by effective value.
    std::vector<COutput> one{MakeCoin({100000}, params.m_effective_feerate)};
    CHECK(SelectCoins(one, {}, Amount{100000}, sffo, rng, error));
    CHECK_FALSE(SelectCoins(one, {}, Amount{100000}, params, rng, error));
    CHECK(error == "Insufficient funds");
}

TEST_CASE("ChooseSelectionResult keeps the result with the least waste", "[wallet][coinsel]")
{
    std::set<SelectionAlgorithm> winners;
    for (uint64_t seed = 0; seed < 40; ++seed) {
        std::mt19937_64 make(seed);
        const auto params = Params(seed % 2 ? 40 : 4, 10); // CoinGrinder runs in half the rounds
        std::vector<COutput> coins;
        const int sizes[] = {58, 68, 91, 148};
        for (int i = 0; i < 25; ++i) {
            const int64_t v = 2000 + static_cast<int64_t>(make() % (seed % 3 ? 300000 : 3000000));
            coins.push_back(MakeCoin({v, sizes[make() % 4]}, params.m_effective_feerate));
        }
        const std::vector<OutputGroup> storage = GroupsOf(coins, params);
        const Groups groups = PositiveAndMixed(storage);
        Amount total{0};
        for (const OutputGroup* g : groups.positive_group) total += g->GetSelectionAmount();
        const Amount target{static_cast<int64_t>(make() % static_cast<uint64_t>(total.sats / 2)) + 10000};

        std::mt19937_64 rng(seed), replay(seed);
        Groups g1 = groups;
        auto chosen = ChooseSelectionResult(target, g1, params, rng);
        REQUIRE(chosen);

        // Replay each algorithm in the same order with the same randomness.
        Groups g2 = groups;
        const int max_w = MAX_STANDARD_TX_WEIGHT - static_cast<int>(params.tx_noinputs_size) * 4;
        std::vector<SelectionResult> all;
        auto keep = [&](SelectionOutcome o) {
            if (o.result) all.push_back(*o.result);
        };
        keep(SelectCoinsBnB(g2.positive_group, target, params.m_cost_of_change, max_w));
        const int max_w_change = max_w - static_cast<int>(params.change_output_size) * 4;
        keep(KnapsackSolver(g2.mixed_group, target, params.m_min_change_target, replay, max_w_change));
        if (seed % 2) keep(CoinGrinder(g2.positive_group, target, params.m_min_change_target, max_w_change));
        keep(SelectCoinsSRD(g2.positive_group, target, params.m_change_fee, replay, max_w_change));
        REQUIRE(all.size() >= 2);
        Amount least = consensus::MAX_MONEY;
        for (auto& r : all) {
            r.RecalculateWaste(params.min_viable_change, params.m_cost_of_change, params.m_change_fee);
            least = std::min(least, r.GetWaste());
        }
        CHECK(chosen.result->GetWaste() == least);
        winners.insert(chosen.result->GetAlgo());
    }
    CHECK(winners.size() >= 2); // the cases were varied enough for different algorithms to win

    // A target of nothing selects nothing rather than an empty input set.
    const auto params = Params(4, 10);
    const std::vector<OutputGroup> storage = GroupsOf({MakeCoin({100000}, params.m_effective_feerate)}, params);
    Groups groups = PositiveAndMixed(storage);
    std::mt19937_64 rng(1);
    CHECK_NOTHROW(ChooseSelectionResult(Amount{0}, groups, params, rng));
}

TEST_CASE("CoinGrinder runs only when the fee rate is above 3x the long-term rate", "[wallet][coinsel]")
{
    auto run = [](int64_t rate) {
        const auto params = Params(rate, 10);
        std::vector<COutput> coins{MakeCoin({600000, 58}, params.m_effective_feerate),
                                   MakeCoin({600000, 58}, params.m_effective_feerate),
                                   MakeCoin({10000000, 300}, params.m_effective_feerate)};
        for (int i = 0; i < 10; ++i) coins.push_back(MakeCoin({150000, 68}, params.m_effective_feerate));
        const std::vector<OutputGroup> storage = GroupsOf(coins, params);
        Groups groups = PositiveAndMixed(storage);
        std::mt19937_64 rng(4);
        auto out = ChooseSelectionResult(Amount{1000000}, groups, params, rng);
        REQUIRE(out);
        return out.result->GetAlgo();
    };
    // At 31 sat/vB the two light 600,000 inputs (the lightest set with change) waste least: only
    // CoinGrinder looks for them. At exactly 3x (30 sat/vB) it does not run.
    CHECK(run(31) == SelectionAlgorithm::CG);
    CHECK(run(30) != SelectionAlgorithm::CG);
}

TEST_CASE("The eligibility filters follow Core's order", "[wallet][coinsel]")
{
    CoinSelectionParams p; // ancestor and descendant limits 25
    auto f = OrderedEligibilityFilters(p);
    REQUIRE(f.size() == 6);
    CHECK(f[0].filter == CoinEligibilityFilter(1, 6, 0));
    CHECK_FALSE(f[0].allow_mixed_output_types);
    CHECK(f[1].filter == CoinEligibilityFilter(1, 1, 0));
    CHECK(f[1].allow_mixed_output_types);
    CHECK(f[2].filter == CoinEligibilityFilter(0, 1, 2));
    CHECK(f[3].filter == CoinEligibilityFilter(0, 1, 4, 4));
    CHECK(f[4].filter == CoinEligibilityFilter(0, 1, 12, 12));
    CHECK(f[5].filter == CoinEligibilityFilter(0, 1, 24, 24, true));
    p.m_include_unsafe_inputs = true;
    p.m_reject_long_chains = false;
    f = OrderedEligibilityFilters(p);
    REQUIRE(f.size() == 8);
    CHECK(f[6].filter == CoinEligibilityFilter(0, 0, 24, 24, true));
    const uint64_t inf = std::numeric_limits<uint64_t>::max();
    CHECK(f[7].filter == CoinEligibilityFilter(0, 1, inf, inf, true));
    p.m_spend_zero_conf_change = false;
    CHECK(OrderedEligibilityFilters(p).size() == 2);
}

TEST_CASE("Confirmed coins are used before unconfirmed change, unsafe coins only when allowed", "[wallet][coinsel]")
{
    std::mt19937_64 rng(5);
    const auto params = Params(2, 10);
    const COutput theirs = MakeCoin({1000000, 68, /*depth=*/3}, params.m_effective_feerate);
    const COutput change = MakeCoin({2000000, 68, /*depth=*/0, /*from_me=*/true, OutputType::BECH32, 0, true, 1, 1},
                                    params.m_effective_feerate);
    std::string error;
    auto r = SelectCoins({theirs, change}, {}, Amount{500000}, params, rng, error);
    REQUIRE(r);
    CHECK(PointsOf(*r) == std::set{theirs.outpoint});

    // More than the confirmed coin holds: the unconfirmed change (one ancestor) is used.
    r = SelectCoins({theirs, change}, {}, Amount{1500000}, params, rng, error);
    REQUIRE(r);
    CHECK(PointsOf(*r).count(change.outpoint) == 1);
    auto no_zero_conf = params;
    no_zero_conf.m_spend_zero_conf_change = false;
    CHECK_FALSE(SelectCoins({theirs, change}, {}, Amount{1500000}, no_zero_conf, rng, error));
    CHECK(error == "Insufficient funds");

    // An unconfirmed coin from someone else is unsafe.
    const COutput unsafe =
        MakeCoin({3000000, 68, /*depth=*/0, /*from_me=*/false, OutputType::BECH32, 0, /*safe=*/false, 1, 1},
                 params.m_effective_feerate);
    CHECK_FALSE(SelectCoins({unsafe}, {}, Amount{500000}, params, rng, error));
    CHECK(error == "Insufficient funds");
    auto allow = params;
    allow.m_include_unsafe_inputs = true;
    r = SelectCoins({unsafe}, {}, Amount{500000}, allow, rng, error);
    REQUIRE(r);
    CHECK(PointsOf(*r) == std::set{unsafe.outpoint});

    // So is our own unconfirmed change from a replacing (or replaced) transaction, which the
    // confirmation filters alone would let through.
    const COutput replaced =
        MakeCoin({3000000, 68, /*depth=*/0, /*from_me=*/true, OutputType::BECH32, 0, /*safe=*/false, 1, 1},
                 params.m_effective_feerate);
    CHECK_FALSE(SelectCoins({replaced}, {}, Amount{500000}, params, rng, error));
    CHECK(error == "Insufficient funds");
    CHECK(SelectCoins({replaced}, {}, Amount{500000}, allow, rng, error));
}

TEST_CASE("Coins in too long a mempool chain get Core's long-chain error", "[wallet][coinsel]")
{
    std::mt19937_64 rng(6);
    auto params = Params(2, 10);
    const COutput deep = MakeCoin({2000000, 68, 0, /*from_me=*/true, OutputType::BECH32, 0, true, /*ancestors=*/30, 1},
                                  params.m_effective_feerate);
    const COutput conf = MakeCoin({100000}, params.m_effective_feerate);
    std::string error;
    CHECK_FALSE(SelectCoins({deep, conf}, {}, Amount{500000}, params, rng, error));
    CHECK(error == "Unconfirmed UTXOs are available, but spending them creates a chain of transactions that will be "
                   "rejected by the mempool");
    params.m_reject_long_chains = false; // the unlimited filter takes it
    CHECK(SelectCoins({deep, conf}, {}, Amount{500000}, params, rng, error));
}

TEST_CASE("FilterGroups leaves all_groups out only when one type is taken", "[wallet][coinsel]")
{
    const auto params = Params(2, 10);
    std::vector<COutput> one_type, two_types;
    for (int i = 0; i < 6; ++i) {
        one_type.push_back(MakeCoin({100000 + i, 68, 6, false, OutputType::BECH32}, params.m_effective_feerate));
        const OutputType t = i % 2 ? OutputType::LEGACY : OutputType::BECH32;
        two_types.push_back(
            MakeCoin({100000 + i, t == OutputType::LEGACY ? 148 : 68, 6, false, t}, params.m_effective_feerate));
    }
    const CoinEligibilityFilter filter(1, 1, 0);
    const auto values = [](const GroupRefs& groups) {
        std::vector<int64_t> out;
        for (const OutputGroup* g : groups) out.push_back(g->m_value.sats);
        return out;
    };
    const GroupedCoins single = GroupCoins(one_type, params);
    const OutputGroupTypeMap lean = FilterGroups(single, filter, /*always_all=*/false);
    const OutputGroupTypeMap full = FilterGroups(single, filter, /*always_all=*/true);
    CHECK(lean.all_groups.positive_group.empty());
    CHECK(lean.all_groups.mixed_group.empty());
    REQUIRE(lean.TypesCount() == 1);
    CHECK(values(lean.groups_by_type.at(OutputType::BECH32).positive_group) == values(full.all_groups.positive_group));
    CHECK(values(lean.groups_by_type.at(OutputType::BECH32).mixed_group) == values(full.all_groups.mixed_group));
    // A filter that takes none of the one type's groups (six confirmations each) gives no type at all.
    CHECK(FilterGroups(single, CoinEligibilityFilter(7, 7, 0), /*always_all=*/false).groups_by_type.empty());

    const GroupedCoins mixed = GroupCoins(two_types, params);
    const OutputGroupTypeMap needed = FilterGroups(mixed, filter, /*always_all=*/false);
    const OutputGroupTypeMap always = FilterGroups(mixed, filter, /*always_all=*/true);
    CHECK(needed.TypesCount() == 2);
    CHECK(needed.all_groups.mixed_group.size() == 6);
    CHECK(values(needed.all_groups.positive_group) == values(always.all_groups.positive_group));
    CHECK(values(needed.all_groups.mixed_group) == values(always.all_groups.mixed_group));
}

TEST_CASE("Output types are kept apart unless no single type can pay", "[wallet][coinsel]")
{
    std::mt19937_64 rng(7);
    const auto params = Params(2, 10);
    const COutput a = MakeCoin({600000, 68, 6, false, OutputType::BECH32}, params.m_effective_feerate);
    const COutput b = MakeCoin({600000, 148, 6, false, OutputType::LEGACY}, params.m_effective_feerate);
    std::string error;
    for (int i = 0; i < 10; ++i) {
        auto r = SelectCoins({a, b}, {}, Amount{300000}, params, rng, error);
        REQUIRE(r);
        CHECK(r->GetInputSet().size() == 1);
    }
    auto both = SelectCoins({a, b}, {}, Amount{1000000}, params, rng, error);
    REQUIRE(both);
    CHECK(both->GetInputSet().size() == 2);

    // The first filter (six confirmations on others' coins) never mixes.
    std::vector<OutputGroup> discarded;
    const std::vector<SelectionFilter> filters{{CoinEligibilityFilter(1, 6, 0), false}};
    const GroupedCoins grouped = GroupCoins({a, b}, params);
    auto filtered = GroupOutputs(grouped, filters, discarded);
    auto& map = filtered.at(filters[0].filter);
    CHECK(map.TypesCount() == 2);
    CHECK_FALSE(AttemptSelection(Amount{1000000}, map, params, rng, /*allow_mixed_output_types=*/false));
    CHECK(AttemptSelection(Amount{1000000}, map, params, rng, /*allow_mixed_output_types=*/true));
}

TEST_CASE("avoid_partial_spends groups coins by script, at most 100 a group", "[wallet][coinsel]")
{
    std::mt19937_64 rng(8);
    auto params = Params(2, 10);
    std::vector<COutput> coins;
    for (int i = 0; i < 3; ++i)
        coins.push_back(MakeCoin({100000, 68, 6, false, OutputType::BECH32, 7}, params.m_effective_feerate));
    coins.push_back(MakeCoin({500000}, params.m_effective_feerate));
    std::string error;
    auto spread = params;
    spread.m_avoid_partial_spends = true;
    // The three coins of the shared address are spent together or not at all.
    int together = 0;
    for (int i = 0; i < 10; ++i) {
        auto r = SelectCoins(coins, {}, Amount{50000}, spread, rng, error);
        REQUIRE(r);
        size_t shared = 0;
        for (const auto& c : r->GetInputSet()) shared += c->txout.script_pubkey == coins[0].txout.script_pubkey;
        CHECK((shared == 0 || shared == 3));
        together += shared == 3;
    }
    CHECK(together > 0);

    std::vector<COutput> many;
    for (int i = 0; i < 150; ++i)
        many.push_back(MakeCoin({10000, 68, 6, false, OutputType::BECH32, 9}, params.m_effective_feerate));
    const std::vector<SelectionFilter> filters{{CoinEligibilityFilter(1, 1, 0)},
                                               {CoinEligibilityFilter(0, 1, 24, 24, true)}};
    std::vector<OutputGroup> discarded;
    const GroupedCoins grouped = GroupCoins(many, spread);
    auto filtered = GroupOutputs(grouped, filters, discarded);
    const Groups& strict = filtered.at(filters[0].filter).all_groups;
    REQUIRE(strict.mixed_group.size() == 1); // the partial group of 50 is left out
    CHECK(strict.mixed_group[0]->m_outputs.size() == OUTPUT_GROUP_MAX_ENTRIES);
    CHECK(strict.positive_group.size() == 1);
    const Groups& partial = filtered.at(filters[1].filter).all_groups;
    CHECK(partial.mixed_group.size() == 2);
    CHECK(partial.positive_group.size() == 2);

    // Without avoid_partial_spends every coin is a group.
    discarded.clear();
    const GroupedCoins one_each = GroupCoins(many, params);
    auto single = GroupOutputs(one_each, filters, discarded);
    CHECK(single.at(filters[0].filter).all_groups.mixed_group.size() == 150);
}

TEST_CASE("Preset inputs are always spent and count against the target", "[wallet][coinsel]")
{
    std::mt19937_64 rng(9);
    auto params = Params(2, 10);
    const COutput preset = MakeCoin({300000}, params.m_effective_feerate);
    std::vector<COutput> wallet_coins{MakeCoin({200000}, params.m_effective_feerate),
                                      MakeCoin({800000}, params.m_effective_feerate), preset};
    std::string error;
    auto r = SelectCoins(wallet_coins, {preset}, Amount{250000}, params, rng, error);
    REQUIRE(r);
    CHECK(r->GetAlgo() == SelectionAlgorithm::MANUAL);
    CHECK(PointsOf(*r) == std::set{preset.outpoint});

    r = SelectCoins(wallet_coins, {preset}, Amount{600000}, params, rng, error);
    REQUIRE(r);
    CHECK(PointsOf(*r).count(preset.outpoint) == 1);
    CHECK(r->GetInputSet().size() >= 2);
    CHECK(r->GetTarget() == Amount{600000});
    CHECK(r->GetAlgo() != SelectionAlgorithm::MANUAL);

    params.m_allow_other_inputs = false;
    CHECK_FALSE(SelectCoins(wallet_coins, {preset}, Amount{600000}, params, rng, error));
    CHECK(error == "The preselected coins total amount does not cover the transaction target. Please allow other "
                   "inputs to be automatically selected or include more coins manually");
}

TEST_CASE("A TRUC transaction spending unconfirmed coins stays under 1,000 vbytes (BIP-431)", "[wallet][coinsel]")
{
    std::mt19937_64 rng(10);
    auto params = Params(2, 10);
    std::vector<COutput> coins;
    for (int i = 0; i < 30; ++i) {
        coins.push_back(
            MakeCoin({10000, 68, 0, /*from_me=*/true, OutputType::BECH32, 0, true, 1, 1}, params.m_effective_feerate));
    }
    std::string error;
    CHECK(SelectCoins(coins, {}, Amount{200000}, params, rng, error)); // version 2: 21+ inputs are fine
    params.m_version = TRUC_VERSION;
    CHECK_FALSE(SelectCoins(coins, {}, Amount{200000}, params, rng, error));
    CHECK(error == ERR_MAX_WEIGHT);
    CHECK(SelectCoins(coins, {}, Amount{50000}, params, rng, error)); // a few inputs fit
}

TEST_CASE("Coins sharing an unconfirmed ancestor pay its shortfall once (Core's combined bump fee)",
          "[wallet][coinsel]")
{
    std::mt19937_64 rng(7);
    auto params = Params(10, 10);
    // Two unconfirmed coins of our own, each charged a 5,000 sat shortfall of the one parent.
    std::vector<COutput> coins;
    for (int i = 0; i < 2; ++i) {
        COutput c = MakeCoin({60000, 68, /*depth=*/0, /*from_me=*/true}, params.m_effective_feerate);
        c.ApplyBumpFee(Amount{5000});
        coins.push_back(c);
    }
    const Amount target{100000};
    std::vector<std::vector<consensus::OutPoint>> asked;
    params.combined_bump_fee = [&](const std::vector<consensus::OutPoint>& ops) -> std::optional<Amount> {
        asked.push_back(ops);
        return Amount{5000};
    };
    std::string error;
    auto both = SelectCoins(coins, {}, target, params, rng, error);
    REQUIRE(both);
    REQUIRE(both->GetInputSet().size() == 2);
    CHECK(both->GetTotalBumpFees() == Amount{5000});
    // The effective value given back: 120,000 less two input fees of 680, less 5,000 once.
    CHECK(both->GetSelectedEffectiveValue() == Amount{120000 - 2 * 680 - 5000});
    REQUIRE_FALSE(asked.empty());
    CHECK(std::set<consensus::OutPoint>(asked.back().begin(), asked.back().end()) == PointsOf(*both));

    // The same coins as presets: the discount covers them too.
    asked.clear();
    auto presets = SelectCoins({}, coins, target, params, rng, error);
    REQUIRE(presets);
    CHECK(presets->GetTotalBumpFees() == Amount{5000});
    CHECK(asked.size() == 1);

    // Confirmed coins are never asked about.
    asked.clear();
    std::vector<COutput> confirmed{MakeCoin({150000}, params.m_effective_feerate)};
    REQUIRE(SelectCoins(confirmed, {}, target, params, rng, error));
    CHECK(asked.empty());

    // A mempool that cannot tell: Core's error.
    params.combined_bump_fee = [](const std::vector<consensus::OutPoint>&) -> std::optional<Amount> {
        return std::nullopt;
    };
    CHECK_FALSE(SelectCoins(coins, {}, target, params, rng, error));
    CHECK(error == ERR_BUMP_FEE_CLUSTER);
    CHECK_FALSE(SelectCoins({}, coins, target, params, rng, error));
    CHECK(error == ERR_BUMP_FEE_CLUSTER);
}

TEST_CASE("A selection keeps its coins after the grouped coins are gone", "[wallet][coinsel]")
{
    // GroupCoins' groups point into its block of coins without owning it; the result must own
    // copies of the coins it selects, since it outlives the block (AutomaticCoinSelection).
    std::mt19937_64 rng(12);
    const auto params = Params(2, 10);
    std::vector<COutput> coins;
    for (int i = 0; i < 5; ++i) coins.push_back(MakeCoin({100000 * (i + 1)}, params.m_effective_feerate));
    std::optional<SelectionResult> result;
    {
        const GroupedCoins grouped = GroupCoins(coins, params);
        REQUIRE(grouped.entries.front().group.m_outputs[0].use_count() == 0); // not owned by the group
        OutputGroupTypeMap map = FilterGroups(grouped, CoinEligibilityFilter(1, 1, 0));
        auto outcome = AttemptSelection(Amount{250000}, map, params, rng, /*allow_mixed_output_types=*/true);
        REQUIRE(outcome);
        result = std::move(*outcome.result);
    }
    Amount selected{0};
    for (const auto& coin : result->GetInputSet()) {
        CHECK(coin.use_count() > 0);
        selected += coin->txout.value; // read after the block is freed (ASan would see a dangling one)
    }
    CHECK(selected >= Amount{250000});
    CHECK(selected == result->GetSelectedValue());
}
