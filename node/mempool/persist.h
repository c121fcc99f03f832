// mempool.dat in Bitcoin Core's format (node/mempool_persist.cpp there), so the file moves
// between Core and minicash: version 1, or version 2 whose body is XORed with an 8-byte key
// stored after the version; then the transactions (with witness) with their entry times and
// fee deltas, the prioritisation map, and the set of transactions not yet broadcast.
#pragma once

#include "consensus/amount.h"
#include "consensus/primitives/transaction.h"
#include "consensus/uint256.h"

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace node::mempool {

class TxMemPool;

/** Core's MEMPOOL_DUMP_VERSION_NO_XOR_KEY and MEMPOOL_DUMP_VERSION. */
inline constexpr uint64_t MEMPOOL_DUMP_VERSION_NO_XOR_KEY = 1;
inline constexpr uint64_t MEMPOOL_DUMP_VERSION = 2;

/** What a mempool.dat holds. */
struct MempoolFile {
    struct Record {
        consensus::TransactionRef tx;
        int64_t time{0};
        consensus::Amount fee_delta;
    };
    std::vector<Record> txs;
    std::map<consensus::Uint256, consensus::Amount> deltas;
    std::set<consensus::Uint256> unbroadcast;
};

/** The file's bytes (version 2 with key, or version 1 when key is empty). */
std::vector<uint8_t> SerializeMempoolFile(const MempoolFile& file, const std::vector<uint8_t>& key);
/** Parses a file's bytes; nullopt with error on a bad version, a truncated or corrupt body. */
std::optional<MempoolFile> ParseMempoolFile(std::span<const uint8_t> data, std::string& error);

/** Writes the pool (parents first) to path atomically (path.new, fsync, rename), with a random key. */
bool DumpMempool(const TxMemPool& pool, const std::filesystem::path& path, std::string& error);
/** Reads path; nullopt with error if it cannot be read or parsed. Adds nothing to any pool. */
std::optional<MempoolFile> LoadMempoolFile(const std::filesystem::path& path, std::string& error);

} // namespace node::mempool
