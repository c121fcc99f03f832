// The "blockchain" RPC category, following Bitcoin Core's rpc/blockchain.cpp: chain
// summary, blocks and headers, chain tips, UTXO queries, manual invalidation and the
// wait-for-block calls. Handlers run on RPC worker threads; they use only the chainstate's
// public API (each call takes its lock briefly) and read immutable index fields.
#include "node/chain/chainstate.h"
#include "node/rpc/core_io.h"
#include "node/rpc/register.h"
#include "node/rpc/util.h"

#include "consensus/hex.h"

#include <chrono>
#include <limits>

namespace node::rpc {

using chain::BlockIndex;
using chain::Chainstate;

namespace {

/** Core's ParseVerbosity: a number, or (if allow_bool) true = 1 / false = 0; default when null. */
int ParseVerbosity(const Json& params, size_t i, int default_verbosity, bool allow_bool)
{
    if (i >= params.size() || params[i].is_null()) return default_verbosity;
    const Json& v = params[i];
    if (v.is_boolean()) {
        if (!allow_bool) throw RpcError(RPC_TYPE_ERROR, "Verbosity was boolean but only integer allowed");
        return v.get<bool>() ? 1 : 0;
    }
    return static_cast<int>(GetInt(v));
}

const BlockIndex& LookupBlockOrThrow(const Chainstate& cs, const consensus::Uint256& hash)
{
    const BlockIndex* index = cs.LookupBlockIndex(hash);
    if (!index) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
    return *index;
}

const BlockIndex& TipOrThrow(const Chainstate& cs)
{
    const BlockIndex* tip = cs.Tip();
    if (!tip) throw RpcError(RPC_MISC_ERROR, "No chain tip");
    return *tip;
}

/** The timeout parameter (ms) of the wait calls; RPC_MISC_ERROR "Negative timeout" when < 0. */
std::chrono::milliseconds TimeoutParam(const Json& params, size_t i)
{
    const int64_t timeout = ParamOr<int64_t>(params, i, 0);
    if (timeout < 0) throw RpcError(RPC_MISC_ERROR, "Negative timeout");
    return std::chrono::milliseconds(timeout);
}

Json HashHeight(const chain::TipSnapshot& s)
{
    Json ret = Json::object();
    ret["hash"] = s.hash.GetHex();
    ret["height"] = s.height;
    return ret;
}

/** The raw bytes of a stored block, with Core's errors for missing data. */
std::vector<uint8_t> RawBlockOrThrow(const Chainstate& cs, const BlockIndex& index)
{
    if (!(index.status & chain::BLOCK_HAVE_DATA)) {
        throw RpcError(RPC_MISC_ERROR, "Block not available (not fully downloaded)");
    }
    auto raw = cs.ReadRawBlock(&index);
    if (!raw) throw RpcError(RPC_MISC_ERROR, "Block not found on disk");
    return std::move(*raw);
}

Json GetBlockchainInfo(Chainstate& cs)
{
    const BlockIndex& tip = TipOrThrow(cs);
    const BlockIndex* best_header = cs.BestHeader();
    const consensus::ChainParams& params = cs.Params();
    Json obj = Json::object();
    obj["chain"] = consensus::ChainTypeToString(params.chain_type);
    obj["blocks"] = tip.height;
    obj["headers"] = best_header ? best_header->height : -1;
    obj["bestblockhash"] = tip.GetBlockHash().GetHex();
    obj["bits"] = BitsHex(tip.bits);
    obj["target"] = TargetHex(tip.bits);
    obj["difficulty"] = GetDifficulty(tip.bits);
    obj["time"] = tip.GetBlockTime();
    obj["mediantime"] = tip.GetMedianTimePast();
    obj["verificationprogress"] = cs.GuessVerificationProgress(&tip);
    obj["initialblockdownload"] = cs.IsInitialBlockDownload();
    obj["chainwork"] = tip.chain_work.GetHex();
    obj["size_on_disk"] = cs.BlockFilesSize();
    obj["pruned"] = false;
    if (params.consensus.signet_blocks) obj["signet_challenge"] = consensus::HexStr(params.consensus.signet_challenge);
    obj["warnings"] = Json::array();
    return obj;
}

Json GetBlock(Chainstate& cs, const RpcRequest& req)
{
    const consensus::Uint256 hash = ParseHashV(req.params[0], "blockhash");
    const int verbosity = ParseVerbosity(req.params, 1, 1, true);
    const BlockIndex& index = LookupBlockOrThrow(cs, hash);
    const std::vector<uint8_t> raw = RawBlockOrThrow(cs, index);
    if (verbosity <= 0) return consensus::HexStr(raw);
    consensus::Block block;
    try {
        consensus::ByteReader r(raw);
        block = consensus::Block::Deserialize(r);
    } catch (const std::exception&) {
        throw RpcError(RPC_MISC_ERROR, "Block not found on disk");
    }
    const BlockIndex& tip = TipOrThrow(cs);
    if (verbosity == 1) return BlockToJson(block, tip, index, cs.Params(), TxVerbosity::SHOW_TXID);
    const TxVerbosity tx_verbosity = verbosity == 2 ? TxVerbosity::SHOW_DETAILS : TxVerbosity::SHOW_DETAILS_AND_PREVOUT;
    std::optional<node::BlockUndo> undo;
    if (index.status & chain::BLOCK_HAVE_UNDO) {
        undo = cs.ReadUndo(&index);
        if (!undo) {
            throw RpcError(RPC_INTERNAL_ERROR, "Undo data expected but can't be read. This could be due to disk "
                                               "corruption or a conflict with a pruning event.");
        }
    }
    return BlockToJson(block, tip, index, cs.Params(), tx_verbosity, undo ? &*undo : nullptr);
}

Json GetBlockHeader(Chainstate& cs, const RpcRequest& req)
{
    const consensus::Uint256 hash = ParseHashV(req.params[0], "hash");
    const bool verbose = ParamOr<bool>(req.params, 1, true);
    const BlockIndex& index = LookupBlockOrThrow(cs, hash);
    if (!verbose) return consensus::HexStr(consensus::SerializeToBytes(index.GetBlockHeader()));
    return BlockHeaderToJson(TipOrThrow(cs), index);
}

Json GetChainTips(Chainstate& cs)
{
    const BlockIndex& tip = TipOrThrow(cs);
    Json result = Json::array();
    for (const BlockIndex* block : cs.GetChainTips()) {
        Json obj = Json::object();
        obj["height"] = block->height;
        obj["hash"] = block->GetBlockHash().GetHex();
        const BlockIndex* fork = chain::LastCommonAncestor(&tip, block);
        obj["branchlen"] = block->height - (fork ? fork->height : 0);
        std::string status;
        if (fork == block) {
            status = "active"; // an ancestor of (or equal to) the tip: part of the active chain
        } else if (block->status & chain::BLOCK_FAILED_MASK) {
            status = "invalid"; // this block or one of its ancestors is invalid
        } else if (block->chain_tx == 0) {
            status = "headers-only"; // data of this block or an ancestor is missing
        } else if (block->IsValid(chain::BLOCK_VALID_SCRIPTS)) {
            status = "valid-fork"; // fully validated but not on the active chain
        } else if (block->IsValid(chain::BLOCK_VALID_TREE)) {
            status = "valid-headers"; // headers valid, block never fully validated
        } else {
            status = "unknown";
        }
        obj["status"] = status;
        result.push_back(std::move(obj));
    }
    return result;
}

Json GetTxOut(Chainstate& cs, const RpcRequest& req)
{
    const consensus::Uint256 txid = ParseHashV(req.params[0], "txid");
    const uint32_t n = ParamOr<uint32_t>(req.params, 1, 0);
    (void)ParamOr<bool>(req.params, 2, true); // include_mempool: there is no mempool yet
    auto info = cs.GetTxOut(consensus::OutPoint(txid, n));
    if (!info || !info->best_block) return Json();
    Json ret = Json::object();
    ret["bestblock"] = info->best_block->GetBlockHash().GetHex();
    ret["confirmations"] = static_cast<int64_t>(info->best_block->height) - info->coin.height + 1;
    ret["value"] = ValueFromAmount(info->coin.out.value);
    ret["scriptPubKey"] = ScriptPubKeyToJson(info->coin.out.script_pubkey, cs.Params());
    ret["coinbase"] = info->coin.coinbase;
    return ret;
}

Json GetTxOutSetInfo(Chainstate& cs, const RpcRequest& req)
{
    const std::string hash_type = ParamOr<std::string>(req.params, 0, "hash_serialized_3");
    UtxoHashType type;
    if (hash_type == "hash_serialized_3") {
        type = UtxoHashType::HASH_SERIALIZED;
    } else if (hash_type == "muhash") {
        type = UtxoHashType::MUHASH;
    } else if (hash_type == "none") {
        type = UtxoHashType::NONE;
    } else {
        throw RpcError(RPC_INVALID_PARAMETER, "'" + hash_type + "' is not a valid hash_type");
    }
    if (req.params.size() > 1 && !req.params[1].is_null()) {
        throw RpcError(RPC_INVALID_PARAMETER, "Querying specific block heights requires coinstatsindex");
    }
    auto stats = cs.GetUtxoStats(type);
    if (!stats) throw RpcError(RPC_INTERNAL_ERROR, "Unable to read UTXO set");
    const BlockIndex* best = cs.LookupBlockIndex(stats->best_block);
    Json ret = Json::object();
    ret["height"] = best ? best->height : 0;
    ret["bestblock"] = stats->best_block.GetHex();
    ret["txouts"] = stats->txouts;
    ret["bogosize"] = stats->bogosize;
    if (type == UtxoHashType::HASH_SERIALIZED) ret["hash_serialized_3"] = stats->hash_serialized.GetHex();
    if (type == UtxoHashType::MUHASH) ret["muhash"] = stats->muhash.GetHex();
    ret["total_amount"] = ValueFromAmount(stats->total_amount);
    ret["transactions"] = stats->transactions;
    ret["disk_size"] = stats->disk_size;
    return ret;
}

/** invalidateblock / reconsiderblock: RPC_DATABASE_ERROR on failure, as Core. */
Json ChangeBlockValidity(Chainstate& cs, const RpcRequest& req, bool invalidate)
{
    const consensus::Uint256 hash = ParseHashV(req.params[0], "blockhash");
    LookupBlockOrThrow(cs, hash);
    consensus::ValidationResult r = invalidate ? cs.InvalidateBlock(hash) : cs.ReconsiderBlock(hash);
    if (r.IsValid() && invalidate) r = cs.ActivateBestChain();
    if (!r.IsValid()) throw RpcError(RPC_DATABASE_ERROR, r.ToString());
    // The new validity flags survive a crash once the call returns.
    if (!cs.SyncBlockIndex()) throw RpcError(RPC_DATABASE_ERROR, "Failed to write the block index to disk");
    return Json();
}

RpcArg Arg(std::string name, RpcArgType type, bool optional, std::string default_text, std::string description)
{
    return RpcArg{std::move(name), type, optional, std::move(default_text), std::move(description)};
}

} // namespace

void RegisterBlockchainRpc(RpcTable& table, Chainstate& cs)
{
    const std::string cat = "blockchain";
    table.Register(RpcMethod{cat, "getblockchaininfo", {},
        "Returns an object containing various state info regarding blockchain processing.",
        "{ \"chain\", \"blocks\", \"headers\", \"bestblockhash\", \"bits\", \"target\", \"difficulty\", \"time\", "
        "\"mediantime\", \"verificationprogress\", \"initialblockdownload\", \"chainwork\", \"size_on_disk\", "
        "\"pruned\", \"warnings\" }",
        "> minicash-cli getblockchaininfo", [&cs](const RpcRequest&) { return GetBlockchainInfo(cs); }});
    table.Register(RpcMethod{cat, "getblockcount", {},
        "Returns the height of the most-work fully-validated chain.\nThe genesis block has height 0.",
        "n    (numeric) The current block count", "> minicash-cli getblockcount",
        [&cs](const RpcRequest&) -> Json { return cs.GetTipSnapshot().height; }});
    table.Register(RpcMethod{cat, "getbestblockhash", {},
        "Returns the hash of the best (tip) block in the most-work fully-validated chain.",
        "\"hex\"    (string) the block hash, hex-encoded", "> minicash-cli getbestblockhash",
        [&cs](const RpcRequest&) -> Json { return cs.GetTipSnapshot().hash.GetHex(); }});
    table.Register(RpcMethod{cat, "getblockhash",
        {Arg("height", RpcArgType::NUM, false, "", "The height index")},
        "Returns hash of block in best-block-chain at height provided.",
        "\"hex\"    (string) The block hash", "> minicash-cli getblockhash 1000",
        [&cs](const RpcRequest& req) -> Json {
            const int64_t height = GetInt(req.params[0]);
            const BlockIndex* index = height < 0 || height > std::numeric_limits<int>::max()
                                          ? nullptr
                                          : cs.AtHeight(static_cast<int>(height));
            if (!index) throw RpcError(RPC_INVALID_PARAMETER, "Block height out of range");
            return index->GetBlockHash().GetHex();
        }});
    table.Register(RpcMethod{cat, "getblock",
        {Arg("blockhash", RpcArgType::STR_HEX, false, "", "The block hash"),
         Arg("verbosity|verbose", RpcArgType::ANY, true, "1",
             "0 for hex-encoded data, 1 for a JSON object, 2 for JSON object with transaction data, and 3 for JSON "
             "object with transaction data including prevout information for inputs")},
        "If verbosity is 0, returns a string that is serialized, hex-encoded data for block 'hash'.\n"
        "If verbosity is 1, returns an Object with information about block <hash>.\n"
        "If verbosity is 2, returns an Object with information about block <hash> and information about each "
        "transaction.\nIf verbosity is 3, also each input's prevout.",
        "{ \"hash\", \"confirmations\", \"height\", ..., \"strippedsize\", \"size\", \"weight\", \"tx\" }",
        "> minicash-cli getblock \"<hash>\" 2", [&cs](const RpcRequest& req) { return GetBlock(cs, req); }});
    table.Register(RpcMethod{cat, "getblockheader",
        {Arg("blockhash", RpcArgType::STR_HEX, false, "", "The block hash"),
         Arg("verbose", RpcArgType::BOOL, true, "true", "true for a json object, false for the hex-encoded data")},
        "If verbose is false, returns a string that is serialized, hex-encoded data for blockheader 'hash'.\n"
        "If verbose is true, returns an Object with information about blockheader <hash>.",
        "{ \"hash\", \"confirmations\", \"height\", \"version\", \"versionHex\", \"merkleroot\", \"time\", "
        "\"mediantime\", \"nonce\", \"bits\", \"target\", \"difficulty\", \"chainwork\", \"nTx\", "
        "\"previousblockhash\", \"nextblockhash\" }",
        "> minicash-cli getblockheader \"<hash>\"", [&cs](const RpcRequest& req) { return GetBlockHeader(cs, req); }});
    table.Register(RpcMethod{cat, "getchaintips", {},
        "Return information about all known tips in the block tree, including the main chain as well as orphaned "
        "branches.",
        "[ { \"height\", \"hash\", \"branchlen\", \"status\" }, ... ]  status: \"invalid\", \"headers-only\", "
        "\"valid-headers\", \"valid-fork\", \"active\"",
        "> minicash-cli getchaintips", [&cs](const RpcRequest&) { return GetChainTips(cs); }});
    table.Register(RpcMethod{cat, "getdifficulty", {},
        "Returns the proof-of-work difficulty as a multiple of the minimum difficulty.",
        "n.nnn    (numeric) the proof-of-work difficulty as a multiple of the minimum difficulty.",
        "> minicash-cli getdifficulty",
        [&cs](const RpcRequest&) -> Json { return GetDifficulty(TipOrThrow(cs).bits); }});
    table.Register(RpcMethod{cat, "gettxout",
        {Arg("txid", RpcArgType::STR_HEX, false, "", "The transaction id"),
         Arg("n", RpcArgType::NUM, false, "", "vout number"),
         Arg("include_mempool", RpcArgType::BOOL, true, "true", "Whether to include the mempool (no mempool yet)")},
        "Returns details about an unspent transaction output.",
        "null if the output is spent or unknown, else { \"bestblock\", \"confirmations\", \"value\", "
        "\"scriptPubKey\", \"coinbase\" }",
        "> minicash-cli gettxout \"txid\" 1", [&cs](const RpcRequest& req) { return GetTxOut(cs, req); }});
    table.Register(RpcMethod{cat, "gettxoutsetinfo",
        {Arg("hash_type", RpcArgType::STR, true, "hash_serialized_3",
             "Which UTXO set hash should be calculated. Options: 'hash_serialized_3' (the legacy algorithm), 'muhash', 'none'."),
         Arg("hash_or_height", RpcArgType::ANY, true, "the current best block",
             "The block hash or height of the target height (requires coinstatsindex)."),
         Arg("use_index", RpcArgType::BOOL, true, "true", "Use coinstatsindex, if available.")},
        "Returns statistics about the unspent transaction output set.\nNote this call may take some time.",
        "{ \"height\", \"bestblock\", \"txouts\", \"bogosize\", \"hash_serialized_3\" or \"muhash\", \"total_amount\", "
        "\"transactions\", \"disk_size\" }",
        "> minicash-cli gettxoutsetinfo", [&cs](const RpcRequest& req) { return GetTxOutSetInfo(cs, req); }});
    table.Register(RpcMethod{cat, "invalidateblock",
        {Arg("blockhash", RpcArgType::STR_HEX, false, "", "the hash of the block to mark as invalid")},
        "Permanently marks a block as invalid, as if it violated a consensus rule.", "null",
        "> minicash-cli invalidateblock \"blockhash\"",
        [&cs](const RpcRequest& req) { return ChangeBlockValidity(cs, req, true); }});
    table.Register(RpcMethod{cat, "reconsiderblock",
        {Arg("blockhash", RpcArgType::STR_HEX, false, "", "the hash of the block to reconsider")},
        "Removes invalidity status of a block, its ancestors and its descendants, reconsider them for activation.\n"
        "This can be used to undo the effects of invalidateblock.",
        "null", "> minicash-cli reconsiderblock \"blockhash\"",
        [&cs](const RpcRequest& req) { return ChangeBlockValidity(cs, req, false); }});
    table.Register(RpcMethod{cat, "waitfornewblock",
        {Arg("timeout", RpcArgType::NUM, true, "0", "Time in milliseconds to wait for a response. 0 indicates no timeout."),
         Arg("current_tip", RpcArgType::STR_HEX, true, "",
             "Method waits for the chain tip to differ from this.")},
        "Waits for any new block and returns useful info about it.\n\nReturns the current block on timeout or exit.",
        "{ \"hash\", \"height\" }", "> minicash-cli waitfornewblock 1000",
        [&cs](const RpcRequest& req) {
            const auto timeout = TimeoutParam(req.params, 0);
            consensus::Uint256 current = cs.GetTipSnapshot().hash;
            if (req.params.size() > 1 && !req.params[1].is_null()) current = ParseHashV(req.params[1], "current_tip");
            return HashHeight(cs.WaitForTip([&](const chain::TipSnapshot& s) { return s.hash != current; }, timeout));
        }});
    table.Register(RpcMethod{cat, "waitforblock",
        {Arg("blockhash", RpcArgType::STR_HEX, false, "", "Block hash to wait for."),
         Arg("timeout", RpcArgType::NUM, true, "0", "Time in milliseconds to wait for a response. 0 indicates no timeout.")},
        "Waits for a specific new block and returns useful info about it.\n\nReturns the current block on timeout or "
        "exit.",
        "{ \"hash\", \"height\" }", "> minicash-cli waitforblock \"<hash>\" 1000",
        [&cs](const RpcRequest& req) {
            const consensus::Uint256 hash = ParseHashV(req.params[0], "blockhash");
            const auto timeout = TimeoutParam(req.params, 1);
            return HashHeight(cs.WaitForTip([&](const chain::TipSnapshot& s) { return s.hash == hash; }, timeout));
        }});
    table.Register(RpcMethod{cat, "waitforblockheight",
        {Arg("height", RpcArgType::NUM, false, "", "Block height to wait for."),
         Arg("timeout", RpcArgType::NUM, true, "0", "Time in milliseconds to wait for a response. 0 indicates no timeout.")},
        "Waits for (at least) block height and returns the height and hash\nof the current tip.\n\nReturns the "
        "current block on timeout or exit.",
        "{ \"hash\", \"height\" }", "> minicash-cli waitforblockheight 100 1000",
        [&cs](const RpcRequest& req) {
            const int64_t height = GetInt(req.params[0]);
            const auto timeout = TimeoutParam(req.params, 1);
            return HashHeight(cs.WaitForTip([&](const chain::TipSnapshot& s) { return s.height >= height; }, timeout));
        }});
}

void RegisterChainRpcs(RpcTable& table, Chainstate& chainstate, index::TxIndexer* txindex)
{
    RegisterBlockchainRpc(table, chainstate);
    RegisterMiningRpc(table, chainstate);
    RegisterRawTransactionRpc(table, chainstate, txindex);
    RegisterScanTxOutSetRpc(table, chainstate);
    RegisterIndexRpc(table, txindex);
}

} // namespace node::rpc
