// KEY expressions of output descriptors (BIP-380), after Core's ParsePubkey and its key
// providers: parsing with Core's error texts, derivation at a position, and printing.
#include "common/descriptor_key.h"

#include "common/key_io.h"
#include "common/solver.h"
#include "consensus/hash.h"
#include "consensus/hex.h"
#include "consensus/script/key.h"
#include "consensus/script/pubkey.h"

#include <secp256k1.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace common {

using Bytes = std::vector<uint8_t>;

namespace {

std::vector<std::string_view> Split(std::string_view s, char sep)
{
    std::vector<std::string_view> out;
    size_t start = 0;
    while (true) {
        const size_t p = s.find(sep, start);
        out.push_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
        if (p == std::string_view::npos) return out;
        start = p + 1;
    }
}

/**
 * Core's ParseKeyPath: each element a uint32 below 2^31, with ' or h for hardened.
 * apostrophe is set by the last hardened element (whether it used ').
 */
bool ParseKeyPath(const std::vector<std::string_view>& elems, size_t first, std::vector<uint32_t>& out,
                  bool& apostrophe, std::string& error)
{
    for (size_t i = first; i < elems.size(); ++i) {
        std::string_view elem = elems[i];
        bool hardened = false;
        if (!elem.empty() && (elem.back() == '\'' || elem.back() == 'h')) {
            apostrophe = elem.back() == '\'';
            elem.remove_suffix(1);
            hardened = true;
        }
        uint64_t value = 0;
        const auto [ptr, ec] = std::from_chars(elem.data(), elem.data() + elem.size(), value);
        if (elem.empty() || ec != std::errc() || ptr != elem.data() + elem.size() || value > 0xFFFFFFFFull ||
            !std::isdigit(static_cast<unsigned char>(elem[0]))) {
            error = "Key path value '" + std::string(elem) + "' is not a valid uint32";
            return false;
        }
        if (value > 0x7FFFFFFFull) {
            error = "Key path value " + std::to_string(value) + " is out of range";
            return false;
        }
        out.push_back(static_cast<uint32_t>(value) | (hardened ? consensus::BIP32_HARDENED : 0));
    }
    return true;
}

consensus::Bip32Version VersionOf(const std::vector<uint8_t>& prefix)
{
    consensus::Bip32Version v{};
    std::copy_n(prefix.begin(), std::min<size_t>(4, prefix.size()), v.begin());
    return v;
}

} // namespace

consensus::Bip32Version ExtPubKeyVersion(const consensus::ChainParams& params)
{
    return VersionOf(params.Base58Prefix(consensus::Base58Type::EXT_PUBLIC_KEY));
}

consensus::Bip32Version ExtKeyVersion(const consensus::ChainParams& params)
{
    return VersionOf(params.Base58Prefix(consensus::Base58Type::EXT_SECRET_KEY));
}

std::string FormatKeyPath(const std::vector<uint32_t>& path, bool apostrophe)
{
    std::string out;
    for (uint32_t step : path) {
        out += "/" + std::to_string(step & ~consensus::BIP32_HARDENED);
        if (step & consensus::BIP32_HARDENED) out += apostrophe ? "'" : "h";
    }
    return out;
}

