// Descriptor parsing and expansion after Core's script/descriptor.cpp (key expressions of
// BIP-380, the script functions of BIP-381/382/386 that need no wallet).
#include "common/descriptor.h"

#include "consensus/encoding/base58.h"
#include "consensus/hash.h"
#include "consensus/hex.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/key.h"
#include "consensus/script/pubkey.h"
#include "common/descriptor_util.h"
#include "common/key_io.h"

#include <secp256k1.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace common {

using consensus::Script;
using Bytes = std::vector<uint8_t>;

namespace {

/** If expr is name(...), sets inner to the part between the parentheses. */
bool Func(std::string_view name, std::string_view expr, std::string_view& inner)
{
    if (expr.size() >= name.size() + 2 && expr.substr(0, name.size()) == name && expr[name.size()] == '(' &&
        expr.back() == ')') {
        inner = expr.substr(name.size() + 1, expr.size() - name.size() - 2);
        return true;
    }
    return false;
}

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

/** Core's ParseKeyPath: each element a uint32 below 2^31, with ' or h for hardened. */
bool ParseKeyPath(const std::vector<std::string_view>& elems, size_t first, std::vector<uint32_t>& out,
                  std::string& error)
{
    for (size_t i = first; i < elems.size(); ++i) {
        std::string_view elem = elems[i];
        bool hardened = false;
        if (!elem.empty() && (elem.back() == '\'' || elem.back() == 'h')) {
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

std::string FormatPath(const std::vector<uint32_t>& path)
{
    std::string out;
    for (uint32_t step : path) {
        out += "/" + std::to_string(step & ~consensus::BIP32_HARDENED);
        if (step & consensus::BIP32_HARDENED) out += "h";
    }
    return out;
}

consensus::Bip32Version VersionOf(const std::vector<uint8_t>& prefix)
{
    consensus::Bip32Version v{};
    std::copy_n(prefix.begin(), std::min<size_t>(4, prefix.size()), v.begin());
    return v;
}

Script P2pkh(const Bytes& key)
{
    const consensus::Uint160 h = consensus::Hash160(key);
    Script s;
    s << consensus::OP_DUP << consensus::OP_HASH160 << Bytes(h.begin(), h.end()) << consensus::OP_EQUALVERIFY
      << consensus::OP_CHECKSIG;
    return s;
}

Script P2wpkh(const Bytes& key)
{
    const consensus::Uint160 h = consensus::Hash160(key);
    Script s;
    s << consensus::OP_0 << Bytes(h.begin(), h.end());
    return s;
}

} // namespace

// ---------------------------------------------------------------- DescriptorKey

std::optional<DescriptorKey> DescriptorKey::Parse(std::string_view str, bool permit_uncompressed, bool in_tr,
                                                  const consensus::ChainParams& params, std::string& error)
{
    DescriptorKey key;
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
        if (!ParseKeyPath(slash_split, 1, o.path, error)) return std::nullopt;
        key.m_origin = std::move(o);
        str = origin_split[1];
    }
    if (in_tr) permit_uncompressed = false;

    auto split = Split(str, '/');
    const std::string_view base = split[0];
    if (split.size() == 1) {
        if (auto data = consensus::TryParseHex(base); data && !data->empty()) {
            secp256k1_pubkey parsed;
            const bool full =
                IsValidPubKeySize(*data) &&
                secp256k1_ec_pubkey_parse(consensus::SecpVerifyContext(), &parsed, data->data(), data->size());
            if (IsValidPubKeySize(*data) && (*data)[0] != 2 && (*data)[0] != 3 && (*data)[0] != 4) {
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
                return key;
            }
            error = "Pubkey '" + std::string(base) + "' is invalid";
            return std::nullopt;
        }
        if (const auto wif = DecodeSecret(base, params)) {
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
            return key;
        }
    }
    // An extended key of this network, then its derivation steps and range.
    const std::array<consensus::Bip32Version, 1> pub_versions{
        VersionOf(params.Base58Prefix(consensus::Base58Type::EXT_PUBLIC_KEY))};
    const std::array<consensus::Bip32Version, 1> priv_versions{
        VersionOf(params.Base58Prefix(consensus::Base58Type::EXT_SECRET_KEY))};
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
        split.pop_back();
    }
    if (!ParseKeyPath(split, 1, key.m_path, error)) return std::nullopt;
    return key;
}

std::optional<std::vector<uint8_t>> DescriptorKey::PubKeyAt(uint32_t pos, std::string& error) const
{
    if (!m_xpub) return m_const;
    std::vector<uint32_t> steps = m_path;
    if (m_range == Range::UNHARDENED) steps.push_back(pos & ~consensus::BIP32_HARDENED);
    if (m_range == Range::HARDENED) steps.push_back(pos | consensus::BIP32_HARDENED);
    const bool needs_private =
        std::any_of(steps.begin(), steps.end(), [](uint32_t s) { return (s & consensus::BIP32_HARDENED) != 0; });
    if (needs_private && !m_xprv) {
        error = "Cannot derive script without private keys";
        return std::nullopt;
    }
    // Derive along the steps from the private key when there is one (hardened steps need
    // it), else from the public key; the same walk for both kinds of extended key.
    auto derive = [&](auto key) -> std::optional<decltype(key)> {
        for (uint32_t s : steps) {
            auto child = consensus::Bip32Derive(key, s);
            if (!child) {
                error = "Cannot derive script: invalid child key";
                return std::nullopt;
            }
            key = *child;
        }
        return key;
    };
    if (m_xprv) {
        const auto k = derive(*m_xprv);
        if (!k) return std::nullopt;
        const auto pub = consensus::Bip32Neuter(*k).pubkey;
        return Bytes(pub.begin(), pub.end());
    }
    const auto k = derive(*m_xpub);
    if (!k) return std::nullopt;
    return Bytes(k->pubkey.begin(), k->pubkey.end());
}

std::string DescriptorKey::OriginAt(uint32_t pos, const std::vector<uint8_t>& pubkey) const
{
    // As Core's key providers report it: the origin's fingerprint and path, then the
    // extended key's own steps (and the position), or the key's own fingerprint.
    std::array<uint8_t, 4> fp{};
    std::vector<uint32_t> path;
    if (m_xpub) {
        fp = consensus::Bip32Fingerprint(m_xpub->pubkey);
        path = m_path;
        if (m_range == Range::UNHARDENED) path.push_back(pos & ~consensus::BIP32_HARDENED);
        if (m_range == Range::HARDENED) path.push_back(pos | consensus::BIP32_HARDENED);
    } else {
        const consensus::Uint160 id = consensus::Hash160(pubkey);
        std::copy_n(id.begin(), 4, fp.begin());
    }
    if (m_origin) {
        fp = m_origin->fingerprint;
        path.insert(path.begin(), m_origin->path.begin(), m_origin->path.end());
    }
    return "[" + consensus::HexStr(fp) + FormatPath(path) + "]";
}

// ---------------------------------------------------------------- Descriptor

namespace {

/** BIP-342 leaf script of pk(KEY) in a tapscript: <x-only key> OP_CHECKSIG. */
Script TapscriptPk(const Bytes& key)
{
    Script s;
    s << Bytes(key.end() - 32, key.end()) << consensus::OP_CHECKSIG;
    return s;
}

/** The BIP-341 leaf version of tapscript. */
constexpr uint8_t TAPROOT_LEAF_TAPSCRIPT = 0xc0;
/** BIP-341's control block allows 128 levels. */
constexpr int TAPROOT_CONTROL_MAX_NODE_COUNT = 128;

/** Core's Expr: the expression up to a ',' '}' or ')' at nesting level 0 (taken off expr). */
std::string_view TakeExpr(std::string_view& expr)
{
    int level = 0;
    size_t i = 0;
    for (; i < expr.size(); ++i) {
        const char c = expr[i];
        if (c == '(' || c == '{') {
            ++level;
        } else if (level > 0 && (c == ')' || c == '}')) {
            --level;
        } else if (level == 0 && (c == ')' || c == '}' || c == ',')) {
            break;
        }
    }
    const std::string_view out = expr.substr(0, i);
    expr.remove_prefix(i);
    return out;
}

bool TakeConst(std::string_view c, std::string_view& expr)
{
    if (expr.substr(0, c.size()) != c) return false;
    expr.remove_prefix(c.size());
    return true;
}

} // namespace

bool Descriptor::IsRange() const
{
    if (m_key && m_key->IsRange()) return true;
    return std::any_of(m_leaves.begin(), m_leaves.end(), [](const TapLeaf& l) { return l.key.IsRange(); });
}

std::optional<consensus::Uint256> Descriptor::TaprootMerkleRoot(uint32_t pos, std::string& error) const
{
    // BIP-341: leaves hashed with TapLeaf, siblings combined with TapBranch, built from
    // the depth-first list of (depth, leaf) as Core's TaprootBuilder does.
    std::vector<std::pair<int, consensus::Uint256>> stack;
    for (const TapLeaf& leaf : m_leaves) {
        const auto key = leaf.key.PubKeyAt(pos, error);
        if (!key) return std::nullopt;
        const Script script = TapscriptPk(*key);
        stack.emplace_back(leaf.depth, consensus::ComputeTapleafHash(TAPROOT_LEAF_TAPSCRIPT, script));
        while (stack.size() >= 2 && stack.back().first == stack[stack.size() - 2].first) {
            const auto right = stack.back();
            stack.pop_back();
            auto& left = stack.back();
            left.second = consensus::ComputeTapbranchHash(left.second, right.second);
            left.first -= 1;
        }
    }
    if (stack.size() != 1 || stack[0].first != 0) {
        error = "tr(): the script tree is incomplete";
        return std::nullopt;
    }
    return stack[0].second;
}

std::string Descriptor::TreeString(uint32_t pos, size_t& i, int depth) const
{
    if (i >= m_leaves.size()) return "";
    if (m_leaves[i].depth == depth) {
        std::string error;
        const auto key = m_leaves[i].key.PubKeyAt(pos, error);
        const TapLeaf& leaf = m_leaves[i++];
        if (!key) return "";
        return "pk(" + leaf.key.OriginAt(pos, *key) + consensus::HexStr(std::span(*key).last(32)) + ")";
    }
    std::string left = TreeString(pos, i, depth + 1);
    std::string right = TreeString(pos, i, depth + 1);
    return "{" + left + "," + right + "}";
}

std::optional<Script> Descriptor::Expand(uint32_t pos, std::string& error) const
{
    if (m_kind == Kind::SCRIPT) return m_script;
    auto key = m_key->PubKeyAt(pos, error);
    if (!key) return std::nullopt;
    switch (m_kind) {
    case Kind::PK: {
        Script s;
        s << *key << consensus::OP_CHECKSIG;
        return s;
    }
    case Kind::PKH: return P2pkh(*key);
    case Kind::WPKH: return P2wpkh(*key);
    case Kind::SH_WPKH: {
        const Script redeem = P2wpkh(*key);
        const consensus::Uint160 h = consensus::Hash160(redeem);
        Script s;
        s << consensus::OP_HASH160 << Bytes(h.begin(), h.end()) << consensus::OP_EQUAL;
        return s;
    }
    case Kind::TR: {
        // BIP-386: the BIP-341 output key of the x-only internal key and the tree's merkle root (if any).
        std::optional<consensus::Uint256> root;
        if (!m_leaves.empty()) {
            root = TaprootMerkleRoot(pos, error);
            if (!root) return std::nullopt;
        }
        const auto tweaked = consensus::TweakXOnly(std::span(*key).subspan(1, 32), root ? &*root : nullptr);
        if (!tweaked) {
            error = "Cannot derive script: invalid taproot tweak";
            return std::nullopt;
        }
        Script s;
        s << consensus::OP_1 << Bytes(tweaked->first.begin(), tweaked->first.end());
        return s;
    }
    case Kind::SCRIPT: break;
    }
    return std::nullopt;
}

std::string Descriptor::InferAt(uint32_t pos) const
{
    std::string error;
    if (m_kind == Kind::SCRIPT) return InferDescriptor(m_script, *m_params);
    const auto key = m_key->PubKeyAt(pos, error);
    if (!key) return "";
    const std::string origin = m_key->OriginAt(pos, *key);
    switch (m_kind) {
    case Kind::PK: return AddDescriptorChecksum("pk(" + origin + consensus::HexStr(*key) + ")");
    case Kind::PKH: return AddDescriptorChecksum("pkh(" + origin + consensus::HexStr(*key) + ")");
    case Kind::WPKH: return AddDescriptorChecksum("wpkh(" + origin + consensus::HexStr(*key) + ")");
    case Kind::SH_WPKH: return AddDescriptorChecksum("sh(wpkh(" + origin + consensus::HexStr(*key) + "))");
    case Kind::TR: {
        std::string tree;
        if (!m_leaves.empty()) {
            size_t i = 0;
            tree = "," + TreeString(pos, i, 0);
        }
        return AddDescriptorChecksum("tr(" + origin + consensus::HexStr(std::span(*key).subspan(1, 32)) + tree + ")");
    }
    case Kind::SCRIPT: break;
    }
    return "";
}

std::optional<Descriptor> ParseDescriptor(std::string_view desc, const consensus::ChainParams& params,
                                          std::string& error, bool require_checksum)
{
    std::string body;
    if (!CheckDescriptorChecksum(desc, require_checksum, error, &body)) return std::nullopt;
    const std::string_view expr = body;
    Descriptor d;
    d.m_params = &params;
    std::string_view inner;
    auto with_key = [&](Descriptor::Kind kind, std::string_view key_text, bool permit_uncompressed,
                        bool in_tr) -> std::optional<Descriptor> {
        auto key = DescriptorKey::Parse(key_text, permit_uncompressed, in_tr, params, error);
        if (!key) return std::nullopt;
        d.m_kind = kind;
        d.m_key = std::move(*key);
        return d;
    };
    if (Func("addr", expr, inner)) {
        auto script = DecodeAddress(std::string(inner), params, nullptr);
        if (!script) {
            error = "Address is not valid";
            return std::nullopt;
        }
        d.m_script = std::move(*script);
        return d;
    }
    if (Func("raw", expr, inner)) {
        auto bytes = consensus::TryParseHex(inner);
        if (!bytes || bytes->empty()) {
            error = "Raw script is not hex";
            return std::nullopt;
        }
        d.m_script = Script(*bytes);
        return d;
    }
    if (Func("pk", expr, inner)) return with_key(Descriptor::Kind::PK, inner, true, false);
    if (Func("pkh", expr, inner)) return with_key(Descriptor::Kind::PKH, inner, true, false);
    if (Func("wpkh", expr, inner)) return with_key(Descriptor::Kind::WPKH, inner, false, false);
    std::string_view wrapped;
    if (Func("sh", expr, inner) && Func("wpkh", inner, wrapped)) {
        return with_key(Descriptor::Kind::SH_WPKH, wrapped, false, false);
    }
    if (Func("tr", expr, inner)) {
        // tr(KEY) or tr(KEY,TREE) with TREE := pk(KEY) | {TREE,TREE} (BIP-386; Core's parser).
        std::string_view rest = inner;
        const std::string_view key_text = TakeExpr(rest);
        if (!with_key(Descriptor::Kind::TR, key_text, false, true)) return std::nullopt;
        if (rest.empty()) return d;
        if (!TakeConst(",", rest)) {
            error = std::string("tr: expected ',', got '") + rest[0] + "'";
            return std::nullopt;
        }
        std::vector<bool> branches; // per open brace: whether its left side is done
        while (true) {
            while (TakeConst("{", rest)) {
                branches.push_back(false);
                if (static_cast<int>(branches.size()) > TAPROOT_CONTROL_MAX_NODE_COUNT) {
                    error =
                        "tr() supports at most " + std::to_string(TAPROOT_CONTROL_MAX_NODE_COUNT) + " nesting levels";
                    return std::nullopt;
                }
            }
            const std::string_view leaf_text = TakeExpr(rest);
            std::string_view leaf_key;
            if (!Func("pk", leaf_text, leaf_key)) {
                error = "tr(): only pk() leaves are supported in a script tree, not '" + std::string(leaf_text) + "'";
                return std::nullopt;
            }
            auto key = DescriptorKey::Parse(leaf_key, false, true, params, error);
            if (!key) return std::nullopt;
            d.m_leaves.push_back({static_cast<int>(branches.size()), std::move(*key)});
            while (!branches.empty() && branches.back()) {
                if (!TakeConst("}", rest)) {
                    error = "tr(): expected '}' after script expression";
                    return std::nullopt;
                }
                branches.pop_back();
            }
            if (!branches.empty() && !branches.back()) {
                if (!TakeConst(",", rest)) {
                    error = "tr(): expected ',' after script expression";
                    return std::nullopt;
                }
                branches.back() = true;
            }
            if (branches.empty()) break;
        }
        if (!rest.empty()) {
            error = "tr(): unexpected '" + std::string(rest) + "' after the script tree";
            return std::nullopt;
        }
        return d;
    }
    const size_t paren = expr.find('(');
    error = "'" + std::string(expr.substr(0, paren)) + "' is not a valid descriptor function";
    return std::nullopt;
}

std::optional<Script> ParseDescriptorScript(std::string_view desc, const consensus::ChainParams& params,
                                            std::string& error, bool require_checksum)
{
    auto d = ParseDescriptor(desc, params, error, require_checksum);
    if (!d) return std::nullopt;
    if (d->IsRange()) {
        error = std::string(RANGED_DESCRIPTOR_ERROR);
        return std::nullopt;
    }
    return d->Expand(0, error);
}

} // namespace common
