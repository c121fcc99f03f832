// BIP-152 messages (net/compact_blocks.h): layouts written by hand from BIP-152's field
// tables, the differential index encoding and Core's 16-bit overflow checks, and the short id
// against values computed outside this code (Python's hashlib SHA-256 and an independent
// SipHash-2-4 checked against the SipHash paper's vector).
#include "net/compact_blocks.h"

#include "consensus/hex.h"
#include "net/siphash.h"

#include "net_test_util.h"

#include <catch2/catch.hpp>

namespace {

using net_test::DecodeAll;
using net_test::Encode;
using net_test::Hex;

template <typename T>
void Decode(const std::vector<uint8_t>& bytes)
{
    consensus::ByteReader r(bytes);
    (void)T::Deserialize(r);
}

constexpr std::string_view GENESIS_HEADER =
    "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f61"
    "7fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";

consensus::BlockHeader Genesis()
{
    const auto b = Hex(GENESIS_HEADER);
    consensus::ByteReader r(b);
    return consensus::BlockHeader::Deserialize(r);
}

/** A small segwit transaction (one input with a witness item, one output). */
consensus::TransactionRef MakeTx(uint8_t tag)
{
    consensus::MutableTransaction mtx;
    consensus::TxIn in;
    in.prevout = consensus::OutPoint(consensus::Uint256::ONE, tag);
    in.script_sig = consensus::Script(std::vector<uint8_t>{0x51});
    in.witness.stack.push_back({tag, 0x02});
    mtx.vin.push_back(in);
    mtx.vout.emplace_back(consensus::Amount(1000 + tag), consensus::Script(std::vector<uint8_t>{0x51}));
    return consensus::MakeTransactionRef(mtx);
}

std::string TxHex(const consensus::TransactionRef& tx)
{
    std::vector<uint8_t> out;
    consensus::ByteWriter w(out);
    tx->Serialize(w, consensus::TxWitness::WITH);
    return consensus::HexStr(out);
}

} // namespace

TEST_CASE("cmpctblock matches BIP-152's layout with differentially encoded prefilled indexes", "[net]")
{
    net::HeaderAndShortIDs m;
    m.header = Genesis();
    m.nonce = 0x0123456789abcdefULL;
    m.short_ids = {0x0000aabbccddeeffULL, 0x0000010203040506ULL};
    m.prefilled = {{0, MakeTx(1)}, {3, MakeTx(2)}};
    // header, nonce LE64, short id count, 6-byte LE ids, prefilled count, (index diff, tx)*:
    // indexes 0 and 3 are sent as 0 and 3 - 0 - 1 = 2.
    const std::string expected = std::string(GENESIS_HEADER) + "efcdab8967452301" + "02" + "ffeeddccbbaa" +
                                 "060504030201" + "02" + "00" + TxHex(m.prefilled[0].tx) + "02" +
                                 TxHex(m.prefilled[1].tx);
    CHECK(consensus::HexStr(Encode(m)) == expected);
    const auto back = DecodeAll<net::HeaderAndShortIDs>(Hex(expected));
    CHECK(back == m);
    CHECK(back.prefilled[1].index == 3);
    CHECK(back.prefilled[1].tx->GetWtxid() == m.prefilled[1].tx->GetWtxid());
    CHECK(back.BlockTxCount() == 4);

    // Indexes that do not increase cannot be written; nor can a short id over 48 bits.
    auto bad = m;
    bad.prefilled[1].index = 0;
    CHECK_THROWS_AS(Encode(bad), std::logic_error);
    bad = m;
    bad.short_ids[0] = 1ULL << 48;
    CHECK_THROWS_AS(Encode(bad), std::logic_error);
}

TEST_CASE("cmpctblock indexes that overflow 16 bits are decode errors", "[net]")
{
    const std::string head = std::string(GENESIS_HEADER) + "0000000000000000";
    const std::string tx = TxHex(MakeTx(1));
    // The largest index, 65535, as one difference: fine.
    CHECK(DecodeAll<net::HeaderAndShortIDs>(Hex(head + "00" + "01" + "fdffff" + tx)).prefilled[0].index == 65535);
    // A difference of 65536 does not fit (Core: "CompactSize exceeds limit of type").
    CHECK_THROWS_AS(Decode<net::HeaderAndShortIDs>(Hex(head + "00" + "01" + "fe00000100" + tx)),
                    consensus::DecodeError);
    // 65535 then a difference of 0: the absolute index 65536 overflows.
    CHECK_THROWS_AS(Decode<net::HeaderAndShortIDs>(Hex(head + "00" + "02" + "fdffff" + tx + "00" + tx)),
                    consensus::DecodeError);
    // 40000 then 30000: 70001 overflows although each difference fits.
    CHECK_THROWS_AS(Decode<net::HeaderAndShortIDs>(Hex(head + "00" + "02" + "fd409c" + tx + "fd3075" + tx)),
                    consensus::DecodeError);
    // Short ids and prefilled transactions together over 65535 (Core: "indexes overflowed 16 bits").
    std::string many = head + "fdffff" + std::string(65535 * 12, '0');
    CHECK_NOTHROW(Decode<net::HeaderAndShortIDs>(Hex(many + "00")));
    CHECK_THROWS_WITH(Decode<net::HeaderAndShortIDs>(Hex(many + "01" + "00" + tx)),
                      Catch::Matchers::Contains("overflowed 16 bits"));
    CHECK_THROWS_WITH(Decode<net::HeaderAndShortIDs>(Hex(head + "fe00000100" + std::string(65536 * 12, '0') + "00")),
                      Catch::Matchers::Contains("overflowed 16 bits"));
    // A short id count the payload cannot hold is refused before allocating.
    CHECK_THROWS_AS(Decode<net::HeaderAndShortIDs>(Hex(head + "fe00000002")), consensus::DecodeError);
    // Truncated anywhere: an error.
    const auto full = Hex(head + "01" + "010203040506" + "01" + "00" + tx);
    for (size_t n = 0; n < full.size(); ++n) {
        INFO(n);
        CHECK_THROWS_AS(Decode<net::HeaderAndShortIDs>({full.begin(), full.begin() + static_cast<long>(n)}),
                        consensus::DecodeError);
    }
}

