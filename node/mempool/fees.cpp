#include "node/mempool/fees.h"

#include "consensus/serialize.h"
#include "util/fs_util.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace node::mempool {

const char* FeeHorizonName(FeeHorizon horizon)
{
    switch (horizon) {
    case FeeHorizon::SHORT: return "short";
    case FeeHorizon::MEDIUM: return "medium";
    case FeeHorizon::LONG: return "long";
    }
    return "unknown";
}

int64_t FeePerKvB(consensus::Amount fee, int64_t vsize)
{
    if (vsize <= 0) return 0;
    return fee.sats * 1000 / vsize;
}

namespace {

std::vector<double> MakeBuckets()
{
    std::vector<double> buckets;
    for (double bound = MIN_BUCKET_FEERATE; bound <= MAX_BUCKET_FEERATE; bound *= FEE_SPACING) buckets.push_back(bound);
    buckets.push_back(INF_FEERATE);
    return buckets;
}

} // namespace

/**
 * One horizon: for each bucket, decayed counts of confirmed transactions (txCtAvg), their
 * fee-rate sum, confirmations within each period (cumulative: a transaction confirmed in
 * period p counts for every period >= p), failures (left unconfirmed after each period), and
 * the unconfirmed ones per entry block in a circular buffer of max_confirms blocks plus an
 * "older" bin.
 */
class ConfirmStats {
public:
    ConfirmStats(const std::vector<double>& buckets, unsigned periods, double decay, unsigned scale)
        : m_buckets(buckets), m_decay(decay), m_scale(scale), m_periods(periods)
    {
        const size_t n = buckets.size();
        m_tx_count.assign(n, 0);
        m_feerate_sum.assign(n, 0);
        m_conf.assign(periods, std::vector<double>(n, 0));
        m_fail.assign(periods, std::vector<double>(n, 0));
        m_unconf.assign(MaxConfirms(), std::vector<int>(n, 0));
        m_unconf_total.assign(n, 0);
        m_old_unconf.assign(n, 0);
    }

    unsigned MaxConfirms() const { return m_scale * m_periods; }
    double Decay() const { return m_decay; }
    unsigned Scale() const { return m_scale; }

    unsigned BucketOf(double feerate) const
    {
        // The first bucket whose upper bound is >= feerate (Core's bucketMap.lower_bound).
        auto it = std::lower_bound(m_buckets.begin(), m_buckets.end(), feerate);
        if (it == m_buckets.end()) --it;
        return static_cast<unsigned>(it - m_buckets.begin());
    }

    /** A new block: the oldest unconfirmed bin (entered max_confirms blocks ago) joins the older bin. */
    void ClearCurrent(unsigned height)
    {
        auto& bin = m_unconf[height % m_unconf.size()];
        for (size_t j = 0; j < bin.size(); ++j) {
            m_old_unconf[j] += bin[j];
            m_unconf_total[j] -= bin[j];
            bin[j] = 0;
        }
    }

    void Record(unsigned blocks_to_confirm, double feerate)
    {
        if (blocks_to_confirm < 1) return;
        const unsigned periods_to_confirm = (blocks_to_confirm + m_scale - 1) / m_scale;
        const unsigned b = BucketOf(feerate);
        for (unsigned p = periods_to_confirm; p <= m_periods; ++p) m_conf[p - 1][b] += 1;
        m_tx_count[b] += 1;
        m_feerate_sum[b] += feerate;
    }

    void UpdateMovingAverages()
    {
        // Row by row (each period's row is its own array): every block runs this over the
        // three horizons' ~38,000 cells (237 buckets), inside the chain write.
        const auto decay = [this](std::vector<double>& row) {
            for (double& v : row) v *= m_decay;
        };
        for (unsigned p = 0; p < m_periods; ++p) {
            decay(m_conf[p]);
            decay(m_fail[p]);
        }
        decay(m_feerate_sum);
        decay(m_tx_count);
    }

    unsigned NewTx(unsigned height, double feerate)
    {
        const unsigned b = BucketOf(feerate);
        ++m_unconf[height % m_unconf.size()][b];
        ++m_unconf_total[b];
        return b;
    }

