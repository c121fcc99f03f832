// Message signing (Core's util/message.h, the "Bitcoin Signed Message" scheme used by
// signmessage, signmessagewithprivkey and verifymessage): a compact recoverable ECDSA
// signature of the double-SHA256 of the magic prefix and the message, base64-encoded.
// Only P2PKH addresses can be verified (the signature recovers a public key, whose hash
// must be the address's). Pure functions; thread-safe.
#pragma once

#include "common/signing_provider.h"
#include "consensus/params.h"
#include "consensus/uint256.h"

#include <optional>
#include <string>
#include <string_view>

namespace common {

/** The prefix hashed before every message. */
inline constexpr std::string_view MESSAGE_MAGIC = "Bitcoin Signed Message:\n";

/** Hash256 of the serialized strings MESSAGE_MAGIC and message. */
consensus::Uint256 MessageHash(std::string_view message);

/** The base64 signature of message with key (65 bytes: header 27 + recid + 4 if compressed); nullopt on a bad key. */
std::optional<std::string> MessageSign(const SecretKey& key, std::string_view message);

/** The outcome of MessageVerify, as Core's MessageVerificationResult. */
enum class MessageVerificationResult {
    ERR_INVALID_ADDRESS,      //!< the address does not decode
    ERR_ADDRESS_NO_KEY,       //!< not a P2PKH address
    ERR_MALFORMED_SIGNATURE,  //!< not base64
    ERR_PUBKEY_NOT_RECOVERED, //!< no public key recovers from the signature
    ERR_NOT_SIGNED,           //!< the recovered key is not the address's
    OK,
};

MessageVerificationResult MessageVerify(const std::string& address, const std::string& signature,
                                        std::string_view message, const consensus::ChainParams& params);

} // namespace common
