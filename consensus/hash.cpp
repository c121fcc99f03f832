// The SHA256_*/RIPEMD160_* low-level calls are deprecated in OpenSSL 3 but remain the
// fastest path (no provider dispatch per call) and let a midstate be copied.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "consensus/hash.h"

#include <openssl/hmac.h>
#include <openssl/ripemd.h>
#include <openssl/evp.h>

namespace consensus {

Sha256::Sha256() { SHA256_Init(&m_ctx); }

Sha256& Sha256::Write(std::span<const uint8_t> data)
{
    SHA256_Update(&m_ctx, data.data(), data.size());
    return *this;
}

void Sha256::Finalize(uint8_t out[OUTPUT_SIZE]) { SHA256_Final(out, &m_ctx); }

Sha256& Sha256::Reset()
{
    SHA256_Init(&m_ctx);
    return *this;
}

// One-shot SHA256()/RIPEMD160() in OpenSSL 3 pay a large fixed cost per call (provider
// lookup); the low-level contexts do not, which matters for short inputs.
Uint256 Sha256Hash(std::span<const uint8_t> data)
{
    Uint256 out;
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, data.data(), data.size());
    SHA256_Final(out.data(), &ctx);
    return out;
}

Uint256 Hash256(std::span<const uint8_t> data)
{
    const Uint256 first = Sha256Hash(data);
    return Sha256Hash(first.Span());
}

Uint256 Hash256Pair(const Uint256& a, const Uint256& b)
{
    uint8_t buf[64];
    std::memcpy(buf, a.data(), 32);
    std::memcpy(buf + 32, b.data(), 32);
    return Hash256(buf);
}

Uint160 Ripemd160(std::span<const uint8_t> data)
{
    Uint160 out;
    RIPEMD160_CTX ctx;
    RIPEMD160_Init(&ctx);
    RIPEMD160_Update(&ctx, data.data(), data.size());
    RIPEMD160_Final(out.data(), &ctx);
    return out;
}

Uint160 Hash160(std::span<const uint8_t> data)
{
    const Uint256 sha = Sha256Hash(data);
    return Ripemd160(sha.Span());
}

Uint160 Sha1(std::span<const uint8_t> data)
{
    Uint160 out;
    SHA_CTX ctx;
    SHA1_Init(&ctx);
    SHA1_Update(&ctx, data.data(), data.size());
    SHA1_Final(out.data(), &ctx);
    return out;
}

void HmacSha512(std::span<const uint8_t> key, std::span<const uint8_t> data, uint8_t out[64])
{
    unsigned int len = 64;
    HMAC(EVP_sha512(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out, &len);
}

Uint256 HashWriter::GetHash()
{
    uint8_t first[32];
    m_ctx.Finalize(first);
    return Sha256Hash(first);
}

Uint256 HashWriter::GetSha256()
{
    Uint256 out;
    m_ctx.Finalize(out.data());
    return out;
}

HashWriter TaggedHash(std::string_view tag)
{
    const Uint256 taghash =
        Sha256Hash(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(tag.data()), tag.size()));
    Sha256 ctx;
    ctx.Write(taghash.Span()).Write(taghash.Span());
    return HashWriter(ctx);
}

} // namespace consensus
