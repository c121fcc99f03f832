#include "consensus/script/key.h"

#include "consensus/script/pubkey.h"

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <cstring>
#include <random>

namespace consensus {

namespace {

/** Wipes a keypair or secret on scope exit. */
template <typename T>
struct Cleanse {
    T& obj;
    ~Cleanse() { WipeSecret(static_cast<void*>(&obj), sizeof(obj)); }
};

bool MakeKeypair(std::span<const uint8_t> seckey32, secp256k1_keypair& keypair)
{
    if (seckey32.size() != 32) return false;
    return secp256k1_keypair_create(SecpSignContext(), &keypair, seckey32.data()) == 1;
}

} // namespace

void WipeSecret(void* p, size_t n) noexcept
{
    if (n > 0) ::explicit_bzero(p, n);
}

const secp256k1_context_struct* SecpSignContext()
{
    // C++ guarantees thread-safe initialization of function-local statics.
    static secp256k1_context* const ctx = [] {
        secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
        std::random_device rd;
        std::array<uint8_t, 32> seed;
        for (auto& b : seed) b = static_cast<uint8_t>(rd());
        // Randomization is side-channel blinding only; signatures do not depend on it.
        const int randomized = secp256k1_context_randomize(c, seed.data());
        (void)randomized;
        return c;
    }();
    return ctx;
}

std::optional<std::array<uint8_t, 64>> SignSchnorr(std::span<const uint8_t> seckey32, std::span<const uint8_t> msg,
                                                   std::span<const uint8_t> aux32)
{
    if (aux32.size() != 32) return std::nullopt;
    secp256k1_keypair keypair;
    Cleanse<secp256k1_keypair> wipe{keypair};
    if (!MakeKeypair(seckey32, keypair)) return std::nullopt;
    secp256k1_schnorrsig_extraparams params = SECP256K1_SCHNORRSIG_EXTRAPARAMS_INIT;
    params.ndata = const_cast<uint8_t*>(aux32.data());
    std::array<uint8_t, 64> sig;
    if (!secp256k1_schnorrsig_sign_custom(SecpSignContext(), sig.data(), msg.data(), msg.size(), &keypair, &params)) {
        return std::nullopt;
    }
    return sig;
}

std::optional<std::array<uint8_t, 32>> XOnlyFromSecret(std::span<const uint8_t> seckey32)
{
    secp256k1_keypair keypair;
    Cleanse<secp256k1_keypair> wipe{keypair};
    if (!MakeKeypair(seckey32, keypair)) return std::nullopt;
    secp256k1_xonly_pubkey xonly;
    if (!secp256k1_keypair_xonly_pub(SecpSignContext(), &xonly, nullptr, &keypair)) return std::nullopt;
    std::array<uint8_t, 32> out;
    secp256k1_xonly_pubkey_serialize(SecpSignContext(), out.data(), &xonly);
    return out;
}

std::optional<std::vector<uint8_t>> SignEcdsa(std::span<const uint8_t> seckey32, const Uint256& hash)
{
    if (seckey32.size() != 32) return std::nullopt;
    secp256k1_ecdsa_signature sig;
    // The default nonce function is RFC 6979; libsecp256k1 always produces low-S signatures.
    if (!secp256k1_ecdsa_sign(SecpSignContext(), &sig, hash.data(), seckey32.data(), secp256k1_nonce_function_rfc6979,
                              nullptr)) {
        return std::nullopt;
    }
    std::vector<uint8_t> der(72);
    size_t len = der.size();
    if (!secp256k1_ecdsa_signature_serialize_der(SecpSignContext(), der.data(), &len, &sig)) return std::nullopt;
    der.resize(len);
    return der;
}

std::optional<std::vector<uint8_t>> PubKeyFromSecret(std::span<const uint8_t> seckey32, bool compressed)
{
    if (seckey32.size() != 32) return std::nullopt;
    secp256k1_pubkey pubkey;
    if (!secp256k1_ec_pubkey_create(SecpSignContext(), &pubkey, seckey32.data())) return std::nullopt;
    std::vector<uint8_t> out(compressed ? 33 : 65);
    size_t len = out.size();
    secp256k1_ec_pubkey_serialize(SecpSignContext(), out.data(), &len, &pubkey,
                                  compressed ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED);
    out.resize(len);
    return out;
}

std::optional<std::array<uint8_t, 32>> TweakSecretForTaproot(std::span<const uint8_t> seckey32,
                                                             const Uint256* merkle_root)
{
    secp256k1_keypair keypair;
    Cleanse<secp256k1_keypair> wipe{keypair};
    if (!MakeKeypair(seckey32, keypair)) return std::nullopt;
    secp256k1_xonly_pubkey xonly;
    if (!secp256k1_keypair_xonly_pub(SecpSignContext(), &xonly, nullptr, &keypair)) return std::nullopt;
    std::array<uint8_t, 32> internal;
    secp256k1_xonly_pubkey_serialize(SecpSignContext(), internal.data(), &xonly);
    const Uint256 tweak = ComputeTapTweakHash(internal, merkle_root);
    // keypair_xonly_tweak_add negates the secret first when P has odd y, as BIP-341 requires.
    if (!secp256k1_keypair_xonly_tweak_add(SecpSignContext(), &keypair, tweak.data())) return std::nullopt;
    std::array<uint8_t, 32> out;
    if (!secp256k1_keypair_sec(SecpSignContext(), out.data(), &keypair)) return std::nullopt;
    return out;
}

} // namespace consensus
