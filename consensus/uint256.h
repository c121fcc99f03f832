// Fixed-size opaque blobs: Uint256 (hashes) and Uint160 (HASH160 results).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace consensus {

/** BITS-wide byte array, stored in the order it is serialized (little-endian for display). */
template <unsigned BITS>
class BaseBlob {
public:
    static constexpr size_t WIDTH = BITS / 8;

    constexpr BaseBlob() : m_data{} {}
    explicit BaseBlob(std::span<const uint8_t> bytes)
    {
        if (bytes.size() == WIDTH) std::memcpy(m_data.data(), bytes.data(), WIDTH);
    }

    constexpr bool IsNull() const
    {
        for (auto b : m_data)
            if (b) return false;
        return true;
    }
    constexpr void SetNull() { m_data.fill(0); }

    auto operator<=>(const BaseBlob&) const = default;

    uint8_t* data() { return m_data.data(); }
    const uint8_t* data() const { return m_data.data(); }
    static constexpr size_t size() { return WIDTH; }
    uint8_t* begin() { return m_data.data(); }
    uint8_t* end() { return m_data.data() + WIDTH; }
    const uint8_t* begin() const { return m_data.data(); }
    const uint8_t* end() const { return m_data.data() + WIDTH; }
    std::span<const uint8_t> Span() const { return m_data; }

    /** Hex in display order (reversed bytes), as Bitcoin shows hashes. */
    std::string GetHex() const;
    /** Parses display-order hex of exactly 2*WIDTH digits; nullopt otherwise. */
    static std::optional<BaseBlob> FromHex(std::string_view hex);

    /** First 8 bytes as a little-endian integer: a cheap hash-table key. */
    uint64_t GetCheapHash() const
    {
        uint64_t v;
        std::memcpy(&v, m_data.data(), 8);
        return v;
    }

protected:
    std::array<uint8_t, WIDTH> m_data;
};

/** A 256-bit hash (txid, block hash, ...). */
class Uint256 : public BaseBlob<256> {
public:
    using BaseBlob<256>::BaseBlob;
    Uint256(const BaseBlob<256>& b) : BaseBlob<256>(b) {}
    static std::optional<Uint256> FromHex(std::string_view hex)
    {
        auto b = BaseBlob<256>::FromHex(hex);
        if (!b) return std::nullopt;
        return Uint256(*b);
    }
    static const Uint256 ZERO;
    static const Uint256 ONE;
};

/** A 160-bit hash (HASH160 of a key or script). */
class Uint160 : public BaseBlob<160> {
public:
    using BaseBlob<160>::BaseBlob;
    Uint160(const BaseBlob<160>& b) : BaseBlob<160>(b) {}
};

extern template class BaseBlob<160>;
extern template class BaseBlob<256>;

} // namespace consensus

template <>
struct std::hash<consensus::Uint256> {
    size_t operator()(const consensus::Uint256& h) const noexcept { return h.GetCheapHash(); }
};
