// The "rawtransactions" RPC category, following Bitcoin Core's rpc/rawtransaction.cpp and
// rawtransaction_util.cpp: fetching transactions from blocks (or the transaction index),
// decoding transactions and scripts, and building unsigned transactions. Handlers run on
// RPC worker threads and use only the chainstate's public API.
#include "node/chain/chainstate.h"
#include "node/index/tx_indexer.h"
#include "node/mempool/txmempool.h"
#include "node/rpc/core_io.h"
#include "common/descriptor_util.h"
#include "common/key_io.h"
#include "node/rpc/register.h"
#include "node/rpc/sign_rpc.h"
#include "common/rpc/result_docs.h"
#include "common/rpc/outputs.h"
#include "common/rpc/util.h"

#include "consensus/hash.h"
#include "consensus/hex.h"

#include <algorithm>
#include <set>

namespace node::rpc {

using chain::BlockIndex;
using chain::Chainstate;
using consensus::Script;
using Bytes = std::vector<uint8_t>;

namespace {

RpcArg Arg(std::string name, RpcArgType type, bool optional, std::string default_text, std::string description)
{
    return RpcArg{.name = std::move(name),
                  .type = type,
                  .optional = optional,
                  .default_text = std::move(default_text),
                  .description = std::move(description)};
}

using T = RpcResultType;

/** BIP-342 OP_SUCCESSx opcodes. */
bool IsOpSuccess(uint8_t op)
{
    return op == 80 || op == 98 || (op >= 126 && op <= 129) || (op >= 131 && op <= 134) || (op >= 137 && op <= 138) ||
           (op >= 141 && op <= 142) || (op >= 149 && op <= 153) || (op >= 187 && op <= 254);
}

Script P2sh(const Script& redeem)
{
    const consensus::Uint160 h = consensus::Hash160(redeem);
    Script s;
    s << consensus::OP_HASH160 << Bytes(h.begin(), h.end()) << consensus::OP_EQUAL;
    return s;
}

Script WitnessV0(const Bytes& program)
{
    Script s;
    s << consensus::OP_0 << program;
    return s;
}

/** Fields of src appended to dst in order. */
void Append(Json& dst, Json src)
{
    for (auto& [key, value] : src.items()) dst[key] = std::move(value);
}

/**
 * Core's TxToJSON of rawtransaction.cpp: TxToUniv, then blockhash, confirmations, time and
 * blocktime (confirmations 0 when the block is not in the active chain).
 */
void TxToJsonWithBlock(Json& entry, const consensus::Transaction& tx, const BlockIndex* block, const Chainstate& cs,
                       const node::TxUndo* undo, TxVerbosity verbosity)
{
    Append(entry, TxToJson(tx, cs.Params(), consensus::Uint256(), true, undo ? &undo->prevouts : nullptr, verbosity));
    if (!block) return;
    entry["blockhash"] = block->GetBlockHash().GetHex();
    if (cs.IsInActiveChain(block)) {
        entry["confirmations"] = 1 + cs.Height() - block->height;
        entry["time"] = block->GetBlockTime();
        entry["blocktime"] = block->GetBlockTime();
    } else {
        entry["confirmations"] = 0;
    }
}

Json GetRawTransaction(Chainstate& cs, index::TxIndexer* txindex, const mempool::TxMemPool* pool, const RpcRequest& req)
{
    const consensus::Uint256 txid = ParseHashV(req.params[0], "parameter 1");
    if (txid == cs.Params().GenesisBlock().merkle_root) {
        throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "The genesis block coinbase is not considered an ordinary "
                                                   "transaction and cannot be retrieved");
    }
    int verbosity = 0;
    if (req.params.size() > 1 && !req.params[1].is_null()) {
        verbosity =
            req.params[1].is_boolean() ? (req.params[1].get<bool>() ? 1 : 0) : static_cast<int>(GetInt(req.params[1]));
    }
    const bool have_blockhash = req.params.size() > 2 && !req.params[2].is_null();
    const BlockIndex* block_index = nullptr;
    if (have_blockhash) {
        block_index = cs.LookupBlockIndex(ParseHashV(req.params[2], "parameter 3"));
        if (!block_index) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Block hash not found");
    }

