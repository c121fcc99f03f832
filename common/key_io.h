// Addresses and keys as text: a network's address strings (Base58Check P2PKH/P2SH, Bech32
// segwit v0, Bech32m v1+) to and from scriptPubKeys, and WIF private keys (Core's
// key_io). Pure functions, any thread.
#pragma once

#include "common/signing_provider.h"
#include "consensus/params.h"
#include "consensus/script/script.h"
#include "common/solver.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace common {

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
                                               std::string* error = nullptr,
                                               std::vector<int>* error_locations = nullptr);

/** True if address decodes on params' network. */
bool IsValidAddress(const std::string& address, const consensus::ChainParams& params);

/**
 * Core's DecodeSecret: a WIF private key of params' network (Base58Check of the network's
 * prefix, 32 key bytes, then 0x01 if compressed). nullopt if str is not one, or if the key
 * is not a valid secp256k1 secret key (zero or not below the group order).
 */
std::optional<SecretKey> DecodeSecret(std::string_view str, const consensus::ChainParams& params);

/** Core's EncodeSecret: the WIF string of a secret key on params' network. */
std::string EncodeSecret(const SecretKey& key, const consensus::ChainParams& params);

} // namespace common
