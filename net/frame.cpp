// Message framing (frame.h).
#include "net/frame.h"

#include "consensus/hash.h"
#include "consensus/serialize.h"

#include <algorithm>
#include <stdexcept>

namespace net {

std::string_view HeaderErrorString(HeaderError e)
{
    switch (e) {
    case HeaderError::NONE: return "ok";
    case HeaderError::WRONG_MAGIC: return "Wrong MessageStart";
    case HeaderError::OVERSIZED: return "Size too large";
    case HeaderError::BAD_COMMAND: return "Unable to decode message type";
    }
    return "unknown";
}

bool IsValidCommand(std::string_view command)
{
    if (command.empty() || command.size() > COMMAND_SIZE) return false;
    return std::all_of(command.begin(), command.end(), [](char c) { return c >= ' ' && c <= '~'; });
}

HeaderError DecodeHeader(std::span<const uint8_t, MESSAGE_HEADER_SIZE> bytes, const MessageStart& magic,
                         MessageHeader& out)
{
    if (!std::equal(magic.begin(), magic.end(), bytes.begin())) return HeaderError::WRONG_MAGIC;
    const auto field = bytes.subspan<4, COMMAND_SIZE>();
    const auto nul = std::find(field.begin(), field.end(), uint8_t{0});
    out.command.assign(field.begin(), nul);
    consensus::ByteReader r(bytes.subspan<16, 8>());
    out.length = consensus::ReadLE32(r);
    r.Read(out.checksum);
    // The length first: an oversized frame cannot be skipped, whatever its command.
    if (out.length > MAX_PROTOCOL_MESSAGE_LENGTH) return HeaderError::OVERSIZED;
    // Everything after the first NUL must be NUL too (Core: a command "ver\0ack" is malformed).
    if (!std::all_of(nul, field.end(), [](uint8_t b) { return b == 0; }) || !IsValidCommand(out.command)) {
        return HeaderError::BAD_COMMAND;
    }
    return HeaderError::NONE;
}

Checksum PayloadChecksum(std::span<const uint8_t> payload)
{
    const consensus::Uint256 h = consensus::Hash256(payload);
    Checksum c;
    std::copy_n(h.begin(), c.size(), c.begin());
    return c;
}

std::vector<uint8_t> FrameMessage(const MessageStart& magic, std::string_view command, std::span<const uint8_t> payload)
{
    if (!IsValidCommand(command)) throw std::invalid_argument("FrameMessage: malformed command");
    if (payload.size() > MAX_PROTOCOL_MESSAGE_LENGTH) throw std::invalid_argument("FrameMessage: payload too large");
    std::vector<uint8_t> out;
    out.reserve(MESSAGE_HEADER_SIZE + payload.size());
    out.insert(out.end(), magic.begin(), magic.end());
    out.insert(out.end(), command.begin(), command.end());
    out.resize(4 + COMMAND_SIZE, 0);
    consensus::ByteWriter w(out);
    consensus::WriteLE32(w, static_cast<uint32_t>(payload.size()));
    const Checksum c = PayloadChecksum(payload);
    out.insert(out.end(), c.begin(), c.end());
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

} // namespace net
