// Context-free transaction checks (Core's CheckTransaction) and legacy sigop counting.
#pragma once

#include "consensus/primitives/transaction.h"
#include "consensus/validation_result.h"

namespace consensus {

/**
 * Checks what a transaction must satisfy regardless of chain state: inputs and outputs
 * present, stripped size within the block weight, output amounts in range, no duplicate
 * inputs, a coinbase scriptSig of 2..100 bytes, no null prevouts outside the coinbase.
 * Invalid carries Core's reject reason (e.g. "bad-txns-vin-empty"). Pure; any thread.
 */
ValidationResult CheckTransaction(const Transaction& tx);

/**
 * Legacy (pre-P2SH, inaccurate) sigop count of all scriptSigs and scriptPubKeys: a
 * CHECKMULTISIG counts 20. Block sigop cost counts each one WITNESS_SCALE_FACTOR times.
 */
unsigned GetLegacySigOpCount(const Transaction& tx);

} // namespace consensus
