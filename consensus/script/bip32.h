// BIP-32 hierarchical deterministic keys: master key from a seed, private (CKDpriv) and
// public (CKDpub) child derivation, and the 78-byte Base58Check serialization with the
// mainnet (xpub/xprv) and testnet (tpub/tprv) version bytes. Pure functions over
// libsecp256k1, any thread; the node's descriptors use it today and the wallet later.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace consensus {

/** Child indexes at or above this are hardened (BIP-32 "i >= 2^31"). */
constexpr uint32_t BIP32_HARDENED = 0x80000000u;

/** The four version bytes of a serialized extended key. */
using Bip32Version = std::array<uint8_t, 4>;
constexpr Bip32Version BIP32_XPUB{0x04, 0x88, 0xB2, 0x1E};
constexpr Bip32Version BIP32_XPRV{0x04, 0x88, 0xAD, 0xE4};
constexpr Bip32Version BIP32_TPUB{0x04, 0x35, 0x87, 0xCF};
constexpr Bip32Version BIP32_TPRV{0x04, 0x35, 0x83, 0x94};

/** An extended public key: depth, parent fingerprint, child number, chain code, compressed key. */
struct ExtPubKey {
    uint8_t depth{0};
    std::array<uint8_t, 4> parent_fingerprint{};
    uint32_t child{0};
    std::array<uint8_t, 32> chain_code{};
    std::array<uint8_t, 33> pubkey{};
    bool operator==(const ExtPubKey&) const = default;
};

/**
 * An extended private key (the secret is in key). The secret and the chain code (which, with
 * the public key and any non-hardened child's secret, gives the secret away) are wiped when
 * the object goes; copies are ordinary copies, each wiped in turn.
 */
struct ExtKey {
    uint8_t depth{0};
    std::array<uint8_t, 4> parent_fingerprint{};
    uint32_t child{0};
    std::array<uint8_t, 32> chain_code{};
    std::array<uint8_t, 32> key{};
    bool operator==(const ExtKey&) const = default;
    ~ExtKey();
};

/** BIP-32 master key: HMAC-SHA512("Bitcoin seed", seed); nullopt if IL is 0 or >= n. */
std::optional<ExtKey> Bip32Master(std::span<const uint8_t> seed);
/** CKDpriv: the child at index (hardened if >= BIP32_HARDENED); nullopt for the rare invalid child. */
std::optional<ExtKey> Bip32Derive(const ExtKey& parent, uint32_t index);
/**
 * CKDpriv along steps from key: what Bip32Derive step by step gives (the last step's parent
 * fingerprint included), computing a public key only where a step needs one, so the hardened
 * steps of a wallet's path (m/84h/1h/0h/...) cost no elliptic-curve multiplication.
 */
std::optional<ExtKey> Bip32DerivePath(const ExtKey& key, std::span<const uint32_t> steps);
/** CKDpub: the non-hardened child at index; nullopt for a hardened index or an invalid child. */
std::optional<ExtPubKey> Bip32Derive(const ExtPubKey& parent, uint32_t index);
/** N(): the extended public key of an extended private key. */
ExtPubKey Bip32Neuter(const ExtKey& key);
/** The identifier's first 4 bytes (HASH160 of the compressed public key): a key's fingerprint. */
std::array<uint8_t, 4> Bip32Fingerprint(std::span<const uint8_t, 33> pubkey);

/** Base58Check of version || depth || fingerprint || child || chain code || key (78 bytes). */
std::string EncodeExtPubKey(const ExtPubKey& key, const Bip32Version& version);
std::string EncodeExtKey(const ExtKey& key, const Bip32Version& version);

/** A decoded extended key of either kind, with its version. */
struct DecodedExtKey {
    Bip32Version version{};
    bool is_private{false};
    ExtPubKey pub; // set for public keys, and the neutered key for private ones
    ExtKey priv;   // set for private keys
};

/**
 * Parses a serialized extended key whose version is one of versions (public or private
 * as the version says). nullopt (error set) on a bad checksum or length, an unknown
 * version, a key that does not match its version, a public key not on the curve, a
 * private key outside 1..n-1, or depth 0 with a parent fingerprint or child number.
 */
std::optional<DecodedExtKey> DecodeExtKey(std::string_view str, std::span<const Bip32Version> pub_versions,
                                          std::span<const Bip32Version> priv_versions, std::string& error);

} // namespace consensus