    consensus::TransactionRef tx;
    const BlockIndex* found_in = nullptr;
    std::optional<consensus::Block> block;
    if (block_index) {
        if (!(block_index->status & chain::BLOCK_HAVE_DATA)) throw RpcError(RPC_MISC_ERROR, "Block not available");
        block = cs.ReadBlock(block_index);
        if (!block) throw RpcError(RPC_MISC_ERROR, "Block not available");
        for (const auto& t : block->vtx) {
            if (t->GetTxid() == txid) tx = t;
        }
        found_in = block_index;
    } else if (consensus::TransactionRef in_pool = pool ? pool->Get(txid) : nullptr) {
        tx = std::move(in_pool); // Core's GetTransaction looks in the mempool first
    } else if (txindex) {
        (void)txindex->BlockUntilSyncedToCurrentChain(); // it has seen every block connected so far
        const index::TxLookup hit = txindex->FindTransaction(txid);
        // A storage error is not "no such transaction" (Core answers -1 for a LevelDB error too).
        if (hit.status == ReadStatus::FAILED)
            throw RpcError(RPC_MISC_ERROR,
                           "txindex: cannot read transaction " + txid.GetHex() + " (a storage error, see the log)");
        tx = hit.tx;
        found_in = hit.block;
    }
    if (!tx) {
        std::string msg;
        if (block_index) {
            msg = "No such transaction found in the provided block";
        } else if (!txindex) {
            msg = "No such mempool transaction. Use -txindex or provide a block hash to enable blockchain "
                  "transaction queries";
        } else if (!txindex->IsSynced()) {
            msg = "No such mempool transaction. Blockchain transactions are still in the process of being indexed";
        } else {
            msg = "No such mempool or blockchain transaction";
        }
        throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, msg + ". Use gettransaction for wallet transactions.");
    }
    if (verbosity <= 0) return EncodeHexTx(*tx);

    Json result = Json::object();
    if (block_index) result["in_active_chain"] = cs.IsInActiveChain(block_index);
    if (verbosity == 1 || tx->IsCoinBase() || !found_in || !(found_in->status & chain::BLOCK_HAVE_UNDO)) {
        TxToJsonWithBlock(result, *tx, found_in, cs, nullptr, TxVerbosity::SHOW_DETAILS);
        return result;
    }
    // Verbosity 2: the spent outputs from the block's undo data.
    if (!block) block = cs.ReadBlock(found_in);
    auto undo = cs.ReadUndo(found_in);
    const node::TxUndo* tx_undo = nullptr;
    if (block && undo) {
        auto it = std::find_if(block->vtx.begin(), block->vtx.end(),
                               [&](const consensus::TransactionRef& t) { return t->GetTxid() == txid; });
        const size_t pos = static_cast<size_t>(it - block->vtx.begin());
        if (it != block->vtx.end() && pos > 0 && pos - 1 < undo->txundo.size()) tx_undo = &undo->txundo[pos - 1];
    }
    TxToJsonWithBlock(result, *tx, found_in, cs, tx_undo, TxVerbosity::SHOW_DETAILS_AND_PREVOUT);
    return result;
}

Json DecodeRawTransaction(Chainstate& cs, const RpcRequest& req)
{
    const bool have_flag = req.params.size() > 1 && !req.params[1].is_null();
    const bool iswitness = have_flag && GetBool(req.params[1]);
    const bool try_witness = !have_flag || iswitness;
    const bool try_no_witness = !have_flag || !iswitness;
    auto mtx = DecodeHexTx(GetStr(req.params[0]), try_no_witness, try_witness);
    if (!mtx) throw RpcError(RPC_DESERIALIZATION_ERROR, "TX decode failed");
    return TxToJson(consensus::Transaction(std::move(*mtx)), cs.Params(), consensus::Uint256(), false);
}

