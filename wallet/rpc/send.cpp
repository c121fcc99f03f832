// send and sendall (Core's wallet/rpc/spend.cpp): funding by coin selection or spending every
// coin, then signing through a PSBT so an incomplete transaction can be handed back.
#include "wallet/rpc/util.h"

#include "wallet/coinselection.h"
#include "wallet/psbt.h"

#include "common/key_io.h"
#include "common/rpc/outputs.h"
#include "common/rpc/rawtx.h"
#include "consensus/hex.h"
#include "consensus/serialize.h"
#include "util/logging.h"

#include <set>

namespace wallet::rpc {

using consensus::Amount;

common::Psbt WalletPsbt(const Wallet& w, const consensus::MutableTransaction& tx, bool sign, bool& complete)
{
    common::Psbt psbt(tx);
    FillPsbtOptions options;
    options.sign = sign;
    // Default sighash types cannot mismatch a fresh PSBT: the result needs no check.
    (void)FillPsbt(w, psbt, options, complete);
    return psbt;
}

namespace {

using T = RpcResultType;
using A = RpcArgType;

/** Core's InterpretFeeEstimationInstructions: positional fee arguments move into options, not both. */
Json MergeFeeArgs(const Json& p, size_t conf_i, Json options)
{
    const char* names[] = {"conf_target", "estimate_mode", "fee_rate"};
    for (size_t k = 0; k < 3; ++k) {
        if (!Given(p, conf_i + k)) continue;
        if (options.contains(names[k])) {
            throw RpcError(RPC_INVALID_PARAMETER, std::string("Pass ") + names[k] +
                                                      " either as positional argument or in the options object, but "
                                                      "not both");
        }
        options[names[k]] = p[conf_i + k];
    }
    return options;
}

/** Core's PreventOutdatedOptions: the camelCase spellings are refused. */
void PreventOutdatedOptions(const Json& options)
{
    for (const auto& [old, now] :
         std::vector<std::pair<std::string, std::string>>{{"feeRate", "fee_rate"},
                                                          {"changeAddress", "change_address"},
                                                          {"changePosition", "change_position"},
                                                          {"includeWatching", "include_watching"},
                                                          {"lockUnspents", "lock_unspents"},
                                                          {"subtractFeeFromOutputs", "subtract_fee_from_outputs"}}) {
        if (options.contains(old)) throw RpcError(RPC_INVALID_PARAMETER, "Use " + now + " instead of " + old);
    }
}

Json Opt(const Json& options, const char* key) { return options.contains(key) ? options[key] : Json(); }

void FeeOptions(CoinControl& control, const Json& options)
{
    SetFeeOptions(control,
                  Json::array({Opt(options, "conf_target"), Opt(options, "estimate_mode"), Opt(options, "fee_rate")}),
                  0, 1, 2);
}

/**
 * The "inputs" option as Core's ConstructTransaction reads it (its checks and errors): each
 * input with its "sequence", or by default one by rbf (null: not given) and the locktime.
 */
std::vector<consensus::TxIn> ParseInputs(const Wallet& w, const Json& options, const Json& rbf)
{
    Json raw_params = Json::array({Opt(options, "inputs"), Json::array(), Opt(options, "locktime"), rbf});
    return common::rpc::ConstructRawTransaction(raw_params, w.Params()).vin;
}

/** Core's FinishTransaction: sign through a PSBT; commit when complete and wanted, else hand it back. */
Json FinishTransaction(Wallet& w, const Json& options, const consensus::MutableTransaction& tx)
{
    bool complete = false;
    common::Psbt psbt = WalletPsbt(w, tx, /*sign=*/true, complete);
    consensus::MutableTransaction final_tx;
    complete = common::FinalizeAndExtractPsbt(psbt, final_tx);
    const bool psbt_opt_in = options.contains("psbt") && GetBool(options["psbt"]);
    const bool add_to_wallet = options.contains("add_to_wallet") ? GetBool(options["add_to_wallet"]) : true;
    Json r = Json::object();
    if (psbt_opt_in || !complete || !add_to_wallet) r["psbt"] = common::EncodeBase64Psbt(psbt);
    if (complete) {
        const auto ref = consensus::MakeTransactionRef(std::move(final_tx));
        r["txid"] = ref->GetTxid().GetHex();
        if (add_to_wallet && !psbt_opt_in) {
            CommitOrThrow(w, ref, {});
        } else {
            r["hex"] = consensus::HexStr(consensus::SerializeToBytes(*ref));
        }
    }
    r["complete"] = complete;
    return r;
}

Json Send(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    const Json& p = req.params;
    Json options = Given(p, 4) ? p[4] : Json::object();
    CheckType(options, "object");
    options = MergeFeeArgs(p, 1, options);
    PreventOutdatedOptions(options);
    CoinControl control;
    FeeOptions(control, options);
    if (options.contains("replaceable")) control.replaceable = GetBool(options["replaceable"]);
    consensus::MutableTransaction outs;
    if (!Given(p, 0)) throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, output argument must be non-null");
    common::rpc::AddOutputs(outs, p[0], w->Params());
    // subtract_fee_from_outputs: output positions (or addresses, as Core accepts).
    std::set<size_t> subtract;
    if (options.contains("subtract_fee_from_outputs")) {
        const Json& s = options["subtract_fee_from_outputs"];
        CheckType(s, "array");
        for (const Json& v : s) {
            size_t pos = 0;
            if (v.is_string()) {
                const consensus::Script script = AddressParam(*w, GetStr(v));
                auto it = std::find_if(outs.vout.begin(), outs.vout.end(),
                                       [&](const consensus::TxOut& o) { return o.script_pubkey == script; });
                if (it == outs.vout.end())
                    throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter 'subtract fee from output', destination " +
                                                              GetStr(v) + " not found in tx outputs");
                pos = static_cast<size_t>(it - outs.vout.begin());
            } else {
                const int64_t i = GetInt(v);
                if (i < 0 || static_cast<size_t>(i) >= outs.vout.size())
                    throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter 'subtract fee from output', destination " +
                                                              std::to_string(i) + " out of bounds");
                pos = static_cast<size_t>(i);
            }
            if (!subtract.insert(pos).second)
                throw RpcError(RPC_INVALID_PARAMETER,
                               "Invalid parameter 'subtract fee from output', duplicated position: " +
                                   std::to_string(pos));
        }
    }
    std::vector<Recipient> recipients;
    for (size_t i = 0; i < outs.vout.size(); ++i)
        recipients.push_back({outs.vout[i].script_pubkey, outs.vout[i].value, subtract.contains(i)});
    // Core: the given inputs keep their sequences.
    // replaceable defaults to the wallet's (true): given sequences that all opt out contradict it.
    const std::vector<consensus::TxIn> given_inputs = ParseInputs(*w, options, Json(control.replaceable));
    // Coins are chosen automatically unless some are given (add_inputs overrides).
    control.allow_other_inputs = given_inputs.empty();
    SetOptionsInputWeights(Opt(options, "inputs"), options);
    ReadExternalInputOptions(*w, options, control);
    if (options.contains("add_inputs")) control.allow_other_inputs = GetBool(options["add_inputs"]);
    if (options.contains("include_unsafe")) control.include_unsafe = GetBool(options["include_unsafe"]);
    if (options.contains("locktime")) {
        const int64_t lt = GetInt(options["locktime"]);
        if (lt < 0 || lt > 0xffffffffLL)
            throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, locktime out of range");
        control.locktime = static_cast<uint32_t>(lt);
    }
    // Core's FundTransaction takes the lock time it is given, 0 by default: no anti-fee-sniping.
    if (!control.locktime) control.locktime = 0;
    if (options.contains("change_address") && options.contains("change_type"))
        throw RpcError(RPC_INVALID_PARAMETER, "Cannot specify both change_address and address_type options");
    if (options.contains("change_address")) {
        auto script = common::DecodeAddress(GetStr(options["change_address"]), w->Params());
        if (!script) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Change address must be a valid bitcoin address");
        control.change_script = *script;
    }
    if (options.contains("change_type")) {
        const std::string t = GetStr(options["change_type"]);
        auto type = ParseOutputType(t);
        if (!type) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Unknown change type '" + t + "'");
        control.change_type = *type;
    }
    std::optional<size_t> change_position;
    if (options.contains("change_position")) {
        const int64_t pos = GetInt(options["change_position"]);
        if (pos < 0 || static_cast<size_t>(pos) > outs.vout.size())
            throw RpcError(RPC_INVALID_PARAMETER, "changePosition out of bounds");
        change_position = static_cast<size_t>(pos);
    }
    const bool lock_unspents = options.contains("lock_unspents") && GetBool(options["lock_unspents"]);
    // Signed below, through the PSBT (so a wallet without keys hands back an incomplete one).
    control.sign = false;

