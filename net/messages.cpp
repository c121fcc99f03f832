// Message payload decoders (messages.h).
#include "net/messages.h"

namespace net {

using consensus::ByteReader;
using consensus::DecodeError;

size_t ReadLimitedCount(ByteReader& r, size_t limit, size_t min_elem_size, const char* what)
{
    const uint64_t n = consensus::ReadCompactSize(r);
    if (n > limit)
        throw LimitError(std::string(what) + ": count " + std::to_string(n) + " over " + std::to_string(limit));
    if (min_elem_size > 0 && n > r.Remaining() / min_elem_size) throw DecodeError(std::string(what) + ": truncated");
    return static_cast<size_t>(n);
}

VersionMessage VersionMessage::Deserialize(ByteReader& r)
{
    VersionMessage m;
    m.version = static_cast<int32_t>(consensus::ReadLE32(r));
    m.services = consensus::ReadLE64(r);
    m.time = static_cast<int64_t>(consensus::ReadLE64(r));
    m.addr_recv_services = consensus::ReadLE64(r);
    m.addr_recv = Service::DeserializeV1(r);
    m.addr_from_services = consensus::ReadLE64(r);
    m.addr_from = Service::DeserializeV1(r);
    m.nonce = consensus::ReadLE64(r);
    const uint64_t ua_len = consensus::ReadCompactSize(r);
    if (ua_len > MAX_SUBVERSION_LENGTH) throw LimitError("version: user agent longer than 256 bytes");
    const auto ua = r.ReadSpan(static_cast<size_t>(ua_len));
    m.user_agent.assign(ua.begin(), ua.end());
    m.start_height = static_cast<int32_t>(consensus::ReadLE32(r));
    if (!r.Empty()) m.relay = consensus::ReadLE8(r) != 0;
    return m;
}

InvMessage InvMessage::Deserialize(ByteReader& r)
{
    InvMessage m;
    const size_t n = ReadLimitedCount(r, MAX_INV_SZ, Inv::SIZE, "inv");
    m.items.resize(n);
    for (Inv& inv : m.items) {
        inv.type = consensus::ReadLE32(r);
        r.Read(std::span<uint8_t>(inv.hash.begin(), inv.hash.size()));
    }
    return m;
}

GetHeadersMessage GetHeadersMessage::Deserialize(ByteReader& r)
{
    GetHeadersMessage m;
    m.version = consensus::ReadLE32(r);
    const size_t n = ReadLimitedCount(r, MAX_LOCATOR_SZ, 32, "locator");
    m.locator.resize(n);
    for (auto& h : m.locator) r.Read(std::span<uint8_t>(h.begin(), h.size()));
    r.Read(std::span<uint8_t>(m.hash_stop.begin(), m.hash_stop.size()));
    return m;
}

HeadersMessage HeadersMessage::Deserialize(ByteReader& r)
{
    HeadersMessage m;
    const size_t n = ReadLimitedCount(r, MAX_HEADERS_RESULTS, consensus::BlockHeader::SIZE + 1, "headers");
    m.headers.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        m.headers.push_back(consensus::BlockHeader::Deserialize(r));
        (void)consensus::ReadCompactSize(r); // the transaction count: read and ignored, as Core
    }
    return m;
}

AddrMessage AddrMessage::DeserializeV1(ByteReader& r)
{
    AddrMessage m;
    const size_t n = ReadLimitedCount(r, MAX_ADDR_TO_SEND, 4 + 8 + ADDR_V1_SIZE + 2, "addr");
    m.entries.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        AddressEntry e;
        e.time = consensus::ReadLE32(r);
        e.services = consensus::ReadLE64(r);
        e.service = Service::DeserializeV1(r);
        m.entries.push_back(std::move(e));
    }
    return m;
}

AddrMessage AddrMessage::DeserializeV2(ByteReader& r)
{
    AddrMessage m;
    // Smallest entry: time (4), services (1), network id (1), length (1), port (2).
    const size_t n = ReadLimitedCount(r, MAX_ADDR_TO_SEND, 4 + 1 + 1 + 1 + 2, "addrv2");
    m.entries.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        AddressEntry e;
        e.time = consensus::ReadLE32(r);
        e.services = consensus::ReadCompactSize(r, /*range_check=*/false); // as Core: any 64-bit value
        e.service = Service::DeserializeV2(r);
        m.entries.push_back(std::move(e));
    }
    return m;
}

SendCmpctMessage SendCmpctMessage::Deserialize(ByteReader& r)
{
    SendCmpctMessage m;
    m.announce = consensus::ReadLE8(r) != 0;
    m.version = consensus::ReadLE64(r);
    return m;
}

} // namespace net
