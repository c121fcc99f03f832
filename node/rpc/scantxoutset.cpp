// scantxoutset (Bitcoin Core's rpc/blockchain.cpp): find the unspent outputs that match
// output descriptors by walking a snapshot of the UTXO set. The coins cache is flushed
// and the database frozen under the chain lock; the walk itself takes no lock, so blocks
// keep connecting meanwhile. One scan at a time; "status" and "abort" act on it.
#include "node/chain/chainstate.h"
#include "common/descriptor.h"
#include "node/rpc/register.h"
#include "common/rpc/util.h"

#include "consensus/hex.h"

#include <atomic>
#include <cmath>
#include <map>
#include <memory>
#include <set>

namespace node::rpc {

namespace {

/** The scripts one scan may look for at most (Core bounds each range to 10^6; we bound the sum too). */
constexpr size_t MAX_SCAN_SCRIPTS = 1'000'000;

/** The one scan that may run, shared by the three actions (Core's g_scan_in_progress and friends). */
struct ScanState {
    std::atomic<bool> in_progress{false};
    std::atomic<int> progress{0};
    std::atomic<bool> should_abort{false};
};

/** Holds the scan slot for the duration of a scan (Core's CoinsViewScanReserver). */
class ScanReserver {
public:
    explicit ScanReserver(ScanState& state) : m_state(state) {}
    ~ScanReserver()
    {
        if (m_reserved) m_state.in_progress = false;
    }
    bool Reserve()
    {
        bool expected = false;
        m_reserved = m_state.in_progress.compare_exchange_strong(expected, true);
        return m_reserved;
    }

private:
    ScanState& m_state;
    bool m_reserved{false};
};

/** The scripts of one scan object and the descriptor to report for each (Core's EvalDescriptorStringOrObject). */
void AddScanObject(const Json& object, const consensus::ChainParams& params,
                   std::map<consensus::Script, std::string>& needles)
{
    auto [desc_text, range] = ParseScanObject(object);
    std::string error;
    const auto desc = ParseDescriptor(desc_text, params, error);
    if (!desc) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, error);
    if (!desc->IsRange()) range = {0, 0};
    for (int64_t i = range.first; i <= range.second; ++i) {
        std::vector<consensus::Script> scripts;
        FlatSigningProvider ignored;
        if (!desc->Expand(static_cast<uint32_t>(i), FlatSigningProvider{}, scripts, ignored, error)) {
            throw RpcError(RPC_INVALID_ADDRESS_OR_KEY,
                           "Cannot derive script without private keys: '" + desc_text + "'");
        }
        for (size_t j = 0; j < scripts.size(); ++j) { // combo() gives several
            if (needles.size() >= MAX_SCAN_SCRIPTS && !needles.count(scripts[j])) {
                throw RpcError(RPC_INVALID_PARAMETER,
                               "Too many scripts to scan for (at most " + std::to_string(MAX_SCAN_SCRIPTS) + ")");
            }
            needles.emplace(scripts[j],
                            desc->InferAt(static_cast<uint32_t>(i), j)); // the first descriptor wins, as Core
        }
    }
}

Json ScanStart(chain::Chainstate& cs, ScanState& state, const RpcRequest& req)
{
    if (req.params.size() < 2 || req.params[1].is_null()) {
        throw RpcError(RPC_MISC_ERROR, "scanobjects argument is required for the start action");
    }
    std::map<consensus::Script, std::string> needles;
    for (const Json& object : req.params[1]) AddScanObject(object, cs.Params(), needles);

    state.should_abort = false;
    state.progress = 0;
    auto snapshot = cs.SnapshotCoins();
    if (!snapshot || !snapshot->second) throw RpcError(RPC_INTERNAL_ERROR, "Unable to read UTXO set");
    const chain::BlockIndex* tip = snapshot->second;

    // The walk runs on the snapshot, without the chain lock.
    int64_t count = 0;
    bool success = true;
    std::vector<std::pair<consensus::OutPoint, consensus::Coin>> found;
    snapshot->first->ForEachCoin([&](const consensus::OutPoint& outpoint, const consensus::Coin& coin) {
        // Aborted by "abort", or the node is shutting down.
        if (++count % 8192 == 0 && (state.should_abort || cs.IsInterrupted())) {
            success = false;
            return false;
        }
        if (count % 256 == 0) {
            const uint32_t high = 0x100u * outpoint.hash.data()[0] + outpoint.hash.data()[1];
            state.progress = static_cast<int>(std::lround(high * 100.0 / 65536.0));
        }
        if (needles.count(coin.out.script_pubkey)) found.emplace_back(outpoint, coin);
        return true;
    });
    if (success) state.progress = 100;
    snapshot->first.reset();

    Json result = Json::object();
    result["success"] = success;
    result["txouts"] = count;
    result["height"] = tip->height;
    result["bestblock"] = tip->GetBlockHash().GetHex();
    Json unspents = Json::array();
    consensus::Amount total{0};
    for (const auto& [outpoint, coin] : found) {
        const chain::BlockIndex* block = tip->GetAncestor(static_cast<int>(coin.height));
        total += coin.out.value;
        Json u = Json::object();
        u["txid"] = outpoint.hash.GetHex();
        u["vout"] = outpoint.n;
        u["scriptPubKey"] = consensus::HexStr(coin.out.script_pubkey);
        u["desc"] = needles.at(coin.out.script_pubkey);
        u["amount"] = ValueFromAmount(coin.out.value);
        u["coinbase"] = coin.coinbase;
        u["height"] = coin.height;
        u["blockhash"] = block ? block->GetBlockHash().GetHex() : std::string();
        u["confirmations"] = tip->height - static_cast<int>(coin.height) + 1;
        unspents.push_back(std::move(u));
    }
    result["unspents"] = std::move(unspents);
    result["total_amount"] = ValueFromAmount(total);
    return result;
}

Json ScanTxOutSet(chain::Chainstate& cs, ScanState& state, const RpcRequest& req)
{
    const std::string& action = GetStr(req.params[0]);
    if (action == "status") {
        ScanReserver reserver(state);
        if (reserver.Reserve()) return nullptr; // no scan in progress
        Json ret = Json::object();
        ret["progress"] = state.progress.load();
        return ret;
    }
    if (action == "abort") {
        ScanReserver reserver(state);
        if (reserver.Reserve()) return false; // nothing to abort
        state.should_abort = true;
        return true;
    }
    if (action == "start") {
        ScanReserver reserver(state);
        if (!reserver.Reserve()) {
            throw RpcError(RPC_INVALID_PARAMETER, "Scan already in progress, use action \"abort\" or \"status\"");
        }
        return ScanStart(cs, state, req);
    }
    throw RpcError(RPC_INVALID_PARAMETER, "Invalid action '" + action + "'");
}

RpcResult R(RpcResultType type, std::string key, std::string description, std::vector<RpcResult> inner = {})
{
    return RpcResult{
        .type = type, .key = std::move(key), .description = std::move(description), .inner = std::move(inner)};
}

} // namespace

