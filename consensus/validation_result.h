// The outcome of a consensus check: valid, invalid (the data's fault, with Core's reject
// reason) or error (our fault, e.g. a resource problem).
#pragma once

#include <string>
#include <utility>

namespace consensus {

/** Result of Check.../Accept.../Connect... functions. Inspect it: it is [[nodiscard]]. */
class [[nodiscard]] ValidationResult {
public:
    enum class Mode { VALID, INVALID, ERROR };

    ValidationResult() = default;
    static ValidationResult Valid() { return {}; }
    /** Invalid data; reject_reason is Core's string, e.g. "bad-txns-vin-empty". */
    static ValidationResult Invalid(std::string reject_reason, std::string debug = {})
    {
        return ValidationResult(Mode::INVALID, std::move(reject_reason), std::move(debug));
    }
    /** A failure on our side, not the data's. */
    static ValidationResult Error(std::string reason)
    {
        return ValidationResult(Mode::ERROR, std::move(reason), {});
    }

    bool IsValid() const { return m_mode == Mode::VALID; }
    bool IsInvalid() const { return m_mode == Mode::INVALID; }
    bool IsError() const { return m_mode == Mode::ERROR; }
    Mode GetMode() const { return m_mode; }
    const std::string& GetRejectReason() const { return m_reason; }
    const std::string& GetDebugMessage() const { return m_debug; }
    /** "reason" or "reason, debug". */
    std::string ToString() const { return m_debug.empty() ? m_reason : m_reason + ", " + m_debug; }

private:
    ValidationResult(Mode m, std::string r, std::string d) : m_mode(m), m_reason(std::move(r)), m_debug(std::move(d)) {}
    Mode m_mode{Mode::VALID};
    std::string m_reason;
    std::string m_debug;
};

} // namespace consensus
