// Helpers shared by the net/ unit tests: hex literals, and encoding/decoding a payload whole.
#pragma once

#include "consensus/hex.h"
#include "consensus/serialize.h"

#include <catch2/catch.hpp>

#include <string_view>
#include <vector>

namespace net_test {

/** Bytes of a hex literal (REQUIREs it is valid hex). */
inline std::vector<uint8_t> Hex(std::string_view s)
{
    auto v = consensus::TryParseHex(s);
    REQUIRE(v);
    return *v;
}

/** m's wire encoding. */
template <typename T>
std::vector<uint8_t> Encode(const T& m)
{
    std::vector<uint8_t> out;
    consensus::ByteWriter w(out);
    m.Serialize(w);
    return out;
}

/** Decodes bytes as T, checking that every byte is used. */
template <typename T>
T DecodeAll(const std::vector<uint8_t>& bytes)
{
    consensus::ByteReader r(bytes);
    T m = T::Deserialize(r);
    CHECK(r.Empty());
    return m;
}

} // namespace net_test
