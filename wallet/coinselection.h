// Coin selection as Bitcoin Core does it: which of the wallet's coins fund a transaction.
// A pure library: no I/O, no threads, no chain or mempool access of its own. Everything Core's
// wallet would ask the chain for (confirmations, mempool ancestry, package limits, bump fees)
// arrives in the inputs; the one question asked during selection, the combined bump fee of a
// candidate's unconfirmed coins, goes through the caller's params.combined_bump_fee.
//
// The caller (the wallet's transaction builder) does what Core's CreateTransactionInternal does:
//  1. Fill a CoinSelectionParams: the fee rates, change sizes, tx_noinputs_size, then call
//     SetChangeParams for m_change_fee, m_cost_of_change, m_min_change_target and min_viable_change.
//  2. Build one COutput per spendable coin (and one per preset input) with the effective fee rate,
//     `COutput(..., params.m_effective_feerate)`, its mempool ancestry (ancestors/descendants) and,
//     if unconfirmed, its own bump fee (ApplyBumpFee); set params.combined_bump_fee.
//  3. target = sum of the recipients' amounts + m_effective_feerate.GetFee(tx_noinputs_size)
//     (without that fee when subtracting the fee from outputs), then SelectCoins.
//  4. Use result.GetChange(min_viable_change, m_change_fee): 0 means no change output (the excess
//     goes to the fee); otherwise add a change output of about that value and fix it once signed.
#pragma once

#include "common/feerate.h"
#include "consensus/amount.h"
#include "consensus/primitives/transaction.h"
#include "wallet/outputtype.h"

