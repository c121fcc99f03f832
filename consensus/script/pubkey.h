// Signature verification and taproot key tweaking over libsecp256k1 (verification only;
// signing lives in key.h).
#pragma once

#include "consensus/uint256.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>

struct secp256k1_context_struct;

namespace consensus {

/** The shared read-only libsecp256k1 context for verification (thread-safe). */
const secp256k1_context_struct* SecpVerifyContext();

/** True for a 33-byte compressed (02/03) or 65-byte uncompressed (04) key by size and prefix only. */
bool IsPlausiblePubKey(std::span<const uint8_t> pubkey);

/** A plausible key that is also a point on the curve (Core's CPubKey::IsFullyValid). */
bool IsFullyValidPubKey(std::span<const uint8_t> pubkey);

/**
 * ECDSA: verifies a DER signature (parsed laxly, as consensus requires, and normalized to
 * low-S) over hash by a 33- or 65-byte public key. False on any parse failure.
 */
bool VerifyEcdsa(std::span<const uint8_t> pubkey, std::span<const uint8_t> sig_der, const Uint256& hash);

/** True if sig_der has a low S value (BIP-62 rule used by LOW_S); false if it does not parse. */
bool IsLowDERSignature(std::span<const uint8_t> sig_der);

/** BIP-340: verifies a 64-byte Schnorr signature of msg (any length) by a 32-byte x-only key. */
bool VerifySchnorr(std::span<const uint8_t> xonly_pubkey, std::span<const uint8_t> sig64, std::span<const uint8_t> msg);

/** True if the 32 bytes are the x coordinate of a point on the curve. */
bool IsValidXOnly(std::span<const uint8_t> xonly_pubkey);

/** BIP-341 TapTweak hash t = TaggedHash("TapTweak", internal || merkle_root) (root omitted if null). */
Uint256 ComputeTapTweakHash(std::span<const uint8_t> internal_xonly, const Uint256* merkle_root);

/**
 * BIP-341: Q = P + t*G for internal key P; returns (x(Q), parity of Q) or nullopt when P is
 * invalid or the tweak overflows.
 */
std::optional<std::pair<std::array<uint8_t, 32>, bool>> TweakXOnly(std::span<const uint8_t> internal_xonly,
                                                                   const Uint256* merkle_root);

/** BIP-341 script-path check: is output the tweak of internal by merkle_root with the given parity? */
bool CheckTapTweak(std::span<const uint8_t> output_xonly, std::span<const uint8_t> internal_xonly,
                   const Uint256& merkle_root, bool parity);

} // namespace consensus
