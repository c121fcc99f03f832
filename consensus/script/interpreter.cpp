// EvalScript: executes one script on a stack, opcode by opcode, with Bitcoin's exact
// semantics and limits for legacy, segwit v0 and tapscript (BIP-342) execution.
#include "consensus/script/interpreter.h"

#include "consensus/hash.h"
#include "consensus/script/pubkey.h"
#include "consensus/script/script_eval_util.h"

#include <algorithm>

namespace consensus {

namespace {

using Bytes = std::vector<uint8_t>;
using Stack = std::vector<Bytes>;

const Bytes VCH_FALSE;
const Bytes VCH_TRUE(1, 1);

/**
 * The IF/ELSE/ENDIF nesting state, kept as a depth and the position of the first false
 * entry, so that checking "are we executing?" is O(1) however deep the nesting (a script
 * of nested IFs would otherwise be quadratic).
 */
class ConditionStack {
public:
    bool Empty() const { return m_size == 0; }
    bool AllTrue() const { return m_first_false == NO_FALSE; }
    void PushBack(bool v)
    {
        if (m_first_false == NO_FALSE && !v) m_first_false = m_size;
        ++m_size;
    }
    void PopBack()
    {
        --m_size;
        if (m_first_false == m_size) m_first_false = NO_FALSE;
    }
    void ToggleTop()
    {
        if (m_first_false == NO_FALSE) {
            m_first_false = m_size - 1;
        } else if (m_first_false == m_size - 1) {
            m_first_false = NO_FALSE;
        }
        // Otherwise an earlier entry is false and toggling the top changes nothing.
    }

private:
    static constexpr uint32_t NO_FALSE = 0xffffffff;
    uint32_t m_size{0};
    uint32_t m_first_false{NO_FALSE};
};

bool CheckMinimalPush(const Bytes& data, Opcode op)
{
    if (data.empty()) return op == OP_0;
    if (data.size() == 1 && data[0] >= 1 && data[0] <= 16) return false; // OP_1..OP_16
    if (data.size() == 1 && data[0] == 0x81) return false;               // OP_1NEGATE
    if (data.size() <= 75) return op == data.size();
    if (data.size() <= 255) return op == OP_PUSHDATA1;
    if (data.size() <= 65535) return op == OP_PUSHDATA2;
    return true;
}

bool IsDefinedHashtypeSignature(const Bytes& sig)
{
    if (sig.empty()) return false;
    const uint8_t type = sig.back() & ~SIGHASH_ANYONECANPAY;
    return type >= SIGHASH_ALL && type <= SIGHASH_SINGLE;
}

bool CheckSignatureEncoding(const Bytes& sig, uint32_t flags, ScriptError* serror)
{
    // An empty signature is a compact, always-failing signature and is always allowed.
    if (sig.empty()) return true;
    if ((flags & (SCRIPT_VERIFY_DERSIG | SCRIPT_VERIFY_LOW_S | SCRIPT_VERIFY_STRICTENC)) != 0 &&
        !IsValidSignatureEncoding(sig)) {
        return SetError(serror, ScriptError::SIG_DER);
    }
    if ((flags & SCRIPT_VERIFY_LOW_S) != 0) {
        if (!IsLowDERSignature(std::span<const uint8_t>(sig.data(), sig.size() - 1))) {
            return SetError(serror, ScriptError::SIG_HIGH_S);
        }
    }
    if ((flags & SCRIPT_VERIFY_STRICTENC) != 0 && !IsDefinedHashtypeSignature(sig)) {
        return SetError(serror, ScriptError::SIG_HASHTYPE);
    }
    return true;
}

bool IsCompressedOrUncompressedPubKey(const Bytes& key)
{
    if (key.size() < 33) return false;
    if (key[0] == 0x04) return key.size() == 65;
    if (key[0] == 0x02 || key[0] == 0x03) return key.size() == 33;
    return false;
}

bool IsCompressedPubKey(const Bytes& key) { return key.size() == 33 && (key[0] == 0x02 || key[0] == 0x03); }

bool CheckPubKeyEncoding(const Bytes& key, uint32_t flags, SigVersion sigversion, ScriptError* serror)
{
    if ((flags & SCRIPT_VERIFY_STRICTENC) != 0 && !IsCompressedOrUncompressedPubKey(key)) {
        return SetError(serror, ScriptError::PUBKEYTYPE);
    }
    // BIP-143 policy: only compressed keys in segwit v0.
    if ((flags & SCRIPT_VERIFY_WITNESS_PUBKEYTYPE) != 0 && sigversion == SigVersion::WITNESS_V0 &&
        !IsCompressedPubKey(key)) {
        return SetError(serror, ScriptError::WITNESS_PUBKEYTYPE);
    }
    return true;
}

bool EvalChecksigTapscript(const Bytes& sig, const Bytes& pubkey, ScriptExecutionData& execdata, uint32_t flags,
                           const BaseSignatureChecker& checker, SigVersion sigversion, ScriptError* serror,
                           bool& success)
{
    // BIP-342, in this consensus-critical order: the validation-weight budget is charged
    // for every non-empty signature (even with an unknown key type), an empty key fails,
    // a 32-byte key must verify, other key sizes are upgradable and succeed.
    success = !sig.empty();
    if (success) {
        execdata.m_validation_weight_left -= VALIDATION_WEIGHT_PER_SIGOP_PASSED;
        if (execdata.m_validation_weight_left < 0) {
            return SetError(serror, ScriptError::TAPSCRIPT_VALIDATION_WEIGHT);
        }
    }
    if (pubkey.empty()) {
        return SetError(serror, ScriptError::TAPSCRIPT_EMPTY_PUBKEY);
    } else if (pubkey.size() == 32) {
        if (success && !checker.CheckSchnorrSignature(sig, pubkey, sigversion, execdata, serror)) {
            return false;
        }
    } else if ((flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE) != 0) {
        return SetError(serror, ScriptError::DISCOURAGE_UPGRADABLE_PUBKEYTYPE);
    }
    return true;
}

bool EvalChecksig(const Bytes& sig, const Bytes& pubkey, Script::const_iterator code_begin,
                  Script::const_iterator code_end, ScriptExecutionData& execdata, uint32_t flags,
                  const BaseSignatureChecker& checker, SigVersion sigversion, ScriptError* serror, bool& success)
{
    switch (sigversion) {
    case SigVersion::BASE:
    case SigVersion::WITNESS_V0:
        return EvalChecksigPreTapscript(sig, pubkey, code_begin, code_end, flags, checker, sigversion, serror, success);
    case SigVersion::TAPSCRIPT:
        return EvalChecksigTapscript(sig, pubkey, execdata, flags, checker, sigversion, serror, success);
    case SigVersion::TAPROOT: break;
    }
    return SetError(serror, ScriptError::UNKNOWN_ERROR);
}

bool IsDisabledOpcode(Opcode op)
{
    // CVE-2010-5137: splicing, bitwise and several arithmetic opcodes are disabled everywhere.
    switch (op) {
    case OP_CAT:
    case OP_SUBSTR:
    case OP_LEFT:
    case OP_RIGHT:
    case OP_INVERT:
    case OP_AND:
    case OP_OR:
    case OP_XOR:
    case OP_2MUL:
    case OP_2DIV:
    case OP_MUL:
    case OP_DIV:
    case OP_MOD:
    case OP_LSHIFT:
    case OP_RSHIFT: return true;
    default: return false;
    }
}

} // namespace

bool EvalChecksigPreTapscript(const Bytes& sig, const Bytes& pubkey, Script::const_iterator code_begin,
                              Script::const_iterator code_end, uint32_t flags, const BaseSignatureChecker& checker,
                              SigVersion sigversion, ScriptError* serror, bool& success)
{
    // The signed script starts after the last executed OP_CODESEPARATOR.
    Script script_code(code_begin, code_end);
    // Legacy scripts sign themselves minus the signature (FindAndDelete); segwit does not.
    if (sigversion == SigVersion::BASE) {
        Script pattern;
        pattern << sig;
        const int found = FindAndDelete(script_code, pattern);
        if (found > 0 && (flags & SCRIPT_VERIFY_CONST_SCRIPTCODE)) {
            return SetError(serror, ScriptError::SIG_FINDANDDELETE);
        }
    }
    return EvalChecksigScriptCode(sig, pubkey, script_code, flags, checker, sigversion, serror, success);
}

bool EvalChecksigScriptCode(const Bytes& sig, const Bytes& pubkey, const Script& script_code, uint32_t flags,
                            const BaseSignatureChecker& checker, SigVersion sigversion, ScriptError* serror,
                            bool& success)
{
    if (!CheckSignatureEncoding(sig, flags, serror) || !CheckPubKeyEncoding(pubkey, flags, sigversion, serror)) {
        return false;
    }
    success = checker.CheckECDSASignature(sig, pubkey, script_code, sigversion);
    if (!success && (flags & SCRIPT_VERIFY_NULLFAIL) && !sig.empty()) {
        return SetError(serror, ScriptError::SIG_NULLFAIL);
    }
    return true;
}

bool CastToBool(const std::vector<uint8_t>& v)
{
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] != 0) {
            // Negative zero is false.
            return !(i == v.size() - 1 && v[i] == 0x80);
        }
    }
    return false;
}

