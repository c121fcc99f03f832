// Message framing of the Bitcoin P2P protocol (v1 transport): every message is a 24-byte
// header (network magic, NUL-padded command, payload length, checksum) followed by the
// payload. The wire layer enforces frame limits only, never consensus rules.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace net {

/** Core's MAX_PROTOCOL_MESSAGE_LENGTH: the largest payload a peer may send, 4,000,000 bytes. */
inline constexpr uint32_t MAX_PROTOCOL_MESSAGE_LENGTH = 4'000'000;
/** Bytes in a message header: magic (4), command (12), length (4), checksum (4). */
inline constexpr size_t MESSAGE_HEADER_SIZE = 24;
/** Bytes of the command field (the message type, NUL-padded). */
inline constexpr size_t COMMAND_SIZE = 12;

/** The network magic that starts every message (ChainParams::message_start). */
using MessageStart = std::array<uint8_t, 4>;
/** The first 4 bytes of the payload's double SHA-256. */
using Checksum = std::array<uint8_t, 4>;

/** A decoded message header. */
struct MessageHeader {
    std::string command; // without its NUL padding
    uint32_t length{0};
    Checksum checksum{};
};

/**
 * Why a header was refused. As Core's v1 transport: a wrong magic or an oversized length
 * ends the connection (the stream cannot be resynchronised); a malformed command only
 * drops that message (its length is still trusted to skip it).
 */
enum class HeaderError { NONE, WRONG_MAGIC, OVERSIZED, BAD_COMMAND };

/** "Wrong MessageStart", "Size too large" or "Unable to decode message type" (Core's log words). */
std::string_view HeaderErrorString(HeaderError e);

/**
 * Decodes the header in bytes, which must hold MESSAGE_HEADER_SIZE bytes. out is filled
 * whenever the magic is right (also for BAD_COMMAND, so the caller can skip the payload).
 */
HeaderError DecodeHeader(std::span<const uint8_t, MESSAGE_HEADER_SIZE> bytes, const MessageStart& magic,
                         MessageHeader& out);

/**
 * True if command is a well-formed message type: 1 to 12 printable ASCII characters (as
 * Core's CMessageHeader::IsMessageTypeValid, which also requires NUL padding after it).
 */
bool IsValidCommand(std::string_view command);

/** The checksum of payload (first 4 bytes of its double SHA-256). */
Checksum PayloadChecksum(std::span<const uint8_t> payload);

/** Header and payload of one message, ready to send. command must be valid (else std::invalid_argument). */
std::vector<uint8_t> FrameMessage(const MessageStart& magic, std::string_view command,
                                  std::span<const uint8_t> payload);

} // namespace net
