// The benchmark chain file (tests/bench/node/): blocks in blk format (magic, LE32 length,
// block) and a one-line ".info" sidecar with the counts the connect step needs. Shared by
// bench_node_connect, which writes and reads it, and nothing in the node.
#pragma once

#include "consensus/primitives/block.h"
#include "consensus/serialize.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace bench {

using consensus::Block;
using consensus::ByteReader;
using consensus::ByteWriter;

[[noreturn]] inline void BenchDie(const std::string& msg)
{
    std::fprintf(stderr, "bench_node_connect: %s\n", msg.c_str());
    std::exit(1);
}

class BlockFileWriter {
public:
    BlockFileWriter(const std::filesystem::path& path, const std::array<uint8_t, 4>& magic)
        : m_out(path, std::ios::binary | std::ios::trunc), m_magic(magic)
    {
        if (!m_out) BenchDie("cannot write " + path.string());
    }
    void Write(const Block& block)
    {
        std::vector<uint8_t> bytes;
        ByteWriter w(bytes);
        block.Serialize(w);
        const uint32_t len = static_cast<uint32_t>(bytes.size());
        const uint8_t head[8] = {m_magic[0],
                                 m_magic[1],
                                 m_magic[2],
                                 m_magic[3],
                                 static_cast<uint8_t>(len),
                                 static_cast<uint8_t>(len >> 8),
                                 static_cast<uint8_t>(len >> 16),
                                 static_cast<uint8_t>(len >> 24)};
        m_out.write(reinterpret_cast<const char*>(head), 8);
        m_out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        m_bytes += 8 + bytes.size();
        if (!m_out) BenchDie("write failed");
    }
    uint64_t Bytes() const { return m_bytes; }

private:
    std::ofstream m_out;
    std::array<uint8_t, 4> m_magic;
    uint64_t m_bytes{0};
};

class BlockFileReader {
public:
    BlockFileReader(const std::filesystem::path& path, const std::array<uint8_t, 4>& magic)
        : m_in(path, std::ios::binary), m_magic(magic)
    {
        if (!m_in) BenchDie("cannot read " + path.string() + " (create it with --generate)");
    }
    /** The next block, or nullptr at the end of the file. */
    std::shared_ptr<const Block> Next()
    {
        uint8_t head[8];
        if (!m_in.read(reinterpret_cast<char*>(head), 8)) return nullptr;
        if (std::memcmp(head, m_magic.data(), 4) != 0) BenchDie("bad magic in chain file");
        const uint32_t len =
            uint32_t(head[4]) | uint32_t(head[5]) << 8 | uint32_t(head[6]) << 16 | uint32_t(head[7]) << 24;
        m_buf.resize(len);
        if (!m_in.read(reinterpret_cast<char*>(m_buf.data()), len)) BenchDie("truncated chain file");
        ByteReader r(m_buf);
        return std::make_shared<const Block>(Block::Deserialize(r));
    }

private:
    std::ifstream m_in;
    std::array<uint8_t, 4> m_magic;
    std::vector<uint8_t> m_buf;
};

/** First line of the chain file's sidecar: counts the connect step needs. */
struct ChainInfo {
    int setup_blocks{0};
    int spend_blocks{0};
    uint64_t spend_inputs{0};
};

inline std::filesystem::path InfoPath(const std::filesystem::path& chain) { return chain.string() + ".info"; }

inline void WriteInfo(const std::filesystem::path& chain, const ChainInfo& info)
{
    std::ofstream out(InfoPath(chain), std::ios::trunc);
    out << info.setup_blocks << ' ' << info.spend_blocks << ' ' << info.spend_inputs << '\n';
    if (!out) BenchDie("cannot write " + InfoPath(chain).string());
}

inline ChainInfo ReadInfo(const std::filesystem::path& chain)
{
    std::ifstream in(InfoPath(chain));
    ChainInfo info;
    if (!(in >> info.setup_blocks >> info.spend_blocks >> info.spend_inputs)) {
        BenchDie("cannot read " + InfoPath(chain).string() + " (create the chain with --generate)");
    }
    return info;
}

} // namespace bench