bool IsValidSignatureEncoding(const std::vector<uint8_t>& sig)
{
    // BIP-66 strict DER: 0x30 [total-len] 0x02 [R-len] [R] 0x02 [S-len] [S] [hashtype],
    // minimal lengths, positive integers without needless zero padding.
    if (sig.size() < 9 || sig.size() > 73) return false;
    if (sig[0] != 0x30) return false;
    if (sig[1] != sig.size() - 3) return false;
    const unsigned len_r = sig[3];
    if (5 + len_r >= sig.size()) return false;
    const unsigned len_s = sig[5 + len_r];
    if (size_t(len_r + len_s + 7) != sig.size()) return false;
    if (sig[2] != 0x02) return false;
    if (len_r == 0) return false;
    if (sig[4] & 0x80) return false;
    if (len_r > 1 && sig[4] == 0x00 && !(sig[5] & 0x80)) return false;
    if (sig[len_r + 4] != 0x02) return false;
    if (len_s == 0) return false;
    if (sig[len_r + 6] & 0x80) return false;
    if (len_s > 1 && sig[len_r + 6] == 0x00 && !(sig[len_r + 7] & 0x80)) return false;
    return true;
}

bool EvalScript(Stack& stack, const Script& script, uint32_t flags, const BaseSignatureChecker& checker,
                SigVersion sigversion, ScriptError* serror)
{
    ScriptExecutionData execdata;
    return EvalScript(stack, script, flags, checker, sigversion, execdata, serror);
}

