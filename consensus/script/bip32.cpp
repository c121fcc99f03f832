// BIP-32 derivation and serialization (see bip32.h), over libsecp256k1.
#include "consensus/script/bip32.h"

#include "consensus/encoding/base58.h"
#include "consensus/hash.h"
#include "consensus/script/key.h"
#include "consensus/script/pubkey.h"

#include <secp256k1.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace consensus {

namespace {

constexpr size_t EXTKEY_SIZE = 78;

void WriteBE32(uint8_t* out, uint32_t v)
{
    out[0] = static_cast<uint8_t>(v >> 24);
    out[1] = static_cast<uint8_t>(v >> 16);
    out[2] = static_cast<uint8_t>(v >> 8);
    out[3] = static_cast<uint8_t>(v);
}

uint32_t ReadBE32(const uint8_t* in)
{
    return (uint32_t{in[0]} << 24) | (uint32_t{in[1]} << 16) | (uint32_t{in[2]} << 8) | uint32_t{in[3]};
}

/** serP(point(k)). */
std::optional<std::array<uint8_t, 33>> PubOf(const std::array<uint8_t, 32>& key)
{
    secp256k1_pubkey pk;
    if (!secp256k1_ec_pubkey_create(SecpSignContext(), &pk, key.data())) return std::nullopt;
    std::array<uint8_t, 33> out;
    size_t len = out.size();
    secp256k1_ec_pubkey_serialize(SecpVerifyContext(), out.data(), &len, &pk, SECP256K1_EC_COMPRESSED);
    return out;
}

/** version || depth || fingerprint || child || chain code, the common 45-byte prefix. */
std::vector<uint8_t> SerializePrefix(const Bip32Version& version, uint8_t depth, const std::array<uint8_t, 4>& fp,
                                     uint32_t child, const std::array<uint8_t, 32>& chain_code)
{
    std::vector<uint8_t> out(version.begin(), version.end());
    out.push_back(depth);
    out.insert(out.end(), fp.begin(), fp.end());
    out.resize(out.size() + 4);
    WriteBE32(out.data() + 9, child);
    out.insert(out.end(), chain_code.begin(), chain_code.end());
    return out;
}

/** Wipes a local buffer of secret bytes on every way out of its scope. */
struct WipeOnExit {
    void* p;
    size_t n;
    ~WipeOnExit() { WipeSecret(p, n); }
};

} // namespace

ExtKey::~ExtKey()
{
    WipeSecret(key.data(), key.size());
    WipeSecret(chain_code.data(), chain_code.size());
}

std::optional<ExtKey> Bip32Master(std::span<const uint8_t> seed)
{
    static constexpr std::string_view KEY = "Bitcoin seed";
    uint8_t out[64];
    const WipeOnExit wipe_out{out, sizeof(out)};
    HmacSha512(std::span(reinterpret_cast<const uint8_t*>(KEY.data()), KEY.size()), seed, out);
    ExtKey key;
    std::copy(out, out + 32, key.key.begin());
    std::copy(out + 32, out + 64, key.chain_code.begin());
    if (!secp256k1_ec_seckey_verify(SecpSignContext(), key.key.data())) return std::nullopt;
    return key;
}

