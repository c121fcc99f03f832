#include "consensus/signet.h"

#include "consensus/block_check.h"
#include "consensus/merkle.h"
#include "consensus/script/interpreter.h"

#include <algorithm>
#include <optional>

namespace consensus {

namespace {

constexpr uint32_t SIGNET_SCRIPT_FLAGS =
    SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS | SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_NULLDUMMY;

/**
 * Finds the first push in script that starts with header and has more data after it,
 * moves that data to result and leaves only the header in the push. False if none.
 */
bool FetchAndClearCommitmentSection(Script& script, std::vector<uint8_t>& result)
{
    Script replacement;
    bool found = false;
    result.clear();
    Script::const_iterator pc = script.begin();
    Opcode op;
    std::vector<uint8_t> data;
    while (script.GetOp(pc, op, &data)) {
        if (!data.empty()) {
            if (!found && data.size() > sizeof(SIGNET_HEADER) &&
                std::equal(std::begin(SIGNET_HEADER), std::end(SIGNET_HEADER), data.begin())) {
                result.assign(data.begin() + sizeof(SIGNET_HEADER), data.end());
                data.resize(sizeof(SIGNET_HEADER));
                found = true;
            }
            replacement << data;
        } else {
            replacement << op;
        }
    }
    if (found) script = std::move(replacement);
    return found;
}

} // namespace

bool CheckSignetBlockSolution(const Block& block, const ConsensusParams& params)
{
    if (block.GetHash() == params.hash_genesis_block) return true;
    if (block.vtx.empty()) return false;
    const int cidx = GetWitnessCommitmentIndex(block);
    if (cidx == NO_WITNESS_COMMITMENT) return false;

    // The solution (scriptSig, witness) lives in the commitment; the rest of the block,
    // with the solution removed, is what the challenge signs.
    MutableTransaction modified_cb(*block.vtx[0]);
    Script& commitment = modified_cb.vout[cidx].script_pubkey;
    MutableTransaction to_sign;
    to_sign.version = 0;
    to_sign.locktime = 0;
    to_sign.vin.resize(1);
    to_sign.vin[0].sequence = 0;
    to_sign.vout.emplace_back(Amount{0}, Script() << OP_RETURN);
    std::vector<uint8_t> solution;
    if (FetchAndClearCommitmentSection(commitment, solution)) {
        try {
            ByteReader r(solution);
            to_sign.vin[0].script_sig = Script::Deserialize(r);
            to_sign.vin[0].witness = ScriptWitness::Deserialize(r);
            if (!r.Empty()) return false;
        } catch (const DecodeError&) {
            return false;
        }
    }
    // No solution at all is allowed: a trivial challenge such as OP_TRUE needs none.

    std::vector<Uint256> leaves;
    leaves.push_back(modified_cb.GetTxid());
    for (size_t i = 1; i < block.vtx.size(); ++i) leaves.push_back(block.vtx[i]->GetTxid());
    const Uint256 signet_merkle = ComputeMerkleRoot(std::move(leaves));

    std::vector<uint8_t> block_data;
    ByteWriter w(block_data);
    WriteLE32(w, static_cast<uint32_t>(block.version));
    w.Write(block.prev_block.Span());
    w.Write(signet_merkle.Span());
    WriteLE32(w, block.time);

    MutableTransaction to_spend;
    to_spend.version = 0;
    to_spend.locktime = 0;
    to_spend.vin.resize(1);
    to_spend.vin[0].sequence = 0;
    to_spend.vin[0].script_sig << OP_0 << block_data;
    to_spend.vout.emplace_back(Amount{0}, Script(params.signet_challenge));
    to_sign.vin[0].prevout = OutPoint(to_spend.GetTxid(), 0);

    PrecomputedTransactionData txdata;
    txdata.Init(to_sign, {to_spend.vout[0]});
    const MutableTransactionSignatureChecker checker(&to_sign, 0, to_spend.vout[0].value, txdata,
                                                     MissingDataBehavior::ASSERT_FAIL);
    return VerifyScript(to_sign.vin[0].script_sig, to_spend.vout[0].script_pubkey, &to_sign.vin[0].witness,
                        SIGNET_SCRIPT_FLAGS, checker);
}

} // namespace consensus