    void RemoveTx(unsigned entry_height, unsigned best_height, unsigned bucket, bool in_block)
    {
        if (best_height < entry_height) return; // cannot happen: entries are at the tip
        const unsigned blocks_ago = best_height == 0 ? 0 : best_height - entry_height;
        if (blocks_ago >= m_unconf.size()) {
            if (m_old_unconf[bucket] > 0) --m_old_unconf[bucket];
        } else {
            auto& slot = m_unconf[entry_height % m_unconf.size()][bucket];
            if (slot > 0) {
                --slot;
                --m_unconf_total[bucket];
            }
        }
        // Left the mempool unconfirmed after at least one period: a failure for each period it outlived.
        if (!in_block && blocks_ago >= m_scale) {
            const unsigned periods_ago = blocks_ago / m_scale;
            for (unsigned p = 0; p < periods_ago && p < m_periods; ++p) m_fail[p][bucket] += 1;
        }
    }

    /** Core's EstimateMedianVal; -1 when no bucket range passes. */
    double EstimateMedian(unsigned target, double sufficient, double threshold, unsigned best_height,
                          FeeEstimation* result) const
    {
        double confirmed = 0, total = 0, extra = 0, failed = 0;
        const unsigned period_target = (target + m_scale - 1) / m_scale;
        const int max_bucket = static_cast<int>(m_buckets.size()) - 1;
        int cur_near = max_bucket, best_near = max_bucket, cur_far = max_bucket, best_far = max_bucket;
        bool found = false, new_range = true, passing = true;
        const auto bins = static_cast<int64_t>(m_unconf.size());
        // Per bucket, the entries still in the pool that entered target to MaxConfirms() - 1
        // blocks before best_height (Core sums that part of the ring per bucket on every call:
        // about 1,000 rows for the long horizon). The ring has MaxConfirms() rows, one per
        // height: for a small target, that part is the kept column totals minus the newest
        // `target` rows; for a large one, its few rows summed (integers: exact either way).
        std::vector<int64_t> unconf;
        auto add_rows = [&](unsigned from, unsigned to, int64_t sign) { // c in [from, to)
            int64_t idx = ((static_cast<int64_t>(best_height) - from) % bins + bins) % bins;
            for (unsigned c = from; c < to; ++c) {
                const std::vector<int>& row = m_unconf[static_cast<size_t>(idx)];
                for (size_t b = 0; b < unconf.size(); ++b) unconf[b] += sign * row[b];
                idx = idx == 0 ? bins - 1 : idx - 1;
            }
        };
        if (target <= MaxConfirms() / 2) {
            unconf = m_unconf_total;
            add_rows(0, target, -1);
        } else {
            unconf.assign(m_unconf_total.size(), 0);
            add_rows(target, MaxConfirms(), 1);
        }
        FeeBucketRange pass_range, fail_range;
        auto fill_fail = [&] {
            const int lo = std::min(cur_near, cur_far), hi = std::max(cur_near, cur_far);
            fail_range.start = lo ? m_buckets[lo - 1] : 0;
            fail_range.end = m_buckets[hi];
            fail_range.within_target = confirmed;
            fail_range.total_confirmed = total;
            fail_range.in_mempool = extra;
            fail_range.left_mempool = failed;
        };
        // From the most expensive bucket down, grouping buckets until a group has enough data,
        // then testing the group's success rate.
        for (int b = max_bucket; b >= 0; --b) {
            if (new_range) {
                cur_near = b;
                new_range = false;
            }
            cur_far = b;
            confirmed += m_conf[period_target - 1][b];
            total += m_tx_count[b];
            failed += m_fail[period_target - 1][b];
            extra += static_cast<double>(unconf[static_cast<size_t>(b)]);
            extra += m_old_unconf[b];
            if (total < sufficient / (1 - m_decay)) continue;
            const double pct = confirmed / (total + failed + extra);
            if (pct < threshold) {
                if (passing) fill_fail(); // the first failing range is the one reported
                passing = false;
                continue;
            }
            fail_range = FeeBucketRange{};
            found = true;
            passing = true;
            pass_range.within_target = confirmed;
            pass_range.total_confirmed = total;
            pass_range.in_mempool = extra;
            pass_range.left_mempool = failed;
            confirmed = total = extra = failed = 0;
            best_near = cur_near;
            best_far = cur_far;
            new_range = true;
        }

        double median = -1;
        const int lo = std::min(best_near, best_far), hi = std::max(best_near, best_far);
        double sum = 0;
        for (int j = lo; j <= hi; ++j) sum += m_tx_count[j];
        if (found && sum != 0) {
            sum /= 2;
            for (int j = lo; j <= hi; ++j) {
                if (m_tx_count[j] < sum) {
                    sum -= m_tx_count[j];
                } else {
                    median = m_feerate_sum[j] / m_tx_count[j];
                    break;
                }
            }
            pass_range.start = lo ? m_buckets[lo - 1] : 0;
            pass_range.end = m_buckets[hi];
        }
        // Passing all along but the cheapest buckets never gathered enough data: report them as the failure.
        if (passing && !new_range) fill_fail();
        if (result) {
            result->pass = pass_range;
            result->fail = fail_range;
            result->decay = m_decay;
            result->scale = m_scale;
        }
        return median;
    }

