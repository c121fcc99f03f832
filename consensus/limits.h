// Consensus size, weight and maturity limits (BIP-141 weight accounting).
#pragma once

#include <cstdint>

namespace consensus {

/** Maximum BIP-141 weight of a block. */
inline constexpr unsigned MAX_BLOCK_WEIGHT = 4000000;
/** Maximum serialized size of a block including witness data (BIP-141 makes weight the real limit). */
inline constexpr unsigned MAX_BLOCK_SERIALIZED_SIZE = 4000000;
/** Maximum sigop cost of a block; legacy sigops count WITNESS_SCALE_FACTOR each (BIP-141). */
inline constexpr int64_t MAX_BLOCK_SIGOPS_COST = 80000;
/** Non-witness bytes weigh this many times a witness byte (BIP-141). */
inline constexpr int WITNESS_SCALE_FACTOR = 4;
/** A coinbase output may be spent only this many blocks later. */
inline constexpr int COINBASE_MATURITY = 100;
/** Lower bound on the weight of a valid transaction: 60 bytes is the smallest valid stripped size. */
inline constexpr int64_t MIN_TRANSACTION_WEIGHT = WITNESS_SCALE_FACTOR * 60;
/** Lower bound on the weight of any serializable transaction: 10 bytes (version, two counts, locktime). */
inline constexpr int64_t MIN_SERIALIZABLE_TRANSACTION_WEIGHT = WITNESS_SCALE_FACTOR * 10;
/** Coinbase scriptSig length bounds, inclusive (CheckTransaction's bad-cb-length). */
inline constexpr unsigned MIN_COINBASE_SCRIPTSIG_SIZE = 2;
inline constexpr unsigned MAX_COINBASE_SCRIPTSIG_SIZE = 100;
/** Size of a BIP-141 witness commitment output script: OP_RETURN, push 36, 4-byte tag, 32-byte hash. */
inline constexpr unsigned MINIMUM_WITNESS_COMMITMENT = 38;
/** Interpret nSequence as BIP-68 relative lock-time; flag for SequenceLocks. */
inline constexpr unsigned LOCKTIME_VERIFY_SEQUENCE = 1U << 0;
/** A header's time may be at most this many seconds past adjusted network time ("time-too-new"). */
inline constexpr int64_t MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60;
/** BIP-94: a period's first block may not be more than this much earlier than its predecessor (seconds). */
inline constexpr int64_t MAX_TIMEWARP = 600;

} // namespace consensus
