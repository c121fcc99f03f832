// importdescriptors (Core's wallet/rpc/backup.cpp): each request checked as Core's
// ProcessDescriptorImport does, stored by Wallet::ImportDescriptor, then one rescan from the
// earliest timestamp (less Core's TIMESTAMP_WINDOW) with the wallet's ScanBlocks.
#include "wallet/rpc/util.h"

#include "common/descriptor.h"

#include <algorithm>
#include <limits>

namespace wallet::rpc {

namespace {

using T = RpcResultType;
using A = RpcArgType;

/** Core's TIMESTAMP_WINDOW: blocks up to two hours older than a key's birth time are scanned too. */
constexpr int64_t TIMESTAMP_WINDOW = 2 * 60 * 60;

/** The median time of the 11 blocks ending at hash (Core's "now" for an import: the last block's MTP). */
int64_t MedianTimePast(const Wallet& w, consensus::Uint256 hash)
{
    std::vector<int64_t> times;
    for (int i = 0; i < 11; ++i) {
        auto block = w.Chain().ReadBlock(hash);
        if (!block) break;
        times.push_back(block->time);
        if (block->prev_block.IsNull()) break;
        hash = block->prev_block;
    }
    if (times.empty()) return 0;
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

/** Core's GetImportTimestamp: a number, or "now". */
int64_t ImportTimestamp(const Json& request, int64_t now)
{
    if (!request.contains("timestamp")) throw RpcError(RPC_TYPE_ERROR, "Missing required timestamp field for key");
    const Json& t = request.at("timestamp");
    if (IsNumeric(t)) return GetInt(t);
    if (t.is_string() && t.get<std::string>() == "now") return now;
    throw RpcError(RPC_TYPE_ERROR, "Expected number or \"now\" timestamp value for key. got type " + JsonTypeName(t));
}

/**
 * Core's ParseDescriptorRange, then one limit of ours: the end (inclusive) plus one is kept as
 * the descriptor's int32 range end, and the keypool's lookahead is added to indexes, so ends
 * from 2^30 on are refused as too high (Core checks only that the end is below 2^31).
 */
std::pair<int64_t, int64_t> ParseRange(const Json& value)
{
    const auto range = ParseDescriptorRange(value);
    if (range.second >= std::numeric_limits<int32_t>::max() / 2)
        throw RpcError(RPC_INVALID_PARAMETER, "End of range is too high");
    return range;
}

bool Has(const Json& o, const char* key) { return o.contains(key) && !o.at(key).is_null(); }

/**
 * Core's ProcessDescriptorImport: {success, warnings?, error?}. A BIP-389 multipath descriptor
 * is imported as one descriptor per path; with exactly two, the second is the internal one.
 */
Json ProcessImport(Wallet& w, const Json& request, int64_t timestamp)
{
    std::vector<std::string> warnings;
    Json result = Json::object();
    try {
        if (!request.is_object()) throw RpcError(RPC_TYPE_ERROR, "Invalid request: expected an object");
        if (!Has(request, "desc")) throw RpcError(RPC_INVALID_PARAMETER, "Descriptor not found.");
        const std::string& text = GetStr(request.at("desc"));
        const bool active = Has(request, "active") && GetBool(request.at("active"));
        const bool has_label = Has(request, "label");
        const std::string label = has_label ? LabelFromValue(request.at("label")) : "";
        std::string error;
        auto descs = common::ParseMultipathDescriptor(text, w.Params(), error, /*require_checksum=*/true);
        if (!descs || descs->empty()) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, error);
        const common::Descriptor& first = descs->front();
        if (descs->size() > 1 && Has(request, "internal")) {
            throw RpcError(RPC_INVALID_ADDRESS_OR_KEY,
                           "Cannot have multipath descriptor while also specifying 'internal'");
        }
        const bool internal = Has(request, "internal") && GetBool(request.at("internal"));
        int64_t range_start = 0, range_end = 1, next_index = 0;
        if (!first.IsRange() && Has(request, "range")) {
            throw RpcError(RPC_INVALID_PARAMETER, "Range should not be specified for an un-ranged descriptor");
        } else if (first.IsRange()) {
            if (Has(request, "range")) {
                const auto [low, high] = ParseRange(request.at("range"));
                range_start = low;
                range_end = high + 1;
            } else {
                warnings.emplace_back("Range not given, using default keypool range");
                range_start = 0;
                range_end = DEFAULT_KEYPOOL_SIZE;
            }
            next_index = range_start;
            if (Has(request, "next_index")) {
                next_index = GetInt(request.at("next_index"));
                if (next_index < range_start || next_index >= range_end)
                    throw RpcError(RPC_INVALID_PARAMETER, "next_index is out of range");
            }
        }
        if (active && !first.IsRange()) throw RpcError(RPC_INVALID_PARAMETER, "Active descriptors must be ranged");
        if (descs->size() > 1 && has_label)
            throw RpcError(RPC_INVALID_PARAMETER, "Multipath descriptors should not have a label");
        if (first.IsRange() && has_label)
            throw RpcError(RPC_INVALID_PARAMETER, "Ranged descriptors should not have a label");
        if (internal && has_label) throw RpcError(RPC_INVALID_PARAMETER, "Internal addresses should not have a label");
        if (active && !first.IsSingleType())
            throw RpcError(RPC_WALLET_ERROR, "Combo descriptors cannot be set to active");
        const bool privkeys_disabled = w.HasFlag(WALLET_FLAG_DISABLE_PRIVATE_KEYS);
        if (privkeys_disabled && first.HasPrivateKeys()) {
            throw RpcError(RPC_WALLET_ERROR, "Cannot import private keys to a wallet with private keys disabled");
        }
        for (size_t j = 0; j < descs->size(); ++j) {
            common::Descriptor& desc = (*descs)[j];
            std::vector<consensus::Script> scripts;
            common::FlatSigningProvider expanded;
            if (!desc.Expand(0, common::FlatSigningProvider{}, scripts, expanded, error)) {
                throw RpcError(RPC_WALLET_ERROR, "Cannot expand descriptor. Probably because of hardened derivations "
                                                 "without private keys provided");
            }
            if (!privkeys_disabled) {
                if (!desc.HasPrivateKeys()) {
                    throw RpcError(
                        RPC_WALLET_ERROR,
                        "Cannot import descriptor without private keys to a wallet with private keys enabled");
                }
                std::string priv;
                if (!desc.ToPrivateString(priv)) {
                    warnings.emplace_back("Not all private keys provided. Some wallet functionality may return "
                                          "unexpected errors");
                }
            }
            ImportedDescriptor d;
            d.desc = std::move(desc);
            d.timestamp = timestamp;
            d.next_index = static_cast<int32_t>(next_index);
            d.range_start = static_cast<int32_t>(range_start);
            d.range_end = static_cast<int32_t>(range_end);
            d.internal = descs->size() == 2 ? j == 1 : internal;
            d.active = active;
            if (has_label) d.label = label;
            if (!w.ImportDescriptor(d, warnings, error)) {
                throw RpcError(RPC_WALLET_ERROR, "Could not add descriptor '" + text + "': " + error);
            }
        }
        result["success"] = true;
    } catch (const RpcError& e) {
        result["success"] = false;
        Json err = Json::object();
        err["code"] = e.code;
        err["message"] = e.what();
        result["error"] = std::move(err);
    }
    if (!warnings.empty()) {
        Json list = Json::array();
        for (const auto& s : warnings) list.push_back(s);
        result["warnings"] = std::move(list);
    }
    return result;
}

/** The first active-chain height whose block is not older than time (binary search on block times). */
int FirstHeightFrom(const Wallet& w, int64_t time, int tip_height)
{
    int low = 0, high = tip_height + 1;
    while (low < high) {
        const int mid = low + (high - low) / 2;
        auto hash = w.Chain().GetBlockHash(mid);
        auto block = hash ? w.Chain().ReadBlock(*hash) : std::nullopt;
        if (block && static_cast<int64_t>(block->time) < time) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    return low;
}

Json ImportDescriptors(const WalletContext& context, const RpcRequest& req)
{
    const auto w = GetWalletForRequest(context, req);
    CheckType(req.params.at(0), "array");
    EnsureWalletIsUnlocked(*w); // as Core: secrets may be imported
    w->Chain().WaitForNotifications();
    const SyncPoint last = w->LastBlock();
    const int64_t now = last.height >= 0 ? MedianTimePast(*w, last.hash) : 0;
    Json response = Json::array();
    bool rescan = false;
    int64_t lowest = std::numeric_limits<int64_t>::max();
    for (const Json& request : req.params.at(0)) {
        // A request without a usable timestamp fails the whole call (as Core).
        const int64_t timestamp = std::max<int64_t>(ImportTimestamp(request, now), 1);
        Json result = ProcessImport(*w, request, timestamp);
        rescan |= result["success"].get<bool>();
        lowest = std::min(lowest, timestamp);
        response.push_back(std::move(result));
    }
    if (rescan) {
        const auto tip = w->Chain().GetTip();
        if (tip) {
            const int start = FirstHeightFrom(*w, lowest - TIMESTAMP_WINDOW, tip->height);
            if (start <= tip->height) {
                std::string error;
                if (!w->ScanBlocks(start, std::nullopt, error)) {
                    throw RpcError(RPC_MISC_ERROR, "Rescan failed: " + error);
                }
            }
        }
    }
    return response;
}

} // namespace

void RegisterBackupRpc(RpcTable& table, WalletContext& context)
{
    const WalletContext* ctx = &context;
    table.Register(RpcMethod{
        .category = "wallet",
        .name = "importdescriptors",
        .args = {Arg(
            "requests", A::ARR, false, "", "Data to be imported",
            {Arg(
                "", A::OBJ, true, "", "",
                {Arg("desc", A::STR, false, "", "Descriptor to import."),
                 Arg("active", A::BOOL, true, "false",
                     "Set this descriptor to be the active descriptor for the corresponding output type/externality"),
                 Arg("range", A::ANY, true, "",
                     "If a ranged descriptor is used, this specifies the end or the range (in the form [begin,end]) to "
                     "import"),
                 Arg("next_index", A::NUM, true, "",
                     "If a ranged descriptor is set to active, this specifies the next index to generate addresses "
                     "from"),
                 Arg("timestamp", A::ANY, false, "",
                     "Time from which to start rescanning the blockchain for this descriptor, in UNIX epoch time\n"
                     "Use the string \"now\" to substitute the current synced blockchain time.\n"
                     "\"now\" can be specified to bypass scanning, for outputs which are known to never have been "
                     "used, and\n0 can be specified to scan the entire blockchain. Blocks up to 2 hours before the "
                     "earliest timestamp\nof all descriptors being imported will be scanned as well as the mempool."),
                 Arg("internal", A::BOOL, true, "false",
                     "Whether matching outputs should be treated as not incoming payments (e.g. change)"),
                 Arg("label", A::STR, true, "\"\"",
                     "Label to assign to the address, only allowed with internal=false. Disabled for ranged "
                     "descriptors")})})},
        .description = "Import descriptors. This will trigger a rescan of the blockchain based on the earliest "
                       "timestamp of all descriptors being imported. Requires a new wallet backup.\n"
                       "When importing descriptors with multipath key expressions, if the multipath specifier contains "
                       "exactly two elements, the descriptor produced from the second element will be imported as an "
                       "internal descriptor.",
        .examples = HelpExampleCli(
            "importdescriptors", "'[{ \"desc\": \"<my descriptor>\", \"timestamp\":1455191478, \"internal\": true }]'"),
        .handler = [ctx](const RpcRequest& req) { return ImportDescriptors(*ctx, req); },
        .results = {Res(
            T::ARR, "", "Response is an array with the same size as the input that has the execution result", false,
            {Res(
                T::OBJ, "", "", false,
                {Res(T::BOOL, "success", ""), Res(T::ARR, "warnings", "", true, {Res(T::STR, "", "")}),
                 Res(T::OBJ, "error", "", true,
                     {Res(T::NUM, "code", "JSONRPC error code"), Res(T::STR, "message", "JSONRPC error message")})})})},
    });
}

} // namespace wallet::rpc
