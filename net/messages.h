// Payloads of the P2P messages a node exchanges for blocks and addresses, with their wire
// encodings. Decoders throw consensus::DecodeError on malformed input (a count over its
// protocol limit throws the subclass LimitError, before anything is allocated) and read only
// what they need: bytes left after a payload are ignored, as Core ignores them (its message
// handlers never check that a payload was consumed). The wire layer checks framing and
// counts only, never consensus rules. Plain values: any thread.
#pragma once

#include "consensus/amount.h"
#include "consensus/primitives/block.h"
#include "consensus/serialize.h"
#include "consensus/uint256.h"
#include "net/net_address.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net {

/** Message type names (the frame's command), as Core's NetMsgType. */
namespace msg_type {
inline constexpr std::string_view VERSION = "version";
inline constexpr std::string_view VERACK = "verack";
inline constexpr std::string_view ADDR = "addr";
inline constexpr std::string_view ADDRV2 = "addrv2";
inline constexpr std::string_view SENDADDRV2 = "sendaddrv2";
inline constexpr std::string_view INV = "inv";
inline constexpr std::string_view GETDATA = "getdata";
inline constexpr std::string_view MERKLEBLOCK = "merkleblock";
inline constexpr std::string_view GETBLOCKS = "getblocks";
inline constexpr std::string_view GETHEADERS = "getheaders";
inline constexpr std::string_view TX = "tx";
inline constexpr std::string_view HEADERS = "headers";
inline constexpr std::string_view BLOCK = "block";
inline constexpr std::string_view GETADDR = "getaddr";
inline constexpr std::string_view MEMPOOL = "mempool";
inline constexpr std::string_view PING = "ping";
inline constexpr std::string_view PONG = "pong";
inline constexpr std::string_view NOTFOUND = "notfound";
inline constexpr std::string_view FILTERLOAD = "filterload";
inline constexpr std::string_view FILTERADD = "filteradd";
inline constexpr std::string_view FILTERCLEAR = "filterclear";
inline constexpr std::string_view SENDHEADERS = "sendheaders";
inline constexpr std::string_view FEEFILTER = "feefilter";
inline constexpr std::string_view SENDCMPCT = "sendcmpct";
inline constexpr std::string_view CMPCTBLOCK = "cmpctblock";
inline constexpr std::string_view GETBLOCKTXN = "getblocktxn";
inline constexpr std::string_view BLOCKTXN = "blocktxn";
inline constexpr std::string_view GETCFILTERS = "getcfilters";
inline constexpr std::string_view CFILTER = "cfilter";
inline constexpr std::string_view GETCFHEADERS = "getcfheaders";
inline constexpr std::string_view CFHEADERS = "cfheaders";
inline constexpr std::string_view GETCFCHECKPT = "getcfcheckpt";
inline constexpr std::string_view CFCHECKPT = "cfcheckpt";
inline constexpr std::string_view WTXIDRELAY = "wtxidrelay";
inline constexpr std::string_view SENDTXRCNCL = "sendtxrcncl";
} // namespace msg_type

/** Core's MAX_INV_SZ: most entries in an inv or getdata (and our limit for notfound). */
inline constexpr size_t MAX_INV_SZ = 50'000;
/** Core's MAX_LOCATOR_SZ: most hashes in a getheaders/getblocks locator (Core disconnects beyond). */
inline constexpr size_t MAX_LOCATOR_SZ = 101;
/** Core's MAX_HEADERS_RESULTS: most headers in one headers message. */
inline constexpr size_t MAX_HEADERS_RESULTS = 2'000;
/** Core's MAX_ADDR_TO_SEND: most entries in one addr or addrv2 message. */
inline constexpr size_t MAX_ADDR_TO_SEND = 1'000;
/** Core's MAX_SUBVERSION_LENGTH: longest user agent in a version message, in bytes. */
inline constexpr size_t MAX_SUBVERSION_LENGTH = 256;

/**
 * A count or length over a protocol limit, refused before anything is allocated. Core reads
 * such messages whole and then reacts per message, which the peer layer should copy: inv,
 * getdata, addr, addrv2 and headers over their limits are Misbehaving (discouraged); a long
 * locator disconnects; an oversized notfound is ignored; a long user agent is an exception Core
 * only logs (the handshake then never completes). Any other DecodeError Core only logs.
 */
struct LimitError : consensus::DecodeError {
    using consensus::DecodeError::DecodeError;
};

/** Service bits of the version message (Core's ServiceFlags). */
enum ServiceFlags : uint64_t {
    NODE_NONE = 0,
    NODE_NETWORK = 1 << 0,
    NODE_BLOOM = 1 << 2,
    NODE_WITNESS = 1 << 3,
    NODE_COMPACT_FILTERS = 1 << 6,
    NODE_NETWORK_LIMITED = 1 << 10,
    NODE_P2P_V2 = 1 << 11,
};

