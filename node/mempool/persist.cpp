#include "node/mempool/persist.h"

#include "consensus/serialize.h"
#include "node/mempool/txmempool.h"
#include "util/fs_util.h"

#include <openssl/rand.h>

namespace node::mempool {

namespace {

/** Smallest serialized transaction (for ReadCount's allocation check): version, 2 counts, one empty input, lock-time. */
constexpr size_t MIN_TX_BYTES = 4 + 1 + 41 + 1 + 4;

void Xor(std::span<uint8_t> data, const std::vector<uint8_t>& key, size_t offset)
{
    if (key.empty()) return;
    for (size_t i = 0; i < data.size(); ++i) data[i] ^= key[(offset + i) % key.size()];
}

} // namespace

std::vector<uint8_t> SerializeMempoolFile(const MempoolFile& file, const std::vector<uint8_t>& key)
{
    std::vector<uint8_t> out;
    consensus::ByteWriter w(out);
    consensus::WriteLE64(w, key.empty() ? MEMPOOL_DUMP_VERSION_NO_XOR_KEY : MEMPOOL_DUMP_VERSION);
    if (!key.empty()) {
        consensus::WriteCompactSize(w, key.size());
        w.Write(key);
    }
    const size_t body = out.size();
    consensus::WriteLE64(w, file.txs.size());
    for (const auto& r : file.txs) {
        r.tx->Serialize(w, consensus::TxWitness::WITH);
        consensus::WriteLE64(w, static_cast<uint64_t>(r.time));
        consensus::WriteLE64(w, static_cast<uint64_t>(r.fee_delta.sats));
    }
    consensus::WriteCompactSize(w, file.deltas.size());
    for (const auto& [txid, delta] : file.deltas) {
        w.Write(std::span<const uint8_t>(txid.begin(), txid.end()));
        consensus::WriteLE64(w, static_cast<uint64_t>(delta.sats));
    }
    consensus::WriteCompactSize(w, file.unbroadcast.size());
    for (const auto& txid : file.unbroadcast) w.Write(std::span<const uint8_t>(txid.begin(), txid.end()));
    // Core XORs by the position in the file, from the byte after the key on.
    Xor(std::span<uint8_t>(out).subspan(body), key, body);
    return out;
}

std::optional<MempoolFile> ParseMempoolFile(std::span<const uint8_t> data, std::string& error)
{
    std::vector<uint8_t> buf(data.begin(), data.end());
    try {
        consensus::ByteReader head(buf);
        const uint64_t version = consensus::ReadLE64(head);
        std::vector<uint8_t> key;
        if (version == MEMPOOL_DUMP_VERSION) {
            const uint64_t n = consensus::ReadCompactSize(head);
            if (n != 8) throw consensus::DecodeError("obfuscation key of " + std::to_string(n) + " bytes");
            auto k = head.ReadSpan(8);
            key.assign(k.begin(), k.end());
        } else if (version != MEMPOOL_DUMP_VERSION_NO_XOR_KEY) {
            error = "unknown mempool.dat version " + std::to_string(version);
            return std::nullopt;
        }
        const size_t body = head.Position();
        Xor(std::span<uint8_t>(buf).subspan(body), key, body);
        consensus::ByteReader r(std::span<const uint8_t>(buf).subspan(body));
        MempoolFile file;
        const uint64_t count = consensus::ReadLE64(r);
        // Each record takes at least a transaction and two 8-byte numbers: a count beyond what
        // the file can hold is corrupt (checked before reserving anything).
        if (count > r.Remaining() / (MIN_TX_BYTES + 16)) throw consensus::DecodeError("transaction count too large");
        file.txs.reserve(count);
        for (uint64_t i = 0; i < count; ++i) {
            MempoolFile::Record rec;
            rec.tx = consensus::MakeTransactionRef(
                consensus::MutableTransaction::Deserialize(r, consensus::TxWitness::WITH));
            rec.time = static_cast<int64_t>(consensus::ReadLE64(r));
            rec.fee_delta = consensus::Amount{static_cast<int64_t>(consensus::ReadLE64(r))};
            file.txs.push_back(std::move(rec));
        }
        const size_t ndeltas = consensus::ReadCount(r, 40);
        for (size_t i = 0; i < ndeltas; ++i) {
            consensus::Uint256 txid(r.ReadSpan(32));
            file.deltas[txid] = consensus::Amount{static_cast<int64_t>(consensus::ReadLE64(r))};
        }
        const size_t nunbroadcast = consensus::ReadCount(r, 32);
        for (size_t i = 0; i < nunbroadcast; ++i) file.unbroadcast.insert(consensus::Uint256(r.ReadSpan(32)));
        return file;
    } catch (const consensus::DecodeError& e) {
        error = std::string("corrupt mempool.dat: ") + e.what();
        return std::nullopt;
    }
}

bool DumpMempool(const TxMemPool& pool, const std::filesystem::path& path, std::string& error)
{
    MempoolFile file;
    for (const Entry& e : pool.GetAllSorted()) {
        file.txs.push_back(MempoolFile::Record{e.tx, e.time, e.fee_delta});
    }
    file.deltas = pool.GetFeeDeltas();
    // Deltas of pool transactions travel with their records (as Core writes them).
    for (const auto& r : file.txs) file.deltas.erase(r.tx->GetTxid());
    std::vector<uint8_t> key(8);
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
        error = "no randomness for the obfuscation key";
        return false;
    }
    const std::vector<uint8_t> bytes = SerializeMempoolFile(file, key);
    return util::WriteFileAtomic(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                                 error);
}

std::optional<MempoolFile> LoadMempoolFile(const std::filesystem::path& path, std::string& error)
{
    auto content = util::ReadFileToString(path);
    if (!content) {
        error = "cannot open " + path.string();
        return std::nullopt;
    }
    return ParseMempoolFile(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(content->data()), content->size()), error);
}

} // namespace node::mempool
