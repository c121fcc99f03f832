// The top level of coin selection, as Core's spend.cpp runs it: group the coins, try the eligibility
// filters from the most to the least selective, run every algorithm per output type and keep the
// result with the least waste.
#include "wallet/coinselection.h"

#include "consensus/limits.h"

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

namespace wallet {
namespace {

const char* const ERR_LONG_CHAIN = "Unconfirmed UTXOs are available, but spending them creates a chain of "
                                   "transactions that will be rejected by the mempool";
const char* const ERR_PRESET_NOT_ENOUGH = "The preselected coins total amount does not cover the transaction "
                                          "target. Please allow other inputs to be automatically selected or "
                                          "include more coins manually";
const char* const ERR_PRESET_TOO_HEAVY = "The combination of the pre-selected inputs and the wallet automatic inputs "
                                         "selection exceeds the transaction maximum weight. Please try sending a "
                                         "smaller amount or manually consolidating your wallet's UTXOs";

int MaxTxWeight(const CoinSelectionParams& params) { return params.m_max_tx_weight.value_or(MAX_STANDARD_TX_WEIGHT); }

uint64_t AncestorLimit(const CoinSelectionParams& p) { return std::max<uint64_t>(1, p.m_limit_ancestor_count); }
uint64_t DescendantLimit(const CoinSelectionParams& p) { return std::max<uint64_t>(1, p.m_limit_descendant_count); }

/** The coins by output type, each type's coins in the order given (Core keeps them in a map by type). */
std::map<OutputType, std::vector<COutput*>> ByType(std::vector<COutput>& coins)
{
    std::map<OutputType, std::vector<COutput*>> out;
    for (COutput& c : coins) out[c.type].push_back(&c);
    return out;
}

} // namespace

GroupedCoins GroupCoins(std::vector<COutput> coins_in, const CoinSelectionParams& params)
{
    GroupedCoins out;
    // The coins stay in one block, out.coins, that the groups point into without owning it
    // (shared_ptrs with no control block), instead of an allocation per coin or a reference
    // count per coin: a send from a wallet of 10,000 coins groups them all each time.
    // SelectionResult copies the coins it selects.
    out.coins = std::make_unique<std::vector<COutput>>(std::move(coins_in));
    std::vector<COutput>& coins = *out.coins;
    const auto by_type = ByType(coins);
    out.types = by_type.size();
    auto shared = [](COutput* coin) { return std::shared_ptr<COutput>(std::shared_ptr<void>(), coin); };

    if (!params.m_avoid_partial_spends) {
        // Partial spends allowed: every coin is a group of its own.
        out.entries.reserve(coins.size());
        for (const auto& [type, outs] : by_type) {
            for (COutput* coin : outs) {
                OutputGroup group(params);
                const size_t ancestors = coin->ancestors, descendants = coin->descendants;
                group.Insert(shared(coin), ancestors, descendants);
                out.entries.push_back({std::move(group), type, /*positive_only=*/false, /*partial=*/false,
                                       /*both_sets=*/true});
            }
        }
        return out;
    }

    // Avoid partial spends: the coins of one script (and type) go together, in groups of at most
    // OUTPUT_GROUP_MAX_ENTRIES so a much reused address cannot force a huge transaction. Two sets of
    // groups are built: of all coins (for knapsack) and of positive coins only (for the others).
    using ScriptGroups = std::map<std::pair<consensus::Script, OutputType>, std::vector<OutputGroup>>;
    auto insert = [&](const std::shared_ptr<COutput>& coin, OutputType type, ScriptGroups& map) {
        std::vector<OutputGroup>& groups = map[{coin->txout.script_pubkey, type}];
        if (groups.empty() || groups.back().m_outputs.size() >= OUTPUT_GROUP_MAX_ENTRIES) groups.emplace_back(params);
        groups.back().Insert(coin, coin->ancestors, coin->descendants);
    };
    ScriptGroups all_map, positive_map;
    for (const auto& [type, outs] : by_type) {
        for (COutput* coin : outs) {
            const std::shared_ptr<COutput> one = shared(coin);
            if (one->GetEffectiveValue().sats > 0) insert(one, type, positive_map);
            insert(one, type, all_map);
        }
    }
    auto add = [&](ScriptGroups& map, bool positive_only) {
        for (auto& [key, groups] : map) {
            // Last group first: it is the partial one when the script has several.
            const bool several = groups.size() > 1;
            for (auto it = groups.rbegin(); it != groups.rend(); ++it) {
                const bool partial = it == groups.rbegin() && several;
                out.entries.push_back({std::move(*it), key.second, positive_only, partial, /*both_sets=*/false});
            }
        }
    };
    add(all_map, /*positive_only=*/false);
    add(positive_map, /*positive_only=*/true);
    return out;
}

namespace {

bool Takes(const GroupedCoins::Entry& e, const CoinEligibilityFilter& filter)
{
    if (e.partial && !filter.m_include_partial_groups) return false;
    return e.group.EligibleForSpending(filter);
}

void PushTaken(OutputGroupTypeMap& map, const GroupedCoins::Entry& e, bool into_all)
{
    // One group per coin goes to both sets; with avoid_partial_spends, each set has its own groups.
    map.Push(e.group, e.type, /*insert_positive=*/e.both_sets || e.positive_only,
             /*insert_mixed=*/e.both_sets || !e.positive_only, into_all);
}

} // namespace

OutputGroupTypeMap FilterGroups(const GroupedCoins& grouped, const CoinEligibilityFilter& filter, bool always_all)
{
    OutputGroupTypeMap map;
    if (grouped.types == 1 && !always_all) {
        // One output type among all the coins (a wallet of one address type): no all_groups, and
        // one pass over the groups instead of two.
        Groups& of_type = map.groups_by_type[grouped.entries.front().type];
        of_type.positive_group.reserve(grouped.entries.size());
        of_type.mixed_group.reserve(grouped.entries.size());
        bool any = false;
        for (const auto& e : grouped.entries) {
            if (!Takes(e, filter)) continue;
            any = true;
            PushTaken(map, e, /*into_all=*/false);
        }
        if (!any) map.groups_by_type.clear(); // as if nothing was pushed
        return map;
    }
    // Several types among the groups filter takes? Then all_groups is needed.
    std::optional<OutputType> first_type;
    bool several = always_all;
    size_t taken = 0;
    for (const auto& e : grouped.entries) {
        if (!Takes(e, filter)) continue;
        ++taken;
        if (!first_type) first_type = e.type;
        several |= e.type != *first_type;
    }
    if (first_type && !several) {
        Groups& of_type = map.groups_by_type[*first_type];
        of_type.positive_group.reserve(taken);
        of_type.mixed_group.reserve(taken);
    }
    for (const auto& e : grouped.entries) {
        if (Takes(e, filter)) PushTaken(map, e, /*into_all=*/several);
    }
    return map;
}

std::vector<const OutputGroup*> DiscardedGroups(const GroupedCoins& grouped,
                                                const std::vector<SelectionFilter>& filters)
{
    std::vector<const OutputGroup*> out;
    for (const auto& e : grouped.entries) {
        if (std::none_of(filters.begin(), filters.end(),
                         [&](const SelectionFilter& sf) { return Takes(e, sf.filter); }))
            out.push_back(&e.group);
    }
    return out;
}

FilteredOutputGroups GroupOutputs(const GroupedCoins& grouped, const std::vector<SelectionFilter>& filters,
                                  std::vector<OutputGroup>& discarded)
{
    FilteredOutputGroups filtered;
    for (const SelectionFilter& sf : filters) {
        OutputGroupTypeMap map = FilterGroups(grouped, sf.filter);
        if (!map.groups_by_type.empty()) filtered[sf.filter] = std::move(map);
    }
    for (const OutputGroup* g : DiscardedGroups(grouped, filters)) discarded.push_back(*g);
    return filtered;
}

bool ApplyCombinedBumpFee(SelectionResult& result, const CoinSelectionParams& params)
{
    // Unconfirmed coins sharing ancestors were each charged the ancestors' whole shortfall: the
    // mempool says what bumping them together costs, and the overestimate is given back (Core).
    std::vector<consensus::OutPoint> unconfirmed;
    Amount summed_bump_fees{0};
    for (const auto& coin : result.GetInputSet()) {
        if (coin->depth > 0) continue; // only unconfirmed coins have ancestors to bump
        unconfirmed.push_back(coin->outpoint);
        summed_bump_fees += coin->ancestor_bump_fees;
    }
    if (!params.combined_bump_fee || unconfirmed.empty()) return true;
    const std::optional<Amount> combined = params.combined_bump_fee(unconfirmed);
    if (!combined) return false;
    // The sum charged a shared ancestor's shortfall once per coin. Should it be below the combined
    // fee (the pool changed between the two questions), nothing is given back (Core asserts it
    // cannot happen).
    result.SetBumpFeeDiscount(std::max(summed_bump_fees - *combined, Amount{0}));
    return true;
}

SelectionOutcome ChooseSelectionResult(Amount target, Groups& groups, const CoinSelectionParams& params,
                                       std::mt19937_64& rng)
{
    std::vector<SelectionResult> results;
    std::string first_error; // the first specific error, returned when nothing succeeds
    auto take = [&](SelectionOutcome&& outcome) {
        if (outcome.result && outcome.result->GetInputSet().empty()) return; // nothing to fund (target <= 0)
        if (outcome.result) {
            results.push_back(std::move(*outcome.result));
        } else if (first_error.empty()) {
            first_error = std::move(outcome.error);
        }
    };

    // The weight the inputs may have.
    int max_selection_weight =
        MaxTxWeight(params) - static_cast<int>(params.tx_noinputs_size) * consensus::WITNESS_SCALE_FACTOR;
    if (max_selection_weight <= 0) {
        return SelectionOutcome::Fail("Maximum transaction weight is less than transaction weight without inputs");
    }

    // BnB looks for changeless input sets, which go wrong with SFFO (the recipients would pay the excess).
    if (!params.m_subtract_fee_outputs) {
        take(SelectCoinsBnB(groups.positive_group, target, params.m_cost_of_change, max_selection_weight));
    }

    // The other algorithms may make a change output: leave room for it.
    max_selection_weight -= static_cast<int>(params.change_output_size) * consensus::WITNESS_SCALE_FACTOR;
    if (max_selection_weight < 0 && results.empty()) {
        return SelectionOutcome::Fail("Maximum transaction weight is too low, can not accommodate change output");
    }

    // Knapsack keeps Core's legacy habit of spending dust: it sees every group, not only positive ones.
    take(KnapsackSolver(groups.mixed_group, target, params.m_min_change_target, rng, max_selection_weight));

    // CoinGrinder only when fees are high (above 3x the long-term rate): then the lightest input set pays.
    if (params.m_effective_feerate > common::FeeRate(Amount{3 * params.m_long_term_feerate.SatsPerKvB().sats})) {
        take(CoinGrinder(groups.positive_group, target, params.m_min_change_target, max_selection_weight));
    }

    take(SelectCoinsSRD(groups.positive_group, target, params.m_change_fee, rng, max_selection_weight));

    if (results.empty()) return SelectionOutcome::Fail(first_error);

    for (SelectionResult& r : results) {
        if (!ApplyCombinedBumpFee(r, params)) return SelectionOutcome::Fail(ERR_BUMP_FEE_CLUSTER);
        r.RecalculateWaste(params.min_viable_change, params.m_cost_of_change, params.m_change_fee);
    }
    // Least waste; on equal waste, more inputs (consolidating while it is cheap).
    return SelectionOutcome::Ok(*std::min_element(results.begin(), results.end()));
}

SelectionOutcome AttemptSelection(Amount target, OutputGroupTypeMap& groups, const CoinSelectionParams& params,
                                  std::mt19937_64& rng, bool allow_mixed_output_types)
{
    // Each output type alone first: a transaction spending one script type reveals less.
    std::vector<SelectionResult> results;
    for (auto& [type, of_type] : groups.groups_by_type) {
        SelectionOutcome outcome = ChooseSelectionResult(target, of_type, params, rng);
        if (!outcome.error.empty()) return outcome; // something specific went wrong
        if (outcome.result) results.push_back(std::move(*outcome.result));
    }
    if (!results.empty()) return SelectionOutcome::Ok(*std::min_element(results.begin(), results.end()));
    if (allow_mixed_output_types && groups.TypesCount() > 1) {
        return ChooseSelectionResult(target, groups.all_groups, params, rng);
    }
    return SelectionOutcome::Fail();
}

std::vector<SelectionFilter> OrderedEligibilityFilters(const CoinSelectionParams& params)
{
    const uint64_t max_anc = AncestorLimit(params);
    const uint64_t max_desc = DescendantLimit(params);
    // Confirmed coins only, six confirmations on coins from others, one output type.
    std::vector<SelectionFilter> filters{{CoinEligibilityFilter(1, 6, 0), /*allow_mixed_output_types=*/false},
                                         {CoinEligibilityFilter(1, 1, 0)}};
    if (params.m_spend_zero_conf_change) {
        // Our own unconfirmed change, with as few mempool ancestors as will do.
        filters.push_back({CoinEligibilityFilter(0, 1, 2)});
        filters.push_back(
            {CoinEligibilityFilter(0, 1, std::min<uint64_t>(4, max_anc / 3), std::min<uint64_t>(4, max_desc / 3))});
        filters.push_back({CoinEligibilityFilter(0, 1, max_anc / 2, max_desc / 2)});
        // Partial groups of a script (avoid_partial_spends) become usable.
        filters.push_back({CoinEligibilityFilter(0, 1, max_anc - 1, max_desc - 1, /*include_partial=*/true)});
        // Unconfirmed coins from others, when the user allows unsafe inputs.
        if (params.m_include_unsafe_inputs) {
            filters.push_back({CoinEligibilityFilter(0, 0, max_anc - 1, max_desc - 1, /*include_partial=*/true)});
        }
        // Groups over-count ancestry; the mempool judges the real chain when the transaction is sent.
        if (!params.m_reject_long_chains) {
            filters.push_back({CoinEligibilityFilter(0, 1, std::numeric_limits<uint64_t>::max(),
                                                     std::numeric_limits<uint64_t>::max(), /*include_partial=*/true)});
        }
    }
    return filters;
}

SelectionOutcome AutomaticCoinSelection(std::vector<COutput> available, Amount target,
                                        const CoinSelectionParams& params, std::mt19937_64& rng)
{
    // With 101+ coins on one script, grouping in a fixed order would leak which coins go together.
    if (params.m_avoid_partial_spends && available.size() > OUTPUT_GROUP_MAX_ENTRIES) {
        std::shuffle(available.begin(), available.end(), rng);
    }
    const std::vector<SelectionFilter> filters = OrderedEligibilityFilters(params);
    Amount total{0};
    for (const COutput& c : available) total += c.txout.value;
    // Grouped once (the coins move into one block the groups point into); each filter's lists
    // of groups (addresses into `grouped`) are made only when its attempt comes (the first
    // filter usually succeeds).
    const GroupedCoins grouped = GroupCoins(std::move(available), params);

    // Enough left once the coins no filter takes are set aside? If what is missing sits in long
    // mempool chains, say so. (Core computes the same; its inner sum reads a bool through an operator
    // precedence slip, here it is the amount left.)
    const uint64_t max_anc = AncestorLimit(params);
    const uint64_t max_desc = DescendantLimit(params);
    Amount total_discarded{0}, long_chain{0};
    for (const OutputGroup* g : DiscardedGroups(grouped, filters)) {
        total_discarded += g->GetSelectionAmount();
        if (g->m_ancestors >= max_anc || g->m_descendants >= max_desc) long_chain += g->GetSelectionAmount();
    }
    const Amount left = total - total_discarded;
    if (left < target) {
        if (left + long_chain > target) return SelectionOutcome::Fail(ERR_LONG_CHAIN);
        return SelectionOutcome::Fail();
    }

    std::string first_error;
    CoinSelectionParams attempt_params = params;
    for (const SelectionFilter& sf : filters) {
        OutputGroupTypeMap groups = FilterGroups(grouped, sf.filter, /*always_all=*/false);
        if (groups.groups_by_type.empty()) continue;
        // BIP-431: a TRUC transaction spending unconfirmed coins is a child, at most 1,000 vbytes.
        if (attempt_params.m_version == TRUC_VERSION && (sf.filter.conf_mine == 0 || sf.filter.conf_theirs == 0) &&
            MaxTxWeight(attempt_params) > TRUC_CHILD_MAX_WEIGHT) {
            attempt_params.m_max_tx_weight = TRUC_CHILD_MAX_WEIGHT;
        }
        SelectionOutcome outcome = AttemptSelection(target, groups, attempt_params, rng, sf.allow_mixed_output_types);
        if (outcome) return outcome;
        if (first_error.empty()) first_error = std::move(outcome.error);
    }
    return SelectionOutcome::Fail(first_error);
}

std::optional<SelectionResult> SelectCoins(std::vector<COutput> available, const std::vector<COutput>& preset_inputs,
                                           Amount target, const CoinSelectionParams& params, std::mt19937_64& rng,
                                           std::string& error)
{
    error.clear();
    for (const std::vector<COutput>* list : {&std::as_const(available), &preset_inputs}) {
        for (const COutput& c : *list) {
            if (!c.HasEffectiveValue()) {
                error = "Coin selection: a coin was given without its fee (build COutputs with the fee rate)";
                return std::nullopt;
            }
        }
    }

    // The presets are always spent; what they are worth counts against the target.
    std::vector<std::shared_ptr<COutput>> presets;
    std::set<consensus::OutPoint> preset_points;
    Amount preset_total{0};
    for (const COutput& c : preset_inputs) {
        if (!preset_points.insert(c.outpoint).second) continue; // listed twice
        presets.push_back(std::make_shared<COutput>(c));
        preset_total += params.m_subtract_fee_outputs ? c.txout.value : c.GetEffectiveValue();
    }
    const Amount selection_target = target - preset_total;

    if (!params.m_allow_other_inputs && selection_target.sats > 0) {
        error = ERR_PRESET_NOT_ENOUGH;
        return std::nullopt;
    }
    if (selection_target.sats <= 0) {
        if (presets.empty()) {
            error = "Coin selection: nothing to fund (the target is not positive)";
            return std::nullopt;
        }
        SelectionResult result(target, SelectionAlgorithm::MANUAL);
        result.AddInputs(presets, params.m_subtract_fee_outputs);
        // Core discounts only what automatic selection added: presets sharing an unconfirmed
        // ancestor would each pay its whole shortfall. Here the presets get the discount too.
        if (!ApplyCombinedBumpFee(result, params)) {
            error = ERR_BUMP_FEE_CLUSTER;
            return std::nullopt;
        }
        result.RecalculateWaste(params.min_viable_change, params.m_cost_of_change, params.m_change_fee);
        return result;
    }

    // The wallet's coins other than the presets; unsafe ones only when allowed (Core's AvailableCoins).
    std::erase_if(available, [&](const COutput& c) {
        return preset_points.contains(c.outpoint) || (!c.safe && !params.m_include_unsafe_inputs);
    });
    std::vector<COutput>& pool = available;
    Amount pool_total{0};
    for (const COutput& c : pool) pool_total += params.m_subtract_fee_outputs ? c.txout.value : c.GetEffectiveValue();
    if (selection_target > pool_total) {
        error = ERR_INSUFFICIENT_FUNDS;
        return std::nullopt;
    }

    SelectionOutcome outcome = AutomaticCoinSelection(std::move(pool), selection_target, params, rng);
    if (!outcome) {
        error = outcome.error.empty() ? ERR_INSUFFICIENT_FUNDS : outcome.error;
        return std::nullopt;
    }
    SelectionResult result = std::move(*outcome.result);
    if (!presets.empty()) {
        SelectionResult preselected(preset_total, SelectionAlgorithm::MANUAL);
        preselected.AddInputs(presets, params.m_subtract_fee_outputs);
        result.Merge(preselected);
        // The discount over every input, presets included (see above).
        if (!ApplyCombinedBumpFee(result, params)) {
            error = ERR_BUMP_FEE_CLUSTER;
            return std::nullopt;
        }
        result.RecalculateWaste(params.min_viable_change, params.m_cost_of_change, params.m_change_fee);
        const int max_inputs_weight =
            MaxTxWeight(params) - static_cast<int>(params.tx_noinputs_size) * consensus::WITNESS_SCALE_FACTOR;
        if (result.GetWeight() > max_inputs_weight) {
            error = ERR_PRESET_TOO_HEAVY;
            return std::nullopt;
        }
    }
    return result;
}

} // namespace wallet
