// mempool.dat in Bitcoin Core's format, so the file moves between Core and minicash.
//
// Layout (Core's node/mempool_persist.cpp): uint64 version (1, or 2 with obfuscation), for
// version 2 an 8-byte key written as a CompactSize-prefixed byte vector; every byte after the
// key is XORed with key[file_offset % 8]. Then: uint64 count; per transaction the transaction
// with witness, int64 entry time, int64 fee delta; the map of other prioritisation deltas
// (CompactSize count, then txid and int64 delta each); the unbroadcast txid set (CompactSize
// count, then txids).
#pragma once

#include "consensus/amount.h"
#include "consensus/primitives/transaction.h"
#include "consensus/uint256.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace node::mempool {

class TxMemPool;

inline constexpr uint64_t MEMPOOL_DUMP_VERSION_NO_XOR_KEY = 1;
inline constexpr uint64_t MEMPOOL_DUMP_VERSION = 2;

struct MempoolFileTx {
    consensus::TransactionRef tx;
    int64_t time{0};
    consensus::Amount fee_delta;
};

struct MempoolFile {
    uint64_t version{MEMPOOL_DUMP_VERSION};
    std::vector<MempoolFileTx> txs;
    std::map<consensus::Uint256, consensus::Amount> deltas; //!< deltas of transactions not in txs
    std::set<consensus::Uint256> unbroadcast;
};

/** The file's bytes (version 2 with the given key, or version 1 when key is nullopt). */
std::vector<uint8_t> SerializeMempoolFile(const MempoolFile& file, const std::optional<std::array<uint8_t, 8>>& key);
/** Parses a file's bytes; nullopt with error on a bad version, truncation or garbage. */
std::optional<MempoolFile> ParseMempoolFile(std::span<const uint8_t> bytes, std::string& error);

/**
 * Writes pool (parents first, from GetAllSorted), the deltas of transactions not in it and
 * unbroadcast to path as version 2 with a random key, atomically: path + ".new", fsync,
 * rename, fsync of the folder. False with error on failure (the old file stays).
 */
bool DumpMempool(const TxMemPool& pool, const std::filesystem::path& path, std::string& error,
                 const std::set<consensus::Uint256>& unbroadcast = {});

/** Reads path without adding anything to a pool: the caller re-submits each record through acceptance. */
std::optional<MempoolFile> LoadMempoolFile(const std::filesystem::path& path, std::string& error);

} // namespace node::mempool
