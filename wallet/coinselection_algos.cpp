// The selection algorithms, after Bitcoin Core's designs: branch and bound (Murch's thesis, "An
// Evaluation of Coin Selection Strategies", 2016), CoinGrinder, single random draw, and the knapsack
// solver. Each works on OutputGroups and answers a SelectionResult or a failure.
#include "wallet/coinselection.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <queue>

namespace wallet {
namespace {

/** Groups that cannot add value (non-positive selection amount) never help BnB, CoinGrinder or SRD;
 * the caller hands those only positive groups, this keeps a stray one from breaking the search. */
void DropNonPositive(GroupRefs& pool)
{
    std::erase_if(pool, [](const OutputGroup* g) { return g->GetSelectionAmount().sats <= 0; });
}

/** What a group is sorted by: larger selection amount first, then the smaller tie-breaker. */
struct SortKey {
    int64_t amount;
    int64_t tie;
    size_t index;
};

/**
 * Sorts the groups, larger amount first and on equal amounts by tie(group), smaller first
 * (the waste, fee - long_term_fee, for BnB and knapsack; the weight for CoinGrinder).
 * std::sort's result depends on the comparisons alone, so sorting small keys with the same
 * comparisons and then placing each group once gives the order sorting the groups themselves
 * would (ties included, as Core's in-place sort), reading each group once.
 */
template <typename Tie>
void SortDescendingByAmount(GroupRefs& pool, Tie tie)
{
    std::vector<SortKey> keys;
    keys.reserve(pool.size());
    for (size_t i = 0; i < pool.size(); ++i) keys.push_back({pool[i]->GetSelectionAmount().sats, tie(*pool[i]), i});
    std::sort(keys.begin(), keys.end(), [](const SortKey& a, const SortKey& b) {
        if (a.amount != b.amount) return a.amount > b.amount;
        return a.tie < b.tie;
    });
    GroupRefs sorted;
    sorted.reserve(pool.size());
    for (const SortKey& k : keys) sorted.push_back(pool[k.index]);
    pool.swap(sorted);
}

int64_t Waste(const OutputGroup& g) { return (g.fee - g.long_term_fee).sats; }
int64_t Weight(const OutputGroup& g) { return g.m_weight; }

SelectionOutcome NoSolution(bool weight_exceeded)
{
    return SelectionOutcome::Fail(weight_exceeded ? ERR_MAX_WEIGHT : "");
}

} // namespace

SelectionOutcome SelectCoinsBnB(GroupRefs& utxo_pool, Amount selection_target, Amount cost_of_change, int max_weight)
{
    DropNonPositive(utxo_pool);
    Amount remaining{0}; // value of the groups not yet decided on (the lookahead)
    for (const OutputGroup* g : utxo_pool) remaining += g->GetSelectionAmount();
    if (utxo_pool.empty() || remaining < selection_target) return SelectionOutcome::Fail();

    SortDescendingByAmount(utxo_pool, Waste);
    // When spending now costs more than later, every added input raises the waste: once the waste
    // passes the best found, no deeper node can beat it.
    const bool waste_grows_with_inputs = utxo_pool.front()->fee > utxo_pool.front()->long_term_fee;

    std::vector<size_t> chosen; // indices of the included groups, ascending
    std::vector<size_t> best;
    Amount value{0};
    Amount waste{0}; // sum over chosen of fee - long_term_fee
    int weight = 0;
    Amount best_waste = consensus::MAX_MONEY;
    bool weight_exceeded = false;
    const Amount upper = selection_target + cost_of_change;

    size_t next = 0; // the group to decide on next
    for (size_t step = 0; step < TOTAL_TRIES; ++step, ++next) {
        bool back = false;
        if (value + remaining < selection_target || value > upper || (waste_grows_with_inputs && waste > best_waste)) {
            back = true; // cannot reach the window, overshot it, or already worse than the best
        } else if (weight > max_weight) {
            weight_exceeded = true; // adding more only gets heavier
            back = true;
        } else if (value >= selection_target) {
            // In the window: a changeless solution. Its waste counts the excess given to fees.
            const Amount total_waste = waste + (value - selection_target);
            if (total_waste <= best_waste) {
                best = chosen;
                best_waste = total_waste;
            }
            back = true; // more inputs would only burn more
        }

        if (back) {
            if (chosen.empty()) break; // the whole tree is explored
            // Give back to the lookahead the groups skipped after the last included one, then take
            // that one's omission branch.
            for (--next; next > chosen.back(); --next) remaining += utxo_pool[next]->GetSelectionAmount();
            const OutputGroup& undo = *utxo_pool[chosen.back()];
            value -= undo.GetSelectionAmount();
            waste -= undo.fee - undo.long_term_fee;
            weight -= undo.m_weight;
            chosen.pop_back();
            continue;
        }

        if (next >= utxo_pool.size()) break; // unreachable: the lookahead is spent before the end
        const OutputGroup& g = *utxo_pool[next];
        remaining -= g.GetSelectionAmount();
        // Including a group equal (amount and fee) to the one just omitted before it would only repeat
        // a combination already tried: omit it as well.
        const bool repeats_omitted = !chosen.empty() && next > 0 && chosen.back() != next - 1 &&
                                     g.GetSelectionAmount() == utxo_pool[next - 1]->GetSelectionAmount() &&
                                     g.fee == utxo_pool[next - 1]->fee;
        if (!repeats_omitted) {
            chosen.push_back(next);
            value += g.GetSelectionAmount();
            waste += g.fee - g.long_term_fee;
            weight += g.m_weight;
        }
    }

    if (best.empty()) return NoSolution(weight_exceeded);
    SelectionResult result(selection_target, SelectionAlgorithm::BNB);
    for (size_t i : best) result.AddInput(*utxo_pool[i]);
    // Changeless by construction: with min_viable_change = cost_of_change any excess counts as waste.
    result.RecalculateWaste(cost_of_change, cost_of_change, Amount{0});
    return SelectionOutcome::Ok(std::move(result));
}

SelectionOutcome CoinGrinder(GroupRefs& utxo_pool, Amount selection_target, Amount change_target, int max_weight)
{
    DropNonPositive(utxo_pool);
    if (utxo_pool.empty()) return SelectionOutcome::Fail();
    SortDescendingByAmount(utxo_pool, Weight);
    const size_t n = utxo_pool.size();

    // after[i]: amount of the groups past i; lightest_after[i]: lightest weight among them.
    std::vector<Amount> after(n);
    std::vector<int> lightest_after(n);
    Amount total{0};
    int lightest = std::numeric_limits<int>::max();
    for (size_t k = n; k-- > 0;) {
        after[k] = total;
        lightest_after[k] = lightest;
        total += utxo_pool[k]->GetSelectionAmount();
        lightest = std::min(lightest, utxo_pool[k]->m_weight);
    }
    const Amount goal = selection_target + change_target;
    if (total < goal) return SelectionOutcome::Fail();

    std::vector<size_t> chosen, best;
    Amount amount{0}, best_amount = consensus::MAX_MONEY;
    int weight = 0, best_weight = max_weight; // a tie on weight is fine: less amount wins then
    bool weight_exceeded = false;
    bool completed = false;
    size_t next = 0;
    size_t tries = 0;

    auto drop_last = [&] {
        const OutputGroup& g = *utxo_pool[chosen.back()];
        amount -= g.GetSelectionAmount();
        weight -= g.m_weight;
        chosen.pop_back();
    };
    // After a heavier-than-best node: if the last group is already the lightest of what follows, every
    // sibling is as heavy (cut the subtree), else a lighter sibling may still do (shift).
    auto cut_or_shift = [&](size_t tail, bool& cut, bool& shift) {
        if (utxo_pool[tail]->m_weight <= lightest_after[tail]) {
            cut = true;
        } else {
            shift = true;
        }
    };

    while (true) {
        // Include `next` and judge the selection.
        const OutputGroup& g = *utxo_pool[next];
        amount += g.GetSelectionAmount();
        weight += g.m_weight;
        chosen.push_back(next);
        ++next;
        ++tries;

        bool shift = false, cut = false;
        const size_t tail = chosen.back();
        if (amount + after[tail] < goal) {
            cut = true; // even everything after cannot fund it
        } else if (weight > best_weight) {
            if (weight > max_weight) weight_exceeded = true;
            cut_or_shift(tail, cut, shift);
        } else if (amount >= goal) {
            shift = true; // funded: more inputs only add weight
            if (weight < best_weight || (weight == best_weight && amount < best_amount)) {
                best = chosen;
                best_weight = weight;
                best_amount = amount;
            }
        } else if (!best.empty()) {
            // Needed inputs at least ceil(missing / last amount), each at least the lightest weight left.
            const int64_t per = g.GetSelectionAmount().sats;
            const int64_t needed = (goal - amount).sats / per + ((goal - amount).sats % per != 0 ? 1 : 0);
            if (int64_t{weight} + int64_t{lightest_after[tail]} * needed > best_weight) {
                cut_or_shift(tail, cut, shift);
            }
        }

        if (tries >= TOTAL_TRIES) break; // not exhaustive: the best may not be optimal
        if (next == n) cut = true;       // nothing left to add or to shift to

        if (cut) {
            drop_last();
            shift = true;
        }
        bool done = false;
        while (shift) {
            if (chosen.empty()) {
                done = true;
                break;
            }
            next = chosen.back() + 1; // the omission branch of the last included group
            drop_last();
            shift = false;
            // A group equal in amount to the one just omitted is as heavy or heavier (the sort's tie
            // rule): including it repeats a worse combination, so skip such clones.
            while (utxo_pool[next - 1]->GetSelectionAmount() == utxo_pool[next]->GetSelectionAmount()) {
                if (next >= n - 1) {
                    shift = true; // only clones left: shift further up
                    break;
                }
                ++next;
            }
        }
        if (done) {
            completed = true;
            break;
        }
    }

    if (best.empty()) return NoSolution(weight_exceeded);
    SelectionResult result(selection_target, SelectionAlgorithm::CG);
    for (size_t i : best) result.AddInput(*utxo_pool[i]);
    result.SetAlgoCompleted(completed);
    result.SetSelectionsEvaluated(tries);
    return SelectionOutcome::Ok(std::move(result));
}

SelectionOutcome SelectCoinsSRD(const GroupRefs& utxo_pool, Amount target_value, Amount change_fee,
                                std::mt19937_64& rng, int max_weight)
{
    SelectionResult result(target_value, SelectionAlgorithm::SRD);
    // Aim for some change too, so that a selection barely over the target does not leave tiny change;
    // the lower bound suffices, SRD's change is random anyway.
    const Amount goal = target_value + CHANGE_LOWER + change_fee;

    std::vector<size_t> order(utxo_pool.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::shuffle(order.begin(), order.end(), rng);

    // The selected groups, smallest amount on top, so the least valuable go first when too heavy.
    auto larger = [&](size_t a, size_t b) {
        return utxo_pool[a]->GetSelectionAmount() > utxo_pool[b]->GetSelectionAmount();
    };
    std::priority_queue<size_t, std::vector<size_t>, decltype(larger)> heap(larger);
    Amount selected{0};
    int weight = 0;
    bool weight_exceeded = false;
    for (size_t i : order) {
        const OutputGroup& g = *utxo_pool[i];
        if (g.GetSelectionAmount().sats <= 0) continue; // only positive groups belong here
        heap.push(i);
        selected += g.GetSelectionAmount();
        weight += g.m_weight;
        if (weight > max_weight) {
            weight_exceeded = true;
            while (!heap.empty() && weight > max_weight) {
                selected -= utxo_pool[heap.top()]->GetSelectionAmount();
                weight -= utxo_pool[heap.top()]->m_weight;
                heap.pop();
            }
        }
        if (selected >= goal) {
            while (!heap.empty()) {
                result.AddInput(*utxo_pool[heap.top()]);
                heap.pop();
            }
            return SelectionOutcome::Ok(std::move(result));
        }
    }
    return NoSolution(weight_exceeded);
}

namespace {

/** Stochastic subset sum: the smallest total >= target found in `iterations` random tries, each a random
 * pass then a pass adding whatever is left, stepping back each time the target is reached. groups sorted
 * by descending amount. best starts as all of them (total_lower). */
void ApproximateBestSubset(std::mt19937_64& rng, const GroupRefs& groups, Amount total_lower, Amount target,
                           std::vector<char>& best, Amount& best_total, int max_weight, int iterations = 1000)
{
    best.assign(groups.size(), 1);
    best_total = total_lower;
    std::vector<char> included;
    for (int rep = 0; rep < iterations && best_total != target; ++rep) {
        included.assign(groups.size(), 0);
        Amount total{0};
        int weight = 0;
        bool reached = false;
        for (int pass = 0; pass < 2 && !reached; ++pass) {
            for (size_t i = 0; i < groups.size(); ++i) {
                // Randomness only avoids degenerate behaviour here; it is no security measure.
                const bool take = pass == 0 ? (rng() & 1) != 0 : !included[i];
                if (!take) continue;
                total += groups[i]->GetSelectionAmount();
                weight += groups[i]->m_weight;
                included[i] = 1;
                if (total >= target && weight <= max_weight) {
                    reached = true;
                    if (total < best_total) {
                        best_total = total;
                        best = included;
                    }
                    // Step back and try to land closer with the groups after this one.
                    total -= groups[i]->GetSelectionAmount();
                    weight -= groups[i]->m_weight;
                    included[i] = 0;
                }
            }
        }
    }
}

} // namespace

SelectionOutcome KnapsackSolver(GroupRefs& groups, Amount target_value, Amount change_target, std::mt19937_64& rng,
                                int max_weight)
{
    SelectionResult result(target_value, SelectionAlgorithm::KNAPSACK);
    bool weight_exceeded = false;
    const OutputGroup* lowest_larger = nullptr; // the smallest group worth at least target + change_target
    GroupRefs applicable;                       // groups below that, which may combine
    Amount total_lower{0};

    std::shuffle(groups.begin(), groups.end(), rng);
    for (const OutputGroup* group : groups) {
        const OutputGroup& g = *group;
        if (g.m_weight > max_weight) {
            weight_exceeded = true;
            continue;
        }
        if (g.GetSelectionAmount() == target_value) {
            result.AddInput(g); // an exact match
            return SelectionOutcome::Ok(std::move(result));
        }
        if (g.GetSelectionAmount() < target_value + change_target) {
            applicable.push_back(group);
            total_lower += g.GetSelectionAmount();
        } else if (!lowest_larger || g.GetSelectionAmount() < lowest_larger->GetSelectionAmount()) {
            lowest_larger = group;
        }
    }

    if (total_lower == target_value) {
        for (const OutputGroup* g : applicable) result.AddInput(*g);
        if (result.GetWeight() <= max_weight) return SelectionOutcome::Ok(std::move(result));
        weight_exceeded = true;
        result.Clear();
    }

    if (total_lower < target_value) {
        if (!lowest_larger) return NoSolution(weight_exceeded);
        result.AddInput(*lowest_larger);
        return SelectionOutcome::Ok(std::move(result));
    }

    SortDescendingByAmount(applicable, Waste);
    std::vector<char> best;
    Amount best_total{0};
    ApproximateBestSubset(rng, applicable, total_lower, target_value, best, best_total, max_weight);
    if (best_total != target_value && total_lower >= target_value + change_target) {
        ApproximateBestSubset(rng, applicable, total_lower, target_value + change_target, best, best_total, max_weight);
    }

    // The single larger group wins when the subset found is neither exact nor leaves enough change,
    // or when it is no larger than that subset.
    if (lowest_larger && ((best_total != target_value && best_total < target_value + change_target) ||
                          lowest_larger->GetSelectionAmount() <= best_total)) {
        result.AddInput(*lowest_larger);
    } else {
        for (size_t i = 0; i < applicable.size(); ++i) {
            if (best[i]) result.AddInput(*applicable[i]);
        }
        if (result.GetWeight() > max_weight) {
            if (!lowest_larger) return SelectionOutcome::Fail(ERR_MAX_WEIGHT);
            result.Clear();
            result.AddInput(*lowest_larger);
        }
    }
    return SelectionOutcome::Ok(std::move(result));
}

} // namespace wallet