/** Core's can_wrap test of decodescript: may this script be the redeem script of a P2SH output? */
bool CanWrapP2sh(const Script& script, TxoutType type)
{
    switch (type) {
    case TxoutType::NULL_DATA:
    case TxoutType::SCRIPTHASH:
    case TxoutType::WITNESS_UNKNOWN:
    case TxoutType::WITNESS_V1_TAPROOT:
    case TxoutType::ANCHOR: return false;
    case TxoutType::MULTISIG:
    case TxoutType::NONSTANDARD:
    case TxoutType::PUBKEY:
    case TxoutType::PUBKEYHASH:
    case TxoutType::WITNESS_V0_KEYHASH:
    case TxoutType::WITNESS_V0_SCRIPTHASH: break;
    }
    if (!script.HasValidOps() || script.IsUnspendable()) return false;
    auto pc = script.cbegin();
    consensus::Opcode op;
    while (script.GetOp(pc, op)) {
        if (op == consensus::OP_CHECKSIGADD || IsOpSuccess(op)) return false;
    }
    return true;
}

/** Core's can_wrap_P2WSH: only keys that are all compressed, or pubkeyhash / nonstandard scripts. */
bool CanWrapP2wsh(TxoutType type, const std::vector<Bytes>& solutions)
{
    switch (type) {
    case TxoutType::MULTISIG:
    case TxoutType::PUBKEY:
        for (const auto& s : solutions) {
            if (s.size() != 1 && s.size() != 33) return false; // uncompressed keys cannot be used with segwit
        }
        return true;
    case TxoutType::NONSTANDARD:
    case TxoutType::PUBKEYHASH: return true;
    default: return false;
    }
}

Json DecodeScript(Chainstate& cs, const RpcRequest& req)
{
    const consensus::ChainParams& params = cs.Params();
    Script script;
    if (!GetStr(req.params[0]).empty()) script = Script(ParseHexV(req.params[0], "argument"));
    Json r = ScriptToJson(script, params, false, true);
    std::vector<Bytes> solutions;
    const TxoutType type = SolveScript(script, solutions);
    if (!CanWrapP2sh(script, type)) return r;
    r["p2sh"] = *EncodeAddress(P2sh(script), params);
    if (!CanWrapP2wsh(type, solutions)) return r;
    Script segwit;
    if (type == TxoutType::PUBKEY) {
        const consensus::Uint160 h = consensus::Hash160(solutions[0]);
        segwit = WitnessV0(Bytes(h.begin(), h.end()));
    } else if (type == TxoutType::PUBKEYHASH) {
        segwit = WitnessV0(solutions[0]);
    } else {
        const consensus::Uint256 h = consensus::Sha256Hash(script);
        segwit = WitnessV0(Bytes(h.begin(), h.end()));
    }
    Json sr = ScriptToJson(segwit, params, true, true);
    if (type == TxoutType::MULTISIG) {
        // Core knows the witness script here and infers wsh(multi(...)).
        std::string inner = InferDescriptor(script, params);
        inner = inner.substr(0, inner.find('#'));
        sr["desc"] = AddDescriptorChecksum("wsh(" + inner + ")");
    }
    sr["p2sh-segwit"] = *EncodeAddress(P2sh(segwit), params);
    r["segwit"] = std::move(sr);
    return r;
}

Json CreateRawTransaction(Chainstate& cs, const RpcRequest& req)
{
    return EncodeHexTx(consensus::Transaction(ConstructRawTransaction(req.params, cs.Params())));
}

} // namespace