/**
 * version: what a node says about itself when it connects. The fields after addr_recv are
 * required here, except relay (absent before BIP-37's protocol 70001); Core also tolerates a
 * payload that stops earlier, which only nodes below its minimum version (31800) send.
 */
struct VersionMessage {
    int32_t version{0};
    uint64_t services{0};
    int64_t time{0};
    uint64_t addr_recv_services{0}; // services the sender believes the receiver has (Core ignores them)
    Service addr_recv;
    uint64_t addr_from_services{0}; // the sender's own services again (unused by Core)
    Service addr_from;
    uint64_t nonce{0};
    std::string user_agent; // at most MAX_SUBVERSION_LENGTH bytes, any bytes (Core sanitizes for display)
    int32_t start_height{0};
    std::optional<bool> relay; // absent: the peer relays transactions (Core's default true)

    /** Writes the fields; addresses in the legacy 16-byte form (logic_error for non-IP ones). */
    template <typename W>
    void Serialize(W& w) const;
    /** Reads a version payload; a user agent over MAX_SUBVERSION_LENGTH is a LimitError. */
    static VersionMessage Deserialize(consensus::ByteReader& r);
    bool operator==(const VersionMessage&) const = default;
};

/** A payload with no fields: verack, getaddr, mempool, sendheaders, sendaddrv2, wtxidrelay. */
struct EmptyMessage {
    template <typename W>
    void Serialize(W&) const
    {}
    /** Reads nothing; whatever follows is ignored, as Core does. */
    static EmptyMessage Deserialize(consensus::ByteReader&) { return {}; }
    bool operator==(const EmptyMessage&) const = default;
};

/** ping and pong: a nonce echoed back. */
struct PingMessage {
    uint64_t nonce{0};
    template <typename W>
    void Serialize(W& w) const
    {
        consensus::WriteLE64(w, nonce);
    }
    /** A payload under 8 bytes is a DecodeError (Core: a short pong is logged and ignored). */
    static PingMessage Deserialize(consensus::ByteReader& r) { return {consensus::ReadLE64(r)}; }
    bool operator==(const PingMessage&) const = default;
};

/** Inventory types (Core's GetDataMsg). */
enum InvType : uint32_t {
    MSG_TX = 1,
    MSG_BLOCK = 2,
    MSG_FILTERED_BLOCK = 3,
    MSG_CMPCT_BLOCK = 4,
    MSG_WTX = 5,
    MSG_WITNESS_FLAG = 1U << 30,
    MSG_WITNESS_BLOCK = MSG_BLOCK | MSG_WITNESS_FLAG,
    MSG_WITNESS_TX = MSG_TX | MSG_WITNESS_FLAG,
};

/** One inventory vector: a type (any value is decoded; unknown ones are the handler's concern) and a hash. */
struct Inv {
    uint32_t type{0};
    consensus::Uint256 hash;
    static constexpr size_t SIZE = 36;
    bool operator==(const Inv&) const = default;
};

/** inv, getdata and notfound: up to MAX_INV_SZ inventory vectors. */
struct InvMessage {
    std::vector<Inv> items;
    template <typename W>
    void Serialize(W& w) const;
    /**
     * More than MAX_INV_SZ entries is a LimitError. (Core ignores an oversized notfound
     * without punishment; the handler should not punish that one.)
     */
    static InvMessage Deserialize(consensus::ByteReader& r);
    bool operator==(const InvMessage&) const = default;
};

/** getheaders and getblocks: a block locator (newest first) and the hash to stop at (zero: none). */
struct GetHeadersMessage {
    uint32_t version{0}; // the sender's protocol version; Core writes and ignores it
    std::vector<consensus::Uint256> locator;
    consensus::Uint256 hash_stop;
    template <typename W>
    void Serialize(W& w) const;
    /** More than MAX_LOCATOR_SZ hashes is a LimitError (Core disconnects such a peer). */
    static GetHeadersMessage Deserialize(consensus::ByteReader& r);
    bool operator==(const GetHeadersMessage&) const = default;
};

/**
 * headers: up to MAX_HEADERS_RESULTS block headers, each followed on the wire by a CompactSize
 * transaction count, which Core reads and ignores (any value up to MAX_SIZE); it is not kept and
 * is written as 0.
 */
struct HeadersMessage {
    std::vector<consensus::BlockHeader> headers;
    template <typename W>
    void Serialize(W& w) const;
    /** More than MAX_HEADERS_RESULTS headers is a LimitError (Core: Misbehaving). */
    static HeadersMessage Deserialize(consensus::ByteReader& r);
    bool operator==(const HeadersMessage&) const = default;
};

/** One known address: when it was last seen (seconds since the epoch), its services and where it listens. */
struct AddressEntry {
    uint32_t time{0};
    uint64_t services{0};
    Service service;
    bool operator==(const AddressEntry&) const = default;
};

