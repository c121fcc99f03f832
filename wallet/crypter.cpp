#include "wallet/crypter.h"

#include "consensus/hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <memory>

namespace wallet {

namespace {

struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

/** The check bytes of a master key (see MasterKeyRecord::check). */
std::vector<uint8_t> KeyCheck(const SecureBytes& master_key)
{
    consensus::Uint256 h = consensus::Hash256(master_key);
    std::vector<uint8_t> out(h.data(), h.data() + 16);
    WipeMemory(h.data(), h.size());
    return out;
}

} // namespace

void WipeMemory(void* p, std::size_t n) noexcept
{
    if (p && n) OPENSSL_cleanse(p, n);
}

bool RandomBytes(std::span<uint8_t> out)
{
    return out.empty() || RAND_bytes(out.data(), static_cast<int>(out.size())) == 1;
}

bool DeriveKeyFromPassphrase(const SecureString& passphrase, std::span<const uint8_t> salt, uint32_t iterations,
                             uint32_t method, SecureBytes& key, SecureBytes& iv)
{
    if (method != DERIVE_METHOD_SHA512 || iterations == 0) return false;
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    if (!ctx) return false;
    SecureBytes buf(EVP_MAX_MD_SIZE);
    unsigned int len = 0;
    // Round one over passphrase || salt; each further round hashes the previous digest.
    if (EVP_DigestInit_ex(ctx.get(), EVP_sha512(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), passphrase.data(), passphrase.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), salt.data(), salt.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), buf.data(), &len) != 1) {
        return false;
    }
    for (uint32_t i = 1; i < iterations; ++i) {
        if (EVP_Digest(buf.data(), len, buf.data(), &len, EVP_sha512(), nullptr) != 1) return false;
    }
    if (len < WALLET_CRYPTO_KEY_SIZE + WALLET_CRYPTO_IV_SIZE) return false;
    key.assign(buf.begin(), buf.begin() + WALLET_CRYPTO_KEY_SIZE);
    iv.assign(buf.begin() + WALLET_CRYPTO_KEY_SIZE, buf.begin() + WALLET_CRYPTO_KEY_SIZE + WALLET_CRYPTO_IV_SIZE);
    return true;
}

bool AesCbcEncrypt(std::span<const uint8_t> key, std::span<const uint8_t> iv, std::span<const uint8_t> plain,
                   std::vector<uint8_t>& out)
{
    if (key.size() != WALLET_CRYPTO_KEY_SIZE || iv.size() != WALLET_CRYPTO_IV_SIZE) return false;
    if (plain.size() > (1u << 24)) return false;
    std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
    if (!ctx) return false;
    out.assign(plain.size() + 16, 0);
    int n1 = 0, n2 = 0;
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key.data(), iv.data()) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out.data(), &n1, plain.data(), static_cast<int>(plain.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out.data() + n1, &n2) != 1) {
        out.clear();
        return false;
    }
    out.resize(static_cast<size_t>(n1 + n2));
    return true;
}

bool AesCbcDecrypt(std::span<const uint8_t> key, std::span<const uint8_t> iv, std::span<const uint8_t> cipher,
                   SecureBytes& out)
{
    out.clear();
    if (key.size() != WALLET_CRYPTO_KEY_SIZE || iv.size() != WALLET_CRYPTO_IV_SIZE) return false;
    if (cipher.empty() || cipher.size() % 16 != 0 || cipher.size() > (1u << 24)) return false;
    std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
    if (!ctx) return false;
    out.assign(cipher.size() + 16, 0);
    int n1 = 0, n2 = 0;
    if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key.data(), iv.data()) != 1 ||
        EVP_DecryptUpdate(ctx.get(), out.data(), &n1, cipher.data(), static_cast<int>(cipher.size())) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), out.data() + n1, &n2) != 1) {
        WipeMemory(out.data(), out.size()); // clear() keeps the buffer: wipe what may hold plain text
        out.clear();
        return false;
    }
    out.resize(static_cast<size_t>(n1 + n2));
    return true;
}

