// Internal helpers shared by the interpreter's translation units (not a public API).
#pragma once

#include "consensus/script/interpreter.h"

namespace consensus {

/** Sets *serror (if given) and returns false. */
inline bool SetError(ScriptError* serror, ScriptError err)
{
    if (serror) *serror = err;
    return false;
}

/** Sets *serror to OK (if given) and returns true. */
inline bool SetSuccess(ScriptError* serror)
{
    if (serror) *serror = ScriptError::OK;
    return true;
}

/** Script truth: any non-zero byte, except a lone sign bit in the last byte (negative zero). */
bool CastToBool(const std::vector<uint8_t>& v);

/**
 * OP_CHECKSIG(VERIFY) for legacy and segwit v0 scripts: encoding checks, then the
 * signature against the script code [code_begin, code_end); success says whether it
 * verified. False (with serror) when the script must fail at once.
 */
bool EvalChecksigPreTapscript(const std::vector<uint8_t>& sig, const std::vector<uint8_t>& pubkey,
                              Script::const_iterator code_begin, Script::const_iterator code_end, uint32_t flags,
                              const BaseSignatureChecker& checker, SigVersion sigversion, ScriptError* serror,
                              bool& success);

/**
 * The part of EvalChecksigPreTapscript after the script code is known (FindAndDelete
 * already applied for legacy scripts): encoding checks, the signature, NULLFAIL.
 */
bool EvalChecksigScriptCode(const std::vector<uint8_t>& sig, const std::vector<uint8_t>& pubkey,
                            const Script& script_code, uint32_t flags, const BaseSignatureChecker& checker,
                            SigVersion sigversion, ScriptError* serror, bool& success);

/** OP_CHECKMULTISIG(VERIFY) on stack (legacy and segwit v0 only). */
bool EvalCheckMultisig(std::vector<std::vector<uint8_t>>& stack, Opcode opcode, Script::const_iterator code_begin,
                       Script::const_iterator code_end, uint32_t flags, const BaseSignatureChecker& checker,
                       SigVersion sigversion, int& op_count, ScriptError* serror);

} // namespace consensus
