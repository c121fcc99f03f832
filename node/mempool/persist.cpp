// mempool.dat reading and writing (see persist.h for the layout).
#include "node/mempool/persist.h"

#include "consensus/serialize.h"
#include "node/mempool/txmempool.h"
#include "util/fs_util.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <random>
#include <unistd.h>

namespace node::mempool {

using consensus::Amount;
using consensus::ByteReader;
using consensus::ByteWriter;
using consensus::Uint256;

namespace {
void Xor(std::span<uint8_t> bytes, size_t file_offset, const std::array<uint8_t, 8>& key)
{
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] ^= key[(file_offset + i) % key.size()];
}

bool WriteAll(int fd, const std::vector<uint8_t>& data)
{
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        done += static_cast<size_t>(n);
    }
    return true;
}
} // namespace

std::vector<uint8_t> SerializeMempoolFile(const MempoolFile& file, const std::optional<std::array<uint8_t, 8>>& key)
{
    std::vector<uint8_t> out;
    ByteWriter w(out);
    consensus::WriteLE64(w, key ? MEMPOOL_DUMP_VERSION : MEMPOOL_DUMP_VERSION_NO_XOR_KEY);
    if (key) consensus::WriteBytes(w, std::span<const uint8_t>(*key));
    const size_t body_start = out.size();
    consensus::WriteLE64(w, file.txs.size());
    for (const auto& rec : file.txs) {
        rec.tx->Serialize(w, consensus::TxWitness::WITH);
        consensus::WriteLE64(w, static_cast<uint64_t>(rec.time));
        consensus::WriteLE64(w, static_cast<uint64_t>(rec.fee_delta.sats));
    }
    consensus::WriteCompactSize(w, file.deltas.size());
    for (const auto& [txid, delta] : file.deltas) {
        w.Write(txid.Span());
        consensus::WriteLE64(w, static_cast<uint64_t>(delta.sats));
    }
    consensus::WriteCompactSize(w, file.unbroadcast.size());
    for (const auto& txid : file.unbroadcast) w.Write(txid.Span());
    if (key) Xor(std::span<uint8_t>(out).subspan(body_start), body_start, *key);
    return out;
}

std::optional<MempoolFile> ParseMempoolFile(std::span<const uint8_t> bytes, std::string& error)
{
    try {
        ByteReader header(bytes);
        MempoolFile file;
        file.version = consensus::ReadLE64(header);
        std::vector<uint8_t> body;
        if (file.version == MEMPOOL_DUMP_VERSION_NO_XOR_KEY) {
            body.assign(bytes.begin() + 8, bytes.end());
        } else if (file.version == MEMPOOL_DUMP_VERSION) {
            const auto key_bytes = consensus::ReadBytes(header);
            if (key_bytes.size() != 8) {
                error = "mempool.dat: obfuscation key of " + std::to_string(key_bytes.size()) + " bytes, expected 8";
                return std::nullopt;
            }
            std::array<uint8_t, 8> key;
            std::memcpy(key.data(), key_bytes.data(), 8);
            body.assign(bytes.begin() + header.Position(), bytes.end());
            Xor(body, header.Position(), key);
        } else {
            error = "mempool.dat: unknown version " + std::to_string(file.version);
            return std::nullopt;
        }
        ByteReader r(body);
        const uint64_t count = consensus::ReadLE64(r);
        // No reserve from the count: records are read one by one, so a hostile count only
        // runs into the end of the data.
        for (uint64_t i = 0; i < count; ++i) {
            MempoolFileTx rec;
            rec.tx = std::make_shared<const consensus::Transaction>(
                consensus::Transaction::Deserialize(r, consensus::TxWitness::WITH));
            rec.time = static_cast<int64_t>(consensus::ReadLE64(r));
            rec.fee_delta = Amount{static_cast<int64_t>(consensus::ReadLE64(r))};
            file.txs.push_back(std::move(rec));
        }
        const size_t ndeltas = consensus::ReadCount(r, 32 + 8);
        for (size_t i = 0; i < ndeltas; ++i) {
            Uint256 txid;
            r.Read(std::span<uint8_t>(txid.data(), Uint256::size()));
            file.deltas[txid] = Amount{static_cast<int64_t>(consensus::ReadLE64(r))};
        }
        const size_t nunbroadcast = consensus::ReadCount(r, 32);
        for (size_t i = 0; i < nunbroadcast; ++i) {
            Uint256 txid;
            r.Read(std::span<uint8_t>(txid.data(), Uint256::size()));
            file.unbroadcast.insert(txid);
        }
        return file;
    } catch (const std::exception& e) {
        error = std::string("mempool.dat: ") + e.what();
        return std::nullopt;
    }
}

bool DumpMempool(const TxMemPool& pool, const std::filesystem::path& path, std::string& error,
                 const std::set<Uint256>& unbroadcast)
{
    MempoolFile file;
    file.deltas = pool.GetFeeDeltas();
    for (const auto& e : pool.GetAllSorted()) {
        file.txs.push_back(MempoolFileTx{e.tx, e.time, e.fee_delta});
        file.deltas.erase(e.Txid()); // carried by the record itself, as Core writes it
    }
    file.unbroadcast = unbroadcast;
    std::array<uint8_t, 8> key;
    std::random_device rd;
    for (auto& b : key) b = static_cast<uint8_t>(rd());
    const std::vector<uint8_t> bytes = SerializeMempoolFile(file, key);

    const std::filesystem::path tmp = path.string() + ".new";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        error = "Unable to open " + tmp.string() + ": " + std::strerror(errno);
        return false;
    }
    if (!WriteAll(fd, bytes) || ::fsync(fd) != 0) {
        error = "Unable to write " + tmp.string() + ": " + std::strerror(errno);
        ::close(fd);
        ::unlink(tmp.c_str());
        return false;
    }
    if (::close(fd) != 0) {
        error = "Unable to close " + tmp.string() + ": " + std::strerror(errno);
        ::unlink(tmp.c_str());
        return false;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        error = "Unable to rename " + tmp.string() + " to " + path.string() + ": " + std::strerror(errno);
        ::unlink(tmp.c_str());
        return false;
    }
    // The rename is durable once the folder's entry is on disk (best effort, as Core's DirectoryCommit).
    std::string ignored;
    (void)util::FsyncPath(path.has_parent_path() ? path.parent_path() : std::filesystem::path("."), ignored);
    return true;
}

std::optional<MempoolFile> LoadMempoolFile(const std::filesystem::path& path, std::string& error)
{
    std::ifstream in(path, std::ios::binary);
    if (!in.good()) {
        error = "Failed to open mempool file " + path.string();
        return std::nullopt;
    }
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return ParseMempoolFile(bytes, error);
}

} // namespace node::mempool
