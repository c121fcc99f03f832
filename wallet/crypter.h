// Wallet encryption (Core's wallet/crypter.*): a random 32-byte master key encrypts every secret
// record with AES-256-CBC; the master key itself is stored encrypted under a key and IV derived
// from the passphrase (Core's EVP_BytesToKey-style SHA-512 iterations over passphrase || salt,
// a random 8-byte salt, the iteration count calibrated to ~100 ms and at least 25000).
// Pure functions over OpenSSL EVP; no I/O, no threads. Key material lives in SecureBytes /
// SecureString, whose memory is wiped (OPENSSL_cleanse) when it is freed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace wallet {

/** An allocator that wipes memory before it is released (Core's secure_allocator, without mlock). */
template <typename T>
struct WipingAllocator {
    using value_type = T;
    WipingAllocator() noexcept = default;
    template <typename U>
    WipingAllocator(const WipingAllocator<U>&) noexcept
    {}
    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept;
    template <typename U>
    bool operator==(const WipingAllocator<U>&) const noexcept
    {
        return true;
    }
};
/** Wipes n bytes at p in a way the compiler keeps (OPENSSL_cleanse). */
void WipeMemory(void* p, std::size_t n) noexcept;
template <typename T>
void WipingAllocator<T>::deallocate(T* p, std::size_t n) noexcept
{
    WipeMemory(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
}

using SecureBytes = std::vector<uint8_t, WipingAllocator<uint8_t>>;
/**
 * A passphrase. Its heap buffer is wiped when freed; a short one may sit in the string object
 * itself (small-string optimisation), so callers reserve() first as Core does.
 */
using SecureString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;

inline constexpr size_t WALLET_CRYPTO_KEY_SIZE = 32;
inline constexpr size_t WALLET_CRYPTO_SALT_SIZE = 8;
inline constexpr size_t WALLET_CRYPTO_IV_SIZE = 16;
/** Core's floor for the derivation's iteration count. */
inline constexpr uint32_t MIN_DERIVE_ITERATIONS = 25000;
/** Core's nDerivationMethod 0: the SHA-512 iterations below; the only one defined. */
inline constexpr uint32_t DERIVE_METHOD_SHA512 = 0;
/** A bound on a stored count, so a damaged record cannot make an unlock run for days. */
inline constexpr uint32_t MAX_DERIVE_ITERATIONS = 1u << 30;

/** The stored form of the master key (Core's CMasterKey): "mkey" record. */
struct MasterKeyRecord {
    std::vector<uint8_t> crypted_key; //!< AES-256-CBC of the 32-byte master key under the passphrase's key
    std::vector<uint8_t> salt;        //!< WALLET_CRYPTO_SALT_SIZE random bytes
    uint32_t method{DERIVE_METHOD_SHA512};
    uint32_t iterations{MIN_DERIVE_ITERATIONS};
    /**
     * The first 16 bytes of SHA-256d of the master key: confirms that what decrypted is the
     * master key (a wrong passphrase already fails the padding and the 32-byte size but for
     * about 2^-128; this also catches a swapped or forged record). Reveals nothing usable: the
     * master key is 256 random bits.
     */
    std::vector<uint8_t> check;
};

/**
 * The passphrase's key and IV: SHA-512(passphrase || salt), hashed again iterations-1 times;
 * the key is the first 32 bytes of the result, the IV the next 16 (Core's BytesToKeySHA512AES).
 * False when method is unknown or iterations is 0.
 */
bool DeriveKeyFromPassphrase(const SecureString& passphrase, std::span<const uint8_t> salt, uint32_t iterations,
                             uint32_t method, SecureBytes& key, SecureBytes& iv);

/** AES-256-CBC with PKCS#7 padding. False on a bad key/IV size or an OpenSSL failure. */
bool AesCbcEncrypt(std::span<const uint8_t> key, std::span<const uint8_t> iv, std::span<const uint8_t> plain,
                   std::vector<uint8_t>& out);
/** The inverse; false (out wiped) when the padding is wrong, i.e. most often a wrong key. */
bool AesCbcDecrypt(std::span<const uint8_t> key, std::span<const uint8_t> iv, std::span<const uint8_t> cipher,
                   SecureBytes& out);

/** Cryptographically random bytes (OpenSSL RAND_bytes); false if the generator fails. */
bool RandomBytes(std::span<uint8_t> out);

/**
 * Core's calibration: times `MIN_DERIVE_ITERATIONS` rounds, scales to ~target_ms, times that
 * count, and averages the two estimates; never below MIN_DERIVE_ITERATIONS. elapsed_ms (tests
 * inject it) measures one derivation of the given count; empty: the steady clock.
 */
uint32_t CalibrateIterations(const SecureString& passphrase, std::span<const uint8_t> salt, int64_t target_ms = 100,
                             const std::function<double(uint32_t)>& elapsed_ms = {});

/**
 * Makes a record for master_key under passphrase with a fresh salt and a calibrated count
 * (iterations: given; 0: calibrate). nullopt if randomness or encryption fails.
 */
std::optional<MasterKeyRecord> MakeMasterKeyRecord(const SecureBytes& master_key, const SecureString& passphrase,
                                                   uint32_t iterations = 0);
/** The master key record holds, if passphrase is the right one; nullopt otherwise. */
std::optional<SecureBytes> OpenMasterKeyRecord(const MasterKeyRecord& record, const SecureString& passphrase);

/**
 * A secret record under the master key: a fresh random IV, then AES-256-CBC of secret. (A
 * random IV rather than Core's one derived from the public key: the record id is the public
 * descriptor's, which a user may import again with other secrets.)
 */
std::optional<std::vector<uint8_t>> EncryptSecret(const SecureBytes& master_key, std::span<const uint8_t> secret);
/** The inverse; nullopt when the record is too short or does not decrypt under master_key. */
std::optional<SecureBytes> DecryptSecret(const SecureBytes& master_key, std::span<const uint8_t> record);

} // namespace wallet