TEST_CASE("getblocktxn encodes indexes differentially and refuses overflow", "[net]")
{
    net::BlockTransactionsRequest req;
    req.block_hash = consensus::Uint256::ONE;
    req.indexes = {0, 1, 2, 10, 65535};
    // block hash, count, differences 0 0 0 7 65524.
    const std::string expected = "01" + std::string(62, '0') + "05" + "000000" + "07" + "fdf4ff";
    CHECK(consensus::HexStr(Encode(req)) == expected);
    CHECK(DecodeAll<net::BlockTransactionsRequest>(Hex(expected)) == req);

    const std::string hash(64, '0');
    CHECK_THROWS_AS(Decode<net::BlockTransactionsRequest>(Hex(hash + "02" + "fdffff" + "00")), consensus::DecodeError);
    CHECK_THROWS_AS(Decode<net::BlockTransactionsRequest>(Hex(hash + "01" + "fe00000100")), consensus::DecodeError);
    // 65537 indexes cannot all fit in 16 bits: refused from the count, before allocating.
    CHECK_THROWS_WITH(Decode<net::BlockTransactionsRequest>(Hex(hash + "fe01000100" + std::string(65537 * 2, '0'))),
                      Catch::Matchers::Contains("getblocktxn"));
    // 65536 indexes 0..65535 are fine.
    net::BlockTransactionsRequest all;
    for (uint32_t i = 0; i <= 0xffff; ++i) all.indexes.push_back(static_cast<uint16_t>(i));
    CHECK(DecodeAll<net::BlockTransactionsRequest>(Encode(all)) == all);
    auto unsorted = req;
    std::swap(unsorted.indexes[0], unsorted.indexes[1]);
    CHECK_THROWS_AS(Encode(unsorted), std::logic_error);
}

TEST_CASE("blocktxn carries whole transactions with witnesses", "[net]")
{
    net::BlockTransactions bt;
    bt.block_hash = consensus::Uint256::ONE;
    bt.txn = {MakeTx(1), MakeTx(2)};
    const std::string expected = "01" + std::string(62, '0') + "02" + TxHex(bt.txn[0]) + TxHex(bt.txn[1]);
    CHECK(consensus::HexStr(Encode(bt)) == expected);
    const auto back = DecodeAll<net::BlockTransactions>(Hex(expected));
    CHECK(back == bt);
    CHECK(back.txn[0]->HasWitness());
    CHECK_THROWS_AS(Decode<net::BlockTransactions>(Hex("01" + std::string(62, '0') + "fe00000001")),
                    consensus::DecodeError);
    CHECK(DecodeAll<net::BlockTransactions>(Hex(std::string(64, '0') + "00")).txn.empty());
}

TEST_CASE("Short ids are SipHash-2-4 of the wtxid keyed by SHA256(header || nonce)", "[net]")
{
    // Expected values from Python: k0, k1 = struct.unpack('<QQ', sha256(genesis header +
    // pack('<Q', nonce)).digest()[:16]), and a separate SipHash-2-4 of the genesis coinbase's
    // txid bytes (it has no witness: wtxid = txid), masked to 48 bits.
    const auto keys = net::ShortIdKeys(Genesis(), 0x0123456789abcdefULL);
    CHECK(keys.first == 0x52f1458bc3816130ULL);
    CHECK(keys.second == 0xd82182c249af75c6ULL);
    const auto wtxid = consensus::Uint256::FromHex("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b");
    REQUIRE(wtxid);
    CHECK(net::ShortTxId(keys, *wtxid) == 0xd97c3183bdddULL);
    // Another nonce gives other keys.
    CHECK(net::ShortIdKeys(Genesis(), 0x0123456789abcdeeULL) != keys);
}
