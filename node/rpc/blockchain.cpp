// The "blockchain" RPC category, following Bitcoin Core's rpc/blockchain.cpp: chain
// summary, blocks and headers, chain tips, UTXO queries, manual invalidation and the
// wait-for-block calls. Handlers run on RPC worker threads; they use only the chainstate's
// public API (each call takes its lock briefly) and read immutable index fields.
#include "node/chain/chainstate.h"
#include "node/mempool/accept.h"
#include "node/mempool/txmempool.h"
#include "node/rpc/owner_call.h"
#include "node/rpc/core_io.h"
#include "node/rpc/register.h"
#include "common/rpc/result_docs.h"
#include "common/rpc/util.h"

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
    (void)TipOrThrow(cs);
    Json result = Json::array();
    // Each tip's fork comes with the list, from one look at the chain: a tip read apart from
    // it could be from before a reorg and make two tips "active".
    for (const auto& [block, fork] : cs.GetChainTips()) {
        Json obj = Json::object();
        obj["height"] = block->height;
        obj["hash"] = block->GetBlockHash().GetHex();
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

Json GetTxOut(Chainstate& cs, const mempool::TxMemPool* pool, const RpcRequest& req)
{
    const consensus::Uint256 txid = ParseHashV(req.params[0], "txid");
    const uint32_t n = ParamOr<uint32_t>(req.params, 1, 0);
    const bool include_mempool = ParamOr<bool>(req.params, 2, true);
    const consensus::OutPoint out(txid, n);
    std::optional<chain::TxOutInfo> info;
    if (include_mempool && pool) {
        // As Core: an output a pool transaction spends is gone; a pool transaction's output has 0 confirmations.
        if (pool->GetSpender(out)) return Json();
        if (consensus::TransactionRef ptx = pool->Get(txid)) {
            if (n >= ptx->vout.size()) return Json();
            info = chain::TxOutInfo{consensus::Coin(ptx->vout[n], mempool::MEMPOOL_HEIGHT, false), cs.Tip()};
        }
    }
    if (!info) info = cs.GetTxOut(out);
    if (!info || !info->best_block) return Json();
    Json ret = Json::object();
    ret["bestblock"] = info->best_block->GetBlockHash().GetHex();
    ret["confirmations"] = info->coin.height == mempool::MEMPOOL_HEIGHT
                               ? 0
                               : static_cast<int64_t>(info->best_block->height) - info->coin.height + 1;
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
Json ChangeBlockValidity(Chainstate& cs, chain::ValidationOwner& owner, const RpcRequest& req, bool invalidate)
{
    const consensus::Uint256 hash = ParseHashV(req.params[0], "blockhash");
    LookupBlockOrThrow(cs, hash);
    // On the validation owner, in bounded steps (other writes run between them); this
    // thread waits. InvalidateBlock ends by activating the best remaining chain.
    const consensus::ValidationResult r =
        (invalidate ? owner.InvalidateBlock(hash) : owner.ReconsiderBlock(hash)).get();
    if (!r.IsValid()) throw RpcError(RPC_DATABASE_ERROR, r.ToString());
    // The new validity flags survive a crash once the call returns.
    SyncBeforeReply(cs, owner);
    return Json();
}

RpcArg Arg(std::string name, RpcArgType type, bool optional, std::string default_text, std::string description)
{
    return RpcArg{.name = std::move(name),
                  .type = type,
                  .optional = optional,
                  .default_text = std::move(default_text),
                  .description = std::move(description)};
}

using T = RpcResultType;

/** The {hash, height} object of the wait calls. */
std::vector<RpcResult> HashHeightDoc()
{
    return {{.type = T::OBJ,
             .inner = {{.type = T::STR_HEX, .key = "hash", .description = "The blockhash"},
                       {.type = T::NUM, .key = "height", .description = "Block height"}}}};
}

const std::string EXAMPLE_HASH = "\"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09\"";

} // namespace

void RegisterBlockchainRpc(RpcTable& table, Chainstate& cs, chain::ValidationOwner& owner,
                           const mempool::TxMemPool* pool)
{
    const std::string cat = "blockchain";
    const std::string epoch = UNIX_EPOCH_TIME;
    table.Register(RpcMethod{
        .category = cat,
        .name = "getblockchaininfo",
        .args = {},
        .description = "Returns an object containing various state info regarding blockchain processing.",
        .examples = HelpExampleCli("getblockchaininfo", "") + HelpExampleRpc("getblockchaininfo", ""),
        .handler = [&cs](const RpcRequest&) { return GetBlockchainInfo(cs); },
        .results = {
            {.type = T::OBJ,
             .inner = {
                 {.type = T::STR,
                  .key = "chain",
                  .description = std::string("current network name (") + LIST_CHAIN_NAMES + ")"},
                 {.type = T::NUM,
                  .key = "blocks",
                  .description = "the height of the most-work fully-validated chain. The genesis block has height 0"},
                 {.type = T::NUM, .key = "headers", .description = "the current number of headers we have validated"},
                 {.type = T::STR, .key = "bestblockhash", .description = "the hash of the currently best block"},
                 {.type = T::STR_HEX,
                  .key = "bits",
                  .description = "nBits: compact representation of the block difficulty target"},
                 {.type = T::STR_HEX, .key = "target", .description = "The difficulty target"},
                 {.type = T::NUM, .key = "difficulty", .description = "the current difficulty"},
                 {.type = T::NUM_TIME, .key = "time", .description = "The block time expressed in " + epoch},
                 {.type = T::NUM_TIME,
                  .key = "mediantime",
                  .description = "The median block time expressed in " + epoch},
                 {.type = T::NUM,
                  .key = "verificationprogress",
                  .description = "estimate of verification progress [0..1]"},
                 {.type = T::BOOL,
                  .key = "initialblockdownload",
                  .description = "(debug information) estimate of whether this node is in Initial Block Download mode"},
                 {.type = T::STR_HEX,
                  .key = "chainwork",
                  .description = "total amount of work in active chain, in hexadecimal"},
                 {.type = T::NUM,
                  .key = "size_on_disk",
                  .description = "the estimated size of the block and undo files on disk"},
                 {.type = T::BOOL, .key = "pruned", .description = "if the blocks are subject to pruning"},
                 {.type = T::NUM,
                  .key = "pruneheight",
                  .description =
                      "the first block unpruned, all previous blocks were pruned (only present if pruning is enabled)",
                  .optional = true},
                 {.type = T::BOOL,
                  .key = "automatic_pruning",
                  .description = "whether automatic pruning is enabled (only present if pruning is enabled)",
                  .optional = true},
                 {.type = T::NUM,
                  .key = "prune_target_size",
                  .description = "the target size used by pruning (only present if automatic pruning is enabled)",
                  .optional = true},
                 {.type = T::STR_HEX,
                  .key = "signet_challenge",
                  .description =
                      "the block challenge (aka. block script), in hexadecimal (only present if the current network is a signet)",
                  .optional = true},
                 {.type = T::ARR,
                  .key = "warnings",
                  .description =
                      "any network and blockchain warnings (run with `-deprecatedrpc=warnings` to return the latest warning as a single string)",
                  .inner = {{.type = T::STR, .description = "warning"}}},
             }}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "getblockcount",
        .args = {},
        .description = "Returns the height of the most-work fully-validated chain.\nThe genesis block has height 0.",
        .examples = HelpExampleCli("getblockcount", "") + HelpExampleRpc("getblockcount", ""),
        .handler = [&cs](const RpcRequest&) -> Json { return cs.GetTipSnapshot().height; },
        .results = {{.type = T::NUM, .description = "The current block count"}}});
    table.Register(
        RpcMethod{.category = cat,
                  .name = "getbestblockhash",
                  .args = {},
                  .description = "Returns the hash of the best (tip) block in the most-work fully-validated chain.",
                  .examples = HelpExampleCli("getbestblockhash", "") + HelpExampleRpc("getbestblockhash", ""),
                  .handler = [&cs](const RpcRequest&) -> Json { return cs.GetTipSnapshot().hash.GetHex(); },
                  .results = {{.type = T::STR_HEX, .description = "the block hash, hex-encoded"}}});
    table.Register(
        RpcMethod{.category = cat,
                  .name = "getblockhash",
                  .args = {Arg("height", RpcArgType::NUM, false, "", "The height index")},
                  .description = "Returns hash of block in best-block-chain at height provided.",
                  .examples = HelpExampleCli("getblockhash", "1000") + HelpExampleRpc("getblockhash", "1000"),
                  .handler = [&cs](const RpcRequest& req) -> Json {
                      const int64_t height = GetInt(req.params[0]);
                      const BlockIndex* index = height < 0 || height > std::numeric_limits<int>::max()
                                                    ? nullptr
                                                    : cs.AtHeight(static_cast<int>(height));
                      if (!index) throw RpcError(RPC_INVALID_PARAMETER, "Block height out of range");
                      return index->GetBlockHash().GetHex();
                  },
                  .results = {{.type = T::STR_HEX, .description = "The block hash"}}});
    {
        // getblock: the verbosity = 1 object is the header fields plus size, weight and the txids.
        std::vector<RpcResult> v1 = BlockHeaderDoc();
        v1[12].description = "Expected number of hashes required to produce the chain up to this block (in hex)";
        v1.insert(v1.begin() + 2,
                  {{.type = T::NUM, .key = "size", .description = "The block size"},
                   {.type = T::NUM, .key = "strippedsize", .description = "The block size excluding witness data"},
                   {.type = T::NUM, .key = "weight", .description = "The block weight as defined in BIP 141"}});
        v1.insert(v1.begin() + 9, {.type = T::ARR,
                                   .key = "tx",
                                   .description = "The transaction ids",
                                   .inner = {{.type = T::STR_HEX, .description = "The transaction id"}}});
        std::vector<RpcResult> prevout_spk = ScriptPubKeyDoc();
        table.Register(RpcMethod{
            .category = cat,
            .name = "getblock",
            .args = {Arg("blockhash", RpcArgType::STR_HEX, false, "", "The block hash"),
                     {.name = "verbosity|verbose",
                      .type = RpcArgType::NUM,
                      .optional = true,
                      .default_text = "1",
                      .description =
                          "0 for hex-encoded data, 1 for a JSON object, 2 for JSON object with transaction data, "
                          "and 3 for JSON object with transaction data including prevout information for inputs",
                      .skip_type_check = true}},
            .description =
                "If verbosity is 0, returns a string that is serialized, hex-encoded data for block 'hash'.\n"
                "If verbosity is 1, returns an Object with information about block <hash>.\n"
                "If verbosity is 2, returns an Object with information about block <hash> and information about each "
                "transaction.\n"
                "If verbosity is 3, returns an Object with information about block <hash> and information about each "
                "transaction, including prevout information for inputs (only for unpruned blocks in the current best chain).",
            .examples = HelpExampleCli("getblock", EXAMPLE_HASH) + HelpExampleRpc("getblock", EXAMPLE_HASH),
            .handler = [&cs](const RpcRequest& req) { return GetBlock(cs, req); },
            .results = {
                {.type = T::STR_HEX,
                 .description = "A string that is serialized, hex-encoded data for block 'hash'",
                 .cond = "for verbosity = 0"},
                {.type = T::OBJ, .inner = v1, .cond = "for verbosity = 1"},
                {.type = T::OBJ,
                 .inner =
                     {
                         {.type = T::ELISION, .description = "Same output as verbosity = 1"},
                         {.type = T::ARR,
                          .key = "tx",
                          .inner =
                              {{.type = T::OBJ,
                                .inner =
                                    {
                                        {.type = T::ELISION,
                                         .description = "The transactions in the format of the getrawtransaction RPC. "
                                                        "Different from verbosity = 1 \"tx\" result"},
                                        {.type = T::NUM,
                                         .key = "fee",
                                         .description =
                                             "The transaction fee in BTC, omitted if block undo data is not available",
                                         .optional = true},
                                    }}}},
                     },
                 .cond = "for verbosity = 2"},
                {.type = T::OBJ,
                 .inner =
                     {
                         {.type = T::ELISION, .description = "Same output as verbosity = 2"},
                         {.type = T::ARR,
                          .key = "tx",
                          .inner =
                              {{.type = T::OBJ,
                                .inner =
                                    {
                                        {.type = T::ARR,
                                         .key = "vin",
                                         .inner = {{.type = T::OBJ,
                                                    .inner =
                                                        {
                                                            {.type = T::ELISION,
                                                             .description = "The same output as verbosity = 2"},
                                                            {.type = T::OBJ,
                                                             .key = "prevout",
                                                             .description = "(Only if undo information is available)",
                                                             .inner =
                                                                 {
                                                                     {.type = T::BOOL,
                                                                      .key = "generated",
                                                                      .description = "Coinbase or not"},
                                                                     {.type = T::NUM,
                                                                      .key = "height",
                                                                      .description = "The height of the prevout"},
                                                                     {.type = T::STR_AMOUNT,
                                                                      .key = "value",
                                                                      .description = "The value in BTC"},
                                                                     {.type = T::OBJ,
                                                                      .key = "scriptPubKey",
                                                                      .inner = prevout_spk},
                                                                 }},
                                                        }}}},
                                    }}}},
                     },
                 .cond = "for verbosity = 3"},
            }});
    }
    table.Register(RpcMethod{
        .category = cat,
        .name = "getblockheader",
        .args = {Arg("blockhash", RpcArgType::STR_HEX, false, "", "The block hash"),
                 Arg("verbose", RpcArgType::BOOL, true, "true",
                     "true for a json object, false for the hex-encoded data")},
        .description =
            "If verbose is false, returns a string that is serialized, hex-encoded data for blockheader 'hash'.\n"
            "If verbose is true, returns an Object with information about blockheader <hash>.",
        .examples = HelpExampleCli("getblockheader", EXAMPLE_HASH) + HelpExampleRpc("getblockheader", EXAMPLE_HASH),
        .handler = [&cs](const RpcRequest& req) { return GetBlockHeader(cs, req); },
        .results = {{.type = T::OBJ, .inner = BlockHeaderDoc(), .cond = "for verbose = true"},
                    {.type = T::STR_HEX,
                     .description = "A string that is serialized, hex-encoded data for block 'hash'",
                     .cond = "for verbose=false"}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "getchaintips",
        .args = {},
        .description = "Return information about all known tips in the block tree, including the main chain as well as "
                       "orphaned branches.",
        .examples = HelpExampleCli("getchaintips", "") + HelpExampleRpc("getchaintips", ""),
        .handler = [&cs](const RpcRequest&) { return GetChainTips(cs); },
        .results = {
            {.type = T::ARR,
             .inner = {
                 {.type = T::OBJ,
                  .inner = {
                      {.type = T::NUM, .key = "height", .description = "height of the chain tip"},
                      {.type = T::STR_HEX, .key = "hash", .description = "block hash of the tip"},
                      {.type = T::NUM,
                       .key = "branchlen",
                       .description =
                           "zero for main chain, otherwise length of branch connecting the tip to the main chain"},
                      {.type = T::STR,
                       .key = "status",
                       .description =
                           "status of the chain, \"active\" for the main chain\n"
                           "Possible values for status:\n"
                           "1.  \"invalid\"               This branch contains at least one invalid block\n"
                           "2.  \"headers-only\"          Not all blocks for this branch are available, but the headers are valid\n"
                           "3.  \"valid-headers\"         All blocks are available for this branch, but they were never fully validated\n"
                           "4.  \"valid-fork\"            This branch is not part of the active chain, but is fully validated\n"
                           "5.  \"active\"                This is the tip of the active main chain, which is certainly valid"},
                  }}}}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "getdifficulty",
        .args = {},
        .description = "Returns the proof-of-work difficulty as a multiple of the minimum difficulty.",
        .examples = HelpExampleCli("getdifficulty", "") + HelpExampleRpc("getdifficulty", ""),
        .handler = [&cs](const RpcRequest&) -> Json { return GetDifficulty(TipOrThrow(cs).bits); },
        .results = {
            {.type = T::NUM, .description = "the proof-of-work difficulty as a multiple of the minimum difficulty."}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "gettxout",
        .args =
            {Arg("txid", RpcArgType::STR, false, "", "The transaction id"),
             Arg("n", RpcArgType::NUM, false, "", "vout number"),
             Arg("include_mempool", RpcArgType::BOOL, true, "true",
                 "Whether to include the mempool. Note that an unspent output that is spent in the mempool won't appear.")},
        .description = "Returns details about an unspent transaction output.",
        .examples = "\nGet unspent transactions\n" + HelpExampleCli("listunspent", "") + "\nView the details\n" +
                    HelpExampleCli("gettxout", "\"txid\" 1") + "\nAs a JSON-RPC call\n" +
                    HelpExampleRpc("gettxout", "\"txid\", 1"),
        .handler = [&cs, pool](const RpcRequest& req) { return GetTxOut(cs, pool, req); },
        .results = {
            {.type = T::NONE, .cond = "If the UTXO was not found"},
            {.type = T::OBJ,
             .inner =
                 {
                     {.type = T::STR_HEX,
                      .key = "bestblock",
                      .description = "The hash of the block at the tip of the chain"},
                     {.type = T::NUM, .key = "confirmations", .description = "The number of confirmations"},
                     {.type = T::STR_AMOUNT, .key = "value", .description = "The transaction value in BTC"},
                     {.type = T::OBJ,
                      .key = "scriptPubKey",
                      .inner =
                          {
                              // gettxout's own order and wording (Core), unlike ScriptPubKeyDoc
                              {.type = T::STR, .key = "asm", .description = "Disassembly of the output script"},
                              {.type = T::STR, .key = "desc", .description = "Inferred descriptor for the output"},
                              {.type = T::STR_HEX,
                               .key = "hex",
                               .description = "The raw output script bytes, hex-encoded"},
                              {.type = T::STR, .key = "type", .description = "The type, eg pubkeyhash"},
                              {.type = T::STR,
                               .key = "address",
                               .description = "The Bitcoin address (only if a well-defined address exists)",
                               .optional = true},
                          }},
                     {.type = T::BOOL, .key = "coinbase", .description = "Coinbase or not"},
                 },
             .cond = "Otherwise"}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "gettxoutsetinfo",
        .args = {Arg("hash_type", RpcArgType::STR, true, "\"hash_serialized_3\"",
                     "Which UTXO set hash should be calculated. Options: 'hash_serialized_3' (the legacy algorithm), "
                     "'muhash', 'none'."),
                 {.name = "hash_or_height",
                  .type = RpcArgType::NUM,
                  .optional = true,
                  .default_text = "the current best block",
                  .description = "The block hash or height of the target height (only available with coinstatsindex).",
                  .skip_type_check = true,
                  .type_str = "string or numeric"},
                 Arg("use_index", RpcArgType::BOOL, true, "true", "Use coinstatsindex, if available.")},
        .description = "Returns statistics about the unspent transaction output set.\n"
                       "Note this call may take some time if you are not using coinstatsindex.",
        .examples = HelpExampleCli("gettxoutsetinfo", "") + HelpExampleCli("gettxoutsetinfo", R"("none")") +
                    HelpExampleCli("gettxoutsetinfo", R"("none" 1000)") +
                    HelpExampleCli("gettxoutsetinfo",
                                   R"("none" '"00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09"')") +
                    HelpExampleCli("-named gettxoutsetinfo", R"(hash_type='muhash' use_index='false')") +
                    HelpExampleRpc("gettxoutsetinfo", "") + HelpExampleRpc("gettxoutsetinfo", R"("none")") +
                    HelpExampleRpc("gettxoutsetinfo", R"("none", 1000)") +
                    HelpExampleRpc("gettxoutsetinfo",
                                   R"("none", "00000000c937983704a73af28acdec37b049d214adbda81d7e2a3dd146f6ed09")"),
        .handler = [&cs](const RpcRequest& req) { return GetTxOutSetInfo(cs, req); },
        .results = {
            {.type = T::OBJ,
             .inner = {
                 {.type = T::NUM,
                  .key = "height",
                  .description = "The block height (index) of the returned statistics"},
                 {.type = T::STR_HEX,
                  .key = "bestblock",
                  .description = "The hash of the block at which these statistics are calculated"},
                 {.type = T::NUM, .key = "txouts", .description = "The number of unspent transaction outputs"},
                 {.type = T::NUM,
                  .key = "bogosize",
                  .description = "Database-independent, meaningless metric indicating the UTXO set size"},
                 {.type = T::STR_HEX,
                  .key = "hash_serialized_3",
                  .description = "The serialized hash (only present if 'hash_serialized_3' hash_type is chosen)",
                  .optional = true},
                 {.type = T::STR_HEX,
                  .key = "muhash",
                  .description = "The serialized hash (only present if 'muhash' hash_type is chosen)",
                  .optional = true},
                 {.type = T::NUM,
                  .key = "transactions",
                  .description =
                      "The number of transactions with unspent outputs (not available when coinstatsindex is used)",
                  .optional = true},
                 {.type = T::NUM,
                  .key = "disk_size",
                  .description =
                      "The estimated size of the chainstate on disk (not available when coinstatsindex is used)",
                  .optional = true},
                 {.type = T::STR_AMOUNT,
                  .key = "total_amount",
                  .description = "The total amount of coins in the UTXO set"},
             }}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "invalidateblock",
        .args = {Arg("blockhash", RpcArgType::STR_HEX, false, "", "the hash of the block to mark as invalid")},
        .description = "Permanently marks a block as invalid, as if it violated a consensus rule.",
        .examples =
            HelpExampleCli("invalidateblock", "\"blockhash\"") + HelpExampleRpc("invalidateblock", "\"blockhash\""),
        .handler = [&cs, &owner](const RpcRequest& req) { return ChangeBlockValidity(cs, owner, req, true); },
        .results = {{.type = T::NONE}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "reconsiderblock",
        .args = {Arg("blockhash", RpcArgType::STR_HEX, false, "", "the hash of the block to reconsider")},
        .description =
            "Removes invalidity status of a block, its ancestors and its descendants, reconsider them for activation.\n"
            "This can be used to undo the effects of invalidateblock.",
        .examples =
            HelpExampleCli("reconsiderblock", "\"blockhash\"") + HelpExampleRpc("reconsiderblock", "\"blockhash\""),
        .handler = [&cs, &owner](const RpcRequest& req) { return ChangeBlockValidity(cs, owner, req, false); },
        .results = {{.type = T::NONE}}});
    const RpcArg timeout_arg = Arg("timeout", RpcArgType::NUM, true, "0",
                                   "Time in milliseconds to wait for a response. 0 indicates no timeout.");
    table.Register(RpcMethod{
        .category = cat,
        .name = "waitfornewblock",
        .args = {timeout_arg, Arg("current_tip", RpcArgType::STR_HEX, true, "",
                                  "Method waits for the chain tip to differ from this.")},
        .description =
            "Waits for any new block and returns useful info about it.\n\nReturns the current block on timeout "
            "or exit.\n\nMake sure to use no RPC timeout (minicash-cli -rpcclienttimeout=0)",
        .examples = HelpExampleCli("waitfornewblock", "1000") + HelpExampleRpc("waitfornewblock", "1000"),
        .handler =
            [&cs](const RpcRequest& req) {
                const auto timeout = TimeoutParam(req.params, 0);
                consensus::Uint256 current = cs.GetTipSnapshot().hash;
                if (req.params.size() > 1 && !req.params[1].is_null())
                    current = ParseHashV(req.params[1], "current_tip");
                return HashHeight(
                    cs.WaitForTip([&](const chain::TipSnapshot& s) { return s.hash != current; }, timeout));
            },
        .results = HashHeightDoc()});
    table.Register(RpcMethod{
        .category = cat,
        .name = "waitforblock",
        .args = {Arg("blockhash", RpcArgType::STR_HEX, false, "", "Block hash to wait for."), timeout_arg},
        .description =
            "Waits for a specific new block and returns useful info about it.\n\nReturns the current block on "
            "timeout or exit.\n\nMake sure to use no RPC timeout (minicash-cli -rpcclienttimeout=0)",
        .examples = HelpExampleCli("waitforblock",
                                   "\"0000000000079f8ef3d2c688c244eb7a4570b24c9ed7b4a8c619eb02596f8862\" 1000") +
                    HelpExampleRpc("waitforblock",
                                   "\"0000000000079f8ef3d2c688c244eb7a4570b24c9ed7b4a8c619eb02596f8862\", 1000"),
        .handler =
            [&cs](const RpcRequest& req) {
                const consensus::Uint256 hash = ParseHashV(req.params[0], "blockhash");
                const auto timeout = TimeoutParam(req.params, 1);
                return HashHeight(cs.WaitForTip([&](const chain::TipSnapshot& s) { return s.hash == hash; }, timeout));
            },
        .results = HashHeightDoc()});
    table.Register(RpcMethod{
        .category = cat,
        .name = "waitforblockheight",
        .args = {Arg("height", RpcArgType::NUM, false, "", "Block height to wait for."), timeout_arg},
        .description =
            "Waits for (at least) block height and returns the height and hash\nof the current tip.\n\nReturns "
            "the current block on timeout or exit.\n\nMake sure to use no RPC timeout (minicash-cli "
            "-rpcclienttimeout=0)",
        .examples =
            HelpExampleCli("waitforblockheight", "100 1000") + HelpExampleRpc("waitforblockheight", "100, 1000"),
        .handler =
            [&cs](const RpcRequest& req) {
                const int64_t height = GetInt(req.params[0]);
                const auto timeout = TimeoutParam(req.params, 1);
                return HashHeight(
                    cs.WaitForTip([&](const chain::TipSnapshot& s) { return s.height >= height; }, timeout));
            },
        .results = HashHeightDoc()});
}

void RegisterChainRpcs(RpcTable& table, Chainstate& chainstate, chain::ValidationOwner& owner,
                       index::TxIndexer* txindex, const mempool::TxMemPool* pool)
{
    RegisterBlockchainRpc(table, chainstate, owner, pool);
    RegisterMiningRpc(table, chainstate, owner, pool);
    RegisterRawTransactionRpc(table, chainstate, txindex, pool);
    RegisterChainStatsRpc(table, chainstate);
    RegisterOutputScriptRpc(table, chainstate);
    RegisterScanTxOutSetRpc(table, chainstate);
    RegisterIndexRpc(table, txindex);
}

} // namespace node::rpc
