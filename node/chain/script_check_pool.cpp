#include "node/chain/script_check_pool.h"

namespace node::chain {

bool ScriptCheck::operator()()
{
    const consensus::TxIn& in = tx->vin[input];
    const consensus::TransactionSignatureChecker checker(tx, input, spent->value, *txdata,
                                                         consensus::MissingDataBehavior::ASSERT_FAIL);
    return consensus::VerifyScript(in.script_sig, spent->script_pubkey, &in.witness, flags, checker, &error);
}

template class CheckPool<ScriptCheck>;

} // namespace node::chain
