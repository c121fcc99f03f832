// VerifyScript: the spending rules around EvalScript — scriptSig then scriptPubKey,
// P2SH (BIP-16), segwit v0 programs (BIP-141/143), taproot key and script paths
// (BIP-341/342) — and the transaction signature checker.
#include "consensus/hash.h"
#include "consensus/script/interpreter.h"
#include "consensus/script/pubkey.h"
#include "consensus/script/script_eval_util.h"

#include <algorithm>

namespace consensus {

namespace {

using Bytes = std::vector<uint8_t>;
using Stack = std::vector<Bytes>;

// Pay-to-anchor: witness v1 with the 2-byte program 0x4e73 (spendable by anyone, standard).
bool IsPayToAnchor(int version, const Bytes& program)
{
    return version == 1 && program.size() == 2 && program[0] == 0x4e && program[1] == 0x73;
}

bool ExecuteWitnessScript(std::span<const Bytes> stack_span, const Script& exec_script, uint32_t flags,
                          SigVersion sigversion, const BaseSignatureChecker& checker, ScriptExecutionData& execdata,
                          ScriptError* serror)
{
    Stack stack(stack_span.begin(), stack_span.end());
    if (sigversion == SigVersion::TAPSCRIPT) {
        // BIP-342: an OP_SUCCESSx anywhere makes the script succeed, before any other rule.
        Script::const_iterator pc = exec_script.begin();
        while (pc < exec_script.end()) {
            Opcode op;
            if (!exec_script.GetOp(pc, op)) return SetError(serror, ScriptError::BAD_OPCODE);
            if (IsOpSuccess(op)) {
                if (flags & SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS) {
                    return SetError(serror, ScriptError::DISCOURAGE_OP_SUCCESS);
                }
                return SetSuccess(serror);
            }
        }
        if (stack.size() > MAX_STACK_SIZE) return SetError(serror, ScriptError::STACK_SIZE);
    }
    for (const Bytes& elem : stack) {
        if (elem.size() > MAX_SCRIPT_ELEMENT_SIZE) return SetError(serror, ScriptError::PUSH_SIZE);
    }
    if (!EvalScript(stack, exec_script, flags, checker, sigversion, execdata, serror)) return false;
    // Witness scripts must leave exactly one true element.
    if (stack.size() != 1) return SetError(serror, ScriptError::CLEANSTACK);
    if (!CastToBool(stack.back())) return SetError(serror, ScriptError::EVAL_FALSE);
    return true;
}

/**
 * The implied script of a P2WPKH spend, OP_DUP OP_HASH160 <program> OP_EQUALVERIFY
 * OP_CHECKSIG, on the witness stack [sig, pubkey], without the interpreter's stack
 * copies: every step fails exactly where and as ExecuteWitnessScript running that
 * script would (element size, EQUALVERIFY, the CHECKSIG encoding and NULLFAIL rules,
 * then a false result as EVAL_FALSE). Tested against the generic path in
 * tests/unit/script/p2wpkh_tests.cpp and by every vector with P2WPKH spends.
 */
bool ExecuteP2wpkh(const Bytes& sig, const Bytes& pubkey, const Bytes& program, uint32_t flags,
                   const BaseSignatureChecker& checker, ScriptError* serror)
{
    if (sig.size() > MAX_SCRIPT_ELEMENT_SIZE || pubkey.size() > MAX_SCRIPT_ELEMENT_SIZE) {
        return SetError(serror, ScriptError::PUSH_SIZE);
    }
    const Uint160 hash = Hash160(pubkey);
    if (!std::equal(hash.begin(), hash.end(), program.begin(), program.end())) {
        return SetError(serror, ScriptError::EQUALVERIFY);
    }
    // The script code BIP-143 signs is the implied script itself.
    Script script_code;
    script_code << OP_DUP << OP_HASH160 << program << OP_EQUALVERIFY << OP_CHECKSIG;
    bool success = false;
    // Segwit v0 does no FindAndDelete, so the implied script is signed as it stands.
    if (!EvalChecksigScriptCode(sig, pubkey, script_code, flags, checker, SigVersion::WITNESS_V0, serror, success)) {
        return false;
    }
    if (!success) return SetError(serror, ScriptError::EVAL_FALSE);
    return SetSuccess(serror);
}

bool VerifyTaprootCommitment(const Bytes& control, const Bytes& program, const Uint256& tapleaf_hash)
{
    const std::span<const uint8_t> internal(control.data() + 1, TAPROOT_CONTROL_BASE_SIZE - 1);
    const Uint256 merkle_root = ComputeTaprootMerkleRoot(control, tapleaf_hash);
    return CheckTapTweak(program, internal, merkle_root, control[0] & 1);
}

size_t WitnessStackSerializedSize(const ScriptWitness& witness)
{
    size_t n = CompactSizeLen(witness.stack.size());
    for (const auto& item : witness.stack) n += CompactSizeLen(item.size()) + item.size();
    return n;
}

bool VerifyWitnessProgram(const ScriptWitness& witness, int version, const Bytes& program, uint32_t flags,
                          const BaseSignatureChecker& checker, ScriptError* serror, bool is_p2sh)
{
    std::span<const Bytes> stack(witness.stack);
    ScriptExecutionData execdata;

    if (version == 0) {
        if (program.size() == WITNESS_V0_SCRIPTHASH_SIZE) {
            // BIP-141 P2WSH: the last witness item is the script, its SHA-256 the program.
            if (stack.empty()) return SetError(serror, ScriptError::WITNESS_PROGRAM_WITNESS_EMPTY);
            const Bytes& script_bytes = stack.back();
            stack = stack.first(stack.size() - 1);
            const Script exec_script(script_bytes);
            const Uint256 h = Sha256Hash(exec_script);
            if (!std::equal(h.begin(), h.end(), program.begin())) {
                return SetError(serror, ScriptError::WITNESS_PROGRAM_MISMATCH);
            }
            return ExecuteWitnessScript(stack, exec_script, flags, SigVersion::WITNESS_V0, checker, execdata, serror);
        }
        if (program.size() == WITNESS_V0_KEYHASH_SIZE) {
            // BIP-141 P2WPKH: exactly [sig, pubkey], run as the implied P2PKH script.
            if (stack.size() != 2) return SetError(serror, ScriptError::WITNESS_PROGRAM_MISMATCH);
            return ExecuteP2wpkh(stack[0], stack[1], program, flags, checker, serror);
        }
        return SetError(serror, ScriptError::WITNESS_PROGRAM_WRONG_LENGTH);
    }

    if (version == 1 && program.size() == WITNESS_V1_TAPROOT_SIZE && !is_p2sh) {
        // BIP-341 taproot.
        if (!(flags & SCRIPT_VERIFY_TAPROOT)) return SetSuccess(serror);
        if (stack.empty()) return SetError(serror, ScriptError::WITNESS_PROGRAM_WITNESS_EMPTY);
        if (stack.size() >= 2 && !stack.back().empty() && stack.back()[0] == ANNEX_TAG) {
            // The annex: committed to by signatures, otherwise ignored.
            HashWriter hw;
            WriteBytes(hw, stack.back());
            execdata.m_annex_hash = hw.GetSha256();
            execdata.m_annex_present = true;
            stack = stack.first(stack.size() - 1);
        } else {
            execdata.m_annex_present = false;
        }
        execdata.m_annex_init = true;
        if (stack.size() == 1) {
            // Key path: a single signature for the output key.
            if (!checker.CheckSchnorrSignature(stack.front(), program, SigVersion::TAPROOT, execdata, serror)) {
                return false;
            }
            return SetSuccess(serror);
        }
        // Script path: [args...] script control_block.
        const Bytes& control = stack.back();
        const Bytes& script = stack[stack.size() - 2];
        stack = stack.first(stack.size() - 2);
        if (control.size() < TAPROOT_CONTROL_BASE_SIZE || control.size() > TAPROOT_CONTROL_MAX_SIZE ||
            (control.size() - TAPROOT_CONTROL_BASE_SIZE) % TAPROOT_CONTROL_NODE_SIZE != 0) {
            return SetError(serror, ScriptError::TAPROOT_WRONG_CONTROL_SIZE);
        }
        execdata.m_tapleaf_hash = ComputeTapleafHash(control[0] & TAPROOT_LEAF_MASK, script);
        if (!VerifyTaprootCommitment(control, program, execdata.m_tapleaf_hash)) {
            return SetError(serror, ScriptError::WITNESS_PROGRAM_MISMATCH);
        }
        execdata.m_tapleaf_hash_init = true;
        if ((control[0] & TAPROOT_LEAF_MASK) == TAPROOT_LEAF_TAPSCRIPT) {
            // BIP-342 tapscript; the sigops budget is 50 + the witness's serialized size.
            const Script exec_script(script);
            execdata.m_validation_weight_left =
                static_cast<int64_t>(WitnessStackSerializedSize(witness)) + VALIDATION_WEIGHT_OFFSET;
            execdata.m_validation_weight_left_init = true;
            return ExecuteWitnessScript(stack, exec_script, flags, SigVersion::TAPSCRIPT, checker, execdata, serror);
        }
        if (flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION) {
            return SetError(serror, ScriptError::DISCOURAGE_UPGRADABLE_TAPROOT_VERSION);
        }
        return SetSuccess(serror);
    }

    if (!is_p2sh && IsPayToAnchor(version, program)) return SetSuccess(serror);

    // Unknown versions and sizes are anyone-can-spend, kept for future soft forks.
    if (flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM) {
        return SetError(serror, ScriptError::DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM);
    }
    return SetSuccess(serror);
}

size_t WitnessSigOps(int version, const Bytes& program, const ScriptWitness& witness)
{
    if (version == 0) {
        if (program.size() == WITNESS_V0_KEYHASH_SIZE) return 1;
        if (program.size() == WITNESS_V0_SCRIPTHASH_SIZE && !witness.stack.empty()) {
            const Script subscript(witness.stack.back());
            return subscript.GetSigOpCount(true);
        }
    }
    return 0;
}

} // namespace

bool IsOpSuccess(uint8_t op)
{
    // BIP-342: 80, 98, 126-129, 131-134, 137-138, 141-142, 149-153, 187-254.
    return op == 80 || op == 98 || (op >= 126 && op <= 129) || (op >= 131 && op <= 134) || (op >= 137 && op <= 138) ||
           (op >= 141 && op <= 142) || (op >= 149 && op <= 153) || (op >= 187 && op <= 254);
}

Uint256 ComputeTapleafHash(uint8_t leaf_version, std::span<const uint8_t> script)
{
    static const HashWriter HASHER_TAPLEAF = TaggedHash("TapLeaf");
    HashWriter hw = HASHER_TAPLEAF;
    WriteLE8(hw, leaf_version);
    WriteBytes(hw, script);
    return hw.GetSha256();
}

Uint256 ComputeTapbranchHash(std::span<const uint8_t> a, std::span<const uint8_t> b)
{
    static const HashWriter HASHER_TAPBRANCH = TaggedHash("TapBranch");
    HashWriter hw = HASHER_TAPBRANCH;
    if (std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end())) {
        hw.Write(a);
        hw.Write(b);
    } else {
        hw.Write(b);
        hw.Write(a);
    }
    return hw.GetSha256();
}

