#include "common/feerate.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>

namespace common {

FeeRate::FeeRate(consensus::Amount fee, int64_t vsize)
{
    if (vsize > 0)
        m_sat_per_kvb = consensus::Amount{static_cast<int64_t>(static_cast<__int128>(fee.sats) * 1000 / vsize)};
}

consensus::Amount FeeRate::GetFee(int64_t vsize) const
{
    if (vsize <= 0) return consensus::Amount{0};
    const __int128 product = static_cast<__int128>(m_sat_per_kvb.sats) * vsize;
    // Rounded up for positive rates (a fee never falls short of the rate), toward zero below.
    __int128 fee = product / 1000;
    if (product > 0 && product % 1000 != 0) fee += 1;
    return consensus::Amount{static_cast<int64_t>(fee)};
}

std::string FeeRate::ToString() const
{
    const int64_t v = m_sat_per_kvb.sats;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%s%" PRId64 ".%08" PRId64 " BTC/kvB", v < 0 ? "-" : "",
                  static_cast<int64_t>(std::llabs(v)) / 100000000, static_cast<int64_t>(std::llabs(v)) % 100000000);
    return buf;
}

std::string FormatMoney(consensus::Amount amount)
{
    const int64_t v = amount.sats;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%" PRId64 ".%08" PRId64, static_cast<int64_t>(std::llabs(v)) / 100000000,
                  static_cast<int64_t>(std::llabs(v)) % 100000000);
    std::string s = buf;
    // Trim trailing zeros, keeping two decimals.
    size_t keep = s.size();
    while (keep > s.find('.') + 3 && s[keep - 1] == '0') --keep;
    s.resize(keep);
    return (v < 0 ? "-" : "") + s;
}

} // namespace common