    // Persistence of the decayed averages (the unconfirmed buffers are not kept: the mempool
    // transactions are not tracked again after a restart, as in Core).
    template <typename W>
    void Serialize(W& w) const;
    /** Reads into this (same bucket layout); throws consensus::DecodeError on any mismatch. */
    void Deserialize(consensus::ByteReader& r);

private:
    const std::vector<double>& m_buckets;
    double m_decay;
    unsigned m_scale;
    unsigned m_periods;
    std::vector<double> m_tx_count;
    std::vector<double> m_feerate_sum;
    std::vector<std::vector<double>> m_conf; //!< [period][bucket]
    std::vector<std::vector<double>> m_fail; //!< [period][bucket]
    std::vector<std::vector<int>> m_unconf;  //!< [entry height % max_confirms][bucket]
    std::vector<int64_t> m_unconf_total;     //!< [bucket]: the sum of m_unconf's rows
    std::vector<int> m_old_unconf;
};

// ---- fee_estimates.dat -------------------------------------------------------------------
// Little-endian, minicash's own layout (not Core's):
//   magic "MCFE" | u32 version (1) | i64 write time (seconds) | u32 best height
//   | u32 historical first | u32 historical best | u32 bucket count n | n x f64 bucket bounds
//   | 3 x horizon (short, medium, long): f64 decay | u32 scale | u32 periods p
//        | n x f64 tx count | n x f64 fee-rate sum | p x n x f64 confirmed | p x n x f64 failed
//   | nothing after.
// Every count is checked against this build's layout before anything is read or allocated,
// and every value must be finite and non-negative: a file from another layout is refused.

namespace {

constexpr uint32_t FILE_VERSION = 1;
constexpr char FILE_MAGIC[4] = {'M', 'C', 'F', 'E'};

template <typename W>
void WriteDouble(W& w, double v)
{
    consensus::WriteLE64(w, std::bit_cast<uint64_t>(v));
}

double ReadCount(consensus::ByteReader& r)
{
    const double v = std::bit_cast<double>(consensus::ReadLE64(r));
    if (!std::isfinite(v) || v < 0) throw consensus::DecodeError("fee estimates: bad value");
    return v;
}

} // namespace

template <typename W>
void ConfirmStats::Serialize(W& w) const
{
    WriteDouble(w, m_decay);
    consensus::WriteLE32(w, m_scale);
    consensus::WriteLE32(w, m_periods);
    for (double v : m_tx_count) WriteDouble(w, v);
    for (double v : m_feerate_sum) WriteDouble(w, v);
    for (const auto& row : m_conf)
        for (double v : row) WriteDouble(w, v);
    for (const auto& row : m_fail)
        for (double v : row) WriteDouble(w, v);
}

void ConfirmStats::Deserialize(consensus::ByteReader& r)
{
    const double decay = std::bit_cast<double>(consensus::ReadLE64(r));
    const uint32_t scale = consensus::ReadLE32(r);
    const uint32_t periods = consensus::ReadLE32(r);
    if (decay != m_decay || scale != m_scale || periods != m_periods) {
        throw consensus::DecodeError("fee estimates: horizon layout differs");
    }
    for (double& v : m_tx_count) v = ReadCount(r);
    for (double& v : m_feerate_sum) v = ReadCount(r);
    for (auto& row : m_conf)
        for (double& v : row) v = ReadCount(r);
    for (auto& row : m_fail)
        for (double& v : row) v = ReadCount(r);
}

FeeEstimator::FeeEstimator() : m_buckets(MakeBuckets())
{
    util::LockGuard lock(m_mutex);
    m_stats[0] = std::make_unique<ConfirmStats>(m_buckets, SHORT_BLOCK_PERIODS, SHORT_DECAY, SHORT_SCALE);
    m_stats[1] = std::make_unique<ConfirmStats>(m_buckets, MED_BLOCK_PERIODS, MED_DECAY, MED_SCALE);
    m_stats[2] = std::make_unique<ConfirmStats>(m_buckets, LONG_BLOCK_PERIODS, LONG_DECAY, LONG_SCALE);
}

