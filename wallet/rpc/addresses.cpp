// Address methods (Core's wallet/rpc/addresses.cpp and backup.cpp's listdescriptors):
// getnewaddress, getrawchangeaddress, getaddressinfo, setlabel, listlabels,
// getaddressesbylabel, listdescriptors.
#include "wallet/rpc/util.h"

#include "common/descriptor.h"
#include "common/key_io.h"
#include "common/solver.h"
#include "consensus/hash.h"
#include "consensus/hex.h"

#include <algorithm>
#include <tuple>

namespace wallet::rpc {

namespace {

using T = RpcResultType;
using A = RpcArgType;

OutputType ParseTypeParam(const Json& params, size_t i, OutputType fallback)
{
    if (params.size() <= i || params[i].is_null()) return fallback;
    const std::string& s = GetStr(params[i]);
    auto t = ParseOutputType(s);
    if (!t) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Unknown address type '" + s + "'");
    return *t;
}

Json NewAddress(const WalletContext& context, const RpcRequest& req, bool change)
{
    const auto w = GetWalletForRequest(context, req);
    std::string label;
    if (!change && req.params.size() > 0 && !req.params[0].is_null()) label = LabelFromValue(req.params[0]);
    if (!w->CanGetAddresses(change)) throw RpcError(RPC_WALLET_ERROR, "Error: This wallet has no available keys");
    const OutputType type = ParseTypeParam(req.params, change ? 0 : 1, OutputType::BECH32);
    std::string error;
    const auto script = w->GetNewScript(type, label, change, error);
    if (!script) throw RpcError(RPC_WALLET_KEYPOOL_RAN_OUT, error);
    return AddressOf(*w, *script);
}

consensus::Script DecodeAddressParam(const Wallet& w, const Json& v)
{
    std::string error;
    auto script = common::DecodeAddress(GetStr(v), w.Params(), &error);
    if (!script) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, error.empty() ? "Invalid address" : error);
    return *script;
}

/** Core's DescribeAddress: what an address's script is (the "embedded" object's own fields). */
void DescribeScriptKind(const consensus::Script& script, Json& out)
{
    int version = 0;
    std::vector<uint8_t> program;
    const bool witness = script.IsWitnessProgram(version, program);
    std::vector<std::vector<uint8_t>> sol;
    const common::TxoutType type = common::SolveScript(script, sol);
    out["isscript"] = type == common::TxoutType::SCRIPTHASH || type == common::TxoutType::WITNESS_V0_SCRIPTHASH ||
                      type == common::TxoutType::WITNESS_V1_TAPROOT;
    out["iswitness"] = witness;
    if (witness) {
        out["witness_version"] = version;
        out["witness_program"] = consensus::HexStr(program);
    }
}

/**
 * Core's DescribeWalletAddressVisitor: what the wallet knows of script's keys and scripts: the
 * public key of a P2PKH or P2WPKH script ("pubkey"; "iscompressed" for P2PKH); the redeem or witness
 * script of a P2SH or P2WSH one ("script", "hex"), described in "embedded" when it is an
 * address's script (its public key also at the top, as Core reports it), or its keys when it is
 * a bare multisig ("sigsrequired", "pubkeys").
 */
void DescribeWalletScript(const Wallet& w, const common::SigningProvider& provider, const consensus::Script& script,
                          Json& out)
{
    std::vector<std::vector<uint8_t>> sol;
    const common::TxoutType type = common::SolveScript(script, sol);
    auto sub_script = [&](const consensus::Script& sub) {
        std::vector<std::vector<uint8_t>> sub_sol;
        const common::TxoutType sub_type = common::SolveScript(sub, sub_sol);
        out["script"] = common::ScriptTypeName(sub_type);
        out["hex"] = consensus::HexStr(sub);
        if (const auto address = common::EncodeAddress(sub, w.Params())) {
            Json embedded = Json::object();
            DescribeScriptKind(sub, embedded);
            DescribeWalletScript(w, provider, sub, embedded);
            embedded["address"] = *address;
            embedded["scriptPubKey"] = consensus::HexStr(sub);
            if (embedded.contains("pubkey")) out["pubkey"] = embedded["pubkey"];
            out["embedded"] = std::move(embedded);
        } else if (sub_type == common::TxoutType::MULTISIG) {
            out["sigsrequired"] = sub_sol.front().empty() ? 0 : sub_sol.front()[0];
            Json keys = Json::array();
            for (size_t i = 1; i + 1 < sub_sol.size(); ++i) keys.push_back(consensus::HexStr(sub_sol[i]));
            out["pubkeys"] = std::move(keys);
        }
    };
    switch (type) {
    case common::TxoutType::PUBKEYHASH:
    case common::TxoutType::WITNESS_V0_KEYHASH:
        if (auto key = provider.GetPubKey(common::KeyId(sol.front()))) {
            out["pubkey"] = consensus::HexStr(*key);
            // Core reports it for P2PKH only (a P2WPKH key is always compressed).
            if (type == common::TxoutType::PUBKEYHASH) out["iscompressed"] = key->size() == 33;
        }
        break;
    case common::TxoutType::SCRIPTHASH:
        if (auto sub = provider.GetScript(common::ScriptId(sol.front()))) sub_script(*sub);
        break;
    case common::TxoutType::WITNESS_V0_SCRIPTHASH: {
        // Found by RIPEMD160 of the program (the witness script's SHA256): its HASH160.
        const auto id = consensus::Ripemd160(sol.front());
        if (auto sub = provider.GetScript(id)) sub_script(*sub);
        break;
    }
    default: break;
    }
}

Json GetAddressInfo(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    std::string error;
    auto script = common::DecodeAddress(GetStr(req.params[0]), w->Params(), &error);
    if (!script) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, error.empty() ? "Invalid address" : error);
    Json r = Json::object();
    r["address"] = AddressOf(*w, *script);
    r["scriptPubKey"] = consensus::HexStr(*script);
    const bool mine = w->IsMine(*script);
    r["ismine"] = mine;
    r["solvable"] = mine;
    const auto info = w->DescribeScript(*script);
    if (info && !info->desc.empty()) r["desc"] = info->desc;
    if (auto parent = w->ParentDescriptor(*script)) {
        r["parent_desc"] = *parent;
    }
    r["iswatchonly"] = false;
    DescribeScriptKind(*script, r);
    if (auto provider = w->GetProvider(*script, /*with_private=*/false))
        DescribeWalletScript(*w, *provider, *script, r);
    r["ischange"] = w->IsChange(*script);
    if (info) {
        r["timestamp"] = info->timestamp;
        // The key origin "[fingerprint/path]" of a single-key descriptor: Core's hdkeypath and hdmasterfingerprint.
        const auto open = info->desc.find('[');
        const auto close = info->desc.find(']', open);
        if (open != std::string::npos && close != std::string::npos &&
            info->desc.find('[', open + 1) == std::string::npos) {
            const std::string origin = info->desc.substr(open + 1, close - open - 1);
            const auto slash = origin.find('/');
            r["hdkeypath"] = "m" + (slash == std::string::npos ? std::string() : origin.substr(slash));
            r["hdmasterfingerprint"] = origin.substr(0, slash);
        }
    }
    Json labels = Json::array();
    if (auto label = w->GetLabel(*script)) labels.push_back(*label);
    r["labels"] = std::move(labels);
    return r;
}

