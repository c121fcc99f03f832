#include "common/message.h"

#include "common/key_io.h"
#include "common/solver.h"
#include "consensus/hash.h"
#include "consensus/script/key.h"
#include "consensus/script/pubkey.h"
#include "consensus/serialize.h"
#include "util/strencodings.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <array>
#include <cstring>

namespace common {

namespace {

constexpr size_t COMPACT_SIGNATURE_SIZE = 65;

void WriteString(consensus::HashWriter& w, std::string_view s)
{
    consensus::WriteCompactSize(w, s.size());
    w.Write({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

} // namespace

consensus::Uint256 MessageHash(std::string_view message)
{
    consensus::HashWriter w;
    WriteString(w, MESSAGE_MAGIC);
    WriteString(w, message);
    return w.GetHash();
}

std::optional<std::string> MessageSign(const SecretKey& key, std::string_view message)
{
    const secp256k1_context* ctx = consensus::SecpSignContext();
    const consensus::Uint256 hash = MessageHash(message);
    secp256k1_ecdsa_recoverable_signature sig;
    // RFC 6979 nonces (libsecp256k1's default), as Core's CKey::SignCompact.
    if (!secp256k1_ecdsa_sign_recoverable(ctx, &sig, hash.data(), key.bytes.data(), nullptr, nullptr)) {
        return std::nullopt;
    }
    std::array<uint8_t, COMPACT_SIGNATURE_SIZE> out{};
    int recid = 0;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, out.data() + 1, &recid, &sig);
    out[0] = static_cast<uint8_t>(27 + recid + (key.compressed ? 4 : 0));
    return util::EncodeBase64({reinterpret_cast<const char*>(out.data()), out.size()});
}

MessageVerificationResult MessageVerify(const std::string& address, const std::string& signature,
                                        std::string_view message, const consensus::ChainParams& params)
{
    const auto script = DecodeAddress(address, params);
    if (!script) return MessageVerificationResult::ERR_INVALID_ADDRESS;
    std::vector<std::vector<uint8_t>> solutions;
    if (SolveScript(*script, solutions) != TxoutType::PUBKEYHASH) return MessageVerificationResult::ERR_ADDRESS_NO_KEY;
    const auto raw = util::DecodeBase64(signature);
    if (!raw) return MessageVerificationResult::ERR_MALFORMED_SIGNATURE;
    // Core's CPubKey::RecoverCompact: 65 bytes, the header's low two bits (after 27) the
    // recovery id and bit 2 the compression of the key.
    if (raw->size() != COMPACT_SIGNATURE_SIZE) return MessageVerificationResult::ERR_PUBKEY_NOT_RECOVERED;
    const auto* bytes = reinterpret_cast<const uint8_t*>(raw->data());
    const int header = bytes[0] - 27;
    const int recid = header & 3;
    const bool compressed = (header & 4) != 0;
    const secp256k1_context* ctx = consensus::SecpVerifyContext();
    secp256k1_ecdsa_recoverable_signature sig;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, bytes + 1, recid)) {
        return MessageVerificationResult::ERR_PUBKEY_NOT_RECOVERED;
    }
    const consensus::Uint256 hash = MessageHash(message);
    secp256k1_pubkey pubkey;
    if (!secp256k1_ecdsa_recover(ctx, &pubkey, &sig, hash.data())) {
        return MessageVerificationResult::ERR_PUBKEY_NOT_RECOVERED;
    }
    std::array<uint8_t, 65> ser{};
    size_t len = ser.size();
    secp256k1_ec_pubkey_serialize(ctx, ser.data(), &len, &pubkey,
                                  compressed ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED);
    const consensus::Uint160 id = consensus::Hash160({ser.data(), len});
    if (std::memcmp(id.data(), solutions[0].data(), 20) != 0) return MessageVerificationResult::ERR_NOT_SIGNED;
    return MessageVerificationResult::OK;
}

} // namespace common
