// Shared result declarations (see result_docs.h); descriptions as Bitcoin Core words them.
#include "common/rpc/result_docs.h"

namespace common::rpc {

using T = RpcResultType;

std::string AllOutputTypes()
{
    return "nonstandard, anchor, pubkey, pubkeyhash, scripthash, multisig, nulldata, witness_v0_scripthash, "
           "witness_v0_keyhash, witness_v1_taproot, witness_unknown";
}

std::vector<RpcResult> ScriptPubKeyDoc()
{
    return {
        {.type = T::STR, .key = "asm", .description = "Disassembly of the output script"},
        {.type = T::STR, .key = "desc", .description = "Inferred descriptor for the output"},
        {.type = T::STR_HEX, .key = "hex", .description = "The raw output script bytes, hex-encoded"},
        {.type = T::STR,
         .key = "address",
         .description = "The Bitcoin address (only if a well-defined address exists)",
         .optional = true},
        {.type = T::STR, .key = "type", .description = "The type (one of: " + AllOutputTypes() + ")"},
    };
}

std::vector<RpcResult> DecodeTxDoc(const std::string& txid_field_doc)
{
    return {
        {.type = T::STR_HEX, .key = "txid", .description = txid_field_doc},
        {.type = T::STR_HEX,
         .key = "hash",
         .description = "The transaction hash (differs from txid for witness transactions)"},
        {.type = T::NUM, .key = "size", .description = "The serialized transaction size"},
        {.type = T::NUM,
         .key = "vsize",
         .description = "The virtual transaction size (differs from size for witness transactions)"},
        {.type = T::NUM, .key = "weight", .description = "The transaction's weight (between vsize*4-3 and vsize*4)"},
        {.type = T::NUM, .key = "version", .description = "The version"},
        {.type = T::NUM_TIME, .key = "locktime", .description = "The lock time"},
        {.type = T::ARR,
         .key = "vin",
         .inner =
             {
                 {.type = T::OBJ,
                  .inner =
                      {
                          {.type = T::STR_HEX,
                           .key = "coinbase",
                           .description = "The coinbase value (only if coinbase transaction)",
                           .optional = true},
                          {.type = T::STR_HEX,
                           .key = "txid",
                           .description = "The transaction id (if not coinbase transaction)",
                           .optional = true},
                          {.type = T::NUM,
                           .key = "vout",
                           .description = "The output number (if not coinbase transaction)",
                           .optional = true},
                          {.type = T::OBJ,
                           .key = "scriptSig",
                           .description = "The script (if not coinbase transaction)",
                           .inner =
                               {
                                   {.type = T::STR, .key = "asm", .description = "Disassembly of the signature script"},
                                   {.type = T::STR_HEX,
                                    .key = "hex",
                                    .description = "The raw signature script bytes, hex-encoded"},
                               },
                           .optional = true},
                          {.type = T::ARR,
                           .key = "txinwitness",
                           .inner =
                               {
                                   {.type = T::STR_HEX, .description = "hex-encoded witness data (if any)"},
                               },
                           .optional = true},
                          {.type = T::NUM, .key = "sequence", .description = "The script sequence number"},
                      }},
             }},
        {.type = T::ARR,
         .key = "vout",
         .inner =
             {
                 {.type = T::OBJ,
                  .inner =
                      {
                          {.type = T::STR_AMOUNT, .key = "value", .description = "The value in BTC"},
                          {.type = T::NUM, .key = "n", .description = "index"},
                          {.type = T::OBJ, .key = "scriptPubKey", .inner = ScriptPubKeyDoc()},
                      }},
             }},
    };
}

std::vector<RpcResult> BlockHeaderDoc()
{
    const std::string epoch = UNIX_EPOCH_TIME;
    return {
        {.type = T::STR_HEX, .key = "hash", .description = "the block hash (same as provided)"},
        {.type = T::NUM,
         .key = "confirmations",
         .description = "The number of confirmations, or -1 if the block is not on the main chain"},
        {.type = T::NUM, .key = "height", .description = "The block height or index"},
        {.type = T::NUM, .key = "version", .description = "The block version"},
        {.type = T::STR_HEX, .key = "versionHex", .description = "The block version formatted in hexadecimal"},
        {.type = T::STR_HEX, .key = "merkleroot", .description = "The merkle root"},
        {.type = T::NUM_TIME, .key = "time", .description = "The block time expressed in " + epoch},
        {.type = T::NUM_TIME, .key = "mediantime", .description = "The median block time expressed in " + epoch},
        {.type = T::NUM, .key = "nonce", .description = "The nonce"},
        {.type = T::STR_HEX,
         .key = "bits",
         .description = "nBits: compact representation of the block difficulty target"},
        {.type = T::STR_HEX, .key = "target", .description = "The difficulty target"},
        {.type = T::NUM, .key = "difficulty", .description = "The difficulty"},
        {.type = T::STR_HEX,
         .key = "chainwork",
         .description = "Expected number of hashes required to produce the current chain"},
        {.type = T::NUM, .key = "nTx", .description = "The number of transactions in the block"},
        {.type = T::STR_HEX,
         .key = "previousblockhash",
         .description = "The hash of the previous block (if available)",
         .optional = true},
        {.type = T::STR_HEX,
         .key = "nextblockhash",
         .description = "The hash of the next block (if available)",
         .optional = true},
    };
}

} // namespace common::rpc
