#include "node/storage/muhash.h"

#include "consensus/hash.h"

#include <openssl/bn.h>
#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace node {

namespace {

constexpr size_t NUM_BYTES = 384; // 3072 bits

struct BnFree {
    void operator()(BIGNUM* b) const { BN_free(b); }
};
struct CtxFree {
    void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

Bn NewBn()
{
    Bn b(BN_new());
    if (!b) throw std::runtime_error("MuHash3072: BN_new failed");
    return b;
}

/** The modulus 2^3072 - 1103717, the largest 3072-bit safe prime (as Core). */
const BIGNUM* Modulus()
{
    static const BIGNUM* const p = [] {
        BIGNUM* m = BN_new();
        BIGNUM* c = BN_new();
        if (!m || !c || !BN_set_bit(m, 3072) || !BN_set_word(c, 1103717) || !BN_sub(m, m, c)) {
            throw std::runtime_error("MuHash3072: cannot set up the modulus");
        }
        BN_free(c);
        return m;
    }();
    return p;
}

BN_CTX* Ctx()
{
    thread_local std::unique_ptr<BN_CTX, CtxFree> ctx(BN_CTX_new());
    if (!ctx) throw std::runtime_error("MuHash3072: BN_CTX_new failed");
    return ctx.get();
}

/** Core's ToNum3072: ChaCha20 keystream (key SHA-256(data), nonce and counter 0), 384 bytes, little-endian. */
Bn ToNum3072(std::span<const uint8_t> data)
{
    const consensus::Uint256 key = consensus::Sha256Hash(data);
    std::array<uint8_t, NUM_BYTES> zeros{};
    std::array<uint8_t, NUM_BYTES> stream{};
    const std::array<uint8_t, 16> iv{}; // 32-bit block counter 0, 96-bit nonce 0
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    int len = 0;
    const bool ok = ctx && EVP_EncryptInit_ex(ctx, EVP_chacha20(), nullptr, key.data(), iv.data()) == 1 &&
                    EVP_EncryptUpdate(ctx, stream.data(), &len, zeros.data(), static_cast<int>(zeros.size())) == 1 &&
                    len == static_cast<int>(NUM_BYTES);
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) throw std::runtime_error("MuHash3072: ChaCha20 failed");
    Bn n(BN_lebin2bn(stream.data(), static_cast<int>(stream.size()), nullptr));
    if (!n) throw std::runtime_error("MuHash3072: BN_lebin2bn failed");
    return n;
}

void MulMod(BIGNUM* acc, const BIGNUM* x)
{
    if (!BN_mod_mul(acc, acc, x, Modulus(), Ctx())) throw std::runtime_error("MuHash3072: BN_mod_mul failed");
}

} // namespace

struct MuHash3072::Num {
    Bn value;
};

MuHash3072::MuHash3072() : m_numerator(new Num{NewBn()}), m_denominator(new Num{NewBn()})
{
    if (!BN_one(m_numerator->value.get()) || !BN_one(m_denominator->value.get())) {
        throw std::runtime_error("MuHash3072: BN_one failed");
    }
}

MuHash3072::MuHash3072(std::span<const uint8_t> data) : MuHash3072() { Insert(data); }

MuHash3072::~MuHash3072() = default;

MuHash3072::MuHash3072(const MuHash3072& other)
    : m_numerator(new Num{Bn(BN_dup(other.m_numerator->value.get()))}),
      m_denominator(new Num{Bn(BN_dup(other.m_denominator->value.get()))})
{
    if (!m_numerator->value || !m_denominator->value) throw std::runtime_error("MuHash3072: BN_dup failed");
}

MuHash3072& MuHash3072::operator=(const MuHash3072& other)
{
    if (this != &other) {
        if (!BN_copy(m_numerator->value.get(), other.m_numerator->value.get()) ||
            !BN_copy(m_denominator->value.get(), other.m_denominator->value.get())) {
            throw std::runtime_error("MuHash3072: BN_copy failed");
        }
    }
    return *this;
}

void MuHash3072::Insert(std::span<const uint8_t> data) { MulMod(m_numerator->value.get(), ToNum3072(data).get()); }

void MuHash3072::Remove(std::span<const uint8_t> data) { MulMod(m_denominator->value.get(), ToNum3072(data).get()); }

MuHash3072& MuHash3072::operator*=(const MuHash3072& other)
{
    MulMod(m_numerator->value.get(), other.m_numerator->value.get());
    MulMod(m_denominator->value.get(), other.m_denominator->value.get());
    return *this;
}

MuHash3072& MuHash3072::operator/=(const MuHash3072& other)
{
    MulMod(m_numerator->value.get(), other.m_denominator->value.get());
    MulMod(m_denominator->value.get(), other.m_numerator->value.get());
    return *this;
}

consensus::Uint256 MuHash3072::Finalize() const
{
    Bn inverse = NewBn();
    if (!BN_mod_inverse(inverse.get(), m_denominator->value.get(), Modulus(), Ctx())) {
        throw std::runtime_error("MuHash3072: BN_mod_inverse failed");
    }
    Bn result(BN_dup(m_numerator->value.get()));
    if (!result) throw std::runtime_error("MuHash3072: BN_dup failed");
    MulMod(result.get(), inverse.get());
    std::array<uint8_t, NUM_BYTES> bytes{};
    if (BN_bn2lebinpad(result.get(), bytes.data(), static_cast<int>(bytes.size())) != static_cast<int>(bytes.size())) {
        throw std::runtime_error("MuHash3072: BN_bn2lebinpad failed");
    }
    return consensus::Sha256Hash(bytes);
}

} // namespace node