uint32_t CalibrateIterations(const SecureString& passphrase, std::span<const uint8_t> salt, int64_t target_ms,
                             const std::function<double(uint32_t)>& elapsed_ms)
{
    auto measure = [&](uint32_t rounds) {
        if (elapsed_ms) return elapsed_ms(rounds);
        SecureBytes key, iv;
        const auto start = std::chrono::steady_clock::now();
        (void)DeriveKeyFromPassphrase(passphrase, salt, rounds, DERIVE_METHOD_SHA512, key, iv);
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    };
    auto scale = [&](uint32_t rounds, double ms) {
        const double r = static_cast<double>(rounds) * static_cast<double>(target_ms) / std::max(ms, 0.001);
        return static_cast<uint32_t>(std::clamp(r, 0.0, static_cast<double>(MAX_DERIVE_ITERATIONS)));
    };
    // As Core's EncryptWallet: a first estimate from MIN rounds, then the mean with a second one.
    const uint32_t first = std::max(scale(MIN_DERIVE_ITERATIONS, measure(MIN_DERIVE_ITERATIONS)), 1u);
    const uint32_t second = scale(first, measure(first));
    const uint32_t mean = static_cast<uint32_t>((static_cast<uint64_t>(first) + second) / 2);
    return std::clamp(mean, MIN_DERIVE_ITERATIONS, MAX_DERIVE_ITERATIONS);
}

std::optional<MasterKeyRecord> MakeMasterKeyRecord(const SecureBytes& master_key, const SecureString& passphrase,
                                                   uint32_t iterations)
{
    if (master_key.size() != WALLET_CRYPTO_KEY_SIZE) return std::nullopt;
    MasterKeyRecord rec;
    rec.salt.resize(WALLET_CRYPTO_SALT_SIZE);
    if (!RandomBytes(rec.salt)) return std::nullopt;
    rec.method = DERIVE_METHOD_SHA512;
    rec.iterations =
        iterations ? std::clamp(iterations, 1u, MAX_DERIVE_ITERATIONS) : CalibrateIterations(passphrase, rec.salt);
    SecureBytes key, iv;
    if (!DeriveKeyFromPassphrase(passphrase, rec.salt, rec.iterations, rec.method, key, iv)) return std::nullopt;
    if (!AesCbcEncrypt(key, iv, master_key, rec.crypted_key)) return std::nullopt;
    rec.check = KeyCheck(master_key);
    return rec;
}

std::optional<SecureBytes> OpenMasterKeyRecord(const MasterKeyRecord& record, const SecureString& passphrase)
{
    if (record.iterations == 0 || record.iterations > MAX_DERIVE_ITERATIONS) return std::nullopt;
    SecureBytes key, iv, master;
    if (!DeriveKeyFromPassphrase(passphrase, record.salt, record.iterations, record.method, key, iv)) {
        return std::nullopt;
    }
    if (!AesCbcDecrypt(key, iv, record.crypted_key, master)) return std::nullopt;
    if (master.size() != WALLET_CRYPTO_KEY_SIZE) return std::nullopt;
    if (!record.check.empty() && KeyCheck(master) != record.check) return std::nullopt;
    return master;
}

std::optional<std::vector<uint8_t>> EncryptSecret(const SecureBytes& master_key, std::span<const uint8_t> secret)
{
    std::vector<uint8_t> iv(WALLET_CRYPTO_IV_SIZE);
    if (!RandomBytes(iv)) return std::nullopt;
    std::vector<uint8_t> cipher;
    if (!AesCbcEncrypt(master_key, iv, secret, cipher)) return std::nullopt;
    iv.insert(iv.end(), cipher.begin(), cipher.end());
    return iv;
}

std::optional<SecureBytes> DecryptSecret(const SecureBytes& master_key, std::span<const uint8_t> record)
{
    if (record.size() <= WALLET_CRYPTO_IV_SIZE) return std::nullopt;
    SecureBytes out;
    if (!AesCbcDecrypt(master_key, record.first(WALLET_CRYPTO_IV_SIZE), record.subspan(WALLET_CRYPTO_IV_SIZE), out)) {
        return std::nullopt;
    }
    return out;
}

} // namespace wallet
