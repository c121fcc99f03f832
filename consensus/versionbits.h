// BIP-9 version bits (specs/bip-0009.mediawiki): the per-deployment state machine
// DEFINED -> STARTED -> LOCKED_IN -> ACTIVE (or FAILED), evaluated once per signalling period,
// with BIP-341's min_activation_height and Core's ALWAYS_ACTIVE / NEVER_ACTIVE start times;
// signalling statistics of the current period; and the block version a miner should use.
//
// Pure: no I/O, no locks. The functions are templates over the caller's block index type,
// which must offer `height`, `version`, `prev` and `GetMedianTimePast()` / `GetAncestor(h)`
// (node's BlockIndex, or a test's fake). The caller owns the cache and its synchronisation.
#pragma once

#include "consensus/params.h"

#include <array>
#include <cstdint>
#include <map>
#include <string_view>
#include <string>
#include <vector>

namespace consensus {

/** BIP-9 states. */
enum class ThresholdState { DEFINED, STARTED, LOCKED_IN, ACTIVE, FAILED };

/** Core's name of a state: "defined", "started", "locked_in", "active", "failed". */
std::string ThresholdStateName(ThresholdState state);

/** BIP-9: the top three version bits of a signalling block are 001. */
constexpr uint32_t VERSIONBITS_TOP_BITS = 0x20000000u;
constexpr uint32_t VERSIONBITS_TOP_MASK = 0xE0000000u;
/** Bits 0..28 may carry deployments. */
constexpr int VERSIONBITS_NUM_BITS = 29;

/** Name and getblocktemplate behaviour of a deployment (Core's VBDeploymentInfo). */
struct VBDeploymentInfo {
    const char* name;
    /** If false, a client that does not know the rule must not use the template ("!" prefix). */
    bool gbt_force;
};
/** Indexed by DeploymentPos: testdummy, taproot. */
extern const std::array<VBDeploymentInfo, MAX_VERSION_BITS_DEPLOYMENTS> VERSION_BITS_DEPLOYMENT_INFO;

/** Signalling statistics of the period a block is in (getdeploymentinfo's "statistics"). */
struct Bip9Stats {
    int period{0};        // blocks per period
    int threshold{0};     // signalling blocks needed
    int elapsed{0};       // blocks of the period up to and including the block
    int count{0};         // of those, how many signalled
    bool possible{false}; // the threshold can still be reached in this period
};

/** BIP-9 "Signalling": the version's top bits are 001 and the deployment's bit is set. */
constexpr bool VersionSignals(int32_t version, int bit)
{
    const uint32_t v = static_cast<uint32_t>(version);
    return (v & VERSIONBITS_TOP_MASK) == VERSIONBITS_TOP_BITS && ((v >> bit) & 1u) != 0;
}

/** The version mask of a deployment's bit. */
inline uint32_t VersionBitsMask(const ConsensusParams& params, DeploymentPos pos)
{
    return uint32_t{1} << params.Deployment(pos).bit;
}

/**
 * Applies one regtest -vbparams value, "deployment:start:end[:min_activation_height]", to
 * params (Core's ReadRegTestArgs). Returns "" on success, else Core's error text
 * ("Version bits parameters malformed, ...", "Invalid nStartTime (x)", "Invalid deployment (x)").
 */
std::string ApplyVersionBitsParameters(ConsensusParams& params, std::string_view spec);

/** Cached states per period-ending parent block (nullptr stands for the genesis block's parent). */
template <typename Index>
using ThresholdCache = std::map<const Index*, ThresholdState>;

/**
 * The state of deployment pos for the block after prev (prev == nullptr: the genesis block).
 * A block's state is that of the first block of its period, computed from the last block of
 * the previous period; cache memoises those (and must only be used for one deployment and one
 * set of params).
 */
template <typename Index>
ThresholdState GetStateFor(const Index* prev, const ConsensusParams& params, DeploymentPos pos,
                           ThresholdCache<Index>& cache)
{
    const Bip9Deployment& dep = params.Deployment(pos);
    if (dep.start_time == Bip9Deployment::ALWAYS_ACTIVE) return ThresholdState::ACTIVE;
    if (dep.start_time == Bip9Deployment::NEVER_ACTIVE) return ThresholdState::FAILED;
    const int period = params.miner_confirmation_window;
    const int threshold = params.rule_change_activation_threshold;

    // The last block of the previous period decides this period's state.
    if (prev != nullptr) prev = prev->GetAncestor(prev->height - ((prev->height + 1) % period));

    // Walk back one period at a time until a known state (or one before the start time).
    std::vector<const Index*> to_compute;
    while (cache.count(prev) == 0) {
        if (prev == nullptr) {
            cache[prev] = ThresholdState::DEFINED; // BIP-9: the genesis block is DEFINED
            break;
        }
        if (prev->GetMedianTimePast() < dep.start_time) {
            cache[prev] = ThresholdState::DEFINED; // and so is every earlier period
            break;
        }
        to_compute.push_back(prev);
        prev = prev->GetAncestor(prev->height - period);
    }
    ThresholdState state = cache.at(prev);

    // Then forward, applying BIP-9's transitions once per period.
    while (!to_compute.empty()) {
        ThresholdState next = state;
        prev = to_compute.back();
        to_compute.pop_back();
        switch (state) {
        case ThresholdState::DEFINED:
            if (prev->GetMedianTimePast() >= dep.start_time) next = ThresholdState::STARTED;
            break;
        case ThresholdState::STARTED: {
            // Count the period's signalling blocks; locking in wins over the timeout.
            const Index* walk = prev;
            int count = 0;
            for (int i = 0; i < period && walk != nullptr; ++i, walk = walk->prev) {
                if (VersionSignals(walk->version, dep.bit)) ++count;
            }
            if (count >= threshold) {
                next = ThresholdState::LOCKED_IN;
            } else if (prev->GetMedianTimePast() >= dep.timeout) {
                next = ThresholdState::FAILED;
            }
            break;
        }
        case ThresholdState::LOCKED_IN:
            // BIP-341 (Speedy Trial): activation waits for min_activation_height.
            if (prev->height + 1 >= dep.min_activation_height) next = ThresholdState::ACTIVE;
            break;
        case ThresholdState::FAILED:
        case ThresholdState::ACTIVE: break; // terminal
        }
        cache[prev] = state = next;
    }
    return state;
}

/** Height of the first block with the state the block after prev has (0 for DEFINED and the special start times). */
template <typename Index>
int GetStateSinceHeightFor(const Index* prev, const ConsensusParams& params, DeploymentPos pos,
                           ThresholdCache<Index>& cache)
{
    const Bip9Deployment& dep = params.Deployment(pos);
    if (dep.start_time == Bip9Deployment::ALWAYS_ACTIVE || dep.start_time == Bip9Deployment::NEVER_ACTIVE) return 0;
    const ThresholdState initial = GetStateFor(prev, params, pos, cache);
    if (initial == ThresholdState::DEFINED) return 0;
    const int period = params.miner_confirmation_window;
    // Not DEFINED, so prev is not null. Step back whole periods while the state is the same.
    prev = prev->GetAncestor(prev->height - ((prev->height + 1) % period));
    const Index* previous_period_parent = prev->GetAncestor(prev->height - period);
    while (previous_period_parent != nullptr && GetStateFor(previous_period_parent, params, pos, cache) == initial) {
        prev = previous_period_parent;
        previous_period_parent = prev->GetAncestor(prev->height - period);
    }
    return prev->height + 1;
}

/**
 * Signalling statistics of the period containing index, counting index and the blocks before
 * it in that period. signalling (if given) receives one flag per block of the period so far,
 * oldest first. index == nullptr gives only period and threshold.
 */
template <typename Index>
Bip9Stats GetStateStatisticsFor(const Index* index, const ConsensusParams& params, DeploymentPos pos,
                                std::vector<bool>* signalling = nullptr)
{
    Bip9Stats stats;
    stats.period = params.miner_confirmation_window;
    stats.threshold = params.rule_change_activation_threshold;
    if (index == nullptr) return stats;
    int blocks_in_period = 1 + (index->height % stats.period);
    if (signalling) signalling->assign(static_cast<size_t>(blocks_in_period), false);
    const int bit = params.Deployment(pos).bit;
    for (const Index* walk = index; blocks_in_period > 0 && walk != nullptr; walk = walk->prev) {
        ++stats.elapsed;
        --blocks_in_period;
        if (VersionSignals(walk->version, bit)) {
            ++stats.count;
            if (signalling) (*signalling)[static_cast<size_t>(blocks_in_period)] = true;
        }
    }
    stats.possible = (stats.period - stats.threshold) >= (stats.elapsed - stats.count);
    return stats;
}

/** One cache per deployment. */
template <typename Index>
using VersionBitsCaches = std::array<ThresholdCache<Index>, MAX_VERSION_BITS_DEPLOYMENTS>;

/**
 * Core's ComputeBlockVersion: the BIP-9 top bits plus the bit of every deployment that is
 * STARTED or LOCKED_IN for the block after prev.
 */
template <typename Index>
int32_t ComputeBlockVersion(const Index* prev, const ConsensusParams& params, VersionBitsCaches<Index>& caches)
{
    uint32_t version = VERSIONBITS_TOP_BITS;
    for (size_t i = 0; i < MAX_VERSION_BITS_DEPLOYMENTS; ++i) {
        const auto pos = static_cast<DeploymentPos>(i);
        const ThresholdState state = GetStateFor(prev, params, pos, caches[i]);
        if (state == ThresholdState::STARTED || state == ThresholdState::LOCKED_IN) {
            version |= VersionBitsMask(params, pos);
        }
    }
    return static_cast<int32_t>(version);
}

} // namespace consensus
