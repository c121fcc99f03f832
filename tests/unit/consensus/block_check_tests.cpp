// CheckBlockHeader / CheckBlock reject reasons in Core's order, and the BIP-141
// witness commitment, on blocks built and mined (at regtest difficulty) here.
#include "consensus/block_check.h"
#include "consensus/limits.h"
#include "consensus/merkle.h"
#include "consensus/params.h"
#include "consensus/pow.h"

#include <catch2/catch.hpp>

using namespace consensus;

namespace {

const ConsensusParams& Regtest() { return Params(ChainType::REGTEST).consensus; }

TransactionRef MakeCoinbase(uint8_t tag = 1)
{
    MutableTransaction tx;
    tx.vin.resize(1);
    tx.vin[0].script_sig = Script() << std::vector<uint8_t>{tag, 0x01};
    tx.vout.emplace_back(Amount{50 * COIN.sats}, Script() << OP_TRUE);
    return MakeTransactionRef(std::move(tx));
}

TransactionRef MakeSpend(uint8_t tag, bool witness = false)
{
    MutableTransaction tx;
    tx.vin.resize(1);
    tx.vin[0].prevout.hash.data()[0] = tag;
    tx.vin[0].prevout.n = 0;
    if (witness) tx.vin[0].witness.stack.push_back({tag, 0xee});
    tx.vout.emplace_back(Amount{COIN.sats}, Script() << OP_TRUE);
    return MakeTransactionRef(std::move(tx));
}

// Sets the merkle root and grinds the nonce until the regtest target is met.
void Finalize(Block& block)
{
    block.merkle_root = BlockMerkleRoot(block);
    while (!CheckProofOfWork(block.GetHash(), block.bits, Regtest())) ++block.nonce;
}

Block MakeBlock(std::vector<TransactionRef> txs)
{
    Block block;
    block.version = 4;
    block.prev_block = Params(ChainType::REGTEST).genesis.GetHash();
    block.time = 1700000000;
    block.bits = 0x207fffff;
    block.vtx = std::move(txs);
    Finalize(block);
    return block;
}

std::string Reason(const ValidationResult& r) { return r.IsValid() ? "valid" : r.GetRejectReason(); }

std::string Check(const Block& block, bool check_pow = true, bool check_merkle = true)
{
    return Reason(CheckBlock(block, Regtest(), check_pow, check_merkle));
}

} // namespace

TEST_CASE("CheckBlock accepts a well-formed block", "[consensus]")
{
    CHECK(Check(MakeBlock({MakeCoinbase()})) == "valid");
    CHECK(Check(MakeBlock({MakeCoinbase(), MakeSpend(1), MakeSpend(2)})) == "valid");
    CHECK(Reason(CheckBlock(Params(ChainType::MAIN).genesis, Params(ChainType::MAIN).consensus)) == "valid");
}

TEST_CASE("CheckBlockHeader rejects a hash above the target as high-hash", "[consensus]")
{
    Block block = MakeBlock({MakeCoinbase()});
    // A mainnet-difficulty target this block's hash does not meet.
    block.bits = 0x1d00ffff;
    CHECK(Reason(CheckBlockHeader(block, Regtest(), true)) == "high-hash");
    CHECK(Check(block) == "high-hash");
    CHECK(Check(block, false) == "valid");
    // A regtest-easy target is above mainnet's pow limit.
    const Block easy = MakeBlock({MakeCoinbase()});
    CHECK(Reason(CheckBlockHeader(easy, Params(ChainType::MAIN).consensus, true)) == "high-hash");
    // Negative and zero targets.
    block.bits = 0x20ffffff;
    CHECK(Check(block) == "high-hash");
    block.bits = 0;
    CHECK(Check(block) == "high-hash");
}

TEST_CASE("CheckBlock rejects a wrong merkle root as bad-txnmrklroot", "[consensus]")
{
    Block block = MakeBlock({MakeCoinbase(), MakeSpend(1)});
    block.merkle_root.data()[5] ^= 1;
    CHECK(Check(block, false) == "bad-txnmrklroot");
    CHECK(CheckBlock(block, Regtest(), false).GetBlockResult() == BlockValidationResult::MUTATED);
    CHECK(Check(block, false, false) == "valid");
}