#include <absl/container/inlined_vector.h>

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace wallet {

using consensus::Amount;

/** Lower bound of the random change target (Core's CHANGE_LOWER). */
inline constexpr Amount CHANGE_LOWER{50000};
/** Upper bound of the random change target (Core's CHANGE_UPPER). */
inline constexpr Amount CHANGE_UPPER{1000000};
/** With avoid_partial_spends, at most this many coins of one script form one group. */
inline constexpr size_t OUTPUT_GROUP_MAX_ENTRIES = 100;
/** Policy's largest standard transaction weight (Core's MAX_STANDARD_TX_WEIGHT). */
inline constexpr int MAX_STANDARD_TX_WEIGHT = 400000;
/** Largest weight of an unconfirmed TRUC child (BIP-431: 1,000 vbytes). */
inline constexpr int TRUC_CHILD_MAX_WEIGHT = 4000;
/** Transaction version that opts into TRUC rules (BIP-431). */
inline constexpr uint32_t TRUC_VERSION = 3;
/** Search limit of branch and bound and CoinGrinder (Core's TOTAL_TRIES). */
inline constexpr size_t TOTAL_TRIES = 100000;

/** Core's error when no input set fits under the weight limit. */
inline constexpr const char* ERR_MAX_WEIGHT =
    "The inputs size exceeds the maximum weight. Please try sending a smaller "
    "amount or manually consolidating your wallet's UTXOs";
inline constexpr const char* ERR_INSUFFICIENT_FUNDS = "Insufficient funds";
/** Core's words when the mempool cannot say what bumping unconfirmed coins' ancestry costs. */
inline constexpr const char* ERR_BUMP_FEE_CLUSTER =
    "Failed to calculate bump fees, because unconfirmed UTXOs depend on an enormous cluster of unconfirmed "
    "transactions.";

/** One coin the wallet could spend (Core's COutput). */
struct COutput {
    // (Fields ordered to leave no padding: a send from a wallet of 10,000 coins walks a vector of them several times.)
    consensus::OutPoint outpoint;
    /** Confirmations: > 0 in a block, 0 in the mempool (Core never offers a negative depth). */
    int depth{0};
    consensus::TxOut txout;
    /** Virtual size of this coin as a signed input, or -1 when it cannot be estimated. */
    int input_bytes{-1};
    /** The script type of txout; coins are selected within one type first. */
    OutputType type{OutputType::UNKNOWN};
    /** Whether the wallet knows how to sign for it (ignoring missing keys). */
    bool solvable{true};
    /** Unconfirmed coins from others, or from replacing/replaced transactions, are unsafe. */
    bool safe{true};
    /** Whether the wallet created the transaction holding the coin (its own change counts as mine). */
    bool from_me{false};
    /** The time of the transaction holding the coin (Core's nTimeSmart). */
    int64_t time{0};
    /** Mempool ancestry of the transaction holding the coin, as the mempool counts it (itself included);
     * 0 and 0 when confirmed. Core asks the chain for these in GroupOutputs; here the caller fills them. */
    size_t ancestors{0};
    size_t descendants{0};
    /** Fee to spend this coin at the long-term fee rate; set when the coin joins an OutputGroup. */
    Amount long_term_fee{0};
    /** Fee to bump the coin's unconfirmed ancestors to the target fee rate (ApplyBumpFee). */
    Amount ancestor_bump_fees{0};

    /** With a fee rate, the fee to spend it (0 when input_bytes is unknown) and its effective value. */
    COutput(const consensus::OutPoint& outpoint, consensus::TxOut txout, int depth, int input_bytes, bool solvable,
            bool safe, int64_t time, bool from_me, std::optional<common::FeeRate> feerate = std::nullopt);
    /** With an explicit spending fee instead of a fee rate (tests, external inputs with a known fee). */
    COutput(const consensus::OutPoint& outpoint, consensus::TxOut txout, int depth, int input_bytes, bool solvable,
            bool safe, int64_t time, bool from_me, Amount fee);

    /** Adds the fee bumping its ancestors to the spending fee (lowering the effective value). */
    void ApplyBumpFee(Amount bump_fee);
    /** The fee to spend it at the effective fee rate; requires HasEffectiveValue(). */
    Amount GetFee() const { return m_fee.value_or(Amount{0}); }
    /** Value minus the fee to spend it; requires HasEffectiveValue(). */
    Amount GetEffectiveValue() const { return m_effective_value.value_or(Amount{0}); }
    bool HasEffectiveValue() const { return m_effective_value.has_value(); }

private:
    std::optional<Amount> m_effective_value;
    std::optional<Amount> m_fee;
};

/** The transaction being funded and the wallet's settings (Core's CoinSelectionParams). */
struct CoinSelectionParams {
    /** Size in bytes of the change output (serialized TxOut). */
    size_t change_output_size{0};
    /** Virtual size of spending the change output later (Core assumes 91, P2SH-P2WPKH, if unknown). */
    size_t change_spend_size{0};
    /** Knapsack and CoinGrinder aim for at least this much change (GenerateChangeTarget). */
    Amount m_min_change_target{0};
    /** Change smaller than this is not made: it goes to the fee. */
    Amount min_viable_change{0};
    /** Fee of the change output at the effective rate. */
    Amount m_change_fee{0};
    /** m_change_fee plus spending the change later at the discard rate. BnB's window above the target. */
    Amount m_cost_of_change{0};
    /** The fee rate of the transaction being built. */
    common::FeeRate m_effective_feerate;
    /** What spending a coin later should cost (Core: -consolidatefeerate, 10 sat/vB). */
    common::FeeRate m_long_term_feerate;
    /** Change that costs more than its value to spend at this rate is dropped (Core: -discardfee). */
    common::FeeRate m_discard_feerate;
    /** Virtual size of the transaction without inputs and change: 10 + outputs count + outputs. */
    size_t tx_noinputs_size{0};
    /** The recipients pay the fee: coins count at their full value, BnB is skipped. */
    bool m_subtract_fee_outputs{false};
    /** Spend all coins of one script (up to OUTPUT_GROUP_MAX_ENTRIES) or none of them. */
    bool m_avoid_partial_spends{false};
    /** Allow unsafe coins (unconfirmed from others, replaced or replacing) in a last attempt. */
    bool m_include_unsafe_inputs{false};
    /** The transaction's weight limit; MAX_STANDARD_TX_WEIGHT when unset. */
    std::optional<int> m_max_tx_weight;
    /** The version of the transaction being built; TRUC_VERSION caps the weight with unconfirmed coins. */
    uint32_t m_version{2};
    /** What Core reads from the wallet and the chain: -spendzeroconfchange, -walletrejectlongchains and
     * the mempool's ancestor and descendant count limits. */
    bool m_spend_zero_conf_change{true};
    bool m_reject_long_chains{true};
    uint64_t m_limit_ancestor_count{25};
    uint64_t m_limit_descendant_count{25};
    /** If false, only preset inputs may fund the transaction (coin control's m_allow_other_inputs). */
    bool m_allow_other_inputs{true};
    /**
     * What raising the unconfirmed ancestry of these coins to m_effective_feerate costs together
     * (Core's chain().calculateCombinedBumpFee); nullopt if the mempool cannot tell (a cluster too
     * large). Each selection's coins were charged their own bump fees (COutput::ApplyBumpFee);
     * shared ancestors were charged once per coin, and the difference is given back
     * (SetBumpFeeDiscount). Unset: each coin's own bump fee stands.
     */
    std::function<std::optional<Amount>(const std::vector<consensus::OutPoint>&)> combined_bump_fee;
};

/** Core's GenerateChangeTarget: change_fee plus CHANGE_LOWER for small payments (<= 25,000 sat), else
 * change_fee plus a uniform random amount in [CHANGE_LOWER, min(2 * payment_value, CHANGE_UPPER)). */
Amount GenerateChangeTarget(Amount payment_value, Amount change_fee, std::mt19937_64& rng);

/** Fills m_change_fee, m_cost_of_change, m_min_change_target and min_viable_change as Core's
 * CreateTransactionInternal does, from the fee rates and sizes already in params. recipients_sum and
 * recipients_count give the average payment; change_dust_threshold is policy's dust threshold of the
 * change output at the discard fee rate. */
void SetChangeParams(CoinSelectionParams& params, Amount recipients_sum, size_t recipients_count,
                     Amount change_dust_threshold, std::mt19937_64& rng);

/** Which coins an attempt may use; later attempts relax it (Core's CoinEligibilityFilter). */
struct CoinEligibilityFilter {
    /** Confirmations needed on coins the wallet sent to itself, and on coins received from others. */
    int conf_mine{0};
    int conf_theirs{0};
    /** Most unconfirmed ancestors summed over a group, most descendants of one coin of a group. */
    uint64_t max_ancestors{0};
    uint64_t max_descendants{0};
    /** With avoid_partial_spends, whether the last, partial group of a script with full groups may be used. */
    bool m_include_partial_groups{false};

    CoinEligibilityFilter(int mine, int theirs, uint64_t max_anc)
        : conf_mine(mine), conf_theirs(theirs), max_ancestors(max_anc), max_descendants(max_anc)
    {}
    CoinEligibilityFilter(int mine, int theirs, uint64_t max_anc, uint64_t max_desc, bool include_partial = false)
        : conf_mine(mine), conf_theirs(theirs), max_ancestors(max_anc), max_descendants(max_desc),
          m_include_partial_groups(include_partial)
    {}
    auto operator<=>(const CoinEligibilityFilter&) const = default;
};

/** Coins spent together: one coin, or with avoid_partial_spends the coins of one script (Core's OutputGroup). */
struct OutputGroup {
    /** Usually one coin (a group a coin, unless avoid_partial_spends): kept inline, so building and
     *  copying the groups of a wallet of 10,000 coins on every send allocates nothing for them.
     *  GroupCoins' groups do not own their coins (GroupedCoins::coins does). */
    absl::InlinedVector<std::shared_ptr<COutput>, 1> m_outputs;
    // (Fields ordered to leave no padding, as COutput's.)
    Amount m_value{0};
    /** Sum of the coins' ancestors (over-counts shared ancestors), and the largest descendant count. */
    size_t m_ancestors{0};
    size_t m_descendants{0};
    Amount effective_value{0};
    Amount fee{0};
    Amount long_term_fee{0};
    common::FeeRate m_long_term_feerate;
    /** Fewest confirmations among the coins. */
    int m_depth{999};
    /** Weight of the coins as inputs (4 x input_bytes, unknown sizes count 0). */
    int m_weight{0};
    bool m_subtract_fee_outputs{false};
    /** All coins came from the wallet's own transactions. */
    bool m_from_me{true};

    OutputGroup() = default;
    explicit OutputGroup(const CoinSelectionParams& params)
        : m_long_term_feerate(params.m_long_term_feerate), m_subtract_fee_outputs(params.m_subtract_fee_outputs)
    {}
    /** Adds a coin, setting its long_term_fee from the group's long-term fee rate. */
    void Insert(std::shared_ptr<COutput> output, size_t ancestors, size_t descendants);
    bool EligibleForSpending(const CoinEligibilityFilter& filter) const;
    /** What the group counts for: its value when subtracting the fee from outputs, else its effective value. */
    Amount GetSelectionAmount() const { return m_subtract_fee_outputs ? m_value : effective_value; }
};

/**
 * A list of groups an algorithm works on: the addresses of groups kept elsewhere (in a
 * GroupedCoins, or a caller's vector), which outlive the list. The algorithms reorder the list
 * (BnB sorts it, knapsack shuffles it, as Core's reorder their vector of groups) and never change
 * a group: a send from a wallet of 10,000 coins hands each filter's lists around without copying
 * a group.
 */
using GroupRefs = std::vector<const OutputGroup*>;

/** The groups of one output type, or of all: positive_group (effective value > 0, for BnB, CoinGrinder and
 * SRD) and mixed_group (every coin, for knapsack, which may spend dust as Core's does). */
struct Groups {
    GroupRefs positive_group;
    GroupRefs mixed_group;
};

/** Groups by output type, and all of them together for a mixed attempt (Core's OutputGroupTypeMap). */
struct OutputGroupTypeMap {
    std::map<OutputType, Groups> groups_by_type;
    Groups all_groups;
    /** Adds group (which must outlive the map) to its type's sets and, with into_all, to all_groups. */
    void Push(const OutputGroup& group, OutputType type, bool insert_positive, bool insert_mixed, bool into_all = true);
    void Push(OutputGroup&& group, OutputType type, bool insert_positive, bool insert_mixed,
              bool into_all = true) = delete; //!< not a temporary: its address is kept
    size_t TypesCount() const { return groups_by_type.size(); }
};

/** A filter and whether its attempt may mix output types (Core's SelectionFilter). */
struct SelectionFilter {
    CoinEligibilityFilter filter;
    bool allow_mixed_output_types{true};
};

using FilteredOutputGroups = std::map<CoinEligibilityFilter, OutputGroupTypeMap>;

enum class SelectionAlgorithm : uint8_t { BNB = 0, KNAPSACK = 1, SRD = 2, CG = 3, MANUAL = 4 };
/** "bnb", "knapsack", "srd", "cg", "manual" (Core's GetAlgorithmName). */
std::string GetAlgorithmName(SelectionAlgorithm algo);

/** A set of inputs chosen by one algorithm (Core's SelectionResult). */
class SelectionResult {
public:
    SelectionResult(Amount target, SelectionAlgorithm algo) : m_target(target), m_algo(algo) {}

    /** Sum of the inputs' values. */
    Amount GetSelectedValue() const;
    /** Sum of the inputs' effective values (plus the bump fee discount). */
    Amount GetSelectedEffectiveValue() const;
    Amount GetTotalBumpFees() const;
    void Clear();
    /** Adds a group's coins; throws std::logic_error if a coin is already selected. */
    void AddInput(const OutputGroup& group);
    void AddInputs(const std::vector<std::shared_ptr<COutput>>& inputs, bool subtract_fee_outputs);
    /** Combines another result's inputs and target into this one; throws std::logic_error on a shared coin. */
    void Merge(const SelectionResult& other);
    void SetBumpFeeDiscount(Amount discount);

    /** Core's waste: sum over inputs of (fee - long_term_fee), minus the bump fee discount, plus
     * change_cost when GetChange(min_viable_change, change_fee) makes change, else plus the excess
     * (selected effective value, or value with SFFO, minus the target). Needs at least one input. */
    void RecalculateWaste(Amount min_viable_change, Amount change_cost, Amount change_fee);
    /** The waste computed last; 0 before any RecalculateWaste. */
    Amount GetWaste() const { return m_waste.value_or(Amount{0}); }
    bool HasWaste() const { return m_waste.has_value(); }

    /** The change after fees: effective value - target - change_fee (with SFFO: value - target);
     * 0 when below min_viable_change, meaning no change output and the remainder goes to the fee. */
    Amount GetChange(Amount min_viable_change, Amount change_fee) const;

    void SetAlgoCompleted(bool completed) { m_algo_completed = completed; }
    /** False when the search stopped at TOTAL_TRIES (the result may not be optimal). */
    bool GetAlgoCompleted() const { return m_algo_completed; }
    void SetSelectionsEvaluated(size_t n) { m_selections_evaluated = n; }
    size_t GetSelectionsEvaluated() const { return m_selections_evaluated; }

    const std::vector<std::shared_ptr<COutput>>& GetInputSet() const { return m_selected_inputs; }
    /** The inputs in random order, for the transaction's vin. */
    std::vector<std::shared_ptr<COutput>> GetShuffledInputVector(std::mt19937_64& rng) const;
    Amount GetTarget() const { return m_target; }
    SelectionAlgorithm GetAlgo() const { return m_algo; }
    /** Weight of the inputs (not of the whole transaction). */
    int GetWeight() const { return m_weight; }

    /** Less waste first; on equal waste, more inputs first (Core's operator<). */
    bool operator<(const SelectionResult& other) const;

private:
    void InsertInputs(std::span<const std::shared_ptr<COutput>> inputs);

    std::vector<std::shared_ptr<COutput>> m_selected_inputs;
    Amount m_target;
    SelectionAlgorithm m_algo;
    bool m_use_effective{false};
    std::optional<Amount> m_waste;
    bool m_algo_completed{true};
    size_t m_selections_evaluated{0};
    int m_weight{0};
    Amount m_bump_fee_group_discount{0};
};

/** An algorithm's or a step's answer: a result, or none with an error. An empty error is the plain
 * "no selection found" (Core's util::Error() without message); a non-empty one is specific. */
struct SelectionOutcome {
    std::optional<SelectionResult> result;
    std::string error;

    explicit operator bool() const { return result.has_value(); }
    static SelectionOutcome Fail(std::string message = {})
    {
        return SelectionOutcome{std::nullopt, std::move(message)};
    }
    static SelectionOutcome Ok(SelectionResult r) { return SelectionOutcome{std::move(r), {}}; }
};

/** Branch and bound (Murch): searches, largest effective values first, for an input set whose effective
 * value lies in [selection_target, selection_target + cost_of_change], so no change output is needed,
 * keeping the least waste. Gives up after TOTAL_TRIES steps. utxo_pool: positive groups (sorted here).
 * Fails with ERR_MAX_WEIGHT when solutions only existed above max_weight, else with no message. */
SelectionOutcome SelectCoinsBnB(GroupRefs& utxo_pool, Amount selection_target, Amount cost_of_change, int max_weight);

/** CoinGrinder: the lowest-weight input set covering selection_target + change_target (ties: less
 * amount), by a depth-first search over positive groups (sorted here). ERR_MAX_WEIGHT as BnB. */
SelectionOutcome CoinGrinder(GroupRefs& utxo_pool, Amount selection_target, Amount change_target, int max_weight);

/** Single random draw: shuffles the positive groups and adds them until target_value + CHANGE_LOWER +
 * change_fee is covered, dropping the smallest when over max_weight. */
SelectionOutcome SelectCoinsSRD(const GroupRefs& utxo_pool, Amount target_value, Amount change_fee,
                                std::mt19937_64& rng, int max_weight);

/** The knapsack solver (Core's original algorithm): an exact match, all smaller groups if they sum to the
 * target, else the best of a stochastic subset-sum approximation (aiming first at the target, then at the
 * target plus change_target) and the smallest single group above target + change_target. */
SelectionOutcome KnapsackSolver(GroupRefs& groups, Amount target_value, Amount change_target, std::mt19937_64& rng,
                                int max_weight);

/** The coins in groups before any filter: one group per coin (in both the positive and the mixed set),
 * or with avoid_partial_spends per script (and type), a set of groups of all coins and one of positive
 * coins, the partial group of a script marked. */
struct GroupedCoins {
    /** The coins the groups point to (not owning them: see GroupCoins). Copies of the groups
     *  must not outlive it; SelectionResult keeps copies of the coins it selects. */
    std::unique_ptr<std::vector<COutput>> coins;
    struct Entry {
        OutputGroup group;
        OutputType type{OutputType::UNKNOWN};
        bool positive_only{false}; //!< of the positive set (avoid_partial_spends)
        bool partial{false};       //!< the last, not full group of a script with several
        bool both_sets{false};     //!< one group per coin: in both sets
    };
    std::vector<Entry> entries;
    size_t types{0}; //!< how many output types the coins have
};
GroupedCoins GroupCoins(std::vector<COutput> coins, const CoinSelectionParams& params);
/**
 * The groups filter takes (addresses into grouped, which must outlive the map), by output type and
 * all together, in grouping order. Without always_all, all_groups is filled only when there are
 * several types: AttemptSelection reads it only then.
 */
OutputGroupTypeMap FilterGroups(const GroupedCoins& grouped, const CoinEligibilityFilter& filter,
                                bool always_all = true);
/** Not from a temporary: the map's addresses would point into it. */
OutputGroupTypeMap FilterGroups(GroupedCoins&& grouped, const CoinEligibilityFilter& filter,
                                bool always_all = true) = delete;
/** The groups no filter of filters takes. */
std::vector<const OutputGroup*> DiscardedGroups(const GroupedCoins& grouped,
                                                const std::vector<SelectionFilter>& filters);

/** Core's GroupOutputs over coins grouped by GroupCoins: each group kept under every filter it passes,
 * positive-only and mixed (addresses into grouped, which must outlive the maps). Groups no filter takes
 * go to discarded (copies that still point into grouped's coins: they must not outlive it). */
FilteredOutputGroups GroupOutputs(const GroupedCoins& grouped, const std::vector<SelectionFilter>& filters,
                                  std::vector<OutputGroup>& discarded);
/** Not from a temporary: the maps' addresses would point into it. */
FilteredOutputGroups GroupOutputs(GroupedCoins&& grouped, const std::vector<SelectionFilter>& filters,
                                  std::vector<OutputGroup>& discarded) = delete;

/**
 * Core's check for synergies from overlapping ancestry: gives back (SetBumpFeeDiscount) what the
 * result's unconfirmed coins' own bump fees overcharge against params.combined_bump_fee; false if
 * that cannot be calculated (ERR_BUMP_FEE_CLUSTER). Nothing without a combined_bump_fee.
 */
bool ApplyCombinedBumpFee(SelectionResult& result, const CoinSelectionParams& params);

/** Core's ChooseSelectionResult: runs BnB (not with SFFO), knapsack, CoinGrinder (only when the effective
 * fee rate is above 3x the long-term rate) and SRD on groups, and keeps the least waste (ties: more inputs). */
SelectionOutcome ChooseSelectionResult(Amount target, Groups& groups, const CoinSelectionParams& params,
                                       std::mt19937_64& rng);

/** Core's AttemptSelection: each output type alone, the least waste of those that succeed; when none
 * does and mixing is allowed, all types together. */
SelectionOutcome AttemptSelection(Amount target, OutputGroupTypeMap& groups, const CoinSelectionParams& params,
                                  std::mt19937_64& rng, bool allow_mixed_output_types);

/** Core's filter sequence for AutomaticCoinSelection, most selective first: 1/6 (no type mixing), 1/1,
 * then with m_spend_zero_conf_change 0/1 with growing ancestor limits, partial groups, unsafe coins
 * (m_include_unsafe_inputs) and unlimited chains (unless m_reject_long_chains). */
std::vector<SelectionFilter> OrderedEligibilityFilters(const CoinSelectionParams& params);

/** Core's AutomaticCoinSelection: groups the coins and tries each filter in order until one funds target. */
SelectionOutcome AutomaticCoinSelection(std::vector<COutput> available, Amount target,
                                        const CoinSelectionParams& params, std::mt19937_64& rng);

/** The wallet's entry point (Core's SelectCoins plus CreateTransactionInternal's error wording).
 * available: the wallet's spendable coins (not the presets), preset_inputs: coins the user chose, which are
 * always spent; every COutput built with params.m_effective_feerate. target: the recipients' sum plus the
 * fee of the transaction without inputs (see the top of this file). Returns the inputs to spend, or nullopt
 * with error set to Core's message ("Insufficient funds", ERR_MAX_WEIGHT, ...). */
std::optional<SelectionResult> SelectCoins(std::vector<COutput> available, const std::vector<COutput>& preset_inputs,
                                           Amount target, const CoinSelectionParams& params, std::mt19937_64& rng,
                                           std::string& error);

} // namespace wallet
