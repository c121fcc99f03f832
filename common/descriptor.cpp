// Descriptor expansion and printing after Core's script/descriptor.cpp: each script
// function builds its scripts from its keys' derived public keys and its sub-scripts
// (BIP-381..386), recording what solves them in a FlatSigningProvider.
#include "common/descriptor.h"

#include "common/descriptor_node.h"
#include "common/descriptor_util.h"
#include "common/key_io.h"
#include "consensus/hash.h"
#include "consensus/hex.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/key.h"
#include "consensus/script/pubkey.h"

#include <algorithm>
#include <functional>

namespace common {

using consensus::Script;
using Bytes = std::vector<uint8_t>;

std::string_view OutputTypeName(OutputType type)
{
    switch (type) {
    case OutputType::LEGACY: return "legacy";
    case OutputType::P2SH_SEGWIT: return "p2sh-segwit";
    case OutputType::BECH32: return "bech32";
    case OutputType::BECH32M: return "bech32m";
    }
    return "";
}

namespace {

Bytes XOnly(const Bytes& key) { return Bytes(key.end() - 32, key.end()); }

Script P2pkh(std::span<const uint8_t> key)
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

Script P2sh(const Script& redeem)
{
    const consensus::Uint160 h = consensus::Hash160(redeem);
    Script s;
    s << consensus::OP_HASH160 << Bytes(h.begin(), h.end()) << consensus::OP_EQUAL;
    return s;
}

Script P2wsh(const Script& witness_script)
{
    const consensus::Uint256 h = consensus::Sha256Hash(witness_script);
    Script s;
    s << consensus::OP_0 << Bytes(h.begin(), h.end());
    return s;
}

/** pk(): <key> OP_CHECKSIG, the key x-only in tapscript (BIP-342). */
Script PkScript(const Bytes& key, bool tapscript)
{
    Script s;
    s << (tapscript ? XOnly(key) : key) << consensus::OP_CHECKSIG;
    return s;
}

/** pkh(): P2PKH of the key, of its x-only form in tapscript. */
Script PkhScript(const Bytes& key, bool tapscript) { return tapscript ? P2pkh(XOnly(key)) : P2pkh(key); }

/** multi(): OP_k <keys> OP_n OP_CHECKMULTISIG (BIP-383); sortedmulti sorts the keys first (BIP-67). */
Script MultiScript(uint32_t k, std::vector<Bytes> keys, bool sorted)
{
    if (sorted) std::sort(keys.begin(), keys.end());
    Script s;
    s.PushInt(k);
    for (const Bytes& key : keys) s << key;
    s.PushInt(static_cast<int64_t>(keys.size()));
    s << consensus::OP_CHECKMULTISIG;
    return s;
}

/** multi_a(): <k1> CHECKSIG <k2> CHECKSIGADD ... <k> NUMEQUAL over x-only keys (BIP-387). */
Script MultiAScript(uint32_t k, std::vector<Bytes> keys, bool sorted)
{
    for (Bytes& key : keys) key = XOnly(key);
    if (sorted) std::sort(keys.begin(), keys.end());
    Script s;
    for (size_t i = 0; i < keys.size(); ++i) {
        s << keys[i] << (i == 0 ? consensus::OP_CHECKSIG : consensus::OP_CHECKSIGADD);
    }
    s.PushInt(k);
    s << consensus::OP_NUMEQUAL;
    return s;
}

void AddKey(const DerivedKey& key, FlatSigningProvider& out)
{
    const KeyId id = consensus::Hash160(key.pubkey);
    out.pubkeys.emplace(id, key.pubkey);
    out.origins.emplace(id, key.origin);
}

bool ExpandNode(const DescriptorNode& node, uint32_t pos, const SigningProvider& provider, std::vector<Script>& scripts,
                FlatSigningProvider& out, std::string& error);

/** Builds the BIP-341 tree of a tr() node at pos: output script and spend data. */
bool ExpandTr(const DescriptorNode& node, const DerivedKey& internal, uint32_t pos, const SigningProvider& provider,
              std::vector<Script>& scripts, FlatSigningProvider& out, std::string& error)
{
    TaprootSpendData data;
    std::copy_n(internal.pubkey.end() - 32, 32, data.internal_key.begin());
    // Leaves hashed with TapLeaf, siblings joined with TapBranch in depth-first order (Core's
    // TaprootBuilder); each joined side's leaves get the other side's hash on their path.
    struct Entry {
        int depth;
        consensus::Uint256 hash;
        std::vector<size_t> leaves;
    };
    std::vector<Entry> stack;
    std::vector<Script> leaf_scripts;
    std::vector<Bytes> paths(node.subs.size());
    for (size_t i = 0; i < node.subs.size(); ++i) {
        std::vector<Script> sub;
        if (!ExpandNode(*node.subs[i], pos, provider, sub, out, error)) return false;
        leaf_scripts.push_back(sub.at(0));
        stack.push_back({node.depths[i], consensus::ComputeTapleafHash(TAPROOT_LEAF_TAPSCRIPT, sub[0]), {i}});
        while (stack.size() >= 2 && stack.back().depth == stack[stack.size() - 2].depth) {
            Entry right = std::move(stack.back());
            stack.pop_back();
            Entry& left = stack.back();
            for (size_t l : left.leaves) paths[l].insert(paths[l].end(), right.hash.begin(), right.hash.end());
            for (size_t l : right.leaves) paths[l].insert(paths[l].end(), left.hash.begin(), left.hash.end());
            left.hash = consensus::ComputeTapbranchHash(left.hash, right.hash);
            left.leaves.insert(left.leaves.end(), right.leaves.begin(), right.leaves.end());
            left.depth -= 1;
        }
    }
    if (!node.subs.empty()) {
        if (stack.size() != 1 || stack[0].depth != 0) {
            error = "tr(): the script tree is incomplete";
            return false;
        }
        data.merkle_root = stack[0].hash;
    }
    const auto tweaked = consensus::TweakXOnly(data.internal_key, data.merkle_root ? &*data.merkle_root : nullptr);
    if (!tweaked) {
        error = "Cannot derive script: invalid taproot tweak";
        return false;
    }
    for (size_t i = 0; i < leaf_scripts.size(); ++i) {
        // BIP-341 control block: leaf version | parity, internal key, the path upwards.
        Bytes control{static_cast<uint8_t>(TAPROOT_LEAF_TAPSCRIPT | (tweaked->second ? 1 : 0))};
        control.insert(control.end(), data.internal_key.begin(), data.internal_key.end());
        control.insert(control.end(), paths[i].begin(), paths[i].end());
        data.scripts[{Bytes(leaf_scripts[i].begin(), leaf_scripts[i].end()), TAPROOT_LEAF_TAPSCRIPT}].insert(control);
    }
    Script s;
    s << consensus::OP_1 << Bytes(tweaked->first.begin(), tweaked->first.end());
    FlatSigningProvider mine;
    mine.tr_spenddata[tweaked->first] = std::move(data);
    out.Merge(mine);
    scripts.push_back(std::move(s));
    return true;
}

bool ExpandNode(const DescriptorNode& node, uint32_t pos, const SigningProvider& provider, std::vector<Script>& scripts,
                FlatSigningProvider& out, std::string& error)
{
    std::vector<DerivedKey> keys;
    for (const DescriptorKey& k : node.keys) {
        auto d = k.Derive(pos, provider, error);
        if (!d) return false;
        AddKey(*d, out);
        keys.push_back(std::move(*d));
    }
    std::vector<Bytes> pubkeys;
    for (const DerivedKey& k : keys) pubkeys.push_back(k.pubkey);
    switch (node.type) {
    case NodeType::ADDR:
    case NodeType::RAW: scripts.push_back(node.script); return true;
    case NodeType::PK: scripts.push_back(PkScript(pubkeys[0], node.tapscript)); return true;
    case NodeType::PKH: scripts.push_back(PkhScript(pubkeys[0], node.tapscript)); return true;
    case NodeType::WPKH: scripts.push_back(P2wpkh(pubkeys[0])); return true;
    case NodeType::COMBO: {
        // BIP-384: P2PK and P2PKH, and for a compressed key also P2WPKH and P2SH-P2WPKH.
        scripts.push_back(PkScript(pubkeys[0], false));
        scripts.push_back(P2pkh(pubkeys[0]));
        if (pubkeys[0].size() == 33) {
            const Script wpkh = P2wpkh(pubkeys[0]);
            out.scripts.emplace(consensus::Hash160(wpkh), wpkh);
            scripts.push_back(wpkh);
            scripts.push_back(P2sh(wpkh));
        }
        return true;
    }
    case NodeType::MULTI:
    case NodeType::SORTEDMULTI:
        scripts.push_back(MultiScript(node.threshold, pubkeys, node.type == NodeType::SORTEDMULTI));
        return true;
    case NodeType::MULTI_A:
    case NodeType::SORTEDMULTI_A:
        scripts.push_back(MultiAScript(node.threshold, pubkeys, node.type == NodeType::SORTEDMULTI_A));
        return true;
    case NodeType::SH:
    case NodeType::WSH: {
        std::vector<Script> sub;
        if (!ExpandNode(*node.subs[0], pos, provider, sub, out, error)) return false;
        out.scripts.emplace(consensus::Hash160(sub.at(0)), sub[0]);
        scripts.push_back(node.type == NodeType::SH ? P2sh(sub[0]) : P2wsh(sub[0]));
        return true;
    }
    case NodeType::TR: return ExpandTr(node, keys[0], pos, provider, scripts, out, error);
    case NodeType::RAWTR: {
        Script s;
        s << consensus::OP_1 << XOnly(pubkeys[0]);
        scripts.push_back(std::move(s));
        return true;
    }
    }
    return false;
}

template <typename F>
bool AnyNode(const DescriptorNode& node, const F& f)
{
    if (f(node)) return true;
    return std::any_of(node.subs.begin(), node.subs.end(), [&](const auto& sub) { return AnyNode(*sub, f); });
}

std::string_view FuncName(NodeType type)
{
    switch (type) {
    case NodeType::ADDR: return "addr";
    case NodeType::RAW: return "raw";
    case NodeType::PK: return "pk";
    case NodeType::PKH: return "pkh";
    case NodeType::WPKH: return "wpkh";
    case NodeType::COMBO: return "combo";
    case NodeType::MULTI: return "multi";
    case NodeType::SORTEDMULTI: return "sortedmulti";
    case NodeType::MULTI_A: return "multi_a";
    case NodeType::SORTEDMULTI_A: return "sortedmulti_a";
    case NodeType::SH: return "sh";
    case NodeType::WSH: return "wsh";
    case NodeType::TR: return "tr";
    case NodeType::RAWTR: return "rawtr";
    }
    return "";
}

/**
 * The text of node; key(i, out) prints its i-th key (false if a private key was wanted
 * and unknown). For tr(), the tree is rebuilt from the leaves' depths.
 */
template <typename KeyText>
bool NodeString(const DescriptorNode& node, const consensus::ChainParams& params, const KeyText& key, std::string& out)
{
    bool ok = true;
    out += FuncName(node.type);
    out += "(";
    // Keys from first on, each after a ',' if comma (multi's threshold, or a key before).
    auto keys_from = [&](size_t first, bool comma) {
        for (size_t i = first; i < node.keys.size(); ++i) {
            if (comma || i > first) out += ",";
            std::string text;
            ok &= key(node, i, text);
            out += text;
        }
    };
    switch (node.type) {
    case NodeType::ADDR: out += EncodeAddress(node.script, params).value_or(node.address); break;
    case NodeType::RAW: out += consensus::HexStr(node.script); break;
    case NodeType::MULTI:
    case NodeType::SORTEDMULTI:
    case NodeType::MULTI_A:
    case NodeType::SORTEDMULTI_A:
        out += std::to_string(node.threshold);
        keys_from(0, true);
        break;
    case NodeType::SH:
    case NodeType::WSH: ok &= NodeString(*node.subs[0], params, key, out); break;
    case NodeType::TR: {
        keys_from(0, false);
        if (node.subs.empty()) break;
        out += ",";
        // Depth-first: open a brace for each level a leaf is deeper than the path so far.
        std::vector<bool> right; // per open brace: whether its left side is done
        for (size_t i = 0; i < node.subs.size(); ++i) {
            while (static_cast<int>(right.size()) < node.depths[i]) {
                out += "{";
                right.push_back(false);
            }
            ok &= NodeString(*node.subs[i], params, key, out);
            while (!right.empty() && right.back()) {
                out += "}";
                right.pop_back();
            }
            if (!right.empty()) {
                out += ",";
                right.back() = true;
            }
        }
        break;
    }
    default: keys_from(0, false); break;
    }
    out += ")";
    return ok;
}

} // namespace

Descriptor::Descriptor()
    : m_root(std::make_shared<DescriptorNode>()), m_params(&consensus::Params(consensus::ChainType::MAIN))
{}

bool Descriptor::IsRange() const
{
    return AnyNode(*m_root, [](const DescriptorNode& n) {
        return std::any_of(n.keys.begin(), n.keys.end(), [](const DescriptorKey& k) { return k.IsRange(); });
    });
}

bool Descriptor::IsSolvable() const { return m_root->type != NodeType::ADDR && m_root->type != NodeType::RAW; }

bool Descriptor::IsSingleType() const { return m_root->type != NodeType::COMBO; }

bool Descriptor::HasPrivateKeys() const
{
    return AnyNode(*m_root, [](const DescriptorNode& n) {
        return std::any_of(n.keys.begin(), n.keys.end(), [](const DescriptorKey& k) { return k.HasPrivate(); });
    });
}

std::vector<Descriptor::RootKey> Descriptor::RootExtKeys() const
{
    std::vector<RootKey> out;
    AnyNode(*m_root, [&out](const DescriptorNode& n) {
        for (const DescriptorKey& k : n.keys) {
            if (!k.RootXpub()) continue;
            const bool seen =
                std::any_of(out.begin(), out.end(), [&](const RootKey& r) { return r.xpub == *k.RootXpub(); });
            if (!seen) out.push_back(RootKey{*k.RootXpub(), k.RootXprv()});
        }
        return false;
    });
    return out;
}

std::optional<OutputType> Descriptor::GetOutputType() const
{
    switch (m_root->type) {
    case NodeType::PKH: return OutputType::LEGACY;
    case NodeType::WPKH:
    case NodeType::WSH: return OutputType::BECH32;
    case NodeType::TR:
    case NodeType::RAWTR: return OutputType::BECH32M;
    case NodeType::SH: {
        const NodeType inner = m_root->subs[0]->type;
        return inner == NodeType::WPKH || inner == NodeType::WSH ? OutputType::P2SH_SEGWIT : OutputType::LEGACY;
    }
    case NodeType::ADDR:
    case NodeType::RAW: {
        // Core's OutputTypeFromDestination of the script's address kind.
        const Script& s = m_root->script;
        int version = 0;
        Bytes program;
        if (s.IsWitnessProgram(version, program)) return version == 0 ? OutputType::BECH32 : OutputType::BECH32M;
        if (s.IsPayToScriptHash()) return OutputType::LEGACY;
        Bytes hash;
        if (s.size() == 25 && s[0] == consensus::OP_DUP && s[1] == consensus::OP_HASH160 && s[2] == 20 &&
            s[23] == consensus::OP_EQUALVERIFY && s[24] == consensus::OP_CHECKSIG) {
            return OutputType::LEGACY;
        }
        return std::nullopt;
    }
    default: return std::nullopt;
    }
}

std::string Descriptor::ToString() const
{
    std::string out;
    const FlatSigningProvider none;
    NodeString(
        *m_root, *m_params,
        [&](const DescriptorNode& n, size_t i, std::string& text) { return n.keys[i].ToString(false, none, text); },
        out);
    return AddDescriptorChecksum(out);
}

std::string Descriptor::ToNormalizedString() const
{
    std::string out;
    NodeString(
        *m_root, *m_params,
        [&](const DescriptorNode& n, size_t i, std::string& text) { return n.keys[i].ToNormalizedString(text); }, out);
    return AddDescriptorChecksum(out);
}

bool Descriptor::ToPrivateString(const SigningProvider& keys, std::string& out) const
{
    std::string body;
    const bool ok = NodeString(
        *m_root, *m_params,
        [&](const DescriptorNode& n, size_t i, std::string& text) { return n.keys[i].ToString(true, keys, text); },
        body);
    out = AddDescriptorChecksum(body);
    return ok;
}

bool Descriptor::Expand(uint32_t pos, const SigningProvider& keys, std::vector<Script>& scripts,
                        FlatSigningProvider& out, std::string& error) const
{
    // Expand into scratch space so a failure leaves scripts and out untouched.
    std::vector<Script> mine;
    FlatSigningProvider data;
    if (!ExpandNode(*m_root, pos, keys, mine, data, error)) return false;
    scripts.insert(scripts.end(), mine.begin(), mine.end());
    out.Merge(data);
    return true;
}

std::optional<Script> Descriptor::Expand(uint32_t pos, std::string& error) const
{
    std::vector<Script> scripts;
    FlatSigningProvider out;
    if (!Expand(pos, FlatSigningProvider{}, scripts, out, error)) return std::nullopt;
    return scripts.at(0);
}

void Descriptor::ExpandPrivate(uint32_t pos, const SigningProvider& keys, FlatSigningProvider& out) const
{
    AnyNode(*m_root, [&](const DescriptorNode& n) {
        for (const DescriptorKey& k : n.keys) {
            const auto secret = k.DerivePrivate(pos, keys);
            if (!secret) continue;
            const auto pub = consensus::PubKeyFromSecret(secret->bytes, secret->compressed);
            if (pub) out.keys.emplace(consensus::Hash160(*pub), *secret);
        }
        return false;
    });
}

std::string Descriptor::InferAt(uint32_t pos, size_t index) const
{
    const DescriptorNode& root = *m_root;
    if (root.type == NodeType::ADDR || root.type == NodeType::RAW) {
        return index == 0 ? InferDescriptor(root.script, *m_params) : "";
    }
    // The derived keys as Core's InferDescriptor prints keys it knows: "[origin]hex".
    const FlatSigningProvider none;
    bool failed = false;
    auto key_text = [&](const DescriptorNode& n, size_t i, std::string& text) {
        std::string error;
        const auto d = n.keys[i].Derive(pos, none, error);
        if (!d) {
            failed = true;
            return false;
        }
        const bool xonly = n.tapscript || n.type == NodeType::TR || n.type == NodeType::RAWTR;
        text = "[" + consensus::HexStr(d->origin.fingerprint) + FormatKeyPath(d->origin.path) + "]" +
               consensus::HexStr(xonly ? XOnly(d->pubkey) : d->pubkey);
        return true;
    };
    std::string out;
    if (root.type == NodeType::COMBO) {
        std::string key, error;
        const auto d = root.keys[0].Derive(pos, none, error);
        if (!d || !key_text(root, 0, key)) return "";
        static constexpr std::string_view forms[][2] = {
            {"pk(", ")"}, {"pkh(", ")"}, {"wpkh(", ")"}, {"sh(wpkh(", "))"}};
        if (index >= (d->pubkey.size() == 33 ? 4u : 2u)) return "";
        out = std::string(forms[index][0]) + key + std::string(forms[index][1]);
    } else {
        if (index != 0) return "";
        // multi() and multi_a() are inferred with their keys in script order.
        auto copy = std::make_shared<DescriptorNode>(root);
        std::function<void(DescriptorNode&)> unsort = [&](DescriptorNode& n) {
            if (n.type == NodeType::SORTEDMULTI || n.type == NodeType::SORTEDMULTI_A) {
                std::vector<std::pair<Bytes, DescriptorKey>> sorted;
                for (const DescriptorKey& k : n.keys) {
                    std::string error;
                    const auto d = k.Derive(pos, none, error);
                    sorted.emplace_back(d ? (n.type == NodeType::SORTEDMULTI ? d->pubkey : XOnly(d->pubkey)) : Bytes{},
                                        k);
                }
                std::stable_sort(sorted.begin(), sorted.end(),
                                 [](const auto& a, const auto& b) { return a.first < b.first; });
                n.keys.clear();
                for (auto& [_, k] : sorted) n.keys.push_back(std::move(k));
                n.type = n.type == NodeType::SORTEDMULTI ? NodeType::MULTI : NodeType::MULTI_A;
            }
            for (auto& sub : n.subs) {
                auto c = std::make_shared<DescriptorNode>(*sub);
                unsort(*c);
                sub = std::move(c);
            }
        };
        unsort(*copy);
        NodeString(*copy, *m_params, key_text, out);
    }
    if (failed) return "";
    return AddDescriptorChecksum(out);
}

} // namespace common
