// libFuzzer target: the records the node reads back from its own databases and files
// (node/storage/): a coin of the UTXO set (consensus::Coin, as coins_db.cpp's DecodeCoin
// reads a chainstate value), the undo data of a transaction and of a block (undo.h, as
// BlockStore::ReadUndo reads rev*.dat), a block-index entry (DiskBlockIndex) and a blk-file
// bookkeeping record (BlockFileInfo), as BlockTreeDB reads them.
//
// The input goes through every decoder. Each either throws consensus::DecodeError or
// decodes a value that re-serializes to exactly the bytes it consumed and decodes again to
// the same value; a whole-record decode (what the stores accept: no trailing bytes, a coin
// not spent) must then agree. Any other exception, or a mismatch, aborts.

#include "consensus/coins.h"
#include "consensus/serialize.h"
#include "node/storage/block_store.h"
#include "node/storage/block_tree_db.h"
#include "node/storage/undo.h"
#include "tests/fuzz/fuzz_common.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace {

/** Decodes T from the front of input; checks the round trip and returns the value and its size. */
template <typename T>
std::optional<std::pair<T, size_t>> DecodePrefix(std::span<const uint8_t> input, const char* what)
{
    std::optional<T> value;
    size_t consumed = 0;
    try {
        consensus::ByteReader r(input);
        value = T::Deserialize(r);
        consumed = r.Position();
    } catch (const consensus::DecodeError&) {
        return std::nullopt;
    }
    const std::vector<uint8_t> bytes = consensus::SerializeToBytes(*value);
    fuzz::Check(bytes.size() == consumed && std::equal(bytes.begin(), bytes.end(), input.begin()),
                "record does not re-serialize to the bytes it was decoded from", what);
    consensus::ByteReader again(bytes);
    const T second = T::Deserialize(again);
    fuzz::Check(again.Empty() && consensus::SerializeToBytes(second) == bytes,
                "record decodes differently a second time", what);
    return std::make_pair(std::move(*value), consumed);
}

/** As the stores read a whole value: nullopt if malformed or followed by trailing bytes. */
template <typename T>
std::optional<T> DecodeWhole(std::span<const uint8_t> input)
{
    try {
        consensus::ByteReader r(input);
        T value = T::Deserialize(r);
        if (!r.Empty()) return std::nullopt;
        return value;
    } catch (const consensus::DecodeError&) {
        return std::nullopt;
    }
}

template <typename T>
void CheckRecord(std::span<const uint8_t> input, const char* what)
{
    const auto prefix = DecodePrefix<T>(input, what);
    const auto whole = DecodeWhole<T>(input);
    fuzz::Check(whole.has_value() == (prefix && prefix->second == input.size()), "whole-record decode disagrees", what);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::span<const uint8_t> input(data, size);

    CheckRecord<consensus::Coin>(input, "coin");
    // A chainstate value is a coin that is not spent (a null output is never stored).
    if (const auto coin = DecodeWhole<consensus::Coin>(input)) {
        fuzz::Check(coin->height <= 0x7fffffff, "coin height out of range");
        const std::vector<uint8_t> bytes = consensus::SerializeToBytes(*coin);
        fuzz::Check(bytes.size() == size, "coin size differs");
    }
    CheckRecord<node::TxUndo>(input, "tx undo");
    CheckRecord<node::BlockUndo>(input, "block undo");
    if (const auto undo = DecodeWhole<node::BlockUndo>(input)) {
        size_t coins = 0;
        for (const auto& tx : undo->txundo) coins += tx.prevouts.size();
        fuzz::Check(coins <= size, "more undo coins than input bytes");
    }
    CheckRecord<node::DiskBlockIndex>(input, "block index entry");
    if (const auto entry = DecodeWhole<node::DiskBlockIndex>(input)) {
        fuzz::Check(size == consensus::BlockHeader::SIZE + 7 * 4, "block index entry of the wrong size");
        (void)entry->header.GetHash();
    }
    CheckRecord<node::BlockFileInfo>(input, "block file info");
    return 0;
}
