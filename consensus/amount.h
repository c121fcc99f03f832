// Amount: a count of satoshis, kept apart from plain integers.
#pragma once

#include <compare>
#include <cstdint>

namespace consensus {

/** A quantity of satoshis. Arithmetic is plain int64; MoneyRange says whether it is a valid amount. */
struct Amount {
    int64_t sats{0};

    constexpr Amount() = default;
    constexpr explicit Amount(int64_t s) : sats(s) {}
    constexpr auto operator<=>(const Amount&) const = default;
    constexpr Amount operator+(Amount o) const { return Amount{sats + o.sats}; }
    constexpr Amount operator-(Amount o) const { return Amount{sats - o.sats}; }
    constexpr Amount& operator+=(Amount o)
    {
        sats += o.sats;
        return *this;
    }
    constexpr Amount& operator-=(Amount o)
    {
        sats -= o.sats;
        return *this;
    }
};

/** Satoshis in one bitcoin. */
inline constexpr Amount COIN{100000000};
/** No amount larger than this (21 million BTC) is valid; a sanity check, not the supply. */
inline constexpr Amount MAX_MONEY{21000000 * COIN.sats};

/** True when 0 <= value <= MAX_MONEY. */
constexpr bool MoneyRange(Amount value) { return value.sats >= 0 && value <= MAX_MONEY; }

} // namespace consensus
