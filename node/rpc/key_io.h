// Addresses and script classification for RPC: a network's address strings (Base58Check
// P2PKH/P2SH, Bech32 segwit v0, Bech32m v1+) to and from scriptPubKeys, and Core's output
// type names ("pubkeyhash", "witness_v0_keyhash", ...). Pure functions, any thread.
#pragma once

#include "consensus/params.h"
#include "consensus/script/script.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace node::rpc {

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

/**
 * The address of script on params' network, or nullopt if script has none (bare
 * pubkey, multisig, OP_RETURN, nonstandard) — as Core's ExtractDestination + EncodeDestination.
 */
std::optional<std::string> EncodeAddress(const consensus::Script& script, const consensus::ChainParams& params);

/**
 * The scriptPubKey an address of params' network pays to. nullopt if invalid; then
 * *error (if given) holds Core's message, e.g. "Invalid or unsupported Segwit (Bech32)
 * or Base58 encoding.", and *error_locations (if given) the positions of the characters
 * in error of a string with this network's Bech32 prefix (Core's bech32::LocateErrors).
 */
std::optional<consensus::Script> DecodeAddress(const std::string& address, const consensus::ChainParams& params,
                                               std::string* error = nullptr, std::vector<int>* error_locations = nullptr);

/** True if address decodes on params' network. */
bool IsValidAddress(const std::string& address, const consensus::ChainParams& params);

/** A secret key: its 32 bytes and whether its public key is used compressed. */
using SecretKey = std::pair<std::array<uint8_t, 32>, bool>;

/**
 * Core's DecodeSecret: a WIF private key of params' network (Base58Check of the network's
 * prefix, 32 key bytes, then 0x01 if compressed). nullopt if str is not one, or if the key
 * is not a valid secp256k1 secret key (zero or not below the group order).
 */
std::optional<SecretKey> DecodeSecret(std::string_view str, const consensus::ChainParams& params);

/** Core's EncodeSecret: the WIF string of a secret key on params' network. */
std::string EncodeSecret(const SecretKey& key, const consensus::ChainParams& params);

} // namespace node::rpc
