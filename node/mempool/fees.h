// Fee estimation from confirmation times (Core's CBlockPolicyEstimator, policy/fees):
// transactions entering the mempool at the tip height are tracked in exponentially spaced
// fee-rate buckets; when a block confirms them, how many blocks they waited is recorded in
// three decaying horizons (short, medium, long). An estimate for a target is the median
// fee rate of the cheapest range of buckets in which enough transactions confirmed within the
// target. Fee rates are satoshis per 1000 virtual bytes (Core's CFeeRate::GetFeePerK).
//
// Thread contract: every public method takes the estimator's own mutex for its duration and
// calls nothing outside; writers are the validation owner (transaction and block events),
// readers are RPC threads. Read/Write do file I/O under the lock.
#pragma once

#include "consensus/amount.h"
#include "consensus/uint256.h"
#include "util/sync.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace node::mempool {

/** Core's three horizons (FeeEstimateHorizon). */
enum class FeeHorizon { SHORT = 0, MEDIUM = 1, LONG = 2 };
const char* FeeHorizonName(FeeHorizon horizon); //!< "short", "medium", "long" (estimaterawfee keys)

/** A range of buckets and what happened to its transactions (Core's EstimatorBucket). */
struct FeeBucketRange {
    double start{-1};          //!< lower bound, sat/kvB
    double end{-1};            //!< upper bound, sat/kvB
    double within_target{0};   //!< decayed count confirmed within the target
    double total_confirmed{0}; //!< decayed count confirmed at any time
    double in_mempool{0};      //!< still unconfirmed, waited at least the target
    double left_mempool{0};    //!< left the mempool unconfirmed after the target
};

/** The details estimaterawfee prints (Core's EstimationResult). */
struct FeeEstimation {
    std::optional<int64_t> feerate; //!< sat/kvB; nullopt: no estimate
    FeeBucketRange pass;            //!< the range that met the threshold (start -1: none)
    FeeBucketRange fail;            //!< the cheapest range that failed it (start -1: none)
    double decay{0};
    unsigned scale{0};
};

/** Why estimatesmartfee chose its value (Core's FeeReason). */
enum class FeeReason { NONE, HALF_ESTIMATE, FULL_ESTIMATE, DOUBLE_ESTIMATE, CONSERVATIVE };

struct SmartFeeEstimate {
    std::optional<int64_t> feerate; //!< sat/kvB; nullopt: "Insufficient data or no feerate found"
    int returned_target{0};         //!< the target actually used (Core's "blocks")
    FeeReason reason{FeeReason::NONE};
};

// Core's constants (policy/fees/block_policy_estimator.h).
inline constexpr unsigned SHORT_BLOCK_PERIODS = 12, SHORT_SCALE = 1;
inline constexpr unsigned MED_BLOCK_PERIODS = 24, MED_SCALE = 2;
inline constexpr unsigned LONG_BLOCK_PERIODS = 42, LONG_SCALE = 24;
inline constexpr double SHORT_DECAY = .962, MED_DECAY = .9952, LONG_DECAY = .99931;
inline constexpr double HALF_SUCCESS_PCT = .6, SUCCESS_PCT = .85, DOUBLE_SUCCESS_PCT = .95;
inline constexpr double SUFFICIENT_FEETXS = 0.1, SUFFICIENT_TXS_SHORT = 0.5;
inline constexpr double MIN_BUCKET_FEERATE = 100, MAX_BUCKET_FEERATE = 1e7, FEE_SPACING = 1.05;
inline constexpr double INF_FEERATE = 1e99;
/** A fee_estimates.dat older than this is ignored unless -acceptstalefeeestimates (Core's MAX_FILE_AGE). */
inline constexpr int64_t FEE_ESTIMATES_MAX_AGE = 60 * 60 * 60;

/** fee * 1000 / vsize, truncated (Core's CFeeRate(fee, size).GetFeePerK()); 0 when vsize <= 0. */
int64_t FeePerKvB(consensus::Amount fee, int64_t vsize);

/** One horizon's statistics (Core's TxConfirmStats). Not thread-safe; owned by the estimator. */
class ConfirmStats;