namespace {

/**
 * CKDpriv (BIP-32). The parent's public key (an elliptic-curve multiplication) is needed for a
 * non-hardened step and for the child's parent fingerprint; without `fingerprint` a hardened
 * step leaves the fingerprint zero and needs no multiplication.
 */
std::optional<ExtKey> DeriveStep(const ExtKey& parent, uint32_t index, bool fingerprint)
{
    if (parent.depth == 255) return std::nullopt; // the depth byte cannot go further (Core refuses too)
    // An invalid parent key (0, or not below n) fails here, or in the tweak below when no public
    // key is computed (secp256k1_ec_seckey_tweak_add refuses an invalid key).
    std::optional<std::array<uint8_t, 33>> parent_pub;
    if (index < BIP32_HARDENED || fingerprint) {
        parent_pub = PubOf(parent.key);
        if (!parent_pub) return std::nullopt;
    }
    uint8_t data[37];
    const WipeOnExit wipe_data{data, sizeof(data)};
    if (index >= BIP32_HARDENED) {
        data[0] = 0; // 0x00 || ser256(k_par) || ser32(i)
        std::copy(parent.key.begin(), parent.key.end(), data + 1);
    } else {
        std::copy(parent_pub->begin(), parent_pub->end(), data); // serP(point(k_par)) || ser32(i)
    }
    WriteBE32(data + 33, index);
    uint8_t out[64];
    const WipeOnExit wipe_out{out, sizeof(out)};
    HmacSha512(parent.chain_code, data, out);
    ExtKey child;
    child.depth = static_cast<uint8_t>(parent.depth + 1);
    if (parent_pub) child.parent_fingerprint = Bip32Fingerprint(*parent_pub);
    child.child = index;
    std::copy(out + 32, out + 64, child.chain_code.begin());
    child.key = parent.key;
    // k_i = parse256(IL) + k_par (mod n); invalid if IL >= n or the sum is 0.
    if (secp256k1_ec_seckey_tweak_add(SecpSignContext(), child.key.data(), out) != 1) return std::nullopt;
    return child;
}

} // namespace

std::optional<ExtKey> Bip32Derive(const ExtKey& parent, uint32_t index)
{
    return DeriveStep(parent, index, /*fingerprint=*/true);
}

std::optional<ExtKey> Bip32DerivePath(const ExtKey& key, std::span<const uint32_t> steps)
{
    std::optional<ExtKey> cur = key;
    for (size_t i = 0; i < steps.size() && cur; ++i) {
        // Only the last step's fingerprint is kept: the ones before are overwritten.
        cur = DeriveStep(*cur, steps[i], /*fingerprint=*/i + 1 == steps.size());
    }
    return cur;
}

std::optional<ExtPubKey> Bip32Derive(const ExtPubKey& parent, uint32_t index)
{
    if (index >= BIP32_HARDENED) return std::nullopt;
    secp256k1_pubkey pk;
    if (!secp256k1_ec_pubkey_parse(SecpVerifyContext(), &pk, parent.pubkey.data(), parent.pubkey.size())) {
        return std::nullopt;
    }
    uint8_t data[37];
    std::copy(parent.pubkey.begin(), parent.pubkey.end(), data);
    WriteBE32(data + 33, index);
    uint8_t out[64];
    HmacSha512(parent.chain_code, data, out);
    // K_i = point(parse256(IL)) + K_par; invalid if IL >= n or K_i is the point at infinity.
    if (!secp256k1_ec_pubkey_tweak_add(SecpVerifyContext(), &pk, out)) return std::nullopt;
    ExtPubKey child;
    if (parent.depth == 255) return std::nullopt; // the depth byte cannot go further (Core refuses too)
    child.depth = static_cast<uint8_t>(parent.depth + 1);
    child.parent_fingerprint = Bip32Fingerprint(parent.pubkey);
    child.child = index;
    std::copy(out + 32, out + 64, child.chain_code.begin());
    size_t len = child.pubkey.size();
    secp256k1_ec_pubkey_serialize(SecpVerifyContext(), child.pubkey.data(), &len, &pk, SECP256K1_EC_COMPRESSED);
    return child;
}

ExtPubKey Bip32Neuter(const ExtKey& key)
{
    ExtPubKey pub;
    pub.depth = key.depth;
    pub.parent_fingerprint = key.parent_fingerprint;
    pub.child = key.child;
    pub.chain_code = key.chain_code;
    if (const auto p = PubOf(key.key)) pub.pubkey = *p;
    return pub;
}

std::array<uint8_t, 4> Bip32Fingerprint(std::span<const uint8_t, 33> pubkey)
{
    const Uint160 id = Hash160(pubkey);
    return {id.data()[0], id.data()[1], id.data()[2], id.data()[3]};
}

