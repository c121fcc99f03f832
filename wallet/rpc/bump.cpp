// bumpfee and psbtbumpfee (Core's wallet/rpc/spend.cpp bumpfee_helper) over wallet/feebumper.
#include "wallet/rpc/util.h"

#include "common/psbt.h"
#include "common/rpc/outputs.h"
#include "util/logging.h"
#include "wallet/feebumper.h"

namespace wallet::rpc {

namespace {

using T = RpcResultType;
using A = RpcArgType;
using consensus::Amount;

/** The options object's known keys with their JSON types (Core's RPCTypeCheckObj, strict). */
void CheckOptions(const Json& options, const std::vector<std::pair<std::string, std::string>>& known)
{
    CheckType(options, "object");
    for (auto it = options.begin(); it != options.end(); ++it) {
        auto k = std::find_if(known.begin(), known.end(), [&](const auto& p) { return p.first == it.key(); });
        if (k == known.end()) throw RpcError(RPC_TYPE_ERROR, "Unexpected key " + it.key());
        if (!k->second.empty() && !it.value().is_null()) CheckType(it.value(), k->second);
    }
}

Json BumpFee(const WalletContext& context, const RpcRequest& req, bool want_psbt)
{
    const auto w = GetWalletForRequest(context, req);
    if (w->HasFlag(WALLET_FLAG_DISABLE_PRIVATE_KEYS) && !want_psbt) {
        throw RpcError(
            RPC_WALLET_ERROR,
            "bumpfee is not available with wallets that have private keys disabled. Use psbtbumpfee instead.");
    }
    const Json& p = req.params;
    const consensus::Uint256 txid = ParseHashV(p[0], "txid");
    CoinControl control;
    control.replaceable = true;
    std::vector<consensus::TxOut> outputs;
    std::optional<uint32_t> original_change_index;
    if (Given(p, 1)) {
        const Json& options = p[1];
        CheckOptions(options, {{"confTarget", "number"},
                               {"conf_target", "number"},
                               {"fee_rate", ""},
                               {"replaceable", "boolean"},
                               {"estimate_mode", "string"},
                               {"outputs", ""},
                               {"original_change_index", "number"}});
        if (options.contains("confTarget") && options.contains("conf_target")) {
            throw RpcError(RPC_INVALID_PARAMETER, "confTarget and conf_target options should not both be set. Use "
                                                  "conf_target (confTarget is deprecated).");
        }
        auto get = [&](const char* key) { return options.contains(key) ? options[key] : Json(); };
        Json fee_args = Json::array({options.contains("confTarget") ? options["confTarget"] : get("conf_target"),
                                     get("estimate_mode"), get("fee_rate")});
        SetFeeOptions(control, fee_args, 0, 1, 2);
        if (options.contains("replaceable") && !options["replaceable"].is_null())
            control.replaceable = GetBool(options["replaceable"]);
        if (options.contains("outputs") && !options["outputs"].is_null()) {
            const Json& o = options["outputs"];
            if (o.is_array() && o.empty()) {
                throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, output argument cannot be an empty array");
            }
            consensus::MutableTransaction temp;
            common::rpc::AddOutputs(temp, o, w->Params());
            outputs = temp.vout;
        }
        if (options.contains("original_change_index") && !options["original_change_index"].is_null()) {
            const int64_t index = GetInt(options["original_change_index"]);
            if (index < 0 || index > 0xffffffffLL)
                throw RpcError(RPC_INVALID_PARAMETER, "Change position is out of range");
            original_change_index = static_cast<uint32_t>(index);
        }
    }
    w->Chain().WaitForNotifications();
    if (!want_psbt) EnsureWalletIsUnlocked(*w); // as Core's bumpfee; psbtbumpfee does not sign
    util::LockGuard send_lock(w->SendMutex());
    control.sign = !want_psbt;
    std::vector<std::string> errors;
    feebumper::Result result = feebumper::Result::OK;
    auto bump = feebumper::CreateRateBumpTransaction(*w, txid, control, /*require_mine=*/!want_psbt, outputs,
                                                     original_change_index, errors, result);
    if (!bump) throw RpcError(feebumper::RpcCode(result), errors.empty() ? "Unknown error" : errors.front());

    Json r = Json::object();
    if (!want_psbt) {
        const auto tx = consensus::MakeTransactionRef(bump->tx);
        std::optional<std::string> broadcast_error;
        if (feebumper::CommitBump(*w, txid, tx, errors, broadcast_error) != feebumper::Result::OK) {
            throw RpcError(RPC_WALLET_ERROR, errors.empty() ? "Unknown error" : errors.front());
        }
        if (broadcast_error) {
            // As Core's CommitTransaction: kept in the wallet, offered again later; the call succeeds.
            util::LogPrintf("CommitTransaction(): Transaction cannot be broadcast immediately, %s",
                            broadcast_error->c_str());
        }
        r["txid"] = tx->GetTxid().GetHex();
    } else {
        bool complete = false;
        const common::Psbt psbt = WalletPsbt(*w, bump->tx, /*sign=*/false, complete);
        r["psbt"] = common::EncodeBase64Psbt(psbt);
    }
    r["origfee"] = ValueFromAmount(bump->old_fee);
    r["fee"] = ValueFromAmount(bump->new_fee);
    Json errs = Json::array();
    for (const auto& e : errors) errs.push_back(e);
    r["errors"] = std::move(errs);
    return r;
}

std::vector<RpcArg> BumpArgs()
{
    return {
        Arg("txid", A::STR_HEX, false, "", "The txid to be bumped"),
        Arg("options", A::OBJ, true, "", "",
            {Arg("conf_target", A::NUM, true, "wallet -txconfirmtarget", "Confirmation target in blocks\n"),
             Arg("fee_rate", A::AMOUNT, true, "not set, falls back to wallet fee estimation",
                 "Specify a fee rate in sat/vB instead of relying on the built-in fee estimator.\n"
                 "Must be at least 0.100 sat/vB higher than the current transaction fee rate.\n"
                 "WARNING: before version 0.21, fee_rate was in BTC/kvB. As of 0.21, fee_rate is in sat/vB.\n"),
             Arg("replaceable", A::BOOL, true, "true",
                 "Whether the new transaction should be\n"
                 "marked bip-125 replaceable. If true, the sequence numbers in the transaction will\n"
                 "be set to 0xfffffffd. If false, any input sequence numbers in the\n"
                 "transaction will be set to 0xfffffffe\n"
                 "so the new transaction will not be explicitly bip-125 replaceable (though it may\n"
                 "still be replaceable in practice, for example if it has unconfirmed ancestors which\n"
                 "are replaceable).\n"),
             Arg("estimate_mode", A::STR, true, "\"unset\"",
                 "The fee estimate mode, must be one of (case insensitive):\n\"unset\"\n\"economical\"\n\"conservative\""),
             Arg("outputs", A::ARR, true, "[]",
                 "The outputs specified as key-value pairs.\n"
                 "Each key may only appear once, i.e. there can only be one 'data' output, and no address may be duplicated.\n"
                 "At least one output of either type must be specified.\n"
                 "Cannot be provided if 'original_change_index' is specified."),
             Arg("original_change_index", A::NUM, true, "not set, detect change automatically",
                 "The 0-based index of the change output on the original transaction. The indicated output will be "
                 "recycled into the new change output on the bumped transaction. The remainder after paying the "
                 "recipients and fees will be sent to the output script of the original change output. The change "
                 "output’s amount can increase if bumping the transaction adds new inputs, otherwise it will decrease. "
                 "Cannot be used in combination with the 'outputs' option.")}),
    };
}

} // namespace

void RegisterBumpRpc(RpcTable& table, WalletContext& context)
{
    const WalletContext* ctx = &context;
    const std::string common_help =
        "An opt-in RBF transaction with the given txid must be in the wallet.\n"
        "The command will pay the additional fee by reducing change outputs or adding inputs when necessary.\n"
        "It may add a new change output if one does not already exist.\n"
        "All inputs in the original transaction will be included in the replacement transaction.\n"
        "The command will fail if the wallet or mempool contains a transaction that spends one of T's outputs.\n"
        "By default, the new fee will be calculated automatically using the estimatesmartfee RPC.\n"
        "The user can specify a confirmation target for estimatesmartfee.\n"
        "Alternatively, the user can specify a fee rate in sat/vB for the new transaction.\n"
        "At a minimum, the new fee rate must be high enough to pay an additional new relay fee (incrementalfee\n"
        "returned by getnetworkinfo) to enter the node's mempool.\n"
        "* WARNING: before version 0.21, fee_rate was in BTC/kvB. As of 0.21, fee_rate is in sat/vB. *\n";
    auto fees = [](std::vector<RpcResult> first) {
        first.push_back(Res(T::STR_AMOUNT, "origfee", "The fee of the replaced transaction."));
        first.push_back(Res(T::STR_AMOUNT, "fee", "The fee of the new transaction."));
        first.push_back(Res(T::ARR, "errors", "Errors encountered during processing (may be empty).", false,
                            {Res(T::STR, "", "")}));
        return std::vector<RpcResult>{Res(T::OBJ, "", "", false, std::move(first))};
    };
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "bumpfee",
        .args = BumpArgs(),
        .description = "Bumps the fee of a transaction T, replacing it with a new transaction B.\n" + common_help,
        .examples = HelpExampleCli("bumpfee", "<txid>"),
        .handler = [ctx](const RpcRequest& req) { return BumpFee(*ctx, req, /*want_psbt=*/false); },
        .results = fees({Res(T::STR_HEX, "txid", "The id of the new transaction.")}),
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "psbtbumpfee",
        .args = BumpArgs(),
        .description = "Bumps the fee of a transaction T, replacing it with a new transaction B.\n"
                       "Returns a PSBT instead of creating and signing a new transaction.\n" +
                       common_help,
        .examples = HelpExampleCli("psbtbumpfee", "<txid>"),
        .handler = [ctx](const RpcRequest& req) { return BumpFee(*ctx, req, /*want_psbt=*/true); },
        .results = fees({Res(T::STR, "psbt", "The base64-encoded unsigned PSBT of the new transaction.")}),
    });
}

} // namespace wallet::rpc