bool EvalScript(Stack& stack, const Script& script, uint32_t flags, const BaseSignatureChecker& checker,
                SigVersion sigversion, ScriptExecutionData& execdata, ScriptError* serror)
{
    // Taproot key-path spends run no script.
    if (sigversion == SigVersion::TAPROOT) return SetError(serror, ScriptError::UNKNOWN_ERROR);
    const bool legacy_limits = sigversion == SigVersion::BASE || sigversion == SigVersion::WITNESS_V0;

    Script::const_iterator pc = script.begin();
    const Script::const_iterator pend = script.end();
    Script::const_iterator code_begin = script.begin();
    Opcode opcode;
    Bytes push;
    ConditionStack exec_stack;
    Stack altstack;
    SetError(serror, ScriptError::UNKNOWN_ERROR);
    if (legacy_limits && script.size() > MAX_SCRIPT_SIZE) return SetError(serror, ScriptError::SCRIPT_SIZE);
    int op_count = 0;
    const bool require_minimal = (flags & SCRIPT_VERIFY_MINIMALDATA) != 0;
    uint32_t opcode_pos = 0;
    execdata.m_codeseparator_pos = 0xffffffff;
    execdata.m_codeseparator_pos_init = true;

    auto top = [&stack](int i) -> Bytes& { return stack[stack.size() + i]; };
    auto pop = [&stack]() { stack.pop_back(); };

    try {
        for (; pc < pend; ++opcode_pos) {
            const bool executing = exec_stack.AllTrue();

            if (!script.GetOp(pc, opcode, &push)) return SetError(serror, ScriptError::BAD_OPCODE);
            if (push.size() > MAX_SCRIPT_ELEMENT_SIZE) return SetError(serror, ScriptError::PUSH_SIZE);

            // OP_RESERVED (0x50) and pushes do not count towards the op limit.
            if (legacy_limits && opcode > OP_16 && ++op_count > MAX_OPS_PER_SCRIPT) {
                return SetError(serror, ScriptError::OP_COUNT);
            }
            if (IsDisabledOpcode(opcode)) return SetError(serror, ScriptError::DISABLED_OPCODE);
            // CONST_SCRIPTCODE rejects OP_CODESEPARATOR in legacy scripts even unexecuted.
            if (opcode == OP_CODESEPARATOR && sigversion == SigVersion::BASE &&
                (flags & SCRIPT_VERIFY_CONST_SCRIPTCODE)) {
                return SetError(serror, ScriptError::OP_CODESEPARATOR);
            }

            if (executing && opcode <= OP_PUSHDATA4) {
                if (require_minimal && !CheckMinimalPush(push, opcode)) {
                    return SetError(serror, ScriptError::MINIMALDATA);
                }
                stack.push_back(push);
            } else if (executing || (OP_IF <= opcode && opcode <= OP_ENDIF)) {
                switch (opcode) {
                case OP_1NEGATE:
                case OP_1:
                case OP_2:
                case OP_3:
                case OP_4:
                case OP_5:
                case OP_6:
                case OP_7:
                case OP_8:
                case OP_9:
                case OP_10:
                case OP_11:
                case OP_12:
                case OP_13:
                case OP_14:
                case OP_15:
                case OP_16: stack.push_back(ScriptNum::Serialize(int(opcode) - int(OP_1 - 1))); break;

                case OP_NOP: break;

                case OP_CHECKLOCKTIMEVERIFY: {
                    // BIP-65; a NOP (OP_NOP2) when not enabled.
                    if (!(flags & SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY)) break;
                    if (stack.empty()) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    // 5-byte operands: lock-times reach 2^32-1 (BIP-65).
                    const ScriptNum locktime(top(-1), require_minimal, 5);
                    if (locktime < 0) return SetError(serror, ScriptError::NEGATIVE_LOCKTIME);
                    if (!checker.CheckLockTime(locktime)) return SetError(serror, ScriptError::UNSATISFIED_LOCKTIME);
                    break;
                }

                case OP_CHECKSEQUENCEVERIFY: {
                    // BIP-112; a NOP (OP_NOP3) when not enabled.
                    if (!(flags & SCRIPT_VERIFY_CHECKSEQUENCEVERIFY)) break;
                    if (stack.empty()) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    const ScriptNum sequence(top(-1), require_minimal, 5);
                    if (sequence < 0) return SetError(serror, ScriptError::NEGATIVE_LOCKTIME);
                    // The disable flag in the operand keeps CSV a NOP, for future soft forks.
                    if ((sequence.GetInt64() & TxIn::SEQUENCE_LOCKTIME_DISABLE_FLAG) != 0) break;
                    if (!checker.CheckSequence(sequence)) return SetError(serror, ScriptError::UNSATISFIED_LOCKTIME);
                    break;
                }

                case OP_NOP1:
                case OP_NOP4:
                case OP_NOP5:
                case OP_NOP6:
                case OP_NOP7:
                case OP_NOP8:
                case OP_NOP9:
                case OP_NOP10:
                    if (flags & SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS) {
                        return SetError(serror, ScriptError::DISCOURAGE_UPGRADABLE_NOPS);
                    }
                    break;

                case OP_IF:
                case OP_NOTIF: {
                    bool value = false;
                    if (executing) {
                        if (stack.empty()) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                        const Bytes& vch = top(-1);
                        // BIP-342: tapscript requires exactly empty or 0x01 (consensus).
                        if (sigversion == SigVersion::TAPSCRIPT &&
                            (vch.size() > 1 || (vch.size() == 1 && vch[0] != 1))) {
                            return SetError(serror, ScriptError::TAPSCRIPT_MINIMALIF);
                        }
                        // Segwit v0: the same rule as policy (MINIMALIF).
                        if (sigversion == SigVersion::WITNESS_V0 && (flags & SCRIPT_VERIFY_MINIMALIF) &&
                            (vch.size() > 1 || (vch.size() == 1 && vch[0] != 1))) {
                            return SetError(serror, ScriptError::MINIMALIF);
                        }
                        value = CastToBool(vch);
                        if (opcode == OP_NOTIF) value = !value;
                        pop();
                    }
                    exec_stack.PushBack(value);
                    break;
                }

                case OP_ELSE:
                    if (exec_stack.Empty()) return SetError(serror, ScriptError::UNBALANCED_CONDITIONAL);
                    exec_stack.ToggleTop();
                    break;

                case OP_ENDIF:
                    if (exec_stack.Empty()) return SetError(serror, ScriptError::UNBALANCED_CONDITIONAL);
                    exec_stack.PopBack();
                    break;

                case OP_VERIFY:
                    if (stack.empty()) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    if (!CastToBool(top(-1))) return SetError(serror, ScriptError::VERIFY);
                    pop();
                    break;

                case OP_RETURN: return SetError(serror, ScriptError::OP_RETURN);

                case OP_TOALTSTACK:
                    if (stack.empty()) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    altstack.push_back(std::move(top(-1)));
                    pop();
                    break;

                case OP_FROMALTSTACK:
                    if (altstack.empty()) return SetError(serror, ScriptError::INVALID_ALTSTACK_OPERATION);
                    stack.push_back(std::move(altstack.back()));
                    altstack.pop_back();
                    break;

                case OP_2DROP:
                    if (stack.size() < 2) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    pop();
                    pop();
                    break;

                case OP_2DUP: {
                    if (stack.size() < 2) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    Bytes a = top(-2), b = top(-1);
                    stack.push_back(std::move(a));
                    stack.push_back(std::move(b));
                    break;
                }

                case OP_3DUP: {
                    if (stack.size() < 3) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    Bytes a = top(-3), b = top(-2), c = top(-1);
                    stack.push_back(std::move(a));
                    stack.push_back(std::move(b));
                    stack.push_back(std::move(c));
                    break;
                }

                case OP_2OVER: {
                    if (stack.size() < 4) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    Bytes a = top(-4), b = top(-3);
                    stack.push_back(std::move(a));
                    stack.push_back(std::move(b));
                    break;
                }

                case OP_2ROT: {
                    if (stack.size() < 6) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    Bytes a = top(-6), b = top(-5);
                    stack.erase(stack.end() - 6, stack.end() - 4);
                    stack.push_back(std::move(a));
                    stack.push_back(std::move(b));
                    break;
                }

                case OP_2SWAP:
                    if (stack.size() < 4) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    std::swap(top(-4), top(-2));
                    std::swap(top(-3), top(-1));
                    break;

                case OP_IFDUP:
                    if (stack.empty()) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    if (CastToBool(top(-1))) {
                        Bytes a = top(-1);
                        stack.push_back(std::move(a));
                    }
                    break;

                case OP_DEPTH: stack.push_back(ScriptNum::Serialize(static_cast<int64_t>(stack.size()))); break;

                case OP_DROP:
                    if (stack.empty()) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    pop();
                    break;

                case OP_DUP: {
                    if (stack.empty()) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    Bytes a = top(-1);
                    stack.push_back(std::move(a));
                    break;
                }

                case OP_NIP:
                    if (stack.size() < 2) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    stack.erase(stack.end() - 2);
                    break;

                case OP_OVER: {
                    if (stack.size() < 2) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    Bytes a = top(-2);
                    stack.push_back(std::move(a));
                    break;
                }

                case OP_PICK:
                case OP_ROLL: {
                    if (stack.size() < 2) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    const int n = ScriptNum(top(-1), require_minimal).GetInt();
                    pop();
                    if (n < 0 || n >= static_cast<int>(stack.size())) {
                        return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    }
                    Bytes v = top(-n - 1);
                    if (opcode == OP_ROLL) stack.erase(stack.end() - n - 1);
                    stack.push_back(std::move(v));
                    break;
                }

                case OP_ROT:
                    if (stack.size() < 3) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    std::swap(top(-3), top(-2));
                    std::swap(top(-2), top(-1));
                    break;

                case OP_SWAP:
                    if (stack.size() < 2) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    std::swap(top(-2), top(-1));
                    break;

                case OP_TUCK: {
                    if (stack.size() < 2) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    Bytes a = top(-1);
                    stack.insert(stack.end() - 2, std::move(a));
                    break;
                }

                case OP_SIZE:
                    if (stack.empty()) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    stack.push_back(ScriptNum::Serialize(static_cast<int64_t>(top(-1).size())));
                    break;

                case OP_EQUAL:
                case OP_EQUALVERIFY: {
                    if (stack.size() < 2) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    const bool equal = top(-2) == top(-1);
                    pop();
                    pop();
                    stack.push_back(equal ? VCH_TRUE : VCH_FALSE);
                    if (opcode == OP_EQUALVERIFY) {
                        if (!equal) return SetError(serror, ScriptError::EQUALVERIFY);
                        pop();
                    }
                    break;
                }

                case OP_1ADD:
                case OP_1SUB:
                case OP_NEGATE:
                case OP_ABS:
                case OP_NOT:
                case OP_0NOTEQUAL: {
                    if (stack.empty()) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    int64_t n = ScriptNum(top(-1), require_minimal).GetInt64();
                    switch (opcode) {
                    case OP_1ADD: n += 1; break;
                    case OP_1SUB: n -= 1; break;
                    case OP_NEGATE: n = -n; break;
                    case OP_ABS:
                        if (n < 0) n = -n;
                        break;
                    case OP_NOT: n = (n == 0); break;
                    case OP_0NOTEQUAL: n = (n != 0); break;
                    default: break;
                    }
                    pop();
                    stack.push_back(ScriptNum::Serialize(n));
                    break;
                }

                case OP_ADD:
                case OP_SUB:
                case OP_BOOLAND:
                case OP_BOOLOR:
                case OP_NUMEQUAL:
                case OP_NUMEQUALVERIFY:
                case OP_NUMNOTEQUAL:
                case OP_LESSTHAN:
                case OP_GREATERTHAN:
                case OP_LESSTHANOREQUAL:
                case OP_GREATERTHANOREQUAL:
                case OP_MIN:
                case OP_MAX: {
                    if (stack.size() < 2) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    const int64_t a = ScriptNum(top(-2), require_minimal).GetInt64();
                    const int64_t b = ScriptNum(top(-1), require_minimal).GetInt64();
                    int64_t r = 0;
                    switch (opcode) {
                    case OP_ADD: r = a + b; break;
                    case OP_SUB: r = a - b; break;
                    case OP_BOOLAND: r = (a != 0 && b != 0); break;
                    case OP_BOOLOR: r = (a != 0 || b != 0); break;
                    case OP_NUMEQUAL: r = (a == b); break;
                    case OP_NUMEQUALVERIFY: r = (a == b); break;
                    case OP_NUMNOTEQUAL: r = (a != b); break;
                    case OP_LESSTHAN: r = (a < b); break;
                    case OP_GREATERTHAN: r = (a > b); break;
                    case OP_LESSTHANOREQUAL: r = (a <= b); break;
                    case OP_GREATERTHANOREQUAL: r = (a >= b); break;
                    case OP_MIN: r = a < b ? a : b; break;
                    case OP_MAX: r = a > b ? a : b; break;
                    default: break;
                    }
                    pop();
                    pop();
                    stack.push_back(ScriptNum::Serialize(r));
                    if (opcode == OP_NUMEQUALVERIFY) {
                        if (!CastToBool(top(-1))) return SetError(serror, ScriptError::NUMEQUALVERIFY);
                        pop();
                    }
                    break;
                }

                case OP_WITHIN: {
                    if (stack.size() < 3) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    const int64_t x = ScriptNum(top(-3), require_minimal).GetInt64();
                    const int64_t lo = ScriptNum(top(-2), require_minimal).GetInt64();
                    const int64_t hi = ScriptNum(top(-1), require_minimal).GetInt64();
                    const bool within = lo <= x && x < hi;
                    pop();
                    pop();
                    pop();
                    stack.push_back(within ? VCH_TRUE : VCH_FALSE);
                    break;
                }

                case OP_RIPEMD160:
                case OP_SHA1:
                case OP_SHA256:
                case OP_HASH160:
                case OP_HASH256: {
                    if (stack.empty()) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    const Bytes& in = top(-1);
                    Bytes out;
                    if (opcode == OP_RIPEMD160) {
                        const Uint160 h = Ripemd160(in);
                        out.assign(h.begin(), h.end());
                    } else if (opcode == OP_SHA1) {
                        const Uint160 h = Sha1(in);
                        out.assign(h.begin(), h.end());
                    } else if (opcode == OP_SHA256) {
                        const Uint256 h = Sha256Hash(in);
                        out.assign(h.begin(), h.end());
                    } else if (opcode == OP_HASH160) {
                        const Uint160 h = Hash160(in);
                        out.assign(h.begin(), h.end());
                    } else {
                        const Uint256 h = Hash256(in);
                        out.assign(h.begin(), h.end());
                    }
                    pop();
                    stack.push_back(std::move(out));
                    break;
                }

                case OP_CODESEPARATOR:
                    // Signatures commit to the script after the last executed separator.
                    code_begin = pc;
                    execdata.m_codeseparator_pos = opcode_pos;
                    break;

                case OP_CHECKSIG:
                case OP_CHECKSIGVERIFY: {
                    if (stack.size() < 2) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    bool success = true;
                    if (!EvalChecksig(top(-2), top(-1), code_begin, pend, execdata, flags, checker, sigversion, serror,
                                      success)) {
                        return false;
                    }
                    pop();
                    pop();
                    stack.push_back(success ? VCH_TRUE : VCH_FALSE);
                    if (opcode == OP_CHECKSIGVERIFY) {
                        if (!success) return SetError(serror, ScriptError::CHECKSIGVERIFY);
                        pop();
                    }
                    break;
                }

                case OP_CHECKSIGADD: {
                    // BIP-342: tapscript only.
                    if (sigversion == SigVersion::BASE || sigversion == SigVersion::WITNESS_V0) {
                        return SetError(serror, ScriptError::BAD_OPCODE);
                    }
                    if (stack.size() < 3) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
                    const int64_t num = ScriptNum(top(-2), require_minimal).GetInt64();
                    bool success = true;
                    if (!EvalChecksig(top(-3), top(-1), code_begin, pend, execdata, flags, checker, sigversion, serror,
                                      success)) {
                        return false;
                    }
                    pop();
                    pop();
                    pop();
                    stack.push_back(ScriptNum::Serialize(num + (success ? 1 : 0)));
                    break;
                }

                case OP_CHECKMULTISIG:
                case OP_CHECKMULTISIGVERIFY:
                    if (!EvalCheckMultisig(stack, opcode, code_begin, pend, flags, checker, sigversion, op_count,
                                           serror)) {
                        return false;
                    }
                    break;

                default: return SetError(serror, ScriptError::BAD_OPCODE);
                }
            }

            if (stack.size() + altstack.size() > MAX_STACK_SIZE) return SetError(serror, ScriptError::STACK_SIZE);
        }
    } catch (const ScriptNumError&) {
        return SetError(serror, ScriptError::SCRIPTNUM);
    } catch (...) {
        return SetError(serror, ScriptError::UNKNOWN_ERROR);
    }

    if (!exec_stack.Empty()) return SetError(serror, ScriptError::UNBALANCED_CONDITIONAL);
    return SetSuccess(serror);
}