    w->Chain().WaitForNotifications();
    EnsureWalletIsUnlocked(*w); // as Core's send
    util::LockGuard send_lock(w->SendMutex());
    SelectGivenInputs(*w, given_inputs, control);
    SpendError error;
    auto created = CreateTransaction(*w, recipients, control, error);
    if (!created) throw RpcError(error.code ? error.code : RPC_WALLET_ERROR, error.message);
    consensus::MutableTransaction tx(*created->tx);
    if (change_position && created->change_pos && *created->change_pos != *change_position) {
        const consensus::TxOut change = tx.vout[*created->change_pos];
        tx.vout.erase(tx.vout.begin() + static_cast<std::ptrdiff_t>(*created->change_pos));
        tx.vout.insert(tx.vout.begin() + static_cast<std::ptrdiff_t>(*change_position), change);
    }
    if (lock_unspents) {
        std::string lock_error;
        for (const auto& in : tx.vin) (void)w->LockCoin(in.prevout, /*persistent=*/false, lock_error);
    }
    return FinishTransaction(*w, options, tx);
}

Json SendAll(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    const Json& p = req.params;
    Json options = Given(p, 4) ? p[4] : Json::object();
    CheckType(options, "object");
    options = MergeFeeArgs(p, 1, options);
    PreventOutdatedOptions(options);

    // Recipients: an address alone takes a share of what is left; {address: amount} a fixed amount.
    CheckType(p[0], "array");
    std::set<consensus::Script> without_amount;
    Json pairs = Json::array();
    for (const Json& r : p[0]) {
        if (r.is_string()) {
            Json kv = Json::object();
            kv[GetStr(r)] = 0;
            pairs.push_back(kv);
            without_amount.insert(AddressParam(*w, GetStr(r)));
        } else {
            pairs.push_back(r);
        }
    }
    if (without_amount.empty())
        throw RpcError(RPC_INVALID_PARAMETER, "Must provide at least one address without a specified amount");

    CoinControl control;
    FeeOptions(control, options);
    int min_depth = 0, max_depth = 9999999;
    if (options.contains("minconf")) {
        min_depth = ParamOr<int>(Json::array({options["minconf"]}), 0, 0);
        if (min_depth < 0)
            throw RpcError(RPC_INVALID_PARAMETER,
                           "Invalid minconf (minconf cannot be negative): " + std::to_string(min_depth));
    }
    if (options.contains("maxconf")) {
        max_depth = ParamOr<int>(Json::array({options["maxconf"]}), 0, 0);
        if (max_depth < min_depth)
            throw RpcError(RPC_INVALID_PARAMETER, "maxconf can't be lower than minconf: " + std::to_string(max_depth) +
                                                      " < " + std::to_string(min_depth));
    }
    const bool rbf = options.contains("replaceable") ? GetBool(options["replaceable"]) : true;
    SpendError error;
    const auto calc = GetMinimumFeeRate(*w, control, error);
    if (!calc) throw RpcError(error.code, error.message);
    // A fee rate the user gave is never raised.
    if (control.feerate && calc->rate > *control.feerate) {
        auto sat_vb = [](common::FeeRate r) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%.3f sat/vB", static_cast<double>(r.SatsPerKvB().sats) / 1000.0);
            return std::string(buf);
        };
        throw RpcError(RPC_INVALID_PARAMETER, "Fee rate (" + sat_vb(*control.feerate) +
                                                  ") is lower than the minimum fee rate setting (" +
                                                  sat_vb(calc->rate) + ")");
    }
    const common::FeeRate rate = calc->rate;

    consensus::MutableTransaction tx;
    tx.version = 2;
    common::rpc::AddOutputs(tx, pairs, w->Params());
    if (options.contains("locktime")) {
        const int64_t lt = GetInt(options["locktime"]);
        if (lt < 0 || lt > 0xffffffffLL)
            throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, locktime out of range");
        tx.locktime = static_cast<uint32_t>(lt);
    }
    // Coins the wallet picks get one sequence; given inputs may carry their own (Core's ConstructTransaction).
    const uint32_t sequence = rbf ? 0xfffffffd : tx.locktime ? 0xfffffffe : 0xffffffff;
    const bool send_max = options.contains("send_max") && GetBool(options["send_max"]);

    w->Chain().WaitForNotifications();
    EnsureWalletIsUnlocked(*w); // as Core's sendall
    util::LockGuard send_lock(w->SendMutex());
    std::map<consensus::OutPoint, consensus::TxOut> spent;
    Amount total_in{0};
    if (options.contains("inputs") && options.contains("send_max"))
        throw RpcError(RPC_INVALID_PARAMETER, "Cannot combine send_max with specific inputs.");
    if (options.contains("inputs") && (options.contains("minconf") || options.contains("maxconf")))
        throw RpcError(RPC_INVALID_PARAMETER, "Cannot combine minconf or maxconf with specific inputs.");
    if (options.contains("inputs")) {
        for (const auto& given : ParseInputs(*w, options, rbf)) {
            const consensus::OutPoint& op = given.prevout;
            const std::string name = op.hash.GetHex() + ":" + std::to_string(op.n);
            if (w->IsSpent(op))
                throw RpcError(RPC_INVALID_PARAMETER, "Input not available. UTXO (" + name + ") was already spent.");
            auto out = w->GetOwnedOutput(op);
            if (!out)
                throw RpcError(RPC_INVALID_PARAMETER, "Input not found. UTXO (" + name + ") is not part of wallet.");
            tx.vin.push_back(given);
            spent[op] = *out;
            total_in += out->value;
        }
    } else {
        for (const WalletCoin& c : w->AvailableCoins(min_depth, max_depth, /*include_unsafe=*/false)) {
            // send_max: a coin worth less than spending it costs is left behind (Core compares
            // the fee of the coin's input_bytes, the size coin selection gives it).
            if (send_max) {
                const int input_vsize = c.input ? c.input->vsize : SpendInfo(*w, c.txout).vsize;
                if (input_vsize > 0 && rate.GetFee(input_vsize) > c.txout.value) continue;
            }
            consensus::TxIn in;
            in.prevout = c.outpoint;
            in.sequence = sequence;
            tx.vin.push_back(in);
            spent[c.outpoint] = c.txout;
            total_in += c.txout.value;
        }
    }
    const int64_t vsize = MaximumSignedVsize(*w, tx, spent);
    if (vsize < 0) throw RpcError(RPC_WALLET_ERROR, "Missing solving data for estimating transaction size");
    const Amount fee = rate.GetFee(vsize);
    // Unconfirmed inputs pay for raising their low-fee ancestors to the rate too (Core's sendall).
    std::vector<consensus::OutPoint> inputs;
    inputs.reserve(tx.vin.size());
    for (const auto& in : tx.vin) inputs.push_back(in.prevout);
    const std::optional<Amount> bump_fee = w->Chain().CalculateCombinedBumpFee(inputs, rate);
    if (!bump_fee) throw RpcError(RPC_WALLET_ERROR, ERR_BUMP_FEE_CLUSTER);
    const Amount effective = total_in - fee - *bump_fee;
    // The whole fee paid, bump included (the broadcast is not checked again).
    if (fee + *bump_fee > w->Fees().max_tx_fee)
        throw RpcError(RPC_WALLET_ERROR, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)");
    if (effective <= Amount{0}) {
        throw RpcError(RPC_WALLET_INSUFFICIENT_FUNDS,
                       send_max ? "Total value of UTXO pool too low to pay for transaction, try using lower feerate."
                                : "Total value of UTXO pool too low to pay for transaction. Try using lower feerate or "
                                  "excluding uneconomic UTXOs with 'send_max' option.");
    }
    if (vsize * 4 > 400'000) throw RpcError(RPC_WALLET_ERROR, "Transaction too large.");
    Amount claimed{0};
    for (const auto& out : tx.vout) claimed += out.value;
    if (claimed > total_in)
        throw RpcError(RPC_WALLET_INSUFFICIENT_FUNDS, "Assigned more value to outputs than available funds.");
    const Amount remainder = effective - claimed;
    if (remainder < Amount{0})
        throw RpcError(RPC_WALLET_INSUFFICIENT_FUNDS, "Insufficient funds for fees after creating specified outputs.");
    const int64_t shares = static_cast<int64_t>(without_amount.size());
    bool first = true;
    const common::FeeRate dust_rate = w->Chain().RelayDustFee();
    for (auto& out : tx.vout) {
        if (without_amount.contains(out.script_pubkey)) {
            // Equal shares; the first address also takes what does not divide.
            out.value = Amount{remainder.sats / shares + (first ? remainder.sats % shares : 0)};
            first = false;
            if (out.value < DustThreshold(out, dust_rate))
                throw RpcError(RPC_WALLET_ERROR, "Dynamically assigned remainder results in dust output.");
        } else if (out.value < DustThreshold(out, dust_rate)) {
            throw RpcError(RPC_INVALID_PARAMETER, "Specified output amount to " + AddressOf(*w, out.script_pubkey) +
                                                      " is below dust threshold.");
        }
    }
    if (options.contains("lock_unspents") && GetBool(options["lock_unspents"])) {
        std::string lock_error;
        for (const auto& in : tx.vin) (void)w->LockCoin(in.prevout, /*persistent=*/false, lock_error);
    }
    return FinishTransaction(*w, options, tx);
}

