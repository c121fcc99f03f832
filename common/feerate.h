// A fee rate in satoshis per 1000 virtual bytes (Core's CFeeRate).
#pragma once

#include "consensus/amount.h"

#include <compare>
#include <cstdint>
#include <string>

namespace common {

class FeeRate {
public:
    FeeRate() = default;
    /** sat_per_kvb satoshis per 1000 vbytes. */
    explicit FeeRate(consensus::Amount sat_per_kvb) : m_sat_per_kvb(sat_per_kvb) {}
    /** The rate of paying fee for vsize vbytes (zero for a zero size), rounded down as Core's. */
    FeeRate(consensus::Amount fee, int64_t vsize);

    /** The fee for vsize vbytes, rounded up (Core since v28: EvaluateFeeUp). */
    consensus::Amount GetFee(int64_t vsize) const;
    consensus::Amount SatsPerKvB() const { return m_sat_per_kvb; }
    /** Core's ToString: "0.00001000 BTC/kvB". */
    std::string ToString() const;

    auto operator<=>(const FeeRate&) const = default;

private:
    consensus::Amount m_sat_per_kvb;
};

/** Core's FormatMoney: "0.00001", "1.00" (at least two decimals, no trailing zeros beyond). */
std::string FormatMoney(consensus::Amount amount);

} // namespace common
