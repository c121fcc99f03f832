// restorewallet (Core's wallet/rpc/backup.cpp), gethdkeys (Core's wallet/rpc/wallet.cpp) and
// walletdisplayaddress, which needs an external signer minicash does not support (Core's
// error for a wallet without one).
#include "wallet/rpc/util.h"

#include "common/key_io.h"

namespace wallet::rpc {

namespace {

using T = RpcResultType;
using A = RpcArgType;

Json RestoreWallet(WalletContext& context, const RpcRequest& req)
{
    const std::string name = GetStr(req.params[0]);
    const std::filesystem::path backup = std::filesystem::absolute(GetStr(req.params[1]));
    int code = 0;
    std::string error;
    auto w = context.Restore(name, backup, code, error);
    if (!w) throw RpcError(static_cast<RpcErrorCode>(code), error);
    Json r = Json::object();
    r["name"] = w->Name();
    ApplyLoadOnStartup(context, req.params, 2, w->Name(), r);
    return r;
}

Json WalletDisplayAddress(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    if (!common::DecodeAddress(GetStr(req.params[0]), w->Params())) {
        throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid address");
    }
    // Core's DisplayAddress finds no external-signer descriptor for it (minicash has no external signers).
    throw RpcError(RPC_MISC_ERROR, "There is no ScriptPubKeyManager for this address");
}

Json GetHdKeys(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    bool active_only = false;
    bool priv = false;
    if (req.params.size() > 0 && !req.params[0].is_null()) {
        const Json& options = req.params[0];
        if (options.contains("active_only")) active_only = GetBool(options["active_only"]);
        if (options.contains("private")) priv = GetBool(options["private"]);
    }
    if (priv) EnsureWalletIsUnlocked(*w);
    Json r = Json::array();
    for (const auto& key : w->HdKeys(active_only)) {
        Json o = Json::object();
        o["xpub"] = key.xpub;
        o["has_private"] = key.has_private;
        if (priv && key.xprv) o["xprv"] = *key.xprv;
        Json descs = Json::array();
        for (const auto& [desc, active] : key.descriptors) {
            Json d = Json::object();
            d["desc"] = desc;
            d["active"] = active;
            descs.push_back(std::move(d));
        }
        o["descriptors"] = std::move(descs);
        r.push_back(std::move(o));
    }
    return r;
}

} // namespace

void RegisterRestoreRpc(RpcTable& table, WalletContext& context)
{
    WalletContext* ctx = &context;
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "restorewallet",
        .args =
            {Arg("wallet_name", A::STR, false, "", "The name that will be applied to the restored wallet"),
             Arg("backup_file", A::STR, false, "",
                 "The backup file (a backupwallet destination folder) that will be used to restore the wallet."),
             Arg("load_on_startup", A::BOOL, true, "",
                 "Save wallet name to persistent settings and load on startup. True to add wallet to startup list, false to remove, null to leave unchanged.")},
        .description = "Restores and loads a wallet from backup.\n\n"
                       "The rescan is significantly faster if block filters are available\n"
                       "(using startup option \"-blockfilterindex=1\").",
        .examples = HelpExampleCli("restorewallet", "\"testwallet\" \"home\\\\backups\\\\backup-file.bak\""),
        .handler = [ctx](const RpcRequest& req) { return RestoreWallet(*ctx, req); },
        .results = {Res(
            T::OBJ, "", "", false,
            {Res(T::STR, "name", "The wallet name if restored successfully."),
             Res(T::ARR, "warnings", "Warning messages, if any, related to restoring and loading the wallet.", true,
                 {Res(T::STR, "", "")})})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "gethdkeys",
        .args = {RpcArg{
            .name = "options",
            .type = A::OBJ,
            .optional = true,
            .description = "",
            .inner = {Arg("active_only", A::BOOL, true, "false", "Show the keys for only active descriptors"),
                      Arg("private", A::BOOL, true, "false", "Show private keys")}}},
        .description = "List all BIP 32 HD keys in the wallet and which descriptors use them.",
        .examples = HelpExampleCli("gethdkeys", "") +
                    HelpExampleCli("gethdkeys", "'{\"active_only\": true, \"private\": true}'"),
        .handler = [ctx](const RpcRequest& req) { return GetHdKeys(*ctx, req); },
        .results = {Res(
            T::ARR, "", "", false,
            {Res(T::OBJ, "", "", false,
                 {Res(T::STR, "xpub", "The extended public key"),
                  Res(T::BOOL, "has_private", "Whether the wallet has the private key for this xpub"),
                  Res(T::STR, "xprv", "The extended private key if \"private\" is true", true),
                  Res(T::ARR, "descriptors", "Array of descriptor objects that use this HD key", false,
                      {Res(T::OBJ, "", "", false,
                           {Res(T::STR, "desc", "Descriptor string representation"),
                            Res(T::BOOL, "active",
                                "Whether this descriptor is currently used to generate new addresses")})})})})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "walletdisplayaddress",
        .args = {Arg("address", A::STR, false, "", "bitcoin address to display")},
        .description = "Display address on an external signer for verification.",
        .handler = [ctx](const RpcRequest& req) { return WalletDisplayAddress(*ctx, req); },
        .results = {Res(T::OBJ, "", "", false, {Res(T::STR, "address", "The address as confirmed by the signer")})},
    });
}

} // namespace wallet::rpc
