#include "consensus/block_check.h"
#include "consensus/signet.h"

#include "consensus/hash.h"
#include "consensus/limits.h"
#include "consensus/merkle.h"
#include "consensus/pow.h"
#include "consensus/tx_check.h"

#include <algorithm>
#include <cstring>

namespace consensus {

ValidationResult CheckBlockHeader(const BlockHeader& header, const ConsensusParams& params, bool check_pow)
{
    if (check_pow && !CheckProofOfWork(header.GetHash(), header.bits, params)) {
        return ValidationResult::Invalid(BlockValidationResult::INVALID_HEADER, "high-hash", "proof of work failed");
    }
    return ValidationResult::Valid();
}

ValidationResult CheckBlock(const Block& block, const ConsensusParams& params, bool check_pow, bool check_merkle)
{
    if (auto r = CheckBlockHeader(block, params, check_pow); !r.IsValid()) return r;
    // BIP-325: on a signet the block must solve the network's challenge.
    if (params.signet_blocks && check_pow && !CheckSignetBlockSolution(block, params)) {
        return ValidationResult::Invalid(BlockValidationResult::CONSENSUS, "bad-signet-blksig",
                                         "signet block signature validation failure");
    }

    if (check_merkle) {
        bool mutated = false;
        const Uint256 root = BlockMerkleRoot(block, &mutated);
        if (block.merkle_root != root)
            return ValidationResult::Invalid(BlockValidationResult::MUTATED, "bad-txnmrklroot",
                                             "hashMerkleRoot mismatch");
        // CVE-2012-2459: a transaction list with a duplicated tail has the same root as the
        // honest one; reject it without marking the (valid) block hash as invalid.
        if (mutated)
            return ValidationResult::Invalid(BlockValidationResult::MUTATED, "bad-txns-duplicate",
                                             "duplicate transaction");
    }

    // Size limits. Witness data is checked against the weight limit later, in context.
    if (block.vtx.empty() || block.vtx.size() * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT ||
        GetBlockStrippedSize(block) * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
        return ValidationResult::Invalid(BlockValidationResult::CONSENSUS, "bad-blk-length", "size limits failed");
    }

    if (!block.vtx[0]->IsCoinBase())
        return ValidationResult::Invalid(BlockValidationResult::CONSENSUS, "bad-cb-missing",
                                         "first tx is not coinbase");
    for (size_t i = 1; i < block.vtx.size(); ++i) {
        if (block.vtx[i]->IsCoinBase())
            return ValidationResult::Invalid(BlockValidationResult::CONSENSUS, "bad-cb-multiple",
                                             "more than one coinbase");
    }

    for (const auto& tx : block.vtx) {
        const ValidationResult r = CheckTransaction(*tx);
        if (!r.IsValid()) {
            return ValidationResult::Invalid(BlockValidationResult::CONSENSUS, r.GetRejectReason(),
                                             "Transaction check failed (tx hash " + tx->GetTxid().GetHex() + ") " +
                                                 r.GetDebugMessage());
        }
    }

    uint64_t sigops = 0;
    for (const auto& tx : block.vtx) sigops += GetLegacySigOpCount(*tx);
    if (sigops * WITNESS_SCALE_FACTOR > static_cast<uint64_t>(MAX_BLOCK_SIGOPS_COST)) {
        return ValidationResult::Invalid(BlockValidationResult::CONSENSUS, "bad-blk-sigops",
                                         "out-of-bounds SigOpCount");
    }
    return ValidationResult::Valid();
}

int GetWitnessCommitmentIndex(const Block& block)
{
    int pos = NO_WITNESS_COMMITMENT;
    if (block.vtx.empty()) return pos;
    const auto& vout = block.vtx[0]->vout;
    for (size_t o = 0; o < vout.size(); ++o) {
        const Script& spk = vout[o].script_pubkey;
        if (spk.size() >= MINIMUM_WITNESS_COMMITMENT && spk[0] == OP_RETURN && spk[1] == 0x24 &&
            std::memcmp(spk.data() + 2, WITNESS_COMMITMENT_HEADER, 4) == 0) {
            pos = static_cast<int>(o);
        }
    }
    return pos;
}

namespace {

// SHA256d(witness merkle root || nonce): the value a commitment output carries.
Uint256 WitnessCommitmentHash(const Block& block, std::span<const uint8_t> nonce)
{
    const Uint256 root = BlockWitnessMerkleRoot(block);
    HashWriter hw;
    hw.Write(root.Span());
    hw.Write(nonce);
    return hw.GetHash();
}

} // namespace

ValidationResult CheckWitnessCommitment(const Block& block, bool segwit_active)
{
    if (segwit_active) {
        const int pos = GetWitnessCommitmentIndex(block);
        if (pos != NO_WITNESS_COMMITMENT) {
            // pos exists only if vtx[0] exists; a coinbase has exactly one input after CheckBlock.
            const auto& coinbase = *block.vtx[0];
            if (coinbase.vin.empty() || coinbase.vin[0].witness.stack.size() != 1 ||
                coinbase.vin[0].witness.stack[0].size() != 32) {
                return ValidationResult::Invalid(BlockValidationResult::MUTATED, "bad-witness-nonce-size",
                                                 "invalid witness reserved value size");
            }
            const Uint256 expected = WitnessCommitmentHash(block, coinbase.vin[0].witness.stack[0]);
            const Script& spk = coinbase.vout[static_cast<size_t>(pos)].script_pubkey;
            if (std::memcmp(expected.data(), spk.data() + 6, 32) != 0) {
                return ValidationResult::Invalid(BlockValidationResult::MUTATED, "bad-witness-merkle-match",
                                                 "witness merkle commitment mismatch");
            }
            return ValidationResult::Valid();
        }
    }
    // Without a commitment (or before segwit) witness data would be uncommitted space for spam.
    for (const auto& tx : block.vtx) {
        if (tx->HasWitness())
            return ValidationResult::Invalid(BlockValidationResult::MUTATED, "unexpected-witness",
                                             "unexpected witness data found");
    }
    return ValidationResult::Valid();
}

std::vector<uint8_t> GenerateCoinbaseCommitment(Block& block)
{
    const int pos = GetWitnessCommitmentIndex(block);
    MutableTransaction coinbase(*block.vtx.at(0));
    // The witness reserved value (BIP-141): keep a miner-chosen 32-byte value, else 32 zero bytes.
    std::vector<uint8_t> nonce(32, 0);
    const bool has_nonce = !coinbase.vin.empty() && coinbase.vin[0].witness.stack.size() == 1 &&
                           coinbase.vin[0].witness.stack[0].size() == 32;
    if (has_nonce) nonce = coinbase.vin[0].witness.stack[0];
    std::vector<uint8_t> commitment;
    if (pos == NO_WITNESS_COMMITMENT) {
        const Uint256 hash = WitnessCommitmentHash(block, nonce);
        Script spk;
        spk.reserve(MINIMUM_WITNESS_COMMITMENT);
        spk.push_back(OP_RETURN);
        spk.push_back(0x24);
        spk.insert(spk.end(), std::begin(WITNESS_COMMITMENT_HEADER), std::end(WITNESS_COMMITMENT_HEADER));
        spk.insert(spk.end(), hash.begin(), hash.end());
        commitment.assign(spk.begin(), spk.end());
        coinbase.vout.emplace_back(Amount{0}, std::move(spk));
    } else {
        const Script& spk = coinbase.vout[static_cast<size_t>(pos)].script_pubkey;
        commitment.assign(spk.begin(), spk.end());
    }
    if (!coinbase.vin.empty() && coinbase.vin[0].witness.IsNull()) coinbase.vin[0].witness.stack.push_back(nonce);
    block.vtx[0] = MakeTransactionRef(std::move(coinbase));
    return commitment;
}

} // namespace consensus