void RegisterRawTransactionRpc(RpcTable& table, Chainstate& cs, index::TxIndexer* txindex,
                               const mempool::TxMemPool* pool)
{
    const std::string cat = "rawtransactions";
    std::vector<RpcResult> tx_v1 = {
        {.type = T::BOOL,
         .key = "in_active_chain",
         .description =
             "Whether specified block is in the active chain or not (only present with explicit \"blockhash\" argument)",
         .optional = true},
        {.type = T::STR_HEX, .key = "blockhash", .description = "the block hash", .optional = true},
        {.type = T::NUM, .key = "confirmations", .description = "The confirmations", .optional = true},
        {.type = T::NUM_TIME,
         .key = "blocktime",
         .description = std::string("The block time expressed in ") + UNIX_EPOCH_TIME,
         .optional = true},
        {.type = T::NUM, .key = "time", .description = "Same as \"blocktime\"", .optional = true},
        {.type = T::STR_HEX, .key = "hex", .description = "The serialized, hex-encoded data for 'txid'"},
    };
    for (auto& r : DecodeTxDoc("The transaction id (same as provided)")) tx_v1.push_back(std::move(r));
    table.Register(RpcMethod{
        .category = cat,
        .name = "getrawtransaction",
        .args = {Arg("txid", RpcArgType::STR_HEX, false, "", "The transaction id"),
                 {.name = "verbosity|verbose",
                  .type = RpcArgType::NUM,
                  .optional = true,
                  .default_text = "0",
                  .description =
                      "0 for hex-encoded data, 1 for a JSON object, and 2 for JSON object with fee and prevout",
                  .skip_type_check = true},
                 Arg("blockhash", RpcArgType::STR_HEX, true, "", "The block in which to look for the transaction")},
        .description =
            "By default, this call only returns a transaction if it is in the mempool. If -txindex is enabled\n"
            "and no blockhash argument is passed, it will return the transaction if it is in the mempool or any block.\n"
            "If a blockhash argument is passed, it will return the transaction if\n"
            "the specified block is available and the transaction is in that block.\n\n"
            "Hint: Use gettransaction for wallet transactions.\n\n"
            "If verbosity is 0 or omitted, returns the serialized transaction as a hex-encoded string.\n"
            "If verbosity is 1, returns a JSON Object with information about the transaction.\n"
            "If verbosity is 2, returns a JSON Object with information about the transaction, including fee and prevout information.",
        .examples = HelpExampleCli("getrawtransaction", "\"mytxid\"") +
                    HelpExampleCli("getrawtransaction", "\"mytxid\" 1") +
                    HelpExampleRpc("getrawtransaction", "\"mytxid\", 1") +
                    HelpExampleCli("getrawtransaction", "\"mytxid\" 0 \"myblockhash\"") +
                    HelpExampleCli("getrawtransaction", "\"mytxid\" 1 \"myblockhash\"") +
                    HelpExampleCli("getrawtransaction", "\"mytxid\" 2 \"myblockhash\""),
        .handler = [&cs, txindex, pool](const RpcRequest& req) { return GetRawTransaction(cs, txindex, pool, req); },
        .results = {
            {.type = T::STR,
             .description = "The serialized transaction as a hex-encoded string for 'txid'",
             .cond = "if verbosity is not set or set to 0"},
            {.type = T::OBJ, .inner = tx_v1, .cond = "if verbosity is set to 1"},
            {.type = T::OBJ,
             .inner =
                 {
                     {.type = T::ELISION, .description = "Same output as verbosity = 1"},
                     {.type = T::NUM,
                      .key = "fee",
                      .description = "transaction fee in BTC, omitted if block undo data is not available",
                      .optional = true},
                     {.type = T::ARR,
                      .key = "vin",
                      .inner =
                          {{.type = T::OBJ,
                            .description = "utxo being spent",
                            .inner =
                                {
                                    {.type = T::ELISION, .description = "Same output as verbosity = 1"},
                                    {.type = T::OBJ,
                                     .key = "prevout",
                                     .description = "The previous output, omitted if block undo data is not available",
                                     .inner =
                                         {
                                             {.type = T::BOOL, .key = "generated", .description = "Coinbase or not"},
                                             {.type = T::NUM,
                                              .key = "height",
                                              .description = "The height of the prevout"},
                                             {.type = T::STR_AMOUNT, .key = "value", .description = "The value in BTC"},
                                             {.type = T::OBJ, .key = "scriptPubKey", .inner = ScriptPubKeyDoc()},
                                         },
                                     .optional = true},
                                }}}},
                 },
             .cond = "for verbosity = 2"},
        }});
    table.Register(
        RpcMethod{.category = cat,
                  .name = "decoderawtransaction",
                  .args = {Arg("hexstring", RpcArgType::STR_HEX, false, "", "The transaction hex string"),
                           Arg("iswitness", RpcArgType::BOOL, true, "depends on heuristic tests",
                               "Whether the transaction hex is a serialized witness transaction.\n"
                               "If iswitness is not present, heuristic tests will be used in decoding.\n"
                               "If true, only witness deserialization will be tried.\n"
                               "If false, only non-witness deserialization will be tried.\n"
                               "This boolean should reflect whether the transaction has inputs\n"
                               "(e.g. fully valid, or on-chain transactions), if known by the caller.")},
                  .description = "Return a JSON object representing the serialized, hex-encoded transaction.",
                  .examples = HelpExampleCli("decoderawtransaction", "\"hexstring\"") +
                              HelpExampleRpc("decoderawtransaction", "\"hexstring\""),
                  .handler = [&cs](const RpcRequest& req) { return DecodeRawTransaction(cs, req); },
                  .results = {{.type = T::OBJ, .inner = DecodeTxDoc("The transaction id")}}});
    table.Register(RpcMethod{
        .category = cat,
        .name = "decodescript",
        .args = {Arg("hexstring", RpcArgType::STR_HEX, false, "", "the hex-encoded script")},
        .description = "Decode a hex-encoded script.",
        .examples = HelpExampleCli("decodescript", "\"hexstring\"") + HelpExampleRpc("decodescript", "\"hexstring\""),
        .handler = [&cs](const RpcRequest& req) { return DecodeScript(cs, req); },
        .results = {
            {.type = T::OBJ,
             .inner = {
                 {.type = T::STR, .key = "asm", .description = "Disassembly of the script"},
                 {.type = T::STR, .key = "desc", .description = "Inferred descriptor for the script"},
                 {.type = T::STR, .key = "type", .description = "The output type (e.g. " + AllOutputTypes() + ")"},
                 {.type = T::STR,
                  .key = "address",
                  .description = "The Bitcoin address (only if a well-defined address exists)",
                  .optional = true},
                 {.type = T::STR,
                  .key = "p2sh",
                  .description =
                      "address of P2SH script wrapping this redeem script (not returned for types that should not be wrapped)",
                  .optional = true},
                 {.type = T::OBJ,
                  .key = "segwit",
                  .description =
                      "Result of a witness output script wrapping this redeem script (not returned for types that should not be wrapped)",
                  .inner =
                      {
                          {.type = T::STR, .key = "asm", .description = "Disassembly of the output script"},
                          {.type = T::STR_HEX, .key = "hex", .description = "The raw output script bytes, hex-encoded"},
                          {.type = T::STR,
                           .key = "type",
                           .description =
                               "The type of the output script (e.g. witness_v0_keyhash or witness_v0_scripthash)"},
                          {.type = T::STR,
                           .key = "address",
                           .description = "The Bitcoin address (only if a well-defined address exists)",
                           .optional = true},
                          {.type = T::STR, .key = "desc", .description = "Inferred descriptor for the script"},
                          {.type = T::STR,
                           .key = "p2sh-segwit",
                           .description = "address of the P2SH script wrapping this witness redeem script"},
                      },
                  .optional = true},
             }}}});
    table
        .Register(
            RpcMethod{.category = cat,
                      .name = "createrawtransaction",
                      .args = {{.name = "inputs",
                                .type = RpcArgType::ARR,
                                .optional = false,
                                .description = "The inputs",
                                .inner = {{.name = "",
                                           .type = RpcArgType::OBJ,
                                           .optional = true,
                                           .inner =
                                               {
                                                   {.name = "txid",
                                                    .type = RpcArgType::STR_HEX,
                                                    .optional = false,
                                                    .description = "The transaction id"},
                                                   {.name = "vout",
                                                    .type = RpcArgType::NUM,
                                                    .optional = false,
                                                    .description = "The output number"},
                                                   {.name = "sequence",
                                                    .type = RpcArgType::NUM,
                                                    .optional = true,
                                                    .default_text = "depends on the value of the 'replaceable' and 'locktime' arguments",
                                                    .description = "The sequence number"},
                                               }}}},
                               {.name = "outputs",
                                .type = RpcArgType::ARR,
                                .optional = false,
                                .description =
                                    "The outputs specified as key-value pairs.\n"
                                    "Each key may only appear once, i.e. there can only be one 'data' output, and no address may be duplicated.\n"
                                    "At least one output of either type must be specified.\n"
                                    "For compatibility reasons, a dictionary, which holds the key-value pairs directly, is also\n"
                                    "                             accepted as second parameter.",
                                .inner =
                                    {{.name = "",
                                      .type = RpcArgType::OBJ,
                                      .optional = true,
                                      .inner =
                                          {{.name = "address",
                                            .type =
                                                RpcArgType::AMOUNT,
                                            .optional =
                                                false,
                                            .description =
                                                "A key-value pair. The key (string) is the bitcoin address, the value (float or "
                                                "string) is the amount in BTC"}}},
                                     {.name = "",
                                      .type = RpcArgType::OBJ,
                                      .optional = true,
                                      .inner =
                                          {{.name = "data",
                                            .type = RpcArgType::STR_HEX,
                                            .optional = false,
                                            .description =
                                                "A key-value pair. The key must be \"data\", the value is hex-encoded data that "
                                                "becomes a part of an OP_RETURN output"}}}},
                                .skip_type_check = true},
                               Arg("locktime", RpcArgType::NUM, true, "0",
                                   "Raw locktime. Non-0 value also locktime-activates inputs"),
                               Arg("replaceable", RpcArgType::BOOL, true, "true",
                                   "Marks this transaction as BIP125-replaceable.\n"
                                   "Allows this transaction to be replaced by a transaction with higher fees. If provided, it is an error if "
                                   "explicit sequence numbers are incompatible."),
                               Arg("version", RpcArgType::NUM, true, "2", "Transaction version")},
                      .description = "Create a transaction spending the given inputs and creating new outputs.\n"
                                     "Outputs can be addresses or data.\n"
                                     "Returns hex-encoded raw transaction.\n"
                                     "Note that the transaction's inputs are not signed, and\n"
                                     "it is not stored in the wallet or transmitted to the network.",
                      .examples =
                          HelpExampleCli(
                              "createrawtransaction",
                              "\"[{\\\"txid\\\":\\\"myid\\\",\\\"vout\\\":0}]\" \"[{\\\"address\\\":0.01}]\"") +
                          HelpExampleCli(
                              "createrawtransaction",
                              "\"[{\\\"txid\\\":\\\"myid\\\",\\\"vout\\\":0}]\" \"[{\\\"data\\\":\\\"00010203\\\"}]\"") +
                          HelpExampleRpc(
                              "createrawtransaction",
                              "\"[{\\\"txid\\\":\\\"myid\\\",\\\"vout\\\":0}]\", \"[{\\\"address\\\":0.01}]\"") +
                          HelpExampleRpc(
                              "createrawtransaction",
                              "\"[{\\\"txid\\\":\\\"myid\\\",\\\"vout\\\":0}]\", \"[{\\\"data\\\":\\\"00010203\\\"}]\""),
                      .handler = [&cs](const RpcRequest& req) { return CreateRawTransaction(cs, req); },
                      .results = {
                          {.type = T::STR_HEX, .key = "transaction", .description = "hex string of the transaction"}}});
    RegisterSignRpc(table, cs, pool);
    RegisterPsbtRpc(table, cs, pool);
    RegisterDescriptorPsbtRpc(table, cs, pool);
}

} // namespace node::rpc
