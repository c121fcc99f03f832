// Core's JSON renderings of scripts and transactions (core_write.cpp's ScriptToUniv and
// TxToUniv), shared by the node's methods (decoderawtransaction, getrawtransaction, getblock,
// decodepsbt ...) and the wallet's (gettransaction verbose). Pure functions; any thread.
#pragma once

#include "common/rpc/json.h"
#include "consensus/coins.h"
#include "consensus/params.h"
#include "consensus/primitives/transaction.h"
#include "consensus/uint256.h"

#include <vector>

namespace common::rpc {

/**
 * Core's ScriptToUniv: {asm, desc (if include_address), hex (if include_hex),
 * address (if it has one and is not bare pubkey), type}.
 */
Json ScriptToJson(const consensus::Script& script, const consensus::ChainParams& params, bool include_hex = true,
                  bool include_address = true);

/** A scriptPubKey object: ScriptToJson with hex and address. */
Json ScriptPubKeyToJson(const consensus::Script& script, const consensus::ChainParams& params);

/** How much TxToJson shows about spent outputs (when the spent coins are given). */
enum class TxVerbosity { SHOW_TXID, SHOW_DETAILS, SHOW_DETAILS_AND_PREVOUT };

/**
 * Core's TxToUniv: txid, hash, version, size, vsize, weight, locktime, vin, vout, then
 * fee (if spent given), blockhash (if not null), hex (if include_hex). spent holds the coins
 * the inputs spent, one per input in order (the node's undo data; ignored unless its size
 * matches); with SHOW_DETAILS_AND_PREVOUT each input gets "prevout".
 */
Json TxToJson(const consensus::Transaction& tx, const consensus::ChainParams& params,
              const consensus::Uint256& block_hash = {}, bool include_hex = true,
              const std::vector<consensus::Coin>* spent = nullptr, TxVerbosity verbosity = TxVerbosity::SHOW_DETAILS);

} // namespace common::rpc