Json SetLabel(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    const consensus::Script script = DecodeAddressParam(*w, req.params[0]);
    const std::string label = LabelFromValue(req.params[1]);
    std::string error;
    if (!w->SetLabel(script, label, error)) throw RpcError(RPC_WALLET_ERROR, error);
    return Json();
}

Json ListLabels(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    std::set<std::string> labels;
    for (const auto& [script, label] : w->Labels()) labels.insert(label);
    Json r = Json::array();
    for (const auto& l : labels) r.push_back(l);
    return r;
}

Json GetAddressesByLabel(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    const std::string label = LabelFromValue(req.params[0]);
    Json r = Json::object();
    for (const auto& [script, l] : w->Labels()) {
        if (l != label) continue;
        Json purpose = Json::object();
        purpose["purpose"] = "receive";
        r[AddressOf(*w, script)] = std::move(purpose);
    }
    if (r.empty()) throw RpcError(RPC_WALLET_INVALID_LABEL_NAME, "No addresses with label " + label);
    return r;
}

Json ListDescriptors(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    const bool priv = ParamOr<bool>(req.params, 0, false);
    if (priv && w->HasFlag(WALLET_FLAG_DISABLE_PRIVATE_KEYS)) {
        throw RpcError(RPC_WALLET_ERROR, "Can't get private descriptor string for watch-only wallets");
    }
    if (priv) EnsureWalletIsUnlocked(*w);
    auto descs = w->Descriptors();
    std::vector<std::tuple<std::string, WalletDescriptor, bool>> shown;
    for (auto& [d, active] : descs) {
        std::string text = d.descriptor;
        if (priv) {
            // Core's GetDescriptorString(priv=true): a descriptor without its secrets cannot be shown so.
            auto p = w->PrivateDescriptor(d.descriptor);
            if (!p) throw RpcError(RPC_WALLET_ERROR, "Can't get descriptor string.");
            text = std::move(*p);
        }
        shown.emplace_back(std::move(text), d, active);
    }
    std::sort(shown.begin(), shown.end(), [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
    Json list = Json::array();
    for (const auto& [text, d, active] : shown) {
        Json e = Json::object();
        e["desc"] = text;
        e["timestamp"] = d.creation_time;
        e["active"] = active;
        if (active) e["internal"] = d.internal;
        std::string error;
        const auto parsed = common::ParseDescriptor(d.descriptor, w->Params(), error);
        if (!parsed || parsed->IsRange()) {
            // The range watched (inclusive): from the import's start up to the keypool past the
            // next index, or the import's end (DescriptorSpkm::WatchedEnd).
            Json range = Json::array();
            range.push_back(d.range_start);
            range.push_back(WatchedEnd(d, /*ranged=*/true, w->Keypool()) - 1);
            e["range"] = std::move(range);
            e["next"] = d.next_index;
            e["next_index"] = d.next_index;
        }
        list.push_back(std::move(e));
    }
    Json r = Json::object();
    r["wallet_name"] = w->Name();
    r["descriptors"] = std::move(list);
    return r;
}

} // namespace

void RegisterAddressRpc(RpcTable& table, WalletContext& context)
{
    const WalletContext* ctx = &context;
    const std::string types =
        "The address type to use. Options are \"legacy\", \"p2sh-segwit\", \"bech32\", and \"bech32m\".";
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "getnewaddress",
        .args =
            {Arg("label", A::STR, true, "\"\"",
                 "The label name for the address to be linked to. It can also be set to the empty string \"\" to represent the default label. The label does not need to exist, it will be created if there is no label by the given name."),
             Arg("address_type", A::STR, true, "set by -addresstype", types)},
        .description = "Returns a new Bitcoin address for receiving payments.\n"
                       "If 'label' is specified, it is added to the address book \n"
                       "so payments received with the address will be associated with 'label'.",
        .examples = HelpExampleCli("getnewaddress", "") + HelpExampleRpc("getnewaddress", ""),
        .handler = [ctx](const RpcRequest& req) { return NewAddress(*ctx, req, false); },
        .results = {Res(T::STR, "address", "The new bitcoin address")},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "getrawchangeaddress",
        .args = {Arg("address_type", A::STR, true, "set by -changetype", types)},
        .description = "Returns a new Bitcoin address, for receiving change.\n"
                       "This is for use with raw transactions, NOT normal use.",
        .examples = HelpExampleCli("getrawchangeaddress", "") + HelpExampleRpc("getrawchangeaddress", ""),
        .handler = [ctx](const RpcRequest& req) { return NewAddress(*ctx, req, true); },
        .results = {Res(T::STR, "address", "The address")},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "getaddressinfo",
        .args = {Arg("address", A::STR, false, "", "The bitcoin address for which to get information.")},
        .description = "Return information about the given bitcoin address.\n"
                       "Some of the information will only be present if the address is in the active wallet.",
        .examples = HelpExampleCli("getaddressinfo", "\"bcrt1q09vm5lfy0j5reeulh4x5752q25uqqvz34hufdl\""),
        .handler = [ctx](const RpcRequest& req) { return GetAddressInfo(*ctx, req); },
        .results = {Res(
            T::OBJ, "", "", false,
            {Res(T::STR, "address", "The bitcoin address validated."),
             Res(T::STR_HEX, "scriptPubKey", "The hex-encoded output script generated by the address."),
             Res(T::BOOL, "ismine", "If the address is yours."),
             Res(T::BOOL, "iswatchonly", "(DEPRECATED) Always false."),
             Res(T::BOOL, "solvable",
                 "If we know how to spend coins sent to this address, ignoring the possible lack of private keys."),
             Res(T::STR, "desc", "A descriptor for spending coins sent to this address (only when solvable).", true),
             Res(T::STR, "parent_desc", "The descriptor used to derive this address if this is a descriptor wallet",
                 true),
             Res(T::BOOL, "isscript", "If the key is a script."),
             Res(T::BOOL, "ischange", "If the address was used for change output."),
             Res(T::BOOL, "iswitness", "If the address is a witness address."),
             Res(T::NUM, "witness_version", "The version number of the witness program.", true),
             Res(T::STR_HEX, "witness_program", "The hex value of the witness program.", true),
             Res(T::STR, "script",
                 "The output script type. Only if isscript is true and the redeemscript is known. Possible\n"
                 "types: nonstandard, pubkey, pubkeyhash, scripthash, multisig, nulldata, witness_v0_keyhash,\n"
                 "witness_v0_scripthash, witness_unknown.",
                 true),
             Res(T::STR_HEX, "hex", "The redeemscript for the p2sh address.", true),
             Res(T::ARR, "pubkeys",
                 "Array of pubkeys associated with the known redeemscript (only if script is multisig).", true,
                 {Res(T::STR, "pubkey", "")}),
             Res(T::NUM, "sigsrequired",
                 "The number of signatures required to spend multisig output (only if script is multisig).", true),
             Res(T::STR_HEX, "pubkey",
                 "The hex value of the raw public key for single-key addresses (possibly embedded in P2SH or P2WSH).",
                 true),
             Res(T::OBJ, "embedded", "Information about the address embedded in P2SH or P2WSH, if relevant and known.",
                 true,
                 {Res(T::ELISION, "",
                      "Includes all getaddressinfo output fields for the embedded address, excluding metadata "
                      "(timestamp, hdkeypath, hdseedid)\nand relation to the wallet (ismine, iswatchonly).")}),
             Res(T::BOOL, "iscompressed", "If the pubkey is compressed.", true),
             Res(T::NUM_TIME, "timestamp", "The creation time of the key, if available, expressed in UNIX epoch time.",
                 true),
             Res(T::STR, "hdkeypath", "The HD keypath, if the key is HD and available.", true),
             Res(T::STR_HEX, "hdmasterfingerprint", "The fingerprint of the master key.", true),
             Res(T::ARR, "labels",
                 "Array of labels associated with the address. Currently limited to one label but returned as an array to keep the API stable if multiple labels are enabled in the future.",
                 false, {Res(T::STR, "label name", "Label name (defaults to \"\").")})})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "setlabel",
        .args = {Arg("address", A::STR, false, "", "The bitcoin address to be associated with a label."),
                 Arg("label", A::STR, false, "", "The label to assign to the address.")},
        .description = "Sets the label associated with the given address.",
        .handler = [ctx](const RpcRequest& req) { return SetLabel(*ctx, req); },
        .results = {Res(T::NONE, "", "")},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "listlabels",
        .args = {Arg(
            "purpose", A::STR, true, "",
            "Address purpose to list labels for ('send','receive'). An empty string is the same as not providing this argument.")},
        .description =
            "Returns the list of all labels, or labels that are assigned to addresses with a specific purpose.",
        .handler = [ctx](const RpcRequest& req) { return ListLabels(*ctx, req); },
        .results = {Res(T::ARR, "", "", false, {Res(T::STR, "label", "Label name")})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "getaddressesbylabel",
        .args = {Arg("label", A::STR, false, "", "The label.")},
        .description = "Returns the list of addresses assigned the specified label.",
        .handler = [ctx](const RpcRequest& req) { return GetAddressesByLabel(*ctx, req); },
        .results = {Res(
            T::OBJ_DYN, "", "json object with addresses as keys", false,
            {Res(T::OBJ, "address", "json object with information about address", false,
                 {Res(T::STR, "purpose",
                      "Purpose of address (\"send\" for sending address, \"receive\" for receiving address)")})})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "listdescriptors",
        .args = {Arg("private", A::BOOL, true, "false", "Show private descriptors.")},
        .description = "List descriptors imported into a descriptor-enabled wallet.",
        .handler = [ctx](const RpcRequest& req) { return ListDescriptors(*ctx, req); },
        .results = {Res(
            T::OBJ, "", "", false,
            {Res(T::STR, "wallet_name", "Name of wallet this operation was performed on"),
             Res(T::ARR, "descriptors", "Array of descriptor objects (sorted by descriptor string representation)",
                 false,
                 {Res(
                     T::OBJ, "", "", false,
                     {Res(T::STR, "desc", "Descriptor string representation"),
                      Res(T::NUM, "timestamp", "The creation time of the descriptor"),
                      Res(T::BOOL, "active", "Whether this descriptor is currently used to generate new addresses"),
                      Res(T::BOOL, "internal",
                          "True if this descriptor is used to generate change addresses. False if this descriptor is used to generate receiving addresses; defined only for active descriptors",
                          true),
                      Res(T::ARR_FIXED, "range", "Defined only for ranged descriptors", true,
                          {Res(T::NUM, "", "Range start inclusive"), Res(T::NUM, "", "Range end inclusive")}),
                      Res(T::NUM, "next", "Same as next_index field. Kept for compatibility reason.", true),
                      Res(T::NUM, "next_index",
                          "The next index to generate addresses from; defined only for ranged descriptors",
                          true)})})})},
    });
}

} // namespace wallet::rpc
