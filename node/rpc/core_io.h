// Core's JSON renderings of headers and blocks (blockheaderToJSON/blockToJSON), and hex
// decoding of blocks and headers (core_read.cpp). Scripts and transactions render with
// common/rpc/tx_json.h (ScriptToJson, TxToJson), which the wallet shares; it is included here
// so the node's methods see both. Pure functions over their arguments; any RPC thread.
#pragma once

#include "consensus/params.h"
#include "consensus/primitives/block.h"
#include "consensus/primitives/transaction.h"
#include "node/chain/block_index.h"
#include "common/rpc/json.h"
#include "common/rpc/rawtx.h"
#include "common/rpc/tx_json.h"
#include "node/storage/undo.h"

#include <optional>
#include <string>

namespace node::rpc {

// The node's methods speak the framework's vocabulary (common/rpc: Json, RpcTable, RpcError,
// the parameter helpers) and use the address and descriptor helpers (common/) unqualified.
using namespace common::rpc;
using namespace common;

/** Difficulty of compact bits relative to the minimum (0x1d00ffff = 1.0), as Core's GetDifficulty. */
double GetDifficulty(uint32_t bits);

/** Compact bits as 8 lower-case hex digits (Core's "bits" fields). */
std::string BitsHex(uint32_t bits);

/** The 64-digit hex target of bits (Core's "target" field). */
std::string TargetHex(uint32_t bits);

/**
 * getblockheader's object for index relative to the active tip: hash, confirmations (-1
 * if not in the active chain), height, version, versionHex, merkleroot, time, mediantime,
 * nonce, bits, target, difficulty, chainwork, nTx, previousblockhash, nextblockhash.
 * Reads only immutable index fields and parent links; safe without the chainstate lock.
 */
Json BlockHeaderToJson(const chain::BlockIndex& tip, const chain::BlockIndex& index);

/**
 * getblock's object: the header fields, then strippedsize, size, weight and tx (txids for
 * SHOW_TXID, else full objects; with undo data those get "fee" and, for
 * SHOW_DETAILS_AND_PREVOUT, each input's "prevout").
 */
Json BlockToJson(const consensus::Block& block, const chain::BlockIndex& tip, const chain::BlockIndex& index,
                 const consensus::ChainParams& params, TxVerbosity verbosity, const node::BlockUndo* undo = nullptr);

/** A block from hex (with witness data); nullopt on bad hex or a decode failure. */
std::optional<consensus::Block> DecodeHexBlock(const std::string& hex);

/** A header from hex (exactly 80 bytes). */
std::optional<consensus::BlockHeader> DecodeHexBlockHeader(const std::string& hex);

} // namespace node::rpc
