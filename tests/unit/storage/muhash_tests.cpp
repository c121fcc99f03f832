// MuHash3072 against Bitcoin Core's own vector (crypto_tests.cpp, muhash_tests), and the
// set properties gettxoutsetinfo "muhash" relies on: order does not matter, removal undoes
// insertion.
#include "node/storage/muhash.h"

#include <catch2/catch.hpp>

#include <array>

using node::MuHash3072;

namespace {

/** Core's FromInt: the set holding the 32-byte string {i, 0, ..., 0}. */
MuHash3072 FromInt(uint8_t i)
{
    std::array<uint8_t, 32> data{};
    data[0] = i;
    return MuHash3072(data);
}

std::array<uint8_t, 32> Bytes32(uint8_t i)
{
    std::array<uint8_t, 32> data{};
    data[0] = i;
    return data;
}

} // namespace

TEST_CASE("MuHash3072 gives Bitcoin Core's hash for {0} * {1} / {2}", "[storage]")
{
    MuHash3072 acc = FromInt(0);
    acc *= FromInt(1);
    acc /= FromInt(2);
    CHECK(acc.Finalize().GetHex() == "10d312b100cbd32ada024a6646e40d3482fcff103668d2625f10002a607d5863");

    MuHash3072 acc2 = FromInt(0);
    acc2.Insert(Bytes32(1));
    acc2.Remove(Bytes32(2));
    CHECK(acc2.Finalize().GetHex() == "10d312b100cbd32ada024a6646e40d3482fcff103668d2625f10002a607d5863");
}

TEST_CASE("MuHash3072 ignores order, and removing an element undoes inserting it", "[storage]")
{
    MuHash3072 a, b, c;
    for (uint8_t i : {3, 9, 200, 17}) a.Insert(Bytes32(i));
    for (uint8_t i : {17, 200, 3, 9}) b.Insert(Bytes32(i));
    CHECK(a.Finalize() == b.Finalize());
    for (uint8_t i : {3, 9, 17}) c.Insert(Bytes32(i));
    CHECK(c.Finalize() != a.Finalize());
    c.Insert(Bytes32(200));
    CHECK(c.Finalize() == a.Finalize());
    c.Remove(Bytes32(9));
    MuHash3072 d;
    for (uint8_t i : {3, 17, 200}) d.Insert(Bytes32(i));
    CHECK(c.Finalize() == d.Finalize());

    // X * Y / (Y * X) is the empty set; copies are independent.
    MuHash3072 x = FromInt(5), y = FromInt(6), z;
    MuHash3072 yx = y;
    yx *= x;
    z *= x;
    z *= y;
    z /= yx;
    CHECK(z.Finalize() == MuHash3072().Finalize());
    CHECK(y.Finalize() == FromInt(6).Finalize());
}