bool EvalCheckMultisig(Stack& stack, Opcode opcode, Script::const_iterator code_begin, Script::const_iterator code_end,
                       uint32_t flags, const BaseSignatureChecker& checker, SigVersion sigversion, int& op_count,
                       ScriptError* serror)
{
    // ([sig ...] n_sigs [pubkey ...] n_keys -- bool), plus one extra dummy element
    // consumed by a historical off-by-one (BIP-147 requires it empty under NULLDUMMY).
    if (sigversion == SigVersion::TAPSCRIPT) return SetError(serror, ScriptError::TAPSCRIPT_CHECKMULTISIG);
    const bool require_minimal = (flags & SCRIPT_VERIFY_MINIMALDATA) != 0;
    auto top = [&stack](int i) -> Bytes& { return stack[stack.size() + i]; };

    int i = 1;
    if (static_cast<int>(stack.size()) < i) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
    int n_keys = ScriptNum(top(-i), require_minimal).GetInt();
    if (n_keys < 0 || n_keys > MAX_PUBKEYS_PER_MULTISIG) return SetError(serror, ScriptError::PUBKEY_COUNT);
    op_count += n_keys;
    if (op_count > MAX_OPS_PER_SCRIPT) return SetError(serror, ScriptError::OP_COUNT);
    int ikey = ++i;
    // ikey2: position of the last non-signature item, used for NULLFAIL cleanup.
    int ikey2 = n_keys + 2;
    i += n_keys;
    if (static_cast<int>(stack.size()) < i) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
    int n_sigs = ScriptNum(top(-i), require_minimal).GetInt();
    if (n_sigs < 0 || n_sigs > n_keys) return SetError(serror, ScriptError::SIG_COUNT);
    int isig = ++i;
    i += n_sigs;
    if (static_cast<int>(stack.size()) < i) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);

    Script script_code(code_begin, code_end);
    if (sigversion == SigVersion::BASE) {
        for (int k = 0; k < n_sigs; ++k) {
            Script pattern;
            pattern << top(-isig - k);
            const int found = FindAndDelete(script_code, pattern);
            if (found > 0 && (flags & SCRIPT_VERIFY_CONST_SCRIPTCODE)) {
                return SetError(serror, ScriptError::SIG_FINDANDDELETE);
            }
        }
    }

    bool success = true;
    while (success && n_sigs > 0) {
        const Bytes& sig = top(-isig);
        const Bytes& key = top(-ikey);
        // The encoding checks make the evaluation order observable under STRICTENC.
        if (!CheckSignatureEncoding(sig, flags, serror) || !CheckPubKeyEncoding(key, flags, sigversion, serror)) {
            return false;
        }
        if (checker.CheckECDSASignature(sig, key, script_code, sigversion)) {
            isig++;
            n_sigs--;
        }
        ikey++;
        n_keys--;
        // More signatures left than keys: it cannot succeed any more.
        if (n_sigs > n_keys) success = false;
    }

    while (i-- > 1) {
        if (!success && (flags & SCRIPT_VERIFY_NULLFAIL) && !ikey2 && !top(-1).empty()) {
            return SetError(serror, ScriptError::SIG_NULLFAIL);
        }
        if (ikey2 > 0) ikey2--;
        stack.pop_back();
    }
    if (stack.empty()) return SetError(serror, ScriptError::INVALID_STACK_OPERATION);
    if ((flags & SCRIPT_VERIFY_NULLDUMMY) && !top(-1).empty()) return SetError(serror, ScriptError::SIG_NULLDUMMY);
    stack.pop_back();
    stack.push_back(success ? VCH_TRUE : VCH_FALSE);
    if (opcode == OP_CHECKMULTISIGVERIFY) {
        if (!success) return SetError(serror, ScriptError::CHECKMULTISIGVERIFY);
        stack.pop_back();
    }
    return true;
}

} // namespace consensus
