#include "consensus/script/script.h"

#include <algorithm>
#include <climits>

namespace consensus {

ScriptNum::ScriptNum(const std::vector<uint8_t>& vch, bool require_minimal, size_t max_size)
{
    if (vch.size() > max_size) throw ScriptNumError("script number overflow");
    if (require_minimal && !IsMinimallyEncoded(vch, max_size)) {
        throw ScriptNumError("non-minimally encoded script number");
    }
    int64_t result = 0;
    for (size_t i = 0; i < vch.size(); ++i) result |= int64_t(vch[i]) << (8 * i);
    if (!vch.empty() && (vch.back() & 0x80)) {
        result = -(int64_t)(result & ~(0x80ULL << (8 * (vch.size() - 1))));
    }
    m_value = result;
}

bool ScriptNum::IsMinimallyEncoded(const std::vector<uint8_t>& vch, size_t max_size)
{
    if (vch.size() > max_size) return false;
    if (!vch.empty() && (vch.back() & 0x7f) == 0) {
        // The last byte only carries the sign: allowed only if the next byte needs its high bit.
        if (vch.size() <= 1 || (vch[vch.size() - 2] & 0x80) == 0) return false;
    }
    return true;
}

int ScriptNum::GetInt() const
{
    if (m_value > INT_MAX) return INT_MAX;
    if (m_value < INT_MIN) return INT_MIN;
    return static_cast<int>(m_value);
}

std::vector<uint8_t> ScriptNum::Serialize(int64_t value)
{
    std::vector<uint8_t> out;
    if (value == 0) return out;
    const bool neg = value < 0;
    uint64_t abs = neg ? ~static_cast<uint64_t>(value) + 1 : static_cast<uint64_t>(value);
    while (abs) {
        out.push_back(abs & 0xff);
        abs >>= 8;
    }
    if (out.back() & 0x80) {
        out.push_back(neg ? 0x80 : 0);
    } else if (neg) {
        out.back() |= 0x80;
    }
    return out;
}

int DecodeOpN(Opcode op)
{
    if (op == OP_0) return 0;
    return int(op) - int(OP_1 - 1);
}

Opcode EncodeOpN(int n)
{
    if (n == 0) return OP_0;
    return static_cast<Opcode>(OP_1 + n - 1);
}

Script& Script::PushInt(int64_t n)
{
    if (n == -1 || (n >= 1 && n <= 16)) {
        push_back(static_cast<uint8_t>(n + (OP_1 - 1)));
    } else if (n == 0) {
        push_back(OP_0);
    } else {
        *this << ScriptNum::Serialize(n);
    }
    return *this;
}

Script& Script::operator<<(std::span<const uint8_t> data)
{
    const size_t n = data.size();
    if (n < OP_PUSHDATA1) {
        push_back(static_cast<uint8_t>(n));
    } else if (n <= 0xff) {
        push_back(OP_PUSHDATA1);
        push_back(static_cast<uint8_t>(n));
    } else if (n <= 0xffff) {
        push_back(OP_PUSHDATA2);
        push_back(n & 0xff);
        push_back(n >> 8);
    } else {
        push_back(OP_PUSHDATA4);
        for (int i = 0; i < 4; ++i) push_back((n >> (8 * i)) & 0xff);
    }
    insert(end(), data.begin(), data.end());
    return *this;
}

bool Script::GetOp(const_iterator& pc, Opcode& opcode, std::vector<uint8_t>* data) const
{
    opcode = OP_INVALIDOPCODE;
    if (data) data->clear();
    if (pc >= end()) return false;
    if (end() - pc < 1) return false;
    const uint8_t op = *pc++;
    if (op <= OP_PUSHDATA4) {
        uint64_t size = 0;
        if (op < OP_PUSHDATA1) {
            size = op;
        } else {
            const int len = op == OP_PUSHDATA1 ? 1 : op == OP_PUSHDATA2 ? 2 : 4;
            if (end() - pc < len) return false;
            for (int i = 0; i < len; ++i) size |= uint64_t(pc[i]) << (8 * i);
            pc += len;
        }
        if (static_cast<uint64_t>(end() - pc) < size) return false;
        if (data) data->assign(pc, pc + size);
        pc += size;
    }
    opcode = static_cast<Opcode>(op);
    return true;
}

unsigned Script::GetSigOpCount(bool accurate) const
{
    unsigned n = 0;
    const_iterator pc = begin();
    Opcode last = OP_INVALIDOPCODE;
    while (pc < end()) {
        Opcode op;
        if (!GetOp(pc, op)) break;
        if (op == OP_CHECKSIG || op == OP_CHECKSIGVERIFY) {
            n++;
        } else if (op == OP_CHECKMULTISIG || op == OP_CHECKMULTISIGVERIFY) {
            if (accurate && last >= OP_1 && last <= OP_16) {
                n += DecodeOpN(last);
            } else {
                n += MAX_PUBKEYS_PER_MULTISIG;
            }
        }
        last = op;
    }
    return n;
}

unsigned Script::GetSigOpCount(const Script& script_sig) const
{
    if (!IsPayToScriptHash()) return GetSigOpCount(true);
    // The redeem script is the last push of script_sig; a non-push means zero.
    const_iterator pc = script_sig.begin();
    std::vector<uint8_t> data;
    while (pc < script_sig.end()) {
        Opcode op;
        if (!script_sig.GetOp(pc, op, &data)) return 0;
        if (op > OP_16) return 0;
    }
    Script sub(data);
    return sub.GetSigOpCount(true);
}

bool Script::IsPayToScriptHash() const
{
    return size() == 23 && (*this)[0] == OP_HASH160 && (*this)[1] == 0x14 && (*this)[22] == OP_EQUAL;
}

bool Script::IsPayToWitnessScriptHash() const { return size() == 34 && (*this)[0] == OP_0 && (*this)[1] == 0x20; }

bool Script::IsWitnessProgram(int& version, std::vector<uint8_t>& program) const
{
    if (size() < 4 || size() > 42) return false;
    if ((*this)[0] != OP_0 && ((*this)[0] < OP_1 || (*this)[0] > OP_16)) return false;
    if (size_t((*this)[1]) + 2 == size()) {
        version = DecodeOpN(static_cast<Opcode>((*this)[0]));
        program.assign(begin() + 2, end());
        return true;
    }
    return false;
}

bool Script::IsPushOnly(const_iterator pc) const
{
    while (pc < end()) {
        Opcode op;
        if (!GetOp(pc, op)) return false;
        if (op > OP_16) return false;
    }
    return true;
}

bool Script::HasValidOps() const
{
    const_iterator pc = begin();
    std::vector<uint8_t> data;
    while (pc < end()) {
        Opcode op;
        if (!GetOp(pc, op, &data) || op > MAX_OPCODE || data.size() > MAX_SCRIPT_ELEMENT_SIZE) return false;
    }
    return true;
}

int FindAndDelete(Script& script, const Script& b)
{
    int found = 0;
    if (b.empty()) return found;
    Script result;
    Script::const_iterator pc = script.begin(), pc2 = script.begin(), end = script.end();
    Opcode op;
    do {
        result.insert(result.end(), pc2, pc);
        while (static_cast<size_t>(end - pc) >= b.size() && std::equal(b.begin(), b.end(), pc)) {
            pc = pc + b.size();
            ++found;
        }
        pc2 = pc;
    } while (script.GetOp(pc, op));
    if (found > 0) {
        result.insert(result.end(), pc2, end);
        script = std::move(result);
    }
    return found;
}

std::string GetOpName(Opcode op)
{
    switch (op) {
    case OP_0: return "0";
    case OP_PUSHDATA1: return "OP_PUSHDATA1";
    case OP_PUSHDATA2: return "OP_PUSHDATA2";
    case OP_PUSHDATA4: return "OP_PUSHDATA4";
    case OP_1NEGATE: return "-1";
    case OP_RESERVED: return "OP_RESERVED";
    case OP_NOP: return "OP_NOP";
    case OP_VER: return "OP_VER";
    case OP_IF: return "OP_IF";
    case OP_NOTIF: return "OP_NOTIF";
    case OP_VERIF: return "OP_VERIF";
    case OP_VERNOTIF: return "OP_VERNOTIF";
    case OP_ELSE: return "OP_ELSE";
    case OP_ENDIF: return "OP_ENDIF";
    case OP_VERIFY: return "OP_VERIFY";
    case OP_RETURN: return "OP_RETURN";
    case OP_TOALTSTACK: return "OP_TOALTSTACK";
    case OP_FROMALTSTACK: return "OP_FROMALTSTACK";
    case OP_2DROP: return "OP_2DROP";
    case OP_2DUP: return "OP_2DUP";
    case OP_3DUP: return "OP_3DUP";
    case OP_2OVER: return "OP_2OVER";
    case OP_2ROT: return "OP_2ROT";
    case OP_2SWAP: return "OP_2SWAP";
    case OP_IFDUP: return "OP_IFDUP";
    case OP_DEPTH: return "OP_DEPTH";
    case OP_DROP: return "OP_DROP";
    case OP_DUP: return "OP_DUP";
    case OP_NIP: return "OP_NIP";
    case OP_OVER: return "OP_OVER";
    case OP_PICK: return "OP_PICK";
    case OP_ROLL: return "OP_ROLL";
    case OP_ROT: return "OP_ROT";
    case OP_SWAP: return "OP_SWAP";
    case OP_TUCK: return "OP_TUCK";
    case OP_CAT: return "OP_CAT";
    case OP_SUBSTR: return "OP_SUBSTR";
    case OP_LEFT: return "OP_LEFT";
    case OP_RIGHT: return "OP_RIGHT";
    case OP_SIZE: return "OP_SIZE";
    case OP_INVERT: return "OP_INVERT";
    case OP_AND: return "OP_AND";
    case OP_OR: return "OP_OR";
    case OP_XOR: return "OP_XOR";
    case OP_EQUAL: return "OP_EQUAL";
    case OP_EQUALVERIFY: return "OP_EQUALVERIFY";
    case OP_RESERVED1: return "OP_RESERVED1";
    case OP_RESERVED2: return "OP_RESERVED2";
    case OP_1ADD: return "OP_1ADD";
    case OP_1SUB: return "OP_1SUB";
    case OP_2MUL: return "OP_2MUL";
    case OP_2DIV: return "OP_2DIV";
    case OP_NEGATE: return "OP_NEGATE";
    case OP_ABS: return "OP_ABS";
    case OP_NOT: return "OP_NOT";
    case OP_0NOTEQUAL: return "OP_0NOTEQUAL";
    case OP_ADD: return "OP_ADD";
    case OP_SUB: return "OP_SUB";
    case OP_MUL: return "OP_MUL";
    case OP_DIV: return "OP_DIV";
    case OP_MOD: return "OP_MOD";
    case OP_LSHIFT: return "OP_LSHIFT";
    case OP_RSHIFT: return "OP_RSHIFT";
    case OP_BOOLAND: return "OP_BOOLAND";
    case OP_BOOLOR: return "OP_BOOLOR";
    case OP_NUMEQUAL: return "OP_NUMEQUAL";
    case OP_NUMEQUALVERIFY: return "OP_NUMEQUALVERIFY";
    case OP_NUMNOTEQUAL: return "OP_NUMNOTEQUAL";
    case OP_LESSTHAN: return "OP_LESSTHAN";
    case OP_GREATERTHAN: return "OP_GREATERTHAN";
    case OP_LESSTHANOREQUAL: return "OP_LESSTHANOREQUAL";
    case OP_GREATERTHANOREQUAL: return "OP_GREATERTHANOREQUAL";
    case OP_MIN: return "OP_MIN";
    case OP_MAX: return "OP_MAX";
    case OP_WITHIN: return "OP_WITHIN";
    case OP_RIPEMD160: return "OP_RIPEMD160";
    case OP_SHA1: return "OP_SHA1";
    case OP_SHA256: return "OP_SHA256";
    case OP_HASH160: return "OP_HASH160";
    case OP_HASH256: return "OP_HASH256";
    case OP_CODESEPARATOR: return "OP_CODESEPARATOR";
    case OP_CHECKSIG: return "OP_CHECKSIG";
    case OP_CHECKSIGVERIFY: return "OP_CHECKSIGVERIFY";
    case OP_CHECKMULTISIG: return "OP_CHECKMULTISIG";
    case OP_CHECKMULTISIGVERIFY: return "OP_CHECKMULTISIGVERIFY";
    case OP_NOP1: return "OP_NOP1";
    case OP_CHECKLOCKTIMEVERIFY: return "OP_CHECKLOCKTIMEVERIFY";
    case OP_CHECKSEQUENCEVERIFY: return "OP_CHECKSEQUENCEVERIFY";
    case OP_NOP4: return "OP_NOP4";
    case OP_NOP5: return "OP_NOP5";
    case OP_NOP6: return "OP_NOP6";
    case OP_NOP7: return "OP_NOP7";
    case OP_NOP8: return "OP_NOP8";
    case OP_NOP9: return "OP_NOP9";
    case OP_NOP10: return "OP_NOP10";
    case OP_CHECKSIGADD: return "OP_CHECKSIGADD";
    case OP_INVALIDOPCODE: return "OP_INVALIDOPCODE";
    default:
        if (op >= OP_1 && op <= OP_16) return std::to_string(DecodeOpN(op));
        return "OP_UNKNOWN";
    }
}

} // namespace consensus
