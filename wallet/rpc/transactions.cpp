// Transaction history methods (Core's wallet/rpc/transactions.cpp): gettransaction,
// listtransactions, abandontransaction.
#include "wallet/rpc/history.h"

#include "common/rpc/rawtx.h"
#include "common/rpc/tx_json.h"

namespace wallet::rpc {

using T = RpcResultType;
using A = RpcArgType;
using consensus::Amount;

void TxFields(const Wallet& w, const WalletTx& wtx, int tip_height, Json& entry)
{
    const int depth = Wallet::DepthAt(wtx, tip_height);
    entry["confirmations"] = depth;
    if (wtx.tx->IsCoinBase()) entry["generated"] = true;
    if (wtx.state.kind == TxState::Kind::CONFIRMED) {
        entry["blockhash"] = wtx.state.block_hash.GetHex();
        entry["blockheight"] = wtx.state.block_height;
        entry["blockindex"] = wtx.state.index;
        entry["blocktime"] = wtx.block_time;
    } else {
        entry["trusted"] = w.IsTrusted(wtx.tx->GetTxid());
    }
    entry["txid"] = wtx.tx->GetTxid().GetHex();
    entry["wtxid"] = wtx.tx->GetWtxid().GetHex();
    Json conflicts = Json::array();
    for (const auto& c : w.Conflicts(*wtx.tx)) conflicts.push_back(c.GetHex());
    entry["walletconflicts"] = std::move(conflicts);
    Json mempool_conflicts = Json::array();
    for (const auto& c : wtx.mempool_conflicts) mempool_conflicts.push_back(c.GetHex());
    entry["mempoolconflicts"] = std::move(mempool_conflicts);
    for (const char* key : {"replaced_by_txid", "replaces_txid"}) {
        if (auto it = wtx.meta.find(key); it != wtx.meta.end()) entry[key] = it->second;
    }
    entry["time"] = wtx.time_smart;
    entry["timereceived"] = wtx.time_received;
    for (const char* key : {"comment", "to"}) {
        if (auto it = wtx.meta.find(key); it != wtx.meta.end()) entry[key] = it->second;
    }
    std::string rbf = "unknown";
    if (depth > 0) {
        rbf = "no";
    } else if (depth == 0 && w.Chain().IsInMempool(wtx.tx->GetTxid())) {
        bool signals = false;
        for (const auto& in : wtx.tx->vin) signals = signals || in.sequence < 0xfffffffe;
        rbf = signals ? "yes" : "no";
    }
    entry["bip125-replaceable"] = rbf;
}

void ListEntries(const Wallet& w, const WalletTx& wtx, int tip_height, const ListOptions& options, Json& out)
{
    const Amount debit = w.Debit(*wtx.tx);
    Amount value_out{0};
    for (const auto& o : wtx.tx->vout) value_out += o.value;
    const Amount fee = debit > Amount{0} ? debit - value_out : Amount{0};
    const int depth = Wallet::DepthAt(wtx, tip_height);
    for (uint32_t n = 0; n < wtx.tx->vout.size(); ++n) {
        const auto& out_n = wtx.tx->vout[n];
        const bool mine = w.IsMine(out_n.script_pubkey);
        const auto label = w.GetLabel(out_n.script_pubkey);
        // Core's CachedTxGetAmounts: our change (an unlabelled script of ours in a transaction we
        // paid for) is neither sent nor received unless include_change.
        if (debit > Amount{0} && mine && !label && w.IsChange(out_n.script_pubkey) && !options.include_change) continue;
        const std::string address = AddressOf(w, out_n.script_pubkey);
        auto add = [&](Json e) {
            if (options.with_fields) TxFields(w, wtx, tip_height, e);
            out.push_back(std::move(e));
        };
        // Sent: only when no label filter is given (Core's ListTransactions).
        if (debit > Amount{0} && !options.label) {
            Json e = Json::object();
            if (!address.empty()) e["address"] = address;
            e["category"] = "send";
            e["amount"] = ValueFromAmount(Amount{0} - out_n.value);
            if (label) e["label"] = *label;
            e["vout"] = n;
            e["fee"] = ValueFromAmount(Amount{0} - fee);
            e["abandoned"] = wtx.state.abandoned;
            add(std::move(e));
        }
        if (mine && depth >= options.min_depth) {
            if (options.label && label.value_or("") != *options.label) continue;
            Json e = Json::object();
            if (!address.empty()) e["address"] = address;
            std::string category = "receive";
            if (wtx.tx->IsCoinBase()) {
                category = depth < 1 ? "orphan" : depth <= 100 ? "immature" : "generate";
            }
            e["category"] = category;
            e["amount"] = ValueFromAmount(out_n.value);
            if (label) e["label"] = *label;
            e["vout"] = n;
            if (category != "receive" || debit <= Amount{0}) {
                if (auto parent = w.ParentDescriptor(out_n.script_pubkey)) {
                    Json parents = Json::array();
                    parents.push_back(*parent);
                    e["parent_descs"] = std::move(parents);
                }
            }
            add(std::move(e));
        }
    }
}

std::vector<RpcResult> TxFieldResults()
{
    return {
        Res(T::NUM, "confirmations",
            "The number of confirmations for the transaction. Negative confirmations means the\ntransaction conflicted that many blocks ago."),
        Res(T::BOOL, "generated", "Only present if the transaction's only input is a coinbase one.", true),
        Res(T::BOOL, "trusted",
            "Whether we consider the transaction to be trusted and safe to spend from.\nOnly present when the transaction has 0 confirmations (or negative confirmations, if conflicted).",
            true),
        Res(T::STR_HEX, "blockhash", "The block hash containing the transaction.", true),
        Res(T::NUM, "blockheight", "The block height containing the transaction.", true),
        Res(T::NUM, "blockindex", "The index of the transaction in the block that includes it.", true),
        Res(T::NUM_TIME, "blocktime", "The block time expressed in UNIX epoch time.", true),
        Res(T::STR_HEX, "txid", "The transaction id."),
        Res(T::STR_HEX, "wtxid", "The hash of serialized transaction, including witness data."),
        Res(T::ARR, "walletconflicts",
            "Confirmed transactions that have been detected by the wallet to conflict with this transaction.", false,
            {Res(T::STR_HEX, "txid", "The transaction id.")}),
        Res(T::STR_HEX, "replaced_by_txid", "Only if 'category' is 'send'. The txid if this tx was replaced.", true),
        Res(T::STR_HEX, "replaces_txid", "Only if 'category' is 'send'. The txid if this tx replaces another.", true),
        Res(T::ARR, "mempoolconflicts",
            "Transactions in the mempool that directly conflict with either this transaction or an ancestor transaction",
            false, {Res(T::STR_HEX, "txid", "The transaction id.")}),
        Res(T::STR, "to", "If a comment to is associated with the transaction.", true),
        Res(T::NUM_TIME, "time", "The transaction time expressed in UNIX epoch time."),
        Res(T::NUM_TIME, "timereceived", "The time received expressed in UNIX epoch time."),
        Res(T::STR, "comment", "If a comment is associated with the transaction, only present if not empty.", true),
        Res(T::STR, "bip125-replaceable",
            "(\"yes|no|unknown\") Whether this transaction signals BIP125 replaceability or has an unconfirmed ancestor signaling BIP125 replaceability.\nMay be unknown for unconfirmed transactions not in the mempool because their unconfirmed ancestors are unknown.")};
}

std::vector<RpcResult> EntryResults(bool with_fields)
{
    std::vector<RpcResult> r{
        Res(T::STR, "address",
            "The bitcoin address of the transaction (not returned if the output does not have an address, e.g. OP_RETURN null data).",
            true),
        Res(T::STR, "category", "The transaction category."),
        Res(T::STR_AMOUNT, "amount",
            "The amount in BTC. This is negative for the 'send' category, and is positive\nfor all other categories"),
        Res(T::STR, "label", "A comment for the address/transaction, if any", true),
        Res(T::NUM, "vout", "the vout value"),
        Res(T::STR_AMOUNT, "fee",
            "The amount of the fee in BTC. This is negative and only available for the\n'send' category of transactions.",
            true),
        Res(T::BOOL, "abandoned", "'true' if the transaction has been abandoned (inputs are respendable).", true),
        Res(T::ARR, "parent_descs",
            "Only if 'category' is 'received'. List of parent descriptors for the output script of this coin.", true,
            {Res(T::STR, "desc", "The descriptor string.")})};
    if (with_fields) {
        for (auto& f : TxFieldResults()) r.push_back(std::move(f));
    }
    return r;
}

namespace {

Json GetTransaction(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    w->Chain().WaitForNotifications();
    const consensus::Uint256 txid = ParseHashV(req.params[0], "txid");
    const bool verbose = ParamOr<bool>(req.params, 2, false);
    // The transaction and the last block processed, read together: "confirmations" counts
    // from "lastprocessedblock".
    const auto [found, at] = w->GetTxAt(txid);
    if (found.empty()) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid or non-wallet transaction id");
    const WalletTx* wtx = &found.front();
    const Amount credit = w->Credit(*wtx->tx);
    const Amount debit = w->Debit(*wtx->tx);
    Amount value_out{0};
    for (const auto& o : wtx->tx->vout) value_out += o.value;
    const Amount fee = debit > Amount{0} ? debit - value_out : Amount{0};
    Json r = Json::object();
    r["amount"] = ValueFromAmount(credit - debit + fee);
    if (debit > Amount{0}) r["fee"] = ValueFromAmount(Amount{0} - fee);
    TxFields(*w, *wtx, at.height, r);
    Json details = Json::array();
    ListEntries(*w, *wtx, at.height, ListOptions{.with_fields = false}, details);
    r["details"] = std::move(details);
    r["hex"] = EncodeHexTx(*wtx->tx);
    // decoderawtransaction's object: no block hash, no hex, no spent coins (Core's TxToUniv).
    if (verbose) r["decoded"] = TxToJson(*wtx->tx, w->Params(), {}, /*include_hex=*/false);
    r["lastprocessedblock"] = LastProcessedBlockJson(at);
    return r;
}

Json ListTransactions(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    w->Chain().WaitForNotifications();
    std::optional<std::string> label;
    if (req.params.size() > 0 && !req.params[0].is_null() && GetStr(req.params[0]) != "*") {
        label = LabelFromValue(req.params[0]);
    }
    const int64_t count = ParamOr<int64_t>(req.params, 1, 10);
    const int64_t skip = ParamOr<int64_t>(req.params, 2, 0);
    if (count < 0) throw RpcError(RPC_INVALID_PARAMETER, "Negative count");
    if (skip < 0) throw RpcError(RPC_INVALID_PARAMETER, "Negative from");
    auto [txs, at] = w->TransactionsAt();
    // Oldest first, as Core's wtxOrdered (by the order the wallet learned of them).
    std::stable_sort(txs.begin(), txs.end(), [](const WalletTx& a, const WalletTx& b) {
        return std::tie(a.time_smart, a.time_received) < std::tie(b.time_smart, b.time_received);
    });
    Json all = Json::array();
    const ListOptions options{.label = label ? &*label : nullptr};
    for (const auto& wtx : txs) ListEntries(*w, wtx, at.height, options, all);
    // The last count entries after skipping skip from the end (Core's newest-first walk, returned oldest first).
    const int64_t n = static_cast<int64_t>(all.size());
    const int64_t end = std::max<int64_t>(0, n - skip);
    const int64_t begin = std::max<int64_t>(0, end - count);
    Json r = Json::array();
    for (int64_t i = begin; i < end; ++i) r.push_back(all[static_cast<size_t>(i)]);
    return r;
}

Json AbandonTransaction(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    w->Chain().WaitForNotifications();
    const consensus::Uint256 txid = ParseHashV(req.params[0], "txid");
    std::string error;
    if (!w->AbandonTransaction(txid, error)) {
        const int code = w->GetTx(txid) ? RPC_INVALID_ADDRESS_OR_KEY : RPC_INVALID_ADDRESS_OR_KEY;
        throw RpcError(code, error);
    }
    return Json();
}

} // namespace

void RegisterTransactionRpc(RpcTable& table, WalletContext& context)
{
    const WalletContext* ctx = &context;
    std::vector<RpcResult> tx_fields{
        Res(T::STR_AMOUNT, "amount", "The amount in BTC"),
        Res(T::STR_AMOUNT, "fee",
            "The amount of the fee in BTC. This is negative and only available for the\n'send' category of transactions.",
            true)};
    for (auto& f : TxFieldResults()) tx_fields.push_back(std::move(f));
    tx_fields.push_back(Res(T::ARR, "details", "", false, {Res(T::OBJ, "", "", false, EntryResults(false))}));
    tx_fields.push_back(Res(T::STR_HEX, "hex", "Raw data for transaction"));
    tx_fields.push_back(Res(T::OBJ, "decoded", "The decoded transaction (only present when `verbose` is passed)", true,
                            {Res(T::ELISION, "",
                                 "Equivalent to the RPC decoderawtransaction method, or the RPC getrawtransaction "
                                 "method when `verbose` is passed.")}));
    tx_fields.push_back(LastProcessedBlockDoc());
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "gettransaction",
        .args =
            {Arg("txid", A::STR, false, "", "The transaction id"),
             Arg("include_watchonly", A::BOOL, true, "true", "(DEPRECATED) No longer used"),
             Arg("verbose", A::BOOL, true, "false",
                 "Whether to include a `decoded` field containing the decoded transaction (equivalent to RPC decoderawtransaction)")},
        .description = "Get detailed information about in-wallet transaction <txid>",
        .examples =
            HelpExampleCli("gettransaction", "\"1075db55d416d3ca199f55b6084e2115b9345e16c5cf302fc80e9d5fbf5d48d\""),
        .handler = [ctx](const RpcRequest& req) { return GetTransaction(*ctx, req); },
        .results = {Res(T::OBJ, "", "", false, std::move(tx_fields))},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "listtransactions",
        .args =
            {Arg("label", A::STR, true, "",
                 "If set, should be a valid label name to return only incoming transactions\nwith the specified label, or \"*\" to disable filtering and return all transactions."),
             Arg("count", A::NUM, true, "10", "The number of transactions to return"),
             Arg("skip", A::NUM, true, "0", "The number of transactions to skip"),
             Arg("include_watchonly", A::BOOL, true, "true", "(DEPRECATED) No longer used")},
        .description =
            "If a label name is provided, this will return only incoming transactions paying to addresses with the specified label.\n\n"
            "Returns up to 'count' most recent transactions skipping the first 'from' transactions.",
        .examples = HelpExampleCli("listtransactions", "") + HelpExampleRpc("listtransactions", ""),
        .handler = [ctx](const RpcRequest& req) { return ListTransactions(*ctx, req); },
        .results = {Res(T::ARR, "", "", false, {Res(T::OBJ, "", "", false, EntryResults(true))})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "abandontransaction",
        .args = {Arg("txid", A::STR_HEX, false, "", "The transaction id")},
        .description =
            "Mark in-wallet transaction <txid> as abandoned\n"
            "This will mark this transaction and all its in-wallet descendants as abandoned which will allow\n"
            "for their inputs to be respent.  It can be used to replace \"stuck\" or evicted transactions.\n"
            "It only works on transactions which are not included in a block and are not currently in the mempool.\n"
            "It has no effect on transactions which are already abandoned.",
        .handler = [ctx](const RpcRequest& req) { return AbandonTransaction(*ctx, req); },
        .results = {Res(T::NONE, "", "")},
    });
}

} // namespace wallet::rpc