void RegisterScanTxOutSetRpc(RpcTable& table, chain::Chainstate& cs)
{
    auto state = std::make_shared<ScanState>();
    using T = RpcResultType;
    RpcResult start =
        R(T::OBJ, "", "",
          {R(T::BOOL, "success", "Whether the scan was completed"),
           R(T::NUM, "txouts", "The number of unspent transaction outputs scanned"),
           R(T::NUM, "height", "The block height at which the scan was done"),
           R(T::STR_HEX, "bestblock", "The hash of the block at the tip of the chain"),
           R(T::ARR, "unspents", "",
             {R(T::OBJ, "", "",
                {R(T::STR_HEX, "txid", "The transaction id"), R(T::NUM, "vout", "The vout value"),
                 R(T::STR_HEX, "scriptPubKey", "The script key"),
                 R(T::STR, "desc", "A specialized descriptor for the matched scriptPubKey"),
                 R(T::STR_AMOUNT, "amount", "The total amount in BTC of the unspent output"),
                 R(T::BOOL, "coinbase", "Whether this is a coinbase output"),
                 R(T::NUM, "height", "Height of the unspent transaction output"),
                 R(T::STR_HEX, "blockhash", "Blockhash of the unspent transaction output"),
                 R(T::NUM, "confirmations",
                   "Number of confirmations of the unspent transaction output when the scan was done")})}),
           R(T::STR_AMOUNT, "total_amount", "The total amount of all found unspent outputs in BTC")});
    start.cond = "when action=='start'; only returns after scan completes";
    RpcResult abort =
        R(T::BOOL, "success",
          "True if scan will be aborted (not necessarily before this RPC returns), or false if there is no "
          "scan to abort");
    abort.cond = "when action=='abort'";
    RpcResult status = R(T::OBJ, "", "", {R(T::NUM, "progress", "Approximate percent complete")});
    status.cond = "when action=='status' and a scan is currently in progress";
    RpcResult idle = R(T::NONE, "", "");
    idle.cond = "when action=='status' and no scan is in progress - possibly already completed";

    table.Register(RpcMethod{
        .category = "blockchain",
        .name = "scantxoutset",
        .args = {RpcArg{.name = "action",
                        .type = RpcArgType::STR,
                        .optional = false,
                        .default_text = "",
                        .description =
                            "The action to execute\n"
                            "\"start\" for starting a scan\n"
                            "\"abort\" for aborting the current scan (returns true when abort was successful)\n"
                            "\"status\" for progress report (in %) of the current scan"},
                 RpcArg{.name = "scanobjects",
                        .type = RpcArgType::ARR,
                        .optional = true,
                        .default_text = "",
                        .description =
                            "Array of scan objects. Required for \"start\" action\n"
                            "Every scan object is either a string descriptor or an object:\n"
                            "  \"descriptor\" (string) An output descriptor\n"
                            "  { \"desc\": \"descriptor\", (string, required) An output descriptor\n"
                            "    \"range\": n or [n,n] } (numeric or array, optional, default=1000) The range "
                            "of HD chain indexes to explore (either end or [begin,end])"}},
        .description =
            "Scans the unspent transaction output set for entries that match certain output descriptors.\n"
            "Examples of output descriptors are:\n"
            "    addr(<address>)                      Outputs whose output script corresponds to the specified address "
            "(does not include P2PK)\n"
            "    raw(<hex script>)                    Outputs whose output script equals the specified hex-encoded bytes\n"
            "    pk(<pubkey>)                         P2PK outputs for the specified pubkey\n"
            "    pkh(<pubkey>)                        P2PKH outputs for the specified pubkey\n"
            "    sh(wpkh(<pubkey>))                   P2SH-P2WPKH outputs for the specified pubkey\n"
            "    tr(<pubkey>)                         P2TR key-path outputs for the specified pubkey\n"
            "\nIn the above, <pubkey> either refers to a fixed public key in hexadecimal notation, or to an xpub/xprv "
            "optionally followed by one\nor more path elements separated by \"/\", and optionally ending in \"/*\" "
            "(unhardened), or \"/*'\" or \"/*h\" (hardened) to specify all\nunhardened or hardened child keys.\n"
            "In the latter case, a range needs to be specified by below if different from 1000.\n"
            "For more information on output descriptors, see the documentation in the doc/descriptors.md file.",
        .examples = "> minicash-cli scantxoutset start '[\"addr(bcrt1q...)\"]'\n"
                    "> minicash-cli scantxoutset status\n> minicash-cli scantxoutset abort",
        .handler = [&cs, state](const RpcRequest& req) { return ScanTxOutSet(cs, *state, req); },
        .results = {start, abort, status, idle},
    });
}

} // namespace node::rpc
