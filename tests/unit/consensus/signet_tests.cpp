// BIP-325 signet block solutions.
#include "consensus/block_check.h"
#include "consensus/merkle.h"
#include "consensus/params.h"
#include "consensus/signet.h"

#include <catch2/catch.hpp>

using namespace consensus;

namespace {

/** A block on the given network's genesis with a witness commitment (no solution). */
Block MakeSignetBlock(const ChainParams& params)
{
    Block block;
    block.version = 0x20000000;
    block.prev_block = params.GenesisBlock().GetHash();
    block.time = params.GenesisBlock().time + 600;
    block.bits = params.GenesisBlock().bits;
    MutableTransaction cb;
    cb.vin.resize(1);
    cb.vin[0].script_sig.PushInt(1).PushInt(0);
    cb.vout.emplace_back(Amount{50 * COIN.sats}, Script() << OP_TRUE);
    block.vtx.push_back(MakeTransactionRef(std::move(cb)));
    GenerateCoinbaseCommitment(block);
    block.merkle_root = BlockMerkleRoot(block);
    return block;
}

} // namespace

TEST_CASE("The default signet's genesis block needs no signet solution", "[consensus]")
{
    const ChainParams& signet = Params(ChainType::SIGNET);
    CHECK(CheckSignetBlockSolution(signet.GenesisBlock(), signet.consensus));
}

TEST_CASE("A default signet block without a solution to the 1-of-2 challenge is rejected", "[consensus]")
{
    const ChainParams& signet = Params(ChainType::SIGNET);
    const Block block = MakeSignetBlock(signet);
    CHECK_FALSE(CheckSignetBlockSolution(block, signet.consensus));
    // CheckBlock reports it before anything else once the proof of work is checked.
    Block solved = block;
    while (!CheckBlockHeader(solved, signet.consensus, true).IsValid()) ++solved.nonce;
    const ValidationResult r = CheckBlock(solved, signet.consensus);
    CHECK(r.GetRejectReason() == "bad-signet-blksig");
}

TEST_CASE("A signet with a trivial OP_TRUE challenge accepts blocks without a solution", "[consensus]")
{
    const ChainParams custom = CreateSignetParams({OP_TRUE});
    CHECK(custom.consensus.signet_blocks);
    const Block block = MakeSignetBlock(custom);
    CHECK(CheckSignetBlockSolution(block, custom.consensus));
    // A malformed solution (garbage after the header) is rejected.
    Block bad = block;
    MutableTransaction cb(*bad.vtx[0]);
    const int idx = GetWitnessCommitmentIndex(bad);
    REQUIRE(idx >= 0);
    std::vector<uint8_t> push(std::begin(SIGNET_HEADER), std::end(SIGNET_HEADER));
    push.push_back(0xfd); // a truncated CompactSize
    cb.vout[idx].script_pubkey << push;
    bad.vtx[0] = MakeTransactionRef(std::move(cb));
    bad.merkle_root = BlockMerkleRoot(bad);
    CHECK_FALSE(CheckSignetBlockSolution(bad, custom.consensus));
}
