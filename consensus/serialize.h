// Bitcoin's wire serialization: little-endian integers, CompactSize, length-prefixed
// byte strings and vectors. Decoding throws DecodeError; callers catch it at the message
// or file boundary. Every length is checked against the bytes left before allocating.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace consensus {

/** Thrown by decoders on truncated, oversized or non-canonical input. */
struct DecodeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/** Largest length any CompactSize-prefixed object may claim (Core's MAX_SIZE). */
inline constexpr uint64_t MAX_SIZE = 0x02000000;

/** Appends serialized bytes to a vector. */
class ByteWriter {
public:
    explicit ByteWriter(std::vector<uint8_t>& out) : m_out(out) {}
    void Write(std::span<const uint8_t> data)
    {
        // resize+memcpy rather than insert(): GCC 12 at -O3 warns falsely on the latter.
        if (data.empty()) return;
        const size_t old = m_out.size();
        m_out.resize(old + data.size());
        std::memcpy(m_out.data() + old, data.data(), data.size());
    }

private:
    std::vector<uint8_t>& m_out;
};

/** Counts serialized bytes without storing them. */
class SizeCounter {
public:
    void Write(std::span<const uint8_t> data) { m_size += data.size(); }
    size_t Size() const { return m_size; }

private:
    size_t m_size{0};
};

/** Reads serialized bytes from a span it does not own. */
class ByteReader {
public:
    explicit ByteReader(std::span<const uint8_t> data) : m_data(data) {}

    /** Next n bytes as a view; DecodeError if fewer remain. */
    std::span<const uint8_t> ReadSpan(size_t n)
    {
        if (n > Remaining()) throw DecodeError("unexpected end of data");
        auto out = m_data.subspan(m_pos, n);
        m_pos += n;
        return out;
    }
    void Read(std::span<uint8_t> out)
    {
        auto in = ReadSpan(out.size());
        if (!in.empty()) std::memcpy(out.data(), in.data(), in.size());
    }
    size_t Remaining() const { return m_data.size() - m_pos; }
    bool Empty() const { return m_pos == m_data.size(); }
    size_t Position() const { return m_pos; }
    std::span<const uint8_t> Consumed() const { return m_data.first(m_pos); }

private:
    std::span<const uint8_t> m_data;
    size_t m_pos{0};
};

template <typename W>
void WriteLE8(W& w, uint8_t v)
{
    w.Write(std::span<const uint8_t>(&v, 1));
}
template <typename W>
void WriteLE16(W& w, uint16_t v)
{
    const uint8_t b[2] = {uint8_t(v), uint8_t(v >> 8)};
    w.Write(b);
}
template <typename W>
void WriteLE32(W& w, uint32_t v)
{
    const uint8_t b[4] = {uint8_t(v), uint8_t(v >> 8), uint8_t(v >> 16), uint8_t(v >> 24)};
    w.Write(b);
}
template <typename W>
void WriteLE64(W& w, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; ++i) b[i] = uint8_t(v >> (8 * i));
    w.Write(b);
}

inline uint8_t ReadLE8(ByteReader& r) { return r.ReadSpan(1)[0]; }
inline uint16_t ReadLE16(ByteReader& r)
{
    auto b = r.ReadSpan(2);
    return uint16_t(b[0] | b[1] << 8);
}
inline uint32_t ReadLE32(ByteReader& r)
{
    auto b = r.ReadSpan(4);
    return uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
}
inline uint64_t ReadLE64(ByteReader& r)
{
    auto b = r.ReadSpan(8);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = v << 8 | b[i];
    return v;
}

/** Bytes a CompactSize encoding of n takes. */
constexpr size_t CompactSizeLen(uint64_t n) { return n < 253 ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9; }

template <typename W>
void WriteCompactSize(W& w, uint64_t n)
{
    if (n < 253) {
        WriteLE8(w, uint8_t(n));
    } else if (n <= 0xffff) {
        WriteLE8(w, 253);
        WriteLE16(w, uint16_t(n));
    } else if (n <= 0xffffffff) {
        WriteLE8(w, 254);
        WriteLE32(w, uint32_t(n));
    } else {
        WriteLE8(w, 255);
        WriteLE64(w, n);
    }
}

/** Reads a CompactSize; rejects non-canonical encodings and, if range_check, values above MAX_SIZE. */
uint64_t ReadCompactSize(ByteReader& r, bool range_check = true);

/**
 * Reads a CompactSize element count and checks that count * min_elem_size bytes
 * remain, so a hostile count can never cause a large allocation.
 */
size_t ReadCount(ByteReader& r, size_t min_elem_size);

template <typename W>
void WriteBytes(W& w, std::span<const uint8_t> bytes)
{
    WriteCompactSize(w, bytes.size());
    w.Write(bytes);
}

/** Reads a CompactSize-prefixed byte string. */
std::vector<uint8_t> ReadBytes(ByteReader& r);

/** Writes serialized bytes into a buffer sized beforehand; writing past its end is a logic error. */
class SpanWriter {
public:
    explicit SpanWriter(std::span<uint8_t> out) : m_out(out) {}
    void Write(std::span<const uint8_t> data)
    {
        if (data.size() > m_out.size() - m_pos) throw std::logic_error("SpanWriter: buffer too small");
        if (!data.empty()) std::memcpy(m_out.data() + m_pos, data.data(), data.size());
        m_pos += data.size();
    }
    size_t Written() const { return m_pos; }

private:
    std::span<uint8_t> m_out;
    size_t m_pos{0};
};

/** Serialized size of obj. */
template <typename T>
size_t SerializedSize(const T& obj)
{
    SizeCounter c;
    obj.Serialize(c);
    return c.Size();
}

/**
 * Serializes obj (which has Serialize(W&)) into a new byte vector: a counting pass sizes
 * the vector once, so large objects (blocks, undo data) are written without regrowth.
 */
template <typename T>
std::vector<uint8_t> SerializeToBytes(const T& obj)
{
    std::vector<uint8_t> out(SerializedSize(obj));
    SpanWriter w(out);
    obj.Serialize(w);
    if (w.Written() != out.size()) throw std::logic_error("SerializeToBytes: size pass and write pass differ");
    return out;
}

} // namespace consensus
