// Hash functions over OpenSSL's SHA-256 / RIPEMD-160 / SHA-1 (SHA-NI accelerated where
// the CPU has it): double SHA-256, HASH160, BIP-340 tagged hashes, HMAC-SHA512.
#pragma once

#include "consensus/uint256.h"

#include <openssl/sha.h>

#include <cstdint>
#include <span>
#include <string_view>

namespace consensus {

/** Incremental SHA-256. Not thread-safe; copy it to fork a midstate. */
class Sha256 {
public:
    static constexpr size_t OUTPUT_SIZE = 32;
    Sha256();
    Sha256& Write(std::span<const uint8_t> data);
    void Finalize(uint8_t out[OUTPUT_SIZE]);
    Sha256& Reset();

private:
    SHA256_CTX m_ctx;
};

/** SHA-256 of data. */
Uint256 Sha256Hash(std::span<const uint8_t> data);
/** SHA-256(SHA-256(data)): txids, block hashes, checksums. */
Uint256 Hash256(std::span<const uint8_t> data);
/** Double SHA-256 of the concatenation of two 32-byte values (merkle nodes). */
Uint256 Hash256Pair(const Uint256& a, const Uint256& b);
/** RIPEMD-160(SHA-256(data)). */
Uint160 Hash160(std::span<const uint8_t> data);
/** RIPEMD-160 of data. */
Uint160 Ripemd160(std::span<const uint8_t> data);
/** SHA-1 of data (OP_SHA1 only). */
Uint160 Sha1(std::span<const uint8_t> data);
/** HMAC-SHA512(key, data) into out[64] (BIP-32). */
void HmacSha512(std::span<const uint8_t> key, std::span<const uint8_t> data, uint8_t out[64]);

/** A stream that hashes what is serialized into it. */
class HashWriter {
public:
    HashWriter() = default;
    explicit HashWriter(const Sha256& midstate) : m_ctx(midstate) {}
    void Write(std::span<const uint8_t> data)
    {
        m_ctx.Write(data);
        m_size += data.size();
    }
    /** Bytes written so far. */
    size_t Size() const { return m_size; }
    /** Double SHA-256 of everything written. Consumes the writer. */
    Uint256 GetHash();
    /** Single SHA-256 of everything written. Consumes the writer. */
    Uint256 GetSha256();

    template <typename T>
    HashWriter& operator<<(const T& obj)
    {
        obj.Serialize(*this);
        return *this;
    }

private:
    Sha256 m_ctx;
    size_t m_size{0};
};

/** A HashWriter primed with SHA256(tag)||SHA256(tag), per BIP-340. Cache it for hot tags. */
HashWriter TaggedHash(std::string_view tag);

} // namespace consensus
