// Helpers for the coin selection tests: coins with distinct outpoints, groups, parameters.
#pragma once

#include "wallet/coinselection.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <vector>

namespace coinsel_test {

using consensus::Amount;
using wallet::COutput;
using wallet::OutputGroup;

/** sat/vB to a FeeRate (sat/kvB). */
inline common::FeeRate SatVB(int64_t sat_per_vb) { return common::FeeRate(Amount{sat_per_vb * 1000}); }

/** A P2WPKH-like script: with a tag (1..255) the same for every coin of that tag (one address),
 * else one of its own made from unique. */
inline consensus::Script ScriptFor(uint8_t tag, uint32_t unique = 0)
{
    consensus::Script s;
    s.push_back(0x00);
    s.push_back(20);
    for (int i = 0; i < 20; ++i) {
        s.push_back(tag != 0 ? tag : (i < 4 ? static_cast<uint8_t>(unique >> (8 * i)) : uint8_t{0xAA}));
    }
    return s;
}

struct CoinSpec {
    int64_t value;
    int input_bytes = 68; // P2WPKH
    int depth = 6;
    bool from_me = false;
    wallet::OutputType type = wallet::OutputType::BECH32;
    uint8_t script_tag = 0; // 0: a script of its own
    bool safe = true;
    size_t ancestors = 0;
    size_t descendants = 0;
};

/** A coin with a fresh outpoint, its fee and effective value at rate. */
inline COutput MakeCoin(const CoinSpec& spec, common::FeeRate rate)
{
    static uint32_t counter = 0;
    ++counter;
    std::array<uint8_t, 32> h{};
    for (int i = 0; i < 4; ++i) h[i] = static_cast<uint8_t>(counter >> (8 * i));
    COutput c(consensus::OutPoint(consensus::Uint256(std::span<const uint8_t>(h)), 0),
              consensus::TxOut(Amount{spec.value}, ScriptFor(spec.script_tag, counter)), spec.depth, spec.input_bytes,
              true, spec.safe, 0, spec.from_me, rate);
    c.type = spec.type;
    c.ancestors = spec.ancestors;
    c.descendants = spec.descendants;
    return c;
}

/** A coin with an explicit spending fee. */
inline COutput MakeCoinWithFee(int64_t value, int64_t fee, int input_bytes = 68)
{
    static uint32_t counter = 1000000;
    ++counter;
    std::array<uint8_t, 32> h{};
    for (int i = 0; i < 4; ++i) h[i] = static_cast<uint8_t>(counter >> (8 * i));
    return COutput(consensus::OutPoint(consensus::Uint256(std::span<const uint8_t>(h)), 0),
                   consensus::TxOut(Amount{value}, ScriptFor(1)), 6, input_bytes, true, true, 0, false, Amount{fee});
}

/** One group per coin, long-term fees from params. */
inline std::vector<OutputGroup> GroupsOf(const std::vector<COutput>& coins, const wallet::CoinSelectionParams& params)
{
    std::vector<OutputGroup> out;
    for (const COutput& c : coins) {
        OutputGroup g(params);
        g.Insert(std::make_shared<COutput>(c), 0, 0);
        out.push_back(g);
    }
    return out;
}

/** The groups' addresses: the lists the algorithms take (the groups stay in the caller's vector). */
inline wallet::GroupRefs Refs(const std::vector<OutputGroup>& groups)
{
    wallet::GroupRefs out;
    for (const OutputGroup& g : groups) out.push_back(&g);
    return out;
}

/** Not of a temporary: the list would point into it. */
wallet::GroupRefs Refs(std::vector<OutputGroup>&& groups) = delete;

/** Runs an algorithm on the list of pool's groups, then leaves pool as the list ends (the order
 *  the algorithm gave it, without the groups it dropped), as Core's algorithms leave their vector. */
template <typename Algo>
wallet::SelectionOutcome OnGroups(std::vector<OutputGroup>& pool, Algo algo)
{
    wallet::GroupRefs refs = Refs(pool);
    wallet::SelectionOutcome out = algo(refs);
    std::vector<OutputGroup> reordered;
    for (const OutputGroup* g : refs) reordered.push_back(*g);
    pool = std::move(reordered);
    return out;
}

// The algorithms on a vector of groups (the tests' pools), through OnGroups.
inline wallet::SelectionOutcome SelectCoinsBnB(std::vector<OutputGroup>& pool, Amount target, Amount cost_of_change,
                                               int max_weight)
{
    return OnGroups(
        pool, [&](wallet::GroupRefs& r) { return wallet::SelectCoinsBnB(r, target, cost_of_change, max_weight); });
}
inline wallet::SelectionOutcome CoinGrinder(std::vector<OutputGroup>& pool, Amount target, Amount change_target,
                                            int max_weight)
{
    return OnGroups(pool,
                    [&](wallet::GroupRefs& r) { return wallet::CoinGrinder(r, target, change_target, max_weight); });
}
inline wallet::SelectionOutcome SelectCoinsSRD(std::vector<OutputGroup>& pool, Amount target, Amount change_fee,
                                               std::mt19937_64& rng, int max_weight)
{
    return OnGroups(
        pool, [&](wallet::GroupRefs& r) { return wallet::SelectCoinsSRD(r, target, change_fee, rng, max_weight); });
}
inline wallet::SelectionOutcome KnapsackSolver(std::vector<OutputGroup>& pool, Amount target, Amount change_target,
                                               std::mt19937_64& rng, int max_weight)
{
    return OnGroups(
        pool, [&](wallet::GroupRefs& r) { return wallet::KnapsackSolver(r, target, change_target, rng, max_weight); });
}

/** Parameters of a P2WPKH payment at `rate` sat/vB with long-term rate `lt` sat/vB (discard 3 sat/vB). */
inline wallet::CoinSelectionParams Params(int64_t rate, int64_t lt = 10)
{
    wallet::CoinSelectionParams p;
    p.m_effective_feerate = SatVB(rate);
    p.m_long_term_feerate = SatVB(lt);
    p.m_discard_feerate = SatVB(3);
    p.change_output_size = 31;
    p.change_spend_size = 68;
    p.tx_noinputs_size = 10 + 1 + 31;
    p.m_change_fee = p.m_effective_feerate.GetFee(31);
    p.m_cost_of_change = p.m_change_fee + p.m_discard_feerate.GetFee(68);
    p.min_viable_change = std::max(p.m_discard_feerate.GetFee(68) + Amount{1}, Amount{294});
    p.m_min_change_target = p.m_change_fee + wallet::CHANGE_LOWER;
    return p;
}

inline Amount SumValue(const wallet::SelectionResult& r) { return r.GetSelectedValue(); }

} // namespace coinsel_test