std::vector<RpcResult> SendResults()
{
    return {Res(
        T::OBJ, "", "", false,
        {Res(T::BOOL, "complete", "If the transaction has a complete set of signatures"),
         Res(T::STR_HEX, "txid",
             "The transaction id for the send. Only 1 transaction is created regardless "
             "of the number of addresses.",
             true),
         Res(T::STR_HEX, "hex", "If add_to_wallet is false, the hex-encoded raw transaction with signature(s)", true),
         Res(T::STR, "psbt",
             "If more signatures are needed, or if add_to_wallet is false, the base64-encoded (partially) "
             "signed transaction",
             true)})};
}

RpcArg CommonOption(const char* name)
{
    const std::string n = name;
    if (n == "add_to_wallet")
        return Arg(name, A::BOOL, true, "true",
                   "When false, returns a serialized transaction which will not be added to the wallet or broadcast");
    if (n == "include_watching")
        return Arg(name, A::BOOL, true, "true for watch-only wallets, otherwise false", "(DEPRECATED) No longer used");
    if (n == "locktime")
        return Arg(name, A::NUM, true, "0", "Raw locktime. Non-0 value also locktime-activates inputs");
    if (n == "lock_unspents") return Arg(name, A::BOOL, true, "false", "Lock selected unspent outputs");
    if (n == "psbt") return Arg(name, A::BOOL, true, "automatic", "Always return a PSBT, implies add_to_wallet=false.");
    return Arg(name, A::BOOL, true, "true", "Marks this transaction as BIP125-replaceable.");
}

} // namespace

