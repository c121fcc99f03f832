// signmessage (Core's wallet/rpc/signmessage.cpp): the message scheme of common/message.h
// with the key of one of the wallet's P2PKH addresses.
#include "wallet/rpc/util.h"

#include "common/key_io.h"
#include "common/message.h"
#include "common/solver.h"

namespace wallet::rpc {

namespace {

Json SignMessage(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    EnsureWalletIsUnlocked(*w);
    const std::string& address = GetStr(req.params[0]);
    const std::string& message = GetStr(req.params[1]);
    const auto script = common::DecodeAddress(address, w->Params());
    if (!script) throw RpcError(RPC_TYPE_ERROR, "Invalid address");
    std::vector<std::vector<uint8_t>> solutions;
    if (common::SolveScript(*script, solutions) != common::TxoutType::PUBKEYHASH) {
        throw RpcError(RPC_TYPE_ERROR, "Address does not refer to key");
    }
    const auto provider = w->GetProvider(*script, true);
    const auto key = provider ? provider->GetKey(common::KeyId(solutions[0])) : std::nullopt;
    if (!key) throw RpcError(RPC_WALLET_ERROR, "Private key not available");
    const auto signature = common::MessageSign(*key, message);
    if (!signature) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Sign failed");
    return *signature;
}

} // namespace

void RegisterSignMessageRpc(RpcTable& table, WalletContext& context)
{
    const WalletContext* ctx = &context;
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "signmessage",
        .args = {Arg("address", RpcArgType::STR, false, "", "The bitcoin address to use for the private key."),
                 Arg("message", RpcArgType::STR, false, "", "The message to create a signature of.")},
        .description = "Sign a message with the private key of an address",
        .examples = HelpExampleCli("signmessage", "\"mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB\" \"my message\""),
        .handler = [ctx](const RpcRequest& req) { return SignMessage(*ctx, req); },
        .results = {Res(RpcResultType::STR, "signature", "The signature of the message encoded in base 64")},
    });
}

} // namespace wallet::rpc
