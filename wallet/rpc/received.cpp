// What the wallet received and what changed since a block (Core's wallet/rpc/transactions.cpp):
// getreceivedbyaddress, getreceivedbylabel, listreceivedbyaddress, listreceivedbylabel, listsinceblock.
#include "wallet/rpc/history.h"

#include "common/key_io.h"
#include "consensus/limits.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <set>

namespace wallet::rpc {

namespace {

using T = RpcResultType;
using A = RpcArgType;
using consensus::Amount;

struct Tally {
    Amount amount{0};
    int conf{std::numeric_limits<int>::max()};
    std::vector<consensus::Uint256> txids;
};

/** Core's ListReceived: the receiving (non-change, address-book) scripts with what they got. */
Json ListReceived(const Wallet& w, const Json& params, bool by_label)
{
    const int min_depth = ParamOr<int>(params, 0, 1);
    const bool include_empty = ParamOr<bool>(params, 1, false);
    const bool include_immature = ParamOr<bool>(params, by_label ? 3 : 4, false);
    std::optional<consensus::Script> filter;
    if (!by_label && params.size() > 3 && !params[3].is_null()) {
        filter = common::DecodeAddress(GetStr(params[3]), w.Params());
        if (!filter) throw RpcError(RPC_WALLET_ERROR, "address_filter parameter was invalid");
    }
    std::map<consensus::Script, Tally> tally;
    const auto [txs, at] = w.TransactionsAt();
    for (const auto& wtx : txs) {
        const int depth = Wallet::DepthAt(wtx, at.height);
        if (depth < min_depth) continue;
        if (wtx.tx->IsCoinBase() && (depth < 1 || (depth <= consensus::COINBASE_MATURITY && !include_immature))) {
            continue;
        }
        for (const auto& out : wtx.tx->vout) {
            if (filter && out.script_pubkey != *filter) continue;
            if (!w.IsMine(out.script_pubkey) || AddressOf(w, out.script_pubkey).empty()) continue;
            Tally& t = tally[out.script_pubkey];
            t.amount += out.value;
            t.conf = std::min(t.conf, depth);
            t.txids.push_back(wtx.tx->GetTxid());
        }
    }
    auto conf_of = [](int conf) { return conf == std::numeric_limits<int>::max() ? 0 : conf; };
    Json result = Json::array();
    std::map<std::string, Tally> by_name;
    auto entries = w.Labels();
    if (filter) {
        auto it = entries.find(*filter);
        entries = it == entries.end() ? decltype(entries){} : decltype(entries){*it};
    }
    for (const auto& [script, label] : entries) {
        if (w.IsChange(script)) continue;
        auto it = tally.find(script);
        if (it == tally.end() && !include_empty) continue;
        const Tally t = it == tally.end() ? Tally{} : it->second;
        if (by_label) {
            Tally& l = by_name[label];
            l.amount += t.amount;
            l.conf = std::min(l.conf, t.conf);
            continue;
        }
        Json o = Json::object();
        o["address"] = AddressOf(w, script);
        o["amount"] = ValueFromAmount(t.amount);
        o["confirmations"] = conf_of(t.conf);
        o["label"] = label;
        Json txids = Json::array();
        for (const auto& txid : t.txids) txids.push_back(txid.GetHex());
        o["txids"] = std::move(txids);
        result.push_back(std::move(o));
    }
    for (const auto& [label, t] : by_name) {
        Json o = Json::object();
        o["amount"] = ValueFromAmount(t.amount);
        o["confirmations"] = conf_of(t.conf);
        o["label"] = label;
        result.push_back(std::move(o));
    }
    return result;
}

/** Core's GetReceived: what scripts received in transactions at least min_depth deep. */
Amount Received(const Wallet& w, const std::set<consensus::Script>& scripts, const Json& params)
{
    const int min_depth = ParamOr<int>(params, 1, 1);
    const bool include_immature = ParamOr<bool>(params, 2, false);
    Amount total{0};
    const auto [txs, at] = w.TransactionsAt();
    for (const auto& wtx : txs) {
        const int depth = Wallet::DepthAt(wtx, at.height);
        if (depth < min_depth) continue;
        if (wtx.tx->IsCoinBase() && (depth < 1 || (depth <= consensus::COINBASE_MATURITY && !include_immature))) {
            continue;
        }
        for (const auto& out : wtx.tx->vout) {
            if (scripts.count(out.script_pubkey)) total += out.value;
        }
    }
    return total;
}

Json GetReceivedByAddress(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    w->Chain().WaitForNotifications();
    const auto script = common::DecodeAddress(GetStr(req.params[0]), w->Params());
    if (!script) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid Bitcoin address");
    if (!w->IsMine(*script)) throw RpcError(RPC_WALLET_ERROR, "Address not found in wallet");
    return ValueFromAmount(Received(*w, {*script}, req.params));
}

Json GetReceivedByLabel(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    w->Chain().WaitForNotifications();
    const std::string label = LabelFromValue(req.params[0]);
    std::set<consensus::Script> scripts;
    for (const auto& [script, l] : w->Labels()) {
        if (l == label && !w->IsChange(script)) scripts.insert(script);
    }
    return ValueFromAmount(Received(*w, scripts, req.params));
}

Json ListReceivedByAddress(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    w->Chain().WaitForNotifications();
    return ListReceived(*w, req.params, false);
}

Json ListReceivedByLabel(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    w->Chain().WaitForNotifications();
    return ListReceived(*w, req.params, true);
}

/**
 * Core's listsinceblock: the entries of every transaction less deep than the given block
 * (all of them without one), the transactions of the given block's branch back to the active
 * chain when it left it ("removed"), and the block target_confirmations deep ("lastblock").
 */
Json ListSinceBlock(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    w->Chain().WaitForNotifications();
    auto& chain = w->Chain();
    std::optional<consensus::Uint256> since;
    if (req.params.size() > 0 && !req.params[0].is_null() && !GetStr(req.params[0]).empty()) {
        since = ParseHashV(req.params[0], "blockhash");
    }
    const int target = ParamOr<int>(req.params, 1, 1);
    if (target < 1) throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter");
    const bool include_removed = ParamOr<bool>(req.params, 3, true);
    const bool include_change = ParamOr<bool>(req.params, 4, false);
    std::optional<std::string> label;
    if (req.params.size() > 5 && !req.params[5].is_null()) label = LabelFromValue(req.params[5]);
    // The transactions and the last block processed, read together (depths count from it).
    const auto [txs, last] = w->TransactionsAt();

    // The given block's branch, from it back to (not including) the active chain.
    std::vector<consensus::Block> branch;
    int depth = -1;
    if (since) {
        consensus::Uint256 hash = *since;
        std::optional<int> fork_height = chain.GetActiveHeight(hash);
        while (!fork_height) {
            auto block = chain.ReadBlock(hash);
            if (!block) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
            hash = block->prev_block;
            branch.push_back(std::move(*block));
            fork_height = chain.GetActiveHeight(hash);
        }
        depth = last.height + 1 - *fork_height;
    }
    const ListOptions options{.min_depth = 0, .include_change = include_change, .label = label ? &*label : nullptr};
    Json transactions = Json::array();
    for (const auto& wtx : txs) {
        if (depth == -1 || std::abs(Wallet::DepthAt(wtx, last.height)) < depth) {
            ListEntries(*w, wtx, last.height, options, transactions);
        }
    }
    Json result = Json::object();
    result["transactions"] = std::move(transactions);
    if (include_removed) {
        // Every confirmation count shows here, even negative ones (Core's big negative minimum).
        ListOptions removed_options = options;
        removed_options.min_depth = -100000000;
        Json removed = Json::array();
        std::map<consensus::Uint256, const WalletTx*> by_txid;
        for (const auto& wtx : txs) by_txid.emplace(wtx.tx->GetTxid(), &wtx);
        for (const auto& block : branch) {
            for (const auto& tx : block.vtx) {
                auto it = by_txid.find(tx->GetTxid());
                if (it != by_txid.end()) ListEntries(*w, *it->second, last.height, removed_options, removed);
            }
        }
        result["removed"] = std::move(removed);
    }
    const int back = std::min(target, last.height + 1);
    const auto lastblock = chain.GetBlockHash(last.height + 1 - back);
    result["lastblock"] = lastblock ? lastblock->GetHex() : last.hash.GetHex();
    return result;
}

std::vector<RpcArg> ReceivedArgs(bool by_label)
{
    std::vector<RpcArg> args{
        Arg("minconf", A::NUM, true, "1", "The minimum number of confirmations before payments are included."),
        Arg("include_empty", A::BOOL, true, "false",
            by_label ? "Whether to include labels that haven't received any payments."
                     : "Whether to include addresses that haven't received any payments."),
        Arg("include_watchonly", A::BOOL, true, "true", "(DEPRECATED) No longer used")};
    if (!by_label)
        args.push_back(Arg("address_filter", A::STR, true, "",
                           "If present and non-empty, only return information on this address."));
    args.push_back(Arg("include_immature_coinbase", A::BOOL, true, "false", "Include immature coinbase transactions."));
    return args;
}

} // namespace

void RegisterReceivedRpc(RpcTable& table, WalletContext& context)
{
    const WalletContext* ctx = &context;
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "listreceivedbyaddress",
        .args = ReceivedArgs(false),
        .description = "List balances by receiving address.",
        .examples = HelpExampleCli("listreceivedbyaddress", "6 true"),
        .handler = [ctx](const RpcRequest& req) { return ListReceivedByAddress(*ctx, req); },
        .results = {Res(
            T::ARR, "", "", false,
            {Res(T::OBJ, "", "", false,
                 {Res(T::STR, "address", "The receiving address"),
                  Res(T::STR_AMOUNT, "amount", "The total amount in BTC received by the address"),
                  Res(T::NUM, "confirmations", "The number of confirmations of the most recent transaction included"),
                  Res(T::STR, "label", "The label of the receiving address. The default label is \"\""),
                  Res(T::ARR, "txids", "", false,
                      {Res(T::STR_HEX, "txid", "The ids of transactions received with the address")})})})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "listreceivedbylabel",
        .args = ReceivedArgs(true),
        .description = "List received transactions by label.",
        .examples = HelpExampleCli("listreceivedbylabel", "6 true"),
        .handler = [ctx](const RpcRequest& req) { return ListReceivedByLabel(*ctx, req); },
        .results = {Res(
            T::ARR, "", "", false,
            {Res(T::OBJ, "", "", false,
                 {Res(T::STR_AMOUNT, "amount", "The total amount received by addresses with this label"),
                  Res(T::NUM, "confirmations", "The number of confirmations of the most recent transaction included"),
                  Res(T::STR, "label", "The label of the receiving address. The default label is \"\"")})})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "getreceivedbyaddress",
        .args = {Arg("address", A::STR, false, "", "The bitcoin address for transactions."),
                 Arg("minconf", A::NUM, true, "1", "Only include transactions confirmed at least this many times."),
                 Arg("include_immature_coinbase", A::BOOL, true, "false", "Include immature coinbase transactions.")},
        .description =
            "Returns the total amount received by the given address in transactions with at least minconf confirmations.",
        .examples = HelpExampleCli("getreceivedbyaddress", "\"bcrt1q09vm5lfy0j5reeulh4x5752q25uqqvz34hufdl\" 6"),
        .handler = [ctx](const RpcRequest& req) { return GetReceivedByAddress(*ctx, req); },
        .results = {Res(T::STR_AMOUNT, "amount", "The total amount in BTC received at this address.")},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "getreceivedbylabel",
        .args = {Arg("label", A::STR, false, "", "The selected label, may be the default label using \"\"."),
                 Arg("minconf", A::NUM, true, "1", "Only include transactions confirmed at least this many times."),
                 Arg("include_immature_coinbase", A::BOOL, true, "false", "Include immature coinbase transactions.")},
        .description =
            "Returns the total amount received by addresses with <label> in transactions with at least [minconf] confirmations.",
        .examples = HelpExampleCli("getreceivedbylabel", "\"tabby\" 6"),
        .handler = [ctx](const RpcRequest& req) { return GetReceivedByLabel(*ctx, req); },
        .results = {Res(T::STR_AMOUNT, "amount", "The total amount in BTC received for this label.")},
    });
    std::vector<RpcResult> fields = EntryResults(true);
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "listsinceblock",
        .args =
            {Arg("blockhash", A::STR, true, "",
                 "If set, the block hash to list transactions since, otherwise list all transactions."),
             Arg("target_confirmations", A::NUM, true, "1",
                 "Return the nth block hash from the main chain. e.g. 1 would mean the best block hash. Note: this is not used as a filter, but only affects [lastblock] in the return value"),
             Arg("include_watchonly", A::BOOL, true, "true", "(DEPRECATED) No longer used"),
             Arg("include_removed", A::BOOL, true, "true",
                 "Show transactions that were removed due to a reorg in the \"removed\" array\n(not guaranteed to work on pruned nodes)"),
             Arg("include_change", A::BOOL, true, "false", "Also add entries for change outputs.\n"),
             Arg("label", A::STR, true, "",
                 "Return only incoming transactions paying to addresses with the specified label.\n")},
        .description =
            "Get all transactions in blocks since block [blockhash], or all transactions if omitted.\n"
            "If \"blockhash\" is no longer a part of the main chain, transactions from the fork point onward are included.\n"
            "Additionally, if include_removed is set, transactions affecting the wallet which were removed are returned in the \"removed\" array.",
        .examples =
            HelpExampleCli("listsinceblock", "") +
            HelpExampleCli("listsinceblock", "\"000000000000000bacf66f7497b7dc45ef753ee9a7d38764ffffffffffffffff\" 6"),
        .handler = [ctx](const RpcRequest& req) { return ListSinceBlock(*ctx, req); },
        .results = {Res(
            T::OBJ, "", "", false,
            {Res(T::ARR, "transactions", "", false, {Res(T::OBJ, "", "", false, fields)}),
             Res(T::ARR, "removed",
                 "<structure is the same as \"transactions\" above, only present if include_removed=true>\nNote: transactions that were re-added in the active chain will appear as-is in this array, and may thus have a positive confirmation count.",
                 true, {Res(T::ELISION, "", "")}),
             Res(T::STR_HEX, "lastblock",
                 "The hash of the block (target_confirmations-1) from the best block on the main chain, or the genesis hash if the referenced block does not exist yet. This is used to detect a double spend in the chain.")})},
    });
}

} // namespace wallet::rpc
