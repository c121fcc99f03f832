// The standard-script solver (Core's script/solver): which output template a
// scriptPubKey follows and its data, and Core's names for the templates. The mempool's
// standardness rules, the wallet and the RPC encoders all classify outputs with it.
// Pure functions, any thread.
#pragma once

#include "consensus/script/script.h"

#include <cstdint>
#include <string>
#include <vector>

namespace common {

/** Output script templates, as Core's TxoutType. */
enum class TxoutType {
    NONSTANDARD,
    PUBKEY,
    PUBKEYHASH,
    SCRIPTHASH,
    MULTISIG,
    NULL_DATA,
    ANCHOR,
    WITNESS_V0_SCRIPTHASH,
    WITNESS_V0_KEYHASH,
    WITNESS_V1_TAPROOT,
    WITNESS_UNKNOWN,
};

/**
 * Classifies script as Core's Solver does. solutions receives the template's data: the
 * key (PUBKEY), hash (PUBKEYHASH/SCRIPTHASH/witness), {m, keys..., n} (MULTISIG, m and n
 * as one byte each) or {version, program} (WITNESS_UNKNOWN, ANCHOR).
 */
TxoutType SolveScript(const consensus::Script& script, std::vector<std::vector<uint8_t>>& solutions);

/** Core's name of a type: "nonstandard", "pubkey", ..., "witness_unknown", "anchor". */
std::string ScriptTypeName(TxoutType type);

/** Core's type name of script (SolveScript then ScriptTypeName). */
std::string GetScriptType(const consensus::Script& script);

/** True for a 33-byte (02/03) or 65-byte (04/06/07) key by size and prefix (Core's CPubKey::ValidSize). */
bool IsValidPubKeySize(const std::vector<uint8_t>& key);

/** OP_1 <0x4e73>: the pay-to-anchor (P2A) output program, as Core 28+. */
bool IsPayToAnchor(int version, const std::vector<uint8_t>& program);

} // namespace common
