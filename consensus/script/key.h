// Minimal signing over libsecp256k1 (ECDSA with RFC 6979 nonces, BIP-340 Schnorr, BIP-341
// key tweaking) for tests and, later, the wallet. Verification lives in pubkey.h.
#pragma once

#include "consensus/uint256.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

struct secp256k1_context_struct;

namespace consensus {

/**
 * Overwrites n bytes at p with zeros in a way the compiler cannot drop as a dead store
 * (explicit_bzero): for secrets about to go out of scope.
 */
void WipeSecret(void* p, size_t n) noexcept;

/** The shared signing context, created and randomized on first use (thread-safe). */
const secp256k1_context_struct* SecpSignContext();

/**
 * BIP-340: signs msg (any length) with the 32-byte secret key, using aux32 (32 bytes) as
 * auxiliary randomness. nullopt if the key is invalid or aux32 is not 32 bytes.
 */
std::optional<std::array<uint8_t, 64>> SignSchnorr(std::span<const uint8_t> seckey32, std::span<const uint8_t> msg,
                                                   std::span<const uint8_t> aux32);

/** BIP-340 x-only public key of a secret key; nullopt if the key is invalid. */
std::optional<std::array<uint8_t, 32>> XOnlyFromSecret(std::span<const uint8_t> seckey32);

/** ECDSA: DER signature (low S, RFC 6979 nonce, no hash type byte) of hash; nullopt on a bad key. */
std::optional<std::vector<uint8_t>> SignEcdsa(std::span<const uint8_t> seckey32, const Uint256& hash);

/** The 33-byte compressed or 65-byte uncompressed public key; nullopt on a bad key. */
std::optional<std::vector<uint8_t>> PubKeyFromSecret(std::span<const uint8_t> seckey32, bool compressed);

/**
 * BIP-341: the secret key of the output key Q = P + t*G, where P is the key's point made
 * even (the key is negated if P has odd y) and t = TapTweak(x(P) || merkle_root), the root
 * omitted when null. nullopt on an invalid key or tweak.
 */
std::optional<std::array<uint8_t, 32>> TweakSecretForTaproot(std::span<const uint8_t> seckey32,
                                                             const Uint256* merkle_root);

} // namespace consensus
