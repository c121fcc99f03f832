#include "consensus/script/pubkey.h"

#include "consensus/hash.h"

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include <cstring>

namespace consensus {

const secp256k1_context* SecpVerifyContext()
{
    // Created once; verification never mutates the context, so sharing it across threads is safe.
    static const secp256k1_context* const ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    return ctx;
}

bool IsPlausiblePubKey(std::span<const uint8_t> pubkey)
{
    if (pubkey.empty()) return false;
    const uint8_t h = pubkey[0];
    if (h == 2 || h == 3) return pubkey.size() == 33;
    if (h == 4 || h == 6 || h == 7) return pubkey.size() == 65;
    return false;
}

/**
 * Parses a DER-like ECDSA signature as leniently as OpenSSL once did, which consensus
 * must still accept for pre-BIP-66 signatures: lengths are taken at face value, R and S
 * may carry extra leading zeros, and the sequence length is ignored. An R or S above 32
 * bytes yields a parsed but unverifiable (all-zero) signature; malformed framing fails.
 */
static bool ParseDerLax(std::span<const uint8_t> in, secp256k1_ecdsa_signature& sig)
{
    const secp256k1_context* ctx = SecpVerifyContext();
    uint8_t compact[64] = {0};
    secp256k1_ecdsa_signature_parse_compact(ctx, &sig, compact);

    size_t pos = 0;
    const size_t len = in.size();
    auto read_len = [&](size_t& out) -> bool {
        if (pos == len) return false;
        size_t lenbyte = in[pos++];
        if (lenbyte & 0x80) {
            lenbyte -= 0x80;
            if (lenbyte > len - pos) return false;
            while (lenbyte > 0 && in[pos] == 0) {
                pos++;
                lenbyte--;
            }
            if (lenbyte >= 4) return false;
            out = 0;
            while (lenbyte > 0) {
                out = (out << 8) + in[pos++];
                lenbyte--;
            }
        } else {
            out = lenbyte;
        }
        return true;
    };

    if (pos == len || in[pos] != 0x30) return false;
    pos++;
    if (pos == len) return false;
    size_t seqlen = in[pos++];
    if (seqlen & 0x80) {
        seqlen -= 0x80;
        if (seqlen > len - pos) return false;
        pos += seqlen;
    }
    if (pos == len || in[pos] != 0x02) return false;
    pos++;
    size_t rlen;
    if (!read_len(rlen) || rlen > len - pos) return false;
    size_t rpos = pos;
    pos += rlen;
    if (pos == len || in[pos] != 0x02) return false;
    pos++;
    size_t slen;
    if (!read_len(slen) || slen > len - pos) return false;
    size_t spos = pos;

    bool overflow = false;
    while (rlen > 0 && in[rpos] == 0) {
        rlen--;
        rpos++;
    }
    if (rlen > 32)
        overflow = true;
    else if (rlen)
        std::memcpy(compact + 32 - rlen, in.data() + rpos, rlen);
    while (slen > 0 && in[spos] == 0) {
        slen--;
        spos++;
    }
    if (slen > 32)
        overflow = true;
    else if (slen)
        std::memcpy(compact + 64 - slen, in.data() + spos, slen);

    if (!overflow) overflow = !secp256k1_ecdsa_signature_parse_compact(ctx, &sig, compact);
    if (overflow) {
        std::memset(compact, 0, sizeof(compact));
        secp256k1_ecdsa_signature_parse_compact(ctx, &sig, compact);
    }
    return true;
}

bool IsFullyValidPubKey(std::span<const uint8_t> pubkey)
{
    if (!IsPlausiblePubKey(pubkey)) return false;
    secp256k1_pubkey pk;
    return secp256k1_ec_pubkey_parse(SecpVerifyContext(), &pk, pubkey.data(), pubkey.size()) == 1;
}

bool VerifyEcdsa(std::span<const uint8_t> pubkey, std::span<const uint8_t> sig_der, const Uint256& hash)
{
    if (!IsPlausiblePubKey(pubkey)) return false;
    const secp256k1_context* ctx = SecpVerifyContext();
    secp256k1_pubkey pk;
    if (!secp256k1_ec_pubkey_parse(ctx, &pk, pubkey.data(), pubkey.size())) return false;
    secp256k1_ecdsa_signature sig;
    if (!ParseDerLax(sig_der, sig)) return false;
    // libsecp256k1 only accepts low-S; consensus accepts both, so normalize first.
    secp256k1_ecdsa_signature_normalize(ctx, &sig, &sig);
    return secp256k1_ecdsa_verify(ctx, &sig, hash.data(), &pk) == 1;
}

bool IsLowDERSignature(std::span<const uint8_t> sig_der)
{
    secp256k1_ecdsa_signature sig;
    if (!ParseDerLax(sig_der, sig)) return false;
    return !secp256k1_ecdsa_signature_normalize(SecpVerifyContext(), nullptr, &sig);
}

bool VerifySchnorr(std::span<const uint8_t> xonly_pubkey, std::span<const uint8_t> sig64, std::span<const uint8_t> msg)
{
    if (xonly_pubkey.size() != 32 || sig64.size() != 64) return false;
    const secp256k1_context* ctx = SecpVerifyContext();
    secp256k1_xonly_pubkey pk;
    if (!secp256k1_xonly_pubkey_parse(ctx, &pk, xonly_pubkey.data())) return false;
    return secp256k1_schnorrsig_verify(ctx, sig64.data(), msg.data(), msg.size(), &pk) == 1;
}

bool IsValidXOnly(std::span<const uint8_t> xonly_pubkey)
{
    if (xonly_pubkey.size() != 32) return false;
    secp256k1_xonly_pubkey pk;
    return secp256k1_xonly_pubkey_parse(SecpVerifyContext(), &pk, xonly_pubkey.data()) == 1;
}

Uint256 ComputeTapTweakHash(std::span<const uint8_t> internal_xonly, const Uint256* merkle_root)
{
    static const HashWriter HASHER_TAPTWEAK = TaggedHash("TapTweak");
    HashWriter hw = HASHER_TAPTWEAK;
    hw.Write(internal_xonly);
    if (merkle_root) hw.Write(merkle_root->Span());
    return hw.GetSha256();
}

std::optional<std::pair<std::array<uint8_t, 32>, bool>> TweakXOnly(std::span<const uint8_t> internal_xonly,
                                                                   const Uint256* merkle_root)
{
    if (internal_xonly.size() != 32) return std::nullopt;
    const secp256k1_context* ctx = SecpVerifyContext();
    secp256k1_xonly_pubkey internal;
    if (!secp256k1_xonly_pubkey_parse(ctx, &internal, internal_xonly.data())) return std::nullopt;
    const Uint256 tweak = ComputeTapTweakHash(internal_xonly, merkle_root);
    secp256k1_pubkey out;
    if (!secp256k1_xonly_pubkey_tweak_add(ctx, &out, &internal, tweak.data())) return std::nullopt;
    secp256k1_xonly_pubkey out_x;
    int parity = 0;
    if (!secp256k1_xonly_pubkey_from_pubkey(ctx, &out_x, &parity, &out)) return std::nullopt;
    std::array<uint8_t, 32> bytes;
    secp256k1_xonly_pubkey_serialize(ctx, bytes.data(), &out_x);
    return std::make_pair(bytes, parity != 0);
}

bool CheckTapTweak(std::span<const uint8_t> output_xonly, std::span<const uint8_t> internal_xonly,
                   const Uint256& merkle_root, bool parity)
{
    if (output_xonly.size() != 32 || internal_xonly.size() != 32) return false;
    const secp256k1_context* ctx = SecpVerifyContext();
    secp256k1_xonly_pubkey internal;
    if (!secp256k1_xonly_pubkey_parse(ctx, &internal, internal_xonly.data())) return false;
    const Uint256 tweak = ComputeTapTweakHash(internal_xonly, &merkle_root);
    return secp256k1_xonly_pubkey_tweak_add_check(ctx, output_xonly.data(), parity ? 1 : 0, &internal, tweak.data()) ==
           1;
}

} // namespace consensus