void RegisterSendRpc(RpcTable& table, WalletContext& context)
{
    const WalletContext* ctx = &context;
    // Core accepts a dictionary for the outputs too (RPCArgOptions::skip_type_check).
    RpcArg outputs_arg = Arg("outputs", A::ARR, false, "",
                             "The outputs specified as key-value pairs.\n"
                             "Each key may only appear once, i.e. there can only be one 'data' output, and no address "
                             "may be duplicated.\nAt least one output of either type must be specified.\n"
                             "For convenience, a dictionary, which holds the key-value pairs directly, is also "
                             "accepted.");
    outputs_arg.skip_type_check = true;
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "send",
        .args = {outputs_arg, ConfTargetArg(), EstimateModeArg(), FeeRateArg(),
                 Arg("options", A::OBJ, true, "", "",
                     {Arg("add_inputs", A::BOOL, true, "false when \"inputs\" are specified, true otherwise",
                          "Automatically include coins from the wallet to cover the target amount.\n"),
                      Arg("include_unsafe", A::BOOL, true, "false",
                          "Include inputs that are not safe to spend (unconfirmed transactions from outside keys and "
                          "unconfirmed replacement transactions)."),
                      CommonOption("add_to_wallet"),
                      Arg("change_address", A::STR, true, "automatic", "The bitcoin address to receive the change"),
                      Arg("change_position", A::NUM, true, "random", "The index of the change output"),
                      Arg("change_type", A::STR, true, "set by -changetype",
                          "The output type to use. Only valid if change_address is not specified. Options are "
                          "\"legacy\", \"p2sh-segwit\", \"bech32\", and \"bech32m\"."),
                      Arg("fee_rate", A::AMOUNT, true, "not set, falls back to wallet fee estimation",
                          "Specify a fee rate in sat/vB."),
                      CommonOption("include_watching"),
                      Arg("inputs", A::ARR, true, "[]",
                          "Specify inputs instead of adding them automatically. A JSON array of JSON objects",
                          {Arg("", A::OBJ, true, "", "",
                               {Arg("txid", A::STR_HEX, false, "", "The transaction id"),
                                Arg("vout", A::NUM, false, "", "The output number"),
                                Arg("sequence", A::NUM, false, "", "The sequence number"),
                                Arg("weight", A::NUM, true, "Calculated from wallet and solving data",
                                    "The maximum weight for this input, including the weight of the outpoint and "
                                    "sequence number.")})}),
                      CommonOption("locktime"), CommonOption("lock_unspents"), CommonOption("psbt"),
                      Arg("subtract_fee_from_outputs", A::ARR, true, "[]",
                          "Outputs to subtract the fee from, specified as integer indices.\n"
                          "The fee will be equally deducted from the amount of each specified output.\n"
                          "Those recipients will receive less bitcoins than you enter in their corresponding amount "
                          "field.\nIf no outputs are specified here, the sender pays the fee."),
                      CommonOption("replaceable"), SolvingDataArg()})},
        .description = "EXPERIMENTAL warning: this call may be changed in future releases.\n"
                       "\nSend a transaction.",
        .examples = HelpExampleCli("send", "'{\"bcrt1q09vm5lfy0j5reeulh4x5752q25uqqvz34hufdl\": 0.1}'"),
        .handler = [ctx](const RpcRequest& req) { return Send(*ctx, req); },
        .results = SendResults(),
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "sendall",
        .args =
            {Arg("recipients", A::ARR, false, "",
                 "The sendall destinations. Each address may only appear once.\n"
                 "Optionally some recipients can be specified with an amount to perform payments, but at least one "
                 "address must appear without a specified amount.\n"),
             ConfTargetArg(), EstimateModeArg(), FeeRateArg(),
             Arg("options", A::OBJ, true, "", "",
                 {CommonOption("add_to_wallet"),
                  Arg("fee_rate", A::AMOUNT, true, "not set, falls back to wallet fee estimation",
                      "Specify a fee rate in sat/vB."),
                  CommonOption("include_watching"),
                  Arg("inputs", A::ARR, true, "[]",
                      "Use exactly the specified inputs to build the transaction. Specifying inputs is incompatible "
                      "with the send_max, minconf, and maxconf options."),
                  CommonOption("locktime"), CommonOption("lock_unspents"), CommonOption("psbt"),
                  Arg("send_max", A::BOOL, true, "false",
                      "When true, only use UTXOs that can pay for their own fees to maximize the output amount. When "
                      "'false' (default), no UTXO is left behind. send_max is incompatible with providing specific "
                      "inputs."),
                  Arg("minconf", A::NUM, true, "0", "Require inputs with at least this many confirmations."),
                  Arg("maxconf", A::NUM, true, "", "Require inputs with at most this many confirmations."),
                  CommonOption("replaceable")})},
        .description = "EXPERIMENTAL warning: this call may be changed in future releases.\n"
                       "\nSpend the value of all (or specific) confirmed UTXOs and unconfirmed change in the wallet "
                       "to one or more recipients.\n"
                       "Unconfirmed inbound UTXOs and locked UTXOs will not be spent. Sendall will respect the "
                       "avoid_reuse wallet flag.\n"
                       "If your wallet contains many small inputs, either because it received tiny payments or as a "
                       "result of accumulating change, consider using `send_max` to exclude inputs that are worth "
                       "less than the fees needed to spend them.\n",
        .examples = HelpExampleCli("sendall", "'[\"bcrt1q09vm5lfy0j5reeulh4x5752q25uqqvz34hufdl\"]'"),
        .handler = [ctx](const RpcRequest& req) { return SendAll(*ctx, req); },
        .results = SendResults(),
    });
}

} // namespace wallet::rpc