FeeEstimator::~FeeEstimator() = default;

void FeeEstimator::ProcessTransaction(const consensus::Uint256& txid, int64_t fee_per_kvb, unsigned entry_height,
                                      bool valid_for_estimate)
{
    util::LockGuard lock(m_mutex);
    if (m_tracked.contains(txid)) return;
    // Only transactions entering at the tip: their wait is measured from a known block.
    if (entry_height != m_best_height) return;
    if (!valid_for_estimate) return;
    const auto feerate = static_cast<double>(fee_per_kvb);
    unsigned bucket = 0;
    for (auto& stats : m_stats) bucket = stats->NewTx(entry_height, feerate);
    m_tracked.emplace(txid, Tracked{entry_height, bucket, feerate});
}

bool FeeEstimator::RemoveLocked(const consensus::Uint256& txid, bool in_block)
{
    auto it = m_tracked.find(txid);
    if (it == m_tracked.end()) return false;
    for (auto& stats : m_stats) stats->RemoveTx(it->second.height, m_best_height, it->second.bucket, in_block);
    m_tracked.erase(it);
    return true;
}

bool FeeEstimator::RemoveTx(const consensus::Uint256& txid)
{
    util::LockGuard lock(m_mutex);
    return RemoveLocked(txid, false);
}

void FeeEstimator::ProcessBlock(unsigned height, const std::vector<consensus::Uint256>& txids)
{
    util::LockGuard lock(m_mutex);
    // A reorg's blocks are not counted again (Core ignores them too).
    if (height <= m_best_height) return;
    m_best_height = height;
    for (auto& stats : m_stats) {
        stats->ClearCurrent(height);
        stats->UpdateMovingAverages();
    }
    unsigned counted = 0;
    for (const auto& txid : txids) {
        auto it = m_tracked.find(txid);
        if (it == m_tracked.end()) continue;
        const Tracked entry = it->second;
        RemoveLocked(txid, true);
        if (height <= entry.height) continue;
        for (auto& stats : m_stats) stats->Record(height - entry.height, entry.feerate);
        ++counted;
    }
    if (m_first_recorded == 0 && counted > 0) m_first_recorded = m_best_height;
}

unsigned FeeEstimator::HighestTargetTracked(FeeHorizon horizon) const
{
    switch (horizon) {
    case FeeHorizon::SHORT: return SHORT_BLOCK_PERIODS * SHORT_SCALE;
    case FeeHorizon::MEDIUM: return MED_BLOCK_PERIODS * MED_SCALE;
    case FeeHorizon::LONG: return LONG_BLOCK_PERIODS * LONG_SCALE;
    }
    return 0;
}

FeeEstimation FeeEstimator::EstimateRawFee(int target, double success_threshold, FeeHorizon horizon) const
{
    util::LockGuard lock(m_mutex);
    FeeEstimation out;
    const ConfirmStats& stats = *m_stats[static_cast<size_t>(horizon)];
    const double sufficient = horizon == FeeHorizon::SHORT ? SUFFICIENT_TXS_SHORT : SUFFICIENT_FEETXS;
    if (target <= 0 || static_cast<unsigned>(target) > stats.MaxConfirms()) return out;
    if (!(success_threshold > 0) || success_threshold > 1) return out;
    const double median =
        stats.EstimateMedian(static_cast<unsigned>(target), sufficient, success_threshold, m_best_height, &out);
    if (median >= 0) out.feerate = std::llround(median);
    return out;
}

unsigned FeeEstimator::MaxUsableLocked() const
{
    const unsigned span = m_first_recorded == 0 ? 0 : m_best_height - m_first_recorded;
    const unsigned historical = (m_historical_first == 0 || m_historical_best < m_historical_first)
                                    ? 0
                                    : m_historical_best - m_historical_first;
    return std::min(m_stats[2]->MaxConfirms(), std::max(span, historical) / 2);
}

unsigned FeeEstimator::MaxUsableEstimate() const
{
    util::LockGuard lock(m_mutex);
    return MaxUsableLocked();
}

unsigned FeeEstimator::BestSeenHeight() const
{
    util::LockGuard lock(m_mutex);
    return m_best_height;
}

