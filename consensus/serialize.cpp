#include "consensus/serialize.h"

namespace consensus {

uint64_t ReadCompactSize(ByteReader& r, bool range_check)
{
    const uint8_t first = ReadLE8(r);
    uint64_t n;
    if (first < 253) {
        n = first;
    } else if (first == 253) {
        n = ReadLE16(r);
        if (n < 253) throw DecodeError("non-canonical CompactSize");
    } else if (first == 254) {
        n = ReadLE32(r);
        if (n < 0x10000u) throw DecodeError("non-canonical CompactSize");
    } else {
        n = ReadLE64(r);
        if (n < 0x100000000ULL) throw DecodeError("non-canonical CompactSize");
    }
    if (range_check && n > MAX_SIZE) throw DecodeError("CompactSize exceeds MAX_SIZE");
    return n;
}

size_t ReadCount(ByteReader& r, size_t min_elem_size)
{
    const uint64_t n = ReadCompactSize(r);
    if (min_elem_size > 0 && n > r.Remaining() / min_elem_size) {
        throw DecodeError("element count exceeds remaining data");
    }
    return static_cast<size_t>(n);
}

std::vector<uint8_t> ReadBytes(ByteReader& r)
{
    const size_t n = ReadCount(r, 1);
    auto s = r.ReadSpan(n);
    return std::vector<uint8_t>(s.begin(), s.end());
}

} // namespace consensus
