// The wallet's PSBT and signing methods (Core's wallet/rpc/spend.cpp): walletprocesspsbt,
// walletcreatefundedpsbt, fundrawtransaction and signrawtransactionwithwallet. Funding goes
// through CreateTransaction (unsigned), signing through FillPsbt / common::SignTransaction with
// the wallet's providers, and the raw-transaction helpers are the node's (common/rpc/rawtx.h).
#include "wallet/rpc/util.h"

#include "common/key_io.h"
#include "common/psbt.h"
#include "common/rpc/rawtx.h"
#include "common/sign.h"
#include "wallet/psbt.h"
#include "wallet/spend.h"

#include <algorithm>
#include <set>

namespace wallet::rpc {

namespace {

using T = RpcResultType;
using A = RpcArgType;
using consensus::Amount;

bool Given(const Json& params, size_t i) { return params.size() > i && !params[i].is_null(); }
bool Has(const Json& o, const char* key) { return o.is_object() && o.contains(key) && !o.at(key).is_null(); }

common::Psbt DecodePsbtOrThrow(const Json& value)
{
    common::Psbt psbt;
    std::string error;
    if (!common::DecodeBase64Psbt(GetStr(value), psbt, error)) {
        throw RpcError(RPC_DESERIALIZATION_ERROR, "TX decode failed " + error);
    }
    return psbt;
}

/** Core's ParseSighashString for PSBTs: null leaves the choice to the signer. */
std::optional<int> PsbtSighashParam(const Json& params, size_t i)
{
    if (!Given(params, i)) return std::nullopt;
    return ParseSighashParam(params[i]);
}

Json WalletProcessPsbt(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    const Json& p = req.params;
    common::Psbt psbt = DecodePsbtOrThrow(p.at(0));
    FillPsbtOptions options;
    options.sign = ParamOr<bool>(p, 1, true);
    options.sighash = PsbtSighashParam(p, 2);
    options.bip32derivs = ParamOr<bool>(p, 3, true);
    options.finalize = ParamOr<bool>(p, 4, true);
    if (options.sign) EnsureWalletIsUnlocked(*w);
    bool complete = false;
    if (FillPsbt(*w, psbt, options, complete) == common::PsbtError::SIGHASH_MISMATCH) {
        throw RpcError(RPC_DESERIALIZATION_ERROR, "Specified sighash value does not match value stored in PSBT");
    }
    Json r = Json::object();
    r["psbt"] = common::EncodeBase64Psbt(psbt);
    r["complete"] = complete;
    if (complete) {
        consensus::MutableTransaction tx;
        common::Psbt copy = psbt;
        if (common::FinalizeAndExtractPsbt(copy, tx)) r["hex"] = EncodeHexTx(consensus::Transaction(tx));
    }
    return r;
}

/** Core's FundTransaction options into control and the recipients' subtract flags. */
void ReadFundOptions(const Wallet& w, const Json& options, CoinControl& control, std::vector<Recipient>& recipients,
                     size_t outputs)
{
    if (options.is_null()) return;
    CheckType(options, "object");
    static const std::set<std::string> known{
        "add_inputs",      "include_unsafe",   "add_to_wallet",          "changeAddress",
        "change_address",  "changePosition",   "change_position",        "change_type",
        "includeWatching", "include_watching", "lockUnspents",           "lock_unspents",
        "fee_rate",        "feeRate",          "subtractFeeFromOutputs", "subtract_fee_from_outputs",
        "replaceable",     "conf_target",      "estimate_mode",          "solving_data",
        "inputs",          "input_weights",    "max_tx_weight",          "minconf",
        "maxconf"};
    for (const auto& [key, value] : options.items()) {
        if (!known.contains(key)) throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, unknown key: " + key);
    }
    auto get = [&](const char* a, const char* b) -> const Json* {
        if (Has(options, a)) return &options.at(a);
        if (b && Has(options, b)) return &options.at(b);
        return nullptr;
    };
    if (auto v = get("add_inputs", nullptr)) control.allow_other_inputs = GetBool(*v);
    if (auto v = get("include_unsafe", nullptr)) control.include_unsafe = GetBool(*v);
    if (auto v = get("changeAddress", "change_address")) {
        auto script = common::DecodeAddress(GetStr(*v), w.Params());
        if (!script) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Change address must be a valid bitcoin address");
        control.change_script = *script;
    }
    if (auto v = get("changePosition", "change_position")) {
        const int64_t pos = GetInt(*v);
        if (pos < 0 || static_cast<size_t>(pos) > outputs)
            throw RpcError(RPC_INVALID_PARAMETER, "changePosition out of bounds");
        control.change_position = static_cast<size_t>(pos);
    }
    if (auto v = get("change_type", nullptr)) {
        if (control.change_script)
            throw RpcError(RPC_INVALID_PARAMETER, "Cannot specify both changeAddress and address_type options");
        auto type = ParseOutputType(GetStr(*v));
        if (!type) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Unknown change type '" + GetStr(*v) + "'");
        control.change_type = *type;
    }
    if (Has(options, "fee_rate") && Has(options, "feeRate")) {
        throw RpcError(RPC_INVALID_PARAMETER, "Cannot specify both fee_rate (sat/vB) and feeRate (BTC/kvB)");
    }
    if (auto v = get("feeRate", nullptr)) {
        if (Has(options, "conf_target"))
            throw RpcError(RPC_INVALID_PARAMETER,
                           "Cannot specify both conf_target and feeRate. Please provide either a confirmation target "
                           "in blocks for automatic fee estimation, or an explicit fee rate.");
        control.feerate = common::FeeRate(AmountFromValue(*v));
    }
    if (auto v = get("fee_rate", nullptr)) {
        if (Has(options, "conf_target"))
            throw RpcError(RPC_INVALID_PARAMETER,
                           "Cannot specify both conf_target and fee_rate. Please provide either a confirmation target "
                           "in blocks for automatic fee estimation, or an explicit fee rate.");
        // sat/vB with up to 3 decimals: the same number is sat/kvB without them.
        control.feerate = common::FeeRate(AmountFromValue(*v, 3));
    }
    if (auto v = get("conf_target", nullptr)) {
        const int64_t target = GetInt(*v);
        if (target < 1 || target > 1008)
            throw RpcError(RPC_INVALID_PARAMETER, "Invalid conf_target, must be between 1 and 1008");
        control.conf_target = static_cast<int>(target);
    }
    if (auto v = get("estimate_mode", nullptr)) {
        std::string mode = GetStr(*v);
        for (char& c : mode) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (mode != "unset" && mode != "economical" && mode != "conservative") {
            throw RpcError(RPC_INVALID_PARAMETER, "Invalid estimate_mode parameter, must be one of: \"unset\", "
                                                  "\"economical\", \"conservative\"");
        }
        if (control.feerate && mode != "unset")
            throw RpcError(RPC_INVALID_PARAMETER, "Cannot specify both estimate_mode and fee_rate");
        control.conservative = mode == "conservative";
    }
    if (auto v = get("replaceable", nullptr)) control.replaceable = GetBool(*v);
    if (auto v = get("subtractFeeFromOutputs", "subtract_fee_from_outputs")) {
        CheckType(*v, "array");
        std::set<int64_t> seen;
        for (const Json& e : *v) {
            const int64_t pos = GetInt(e);
            if (!seen.insert(pos).second)
                throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, duplicated position: " + std::to_string(pos));
            if (pos < 0)
                throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, negative position: " + std::to_string(pos));
            if (static_cast<size_t>(pos) >= recipients.size())
                throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, position too large: " + std::to_string(pos));
            recipients[static_cast<size_t>(pos)].subtract_fee = true;
        }
    }
}

struct Funded {
    consensus::MutableTransaction tx;
    Amount fee;
    int change_pos{-1};
};

/**
 * Core's FundTransaction: tx's inputs are kept (the wallet's coins or external ones), its outputs
 * paid, change added; unsigned. add_inputs: whether more coins are chosen by default (Core:
 * fundrawtransaction always, walletcreatefundedpsbt only when no input is given).
 */
Funded FundTransaction(Wallet& w, const consensus::MutableTransaction& raw, const Json& options, bool add_inputs)
{
    std::vector<Recipient> recipients;
    for (const auto& out : raw.vout) recipients.push_back({out.script_pubkey, out.value, false});
    CoinControl control;
    control.sign = false;
    control.locktime = raw.locktime;
    control.allow_other_inputs = add_inputs;
    ReadFundOptions(w, options, control, recipients, raw.vout.size());
    ReadExternalInputOptions(w, options, control);
    bool lock = false;
    if (Has(options, "lockUnspents")) lock = GetBool(options.at("lockUnspents"));
    if (Has(options, "lock_unspents")) lock = GetBool(options.at("lock_unspents"));
    w.Chain().WaitForNotifications();
    // Preset inputs keep the sequence and scripts the caller gave them; external ones are looked up.
    SelectGivenInputs(w, raw.vin, control);
    util::LockGuard send_lock(w.SendMutex());
    SpendError error;
    auto created = CreateTransaction(w, recipients, control, error);
    if (!created) throw RpcError(RPC_WALLET_ERROR, error.message);
    Funded f;
    f.tx = consensus::MutableTransaction(*created->tx);
    f.tx.version = raw.version;
    f.fee = created->fee;
    f.change_pos = created->change_pos ? static_cast<int>(*created->change_pos) : -1;
    if (lock) {
        for (const auto& in : f.tx.vin) {
            std::string lock_error;
            (void)w.LockCoin(in.prevout, /*persistent=*/false, lock_error);
        }
    }
    return f;
}

Json WalletCreateFundedPsbt(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    const Json& p = req.params;
    Json options = Given(p, 3) ? p[3] : Json::object();
    CheckType(options, "object");
    // createrawtransaction's checks: inputs, outputs, locktime, replaceable (from the options).
    Json raw_params = Json::array();
    raw_params.push_back(Given(p, 0) ? p[0] : Json::array());
    raw_params.push_back(Given(p, 1) ? p[1] : Json());
    raw_params.push_back(Given(p, 2) ? p[2] : Json(0));
    raw_params.push_back(Has(options, "replaceable") ? options.at("replaceable") : Json());
    if (Given(p, 5)) raw_params.push_back(p[5]);
    const consensus::MutableTransaction raw = ConstructRawTransaction(raw_params, w->Params());
    SetOptionsInputWeights(Given(p, 0) ? p[0] : Json::array(), options);
    Funded f = FundTransaction(*w, raw, options, /*add_inputs=*/raw.vin.empty());
    common::Psbt psbt(f.tx);
    FillPsbtOptions fill;
    fill.sign = false;
    fill.bip32derivs = ParamOr<bool>(p, 4, true);
    fill.finalize = false;
    bool complete = false;
    (void)FillPsbt(*w, psbt, fill, complete);
    Json r = Json::object();
    r["psbt"] = common::EncodeBase64Psbt(psbt);
    r["fee"] = ValueFromAmount(f.fee);
    r["changepos"] = f.change_pos;
    return r;
}

Json FundRawTransaction(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    const Json& p = req.params;
    const bool witness_given = Given(p, 2);
    const bool witness = witness_given && GetBool(p[2]);
    auto tx = DecodeHexTx(GetStr(p.at(0)), !witness_given || !witness, !witness_given || witness);
    if (!tx) throw RpcError(RPC_DESERIALIZATION_ERROR, "TX decode failed");
    if (tx->vout.empty()) throw RpcError(RPC_INVALID_PARAMETER, "TX must have at least one output");
    Json options = Given(p, 1) ? p[1] : Json();
    if (!options.is_null() && options.is_boolean()) {
        // The old form: the second parameter was includeWatching.
        options = Json::object();
    }
    Funded f = FundTransaction(*w, *tx, options, /*add_inputs=*/true);
    Json r = Json::object();
    r["hex"] = EncodeHexTx(consensus::Transaction(f.tx));
    r["fee"] = ValueFromAmount(f.fee);
    r["changepos"] = f.change_pos;
    return r;
}

Json SignRawTransactionWithWallet(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    EnsureWalletIsUnlocked(*w);
    const Json& p = req.params;
    auto tx = DecodeHexTx(GetStr(p.at(0)));
    if (!tx) throw RpcError(RPC_DESERIALIZATION_ERROR, "TX decode failed. Make sure the tx has at least one input.");
    w->Chain().WaitForNotifications();
    // The spent outputs: the chain's, else the wallet's own (unconfirmed) ones, then prevtxs.
    std::map<consensus::OutPoint, consensus::Coin> coins;
    for (const auto& in : tx->vin) {
        if (auto coin = w->Chain().GetCoin(in.prevout)) {
            coins[in.prevout] = *coin;
        } else if (auto out = w->GetOwnedOutput(in.prevout); out && !w->IsSpent(in.prevout)) {
            coins[in.prevout] = consensus::Coin(*out, 0, false);
        } else {
            coins[in.prevout] = consensus::Coin();
        }
    }
    ParsePrevouts(Given(p, 1) ? p[1] : Json(), nullptr, coins);
    const int hash_type = ParseSighashParam(Given(p, 2) ? p[2] : Json());
    common::FlatSigningProvider provider;
    for (const auto& [outpoint, coin] : coins) {
        if (coin.IsSpent()) continue;
        if (auto prov = w->GetProvider(coin.out.script_pubkey, /*with_private=*/true)) provider.Merge(*prov);
    }
    std::map<int, std::string> errors;
    const bool complete = common::SignTransaction(*tx, provider, coins, hash_type, errors);
    return SignResultToJson(*tx, complete, coins, errors);
}

RpcArg FundOptionsArg(bool psbt)
{
    std::vector<RpcArg> inner{
        psbt ? Arg("add_inputs", A::BOOL, true, "false when \"inputs\" are specified, true otherwise",
                   "Automatically include coins from the wallet to cover the target amount.\n")
             : Arg("add_inputs", A::BOOL, true, "true",
                   "For a transaction with existing inputs, automatically include more if they are not enough."),
        Arg("include_unsafe", A::BOOL, true, "false",
            "Include inputs that are not safe to spend (unconfirmed transactions from outside keys and unconfirmed "
            "replacement transactions)."),
        Arg("changeAddress", A::STR, true, "automatic", "The bitcoin address to receive the change"),
        Arg("changePosition", A::NUM, true, "random", "The index of the change output"),
        Arg("change_type", A::STR, true, "set by -changetype",
            "The output type to use. Only valid if changeAddress is not specified. Options are \"legacy\", "
            "\"p2sh-segwit\", \"bech32\", and \"bech32m\"."),
        Arg("includeWatching", A::BOOL, true, "true for watch-only wallets, otherwise false",
            "(DEPRECATED) No longer used"),
        Arg("lockUnspents", A::BOOL, true, "false", "Lock selected unspent outputs"),
        Arg("fee_rate", A::AMOUNT, true, "not set, falls back to wallet fee estimation",
            "Specify a fee rate in sat/vB."),
        Arg("feeRate", A::AMOUNT, true, "not set, falls back to wallet fee estimation",
            "Specify a fee rate in BTC/kvB."),
        Arg("subtractFeeFromOutputs", A::ARR, true, "[]",
            "The outputs to subtract the fee from.\nThe fee will be equally deducted from the amount of each "
            "specified output.",
            {Arg("vout_index", A::NUM, true, "", "The zero-based output index, before a change output is added.")}),
        Arg("replaceable", A::BOOL, true, "wallet default",
            "Marks this transaction as BIP125-replaceable.\nAllows this transaction to be replaced by a transaction "
            "with higher fees"),
        Arg("conf_target", A::NUM, true, "wallet -txconfirmtarget", "Confirmation target in blocks"),
        Arg("estimate_mode", A::STR, true, "\"unset\"",
            "The fee estimate mode, must be one of (case insensitive):\n\"unset\"\n\"economical\"\n\"conservative\""),
    };
    if (!psbt) inner.push_back(InputWeightsArg());
    inner.push_back(SolvingDataArg());
    return Arg("options", psbt ? A::OBJ : A::ANY, true, "", "", std::move(inner));
}

RpcArg SighashArg()
{
    return Arg("sighashtype", A::STR, true, "\"DEFAULT for Taproot, ALL otherwise\"",
               "The signature hash type to sign with if not specified by the PSBT. Must be one of\n"
               "       \"DEFAULT\"\n       \"ALL\"\n       \"NONE\"\n       \"SINGLE\"\n       \"ALL|ANYONECANPAY\"\n"
               "       \"NONE|ANYONECANPAY\"\n       \"SINGLE|ANYONECANPAY\"");
}

} // namespace

void RegisterPsbtRpc(RpcTable& table, WalletContext& context)
{
    const WalletContext* ctx = &context;
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "walletprocesspsbt",
        .args = {Arg("psbt", A::STR, false, "", "The transaction base64 string"),
                 Arg("sign", A::BOOL, true, "true",
                     "Also sign the transaction when updating (requires wallet to be unlocked)"),
                 SighashArg(),
                 Arg("bip32derivs", A::BOOL, true, "true",
                     "Include BIP 32 derivation paths for public keys if we know them"),
                 Arg("finalize", A::BOOL, true, "true", "Also finalize inputs if possible")},
        .description = "Update a PSBT with input information from our wallet and then sign inputs\n"
                       "that we can sign for.",
        .examples = HelpExampleCli("walletprocesspsbt", "\"psbt\""),
        .handler = [ctx](const RpcRequest& req) { return WalletProcessPsbt(*ctx, req); },
        .results = {Res(T::OBJ, "", "", false,
                        {Res(T::STR, "psbt", "The base64-encoded partially signed transaction"),
                         Res(T::BOOL, "complete", "If the transaction has a complete set of signatures"),
                         Res(T::STR_HEX, "hex", "The hex-encoded network transaction if complete", true)})},
    });
    std::vector<RpcArg> create_args{
        Arg("inputs", A::ARR, true, "", "Leave empty to add inputs automatically. See add_inputs option.",
            {Arg("", A::OBJ, true, "", "",
                 {Arg("txid", A::STR_HEX, false, "", "The transaction id"),
                  Arg("vout", A::NUM, false, "", "The output number"),
                  Arg("sequence", A::NUM, true,
                      "depends on the value of the 'locktime' and 'options.replaceable' arguments",
                      "The sequence number"),
                  Arg("weight", A::NUM, true, "Calculated from wallet and solving data",
                      "The maximum weight for this input, including the weight of the outpoint and sequence number. "
                      "Note that signature sizes are not guaranteed to be consistent, so the maximum DER signatures "
                      "size of 73 bytes should be used when considering ECDSA signatures.Remember to convert "
                      "serialized sizes to weight units when necessary.")})}),
        Arg("outputs", A::ANY, false, "",
            "The outputs specified as key-value pairs.\nEach key may only appear once, i.e. there can only be one "
            "'data' output, and no address may be duplicated."),
        Arg("locktime", A::NUM, true, "0", "Raw locktime. Non-0 value also locktime-activates inputs"),
        FundOptionsArg(true),
        Arg("bip32derivs", A::BOOL, true, "true", "Include BIP 32 derivation paths for public keys if we know them"),
        Arg("version", A::NUM, true, "2", "Transaction version")};
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "walletcreatefundedpsbt",
        .args = create_args,
        .description = "Creates and funds a transaction in the Partially Signed Transaction format.\n"
                       "Implements the Creator and Updater roles.\n"
                       "All existing inputs must either have their previous output transaction be in the wallet\n"
                       "or be in the UTXO set. Solving data must be provided for non-wallet inputs.",
        .examples =
            HelpExampleCli("walletcreatefundedpsbt",
                           "\"[{\\\"txid\\\":\\\"myid\\\",\\\"vout\\\":0}]\" \"[{\\\"data\\\":\\\"00010203\\\"}]\""),
        .handler = [ctx](const RpcRequest& req) { return WalletCreateFundedPsbt(*ctx, req); },
        .results = {Res(T::OBJ, "", "", false,
                        {Res(T::STR, "psbt", "The resulting raw transaction (base64-encoded string)"),
                         Res(T::STR_AMOUNT, "fee", "Fee in BTC the resulting transaction pays"),
                         Res(T::NUM, "changepos", "The position of the added change output, or -1")})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "fundrawtransaction",
        .args = {Arg("hexstring", A::STR_HEX, false, "", "The hex string of the raw transaction"),
                 FundOptionsArg(false),
                 Arg("iswitness", A::BOOL, true, "depends on heuristic tests",
                     "Whether the transaction hex is a serialized witness transaction.")},
        .description = "If the transaction has no inputs, they will be automatically selected to meet its out "
                       "value.\nIt will add at most one change output to the outputs.\nNo existing outputs will be "
                       "modified unless \"subtractFeeFromOutputs\" is specified.",
        .examples = HelpExampleCli("fundrawtransaction", "\"rawtransactionhex\""),
        .handler = [ctx](const RpcRequest& req) { return FundRawTransaction(*ctx, req); },
        .results = {Res(T::OBJ, "", "", false,
                        {Res(T::STR_HEX, "hex", "The resulting raw transaction (hex-encoded string)"),
                         Res(T::STR_AMOUNT, "fee", "Fee in BTC the resulting transaction pays"),
                         Res(T::NUM, "changepos", "The position of the added change output, or -1")})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "signrawtransactionwithwallet",
        .args = {Arg("hexstring", A::STR, false, "", "The transaction hex string"),
                 Arg("prevtxs", A::ARR, true, "", "The previous dependent transaction outputs",
                     {Arg("", A::OBJ, true, "", "",
                          {Arg("txid", A::STR_HEX, false, "", "The transaction id"),
                           Arg("vout", A::NUM, false, "", "The output number"),
                           Arg("scriptPubKey", A::STR_HEX, false, "", "The output script"),
                           Arg("redeemScript", A::STR_HEX, true, "", "(required for P2SH) redeem script"),
                           Arg("witnessScript", A::STR_HEX, true, "",
                               "(required for P2WSH or P2SH-P2WSH) witness script"),
                           Arg("amount", A::AMOUNT, true, "", "(required for Segwit inputs) the amount spent")})}),
                 Arg("sighashtype", A::STR, true, "\"DEFAULT for Taproot, ALL otherwise\"",
                     "The signature hash type. Must be one of\n       \"DEFAULT\"\n       \"ALL\"\n       \"NONE\"\n"
                     "       \"SINGLE\"\n       \"ALL|ANYONECANPAY\"\n       \"NONE|ANYONECANPAY\"\n"
                     "       \"SINGLE|ANYONECANPAY\"")},
        .description = "Sign inputs for raw transaction (serialized, hex-encoded).\n"
                       "The second optional argument (may be null) is an array of previous transaction outputs that\n"
                       "this transaction depends on but may not yet be in the block chain.",
        .examples = HelpExampleCli("signrawtransactionwithwallet", "\"myhex\""),
        .handler = [ctx](const RpcRequest& req) { return SignRawTransactionWithWallet(*ctx, req); },
        .results = SignResultDoc(),
    });
}

} // namespace wallet::rpc