/**
 * addr (legacy, 30 bytes an entry: time, services LE64, 16-byte address, port) or addrv2
 * (BIP-155: time, services as CompactSize, network id, sized address, port), up to
 * MAX_ADDR_TO_SEND entries. Entries Core skips (Tor v2, unknown networks) decode to the
 * invalid placeholder address, so the list keeps its length; writing v1 skips nothing and
 * throws std::logic_error for a non-IP entry (send those in addrv2 only).
 */
struct AddrMessage {
    std::vector<AddressEntry> entries;
    template <typename W>
    void SerializeV1(W& w) const;
    template <typename W>
    void SerializeV2(W& w) const;
    /** More than MAX_ADDR_TO_SEND entries is a LimitError (Core: Misbehaving). */
    static AddrMessage DeserializeV1(consensus::ByteReader& r);
    /** As DeserializeV1, for addrv2; a bad address size is a DecodeError (NetAddress::DeserializeV2). */
    static AddrMessage DeserializeV2(consensus::ByteReader& r);
    bool operator==(const AddrMessage&) const = default;
};

/** sendcmpct (BIP-152): whether to announce blocks as cmpctblock (high bandwidth), and the version (1 or 2). */
struct SendCmpctMessage {
    bool announce{false}; // on the wire one byte; any non-zero byte reads as true, as in Core
    uint64_t version{0};
    template <typename W>
    void Serialize(W& w) const
    {
        consensus::WriteLE8(w, announce ? 1 : 0);
        consensus::WriteLE64(w, version);
    }
    static SendCmpctMessage Deserialize(consensus::ByteReader& r);
    bool operator==(const SendCmpctMessage&) const = default;
};

/** feefilter (BIP-133): the lowest fee rate, in satoshis per 1000 virtual bytes, the peer wants relayed. */
struct FeeFilterMessage {
    consensus::Amount fee_rate; // any int64 decodes; Core ignores values outside MoneyRange
    template <typename W>
    void Serialize(W& w) const
    {
        consensus::WriteLE64(w, static_cast<uint64_t>(fee_rate.sats));
    }
    static FeeFilterMessage Deserialize(consensus::ByteReader& r)
    {
        return {consensus::Amount(static_cast<int64_t>(consensus::ReadLE64(r)))};
    }
    bool operator==(const FeeFilterMessage&) const = default;
};

// ---- templates ----

/** Reads a count, refusing one above limit (LimitError) or above what the remaining bytes can hold. */
size_t ReadLimitedCount(consensus::ByteReader& r, size_t limit, size_t min_elem_size, const char* what);

template <typename W>
void VersionMessage::Serialize(W& w) const
{
    consensus::WriteLE32(w, static_cast<uint32_t>(version));
    consensus::WriteLE64(w, services);
    consensus::WriteLE64(w, static_cast<uint64_t>(time));
    consensus::WriteLE64(w, addr_recv_services);
    addr_recv.SerializeV1(w);
    consensus::WriteLE64(w, addr_from_services);
    addr_from.SerializeV1(w);
    consensus::WriteLE64(w, nonce);
    consensus::WriteBytes(
        w, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(user_agent.data()), user_agent.size()));
    consensus::WriteLE32(w, static_cast<uint32_t>(start_height));
    if (relay) consensus::WriteLE8(w, *relay ? 1 : 0);
}

template <typename W>
void InvMessage::Serialize(W& w) const
{
    consensus::WriteCompactSize(w, items.size());
    for (const Inv& inv : items) {
        consensus::WriteLE32(w, inv.type);
        w.Write(inv.hash.Span());
    }
}

template <typename W>
void GetHeadersMessage::Serialize(W& w) const
{
    consensus::WriteLE32(w, version);
    consensus::WriteCompactSize(w, locator.size());
    for (const auto& h : locator) w.Write(h.Span());
    w.Write(hash_stop.Span());
}

template <typename W>
void HeadersMessage::Serialize(W& w) const
{
    consensus::WriteCompactSize(w, headers.size());
    for (const auto& h : headers) {
        h.Serialize(w);
        consensus::WriteCompactSize(w, 0);
    }
}

template <typename W>
void AddrMessage::SerializeV1(W& w) const
{
    consensus::WriteCompactSize(w, entries.size());
    for (const auto& e : entries) {
        consensus::WriteLE32(w, e.time);
        consensus::WriteLE64(w, e.services);
        e.service.SerializeV1(w);
    }
}

template <typename W>
void AddrMessage::SerializeV2(W& w) const
{
    consensus::WriteCompactSize(w, entries.size());
    for (const auto& e : entries) {
        consensus::WriteLE32(w, e.time);
        consensus::WriteCompactSize(w, e.services);
        e.service.SerializeV2(w);
    }
}

} // namespace net
