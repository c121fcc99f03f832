// BlockFileReader and BlocksWithUnknownParent (see block_file_reader.h).
#include "node/chain/block_file_reader.h"

#include "consensus/limits.h"
#include "consensus/primitives/block.h"

#include <algorithm>

namespace node::chain {

BlockFileReader::BlockFileReader(std::istream& in, const std::array<uint8_t, 4>& magic)
    : m_in(in), m_magic(magic), m_buf(BUFFER_SIZE)
{}

bool BlockFileReader::Fill()
{
    m_buf_file_pos += m_buf_end;
    m_buf_pos = 0;
    m_buf_end = 0;
    if (!m_in.good()) return false;
    m_in.read(reinterpret_cast<char*>(m_buf.data()), static_cast<std::streamsize>(m_buf.size()));
    m_buf_end = static_cast<size_t>(std::max<std::streamsize>(m_in.gcount(), 0));
    return m_buf_end > 0;
}

int BlockFileReader::GetByte()
{
    if (m_buf_pos == m_buf_end && !Fill()) return -1;
    return m_buf[m_buf_pos++];
}

bool BlockFileReader::ReadExact(uint8_t* out, size_t n)
{
    while (n > 0) {
        if (m_buf_pos == m_buf_end && !Fill()) return false;
        const size_t take = std::min(n, m_buf_end - m_buf_pos);
        std::copy_n(m_buf.data() + m_buf_pos, take, out);
        m_buf_pos += take;
        out += take;
        n -= take;
    }
    return true;
}

void BlockFileReader::Seek(uint64_t pos)
{
    if (pos >= m_buf_file_pos && pos <= m_buf_file_pos + m_buf_end) {
        m_buf_pos = static_cast<size_t>(pos - m_buf_file_pos);
        return;
    }
    m_in.clear();
    m_in.seekg(static_cast<std::streamoff>(pos));
    m_buf_file_pos = pos;
    m_buf_pos = 0;
    m_buf_end = 0;
}

std::optional<BlockFileRecord> BlockFileReader::Next()
{
    while (true) {
        // Find the first magic byte, then check the rest of the magic.
        int c;
        while ((c = GetByte()) >= 0 && static_cast<uint8_t>(c) != m_magic[0]) {}
        if (c < 0) break;
        const uint64_t start = Pos() - 1;
        uint8_t head[7];
        if (!ReadExact(head, sizeof(head))) break; // no room for a record header: end of the records
        if (!std::equal(m_magic.begin() + 1, m_magic.end(), head)) {
            Seek(start + 1);
            continue;
        }
        const uint32_t len =
            uint32_t(head[3]) | uint32_t(head[4]) << 8 | uint32_t(head[5]) << 16 | uint32_t(head[6]) << 24;
        if (len < consensus::BlockHeader::SIZE || len > consensus::MAX_BLOCK_SERIALIZED_SIZE) {
            Seek(start + 1); // as Core: not a record header after all, keep scanning
            continue;
        }
        BlockFileRecord rec;
        rec.pos = start + 8;
        if (m_end && rec.pos + len > *m_end) {
            // Known not to fit: no need to read to the end again (keeps garbage full of
            // long "records" linear to scan).
            m_truncated = true;
            Seek(start + 1);
            continue;
        }
        rec.bytes.resize(len); // bounded by MAX_BLOCK_SERIALIZED_SIZE above
        if (!ReadExact(rec.bytes.data(), len)) {
            m_truncated = true;
            m_end = Pos();
            Seek(start + 1);
            continue;
        }
        m_last_start = start;
        return rec;
    }
    return std::nullopt;
}

void BlockFileReader::Reject() { Seek(m_last_start + 1); }

std::optional<std::vector<uint8_t>> BlockFileReader::ReadAt(uint64_t pos)
{
    if (pos < 8) return std::nullopt;
    const uint64_t resume = Pos();
    // Read around the scan buffer so the scan can carry on from its buffered bytes.
    std::vector<uint8_t> saved(m_buf.begin() + static_cast<std::ptrdiff_t>(m_buf_pos),
                               m_buf.begin() + static_cast<std::ptrdiff_t>(m_buf_end));
    std::optional<std::vector<uint8_t>> out;
    m_in.clear();
    m_in.seekg(static_cast<std::streamoff>(pos - 8));
    uint8_t head[8];
    if (m_in.read(reinterpret_cast<char*>(head), 8) && std::equal(m_magic.begin(), m_magic.end(), head)) {
        const uint32_t len =
            uint32_t(head[4]) | uint32_t(head[5]) << 8 | uint32_t(head[6]) << 16 | uint32_t(head[7]) << 24;
        if (len >= consensus::BlockHeader::SIZE && len <= consensus::MAX_BLOCK_SERIALIZED_SIZE) {
            std::vector<uint8_t> bytes(len);
            if (m_in.read(reinterpret_cast<char*>(bytes.data()), len)) out = std::move(bytes);
        }
    }
    // Put the stream back after the buffered bytes.
    std::copy(saved.begin(), saved.end(), m_buf.begin());
    m_buf_pos = 0;
    m_buf_end = saved.size();
    m_buf_file_pos = resume;
    m_in.clear();
    m_in.seekg(static_cast<std::streamoff>(resume + saved.size()));
    return out;
}

bool BlocksWithUnknownParent::Add(const consensus::Uint256& parent, const consensus::Uint256& hash,
                                  const BlockRecordPos& pos)
{
    const auto [first, last] = m_by_parent.equal_range(parent);
    for (auto it = first; it != last; ++it) {
        if (it->second.hash == hash) return true; // a duplicate record of a waiting block
    }
    if (m_by_parent.size() >= m_max) return false;
    m_by_parent.emplace_hint(last, parent, Entry{hash, pos});
    return true;
}

std::vector<BlocksWithUnknownParent::Entry> BlocksWithUnknownParent::TakeChildren(const consensus::Uint256& parent)
{
    std::vector<Entry> out;
    const auto [first, last] = m_by_parent.equal_range(parent);
    for (auto it = first; it != last; ++it) out.push_back(it->second);
    m_by_parent.erase(first, last);
    return out;
}

} // namespace node::chain