TEST_CASE("CheckBlock rejects a duplicated transaction list as bad-txns-duplicate", "[consensus]")
{
    const auto a = MakeSpend(1);
    const auto b = MakeSpend(2);
    const Block honest = MakeBlock({MakeCoinbase(), a, b});
    Block forged = honest;
    forged.vtx.push_back(b); // same merkle root as the honest block (CVE-2012-2459)
    CHECK(BlockMerkleRoot(forged) == honest.merkle_root);
    CHECK(forged.GetHash() == honest.GetHash());
    CHECK(Check(forged) == "bad-txns-duplicate");
    CHECK(CheckBlock(forged, Regtest()).GetBlockResult() == BlockValidationResult::MUTATED);
}

TEST_CASE("CheckBlock rejects an empty or oversized block as bad-blk-length", "[consensus]")
{
    CHECK(Check(MakeBlock({})) == "bad-blk-length");
    // Stripped size over 1 MB (weight over 4M): one huge output.
    MutableTransaction big;
    big.vin.resize(1);
    big.vin[0].prevout.hash.data()[0] = 9;
    big.vout.emplace_back(Amount{0}, Script(std::vector<uint8_t>(MAX_BLOCK_WEIGHT / WITNESS_SCALE_FACTOR, OP_NOP)));
    CHECK(Check(MakeBlock({MakeCoinbase(), MakeTransactionRef(std::move(big))}), false) == "bad-blk-length");
}

TEST_CASE("CheckBlock rejects a block whose first transaction is not a coinbase", "[consensus]")
{
    CHECK(Check(MakeBlock({MakeSpend(1)})) == "bad-cb-missing");
    CHECK(Check(MakeBlock({MakeSpend(1), MakeCoinbase()})) == "bad-cb-missing");
}

TEST_CASE("CheckBlock rejects a second coinbase", "[consensus]")
{
    CHECK(Check(MakeBlock({MakeCoinbase(1), MakeSpend(1), MakeCoinbase(2)})) == "bad-cb-multiple");
}

TEST_CASE("CheckBlock reports a transaction's own reject reason", "[consensus]")
{
    MutableTransaction neg(*MakeSpend(3));
    neg.vout[0].value = Amount{-5};
    const Block block = MakeBlock({MakeCoinbase(), MakeTransactionRef(std::move(neg))});
    const ValidationResult r = CheckBlock(block, Regtest());
    CHECK(Reason(r) == "bad-txns-vout-negative");
    CHECK(r.GetDebugMessage().find("Transaction check failed") != std::string::npos);
    // A transaction's failure inside a block is the block's consensus failure, as in Core.
    CHECK(r.GetBlockResult() == BlockValidationResult::CONSENSUS);
    CHECK(r.GetTxResult() == TxValidationResult::UNSET);

    MutableTransaction cb(*MakeCoinbase());
    cb.vin[0].script_sig = Script(std::vector<uint8_t>(101, 1));
    CHECK(Check(MakeBlock({MakeTransactionRef(std::move(cb))})) == "bad-cb-length");

    MutableTransaction dup(*MakeSpend(4));
    dup.vin.push_back(dup.vin[0]);
    CHECK(Check(MakeBlock({MakeCoinbase(), MakeTransactionRef(std::move(dup))})) == "bad-txns-inputs-duplicate");
}

TEST_CASE("CheckBlock rejects more than 20000 legacy sigops as bad-blk-sigops", "[consensus]")
{
    const auto with_sigops = [](size_t n) {
        MutableTransaction tx(*MakeSpend(5));
        tx.vout[0].script_pubkey = Script(std::vector<uint8_t>(n, OP_CHECKSIG));
        return MakeTransactionRef(std::move(tx));
    };
    const size_t limit = MAX_BLOCK_SIGOPS_COST / WITNESS_SCALE_FACTOR;
    CHECK(Check(MakeBlock({MakeCoinbase(), with_sigops(limit)})) == "valid");
    CHECK(Check(MakeBlock({MakeCoinbase(), with_sigops(limit + 1)})) == "bad-blk-sigops");
    // CHECKMULTISIG counts 20 each.
    MutableTransaction multi(*MakeSpend(6));
    multi.vout[0].script_pubkey = Script(std::vector<uint8_t>(1001, OP_CHECKMULTISIG));
    CHECK(Check(MakeBlock({MakeCoinbase(), MakeTransactionRef(std::move(multi))})) == "bad-blk-sigops");
}