Uint256 ComputeTaprootMerkleRoot(std::span<const uint8_t> control, const Uint256& tapleaf_hash)
{
    const size_t path_len = (control.size() - TAPROOT_CONTROL_BASE_SIZE) / TAPROOT_CONTROL_NODE_SIZE;
    Uint256 k = tapleaf_hash;
    for (size_t i = 0; i < path_len; ++i) {
        k = ComputeTapbranchHash(k.Span(), control.subspan(TAPROOT_CONTROL_BASE_SIZE + TAPROOT_CONTROL_NODE_SIZE * i,
                                                           TAPROOT_CONTROL_NODE_SIZE));
    }
    return k;
}

bool VerifyScript(const Script& script_sig, const Script& script_pubkey, const ScriptWitness* witness, uint32_t flags,
                  const BaseSignatureChecker& checker, ScriptError* serror)
{
    static const ScriptWitness empty_witness;
    if (witness == nullptr) witness = &empty_witness;
    bool had_witness = false;
    SetError(serror, ScriptError::UNKNOWN_ERROR);

    // Flag combinations that are not soft forks of each other are refused outright.
    if ((flags & SCRIPT_VERIFY_WITNESS) && !(flags & SCRIPT_VERIFY_P2SH)) return false;
    if ((flags & SCRIPT_VERIFY_CLEANSTACK) && !(flags & SCRIPT_VERIFY_WITNESS)) return false;

    if ((flags & SCRIPT_VERIFY_SIGPUSHONLY) != 0 && !script_sig.IsPushOnly()) {
        return SetError(serror, ScriptError::SIG_PUSHONLY);
    }

    int version;
    Bytes program;
    if ((flags & SCRIPT_VERIFY_WITNESS) && script_sig.empty() && script_pubkey.IsWitnessProgram(version, program)) {
        // A native witness spend, the common case, without the interpreter: the empty
        // scriptSig leaves an empty stack, the program's two minimal pushes leave
        // [version, program], which must be true; then the witness program is verified
        // and leaves one item. P2SH cannot match (a program does not start with
        // OP_HASH160) and CLEANSTACK and WITNESS_UNEXPECTED are then satisfied: exactly
        // what the general path below concludes for this input.
        if (!CastToBool(program)) return SetError(serror, ScriptError::EVAL_FALSE);
        if (!VerifyWitnessProgram(*witness, version, program, flags, checker, serror, false)) return false;
        return SetSuccess(serror);
    }

    // scriptSig and scriptPubKey run in sequence on one stack, never concatenated (CVE-2010-5141).
    Stack stack, stack_copy;
    if (!EvalScript(stack, script_sig, flags, checker, SigVersion::BASE, serror)) return false;
    if (flags & SCRIPT_VERIFY_P2SH) stack_copy = stack;
    if (!EvalScript(stack, script_pubkey, flags, checker, SigVersion::BASE, serror)) return false;
    if (stack.empty() || !CastToBool(stack.back())) return SetError(serror, ScriptError::EVAL_FALSE);

    if ((flags & SCRIPT_VERIFY_WITNESS) && script_pubkey.IsWitnessProgram(version, program)) {
        // Native witness program: the scriptSig must be empty (no malleability).
        had_witness = true;
        if (!script_sig.empty()) return SetError(serror, ScriptError::WITNESS_MALLEATED);
        if (!VerifyWitnessProgram(*witness, version, program, flags, checker, serror, false)) return false;
        stack.resize(1); // witness evaluation leaves its own clean stack
    }

    if ((flags & SCRIPT_VERIFY_P2SH) && script_pubkey.IsPayToScriptHash()) {
        // BIP-16: the scriptSig must be push-only; its last push is the redeem script.
        if (!script_sig.IsPushOnly()) return SetError(serror, ScriptError::SIG_PUSHONLY);
        std::swap(stack, stack_copy);
        if (stack.empty()) return SetError(serror, ScriptError::EVAL_FALSE); // unreachable: HASH160 needed an item
        const Bytes redeem_bytes = std::move(stack.back());
        stack.pop_back();
        const Script redeem(redeem_bytes);
        if (!EvalScript(stack, redeem, flags, checker, SigVersion::BASE, serror)) return false;
        if (stack.empty() || !CastToBool(stack.back())) return SetError(serror, ScriptError::EVAL_FALSE);

        if ((flags & SCRIPT_VERIFY_WITNESS) && redeem.IsWitnessProgram(version, program)) {
            // P2SH-wrapped witness program: the scriptSig must be exactly one push of it.
            had_witness = true;
            Script expected;
            expected << redeem_bytes;
            if (script_sig != expected) return SetError(serror, ScriptError::WITNESS_MALLEATED_P2SH);
            if (!VerifyWitnessProgram(*witness, version, program, flags, checker, serror, true)) return false;
            stack.resize(1);
        }
    }

    // CLEANSTACK comes after P2SH and witness evaluation, which legitimately leave items.
    if ((flags & SCRIPT_VERIFY_CLEANSTACK) != 0 && stack.size() != 1) {
        return SetError(serror, ScriptError::CLEANSTACK);
    }
    if ((flags & SCRIPT_VERIFY_WITNESS) && !had_witness && !witness->IsNull()) {
        return SetError(serror, ScriptError::WITNESS_UNEXPECTED);
    }
    return SetSuccess(serror);
}