std::optional<DescriptorKey> DescriptorKey::Parse(std::string_view str, KeyContext ctx,
                                                  const consensus::ChainParams& params, std::string& error)
{
    DescriptorKey key;
    key.m_params = &params;
    // [fingerprint/path] origin (Core's ParsePubkey).
    const auto origin_split = Split(str, ']');
    if (origin_split.size() > 2) {
        error = "Multiple ']' characters found for a single pubkey";
        return std::nullopt;
    }
    if (origin_split.size() == 2) {
        const std::string_view origin = origin_split[0];
        if (origin.empty() || origin[0] != '[') {
            error = std::string("Key origin start '[ character expected but not found, got '") +
                    (origin.empty() ? ']' : origin[0]) + "' instead";
            return std::nullopt;
        }
        const auto slash_split = Split(origin.substr(1), '/');
        if (slash_split[0].size() != 8) {
            error = "Fingerprint is not 4 bytes (" + std::to_string(slash_split[0].size()) +
                    " characters instead of 8 characters)";
            return std::nullopt;
        }
        const auto fp = consensus::TryParseHex(slash_split[0]);
        if (!fp || fp->size() != 4) {
            error = "Fingerprint '" + std::string(slash_split[0]) + "' is not hex";
            return std::nullopt;
        }
        KeyOrigin o;
        std::copy(fp->begin(), fp->end(), o.fingerprint.begin());
        if (!ParseKeyPath(slash_split, 1, o.path, key.m_origin_apostrophe, error)) return std::nullopt;
        key.m_origin = std::move(o);
        str = origin_split[1];
    }
    const bool permit_uncompressed = ctx == KeyContext::TOP;
    const bool in_tr = ctx == KeyContext::TAPROOT;

    auto split = Split(str, '/');
    const std::string_view base = split[0];
    if (split.size() == 1) {
        if (auto data = consensus::TryParseHex(base); data && !data->empty()) {
            const bool sized = IsValidPubKeySize(*data);
            secp256k1_pubkey parsed;
            const bool full =
                sized && secp256k1_ec_pubkey_parse(consensus::SecpVerifyContext(), &parsed, data->data(), data->size());
            if (sized && (*data)[0] != 2 && (*data)[0] != 3 && (*data)[0] != 4) {
                error = "Hybrid public keys are not allowed";
                return std::nullopt;
            }
            if (full) {
                if (!permit_uncompressed && data->size() != 33) {
                    error = "Uncompressed keys are not allowed";
                    return std::nullopt;
                }
                key.m_const = std::move(*data);
                return key;
            }
            if (data->size() == 32 && in_tr && consensus::IsValidXOnly(*data)) {
                // BIP-386: an x-only key; its point is the one with even y.
                key.m_const = Bytes{0x02};
                key.m_const.insert(key.m_const.end(), data->begin(), data->end());
                key.m_xonly = true;
                return key;
            }
            error = "Pubkey '" + std::string(base) + "' is invalid";
            return std::nullopt;
        }
        if (auto wif = DecodeSecret(base, params)) {
            if (!permit_uncompressed && !wif->compressed) {
                error = "Uncompressed keys are not allowed";
                return std::nullopt;
            }
            auto pub = consensus::PubKeyFromSecret(wif->bytes, wif->compressed);
            if (!pub) {
                error = "key '" + std::string(base) + "' is not valid";
                return std::nullopt;
            }
            key.m_const = std::move(*pub);
            key.m_xonly = in_tr; // Core prints a WIF key's public form x-only inside tr()
            key.m_const_secret = std::move(*wif);
            return key;
        }
    }
    // An extended key of this network, then its derivation steps and range.
    const std::array<consensus::Bip32Version, 1> pub_versions{ExtPubKeyVersion(params)};
    const std::array<consensus::Bip32Version, 1> priv_versions{ExtKeyVersion(params)};
    std::string decode_error;
    const auto ext = consensus::DecodeExtKey(base, pub_versions, priv_versions, decode_error);
    if (!ext) {
        error = "key '" + std::string(base) + "' is not valid";
        return std::nullopt;
    }
    if (ext->is_private) key.m_xprv = ext->priv;
    key.m_xpub = ext->pub;
    if (split.back() == "*") {
        key.m_range = Range::UNHARDENED;
        split.pop_back();
    } else if (split.back() == "*'" || split.back() == "*h") {
        key.m_range = Range::HARDENED;
        key.m_apostrophe = split.back() == "*'";
        split.pop_back();
    }
    if (!ParseKeyPath(split, 1, key.m_path, key.m_apostrophe, error)) return std::nullopt;
    return key;
}

std::vector<uint32_t> DescriptorKey::StepsAt(uint32_t pos) const
{
    std::vector<uint32_t> steps = m_path;
    if (m_range == Range::UNHARDENED) steps.push_back(pos & ~consensus::BIP32_HARDENED);
    if (m_range == Range::HARDENED) steps.push_back(pos | consensus::BIP32_HARDENED);
    return steps;
}

std::optional<consensus::ExtKey> DescriptorKey::RootPrivate(const SigningProvider& keys) const
{
    if (m_xprv) return m_xprv;
    if (!m_xpub) return std::nullopt;
    // Core's GetExtKey: the secret of the xpub's key, found by its id, with the xpub's chain code.
    auto secret = keys.GetKey(consensus::Hash160(m_xpub->pubkey));
    if (!secret) return std::nullopt;
    consensus::ExtKey k;
    k.depth = m_xpub->depth;
    k.parent_fingerprint = m_xpub->parent_fingerprint;
    k.child = m_xpub->child;
    k.chain_code = m_xpub->chain_code;
    k.key = secret->bytes;
    if (consensus::Bip32Neuter(k).pubkey != m_xpub->pubkey) return std::nullopt;
    return k;
}

std::optional<DerivedKey> DescriptorKey::Derive(uint32_t pos, const SigningProvider& keys, std::string& error) const
{
    DerivedKey out;
    if (!m_xpub) {
        out.pubkey = m_const;
        const consensus::Uint160 id = consensus::Hash160(m_const);
        std::copy_n(id.begin(), 4, out.origin.fingerprint.begin());
    } else {
        const std::vector<uint32_t> steps = StepsAt(pos);
        const bool hardened =
            std::any_of(steps.begin(), steps.end(), [](uint32_t s) { return (s & consensus::BIP32_HARDENED) != 0; });
        // Hardened steps need the private key; without them the public walk is enough.
        std::optional<consensus::ExtKey> priv = hardened ? RootPrivate(keys) : std::nullopt;
        if (hardened && !priv) {
            error = "Cannot derive script without private keys";
            return std::nullopt;
        }
        if (priv) {
            priv = consensus::Bip32DerivePath(*priv, steps);
            if (priv) {
                const auto pub = consensus::Bip32Neuter(*priv).pubkey;
                out.pubkey.assign(pub.begin(), pub.end());
            }
        } else {
            std::optional<consensus::ExtPubKey> pub = m_xpub;
            for (uint32_t s : steps) {
                pub = consensus::Bip32Derive(*pub, s);
                if (!pub) break;
            }
            if (pub) out.pubkey.assign(pub->pubkey.begin(), pub->pubkey.end());
        }
        if (out.pubkey.empty()) {
            error = "Cannot derive script: invalid child key";
            return std::nullopt;
        }
        out.origin.fingerprint = consensus::Bip32Fingerprint(m_xpub->pubkey);
        out.origin.path = steps;
    }
    if (m_origin) {
        out.origin.fingerprint = m_origin->fingerprint;
        out.origin.path.insert(out.origin.path.begin(), m_origin->path.begin(), m_origin->path.end());
    }
    return out;
}