std::string EncodeExtPubKey(const ExtPubKey& key, const Bip32Version& version)
{
    auto bytes = SerializePrefix(version, key.depth, key.parent_fingerprint, key.child, key.chain_code);
    bytes.insert(bytes.end(), key.pubkey.begin(), key.pubkey.end());
    return encoding::EncodeBase58Check(bytes);
}

std::string EncodeExtKey(const ExtKey& key, const Bip32Version& version)
{
    auto bytes = SerializePrefix(version, key.depth, key.parent_fingerprint, key.child, key.chain_code);
    bytes.push_back(0);
    bytes.insert(bytes.end(), key.key.begin(), key.key.end());
    std::string out = encoding::EncodeBase58Check(bytes);
    WipeSecret(bytes.data(), bytes.size());
    return out;
}

std::optional<DecodedExtKey> DecodeExtKey(std::string_view str, std::span<const Bip32Version> pub_versions,
                                          std::span<const Bip32Version> priv_versions, std::string& error)
{
    // Base58Check with a 4-byte version prefix and a 74-byte payload.
    auto bytes = encoding::DecodeBase58Check(str, EXTKEY_SIZE);
    // A private key's bytes are wiped on the way out, whatever the verdict.
    const WipeOnExit wipe_bytes{bytes ? bytes->data() : nullptr, bytes ? bytes->size() : 0};
    if (!bytes) {
        error = "invalid Base58Check encoding or checksum";
        return std::nullopt;
    }
    if (bytes->size() != EXTKEY_SIZE) {
        error = "extended key has the wrong length";
        return std::nullopt;
    }
    DecodedExtKey out;
    std::copy(bytes->begin(), bytes->begin() + 4, out.version.begin());
    const bool is_pub = std::find(pub_versions.begin(), pub_versions.end(), out.version) != pub_versions.end();
    const bool is_priv = std::find(priv_versions.begin(), priv_versions.end(), out.version) != priv_versions.end();
    if (!is_pub && !is_priv) {
        error = "unknown extended key version";
        return std::nullopt;
    }
    const uint8_t* p = bytes->data() + 4;
    const uint8_t depth = p[0];
    std::array<uint8_t, 4> fp{p[1], p[2], p[3], p[4]};
    const uint32_t child = ReadBE32(p + 5);
    if (depth == 0 && (child != 0 || fp != std::array<uint8_t, 4>{})) {
        error = "zero depth with a non-zero parent fingerprint or child number";
        return std::nullopt;
    }
    std::array<uint8_t, 32> chain_code;
    const WipeOnExit wipe_chain_code{chain_code.data(), chain_code.size()};
    std::copy(p + 9, p + 41, chain_code.begin());
    const uint8_t* key = p + 41; // 33 bytes
    if (is_priv) {
        if (key[0] != 0) {
            error = "private key data does not start with 0x00";
            return std::nullopt;
        }
        out.is_private = true;
        out.priv = ExtKey{depth, fp, child, chain_code, {}};
        std::copy(key + 1, key + 33, out.priv.key.begin());
        if (!secp256k1_ec_seckey_verify(SecpSignContext(), out.priv.key.data())) {
            error = "private key not in 1..n-1";
            return std::nullopt;
        }
        out.pub = Bip32Neuter(out.priv);
        return out;
    }
    out.pub = ExtPubKey{depth, fp, child, chain_code, {}};
    std::copy(key, key + 33, out.pub.pubkey.begin());
    secp256k1_pubkey pk;
    if ((key[0] != 2 && key[0] != 3) ||
        !secp256k1_ec_pubkey_parse(SecpVerifyContext(), &pk, out.pub.pubkey.data(), out.pub.pubkey.size())) {
        error = "invalid public key";
        return std::nullopt;
    }
    return out;
}

} // namespace consensus