size_t CountWitnessSigOps(const Script& script_sig, const Script& script_pubkey, const ScriptWitness* witness,
                          uint32_t flags)
{
    static const ScriptWitness empty_witness;
    if ((flags & SCRIPT_VERIFY_WITNESS) == 0) return 0;
    const ScriptWitness& wit = witness ? *witness : empty_witness;
    int version;
    Bytes program;
    if (script_pubkey.IsWitnessProgram(version, program)) return WitnessSigOps(version, program, wit);
    if (script_pubkey.IsPayToScriptHash() && script_sig.IsPushOnly()) {
        Script::const_iterator pc = script_sig.begin();
        Bytes data;
        while (pc < script_sig.end()) {
            Opcode op;
            script_sig.GetOp(pc, op, &data);
        }
        const Script subscript(data);
        if (subscript.IsWitnessProgram(version, program)) return WitnessSigOps(version, program, wit);
    }
    return 0;
}

// ---- The transaction signature checker ----

template <typename T>
bool GenericTransactionSignatureChecker<T>::CheckECDSASignature(const std::vector<uint8_t>& sig_in,
                                                                const std::vector<uint8_t>& pubkey,
                                                                const Script& script_code, SigVersion sigversion) const
{
    if (!IsPlausiblePubKey(pubkey)) return false;
    if (sig_in.empty()) return false;
    const int hash_type = sig_in.back();
    const std::span<const uint8_t> sig(sig_in.data(), sig_in.size() - 1);
    // Segwit sighashes commit to the amount.
    if (sigversion == SigVersion::WITNESS_V0 && m_amount.sats < 0) return false;
    const Uint256 sighash = SignatureHash(script_code, *m_tx, m_in, hash_type, m_amount, sigversion, m_txdata);
    return VerifyEcdsa(pubkey, sig, sighash);
}

