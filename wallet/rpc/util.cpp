#include "wallet/rpc/util.h"

#include "common/key_io.h"

namespace wallet::rpc {

std::shared_ptr<Wallet> GetWalletForRequest(const WalletContext& context, const RpcRequest& req)
{
    if (auto name = req.WalletName()) {
        auto w = context.Get(*name);
        if (!w) throw RpcError(RPC_WALLET_NOT_FOUND, "Requested wallet does not exist or is not loaded");
        return w;
    }
    const auto all = context.All();
    if (all.size() == 1) return all.front();
    if (all.empty()) {
        throw RpcError(RPC_WALLET_NOT_FOUND, "No wallet is loaded. Load a wallet using loadwallet or create a new one "
                                             "with createwallet. (Note: A default wallet is no longer automatically "
                                             "created)");
    }
    throw RpcError(RPC_WALLET_NOT_SPECIFIED, "Multiple wallets are loaded. Please select which wallet to use by "
                                             "requesting the RPC through the /wallet/<walletname> URI path.");
}

bool AvoidReuseParam(const Wallet& w, const Json& params, size_t i)
{
    const bool can_avoid_reuse = w.HasFlag(WALLET_FLAG_AVOID_REUSE);
    const bool avoid_reuse = Given(params, i) ? GetBool(params[i]) : can_avoid_reuse;
    if (avoid_reuse && !can_avoid_reuse) {
        throw RpcError(RPC_WALLET_ERROR, "wallet does not have the \"avoid reuse\" feature enabled");
    }
    return avoid_reuse;
}

Json LastProcessedBlockJson(const SyncPoint& last)
{
    Json lpb = Json::object();
    lpb["hash"] = last.hash.GetHex();
    lpb["height"] = last.height;
    return lpb;
}

RpcResult LastProcessedBlockDoc()
{
    return Res(RpcResultType::OBJ, "lastprocessedblock",
               "hash and height of the block this information was generated on", false,
               {Res(RpcResultType::STR_HEX, "hash", "hash of the block this information was generated on"),
                Res(RpcResultType::NUM, "height", "height of the block this information was generated on")});
}

std::string AddressOf(const Wallet& wallet, const consensus::Script& script)
{
    return common::EncodeAddress(script, wallet.Params()).value_or("");
}

std::string LabelFromValue(const Json& value)
{
    const std::string& label = GetStr(value);
    if (label == "*") throw RpcError(RPC_WALLET_INVALID_LABEL_NAME, "Invalid label name");
    return label;
}

void RegisterWalletRpc(RpcTable& table, WalletContext& context)
{
    RegisterWalletManagementRpc(table, context);
    RegisterAddressRpc(table, context);
    RegisterCoinsRpc(table, context);
    RegisterTransactionRpc(table, context);
    RegisterSpendRpc(table, context);
    RegisterSignMessageRpc(table, context);
    RegisterReceivedRpc(table, context);
    RegisterRestoreRpc(table, context);
    RegisterEncryptRpc(table, context);
    RegisterBumpRpc(table, context);
    RegisterSendRpc(table, context);
    RegisterBackupRpc(table, context);
    RegisterPsbtRpc(table, context);
}

} // namespace wallet::rpc
