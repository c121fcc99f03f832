// The data of coin selection: coins, groups, results, the waste metric and the change target.
// The algorithms are in coinselection_algos.cpp, the top level in coinselection_spend.cpp.
#include "wallet/coinselection.h"

#include "consensus/limits.h"

#include <algorithm>
#include <random>
#include <set>
#include <stdexcept>

namespace wallet {

COutput::COutput(const consensus::OutPoint& outpoint_in, consensus::TxOut txout_in, int depth_in, int input_bytes_in,
                 bool solvable_in, bool safe_in, int64_t time_in, bool from_me_in,
                 std::optional<common::FeeRate> feerate)
    : outpoint(outpoint_in), depth(depth_in), txout(std::move(txout_in)), input_bytes(input_bytes_in),
      solvable(solvable_in), safe(safe_in), from_me(from_me_in), time(time_in)
{
    if (feerate) {
        // An input of unknown size is charged nothing here (Core's choice; such coins come from
        // external inputs whose size the caller fixes separately).
        m_fee = input_bytes < 0 ? Amount{0} : feerate->GetFee(input_bytes);
        m_effective_value = txout.value - *m_fee;
    }
}

COutput::COutput(const consensus::OutPoint& outpoint_in, consensus::TxOut txout_in, int depth_in, int input_bytes_in,
                 bool solvable_in, bool safe_in, int64_t time_in, bool from_me_in, Amount fee)
    : COutput(outpoint_in, std::move(txout_in), depth_in, input_bytes_in, solvable_in, safe_in, time_in, from_me_in)
{
    m_fee = fee;
    m_effective_value = txout.value - fee;
}

void COutput::ApplyBumpFee(Amount bump_fee)
{
    if (bump_fee.sats < 0) throw std::logic_error("ApplyBumpFee: negative bump fee");
    ancestor_bump_fees = bump_fee;
    m_fee = m_fee.value_or(Amount{0}) + bump_fee;
    m_effective_value = txout.value - *m_fee;
}

Amount GenerateChangeTarget(Amount payment_value, Amount change_fee, std::mt19937_64& rng)
{
    // Random change amounts make the change output harder to tell from the payment; a change up to
    // twice the payment also defeats the "unnecessary input" heuristic.
    if (payment_value.sats <= CHANGE_LOWER.sats / 2) return change_fee + CHANGE_LOWER;
    const int64_t upper = std::min(std::min(payment_value.sats, CHANGE_UPPER.sats) * 2, CHANGE_UPPER.sats);
    std::uniform_int_distribution<int64_t> draw(0, upper - CHANGE_LOWER.sats - 1);
    return change_fee + Amount{draw(rng)} + CHANGE_LOWER;
}

void SetChangeParams(CoinSelectionParams& params, Amount recipients_sum, size_t recipients_count,
                     Amount change_dust_threshold, std::mt19937_64& rng)
{
    params.m_change_fee = params.m_effective_feerate.GetFee(static_cast<int64_t>(params.change_output_size));
    const Amount change_spend_fee = params.m_discard_feerate.GetFee(static_cast<int64_t>(params.change_spend_size));
    params.m_cost_of_change = change_spend_fee + params.m_change_fee;
    const int64_t average = recipients_count == 0 ? 0 : recipients_sum.sats / static_cast<int64_t>(recipients_count);
    params.m_min_change_target = GenerateChangeTarget(Amount{average}, params.m_change_fee, rng);
    // Change must be worth more than spending it at the discard rate, and not be dust.
    params.min_viable_change = std::max(change_spend_fee + Amount{1}, change_dust_threshold);
}

void OutputGroup::Insert(std::shared_ptr<COutput> output, size_t ancestors, size_t descendants)
{
    COutput& coin = *output;
    m_outputs.push_back(std::move(output));
    fee += coin.GetFee();
    coin.long_term_fee = coin.input_bytes < 0 ? Amount{0} : m_long_term_feerate.GetFee(coin.input_bytes);
    long_term_fee += coin.long_term_fee;
    effective_value += coin.GetEffectiveValue();
    m_from_me = m_from_me && coin.from_me;
    m_value += coin.txout.value;
    m_depth = std::min(m_depth, coin.depth);
    // Ancestors add up (an over-estimate when coins share ancestors); descendants are counted from the
    // top ancestor, so the largest is the group's.
    m_ancestors += ancestors;
    m_descendants = std::max(m_descendants, descendants);
    if (coin.input_bytes > 0) m_weight += coin.input_bytes * consensus::WITNESS_SCALE_FACTOR;
}

bool OutputGroup::EligibleForSpending(const CoinEligibilityFilter& filter) const
{
    return m_depth >= (m_from_me ? filter.conf_mine : filter.conf_theirs) && m_ancestors <= filter.max_ancestors &&
           m_descendants <= filter.max_descendants;
}

void OutputGroupTypeMap::Push(const OutputGroup& group, OutputType type, bool insert_positive, bool insert_mixed,
                              bool into_all)
{
    if (group.m_outputs.empty()) return;
    Groups& of_type = groups_by_type[type];
    if (insert_positive && group.GetSelectionAmount().sats > 0) {
        of_type.positive_group.push_back(&group);
        if (into_all) all_groups.positive_group.push_back(&group);
    }
    if (insert_mixed) {
        of_type.mixed_group.push_back(&group);
        if (into_all) all_groups.mixed_group.push_back(&group);
    }
}

std::string GetAlgorithmName(SelectionAlgorithm algo)
{
    switch (algo) {
    case SelectionAlgorithm::BNB: return "bnb";
    case SelectionAlgorithm::KNAPSACK: return "knapsack";
    case SelectionAlgorithm::SRD: return "srd";
    case SelectionAlgorithm::CG: return "cg";
    case SelectionAlgorithm::MANUAL: return "manual";
    }
    return "unknown";
}

Amount SelectionResult::GetSelectedValue() const
{
    Amount sum{0};
    for (const auto& coin : m_selected_inputs) sum += coin->txout.value;
    return sum;
}

Amount SelectionResult::GetSelectedEffectiveValue() const
{
    Amount sum{0};
    for (const auto& coin : m_selected_inputs) sum += coin->GetEffectiveValue();
    return sum + m_bump_fee_group_discount;
}

Amount SelectionResult::GetTotalBumpFees() const
{
    Amount sum{0};
    for (const auto& coin : m_selected_inputs) sum += coin->ancestor_bump_fees;
    return sum - m_bump_fee_group_discount;
}

void SelectionResult::Clear()
{
    m_selected_inputs.clear();
    m_waste.reset();
    m_weight = 0;
}

void SelectionResult::InsertInputs(std::span<const std::shared_ptr<COutput>> inputs)
{
    std::set<consensus::OutPoint> seen;
    for (const auto& coin : m_selected_inputs) seen.insert(coin->outpoint);
    for (const auto& coin : inputs) {
        if (!seen.insert(coin->outpoint).second) throw std::logic_error("coin selection: a coin is selected twice");
    }
    for (const auto& coin : inputs) {
        // A group's coin may be one GroupCoins left unowned (use_count 0): the result keeps a copy.
        m_selected_inputs.push_back(coin.use_count() > 0 ? coin : std::make_shared<COutput>(*coin));
    }
}

void SelectionResult::AddInput(const OutputGroup& group)
{
    InsertInputs(group.m_outputs);
    m_use_effective = !group.m_subtract_fee_outputs;
    m_weight += group.m_weight;
}

void SelectionResult::AddInputs(const std::vector<std::shared_ptr<COutput>>& inputs, bool subtract_fee_outputs)
{
    InsertInputs(inputs);
    m_use_effective = !subtract_fee_outputs;
    for (const auto& coin : inputs) m_weight += std::max(coin->input_bytes, 0) * consensus::WITNESS_SCALE_FACTOR;
}

void SelectionResult::Merge(const SelectionResult& other)
{
    InsertInputs(other.m_selected_inputs);
    m_target += other.m_target;
    m_use_effective = m_use_effective || other.m_use_effective;
    if (m_algo == SelectionAlgorithm::MANUAL) m_algo = other.m_algo;
    m_weight += other.m_weight;
}

void SelectionResult::SetBumpFeeDiscount(Amount discount)
{
    // Shared ancestry can only lower what bumping costs.
    if (discount.sats < 0) throw std::logic_error("SetBumpFeeDiscount: negative discount");
    m_bump_fee_group_discount = discount;
}

void SelectionResult::RecalculateWaste(Amount min_viable_change, Amount change_cost, Amount change_fee)
{
    if (m_selected_inputs.empty()) throw std::logic_error("RecalculateWaste: no inputs selected");
    // Spending an input now rather than at the long-term rate later.
    Amount waste{0};
    for (const auto& coin : m_selected_inputs) waste += coin->GetFee() - coin->long_term_fee;
    waste -= m_bump_fee_group_discount;
    if (GetChange(min_viable_change, change_fee).sats != 0) {
        waste += change_cost; // making the change output and spending it later
    } else {
        // No change: whatever exceeds the target is given to the miner.
        const Amount selected = m_use_effective ? GetSelectedEffectiveValue() : GetSelectedValue();
        waste += selected - m_target;
    }
    m_waste = waste;
}

Amount SelectionResult::GetChange(Amount min_viable_change, Amount change_fee) const
{
    // Without SFFO the inputs' effective values already paid their own fees and the target holds the
    // fee of the rest of the transaction, so only the change output's fee remains. With SFFO the
    // recipients pay every fee.
    const Amount change =
        m_use_effective ? GetSelectedEffectiveValue() - m_target - change_fee : GetSelectedValue() - m_target;
    if (change < min_viable_change) return Amount{0};
    return change;
}

std::vector<std::shared_ptr<COutput>> SelectionResult::GetShuffledInputVector(std::mt19937_64& rng) const
{
    std::vector<std::shared_ptr<COutput>> coins = m_selected_inputs;
    std::shuffle(coins.begin(), coins.end(), rng);
    return coins;
}

bool SelectionResult::operator<(const SelectionResult& other) const
{
    const Amount mine = GetWaste();
    const Amount theirs = other.GetWaste();
    return mine < theirs || (mine == theirs && m_selected_inputs.size() > other.m_selected_inputs.size());
}

} // namespace wallet