std::optional<SecretKey> DescriptorKey::DerivePrivate(uint32_t pos, const SigningProvider& keys) const
{
    if (!m_xpub) {
        if (m_const_secret) return m_const_secret;
        return keys.GetKey(consensus::Hash160(m_const));
    }
    auto priv = RootPrivate(keys);
    if (!priv) return std::nullopt;
    priv = consensus::Bip32DerivePath(*priv, StepsAt(pos));
    if (!priv) return std::nullopt;
    SecretKey out;
    out.bytes = priv->key;
    out.compressed = true;
    return out;
}

bool DescriptorKey::ToString(bool priv, const SigningProvider& keys, std::string& out) const
{
    out.clear();
    if (m_origin) {
        out = "[" + consensus::HexStr(m_origin->fingerprint) + FormatKeyPath(m_origin->path, m_origin_apostrophe) + "]";
    }
    bool have_private = true;
    if (!m_xpub) {
        std::optional<SecretKey> secret;
        if (priv) secret = m_const_secret ? m_const_secret : keys.GetKey(consensus::Hash160(m_const));
        if (secret) {
            out += EncodeSecret(*secret, *m_params);
        } else {
            have_private = !priv;
            out += m_xonly ? consensus::HexStr(std::span(m_const).subspan(1)) : consensus::HexStr(m_const);
        }
        return have_private;
    }
    std::optional<consensus::ExtKey> root = priv ? RootPrivate(keys) : std::nullopt;
    if (root) {
        out += consensus::EncodeExtKey(*root, VersionOf(m_params->Base58Prefix(consensus::Base58Type::EXT_SECRET_KEY)));
    } else {
        have_private = !priv;
        out += consensus::EncodeExtPubKey(*m_xpub,
                                          VersionOf(m_params->Base58Prefix(consensus::Base58Type::EXT_PUBLIC_KEY)));
    }
    out += FormatKeyPath(m_path, m_apostrophe);
    if (m_range == Range::UNHARDENED) out += "/*";
    if (m_range == Range::HARDENED) out += m_apostrophe ? "/*'" : "/*h";
    return have_private;
}

bool DescriptorKey::ToNormalizedString(std::string& out) const
{
    const FlatSigningProvider none;
    // Core's BIP32PubkeyProvider::ToNormalizedString: the key at the last hardened step of the
    // path, as an xpub, with the steps up to it moved into the origin.
    size_t hardened_end = 0;
    for (size_t i = 0; i < m_path.size(); ++i) {
        if (m_path[i] & consensus::BIP32_HARDENED) hardened_end = i + 1;
    }
    const auto root = m_xpub && m_range != Range::HARDENED && hardened_end > 0 ? RootPrivate(none) : std::nullopt;
    if (!root) return ToString(false, none, out);
    std::optional<consensus::ExtKey> key = *root;
    for (size_t i = 0; i < hardened_end && key; ++i) key = consensus::Bip32Derive(*key, m_path[i]);
    if (!key) return ToString(false, none, out);
    std::vector<uint32_t> origin_path;
    std::array<uint8_t, 4> fingerprint{};
    if (m_origin) {
        fingerprint = m_origin->fingerprint;
        origin_path = m_origin->path;
    } else {
        fingerprint = consensus::Bip32Fingerprint(consensus::Bip32Neuter(*root).pubkey);
    }
    origin_path.insert(origin_path.end(), m_path.begin(), m_path.begin() + static_cast<std::ptrdiff_t>(hardened_end));
    out = "[" + consensus::HexStr(fingerprint) + FormatKeyPath(origin_path, m_apostrophe) + "]";
    out += consensus::EncodeExtPubKey(consensus::Bip32Neuter(*key),
                                      VersionOf(m_params->Base58Prefix(consensus::Base58Type::EXT_PUBLIC_KEY)));
    key->key.fill(0);
    out += FormatKeyPath(
        std::vector<uint32_t>(m_path.begin() + static_cast<std::ptrdiff_t>(hardened_end), m_path.end()), m_apostrophe);
    if (m_range == Range::UNHARDENED) out += "/*";
    return true;
}

} // namespace common
