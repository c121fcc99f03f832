#include "wallet/walletdb.h"

#include "consensus/serialize.h"

#include <span>

namespace wallet {

using consensus::ByteReader;
using consensus::ByteWriter;
using consensus::DecodeError;

namespace {

std::string ToString(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }
std::span<const uint8_t> Bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

void WriteStr(ByteWriter& w, std::string_view s) { consensus::WriteBytes(w, Bytes(s)); }
std::string ReadStr(ByteReader& r)
{
    auto v = consensus::ReadBytes(r);
    return std::string(v.begin(), v.end());
}

void RequireEnd(const ByteReader& r)
{
    if (r.Remaining() != 0) throw DecodeError("wallet record: trailing bytes");
}

} // namespace

std::string KeyWithId(std::string_view prefix, const consensus::Uint256& id)
{
    std::string k(prefix);
    k.append(reinterpret_cast<const char*>(id.data()), id.size());
    return k;
}

std::string ActiveKey(OutputType type, bool internal)
{
    std::string k(dbkeys::ACTIVE);
    k.push_back(static_cast<char>(type));
    k.push_back(internal ? 1 : 0);
    return k;
}

std::string MasterKeyKey()
{
    std::string k(dbkeys::MASTER_KEY);
    k.append("\x01\x00\x00\x00", 4);
    return k;
}

std::string EncodeDescriptor(const WalletDescriptor& d)
{
    std::vector<uint8_t> out;
    ByteWriter w(out);
    WriteStr(w, d.descriptor);
    consensus::WriteLE64(w, static_cast<uint64_t>(d.creation_time));
    consensus::WriteLE32(w, static_cast<uint32_t>(d.next_index));
    consensus::WriteLE8(w, d.internal ? 1 : 0);
    consensus::WriteLE8(w, d.type ? static_cast<uint8_t>(*d.type) + 1 : 0);
    // Written only when set, so records of wallets that never imported read as before; the
    // range start (an import's range not from 0) follows the end.
    if (d.range_end > 0 || d.range_start > 0) consensus::WriteLE32(w, static_cast<uint32_t>(d.range_end));
    if (d.range_start > 0) consensus::WriteLE32(w, static_cast<uint32_t>(d.range_start));
    return ToString(out);
}

WalletDescriptor DecodeDescriptor(std::string_view value)
{
    ByteReader r(Bytes(value));
    WalletDescriptor d;
    d.descriptor = ReadStr(r);
    d.creation_time = static_cast<int64_t>(consensus::ReadLE64(r));
    d.next_index = static_cast<int32_t>(consensus::ReadLE32(r));
    if (d.next_index < 0) throw DecodeError("wallet record: descriptor index out of range");
    d.internal = consensus::ReadLE8(r) != 0;
    const uint8_t type = consensus::ReadLE8(r);
    if (type > static_cast<uint8_t>(OutputType::BECH32M) + 1) throw DecodeError("wallet record: unknown output type");
    if (type) d.type = static_cast<OutputType>(type - 1);
    if (!r.Empty()) {
        d.range_end = static_cast<int32_t>(consensus::ReadLE32(r));
        if (d.range_end < 0) throw DecodeError("wallet record: descriptor range out of range");
    }
    if (!r.Empty()) {
        d.range_start = static_cast<int32_t>(consensus::ReadLE32(r));
        if (d.range_start < 0 || d.range_start > d.next_index) {
            throw DecodeError("wallet record: descriptor range start out of range");
        }
    }
    RequireEnd(r);
    return d;
}

std::string EncodeWalletTx(const WalletTx& wtx)
{
    std::vector<uint8_t> out;
    ByteWriter w(out);
    wtx.tx->Serialize(w, consensus::TxWitness::WITH);
    consensus::WriteLE8(w, static_cast<uint8_t>(wtx.state.kind));
    w.Write(std::span<const uint8_t>(wtx.state.block_hash.data(), wtx.state.block_hash.size()));
    consensus::WriteLE32(w, static_cast<uint32_t>(wtx.state.block_height));
    consensus::WriteLE32(w, static_cast<uint32_t>(wtx.state.index));
    consensus::WriteLE8(w, wtx.state.abandoned ? 1 : 0);
    consensus::WriteLE64(w, static_cast<uint64_t>(wtx.time_received));
    consensus::WriteLE64(w, static_cast<uint64_t>(wtx.block_time));
    consensus::WriteLE64(w, static_cast<uint64_t>(wtx.time_smart));
    consensus::WriteCompactSize(w, wtx.meta.size());
    for (const auto& [k, v] : wtx.meta) {
        WriteStr(w, k);
        WriteStr(w, v);
    }
    return ToString(out);
}

WalletTx DecodeWalletTx(std::string_view value)
{
    ByteReader r(Bytes(value));
    WalletTx wtx;
    wtx.tx = consensus::MakeTransactionRef(consensus::MutableTransaction::Deserialize(r));
    const uint8_t kind = consensus::ReadLE8(r);
    if (kind > static_cast<uint8_t>(TxState::Kind::BLOCK_CONFLICTED)) throw DecodeError("wallet record: bad tx state");
    wtx.state.kind = static_cast<TxState::Kind>(kind);
    r.Read(std::span<uint8_t>(wtx.state.block_hash.data(), wtx.state.block_hash.size()));
    wtx.state.block_height = static_cast<int32_t>(consensus::ReadLE32(r));
    wtx.state.index = static_cast<int32_t>(consensus::ReadLE32(r));
    wtx.state.abandoned = consensus::ReadLE8(r) != 0;
    wtx.time_received = static_cast<int64_t>(consensus::ReadLE64(r));
    wtx.block_time = static_cast<int64_t>(consensus::ReadLE64(r));
    wtx.time_smart = static_cast<int64_t>(consensus::ReadLE64(r));
    const size_t n = consensus::ReadCount(r, 2);
    for (size_t i = 0; i < n; ++i) {
        std::string k = ReadStr(r);
        wtx.meta[std::move(k)] = ReadStr(r);
    }
    RequireEnd(r);
    return wtx;
}

std::string EncodeBestBlock(const consensus::Uint256& hash, int32_t height)
{
    std::vector<uint8_t> out;
    ByteWriter w(out);
    w.Write(std::span<const uint8_t>(hash.data(), hash.size()));
    consensus::WriteLE32(w, static_cast<uint32_t>(height));
    return ToString(out);
}

std::pair<consensus::Uint256, int32_t> DecodeBestBlock(std::string_view value)
{
    ByteReader r(Bytes(value));
    consensus::Uint256 hash;
    r.Read(std::span<uint8_t>(hash.data(), hash.size()));
    const auto height = static_cast<int32_t>(consensus::ReadLE32(r));
    RequireEnd(r);
    return {hash, height};
}

std::string EncodeMasterKey(const MasterKeyRecord& m)
{
    std::vector<uint8_t> out;
    ByteWriter w(out);
    consensus::WriteBytes(w, m.crypted_key);
    consensus::WriteBytes(w, m.salt);
    consensus::WriteLE32(w, m.method);
    consensus::WriteLE32(w, m.iterations);
    consensus::WriteBytes(w, m.check);
    return ToString(out);
}

MasterKeyRecord DecodeMasterKey(std::string_view value)
{
    ByteReader r(Bytes(value));
    MasterKeyRecord m;
    m.crypted_key = consensus::ReadBytes(r);
    m.salt = consensus::ReadBytes(r);
    m.method = consensus::ReadLE32(r);
    m.iterations = consensus::ReadLE32(r);
    m.check = consensus::ReadBytes(r);
    RequireEnd(r);
    // A 32-byte key padded to 48; Core's 8-byte salt; a known method; a bounded count.
    if (m.crypted_key.size() != 48 || m.salt.size() != WALLET_CRYPTO_SALT_SIZE || m.method != DERIVE_METHOD_SHA512 ||
        m.iterations == 0 || m.iterations > MAX_DERIVE_ITERATIONS || m.check.size() != 16) {
        throw DecodeError("wallet record: bad master key");
    }
    return m;
}

std::string EncodeU64(uint64_t v)
{
    std::vector<uint8_t> out;
    ByteWriter w(out);
    consensus::WriteLE64(w, v);
    return ToString(out);
}

uint64_t DecodeU64(std::string_view value)
{
    ByteReader r(Bytes(value));
    const uint64_t v = consensus::ReadLE64(r);
    RequireEnd(r);
    return v;
}

} // namespace wallet
