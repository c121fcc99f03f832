// Wallet management methods (Core's wallet/rpc/wallet.cpp): createwallet, loadwallet,
// unloadwallet, listwallets, listwalletdir, getwalletinfo, setwalletflag, backupwallet.
#include "wallet/rpc/util.h"

#include "wallet/walletutil.h"

#include <set>

namespace wallet::rpc {

namespace {

using T = RpcResultType;
using A = RpcArgType;

Json NameResult(const std::string& name)
{
    Json r = Json::object();
    r["name"] = name;
    return r;
}

std::vector<RpcResult> NameResults(const std::string& what)
{
    return {Res(T::OBJ, "", "", false,
                {Res(T::STR, "name", "The wallet name if " + what + " successfully."),
                 Res(T::ARR, "warnings", "Warning messages, if any, related to " + what + " the wallet.", true,
                     {Res(T::STR, "", "")})})};
}

} // namespace

void ApplyLoadOnStartup(WalletContext& context, const Json& params, size_t index, const std::string& name, Json& result)
{
    if (params.size() <= index || params[index].is_null()) return;
    std::string error;
    if (!context.SetLoadOnStartup(name, GetBool(params[index]), error)) {
        if (!result.contains("warnings")) result["warnings"] = Json::array();
        result["warnings"].push_back(
            "Wallet load on startup setting could not be updated, so wallet may not be loaded next node startup.");
    }
}

namespace {

Json CreateWallet(WalletContext& context, const RpcRequest& req)
{
    const std::string name = GetStr(req.params[0]);
    CreateOptions options;
    options.disable_private_keys = ParamOr<bool>(req.params, 1, false);
    options.blank = ParamOr<bool>(req.params, 2, false);
    options.passphrase.reserve(100); // on the heap, wiped when freed
    const bool passphrase_given = req.params.size() > 3 && !req.params[3].is_null();
    if (passphrase_given) {
        const std::string& p = GetStr(req.params[3]);
        options.passphrase.assign(p.begin(), p.end());
    }
    options.avoid_reuse = ParamOr<bool>(req.params, 4, false);
    if (!ParamOr<bool>(req.params, 5, true)) {
        throw RpcError(
            RPC_WALLET_ERROR,
            "descriptors argument must be set to \"true\"; it is no longer possible to create a legacy wallet.");
    }
    if (ParamOr<bool>(req.params, 7, false)) {
        throw RpcError(RPC_WALLET_ERROR, "Compiled without external signing support (required for external signing)");
    }
    // Core: a passphrase only encrypts private keys, so none with disable_private_keys (-4).
    if (!options.passphrase.empty() && options.disable_private_keys) {
        throw RpcError(RPC_WALLET_ERROR, "Passphrase provided but private keys are disabled. A passphrase is only used "
                                         "to encrypt private keys, so cannot be used for wallets with private keys "
                                         "disabled.");
    }
    const bool empty_passphrase = passphrase_given && options.passphrase.empty();
    int code = 0;
    std::string error;
    auto w = context.Create(name, options, code, error);
    if (!w) throw RpcError(static_cast<RpcErrorCode>(code), error);
    Json r = NameResult(w->Name());
    if (empty_passphrase) {
        r["warnings"] = Json::array({"Empty string given as passphrase, wallet will not be encrypted."});
    }
    ApplyLoadOnStartup(context, req.params, 6, w->Name(), r);
    return r;
}

Json LoadWallet(WalletContext& context, const RpcRequest& req)
{
    int code = 0;
    std::string error;
    auto w = context.Load(GetStr(req.params[0]), code, error);
    if (!w) throw RpcError(static_cast<RpcErrorCode>(code), error);
    Json r = NameResult(w->Name());
    ApplyLoadOnStartup(context, req.params, 1, w->Name(), r);
    return r;
}

Json UnloadWallet(WalletContext& context, const RpcRequest& req)
{
    std::string name;
    if (auto from_uri = req.WalletName()) {
        if (req.params.size() > 0 && !req.params[0].is_null() && GetStr(req.params[0]) != *from_uri) {
            throw RpcError(RPC_INVALID_PARAMETER,
                           "RPC endpoint wallet and wallet_name parameter specify different wallets");
        }
        name = *from_uri;
    } else {
        if (req.params.size() == 0 || req.params[0].is_null()) {
            throw RpcError(RPC_INVALID_PARAMETER,
                           "Either the RPC endpoint wallet or the wallet name parameter must be provided");
        }
        name = GetStr(req.params[0]);
    }
    if (!context.Unload(name)) throw RpcError(RPC_WALLET_NOT_FOUND, "Requested wallet does not exist or is not loaded");
    Json r = Json::object();
    ApplyLoadOnStartup(context, req.params, 1, name, r);
    return r;
}

Json ListWallets(const WalletContext& context)
{
    Json r = Json::array();
    for (const auto& w : context.All()) r.push_back(w->Name());
    return r;
}

Json ListWalletDir(const WalletContext& context)
{
    Json wallets = Json::array();
    for (const auto& name : wallet::ListWalletDir(context.Dir())) {
        Json w = Json::object();
        w["name"] = name;
        wallets.push_back(std::move(w));
    }
    Json r = Json::object();
    r["wallets"] = std::move(wallets);
    return r;
}

Json GetWalletInfo(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    const uint64_t flags = w->Flags();
    const auto [external, internal] = w->KeypoolSizes();
    const SyncPoint last = w->LastBlock();
    Json r = Json::object();
    r["walletname"] = w->Name();
    r["walletversion"] = 169900;
    r["format"] = "leveldb";
    r["txcount"] = w->TxCount();
    r["keypoolsize"] = external;
    if (!(flags & WALLET_FLAG_DISABLE_PRIVATE_KEYS)) r["keypoolsize_hd_internal"] = internal;
    // Core: present only for an encrypted wallet; 0 while locked.
    if (w->IsCrypted()) r["unlocked_until"] = w->UnlockedUntil();
    r["paytxfee"] = ValueFromAmount(w->PayTxFee().SatsPerKvB());
    r["private_keys_enabled"] = !(flags & WALLET_FLAG_DISABLE_PRIVATE_KEYS);
    r["avoid_reuse"] = (flags & WALLET_FLAG_AVOID_REUSE) != 0;
    r["scanning"] = false;
    r["descriptors"] = true;
    r["external_signer"] = false;
    r["blank"] = (flags & WALLET_FLAG_BLANK_WALLET) != 0;
    // Core's names (WALLET_FLAG_TO_STRING), in the order of the flags' bits. Core sets
    // last_hardened_xpub_cached on every descriptor wallet it loads; ours derive from the
    // stored account xpubs in the same way.
    Json names = Json::array();
    if (flags & WALLET_FLAG_AVOID_REUSE) names.push_back("avoid_reuse");
    names.push_back("last_hardened_xpub_cached");
    if (flags & WALLET_FLAG_DISABLE_PRIVATE_KEYS) names.push_back("disable_private_keys");
    if (flags & WALLET_FLAG_BLANK_WALLET) names.push_back("blank");
    names.push_back("descriptor_wallet");
    r["flags"] = std::move(names);
    r["lastprocessedblock"] = LastProcessedBlockJson(last);
    return r;
}

Json BackupWallet(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    std::string error;
    if (!w->Database().Backup(GetStr(req.params[0]), error)) throw RpcError(RPC_WALLET_ERROR, error);
    return Json();
}

Json SetWalletFlag(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    const std::string name = GetStr(req.params[0]);
    const bool value = !Given(req.params, 1) || GetBool(req.params[1]);
    // Core's WALLET_FLAG_MAP; only avoid_reuse may change after creation (MUTABLE_WALLET_FLAGS).
    static const std::set<std::string> known{"avoid_reuse",          "blank",
                                             "key_origin_metadata",  "last_hardened_xpub_cached",
                                             "disable_private_keys", "descriptor_wallet",
                                             "external_signer"};
    if (!known.contains(name)) throw RpcError(RPC_INVALID_PARAMETER, "Unknown wallet flag: " + name);
    if (name != "avoid_reuse") throw RpcError(RPC_INVALID_PARAMETER, "Wallet flag is immutable: " + name);
    if (w->HasFlag(WALLET_FLAG_AVOID_REUSE) == value) {
        throw RpcError(RPC_INVALID_PARAMETER,
                       std::string("Wallet flag is already set to ") + (value ? "true" : "false") + ": " + name);
    }
    std::string error;
    if (!w->SetAvoidReuse(value, error)) throw RpcError(RPC_WALLET_ERROR, error);
    Json r = Json::object();
    r["flag_name"] = name;
    r["flag_state"] = value;
    // Core's WALLET_FLAG_CAVEATS: addresses spent from before the flag was set are not known as used.
    if (value) {
        r["warnings"] = "You need to rescan the blockchain in order to correctly mark used destinations in the past. "
                        "Until this is done, some destinations may be considered unused, even if the opposite is the "
                        "case.";
    }
    return r;
}

} // namespace

void RegisterWalletManagementRpc(RpcTable& table, WalletContext& context)
{
    WalletContext* ctx = &context;
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "createwallet",
        .args =
            {Arg("wallet_name", A::STR, false, "",
                 "The name for the new wallet. If this is a path, the wallet will be created at the path location."),
             Arg("disable_private_keys", A::BOOL, true, "false",
                 "Disable the possibility of private keys (only watchonlys are possible in this mode)."),
             Arg("blank", A::BOOL, true, "false", "Create a blank wallet. A blank wallet has no keys."),
             Arg("passphrase", A::STR, true, "", "Encrypt the wallet with this passphrase."),
             Arg("avoid_reuse", A::BOOL, true, "false",
                 "Keep track of coin reuse, and treat dirty and clean coins differently with privacy considerations in mind."),
             Arg("descriptors", A::BOOL, true, "true", "If set, must be \"true\""),
             Arg("load_on_startup", A::BOOL, true, "",
                 "Save wallet name to persistent settings and load on startup. True to add wallet to startup list, false to remove, null to leave unchanged."),
             Arg("external_signer", A::BOOL, true, "false",
                 "Use an external signer such as a hardware wallet. Requires -signer to be configured.")},
        .description = "Creates and loads a new wallet.",
        .examples = HelpExampleCli("createwallet", "\"testwallet\"") + HelpExampleRpc("createwallet", "\"testwallet\""),
        .handler = [ctx](const RpcRequest& req) { return CreateWallet(*ctx, req); },
        .results = NameResults("created"),
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "loadwallet",
        .args =
            {Arg("filename", A::STR, false, "",
                 "The path to the directory of the wallet to be loaded, either absolute or relative to the \"wallets\" directory."),
             Arg("load_on_startup", A::BOOL, true, "",
                 "Save wallet name to persistent settings and load on startup. True to add wallet to startup list, false to remove, null to leave unchanged.")},
        .description = "Loads a wallet from a wallet file or directory.\n"
                       "Note that all wallet command-line options used when starting minicashd will be\n"
                       "applied to the new wallet.",
        .examples = HelpExampleCli("loadwallet", "\"test.dat\"") + HelpExampleRpc("loadwallet", "\"test.dat\""),
        .handler = [ctx](const RpcRequest& req) { return LoadWallet(*ctx, req); },
        .results = NameResults("loaded"),
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "unloadwallet",
        .args =
            {Arg("wallet_name", A::STR, true, "the wallet name from the RPC endpoint",
                 "The name of the wallet to unload. If provided both here and in the RPC endpoint, the two must be identical."),
             Arg("load_on_startup", A::BOOL, true, "",
                 "Save wallet name to persistent settings and load on startup. True to add wallet to startup list, false to remove, null to leave unchanged.")},
        .description = "Unloads the wallet referenced by the request endpoint or the wallet_name argument.\n"
                       "If both are specified, they must be identical.",
        .examples = HelpExampleCli("unloadwallet", "wallet_name") + HelpExampleRpc("unloadwallet", "wallet_name"),
        .handler = [ctx](const RpcRequest& req) { return UnloadWallet(*ctx, req); },
        .results = {Res(T::OBJ, "", "", false,
                        {Res(T::ARR, "warnings", "Warning messages, if any, related to unloading the wallet.", true,
                             {Res(T::STR, "", "")})})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "listwallets",
        .description = "Returns a list of currently loaded wallets.\n"
                       "For full information on the wallet, use \"getwalletinfo\"",
        .examples = HelpExampleCli("listwallets", "") + HelpExampleRpc("listwallets", ""),
        .handler = [ctx](const RpcRequest&) { return ListWallets(*ctx); },
        .results = {Res(T::ARR, "", "", false, {Res(T::STR, "walletname", "the wallet name")})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "listwalletdir",
        .description = "Returns a list of wallets in the wallet directory.",
        .examples = HelpExampleCli("listwalletdir", "") + HelpExampleRpc("listwalletdir", ""),
        .handler = [ctx](const RpcRequest&) { return ListWalletDir(*ctx); },
        .results = {Res(T::OBJ, "", "", false,
                        {Res(T::ARR, "wallets", "", false,
                             {Res(T::OBJ, "", "", false,
                                  {Res(T::STR, "name", "The wallet name"),
                                   Res(T::ARR, "warnings", "Warning messages, if any, related to loading the wallet.",
                                       true, {Res(T::STR, "", "")})})})})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "getwalletinfo",
        .description = "Returns an object containing various wallet state info.",
        .examples = HelpExampleCli("getwalletinfo", "") + HelpExampleRpc("getwalletinfo", ""),
        .handler = [ctx](const RpcRequest& req) { return GetWalletInfo(*ctx, req); },
        .results = {Res(
            T::OBJ, "", "", false,
            {Res(T::STR, "walletname", "the wallet name"), Res(T::NUM, "walletversion", "the wallet version"),
             Res(T::STR, "format", "the database format (leveldb)"),
             Res(T::NUM, "txcount", "the total number of transactions in the wallet"),
             Res(T::NUM, "keypoolsize", "how many new keys are pre-generated (only counts external keys)"),
             Res(T::NUM, "keypoolsize_hd_internal",
                 "how many new keys are pre-generated for internal use (used for change outputs, only appears if the wallet is using this feature, otherwise external keys are used)",
                 true),
             Res(T::NUM_TIME, "unlocked_until",
                 "the UNIX epoch time until which the wallet is unlocked for transfers, or 0 if the wallet is locked "
                 "(only present for passphrase-encrypted wallets)",
                 true),
             Res(T::STR_AMOUNT, "paytxfee", "the transaction fee configuration, set in BTC/kvB"),
             Res(T::BOOL, "private_keys_enabled",
                 "false if privatekeys are disabled for this wallet (enforced watch-only wallet)"),
             Res(T::BOOL, "avoid_reuse", "whether this wallet tracks clean/dirty coins in terms of reuse"),
             Res(T::ANY, "scanning", "current scanning details, or false if no scan is in progress"),
             Res(T::BOOL, "descriptors", "whether this wallet uses descriptors for output script management"),
             Res(T::BOOL, "external_signer",
                 "whether this wallet is configured to use an external signer such as a hardware wallet"),
             Res(T::BOOL, "blank",
                 "Whether this wallet intentionally does not contain any keys, scripts, or descriptors"),
             Res(T::ARR, "flags", "The flags currently set on the wallet", false,
                 {Res(T::STR, "", "The name of the flag")}),
             LastProcessedBlockDoc()})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "setwalletflag",
        .args = {Arg("flag", A::STR, false, "", "The name of the flag to change. Current available flags: avoid_reuse"),
                 Arg("value", A::BOOL, true, "true", "The new state.")},
        .description = "Change the state of the given wallet flag for a wallet.",
        .examples = HelpExampleCli("setwalletflag", "avoid_reuse") + HelpExampleRpc("setwalletflag", "\"avoid_reuse\""),
        .handler = [ctx](const RpcRequest& req) { return SetWalletFlag(*ctx, req); },
        .results = {Res(T::OBJ, "", "", false,
                        {Res(T::STR, "flag_name", "The name of the flag that was modified"),
                         Res(T::BOOL, "flag_state", "The new state of the flag"),
                         Res(T::STR, "warnings", "Any warnings associated with the change", true)})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "backupwallet",
        .args = {Arg("destination", A::STR, false, "", "The destination directory or file")},
        .description =
            "Safely copies the current wallet file to the specified destination, which can either be a directory or a path with a filename.",
        .examples = HelpExampleCli("backupwallet", "\"backup.dat\"") + HelpExampleRpc("backupwallet", "\"backup.dat\""),
        .handler = [ctx](const RpcRequest& req) { return BackupWallet(*ctx, req); },
        .results = {Res(T::NONE, "", "")},
    });
}

} // namespace wallet::rpc
