// sendrawtransaction, testmempoolaccept, submitpackage, prioritisetransaction and
// getprioritisedtransactions (Core's rpc/mempool.cpp and rpc/mining.cpp). Acceptance runs on the
// validation owner; the RPC thread waits for it, as Core's.
#include "common/rpc/util.h"
#include "consensus/limits.h"
#include "consensus/script/script.h"
#include "node/chain/validation_owner.h"
#include "node/mempool/broadcast.h"
#include "node/mempool/mempool_manager.h"
#include "node/mempool/policy.h"
#include "node/rpc/core_io.h"
#include "node/rpc/mempool_rpc.h"
#include "node/rpc/register.h"

#include <algorithm>

namespace node::rpc {

namespace {

using consensus::Amount;
using consensus::TransactionRef;
using mempool::AcceptResult;
using mempool::FeeRate;
using mempool::MempoolManager;
using T = RpcResultType;

RpcArg Arg(std::string name, RpcArgType type, bool optional, std::string default_text, std::string description)
{
    return RpcArg{std::move(name), type, optional, std::move(default_text), std::move(description)};
}

RpcResult Res(T type, std::string key, std::string description, bool optional = false)
{
    return RpcResult{.type = type, .key = std::move(key), .description = std::move(description), .optional = optional};
}

/** Core's DEFAULT_MAX_RAW_TX_FEE_RATE: 0.10 BTC/kvB. */
constexpr Amount DEFAULT_MAX_RAW_TX_FEE_RATE{consensus::COIN.sats / 10};

/** Core's ParseFeeRate for maxfeerate: BTC/kvB, below 1 BTC/kvB. */
FeeRate ParseMaxFeeRate(const Json& params, size_t i)
{
    if (params.size() <= i || params[i].is_null()) return FeeRate(DEFAULT_MAX_RAW_TX_FEE_RATE);
    const Amount rate = AmountFromValue(params[i]);
    if (rate >= consensus::COIN) {
        throw RpcError(RPC_INVALID_PARAMETER, "Fee rates larger than or equal to 1BTC/kvB are not accepted");
    }
    return FeeRate(rate);
}

TransactionRef DecodeTxParam(const Json& v)
{
    auto mtx = DecodeHexTx(GetStr(v), true, true);
    if (!mtx) throw RpcError(RPC_DESERIALIZATION_ERROR, "TX decode failed. Make sure the tx has at least one input.");
    return consensus::MakeTransactionRef(std::move(*mtx));
}

/** Core's GetVirtualTransactionSize without sigops (what maxfeerate is applied to). */
int64_t PlainVsize(const consensus::Transaction& tx)
{
    return (consensus::GetTransactionWeight(tx) + consensus::WITNESS_SCALE_FACTOR - 1) /
           consensus::WITNESS_SCALE_FACTOR;
}

/**
 * Core's maxburnamount: an output that is provably unspendable (OP_RETURN, a script over 10,000
 * bytes, or an invalid opcode) may carry at most max_burn; RPC error -25 otherwise.
 */
void CheckBurn(const consensus::Transaction& tx, Amount max_burn)
{
    for (const consensus::TxOut& out : tx.vout) {
        if ((out.script_pubkey.IsUnspendable() || !out.script_pubkey.HasValidOps()) && out.value > max_burn) {
            throw RpcError(RPC_TRANSACTION_ERROR,
                           "Unspendable output exceeds maximum configured by user (maxburnamount)");
        }
    }
}

AcceptResult RunAccept(MempoolManager& mm, const TransactionRef& tx, bool test_accept, Amount max_fee = {})
{
    try {
        return mm.Submit(tx, test_accept, max_fee).get();
    } catch (const chain::OwnerStopped&) {
        throw RpcError(RPC_MISC_ERROR, "Shutting down");
    }
}

/** sendrawtransaction's parameters: the transaction and the largest fee it may pay (maxburnamount checked). */
std::pair<TransactionRef, Amount> SendRawParams(const RpcRequest& req)
{
    TransactionRef tx = DecodeTxParam(req.params[0]);
    const FeeRate max_rate = ParseMaxFeeRate(req.params, 1);
    const Amount max_burn =
        req.params.size() > 2 && !req.params[2].is_null() ? AmountFromValue(req.params[2]) : Amount{0};
    CheckBurn(*tx, max_burn);
    const Amount max_fee = max_rate.GetFee(PlainVsize(*tx));
    return {std::move(tx), max_fee};
}

/** sendrawtransaction's result: the txid, or Core's error for r. */
Json SendRawResult(const consensus::Transaction& tx, const mempool::BroadcastResult& r)
{
    using mempool::BroadcastError;
    switch (r.error) {
    case BroadcastError::OK: break;
    case BroadcastError::ALREADY_IN_UTXO_SET:
        throw RpcError(RPC_VERIFY_ALREADY_IN_UTXO_SET, "Transaction outputs already in utxo set");
    case BroadcastError::MISSING_INPUTS: throw RpcError(RPC_TRANSACTION_ERROR, "Inputs missing or spent");
    case BroadcastError::MEMPOOL_ERROR: throw RpcError(RPC_TRANSACTION_ERROR, r.reason);
    case BroadcastError::MEMPOOL_REJECTED: throw RpcError(RPC_VERIFY_REJECTED, r.reason);
    case BroadcastError::MAX_FEE_EXCEEDED:
        throw RpcError(RPC_TRANSACTION_ERROR, "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)");
    case BroadcastError::SHUTTING_DOWN: throw RpcError(RPC_MISC_ERROR, "Shutting down");
    }
    return tx.GetTxid().GetHex();
}

Json SendRawTransaction(MempoolManager& mm, const RelayFn& relay, const RpcRequest& req)
{
    const auto [tx, max_fee] = SendRawParams(req);
    return SendRawResult(*tx, mempool::BroadcastTransaction(mm, tx, max_fee, relay));
}

/**
 * sendrawtransaction begun ahead in a batch: decoded and checked now, judged on the owner in
 * the order begun (its scripts checked on a pre-verifier worker meanwhile), announced and
 * answered at the call's turn.
 */
RpcBegun BeginSendRawTransaction(MempoolManager& mm, const RelayFn& relay, const RpcRequest& req)
{
    auto [tx, max_fee] = SendRawParams(req);
    auto pending = std::make_shared<mempool::PendingBroadcast>(mempool::BeginBroadcast(mm, tx, max_fee));
    // Judged on the owner in the order begun: ready in that order.
    std::function<void()> wait_ready = [pending] { pending->verdict.wait(); };
    return RpcBegun(
        [&mm, relay, pending, tx = std::move(tx)] {
            return SendRawResult(*tx, mempool::FinishBroadcast(mm, std::move(*pending), relay));
        },
        std::move(wait_ready));
}

Json FeesJson(const AcceptResult& r)
{
    Json fees = Json::object();
    fees["base"] = ValueFromAmount(r.base_fee);
    if (r.effective_feerate) {
        fees["effective-feerate"] = ValueFromAmount(r.effective_feerate->SatsPerKvB());
        Json inc = Json::array();
        for (const auto& w : r.effective_feerate_wtxids) inc.push_back(w.GetHex());
        fees["effective-includes"] = inc;
    }
    return fees;
}

/**
 * One testmempoolaccept entry (Core's): txid and wtxid always; the verdict only for a judged
 * transaction before any that exceeded max_rate (exit_early, set here on such a one).
 */
Json TestResultJson(const consensus::Transaction& tx, const AcceptResult* r, const FeeRate& max_rate,
                    const std::string& package_error, bool& exit_early)
{
    Json o = Json::object();
    o["txid"] = tx.GetTxid().GetHex();
    o["wtxid"] = tx.GetWtxid().GetHex();
    if (!package_error.empty()) o["package-error"] = package_error;
    if (!r || exit_early) return o;
    if (r->Valid()) {
        const Amount max_fee = max_rate.GetFee(r->vsize);
        if (max_fee.sats > 0 && r->base_fee > max_fee) {
            o["allowed"] = false;
            o["reject-reason"] = "max-fee-exceeded";
            // The rest would not be submitted without this one: left unjudged, as Core's.
            exit_early = true;
        } else {
            o["allowed"] = true;
            o["vsize"] = r->vsize;
            o["fees"] = FeesJson(*r);
        }
        return o;
    }
    o["allowed"] = false;
    if (r->state.GetTxResult() == consensus::TxValidationResult::MISSING_INPUTS) {
        o["reject-reason"] = "missing-inputs";
    } else {
        o["reject-reason"] = r->state.GetRejectReason();
        o["reject-details"] = r->state.ToString();
    }
    return o;
}

Json TestMempoolAccept(MempoolManager& mm, const RpcRequest& req)
{
    const Json& raw = req.params[0];
    CheckType(raw, "array");
    if (raw.empty() || raw.size() > mempool::MAX_PACKAGE_COUNT) {
        throw RpcError(RPC_INVALID_PARAMETER, "Array must contain between 1 and " +
                                                  std::to_string(mempool::MAX_PACKAGE_COUNT) + " transactions.");
    }
    const FeeRate max_rate = ParseMaxFeeRate(req.params, 1);
    std::vector<TransactionRef> txs;
    for (const Json& v : raw) txs.push_back(DecodeTxParam(v));
    Json out = Json::array();
    bool exit_early = false;
    if (txs.size() == 1) {
        const AcceptResult r = RunAccept(mm, txs[0], /*test_accept=*/true);
        out.push_back(TestResultJson(*txs[0], &r, max_rate, {}, exit_early));
        return out;
    }
    // Several: one package (Core's ProcessNewPackage with test_accept), judged on the owner.
    mempool::PackageResult pr;
    try {
        pr = mm.Owner().Submit([&mm, &txs] { return mm.TestAcceptPackage(txs); }).get();
    } catch (const chain::OwnerStopped&) {
        throw RpcError(RPC_MISC_ERROR, "Shutting down");
    }
    const std::string package_error = pr.policy_failure ? pr.state.ToString() : std::string{};
    for (const TransactionRef& tx : txs) {
        const AcceptResult* r = nullptr;
        for (const auto& [wtxid, res] : pr.results) {
            if (wtxid == tx->GetWtxid()) r = &res;
        }
        out.push_back(TestResultJson(*tx, r, max_rate, package_error, exit_early));
    }
    return out;
}

Json SubmitPackage(MempoolManager& mm, const RelayFn& relay, const RpcRequest& req)
{
    const Json& raw = req.params[0];
    CheckType(raw, "array");
    if (raw.empty() || raw.size() > mempool::MAX_PACKAGE_COUNT) {
        throw RpcError(RPC_INVALID_PARAMETER, "Array must contain between 1 and " +
                                                  std::to_string(mempool::MAX_PACKAGE_COUNT) + " transactions.");
    }
    // Each transaction's own modified fee rate is held to it during acceptance; 0 means none.
    const FeeRate max_rate = ParseMaxFeeRate(req.params, 1);
    std::optional<FeeRate> max_feerate;
    if (max_rate.SatsPerKvB().sats != 0) max_feerate = max_rate;
    // Checked on the decoded transactions before any acceptance: nothing enters if one burns.
    const Amount max_burn =
        req.params.size() > 2 && !req.params[2].is_null() ? AmountFromValue(req.params[2]) : Amount{0};
    std::vector<TransactionRef> txs;
    for (const Json& v : raw) {
        TransactionRef tx = DecodeTxParam(v);
        CheckBurn(*tx, max_burn);
        txs.push_back(std::move(tx));
    }
    if (txs.size() > 1 && !mempool::IsChildWithParentsTree(txs)) {
        throw RpcError(RPC_TRANSACTION_ERROR,
                       "package topology disallowed. not child-with-parents or parents depend on each other.");
    }
    mempool::PackageResult pr;
    try {
        pr = mm.Owner().Submit([&mm, &txs, max_feerate] { return mm.AcceptPackage(txs, max_feerate); }).get();
    } catch (const chain::OwnerStopped&) {
        throw RpcError(RPC_MISC_ERROR, "Shutting down");
    }
    // A package rule broken before any transaction was judged (Core's PCKG_POLICY, e.g.
    // conflict-in-package): the message, and no transaction result (Core v28-v30).
    Json result = Json::object();
    result["package_msg"] = pr.state.IsValid() ? "success" : pr.state.ToString();
    Json tx_results = Json::object();
    Json replaced = Json::array();
    for (const auto& [wtxid_ref, r] : pr.results) {
        const consensus::Uint256 wtxid = wtxid_ref; // a copy the lambda may capture (C++20 bindings: clang 14)
        Json o = Json::object();
        const auto it =
            std::find_if(txs.begin(), txs.end(), [&](const TransactionRef& t) { return t->GetWtxid() == wtxid; });
        o["txid"] = (*it)->GetTxid().GetHex();
        switch (r.kind) {
        case AcceptResult::Kind::INVALID: o["error"] = r.state.ToString(); break;
        case AcceptResult::Kind::DIFFERENT_WITNESS: o["other-wtxid"] = r.other_wtxid.GetHex(); break;
        case AcceptResult::Kind::VALID:
        case AcceptResult::Kind::MEMPOOL_ENTRY:
            o["vsize"] = r.vsize;
            o["fees"] = FeesJson(r);
            if (r.kind == AcceptResult::Kind::MEMPOOL_ENTRY) o["fees"].erase("effective-feerate");
            if (r.kind == AcceptResult::Kind::MEMPOOL_ENTRY) o["fees"].erase("effective-includes");
            for (const auto& old : r.replaced) replaced.push_back(old->GetTxid().GetHex());
            if (relay) relay(*it);
            break;
        }
        tx_results[wtxid.GetHex()] = o;
    }
    result["tx-results"] = tx_results;
    result["replaced-transactions"] = replaced;
    return result;
}

Json PrioritiseTransaction(MempoolManager& mm, const RpcRequest& req)
{
    const consensus::Uint256 txid = ParseHashV(req.params[0], "txid");
    if (req.params.size() > 1 && !req.params[1].is_null() && GetReal(req.params[1]) != 0) {
        throw RpcError(RPC_INVALID_PARAMETER,
                       "Priority is no longer supported, dummy argument to prioritisetransaction must be 0.");
    }
    const Amount delta{GetInt(req.params[2])};
    try {
        mm.Owner().Submit([&mm, txid, delta] { mm.Pool().PrioritiseTransaction(txid, delta); }).get();
    } catch (const chain::OwnerStopped&) {
        throw RpcError(RPC_MISC_ERROR, "Shutting down");
    }
    return true;
}

Json GetPrioritisedTransactions(MempoolManager& mm)
{
    Json o = Json::object();
    for (const auto& [txid, delta] : mm.Pool().GetFeeDeltas()) {
        Json e = Json::object();
        e["fee_delta"] = delta.sats;
        e["in_mempool"] = mm.Pool().Exists(txid);
        if (auto entry = mm.Pool().GetEntry(txid)) e["modified_fee"] = entry->ModifiedFee().sats;
        o[txid.GetHex()] = e;
    }
    return o;
}

} // namespace

void RegisterMempoolSendRpc(RpcTable& table, MempoolManager& mm, RelayFn relay)
{
    table.Register(RpcMethod{
        .category = "rawtransactions",
        .name = "sendrawtransaction",
        .args =
            {Arg("hexstring", RpcArgType::STR_HEX, false, "", "The hex string of the raw transaction"),
             Arg("maxfeerate", RpcArgType::AMOUNT, true, "0.10",
                 "Reject transactions whose fee rate is higher than the specified value, expressed in BTC/kvB.\n"
                 "Fee rates larger than 1BTC/kvB are rejected.\nSet to 0 to accept any fee rate."),
             Arg("maxburnamount", RpcArgType::AMOUNT, true, "0.00",
                 "Reject transactions with provably unspendable outputs (e.g. 'datacarrier' outputs that use the OP_RETURN opcode) greater than the specified value, expressed in BTC.\n"
                 "If burning funds through unspendable outputs is desired, increase this value.\n"
                 "This check is based on heuristics and does not guarantee spendability of outputs.\n")},
        .description =
            "Submit a raw transaction (serialized, hex-encoded) to local node and network.\n\n"
            "The transaction will be sent unconditionally to all peers, so using sendrawtransaction\n"
            "for manual rebroadcast may degrade privacy by leaking the transaction's origin, as\n"
            "nodes will normally not rebroadcast non-wallet transactions already in their mempool.\n\n"
            "A specific exception, RPC_TRANSACTION_ALREADY_IN_UTXO_SET, may throw if the transaction cannot be added to the mempool.\n\n"
            "Related RPCs: createrawtransaction, signrawtransactionwithkey",
        .examples = HelpExampleCli("sendrawtransaction", "\"signedhex\"") +
                    HelpExampleRpc("sendrawtransaction", "\"signedhex\""),
        .handler = [&mm, relay](const RpcRequest& req) { return SendRawTransaction(mm, relay, req); },
        .results = {Res(T::STR_HEX, "", "The transaction hash in hex")},
        .begin = [&mm, relay](const RpcRequest& req) { return BeginSendRawTransaction(mm, relay, req); }});
    table.Register(RpcMethod{
        .category = "rawtransactions",
        .name = "testmempoolaccept",
        .args = {Arg("rawtxs", RpcArgType::ARR, false, "", "An array of hex strings of raw transactions."),
                 Arg("maxfeerate", RpcArgType::AMOUNT, true, "0.10",
                     "Reject transactions whose fee rate is higher than the specified value, expressed in BTC/kvB\n")},
        .description =
            "Returns result of mempool acceptance tests indicating if raw transaction(s) (serialized, hex-encoded) would be accepted by mempool.\n\n"
            "If multiple transactions are passed in, parents must come before children and package policies apply: the transactions cannot conflict with any mempool transactions or each other.\n\n"
            "If one transaction fails, other transactions may not be fully validated (the 'allowed' key will be blank).\n\n"
            "The maximum number of transactions allowed is 25.\n\n"
            "This checks if transactions violate the consensus or policy rules.\n\n"
            "See sendrawtransaction call.",
        .examples = HelpExampleCli("testmempoolaccept", "'[\"signedhex\"]'") +
                    HelpExampleRpc("testmempoolaccept", "[\"signedhex\"]"),
        .handler = [&mm](const RpcRequest& req) { return TestMempoolAccept(mm, req); },
        .results = {RpcResult{
            .type = T::ARR,
            .description =
                "The result of the mempool acceptance test for each raw transaction in the input array.\n"
                "Returns results for each transaction in the same order they were passed in.\n"
                "Transactions that cannot be fully validated due to failures in other transactions will not contain an 'allowed' result.\n",
            .inner = {RpcResult{
                .type = T::OBJ,
                .inner = {
                    Res(T::STR_HEX, "txid", "The transaction hash in hex"),
                    Res(T::STR_HEX, "wtxid", "The transaction witness hash in hex"),
                    Res(T::STR, "package-error",
                        "Package validation error, if any (only possible if rawtxs had more than 1 transaction).",
                        true),
                    Res(T::BOOL, "allowed",
                        "Whether this tx would be accepted to the mempool and pass client-specified maxfeerate. If not present, the tx was not fully validated due to a failure in another tx in the list.",
                        true),
                    Res(T::NUM, "vsize",
                        "Virtual transaction size as defined in BIP 141. This is different from actual serialized size for witness transactions as witness data is discounted (only present when 'allowed' is true)",
                        true),
                    RpcResult{
                        .type = T::OBJ,
                        .key = "fees",
                        .description = "Transaction fees (only present if 'allowed' is true)",
                        .inner =
                            {Res(T::STR_AMOUNT, "base", "transaction fee in BTC"),
                             Res(T::STR_AMOUNT, "effective-feerate",
                                 "the effective feerate in BTC per KvB. May differ from the base feerate if, for example, there are modified fees from prioritisetransaction or a package feerate was used."),
                             RpcResult{.type = T::ARR,
                                       .key = "effective-includes",
                                       .description =
                                           "transactions whose fees and vsizes are included in effective-feerate.",
                                       .inner = {Res(T::STR_HEX, "", "transaction wtxid in hex")}}},
                        .optional = true},
                    Res(T::STR, "reject-reason", "Rejection reason (only present when 'allowed' is false)", true),
                    Res(T::STR, "reject-details",
                        "Rejection details (only present when 'allowed' is false and rejection details exist)",
                        true)}}}}}});
    table.Register(RpcMethod{
        .category = "rawtransactions",
        .name = "submitpackage",
        .args =
            {Arg("package", RpcArgType::ARR, false, "",
                 "An array of raw transactions.\nThe package must solely consist of a child transaction and all of its unconfirmed parents, if any. None of the parents may depend on each other.\nThe package must be topologically sorted, with the child being the last element in the array."),
             Arg("maxfeerate", RpcArgType::AMOUNT, true, "0.10",
                 "Reject transactions whose fee rate is higher than the specified value, expressed in BTC/kvB.\nFee rates larger than 1BTC/kvB are rejected.\nSet to 0 to accept any fee rate."),
             Arg("maxburnamount", RpcArgType::AMOUNT, true, "0.00",
                 "Reject transactions with provably unspendable outputs (e.g. 'datacarrier' outputs that use the OP_RETURN opcode) greater than the specified value, expressed in BTC.\nIf burning funds through unspendable outputs is desired, increase this value.\nThis check is based on heuristics and does not guarantee spendability of outputs.\n")},
        .description =
            "Submit a package of raw transactions (serialized, hex-encoded) to local node.\n"
            "The package will be validated according to consensus and mempool policy rules. If any transaction passes, it will be accepted to mempool.\n"
            "This RPC is experimental and the interface may be unstable. Refer to doc/policy/packages.md for documentation on package policies.\n"
            "Warning: successful submission does not mean the transactions will propagate throughout the network.\n",
        .examples = HelpExampleRpc("submitpackage", "[\"raw-parent-tx-1\", \"raw-parent-tx-2\", \"raw-child-tx\"]") +
                    HelpExampleCli("submitpackage", "'[\"raw-tx-without-unconfirmed-parents\"]'"),
        .handler = [&mm, relay](const RpcRequest& req) { return SubmitPackage(mm, relay, req); },
        .results = {RpcResult{
            .type = T::OBJ,
            .inner = {
                Res(T::STR, "package_msg",
                    "The transaction package result message. \"success\" indicates all transactions were accepted into or are already in the mempool."),
                RpcResult{
                    .type = T::OBJ_DYN,
                    .key = "tx-results",
                    .description = "transaction results keyed by wtxid",
                    .inner = {RpcResult{
                        .type = T::OBJ,
                        .key = "wtxid",
                        .description = "transaction wtxid",
                        .inner =
                            {Res(T::STR_HEX, "txid", "The transaction hash in hex"),
                             Res(T::STR_HEX, "other-wtxid",
                                 "The wtxid of a different transaction with the same txid but different witness found in the mempool. This means the submitted transaction was ignored.",
                                 true),
                             Res(T::NUM, "vsize", "Sigops-adjusted virtual transaction size.", true),
                             RpcResult{
                                 .type = T::OBJ,
                                 .key = "fees",
                                 .description = "Transaction fees",
                                 .inner =
                                     {Res(T::STR_AMOUNT, "base", "transaction fee in BTC"),
                                      Res(T::STR_AMOUNT, "effective-feerate",
                                          "if the transaction was not already in the mempool, the effective feerate in BTC per KvB. For example, the package feerate and/or feerate with modified fees from prioritisetransaction.",
                                          true),
                                      RpcResult{.type = T::ARR,
                                                .key = "effective-includes",
                                                .description =
                                                    "if effective-feerate is provided, the wtxids of the transactions whose fees and vsizes are included in effective-feerate.",
                                                .inner = {Res(T::STR_HEX, "", "transaction wtxid in hex")},
                                                .optional = true}},
                                 .optional = true},
                             Res(T::STR, "error", "The transaction error string, if it was rejected by the mempool",
                                 true)}}}},
                RpcResult{.type = T::ARR,
                          .key = "replaced-transactions",
                          .description = "List of txids of replaced transactions",
                          .inner = {Res(T::STR_HEX, "", "The transaction id")},
                          .optional = true}}}}});
    table.Register(RpcMethod{
        .category = "mining",
        .name = "prioritisetransaction",
        .args =
            {Arg("txid", RpcArgType::STR_HEX, false, "", "The transaction id."),
             Arg("dummy", RpcArgType::NUM, true, "null",
                 "API-Compatibility for previous API. Must be zero or null.\n                  DEPRECATED. For forward compatibility use named arguments and omit this parameter."),
             Arg("fee_delta", RpcArgType::NUM, false, "",
                 "The fee value (in satoshis) to add (or subtract, if negative).\n"
                 "Note, that this value is not a fee rate. It is a value to modify absolute fee of the TX.\n"
                 "The fee is not actually paid, only the algorithm for selecting transactions into a block\n"
                 "considers the transaction as it would have paid a higher (or lower) fee.")},
        .description = "Accepts the transaction into mined blocks at a higher (or lower) priority",
        .examples = HelpExampleCli("prioritisetransaction", "\"txid\" 0.0 10000") +
                    HelpExampleRpc("prioritisetransaction", "\"txid\", 0.0, 10000"),
        .handler = [&mm](const RpcRequest& req) { return PrioritiseTransaction(mm, req); },
        .results = {Res(T::BOOL, "", "Returns true")}});
    table.Register(RpcMethod{
        .category = "mining",
        .name = "getprioritisedtransactions",
        .description =
            "Returns a map of all user-created (see prioritisetransaction) fee deltas by txid, and whether the tx is present in mempool.",
        .examples = HelpExampleCli("getprioritisedtransactions", "") + HelpExampleRpc("getprioritisedtransactions", ""),
        .handler = [&mm](const RpcRequest&) { return GetPrioritisedTransactions(mm); },
        .results = {
            RpcResult{.type = T::OBJ_DYN,
                      .description = "prioritisation keyed by txid",
                      .inner = {RpcResult{
                          .type = T::OBJ,
                          .key = "<transactionid>",
                          .inner = {Res(T::NUM, "fee_delta", "transaction fee delta in satoshis"),
                                    Res(T::BOOL, "in_mempool", "whether this transaction is currently in mempool"),
                                    Res(T::NUM, "modified_fee",
                                        "modified fee in satoshis. Only returned if in_mempool=true", true)}}}}}});
}

} // namespace node::rpc
