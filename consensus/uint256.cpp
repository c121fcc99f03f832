#include "consensus/uint256.h"

#include "consensus/hex.h"

namespace consensus {

template <unsigned BITS>
std::string BaseBlob<BITS>::GetHex() const
{
    std::array<uint8_t, WIDTH> rev;
    for (size_t i = 0; i < WIDTH; ++i) rev[i] = m_data[WIDTH - 1 - i];
    return HexStr(rev);
}

template <unsigned BITS>
std::optional<BaseBlob<BITS>> BaseBlob<BITS>::FromHex(std::string_view hex)
{
    if (hex.size() != 2 * WIDTH) return std::nullopt;
    auto bytes = TryParseHex(hex);
    if (!bytes) return std::nullopt;
    BaseBlob<BITS> out;
    for (size_t i = 0; i < WIDTH; ++i) out.m_data[i] = (*bytes)[WIDTH - 1 - i];
    return out;
}

template class BaseBlob<160>;
template class BaseBlob<256>;

const Uint256 Uint256::ZERO{};
const Uint256 Uint256::ONE = [] {
    Uint256 one;
    one.data()[0] = 1;
    return one;
}();

} // namespace consensus
