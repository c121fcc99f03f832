// signrawtransactionwithkey (Core's rawtransactions category): signs a raw transaction with
// the given WIF keys over the spent outputs found in the mempool and the UTXO set, or given
// as prevtxs (with redeem and witness scripts), through common/sign.
#include "node/rpc/sign_rpc.h"

#include "common/key_io.h"
#include "common/rpc/util.h"
#include "common/sign.h"
#include "consensus/hash.h"
#include "consensus/hex.h"
#include "consensus/script/key.h"

#include <cstdio>
#include <limits>
#include "node/chain/chainstate.h"
#include "node/mempool/accept.h"
#include "node/mempool/policy.h"
#include "node/mempool/txmempool.h"
#include "node/rpc/core_io.h"
#include "node/rpc/register.h"

namespace node::rpc {

using consensus::Script;
using T = RpcResultType;

std::optional<consensus::Coin> FindSpentCoin(const chain::Chainstate& cs, const mempool::TxMemPool* pool,
                                             const consensus::OutPoint& outpoint)
{
    if (pool) {
        if (consensus::TransactionRef ptx = pool->Get(outpoint.hash)) {
            if (outpoint.n >= ptx->vout.size()) return std::nullopt;
            return consensus::Coin(ptx->vout[outpoint.n], mempool::MEMPOOL_HEIGHT, false);
        }
    }
    auto info = cs.GetTxOut(outpoint);
    if (!info) return std::nullopt;
    return std::move(info->coin);
}

namespace {

RpcArg Arg(std::string name, RpcArgType type, bool optional, std::string default_text, std::string description)
{
    return RpcArg{.name = std::move(name),
                  .type = type,
                  .optional = optional,
                  .default_text = std::move(default_text),
                  .description = std::move(description)};
}

} // namespace

namespace {

Json SignRawTransactionWithKey(const chain::Chainstate& cs, const mempool::TxMemPool* pool, const RpcRequest& req)
{
    auto tx = DecodeHexTx(GetStr(req.params.at(0)));
    if (!tx) throw RpcError(RPC_DESERIALIZATION_ERROR, "TX decode failed. Make sure the tx has at least one input.");
    common::FlatSigningProvider keystore;
    for (const Json& k : req.params.at(1)) {
        const auto key = DecodeSecret(GetStr(k), cs.Params());
        if (!key) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid private key");
        const auto pub = consensus::PubKeyFromSecret(key->bytes, key->compressed);
        if (!pub) throw RpcError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid private key");
        const common::KeyId id = common::KeyIdOf(*pub);
        keystore.pubkeys[id] = *pub;
        keystore.keys[id] = *key;
    }
    std::map<consensus::OutPoint, consensus::Coin> coins;
    for (const auto& in : tx->vin) {
        auto coin = FindSpentCoin(cs, pool, in.prevout);
        coins[in.prevout] = coin ? *coin : consensus::Coin();
    }
    ParsePrevouts(req.params.size() > 2 ? req.params[2] : Json(), &keystore, coins);
    const int hash_type = ParseSighashParam(req.params.size() > 3 ? req.params[3] : Json());
    std::map<int, std::string> errors;
    const bool complete = common::SignTransaction(*tx, keystore, coins, hash_type, errors);
    return SignResultToJson(*tx, complete, coins, errors);
}

} // namespace

void RegisterSignRpc(RpcTable& table, const chain::Chainstate& cs, const mempool::TxMemPool* pool)
{
    table
        .Register(
            RpcMethod{.category = "rawtransactions",
                      .name = "signrawtransactionwithkey",
                      .args =
                          {
                              Arg("hexstring", RpcArgType::STR, false, "", "The transaction hex string"),
                              {.name = "privkeys",
                               .type = RpcArgType::ARR,
                               .description = "The base58-encoded private keys for signing",
                               .inner = {{.name = "privatekey",
                                          .type = RpcArgType::STR,
                                          .description = "private key in base58-encoding"}}},
                              {.name = "prevtxs",
                               .type = RpcArgType::ARR,
                               .optional = true,
                               .description = "The previous dependent transaction outputs",
                               .inner = {{.name = "",
                                          .type = RpcArgType::OBJ,
                                          .optional = true,
                                          .inner =
                                              {
                                                  {.name = "txid",
                                                   .type = RpcArgType::STR_HEX,
                                                   .description = "The transaction id"},
                                                  {.name = "vout",
                                                   .type = RpcArgType::NUM,
                                                   .description = "The output number"},
                                                  {.name = "scriptPubKey",
                                                   .type = RpcArgType::STR_HEX,
                                                   .description = "output script"},
                                                  {.name = "redeemScript",
                                                   .type = RpcArgType::STR_HEX,
                                                   .optional = true,
                                                   .description = "(required for P2SH) redeem script"},
                                                  {.name = "witnessScript",
                                                   .type = RpcArgType::STR_HEX,
                                                   .optional = true,
                                                   .description = "(required for P2WSH or P2SH-P2WSH) witness script"},
                                                  {.name = "amount",
                                                   .type = RpcArgType::AMOUNT,
                                                   .optional = true,
                                                   .description = "(required for Segwit inputs) the amount spent"},
                                              }}}},
                              Arg("sighashtype", RpcArgType::STR, true, "\"DEFAULT for Taproot, ALL otherwise\"",
                                  "The signature hash type. Must be one of:\n"
                                  "       \"DEFAULT\"\n"
                                  "       \"ALL\"\n"
                                  "       \"NONE\"\n"
                                  "       \"SINGLE\"\n"
                                  "       \"ALL|ANYONECANPAY\"\n"
                                  "       \"NONE|ANYONECANPAY\"\n"
                                  "       \"SINGLE|ANYONECANPAY\""),
                          },
                      .description =
                          "Sign inputs for raw transaction (serialized, hex-encoded).\n"
                          "The second argument is an array of base58-encoded private\n"
                          "keys that will be the only keys used to sign the transaction.\n"
                          "The third optional argument (may be null) is an array of previous transaction outputs that\n"
                          "this transaction depends on but may not yet be in the block chain.",
                      .examples =
                          HelpExampleCli("signrawtransactionwithkey", "\"myhex\" \"[\\\"key1\\\",\\\"key2\\\"]\"") +
                          HelpExampleRpc("signrawtransactionwithkey", "\"myhex\", \"[\\\"key1\\\",\\\"key2\\\"]\""),
                      .handler = [&cs,
                                  pool](const RpcRequest& req) { return SignRawTransactionWithKey(cs, pool, req); },
                      .results = SignResultDoc()});
}

} // namespace node::rpc
