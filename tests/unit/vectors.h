// Locating the shared test vectors at run time (never copied into the repository).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace testutil {

/**
 * The vectors directory: $MINICASH_VECTORS, else ../shared/vectors next to the repository
 * root. If it (or the file asked for) is missing, prints a loud warning and returns
 * nullopt so the test can SKIP; under CI=true it FAILs the test instead.
 */
std::optional<std::filesystem::path> VectorFile(const std::string& relative);

/** Reads a whole file; throws std::runtime_error if it cannot. */
std::string ReadFile(const std::filesystem::path& path);

/** Decompresses a .bz2 file with libbz2; throws std::runtime_error on error. */
std::vector<uint8_t> ReadBz2File(const std::filesystem::path& path);

/**
 * Splits Core's blk*.dat framing (4-byte network magic, 4-byte little-endian length, block)
 * with REQUIREs on every frame: a plain reference splitter, independent of the node's reader.
 */
std::vector<std::vector<uint8_t>> SplitBlkFile(const std::vector<uint8_t>& data, const std::array<uint8_t, 4>& magic);

/**
 * The case count of a vector runner, checked against the count hard-coded for the file as
 * shipped: in_file is what the runner found in the file, ran what it executed. FAILs the test
 * naming the file ("bitcoin-core/tx_valid.json: expected 121 cases, ran 118"), so a changed
 * file or a runner that silently drops cases is loud.
 */
void RequireCaseCount(const std::string& relative, size_t expected, size_t in_file, size_t ran);

/** Hex to bytes; FAILs the current test on bad hex. */
std::vector<uint8_t> ParseHexOrFail(const std::string& hex);

} // namespace testutil

/** Skips the current test (loudly) when a vector file is unavailable. */
#define REQUIRE_VECTOR(var, relative)                                                                                  \
    auto var##_opt = testutil::VectorFile(relative);                                                                   \
    if (!var##_opt) return;                                                                                            \
    const std::filesystem::path var = *var##_opt