class FeeEstimator {
public:
    FeeEstimator();
    ~FeeEstimator();
    FeeEstimator(const FeeEstimator&) = delete;
    FeeEstimator& operator=(const FeeEstimator&) = delete;

    /**
     * A transaction entered the mempool at entry_height. It is tracked only if entry_height is
     * the last block seen and valid_for_estimate (Core: not while syncing, not a package or
     * replacement-dependent entry); a txid already tracked is ignored.
     */
    void ProcessTransaction(const consensus::Uint256& txid, int64_t fee_per_kvb, unsigned entry_height,
                            bool valid_for_estimate) EXCLUDES(m_mutex);
    /**
     * Block `height` connected, confirming `txids` (those not tracked are skipped). Heights at
     * or below the last one seen (reorgs) are ignored, as Core does. Ages the unconfirmed
     * buffers and decays every average.
     */
    void ProcessBlock(unsigned height, const std::vector<consensus::Uint256>& txids) EXCLUDES(m_mutex);
    /** A tracked transaction left the mempool without being confirmed (counts as a failure once old enough). False if untracked. */
    bool RemoveTx(const consensus::Uint256& txid) EXCLUDES(m_mutex);

    /** estimaterawfee: one horizon, success_threshold in (0,1]; no feerate when the target is out of range or there is no data. */
    FeeEstimation EstimateRawFee(int target, double success_threshold, FeeHorizon horizon) const EXCLUDES(m_mutex);
    /** estimatesmartfee (Core's estimateSmartFee). conservative: also ask the longer horizons at 95%. */
    SmartFeeEstimate EstimateSmartFee(int target, bool conservative) const EXCLUDES(m_mutex);
    /** Largest target the horizon tracks: 12, 48, 1008. */
    unsigned HighestTargetTracked(FeeHorizon horizon) const;
    /** Core's MaxUsableEstimate: half the span of blocks with data, at most 1008. */
    unsigned MaxUsableEstimate() const EXCLUDES(m_mutex);
    unsigned BestSeenHeight() const EXCLUDES(m_mutex);
    size_t TrackedCount() const EXCLUDES(m_mutex); //!< transactions being followed
    /** The bucket upper bounds (sat/kvB), the last one INF_FEERATE. */
    const std::vector<double>& Buckets() const { return m_buckets; }

    /** Writes fee_estimates.dat atomically (format in fees.cpp), stamped with now (seconds). False + error on failure. */
    bool Write(const std::filesystem::path& path, int64_t now, std::string& error) const EXCLUDES(m_mutex);
    /**
     * Loads a file written by Write. False + error (state unchanged) when it is missing,
     * corrupt, of another version or bucket layout, or older than FEE_ESTIMATES_MAX_AGE at
     * `now` and not accept_stale.
     */
    bool Read(const std::filesystem::path& path, int64_t now, bool accept_stale, std::string& error) EXCLUDES(m_mutex);

private:
    struct Tracked {
        unsigned height;
        unsigned bucket;
        double feerate;
    };
    double EstimateCombined(unsigned target, double threshold, bool check_shorter, FeeEstimation* result) const
        REQUIRES(m_mutex);
    double EstimateConservative(unsigned double_target, FeeEstimation* result) const REQUIRES(m_mutex);
    unsigned MaxUsableLocked() const REQUIRES(m_mutex);
    bool RemoveLocked(const consensus::Uint256& txid, bool in_block) REQUIRES(m_mutex);

    const std::vector<double> m_buckets;
    mutable util::Mutex m_mutex;
    std::array<std::unique_ptr<ConfirmStats>, 3> m_stats GUARDED_BY(m_mutex); //!< by FeeHorizon
    std::unordered_map<consensus::Uint256, Tracked> m_tracked GUARDED_BY(m_mutex);
    unsigned m_best_height GUARDED_BY(m_mutex){0};
    unsigned m_first_recorded GUARDED_BY(m_mutex){0};
    unsigned m_historical_first GUARDED_BY(m_mutex){0};
    unsigned m_historical_best GUARDED_BY(m_mutex){0};
};

} // namespace node::mempool
