// Helpers shared by the libFuzzer targets: a failure that aborts with a message (assert()
// is compiled out in the RelWithDebInfo fuzz build, so the targets never rely on it) and
// input splitting.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace fuzz {

/** Prints "fuzz: what" (and detail, if any) to stderr and aborts, which libFuzzer reports as a crash. */
[[noreturn]] inline void Fail(const char* what, const std::string& detail = "")
{
    std::fprintf(stderr, "fuzz: %s%s%s\n", what, detail.empty() ? "" : ": ", detail.c_str());
    std::abort();
}

/** Fails with what unless ok. */
inline void Check(bool ok, const char* what, const std::string& detail = "")
{
    if (!ok) Fail(what, detail);
}

/** The input as text (any bytes, NULs included). */
inline std::string_view AsText(const uint8_t* data, size_t size) { return {reinterpret_cast<const char*>(data), size}; }

/** Splits text at every sep (n separators give n + 1 pieces, empty ones included). */
inline std::vector<std::string> Split(std::string_view text, char sep)
{
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        const size_t pos = text.find(sep, start);
        if (pos == std::string_view::npos) {
            out.emplace_back(text.substr(start));
            return out;
        }
        out.emplace_back(text.substr(start, pos - start));
        start = pos + 1;
    }
}

} // namespace fuzz
