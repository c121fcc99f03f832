// Raw-transaction helpers shared by the node's RPC methods (node/rpc) and the wallet's
// (wallet/rpc): hex and asm forms of transactions and scripts, createrawtransaction's
// construction, and the pieces of signrawtransactionwithkey that signrawtransactionwithwallet
// reuses (prevtxs, sighashtype, the result). Pure functions; any thread.
#pragma once

#include "common/rpc/json.h"
#include "common/rpc/server.h"
#include "common/signing_provider.h"
#include "consensus/coins.h"
#include "consensus/params.h"
#include "consensus/primitives/transaction.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace common::rpc {

/**
 * Core's asm form: pushes of <= 4 bytes as numbers, longer pushes as hex, opcodes by name,
 * "[error]" at a truncated push. With attempt_sighash_decode (scriptSigs), a push that is a
 * strictly encoded signature shows its hash type as "[ALL]" etc. instead of the last byte.
 */
std::string ScriptToAsmStr(const consensus::Script& script, bool attempt_sighash_decode = false);

/** Hex of the serialized transaction (with witness unless with_witness is false). */
std::string EncodeHexTx(const consensus::Transaction& tx, bool with_witness = true);

/** True for a non-empty, even-length string of hex digits (Core's IsHex). */
bool IsHex(const std::string& str);

/**
 * Core's DecodeHexTx: decodes with witness and without, keeping a decoding that consumes
 * all bytes and whose scripts have valid opcodes (preferring the witness form). nullopt if none.
 */
std::optional<consensus::MutableTransaction> DecodeHexTx(const std::string& hex, bool try_no_witness = true,
                                                         bool try_witness = true);

/**
 * createrawtransaction's transaction from its positional params (inputs, outputs, locktime,
 * replaceable, version) with Core's checks and errors (Core's ConstructTransaction).
 */
consensus::MutableTransaction ConstructRawTransaction(const Json& params, const consensus::ChainParams& chain_params);

/** Core's ParseSighashString: null is SIGHASH_DEFAULT; RPC_INVALID_PARAMETER "'x' is not a valid sighash parameter.". */
int ParseSighashParam(const Json& value);

/**
 * Core's ParsePrevouts: adds the prevtxs entries to coins (amount MAX_MONEY when not given)
 * and, with a keystore, their redeem/witness scripts, with Core's checks and errors.
 */
void ParsePrevouts(const Json& prevtxs, common::FlatSigningProvider* keystore,
                   std::map<consensus::OutPoint, consensus::Coin>& coins);

/** Core's SignTransactionResultToJSON: {hex, complete, errors?}; "Missing amount" throws RPC_TYPE_ERROR. */
Json SignResultToJson(const consensus::MutableTransaction& tx, bool complete,
                      const std::map<consensus::OutPoint, consensus::Coin>& coins,
                      const std::map<int, std::string>& input_errors);

/** The declared result of signrawtransactionwithkey and signrawtransactionwithwallet. */
std::vector<RpcResult> SignResultDoc();

} // namespace common::rpc
