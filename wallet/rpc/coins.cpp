// Balance and coin methods (Core's wallet/rpc/coins.cpp): getbalance, getbalances,
// listunspent, lockunspent, listlockunspent, and rescanblockchain.
#include "wallet/rpc/util.h"

#include "common/key_io.h"
#include "common/solver.h"
#include "consensus/hash.h"
#include "consensus/hex.h"

namespace wallet::rpc {

namespace {

using T = RpcResultType;
using A = RpcArgType;

/**
 * listunspent's "redeemScript" (P2SH) and "witnessScript" (P2WSH, P2SH-P2WSH) of a wallet
 * script, from the scripts its descriptor expands to (Core's listunspent over the solving
 * provider). Nothing when the wallet does not know them.
 */
void AddSpendScripts(const Wallet& w, const consensus::Script& spk, Json& e)
{
    std::vector<std::vector<uint8_t>> sol;
    const common::TxoutType type = common::SolveScript(spk, sol);
    if (type != common::TxoutType::SCRIPTHASH && type != common::TxoutType::WITNESS_V0_SCRIPTHASH) return;
    // Only these derive their scripts (the expansion costs a key derivation per coin).
    const auto provider = w.GetProvider(spk, /*with_private=*/false);
    if (!provider) return;
    // BIP-141: a P2WSH program is the SHA256 of the witness script, found by its RIPEMD160.
    const auto add_witness_script = [&](const std::vector<uint8_t>& program) {
        if (auto ws = provider->GetScript(consensus::Ripemd160(program))) e["witnessScript"] = consensus::HexStr(*ws);
    };
    switch (type) {
    case common::TxoutType::SCRIPTHASH: { // BIP-16: the redeem script by its HASH160
        const auto redeem = provider->GetScript(common::ScriptId(std::span<const uint8_t>(sol[0])));
        if (!redeem) return;
        e["redeemScript"] = consensus::HexStr(*redeem);
        std::vector<std::vector<uint8_t>> inner;
        if (common::SolveScript(*redeem, inner) == common::TxoutType::WITNESS_V0_SCRIPTHASH) {
            add_witness_script(inner[0]);
        }
        return;
    }
    case common::TxoutType::WITNESS_V0_SCRIPTHASH: add_witness_script(sol[0]); return;
    default: return;
    }
}

Json GetBalance(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    w->Chain().WaitForNotifications(); // the balance reflects every block and transaction seen so far
    if (req.params.size() > 0 && !req.params[0].is_null() && GetStr(req.params[0]) != "*") {
        throw RpcError(RPC_METHOD_DEPRECATED, "dummy first argument must be excluded or set to \"*\".");
    }
    const int min_depth = ParamOr<int>(req.params, 1, 0);
    const bool avoid_reuse = AvoidReuseParam(*w, req.params, 3);
    const Balances b = w->GetBalances(min_depth);
    return ValueFromAmount(avoid_reuse ? b.trusted - b.used_trusted : b.trusted);
}

Json GetBalances(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    w->Chain().WaitForNotifications();
    const Balances b = w->GetBalances();
    // Core: with the avoid_reuse flag, coins at used addresses are counted apart, as "used".
    const bool avoid_reuse = w->HasFlag(WALLET_FLAG_AVOID_REUSE);
    Json mine = Json::object();
    mine["trusted"] = ValueFromAmount(avoid_reuse ? b.trusted - b.used_trusted : b.trusted);
    mine["untrusted_pending"] =
        ValueFromAmount(avoid_reuse ? b.untrusted_pending - b.used_untrusted_pending : b.untrusted_pending);
    mine["immature"] = ValueFromAmount(b.immature);
    if (avoid_reuse) mine["used"] = ValueFromAmount(b.used_trusted + b.used_untrusted_pending);
    Json r = Json::object();
    r["mine"] = std::move(mine);
    r["lastprocessedblock"] = LastProcessedBlockJson(b.at);
    return r;
}

Json ListUnspent(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    w->Chain().WaitForNotifications();
    const int min_depth = ParamOr<int>(req.params, 0, 1);
    const int max_depth = ParamOr<int>(req.params, 1, 9999999);
    std::set<consensus::Script> only;
    if (req.params.size() > 2 && !req.params[2].is_null()) {
        CheckType(req.params[2], "array");
        for (const Json& a : req.params[2]) {
            std::string error;
            auto script = common::DecodeAddress(GetStr(a), w->Params(), &error);
            if (!script) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid Bitcoin address: " + GetStr(a));
            if (!only.insert(*script).second) {
                throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, duplicated address: " + GetStr(a));
            }
        }
    }
    const bool include_unsafe = ParamOr<bool>(req.params, 3, true);
    consensus::Amount min_amount{0}, max_amount{consensus::MAX_MONEY}, min_sum{consensus::MAX_MONEY};
    uint64_t max_count = 0;
    if (req.params.size() > 4 && !req.params[4].is_null()) {
        const Json& o = req.params[4];
        CheckType(o, "object");
        if (o.contains("minimumAmount")) min_amount = AmountFromValue(o["minimumAmount"]);
        if (o.contains("maximumAmount")) max_amount = AmountFromValue(o["maximumAmount"]);
        if (o.contains("minimumSumAmount")) min_sum = AmountFromValue(o["minimumSumAmount"]);
        if (o.contains("maximumCount")) max_count = static_cast<uint64_t>(GetInt(o["maximumCount"]));
    }
    auto coins = w->AvailableCoins(min_depth, max_depth, include_unsafe);
    const bool avoid_reuse = w->HasFlag(WALLET_FLAG_AVOID_REUSE);
    std::sort(coins.begin(), coins.end(),
              [](const WalletCoin& a, const WalletCoin& b) { return a.outpoint < b.outpoint; });
    Json r = Json::array();
    consensus::Amount sum{0};
    for (const WalletCoin& c : coins) {
        if (!only.empty() && !only.contains(c.txout.script_pubkey)) continue;
        if (c.txout.value < min_amount || c.txout.value > max_amount) continue;
        Json e = Json::object();
        e["txid"] = c.outpoint.hash.GetHex();
        e["vout"] = c.outpoint.n;
        const std::string address = AddressOf(*w, c.txout.script_pubkey);
        if (!address.empty()) {
            e["address"] = address;
            if (auto label = w->GetLabel(c.txout.script_pubkey)) e["label"] = *label;
            AddSpendScripts(*w, c.txout.script_pubkey, e);
        }
        e["scriptPubKey"] = consensus::HexStr(c.txout.script_pubkey);
        e["amount"] = ValueFromAmount(c.txout.value);
        e["confirmations"] = c.depth;
        // Core: an unconfirmed coin's transaction in the mempool, with its in-pool ancestors.
        if (c.depth == 0) {
            if (const auto anc = w->Chain().GetTransactionAncestry(c.outpoint.hash)) {
                e["ancestorcount"] = anc->count;
                e["ancestorsize"] = anc->vsize;
                e["ancestorfees"] = anc->fees.sats;
            }
        }
        e["spendable"] = true; // Core's descriptor wallets: always true (deprecated field)
        // The output's own descriptor with its key origins, as getaddressinfo's "desc". Core's
        // solvability is that of this inferred descriptor: addr() and raw() know no way to spend.
        const auto info = w->DescribeScript(c.txout.script_pubkey);
        const bool solvable =
            info && !info->desc.empty() && !info->desc.starts_with("addr(") && !info->desc.starts_with("raw(");
        e["solvable"] = solvable;
        if (solvable) e["desc"] = info->desc;
        // Core's PushParentDescriptors: always an array, empty when no descriptor derives the script.
        Json parents = Json::array();
        if (auto parent = w->ParentDescriptor(c.txout.script_pubkey)) parents.push_back(*parent);
        e["parent_descs"] = std::move(parents);
        if (avoid_reuse) e["reused"] = c.reused;
        e["safe"] = c.safe;
        r.push_back(std::move(e));
        sum += c.txout.value;
        if (sum >= min_sum || (max_count && r.size() >= max_count)) break;
    }
    return r;
}

Json LockUnspent(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    const bool unlock = GetBool(req.params[0]);
    const bool persistent = ParamOr<bool>(req.params, 2, false);
    std::string error;
    if (req.params.size() < 2 || req.params[1].is_null()) {
        if (unlock && !w->UnlockAllCoins(error)) throw RpcError(RPC_WALLET_ERROR, error);
        return true;
    }
    CheckType(req.params[1], "array");
    std::vector<consensus::OutPoint> outpoints;
    for (const Json& o : req.params[1]) {
        CheckType(o, "object");
        if (!o.contains("txid") || !o.contains("vout"))
            throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, missing txid or vout key");
        const consensus::Uint256 txid = ParseHashO(o, "txid");
        const int64_t n = GetInt(o["vout"]);
        if (n < 0) throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, vout cannot be negative");
        const consensus::OutPoint op{txid, static_cast<uint32_t>(n)};
        auto wtx = w->GetTx(txid);
        if (!wtx) throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, unknown transaction");
        if (op.n >= wtx->tx->vout.size())
            throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, vout index out of bounds");
        const bool locked = w->IsLockedCoin(op);
        if (unlock && !locked) throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, expected locked output");
        if (!unlock && locked && !persistent)
            throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, output already locked");
        if (!unlock && w->IsSpent(op))
            throw RpcError(RPC_INVALID_PARAMETER, "Invalid parameter, expected unspent output");
        outpoints.push_back(op);
    }
    for (const auto& op : outpoints) {
        const bool ok = unlock ? w->UnlockCoin(op, error) : w->LockCoin(op, persistent, error);
        if (!ok) throw RpcError(RPC_WALLET_ERROR, error);
    }
    return true;
}

Json ListLockUnspent(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    Json r = Json::array();
    for (const auto& op : w->ListLockedCoins()) {
        Json o = Json::object();
        o["txid"] = op.hash.GetHex();
        o["vout"] = op.n;
        r.push_back(std::move(o));
    }
    return r;
}

Json RescanBlockchain(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    const auto tip = w->Chain().GetTip();
    const int tip_height = tip ? tip->height : -1;
    const int start = ParamOr<int>(req.params, 0, 0);
    if (start < 0 || start > tip_height) throw RpcError(RPC_INVALID_PARAMETER, "Invalid start_height");
    std::optional<int> stop;
    if (req.params.size() > 1 && !req.params[1].is_null()) {
        stop = ParamOr<int>(req.params, 1, 0);
        if (*stop < 0 || *stop > tip_height) throw RpcError(RPC_INVALID_PARAMETER, "Invalid stop_height");
        if (*stop < start) throw RpcError(RPC_INVALID_PARAMETER, "stop_height must be greater than start_height");
    }
    std::string error;
    const auto last = w->ScanBlocks(start, stop, error);
    if (!last) throw RpcError(RPC_MISC_ERROR, "Rescan failed. " + error);
    Json r = Json::object();
    r["start_height"] = start;
    r["stop_height"] = *last;
    return r;
}

} // namespace

void RegisterCoinsRpc(RpcTable& table, WalletContext& context)
{
    const WalletContext* ctx = &context;
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "getbalance",
        .args =
            {Arg("dummy", A::STR, true, "", "Remains for backward compatibility. Must be excluded or set to \"*\"."),
             Arg("minconf", A::NUM, true, "0", "Only include transactions confirmed at least this many times."),
             Arg("include_watchonly", A::BOOL, true, "true", "No longer used"),
             Arg("avoid_reuse", A::BOOL, true, "true",
                 "(only available if avoid_reuse wallet flag is set) Do not include balance in dirty outputs; addresses are considered dirty if they have previously been used in a transaction.")},
        .description = "Returns the total available balance.\n"
                       "The available balance is what the wallet considers currently spendable, and is\n"
                       "thus affected by options which limit spendability such as -spendzeroconfchange.",
        .examples = HelpExampleCli("getbalance", "") + HelpExampleRpc("getbalance", ""),
        .handler = [ctx](const RpcRequest& req) { return GetBalance(*ctx, req); },
        .results = {Res(T::STR_AMOUNT, "amount", "The total amount in BTC received for this wallet.")},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "getbalances",
        .description = "Returns an object with all balances in BTC.",
        .examples = HelpExampleCli("getbalances", "") + HelpExampleRpc("getbalances", ""),
        .handler = [ctx](const RpcRequest& req) { return GetBalances(*ctx, req); },
        .results = {Res(
            T::OBJ, "", "", false,
            {Res(T::OBJ, "mine", "balances from outputs that the wallet can sign", false,
                 {Res(T::STR_AMOUNT, "trusted", "trusted balance (outputs created by the wallet or confirmed outputs)"),
                  Res(T::STR_AMOUNT, "untrusted_pending",
                      "untrusted pending balance (outputs created by others that are in the mempool)"),
                  Res(T::STR_AMOUNT, "immature", "balance from immature coinbase outputs"),
                  Res(T::STR_AMOUNT, "used",
                      "(only present if avoid_reuse is set) balance from coins sent to addresses that were previously spent from (potentially privacy violating)",
                      true)}),
             LastProcessedBlockDoc()})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "listunspent",
        .args = {Arg("minconf", A::NUM, true, "1", "The minimum confirmations to filter"),
                 Arg("maxconf", A::NUM, true, "9999999", "The maximum confirmations to filter"),
                 Arg("addresses", A::ARR, true, "[]", "The bitcoin addresses to filter"),
                 Arg("include_unsafe", A::BOOL, true, "true",
                     "Include outputs that are not safe to spend\nSee description of \"safe\" attribute below."),
                 Arg("query_options", A::OBJ, true, "", "JSON with query options")},
        .description = "Returns array of unspent transaction outputs\n"
                       "with between minconf and maxconf (inclusive) confirmations.\n"
                       "Optionally filter to only include txouts paid to specified addresses.",
        .examples = HelpExampleCli("listunspent", "") + HelpExampleRpc("listunspent", ""),
        .handler = [ctx](const RpcRequest& req) { return ListUnspent(*ctx, req); },
        .results = {Res(
            T::ARR, "", "", false,
            {Res(
                T::OBJ, "", "", false,
                {Res(T::STR_HEX, "txid", "the transaction id"), Res(T::NUM, "vout", "the vout value"),
                 Res(T::STR, "address", "the bitcoin address", true),
                 Res(T::STR, "label", "The associated label, or \"\" for the default label", true),
                 Res(T::STR_HEX, "scriptPubKey", "the output script"),
                 Res(T::STR_AMOUNT, "amount", "the transaction output amount in BTC"),
                 Res(T::NUM, "confirmations", "The number of confirmations"),
                 Res(T::NUM, "ancestorcount",
                     "The number of in-mempool ancestor transactions, including this one (if transaction is in the mempool)",
                     true),
                 Res(T::NUM, "ancestorsize",
                     "The virtual transaction size of in-mempool ancestors, including this one (if transaction is in the mempool)",
                     true),
                 Res(T::NUM, "ancestorfees",
                     "The total fees of in-mempool ancestors (including this one) with fee deltas used for mining priority in sat (if transaction is in the mempool)",
                     true),
                 Res(T::STR_HEX, "redeemScript", "The redeem script if the output script is P2SH", true),
                 Res(T::STR, "witnessScript", "witness script if the output script is P2WSH or P2SH-P2WSH", true),
                 Res(T::BOOL, "spendable", "(DEPRECATED) Always true"),
                 Res(T::BOOL, "solvable", "Whether we know how to spend this output, ignoring the lack of keys"),
                 Res(T::BOOL, "reused",
                     "(only present if avoid_reuse is set) Whether this output is reused/dirty (sent to an address that was previously spent from)",
                     true),
                 Res(T::STR, "desc", "(only when solvable) A descriptor for spending this output", true),
                 Res(T::ARR, "parent_descs", "List of parent descriptors for the output script of this coin.", false,
                     {Res(T::STR, "desc", "The descriptor string.")}),
                 Res(T::BOOL, "safe",
                     "Whether this output is considered safe to spend. Unconfirmed transactions\nfrom outside keys and unconfirmed replacement transactions are considered unsafe\nand are not eligible for spending by fundrawtransaction and sendtoaddress.")})})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "lockunspent",
        .args =
            {Arg("unlock", A::BOOL, false, "", "Whether to unlock (true) or lock (false) the specified transactions"),
             Arg("transactions", A::ARR, true, "[]",
                 "The transaction outputs and within each, the txid (string) vout (numeric)."),
             Arg("persistent", A::BOOL, true, "false",
                 "Whether to write/erase this lock in the wallet database, or keep the change in memory only. Ignored for unlocking.")},
        .description = "Updates list of temporarily unspendable outputs.",
        .handler = [ctx](const RpcRequest& req) { return LockUnspent(*ctx, req); },
        .results = {Res(T::BOOL, "", "Whether the command was successful or not")},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "listlockunspent",
        .description = "Returns list of temporarily unspendable outputs.",
        .handler = [ctx](const RpcRequest& req) { return ListLockUnspent(*ctx, req); },
        .results = {Res(
            T::ARR, "", "", false,
            {Res(T::OBJ, "", "", false,
                 {Res(T::STR_HEX, "txid", "The transaction id locked"), Res(T::NUM, "vout", "The vout value")})})},
    });
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "rescanblockchain",
        .args =
            {Arg("start_height", A::NUM, true, "0", "block height where the rescan should start"),
             Arg("stop_height", A::NUM, true, "",
                 "the last block height that should be scanned. If none is provided it will rescan up to the tip at return time of this call.")},
        .description = "Rescan the local blockchain for wallet related transactions.",
        .handler = [ctx](const RpcRequest& req) { return RescanBlockchain(*ctx, req); },
        .results = {Res(
            T::OBJ, "", "", false,
            {Res(T::NUM, "start_height", "The block height where the rescan started (the requested height or 0)"),
             Res(T::NUM, "stop_height",
                 "The height of the last rescanned block. May be null in rare cases if there was a reorg and the call didn't scan any blocks because they were already scanned in the background.")})},
    });
}

} // namespace wallet::rpc