size_t FeeEstimator::TrackedCount() const
{
    util::LockGuard lock(m_mutex);
    return m_tracked.size();
}

double FeeEstimator::EstimateCombined(unsigned target, double threshold, bool check_shorter,
                                      FeeEstimation* result) const
{
    const ConfirmStats& short_stats = *m_stats[0];
    const ConfirmStats& med_stats = *m_stats[1];
    const ConfirmStats& long_stats = *m_stats[2];
    double estimate = -1;
    if (target < 1 || target > long_stats.MaxConfirms()) return estimate;
    // The shortest horizon that tracks the target answers.
    if (target <= short_stats.MaxConfirms()) {
        estimate = short_stats.EstimateMedian(target, SUFFICIENT_TXS_SHORT, threshold, m_best_height, result);
    } else if (target <= med_stats.MaxConfirms()) {
        estimate = med_stats.EstimateMedian(target, SUFFICIENT_FEETXS, threshold, m_best_height, result);
    } else {
        estimate = long_stats.EstimateMedian(target, SUFFICIENT_FEETXS, threshold, m_best_height, result);
    }
    if (!check_shorter) return estimate;
    // A shorter horizon's longest target answering lower is more recent information: use it.
    FeeEstimation temp;
    if (target > med_stats.MaxConfirms()) {
        const double med_max =
            med_stats.EstimateMedian(med_stats.MaxConfirms(), SUFFICIENT_FEETXS, threshold, m_best_height, &temp);
        if (med_max > 0 && (estimate == -1 || med_max < estimate)) {
            estimate = med_max;
            if (result) *result = temp;
        }
    }
    if (target > short_stats.MaxConfirms()) {
        const double short_max = short_stats.EstimateMedian(short_stats.MaxConfirms(), SUFFICIENT_TXS_SHORT, threshold,
                                                            m_best_height, &temp);
        if (short_max > 0 && (estimate == -1 || short_max < estimate)) {
            estimate = short_max;
            if (result) *result = temp;
        }
    }
    return estimate;
}

double FeeEstimator::EstimateConservative(unsigned double_target, FeeEstimation* result) const
{
    double estimate = -1;
    FeeEstimation temp;
    if (double_target <= m_stats[0]->MaxConfirms()) {
        estimate =
            m_stats[1]->EstimateMedian(double_target, SUFFICIENT_FEETXS, DOUBLE_SUCCESS_PCT, m_best_height, result);
    }
    if (double_target <= m_stats[1]->MaxConfirms()) {
        const double long_est =
            m_stats[2]->EstimateMedian(double_target, SUFFICIENT_FEETXS, DOUBLE_SUCCESS_PCT, m_best_height, &temp);
        if (long_est > estimate) {
            estimate = long_est;
            if (result) *result = temp;
        }
    }
    return estimate;
}

SmartFeeEstimate FeeEstimator::EstimateSmartFee(int target, bool conservative) const
{
    util::LockGuard lock(m_mutex);
    SmartFeeEstimate out;
    out.returned_target = target;
    if (target <= 0 || static_cast<unsigned>(target) > m_stats[2]->MaxConfirms()) return out;
    // One block is not a target anyone can meet reliably: 2 is the least asked.
    unsigned conf_target = target == 1 ? 2 : static_cast<unsigned>(target);
    conf_target = std::min(conf_target, MaxUsableLocked());
    out.returned_target = static_cast<int>(conf_target);
    if (conf_target <= 1) return out;

    // The highest of: 60% within half the target, 85% within the target, 95% within double
    // it (economical mode asks only the horizon that tracks double the target).
    double median = EstimateCombined(conf_target / 2, HALF_SUCCESS_PCT, true, nullptr);
    out.reason = FeeReason::HALF_ESTIMATE;
    const double actual = EstimateCombined(conf_target, SUCCESS_PCT, true, nullptr);
    if (actual > median) {
        median = actual;
        out.reason = FeeReason::FULL_ESTIMATE;
    }
    const double doubled = EstimateCombined(2 * conf_target, DOUBLE_SUCCESS_PCT, !conservative, nullptr);
    if (doubled > median) {
        median = doubled;
        out.reason = FeeReason::DOUBLE_ESTIMATE;
    }
    if (conservative || median == -1) {
        const double cons = EstimateConservative(2 * conf_target, nullptr);
        if (cons > median) {
            median = cons;
            out.reason = FeeReason::CONSERVATIVE;
        }
    }
    if (median < 0) {
        out.reason = FeeReason::NONE;
        return out;
    }
    out.feerate = std::llround(median);
    return out;
}

