// The outcome of one storage read: the record is there, it is not, or the read failed.
// A failure (I/O error, checksum mismatch, undecodable record) is never an answer about
// the data: callers turn it into an error result and stop, never into "absent".
#pragma once

namespace node {

/** Found / absent / failed, like a LevelDB Status that tells NotFound from errors. */
enum class ReadStatus { FOUND, ABSENT, FAILED };

} // namespace node
