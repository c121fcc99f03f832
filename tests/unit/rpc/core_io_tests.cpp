// Core's header renderings and difficulty (node/rpc/core_io); the script and transaction
// renderings are tested in tx_json_tests.cpp.
#include "consensus/arith_uint256.h"
#include "consensus/hex.h"
#include "consensus/params.h"
#include "consensus/pow.h"
#include "node/chain/block_index.h"
#include "node/rpc/core_io.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace consensus;
using namespace node::rpc;
using namespace common::rpc;
using namespace common;

namespace {

std::vector<std::string> Keys(const Json& obj)
{
    std::vector<std::string> keys;
    for (const auto& [k, v] : obj.items()) keys.push_back(k);
    return keys;
}

} // namespace

TEST_CASE("BlockHeaderToJson renders the mainnet genesis header and its successor", "[rpc]")
{
    const auto& main = Params(ChainType::MAIN);
    const Block& genesis = main.GenesisBlock();
    const Uint256 hash0 = genesis.GetHash();
    node::chain::BlockIndex g;
    g.phash = &hash0;
    g.version = genesis.version;
    g.merkle_root = genesis.merkle_root;
    g.time = genesis.time;
    g.bits = genesis.bits;
    g.nonce = genesis.nonce;
    g.n_tx = 1;
    g.chain_work = GetBlockProof(genesis.bits);
    g.BuildSkip();

    Json j = BlockHeaderToJson(g, g);
    CHECK(Keys(j) == std::vector<std::string>{"hash", "confirmations", "height", "version", "versionHex", "merkleroot",
                                              "time", "mediantime", "nonce", "bits", "target", "difficulty",
                                              "chainwork", "nTx"});
    CHECK(j["hash"] == "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    CHECK(j["confirmations"] == 1);
    CHECK(j["versionHex"] == "00000001");
    CHECK(j["merkleroot"] == "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
    CHECK(j["mediantime"] == 1231006505);
    CHECK(j["nonce"] == 2083236893u);
    CHECK(j["bits"] == "1d00ffff");
    CHECK(j["target"] == "00000000ffff0000000000000000000000000000000000000000000000000000");
    CHECK(WriteJson(j["difficulty"]) == "1");
    CHECK(j["chainwork"] == "0000000000000000000000000000000000000000000000000000000100010001");

    const Uint256 hash1 = Uint256::ONE;
    node::chain::BlockIndex b1;
    b1.phash = &hash1;
    b1.prev = &g;
    b1.height = 1;
    b1.time = genesis.time + 600;
    b1.bits = genesis.bits;
    b1.BuildSkip();
    j = BlockHeaderToJson(b1, g);
    CHECK(j["confirmations"] == 2);
    CHECK(j["nextblockhash"] == hash1.GetHex());
    j = BlockHeaderToJson(b1, b1);
    CHECK(j["previousblockhash"] == hash0.GetHex());
    CHECK(j["mediantime"] == 1231007105); // of two times Core takes sorted[2 / 2], the later one
    // A header off the active chain has -1 confirmations.
    // (BlockIndex is not copyable: its validation fields are atomics.)
    node::chain::BlockIndex fork;
    const Uint256 hash2 = Uint256::ZERO;
    fork.phash = &hash2;
    fork.prev = b1.prev;
    fork.height = b1.height;
    fork.time = b1.time;
    fork.bits = b1.bits;
    fork.BuildSkip();
    CHECK(BlockHeaderToJson(b1, fork)["confirmations"] == -1);
}

TEST_CASE("GetDifficulty matches Core for common targets", "[rpc]")
{
    CHECK(GetDifficulty(0x1d00ffff) == 1.0);
    CHECK(GetDifficulty(0x207fffff) == Approx(4.656542373906925e-10));
    CHECK(BitsHex(0x207fffff) == "207fffff");
}
