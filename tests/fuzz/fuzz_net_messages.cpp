// libFuzzer target: P2P message payload decoding (net/messages.h, net/compact_blocks.h,
// net/net_address.h). Byte 0 picks the message type, the rest is its payload. Any input either
// fails with consensus::DecodeError (LimitError included) or decodes to a value that encodes,
// decodes again from all of those bytes to the same value, and encodes again to the same
// bytes; for the types whose encoding is canonical the encoding is also exactly the bytes
// consumed. Decoded addresses print and parse back (IP) and are classified without fault.
#include "fuzz_common.h"

#include "consensus/serialize.h"
#include "net/compact_blocks.h"
#include "net/messages.h"
#include "net/net_address.h"

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace {

/** Serialize-style adapters so one checker handles every type. */
struct AddrV1 {
    net::AddrMessage m;
    template <typename W>
    void Serialize(W& w) const
    {
        m.SerializeV1(w);
    }
    static AddrV1 Deserialize(consensus::ByteReader& r) { return {net::AddrMessage::DeserializeV1(r)}; }
    bool operator==(const AddrV1&) const = default;
};
struct AddrV2 {
    net::AddrMessage m;
    template <typename W>
    void Serialize(W& w) const
    {
        m.SerializeV2(w);
    }
    static AddrV2 Deserialize(consensus::ByteReader& r) { return {net::AddrMessage::DeserializeV2(r)}; }
    bool operator==(const AddrV2&) const = default;
};

template <typename T>
std::vector<uint8_t> Encode(const T& m)
{
    std::vector<uint8_t> out;
    consensus::ByteWriter w(out);
    m.Serialize(w);
    return out;
}

void CheckService(const net::Service& s)
{
    const net::NetAddress& a = s.Address();
    (void)a.IsRoutable();
    const auto group = a.GetGroup();
    fuzz::Check(!group.empty() && group.size() <= 6, "group size");
    const std::string text = s.ToString();
    if (a.IsAddrV1Compatible() && a.IsValid()) {
        const auto back = net::ParseService(text, 1);
        fuzz::Check(back.has_value() && *back == s, "service text does not parse back", text);
    }
}

/** Decode, then the round-trip properties; returns the value when it decoded. */
template <typename T>
std::optional<T> RoundTrip(std::span<const uint8_t> payload, bool canonical)
{
    consensus::ByteReader r(payload);
    std::optional<T> m;
    try {
        m = T::Deserialize(r);
    } catch (const consensus::DecodeError&) {
        return std::nullopt;
    }
    const std::vector<uint8_t> enc = Encode(*m);
    const auto consumed = r.Consumed();
    if (canonical) {
        fuzz::Check(enc.size() == consumed.size() && std::equal(enc.begin(), enc.end(), consumed.begin()),
                    "encoding differs from the bytes consumed");
    }
    consensus::ByteReader r2(enc);
    const T again = T::Deserialize(r2);
    fuzz::Check(r2.Empty(), "second decode leaves bytes");
    fuzz::Check(again == *m, "second decode differs");
    fuzz::Check(Encode(again) == enc, "second encoding differs");
    return m;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0) return 0;
    const std::span<const uint8_t> payload(data + 1, size - 1);
    switch (data[0] % 14) {
    case 0:
        // Not canonical: a relay byte other than 0/1, Tor v2 in an address.
        if (auto v = RoundTrip<net::VersionMessage>(payload, false)) {
            fuzz::Check(v->user_agent.size() <= net::MAX_SUBVERSION_LENGTH, "user agent over the limit");
            CheckService(v->addr_recv);
            CheckService(v->addr_from);
        }
        break;
    case 1: RoundTrip<net::EmptyMessage>(payload, true); break;
    case 2: RoundTrip<net::PingMessage>(payload, true); break;
    case 3:
        if (auto m = RoundTrip<net::InvMessage>(payload, true)) {
            fuzz::Check(m->items.size() <= net::MAX_INV_SZ, "inv over the limit");
        }
        break;
    case 4:
        if (auto m = RoundTrip<net::GetHeadersMessage>(payload, true)) {
            fuzz::Check(m->locator.size() <= net::MAX_LOCATOR_SZ, "locator over the limit");
        }
        break;
    case 5:
        // Not canonical: the ignored transaction counts are written as 0.
        if (auto m = RoundTrip<net::HeadersMessage>(payload, false)) {
            fuzz::Check(m->headers.size() <= net::MAX_HEADERS_RESULTS, "headers over the limit");
        }
        break;
    case 6:
        if (auto m = RoundTrip<AddrV1>(payload, false)) {
            fuzz::Check(m->m.entries.size() <= net::MAX_ADDR_TO_SEND, "addr over the limit");
            for (const auto& e : m->m.entries) CheckService(e.service);
        }
        break;
    case 7:
        // Not canonical: skipped entries (Tor v2, unknown ids) come back as the placeholder.
        if (auto m = RoundTrip<AddrV2>(payload, false)) {
            fuzz::Check(m->m.entries.size() <= net::MAX_ADDR_TO_SEND, "addrv2 over the limit");
            for (const auto& e : m->m.entries) CheckService(e.service);
        }
        break;
    case 8: RoundTrip<net::SendCmpctMessage>(payload, false); break;
    case 9: RoundTrip<net::FeeFilterMessage>(payload, true); break;
    case 10:
        if (auto m = RoundTrip<net::HeaderAndShortIDs>(payload, true)) {
            fuzz::Check(m->BlockTxCount() <= 0xffff, "cmpctblock over 65535 transactions");
            const auto keys = net::ShortIdKeys(m->header, m->nonce);
            for (const auto& p : m->prefilled) {
                fuzz::Check(net::ShortTxId(keys, p.tx->GetWtxid()) >> 48 == 0, "short id wider than 48 bits");
            }
        }
        break;
    case 11: RoundTrip<net::BlockTransactionsRequest>(payload, true); break;
    case 12: RoundTrip<net::BlockTransactions>(payload, true); break;
    case 13: {
        // Service text: what parses prints in canonical form, which parses to the same service.
        const auto text = fuzz::AsText(payload.data(), payload.size());
        if (const auto s = net::ParseService(text, 8333)) {
            const auto again = net::ParseService(s->ToString(), 1);
            fuzz::Check(again.has_value() && *again == *s, "printed service does not parse back", s->ToString());
            (void)s->Address().GetGroup();
        }
        break;
    }
    }
    return 0;
}