bool FeeEstimator::Write(const std::filesystem::path& path, int64_t now, std::string& error) const
{
    std::vector<uint8_t> bytes;
    {
        util::LockGuard lock(m_mutex);
        consensus::ByteWriter w(bytes);
        w.Write(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(FILE_MAGIC), sizeof(FILE_MAGIC)));
        consensus::WriteLE32(w, FILE_VERSION);
        consensus::WriteLE64(w, static_cast<uint64_t>(now));
        consensus::WriteLE32(w, m_best_height);
        // The span of blocks the averages cover: this run's if it is long enough, else the one loaded (as Core).
        const unsigned span = m_first_recorded == 0 ? 0 : m_best_height - m_first_recorded;
        const unsigned historical = (m_historical_first == 0 || m_historical_best < m_historical_first)
                                        ? 0
                                        : m_historical_best - m_historical_first;
        if (span > historical / 2) {
            consensus::WriteLE32(w, m_first_recorded);
            consensus::WriteLE32(w, m_best_height);
        } else {
            consensus::WriteLE32(w, m_historical_first);
            consensus::WriteLE32(w, m_historical_best);
        }
        consensus::WriteLE32(w, static_cast<uint32_t>(m_buckets.size()));
        for (double b : m_buckets) WriteDouble(w, b);
        for (const auto& stats : m_stats) stats->Serialize(w);
    }
    return util::WriteFileAtomic(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                                 error);
}

bool FeeEstimator::Read(const std::filesystem::path& path, int64_t now, bool accept_stale, std::string& error)
{
    auto content = util::ReadFileToString(path);
    if (!content) {
        error = "cannot open " + path.string();
        return false;
    }
    try {
        consensus::ByteReader r(
            std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(content->data()), content->size()));
        auto magic = r.ReadSpan(sizeof(FILE_MAGIC));
        if (std::memcmp(magic.data(), FILE_MAGIC, sizeof(FILE_MAGIC)) != 0)
            throw consensus::DecodeError("not a fee estimates file");
        const uint32_t version = consensus::ReadLE32(r);
        if (version != FILE_VERSION) throw consensus::DecodeError("unsupported version " + std::to_string(version));
        const auto written = static_cast<int64_t>(consensus::ReadLE64(r));
        if (!accept_stale && now - written > FEE_ESTIMATES_MAX_AGE) {
            error = "fee estimates file is older than 60 hours (use -acceptstalefeeestimates)";
            return false;
        }
        const uint32_t best = consensus::ReadLE32(r);
        const uint32_t hist_first = consensus::ReadLE32(r);
        const uint32_t hist_best = consensus::ReadLE32(r);
        if (hist_first > hist_best || hist_best > best) throw consensus::DecodeError("inconsistent heights");
        const uint32_t n = consensus::ReadLE32(r);
        if (n != m_buckets.size()) throw consensus::DecodeError("bucket count differs");
        for (double b : m_buckets) {
            if (std::bit_cast<double>(consensus::ReadLE64(r)) != b)
                throw consensus::DecodeError("bucket bounds differ");
        }
        // Read into fresh statistics so a bad file leaves the current ones untouched.
        std::array<std::unique_ptr<ConfirmStats>, 3> fresh;
        fresh[0] = std::make_unique<ConfirmStats>(m_buckets, SHORT_BLOCK_PERIODS, SHORT_DECAY, SHORT_SCALE);
        fresh[1] = std::make_unique<ConfirmStats>(m_buckets, MED_BLOCK_PERIODS, MED_DECAY, MED_SCALE);
        fresh[2] = std::make_unique<ConfirmStats>(m_buckets, LONG_BLOCK_PERIODS, LONG_DECAY, LONG_SCALE);
        for (auto& stats : fresh) stats->Deserialize(r);
        if (r.Remaining() != 0) throw consensus::DecodeError("trailing bytes");
        util::LockGuard lock(m_mutex);
        m_stats = std::move(fresh);
        m_tracked.clear();
        m_best_height = best;
        m_first_recorded = 0;
        m_historical_first = hist_first;
        m_historical_best = hist_best;
        return true;
    } catch (const consensus::DecodeError& e) {
        error = std::string("corrupt fee estimates file: ") + e.what();
        return false;
    }
}

} // namespace node::mempool