template <typename T>
bool GenericTransactionSignatureChecker<T>::CheckSchnorrSignature(std::span<const uint8_t> sig,
                                                                  std::span<const uint8_t> pubkey,
                                                                  SigVersion sigversion, ScriptExecutionData& execdata,
                                                                  ScriptError* serror) const
{
    // BIP-341: 64 bytes (SIGHASH_DEFAULT) or 65 with an explicit, non-zero hash type.
    if (sig.size() != 64 && sig.size() != 65) return SetError(serror, ScriptError::SCHNORR_SIG_SIZE);
    uint8_t hash_type = SIGHASH_DEFAULT;
    if (sig.size() == 65) {
        hash_type = sig.back();
        sig = sig.first(64);
        if (hash_type == SIGHASH_DEFAULT) return SetError(serror, ScriptError::SCHNORR_SIG_HASHTYPE);
    }
    if (!m_txdata) return SetError(serror, ScriptError::SCHNORR_SIG);
    Uint256 sighash;
    if (!SignatureHashSchnorr(sighash, execdata, *m_tx, m_in, hash_type, sigversion, *m_txdata, m_mdb)) {
        return SetError(serror, ScriptError::SCHNORR_SIG_HASHTYPE);
    }
    if (!VerifySchnorr(pubkey, sig, sighash.Span())) return SetError(serror, ScriptError::SCHNORR_SIG);
    return true;
}

