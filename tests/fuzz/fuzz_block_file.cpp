// libFuzzer target: the block-file importer's reader and its out-of-order bookkeeping
// (node/chain/block_file_reader.*), as -loadblock and -reindex drive them.
//
// Input: byte 0 sets the bookkeeping's capacity (1..16 waiting blocks); the rest is a
// block file. Every record the reader returns must be framed in the input exactly as
// claimed (magic, LE32 length, payload at pos, 80 <= length <= 4,000,000), start after
// the previous one's magic, and read back identically with ReadAt. Records are linked by
// a small synthetic id space so that chains, duplicates, cycles and overflow are reached
// (real block hashes cannot be forged): payload byte 0 is the parent id, byte 1 the id,
// and an odd byte 2 makes the importer Reject() the record as "not a block". A record is
// imported when its parent id is known (id 0 is), then the records waiting for it are
// taken and imported in turn, read again with ReadAt as the importer does. At the end no
// waiting record may have a known parent, and every record is accounted for.

#include "consensus/limits.h"
#include "node/chain/block_file_reader.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

[[noreturn]] void Fail(const char* what)
{
    std::fprintf(stderr, "fuzz_block_file: %s\n", what);
    std::abort();
}

constexpr std::array<uint8_t, 4> MAGIC{0xf9, 0xbe, 0xb4, 0xd9};

consensus::Uint256 Id(uint8_t id)
{
    consensus::Uint256 h;
    h.data()[0] = id;
    return h;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace node::chain;
    if (size < 1) return 0;
    const size_t capacity = 1 + data[0] % 16;
    const std::string file(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::istringstream in(file);
    BlockFileReader reader(in, MAGIC);
    BlocksWithUnknownParent waiting(capacity);

    std::set<uint8_t> known{0};
    std::map<uint64_t, std::vector<uint8_t>> seen; // records by position
    size_t records = 0, rejected = 0, direct = 0, deferred = 0, merged = 0, dropped = 0, taken = 0;
    uint64_t last_magic = 0;
    bool first = true;
    while (auto rec = reader.Next()) {
        ++records;
        const auto& b = rec->bytes;
        // Framed exactly as claimed.
        if (rec->pos < 8 || rec->pos + b.size() > file.size()) Fail("record outside the input");
        if (b.size() < 80 || b.size() > consensus::MAX_BLOCK_SERIALIZED_SIZE) Fail("record length out of range");
        if (std::memcmp(file.data() + rec->pos - 8, MAGIC.data(), 4) != 0) Fail("no magic before the record");
        const auto* l = reinterpret_cast<const uint8_t*>(file.data() + rec->pos - 4);
        if ((uint32_t(l[0]) | uint32_t(l[1]) << 8 | uint32_t(l[2]) << 16 | uint32_t(l[3]) << 24) != b.size()) {
            Fail("length field differs from the record size");
        }
        if (std::memcmp(file.data() + rec->pos, b.data(), b.size()) != 0) Fail("payload differs from the input");
        if (!first && rec->pos - 8 <= last_magic) Fail("records out of order");
        first = false;
        last_magic = rec->pos - 8;
        if (b[2] & 1) {
            reader.Reject();
            ++rejected;
            continue;
        }
        seen.emplace(rec->pos, b);
        if (!known.count(b[0])) {
            const size_t before = waiting.Size();
            if (!waiting.Add(Id(b[0]), Id(b[1]), BlockRecordPos{0, rec->pos})) {
                if (before != waiting.Size() || before < capacity) Fail("Add refused below capacity");
                ++dropped;
            } else {
                if (waiting.Size() > capacity) Fail("more waiting than the capacity");
                ++deferred;
                if (waiting.Size() == before) ++merged; // the same id under the same parent again
            }
            continue;
        }
        ++direct;
        std::deque<std::vector<uint8_t>> queue{b};
        while (!queue.empty()) {
            const std::vector<uint8_t> cur = std::move(queue.front());
            queue.pop_front();
            if (!known.count(cur[0])) Fail("imported a record whose parent is unknown");
            known.insert(cur[1]);
            for (const auto& child : waiting.TakeChildren(Id(cur[1]))) {
                const auto again = reader.ReadAt(child.pos.pos);
                if (!again) Fail("ReadAt failed for a record Next returned");
                const auto it = seen.find(child.pos.pos);
                if (it == seen.end() || *again != it->second) Fail("ReadAt returned other bytes");
                if ((*again)[0] != cur[1] || Id((*again)[1]) != child.hash) Fail("child under the wrong parent");
                queue.push_back(*again);
                ++taken;
            }
        }
    }
    if (reader.ReadAt(0)) Fail("ReadAt before any possible record");
    for (const auto& [parent, entry] : waiting.Waiting()) {
        if (known.count(parent.data()[0])) Fail("a record still waits for a known parent");
    }
    // Every record is accounted for once; a deferred one was taken later, still waits, or merged.
    if (rejected + direct + deferred + dropped != records) Fail("records unaccounted for");
    if (taken + waiting.Size() + merged != deferred) Fail("deferred records unaccounted for");
    return 0;
}
