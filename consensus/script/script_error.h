// Why a script failed, with Core's error names (used by the test vectors and RPC).
#pragma once

#include <string>
#include <string_view>

namespace consensus {

enum class ScriptError {
    OK = 0,
    UNKNOWN_ERROR,
    EVAL_FALSE,
    OP_RETURN,
    SCRIPTNUM,
    // Max sizes
    SCRIPT_SIZE,
    PUSH_SIZE,
    OP_COUNT,
    STACK_SIZE,
    SIG_COUNT,
    PUBKEY_COUNT,
    // Failed verify operations
    VERIFY,
    EQUALVERIFY,
    CHECKMULTISIGVERIFY,
    CHECKSIGVERIFY,
    NUMEQUALVERIFY,
    // Logical/format/canonical errors
    BAD_OPCODE,
    DISABLED_OPCODE,
    INVALID_STACK_OPERATION,
    INVALID_ALTSTACK_OPERATION,
    UNBALANCED_CONDITIONAL,
    // CHECKLOCKTIMEVERIFY and CHECKSEQUENCEVERIFY
    NEGATIVE_LOCKTIME,
    UNSATISFIED_LOCKTIME,
    // Malleability
    SIG_HASHTYPE,
    SIG_DER,
    MINIMALDATA,
    SIG_PUSHONLY,
    SIG_HIGH_S,
    SIG_NULLDUMMY,
    PUBKEYTYPE,
    CLEANSTACK,
    MINIMALIF,
    SIG_NULLFAIL,
    // Soft-fork safeness
    DISCOURAGE_UPGRADABLE_NOPS,
    DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM,
    DISCOURAGE_UPGRADABLE_TAPROOT_VERSION,
    DISCOURAGE_OP_SUCCESS,
    DISCOURAGE_UPGRADABLE_PUBKEYTYPE,
    // Segregated witness
    WITNESS_PROGRAM_WRONG_LENGTH,
    WITNESS_PROGRAM_WITNESS_EMPTY,
    WITNESS_PROGRAM_MISMATCH,
    WITNESS_MALLEATED,
    WITNESS_MALLEATED_P2SH,
    WITNESS_UNEXPECTED,
    WITNESS_PUBKEYTYPE,
    // Taproot
    SCHNORR_SIG_SIZE,
    SCHNORR_SIG_HASHTYPE,
    SCHNORR_SIG,
    TAPROOT_WRONG_CONTROL_SIZE,
    TAPSCRIPT_VALIDATION_WEIGHT,
    TAPSCRIPT_CHECKMULTISIG,
    TAPSCRIPT_MINIMALIF,
    TAPSCRIPT_EMPTY_PUBKEY,
    // Constant scriptCode
    OP_CODESEPARATOR,
    SIG_FINDANDDELETE,

    ERROR_COUNT
};

/** Core's short name as used in script_tests.json ("EVAL_FALSE", "NULLFAIL", ...). */
std::string_view ScriptErrorName(ScriptError err);
/** Parses a short name; ERROR_COUNT if unknown. */
ScriptError ScriptErrorFromName(std::string_view name);
/** Human-readable description, as Core's ScriptErrorString. */
std::string ScriptErrorString(ScriptError err);

} // namespace consensus
