#include "vectors.h"

#include "consensus/hex.h"

#include <bzlib.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace testutil {

static std::filesystem::path VectorsRoot()
{
    if (const char* env = std::getenv("MINICASH_VECTORS"); env && *env) return env;
    // Default: ../shared/vectors next to the repository root (fixed at build time).
    return std::filesystem::path(MINICASH_DEFAULT_VECTORS);
}

std::optional<std::filesystem::path> VectorFile(const std::string& relative)
{
    const auto path = VectorsRoot() / relative;
    if (std::filesystem::exists(path)) return path;
    const char* ci = std::getenv("CI");
    const std::string msg =
        "test vectors missing: " + path.string() + " (set MINICASH_VECTORS to the shared/vectors directory)";
    if (ci && std::string(ci) == "true") {
        FAIL(msg);
    }
    std::cerr << "\n*** SKIPPED: " << msg << " ***\n" << std::endl;
    WARN("SKIPPED: " << msg);
    return std::nullopt;
}

void RequireCaseCount(const std::string& relative, size_t expected, size_t in_file, size_t ran)
{
    INFO(relative << ": " << in_file << " cases in the file, " << ran << " ran, " << expected << " expected");
    if (in_file != expected) {
        FAIL(relative << ": expected " << expected << " cases, the file holds " << in_file
                      << " (the file changed: review it, then update the count)");
    }
    if (ran != expected) FAIL(relative << ": expected " << expected << " cases, ran " << ran);
}

std::string ReadFile(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<uint8_t> ReadBz2File(const std::filesystem::path& path)
{
    const std::string compressed = ReadFile(path);
    bz_stream strm{};
    if (BZ2_bzDecompressInit(&strm, 0, 0) != BZ_OK) throw std::runtime_error("bz2 init failed");
    std::vector<uint8_t> out;
    strm.next_in = const_cast<char*>(compressed.data());
    strm.avail_in = static_cast<unsigned>(compressed.size());
    char buf[1 << 16];
    int rc = BZ_OK;
    while (rc == BZ_OK) {
        strm.next_out = buf;
        strm.avail_out = sizeof(buf);
        rc = BZ2_bzDecompress(&strm);
        if (rc != BZ_OK && rc != BZ_STREAM_END) {
            BZ2_bzDecompressEnd(&strm);
            throw std::runtime_error("bz2 decompression failed: " + path.string());
        }
        out.insert(out.end(), buf, buf + (sizeof(buf) - strm.avail_out));
        if (out.size() > (512u << 20)) {
            BZ2_bzDecompressEnd(&strm);
            throw std::runtime_error("bz2 output too large");
        }
    }
    BZ2_bzDecompressEnd(&strm);
    return out;
}

std::vector<uint8_t> ParseHexOrFail(const std::string& hex)
{
    auto bytes = consensus::TryParseHex(hex);
    if (!bytes) FAIL("bad hex in vector: " << hex.substr(0, 80));
    return *bytes;
}

std::vector<std::vector<uint8_t>> SplitBlkFile(const std::vector<uint8_t>& data, const std::array<uint8_t, 4>& magic)
{
    std::vector<std::vector<uint8_t>> blocks;
    size_t pos = 0;
    while (pos < data.size()) {
        REQUIRE(data.size() - pos >= 8);
        REQUIRE(std::equal(magic.begin(), magic.end(), data.begin() + static_cast<std::ptrdiff_t>(pos)));
        const uint32_t len = uint32_t{data[pos + 4]} | uint32_t{data[pos + 5]} << 8 | uint32_t{data[pos + 6]} << 16 |
                             uint32_t{data[pos + 7]} << 24;
        pos += 8;
        REQUIRE(data.size() - pos >= len);
        blocks.emplace_back(data.begin() + static_cast<std::ptrdiff_t>(pos),
                            data.begin() + static_cast<std::ptrdiff_t>(pos + len));
        pos += len;
    }
    return blocks;
}

} // namespace testutil