TEST_CASE("GenerateCoinbaseCommitment adds a commitment that CheckWitnessCommitment accepts", "[consensus]")
{
    Block block = MakeBlock({MakeCoinbase(), MakeSpend(1, true), MakeSpend(2)});
    CHECK(GetWitnessCommitmentIndex(block) == NO_WITNESS_COMMITMENT);
    const std::vector<uint8_t> commitment = GenerateCoinbaseCommitment(block);
    Finalize(block);
    REQUIRE(commitment.size() == MINIMUM_WITNESS_COMMITMENT);
    CHECK(commitment[0] == OP_RETURN);
    CHECK(commitment[1] == 0x24);
    CHECK(GetWitnessCommitmentIndex(block) == 1);
    CHECK(block.vtx[0]->vin[0].witness.stack == std::vector<std::vector<uint8_t>>{std::vector<uint8_t>(32, 0)});
    CHECK(Check(block) == "valid");
    CHECK(Reason(CheckWitnessCommitment(block, true)) == "valid");
    // Calling it again changes nothing.
    const Uint256 txid = block.vtx[0]->GetTxid();
    CHECK(GenerateCoinbaseCommitment(block) == commitment);
    CHECK(block.vtx[0]->GetTxid() == txid);
    // Before segwit activation the witness is not allowed at all.
    CHECK(Reason(CheckWitnessCommitment(block, false)) == "unexpected-witness");
}

TEST_CASE("CheckWitnessCommitment rejects a bad witness nonce size", "[consensus]")
{
    Block block = MakeBlock({MakeCoinbase(), MakeSpend(1, true)});
    (void)GenerateCoinbaseCommitment(block);
    for (const auto& stack : std::vector<std::vector<std::vector<uint8_t>>>{
             {std::vector<uint8_t>(31, 0)}, {std::vector<uint8_t>(33, 0)}, {}, {std::vector<uint8_t>(32, 0), {}}}) {
        MutableTransaction cb(*block.vtx[0]);
        cb.vin[0].witness.stack = stack;
        block.vtx[0] = MakeTransactionRef(std::move(cb));
        CHECK(Reason(CheckWitnessCommitment(block, true)) == "bad-witness-nonce-size");
    }
}

TEST_CASE("CheckWitnessCommitment rejects a commitment that does not match the witnesses", "[consensus]")
{
    Block block = MakeBlock({MakeCoinbase(), MakeSpend(1, true)});
    (void)GenerateCoinbaseCommitment(block);
    Finalize(block);
    // Change a witness after committing: the txid (and merkle root) stay the same.
    MutableTransaction tx(*block.vtx[1]);
    tx.vin[0].witness.stack[0].push_back(0x99);
    block.vtx[1] = MakeTransactionRef(std::move(tx));
    CHECK(Check(block) == "valid");
    CHECK(Reason(CheckWitnessCommitment(block, true)) == "bad-witness-merkle-match");
    // A different nonce breaks the commitment too.
    Block other = MakeBlock({MakeCoinbase(), MakeSpend(1, true)});
    (void)GenerateCoinbaseCommitment(other);
    MutableTransaction cb(*other.vtx[0]);
    cb.vin[0].witness.stack[0][0] = 1;
    other.vtx[0] = MakeTransactionRef(std::move(cb));
    CHECK(Reason(CheckWitnessCommitment(other, true)) == "bad-witness-merkle-match");
}

TEST_CASE("CheckWitnessCommitment rejects witness data without a commitment", "[consensus]")
{
    const Block block = MakeBlock({MakeCoinbase(), MakeSpend(1, true)});
    CHECK(Reason(CheckWitnessCommitment(block, true)) == "unexpected-witness");
    CHECK(Reason(CheckWitnessCommitment(MakeBlock({MakeCoinbase(), MakeSpend(1)}), true)) == "valid");
    CHECK(Reason(CheckWitnessCommitment(MakeBlock({MakeCoinbase(), MakeSpend(1)}), false)) == "valid");
}

TEST_CASE("GetWitnessCommitmentIndex picks the last matching output", "[consensus]")
{
    Block block = MakeBlock({MakeCoinbase(), MakeSpend(1, true)});
    const std::vector<uint8_t> commitment = GenerateCoinbaseCommitment(block);
    MutableTransaction cb(*block.vtx[0]);
    cb.vout.emplace_back(Amount{0}, Script(commitment));
    Script short_one(std::vector<uint8_t>(commitment.begin(), commitment.end() - 1));
    cb.vout.emplace_back(Amount{0}, short_one); // 37 bytes: too short to count
    block.vtx[0] = MakeTransactionRef(std::move(cb));
    CHECK(GetWitnessCommitmentIndex(block) == 2);
    CHECK(GetWitnessCommitmentIndex(Block()) == NO_WITNESS_COMMITMENT);
}
