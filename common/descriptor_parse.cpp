// The descriptor parser after Core's ParseScript: script functions by context (top level,
// sh(), wsh(), tr() leaves) with Core's nesting rules and error texts (BIP-380..387).
#include "common/descriptor.h"

#include "common/descriptor_node.h"
#include "common/descriptor_util.h"
#include "common/key_io.h"
#include "consensus/hex.h"

#include <charconv>

namespace common {

namespace {

/** Where a script expression appears (Core's ParseScriptContext). */
enum class Ctx { TOP, P2SH, P2WSH, P2TR };

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

using NodePtr = std::shared_ptr<DescriptorNode>;

NodePtr ParseScript(std::string_view expr, Ctx ctx, const consensus::ChainParams& params, std::string& error,
                    int depth);

/** multi(k,KEY,...) and its kin: the threshold and key count rules of BIP-383/387, as Core words them. */
NodePtr ParseMulti(NodeType type, std::string_view inner, Ctx ctx, const consensus::ChainParams& params,
                   std::string& error)
{
    auto node = std::make_shared<DescriptorNode>();
    node->type = type;
    node->tapscript = ctx == Ctx::P2TR;
    const std::string_view k_text = TakeExpr(inner);
    uint32_t k = 0;
    const auto [ptr, ec] = std::from_chars(k_text.data(), k_text.data() + k_text.size(), k);
    if (k_text.empty() || ec != std::errc() || ptr != k_text.data() + k_text.size()) {
        error = "Multi threshold '" + std::string(k_text) + "' is not valid";
        return nullptr;
    }
    const KeyContext kctx = ctx == Ctx::P2TR    ? KeyContext::TAPROOT
                            : ctx == Ctx::P2WSH ? KeyContext::SEGWIT
                                                : KeyContext::TOP;
    size_t script_size = 0;
    while (TakeConst(",", inner)) {
        const std::string_view key_text = TakeExpr(inner);
        auto key = DescriptorKey::Parse(key_text, kctx, params, error);
        if (!key) return nullptr;
        node->keys.push_back(std::move(*key));
        std::string ignored;
        const auto d = node->keys.back().Derive(0, FlatSigningProvider{}, ignored);
        script_size += (d ? d->pubkey.size() : 33) + 1;
    }
    if (!inner.empty()) {
        error = "Multi: unexpected '" + std::string(inner) + "'";
        return nullptr;
    }
    const bool is_multi_a = type == NodeType::MULTI_A || type == NodeType::SORTEDMULTI_A;
    const size_t max_keys = is_multi_a ? MAX_PUBKEYS_PER_MULTI_A : consensus::MAX_PUBKEYS_PER_MULTISIG;
    const size_t n = node->keys.size();
    if (n < 1 || n > max_keys) {
        error = "Cannot have " + std::to_string(n) + " keys in multisig; must have between 1 and " +
                std::to_string(max_keys) + " keys, inclusive";
        return nullptr;
    }
    if (k < 1) {
        error = "Multisig threshold cannot be " + std::to_string(k) + ", must be at least 1";
        return nullptr;
    }
    if (k > n) {
        error = "Multisig threshold cannot be larger than the number of keys; threshold is " + std::to_string(k) +
                " but only " + std::to_string(n) + " keys specified";
        return nullptr;
    }
    if (ctx == Ctx::TOP && n > 3) {
        // Bare multisig beyond 3 keys is not standard (Core's policy).
        error = "Cannot have " + std::to_string(n) + " pubkeys in bare multisig; only at most 3 pubkeys";
        return nullptr;
    }
    if (ctx == Ctx::P2SH && script_size + 3 > consensus::MAX_SCRIPT_ELEMENT_SIZE) {
        // BIP-16: the redeem script is one push of at most 520 bytes (15 compressed keys).
        error = "P2SH script is too large, " + std::to_string(script_size + 3) + " bytes is larger than " +
                std::to_string(consensus::MAX_SCRIPT_ELEMENT_SIZE) + " bytes";
        return nullptr;
    }
    node->threshold = k;
    return node;
}

/** tr(KEY) or tr(KEY,TREE) with TREE := SCRIPT | {TREE,TREE} (BIP-386). */
NodePtr ParseTr(std::string_view inner, const consensus::ChainParams& params, std::string& error, int depth)
{
    auto node = std::make_shared<DescriptorNode>();
    node->type = NodeType::TR;
    std::string_view rest = inner;
    auto key = DescriptorKey::Parse(TakeExpr(rest), KeyContext::TAPROOT, params, error);
    if (!key) return nullptr;
    node->keys.push_back(std::move(*key));
    if (rest.empty()) return node;
    if (!TakeConst(",", rest)) {
        error = std::string("tr: expected ',', got '") + rest[0] + "'";
        return nullptr;
    }
    std::vector<bool> branches; // per open brace: whether its left side is done
    while (true) {
        while (TakeConst("{", rest)) {
            branches.push_back(false);
            if (static_cast<int>(branches.size()) > TAPROOT_CONTROL_MAX_NODE_COUNT) {
                error = "tr() supports at most " + std::to_string(TAPROOT_CONTROL_MAX_NODE_COUNT) + " nesting levels";
                return nullptr;
            }
        }
        const std::string_view leaf_text = TakeExpr(rest);
        auto leaf = ParseScript(leaf_text, Ctx::P2TR, params, error, depth + 1);
        if (!leaf) return nullptr;
        node->subs.push_back(std::move(leaf));
        node->depths.push_back(static_cast<int>(branches.size()));
        while (!branches.empty() && branches.back()) {
            if (!TakeConst("}", rest)) {
                error = "tr(): expected '}' after script expression";
                return nullptr;
            }
            branches.pop_back();
        }
        if (!branches.empty() && !branches.back()) {
            if (!TakeConst(",", rest)) {
                error = "tr(): expected ',' after script expression";
                return nullptr;
            }
            branches.back() = true;
        }
        if (branches.empty()) break;
    }
    if (!rest.empty()) {
        error = "tr(): unexpected '" + std::string(rest) + "' after the script tree";
        return nullptr;
    }
    return node;
}

NodePtr ParseScript(std::string_view expr, Ctx ctx, const consensus::ChainParams& params, std::string& error, int depth)
{
    std::string_view inner;
    auto node = std::make_shared<DescriptorNode>();
    // Keys directly under sh() or at top level may be uncompressed; under wsh() or in tr() not.
    const KeyContext kctx = ctx == Ctx::P2TR    ? KeyContext::TAPROOT
                            : ctx == Ctx::P2WSH ? KeyContext::SEGWIT
                                                : KeyContext::TOP;
    auto with_key = [&](NodeType type, std::string_view key_text, KeyContext key_ctx) -> NodePtr {
        auto key = DescriptorKey::Parse(key_text, key_ctx, params, error);
        if (!key) return nullptr;
        node->type = type;
        node->tapscript = ctx == Ctx::P2TR;
        node->keys.push_back(std::move(*key));
        return node;
    };
    if (Func("pk", expr, inner)) return with_key(NodeType::PK, inner, kctx);
    if (Func("pkh", expr, inner)) return with_key(NodeType::PKH, inner, kctx);
    if (Func("wpkh", expr, inner)) {
        if (ctx != Ctx::TOP && ctx != Ctx::P2SH) {
            error = "Can only have wpkh() at top level or inside sh()";
            return nullptr;
        }
        return with_key(NodeType::WPKH, inner, KeyContext::SEGWIT);
    }
    if (Func("combo", expr, inner)) {
        if (ctx != Ctx::TOP) {
            error = "Can only have combo() at top level";
            return nullptr;
        }
        return with_key(NodeType::COMBO, inner, KeyContext::TOP);
    }
    const bool multi = Func("multi", expr, inner);
    const bool sortedmulti = !multi && Func("sortedmulti", expr, inner);
    if (multi || sortedmulti) {
        if (ctx == Ctx::P2TR) {
            error = "Can only have multi/sortedmulti at top level, in sh(), or in wsh()";
            return nullptr;
        }
        return ParseMulti(multi ? NodeType::MULTI : NodeType::SORTEDMULTI, inner, ctx, params, error);
    }
    const bool multi_a = Func("multi_a", expr, inner);
    const bool sortedmulti_a = !multi_a && Func("sortedmulti_a", expr, inner);
    if (multi_a || sortedmulti_a) {
        if (ctx != Ctx::P2TR) {
            error = "Can only have multi_a/sortedmulti_a inside tr()";
            return nullptr;
        }
        return ParseMulti(multi_a ? NodeType::MULTI_A : NodeType::SORTEDMULTI_A, inner, ctx, params, error);
    }
    if (Func("sh", expr, inner)) {
        if (ctx != Ctx::TOP) {
            error = "Can only have sh() at top level";
            return nullptr;
        }
        auto sub = ParseScript(inner, Ctx::P2SH, params, error, depth + 1);
        if (!sub) return nullptr;
        node->type = NodeType::SH;
        node->subs.push_back(std::move(sub));
        return node;
    }
    if (Func("wsh", expr, inner)) {
        if (ctx != Ctx::TOP && ctx != Ctx::P2SH) {
            error = "Can only have wsh() at top level or inside sh()";
            return nullptr;
        }
        auto sub = ParseScript(inner, Ctx::P2WSH, params, error, depth + 1);
        if (!sub) return nullptr;
        node->type = NodeType::WSH;
        node->subs.push_back(std::move(sub));
        return node;
    }
    if (Func("tr", expr, inner)) {
        if (ctx != Ctx::TOP) {
            error = "Can only have tr at top level";
            return nullptr;
        }
        return ParseTr(inner, params, error, depth);
    }
    if (Func("rawtr", expr, inner)) {
        if (ctx != Ctx::TOP) {
            error = "Can only have rawtr at top level";
            return nullptr;
        }
        return with_key(NodeType::RAWTR, inner, KeyContext::TAPROOT);
    }
    if (Func("addr", expr, inner)) {
        if (ctx != Ctx::TOP) {
            error = "Can only have addr() at top level";
            return nullptr;
        }
        auto script = DecodeAddress(std::string(inner), params, nullptr);
        if (!script) {
            error = "Address is not valid";
            return nullptr;
        }
        node->type = NodeType::ADDR;
        node->script = std::move(*script);
        node->address = std::string(inner);
        return node;
    }
    if (Func("raw", expr, inner)) {
        if (ctx != Ctx::TOP) {
            error = "Can only have raw() at top level";
            return nullptr;
        }
        auto bytes = consensus::TryParseHex(inner);
        if (!bytes || bytes->empty()) {
            error = "Raw script is not hex";
            return nullptr;
        }
        node->type = NodeType::RAW;
        node->script = consensus::Script(*bytes);
        return node;
    }
    if (ctx == Ctx::P2SH) {
        error = "A function is needed within P2SH";
    } else if (ctx == Ctx::P2WSH) {
        error = "A function is needed within P2WSH";
    } else {
        error = "'" + std::string(expr.substr(0, expr.find('('))) + "' is not a valid descriptor function";
    }
    return nullptr;
}

} // namespace

std::optional<Descriptor> ParseDescriptor(std::string_view desc, const consensus::ChainParams& params,
                                          std::string& error, bool require_checksum)
{
    std::string body;
    if (!CheckDescriptorChecksum(desc, require_checksum, error, &body)) return std::nullopt;
    auto root = ParseScript(body, Ctx::TOP, params, error, 0);
    if (!root) return std::nullopt;
    Descriptor d;
    d.m_root = std::move(root);
    d.m_params = &params;
    return d;
}

std::optional<std::vector<Descriptor>> ParseMultipathDescriptor(std::string_view desc,
                                                                const consensus::ChainParams& params,
                                                                std::string& error, bool require_checksum)
{
    std::string body;
    if (!CheckDescriptorChecksum(desc, require_checksum, error, &body)) return std::nullopt;
    // Find each <...> group: a whole derivation step after an extended key (BIP-389).
    struct Group {
        size_t begin, end; // of "<...>", end one past '>'
        std::vector<std::string> steps;
    };
    std::vector<Group> groups;
    for (size_t pos = body.find('<'); pos != std::string::npos; pos = body.find('<', pos + 1)) {
        const size_t close = body.find('>', pos);
        const size_t next_open = body.find('<', pos + 1);
        if (close == std::string::npos || (next_open != std::string::npos && next_open < close)) {
            error = "Multipath: '<' without its '>'";
            return std::nullopt;
        }
        if (body.find('[', 0) != std::string::npos) {
            // A group inside a key origin "[...]" is not a derivation step of a key.
            const size_t open = body.rfind('[', pos);
            const size_t shut = body.rfind(']', pos);
            if (open != std::string::npos && (shut == std::string::npos || shut < open)) {
                error = "Multipath: not allowed in a key origin";
                return std::nullopt;
            }
        }
        const char after = close + 1 < body.size() ? body[close + 1] : '\0';
        if (pos == 0 || body[pos - 1] != '/' || (after != '/' && after != ')' && after != ',')) {
            error = "Multipath: '<...>' must be a whole derivation step";
            return std::nullopt;
        }
        Group g{pos, close + 1, {}};
        std::string_view inner = std::string_view(body).substr(pos + 1, close - pos - 1);
        size_t start = 0;
        while (true) {
            const size_t semi = inner.find(';', start);
            g.steps.emplace_back(inner.substr(start, semi == std::string_view::npos ? semi : semi - start));
            if (semi == std::string_view::npos) break;
            start = semi + 1;
        }
        if (g.steps.size() < 2) {
            error = "Multipath subpaths must have at least two elements";
            return std::nullopt;
        }
        for (size_t i = 0; i < g.steps.size(); ++i) {
            if (g.steps[i].empty() || g.steps[i].find_first_of("<>/*[]") != std::string::npos) {
                error = "Key path value '" + g.steps[i] + "' is not a valid uint32";
                return std::nullopt;
            }
            for (size_t j = 0; j < i; ++j) {
                if (g.steps[j] == g.steps[i]) {
                    error = "Duplicated key path value " + g.steps[i] + " in multipath specifier";
                    return std::nullopt;
                }
            }
        }
        if (!groups.empty() && groups[0].steps.size() != g.steps.size()) {
            error = "Multipath subpaths must be of the same length";
            return std::nullopt;
        }
        groups.push_back(std::move(g));
        pos = close;
    }
    const size_t n = groups.empty() ? 1 : groups[0].steps.size();
    std::vector<Descriptor> out;
    for (size_t i = 0; i < n; ++i) {
        std::string text;
        size_t last = 0;
        for (const Group& g : groups) {
            text.append(body, last, g.begin - last);
            text += g.steps[i];
            last = g.end;
        }
        text.append(body, last, std::string::npos);
        auto d = ParseDescriptor(text, params, error, false);
        if (!d) return std::nullopt;
        out.push_back(std::move(*d));
    }
    return out;
}

std::optional<consensus::Script> ParseDescriptorScript(std::string_view desc, const consensus::ChainParams& params,
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
