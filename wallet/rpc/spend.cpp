// Sending methods (Core's wallet/rpc/spend.cpp): sendtoaddress, sendmany, settxfee.
#include "wallet/rpc/util.h"

#include "common/key_io.h"
#include "util/logging.h"
#include "wallet/spend.h"

namespace wallet::rpc {

using consensus::Amount;

bool Given(const Json& params, size_t i) { return params.size() > i && !params[i].is_null(); }

void SetFeeOptions(CoinControl& control, const Json& params, size_t conf_i, size_t mode_i, size_t rate_i)
{
    if (Given(params, rate_i)) {
        if (Given(params, conf_i)) {
            throw RpcError(RPC_INVALID_PARAMETER,
                           "Cannot specify both conf_target and fee_rate. Please provide either a confirmation target "
                           "in blocks for automatic fee estimation, or an explicit fee rate.");
        }
        if (Given(params, mode_i) && GetStr(params[mode_i]) != "unset") {
            throw RpcError(RPC_INVALID_PARAMETER, "Cannot specify both estimate_mode and fee_rate");
        }
        // sat/vB with up to 3 decimals: the same number is sat/kvB without them.
        control.feerate = common::FeeRate(AmountFromValue(params[rate_i], 3));
    }
    if (Given(params, conf_i)) {
        const int64_t target = GetInt(params[conf_i]);
        if (target < 1 || target > 1008)
            throw RpcError(RPC_INVALID_PARAMETER, "Invalid conf_target, must be between 1 and 1008");
        control.conf_target = static_cast<int>(target);
    }
    if (Given(params, mode_i)) {
        std::string mode = GetStr(params[mode_i]);
        for (char& c : mode) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (mode != "unset" && mode != "economical" && mode != "conservative") {
            throw RpcError(
                RPC_INVALID_PARAMETER,
                "Invalid estimate_mode parameter, must be one of: \"unset\", \"economical\", \"conservative\"");
        }
        control.conservative = mode == "conservative";
    }
}

consensus::Script AddressParam(const Wallet& w, const std::string& address)
{
    auto script = common::DecodeAddress(address, w.Params());
    if (!script) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid Bitcoin address: " + address);
    return *script;
}

namespace {

using T = RpcResultType;
using A = RpcArgType;

Amount SendAmount(const Json& v)
{
    const Amount amount = AmountFromValue(v);
    if (amount <= Amount{0}) throw RpcError(RPC_TYPE_ERROR, "Invalid amount for send");
    return amount;
}

} // namespace

void CommitOrThrow(Wallet& w, const consensus::TransactionRef& tx, std::map<std::string, std::string> meta)
{
    const auto failed = CommitTransaction(w, tx, std::move(meta));
    if (!failed) return;
    if (!failed->recorded) {
        throw RpcError(RPC_MISC_ERROR, "CommitTransaction: Wallet db error, transaction commit failed");
    }
    // As Core: the wallet keeps the transaction and will offer it again; the call still succeeds.
    util::LogPrintf("CommitTransaction(): Transaction cannot be broadcast immediately, %s", failed->message.c_str());
}

namespace {

/** Create, commit and report: the txid (or {txid, fee_reason} when verbose). */
Json Send(Wallet& w, const std::vector<Recipient>& recipients, const CoinControl& control,
          std::map<std::string, std::string> meta, bool verbose)
{
    if (w.HasFlag(WALLET_FLAG_DISABLE_PRIVATE_KEYS)) {
        throw RpcError(RPC_WALLET_ERROR, "Error: Private keys are disabled for this wallet");
    }
    EnsureWalletIsUnlocked(w);
    w.Chain().WaitForNotifications();
    util::LockGuard send_lock(w.SendMutex());
    SpendError error;
    // Committed right below: the change script's record is synced by the commit's write.
    CoinControl committed = control;
    committed.commit_follows = true;
    auto created = CreateTransaction(w, recipients, committed, error);
    // As Core's SendMoney: every failure to create the transaction is RPC_WALLET_INSUFFICIENT_FUNDS.
    if (!created) throw RpcError(RPC_WALLET_INSUFFICIENT_FUNDS, error.message);
    CommitOrThrow(w, created->tx, std::move(meta));
    const std::string txid = created->tx->GetTxid().GetHex();
    if (!verbose) return txid;
    Json r = Json::object();
    r["txid"] = txid;
    r["fee_reason"] = created->fee_calc.reason;
    return r;
}

std::map<std::string, std::string> Comments(const Json& params, size_t comment_i, size_t to_i)
{
    std::map<std::string, std::string> meta;
    if (Given(params, comment_i) && !GetStr(params[comment_i]).empty()) meta["comment"] = GetStr(params[comment_i]);
    if (Given(params, to_i) && !GetStr(params[to_i]).empty()) meta["to"] = GetStr(params[to_i]);
    return meta;
}

Json SendToAddress(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    const Json& p = req.params;
    Recipient r{AddressParam(*w, GetStr(p[0])), SendAmount(p[1]), ParamOr<bool>(p, 4, false)};
    CoinControl control;
    if (Given(p, 5)) control.replaceable = GetBool(p[5]);
    SetFeeOptions(control, p, 6, 7, 9);
    // Core: avoiding used addresses also spends each address's coins together.
    control.avoid_address_reuse = AvoidReuseParam(*w, p, 8);
    control.avoid_partial_spends = control.avoid_partial_spends || control.avoid_address_reuse;
    return Send(*w, {r}, control, Comments(p, 2, 3), ParamOr<bool>(p, 10, false));
}

Json SendMany(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    const Json& p = req.params;
    if (Given(p, 0) && !GetStr(p[0]).empty()) {
        throw RpcError(RPC_INVALID_PARAMETER, "Dummy value must be set to \"\"");
    }
    CheckType(p[1], "object");
    std::set<std::string> subtract;
    if (Given(p, 4)) {
        CheckType(p[4], "array");
        for (const Json& a : p[4]) subtract.insert(GetStr(a));
    }
    std::vector<Recipient> recipients;
    std::set<consensus::Script> seen;
    for (auto it = p[1].begin(); it != p[1].end(); ++it) {
        const consensus::Script script = AddressParam(*w, it.key());
        if (!seen.insert(script).second)
            throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, duplicated address: " + it.key());
        recipients.push_back({script, SendAmount(it.value()), subtract.contains(it.key())});
    }
    if (recipients.empty()) throw RpcError(RPC_INVALID_PARAMETER, "Transaction must have at least one recipient");
    CoinControl control;
    if (Given(p, 5)) control.replaceable = GetBool(p[5]);
    SetFeeOptions(control, p, 6, 7, 8);
    return Send(*w, recipients, control, Comments(p, 3, 99), ParamOr<bool>(p, 9, false));
}

Json SetTxFee(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    const Amount rate = AmountFromValue(req.params[0]);
    const common::FeeRate relay = w->Chain().RelayMinFee();
    if (rate > Amount{0} && common::FeeRate(rate) < relay) {
        throw RpcError(RPC_INVALID_PARAMETER, "txfee cannot be less than min relay tx fee (" + relay.ToString() + ")");
    }
    if (rate > Amount{0} && common::FeeRate(rate) < w->Fees().min_tx_fee) {
        throw RpcError(RPC_INVALID_PARAMETER,
                       "txfee cannot be less than wallet min fee (" + w->Fees().min_tx_fee.ToString() + ")");
    }
    if (rate > w->Fees().max_tx_fee)
        throw RpcError(RPC_INVALID_PARAMETER, "txfee cannot be more than wallet max tx fee");
    w->SetPayTxFee(common::FeeRate(rate));
    return true;
}

std::vector<RpcResult> SendResults()
{
    return {Res(T::STR_HEX, "txid", "The transaction id.", false),
            Res(T::OBJ, "", "", false,
                {Res(T::STR_HEX, "txid", "The transaction id."),
                 Res(T::STR, "fee_reason", "The transaction fee reason.")})};
}

} // namespace

RpcArg FeeRateArg()
{
    return Arg("fee_rate", A::AMOUNT, true, "not set, falls back to wallet fee estimation",
               "Specify a fee rate in sat/vB.");
}
RpcArg ConfTargetArg()
{
    return Arg("conf_target", A::NUM, true, "wallet -txconfirmtarget", "Confirmation target in blocks");
}
RpcArg EstimateModeArg()
{
    return Arg(
        "estimate_mode", A::STR, true, "\"unset\"",
        "The fee estimate mode, must be one of (case insensitive):\n\"unset\"\n\"economical\"\n\"conservative\"");
}

void RegisterSpendRpc(RpcTable& table, WalletContext& context)
{
    const WalletContext* ctx = &context;
    auto results = SendResults();
    results[0].cond = "if verbose is not set or set to false";
    results[1].cond = "if verbose is set to true";
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "sendtoaddress",
        .args =
            {Arg("address", A::STR, false, "", "The bitcoin address to send to."),
             Arg("amount", A::AMOUNT, false, "", "The amount in BTC to send. eg 0.1"),
             Arg("comment", A::STR, true, "",
                 "A comment used to store what the transaction is for.\nThis is not part of the transaction, just kept in your wallet."),
             Arg("comment_to", A::STR, true, "",
                 "A comment to store the name of the person or organization\nto which you're sending the transaction. This is not part of the \ntransaction, just kept in your wallet."),
             Arg("subtractfeefromamount", A::BOOL, true, "false",
                 "The fee will be deducted from the amount being sent.\nThe recipient will receive less bitcoins than you enter in the amount field."),
             Arg("replaceable", A::BOOL, true, "wallet default",
                 "Signal that this transaction can be replaced by a transaction (BIP 125)"),
             ConfTargetArg(), EstimateModeArg(),
             Arg("avoid_reuse", A::BOOL, true, "true",
                 "(only available if avoid_reuse wallet flag is set) Avoid spending from dirty addresses; addresses are considered\ndirty if they have previously been used in a transaction. If true, this also activates avoidpartialspends, grouping outputs by their addresses."),
             FeeRateArg(),
             Arg("verbose", A::BOOL, true, "false", "If true, return extra information about the transaction.")},
        .description = "Send an amount to a given address.",
        .examples = HelpExampleCli("sendtoaddress", "\"bcrt1q09vm5lfy0j5reeulh4x5752q25uqqvz34hufdl\" 0.1"),
        .handler = [ctx](const RpcRequest& req) { return SendToAddress(*ctx, req); },
        .results = results,
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "sendmany",
        .args = {Arg("dummy", A::STR, true, "\"\"", "Must be set to \"\" for backwards compatibility."),
                 Arg("amounts", A::OBJ, false, "", "The addresses and amounts"),
                 Arg("minconf", A::NUM, true, "", "Ignored dummy value"), Arg("comment", A::STR, true, "", "A comment"),
                 Arg("subtractfeefrom", A::ARR, true, "",
                     "The addresses.\nThe fee will be equally deducted from the amount of each selected address."),
                 Arg("replaceable", A::BOOL, true, "wallet default",
                     "Signal that this transaction can be replaced by a transaction (BIP 125)"),
                 ConfTargetArg(), EstimateModeArg(), FeeRateArg(),
                 Arg("verbose", A::BOOL, true, "false", "If true, return extra information about the transaction.")},
        .description = "Send multiple times. Amounts are double-precision floating point numbers.",
        .handler = [ctx](const RpcRequest& req) { return SendMany(*ctx, req); },
        .results = results,
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "settxfee",
        .args = {Arg("amount", A::AMOUNT, false, "", "The transaction fee rate in BTC/kvB")},
        .description =
            "(DEPRECATED) Set the transaction fee rate in BTC/kvB for this wallet. Overrides the global -paytxfee command line parameter.\n"
            "Can be deactivated by passing 0 as the fee. In that case automatic fee selection will be used by default.",
        .handler = [ctx](const RpcRequest& req) { return SetTxFee(*ctx, req); },
        .results = {Res(T::BOOL, "", "Returns true if successful")},
    });
}

} // namespace wallet::rpc