template <typename T>
bool GenericTransactionSignatureChecker<T>::CheckLockTime(const ScriptNum& locktime) const
{
    // BIP-65: same kind (height or time) as the transaction's nLockTime, not above it,
    // and the input must not be final (or nLockTime would be ignored).
    const int64_t tx_locktime = m_tx->locktime;
    const bool both_heights = tx_locktime < LOCKTIME_THRESHOLD && locktime < LOCKTIME_THRESHOLD;
    const bool both_times = tx_locktime >= LOCKTIME_THRESHOLD && locktime >= LOCKTIME_THRESHOLD;
    if (!both_heights && !both_times) return false;
    if (locktime.GetInt64() > tx_locktime) return false;
    if (m_tx->vin[m_in].sequence == TxIn::SEQUENCE_FINAL) return false;
    return true;
}

template <typename T>
bool GenericTransactionSignatureChecker<T>::CheckSequence(const ScriptNum& sequence) const
{
    // BIP-112: compare against this input's BIP-68 relative lock-time, same unit, not above it.
    const int64_t tx_sequence = m_tx->vin[m_in].sequence;
    if (m_tx->version < 2) return false;
    if (tx_sequence & TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG) return false;
    const uint32_t mask = TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG | TxIn::SEQUENCE_LOCKTIME_MASK;
    const int64_t tx_masked = tx_sequence & mask;
    const int64_t op_masked = sequence.GetInt64() & mask;
    const bool both_blocks =
        tx_masked < TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG && op_masked < TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG;
    const bool both_times =
        tx_masked >= TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG && op_masked >= TxIn::SEQUENCE_LOCKTIME_TYPE_FLAG;
    if (!both_blocks && !both_times) return false;
    return op_masked <= tx_masked;
}

template class GenericTransactionSignatureChecker<Transaction>;
template class GenericTransactionSignatureChecker<MutableTransaction>;

} // namespace consensus
