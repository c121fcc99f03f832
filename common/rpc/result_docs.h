// Declared result pieces shared by several methods (Core's ScriptPubKeyDoc, DecodeTxDoc and
// the block header fields), so every method that returns a script, a transaction or a
// header declares it the same way. Pure data; thread-safe.
#pragma once

#include "common/rpc/server.h"

#include <string>
#include <vector>

namespace common::rpc {

/** "main, test, testnet4, signet, regtest": Core's LIST_CHAIN_NAMES. */
inline constexpr const char* LIST_CHAIN_NAMES = "main, test, testnet4, signet, regtest";
/** "UNIX epoch time", the unit named in time descriptions. */
inline constexpr const char* UNIX_EPOCH_TIME = "UNIX epoch time";

/** Core's GetAllOutputTypes: every output type name, comma-separated. */
std::string AllOutputTypes();
/** Members of a "scriptPubKey" object (asm, desc, hex, address optional, type). */
std::vector<RpcResult> ScriptPubKeyDoc();
/** Members of a decoded transaction (txid ... vout), as Core's DecodeTxDoc. */
std::vector<RpcResult> DecodeTxDoc(const std::string& txid_field_doc);
/** The getblock/getblockheader members shared by both (hash ... nextblockhash), in Core's order. */
std::vector<RpcResult> BlockHeaderDoc();

} // namespace common::rpc
