// Raw numbers, the UniValue-style writer and a SAX-based parser (simdjson's parser first,
// nlohmann's for the final word).
#include "common/rpc/json.h"

#include <simdjson.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace common::rpc {

namespace {

constexpr size_t MAX_JSON_DEPTH = 512;
constexpr size_t MAX_FAST_PARSE_BYTES = 8u << 20;

bool IsJsonNumberLiteral(std::string_view s)
{
    size_t i = 0;
    if (i < s.size() && s[i] == '-') ++i;
    if (i >= s.size()) return false;
    if (s[i] == '0') {
        ++i;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    } else {
        return false;
    }
    if (i < s.size() && s[i] == '.') {
        ++i;
        const size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        if (i == start) return false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        const size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        if (i == start) return false;
    }
    return i == s.size();
}

void WriteString(const std::string& s, std::string& out)
{
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof(buf), "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

void Indent(unsigned indent, unsigned level, std::string& out) { out.append(size_t{indent} * level, ' '); }

void Write(const Json& v, unsigned indent, unsigned level, std::string& out)
{
    switch (v.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded: out += "null"; break;
    case Json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; break;
    case Json::value_t::number_integer: out += std::to_string(v.get<int64_t>()); break;
    case Json::value_t::number_unsigned: out += std::to_string(v.get<uint64_t>()); break;
    case Json::value_t::number_float: {
        const double d = v.get<double>();
        if (!std::isfinite(d)) {
            out += "null";
        } else {
            char buf[40];
            std::snprintf(buf, sizeof(buf), "%.16g", d);
            out += buf;
        }
        break;
    }
    case Json::value_t::string: WriteString(v.get_ref<const std::string&>(), out); break;
    case Json::value_t::binary:
        if (IsRawNumber(v)) {
            out += RawNumberText(v);
        } else {
            out += "null";
        }
        break;
    case Json::value_t::array: {
        out += '[';
        if (indent) out += '\n';
        size_t i = 0;
        for (const auto& e : v) {
            if (indent) Indent(indent, level, out);
            Write(e, indent, level + 1, out);
            if (++i != v.size()) out += ',';
            if (indent) out += '\n';
        }
        if (indent) Indent(indent, level - 1, out);
        out += ']';
        break;
    }
    case Json::value_t::object: {
        out += '{';
        if (indent) out += '\n';
        size_t i = 0;
        for (const auto& [key, e] : v.items()) {
            if (indent) Indent(indent, level, out);
            WriteString(key, out);
            out += ':';
            if (indent) out += ' ';
            Write(e, indent, level + 1, out);
            if (++i != v.size()) out += ',';
            if (indent) out += '\n';
        }
        if (indent) Indent(indent, level - 1, out);
        out += '}';
        break;
    }
    }
}

/**
 * Builds a Json from SAX events, optionally keeping decimal literals as raw numbers. A key
 * repeated in an object keeps its first value, as Core's UniValue (whose lookups find the
 * first); the later value is skipped and, when asked, reported with its path.
 */
class Builder {
public:
    using number_integer_t = Json::number_integer_t;
    using number_unsigned_t = Json::number_unsigned_t;
    using number_float_t = Json::number_float_t;
    using string_t = Json::string_t;
    using binary_t = Json::binary_t;

    Builder(bool keep_text, std::vector<JsonDuplicateKey>* duplicates)
        : m_keep_text(keep_text), m_duplicates(duplicates)
    {}

    bool null() { return Add(Json(nullptr)); }
    bool boolean(bool b) { return Add(Json(b)); }
    bool number_integer(number_integer_t n) { return Add(Json(n)); }
    bool number_unsigned(number_unsigned_t n) { return Add(Json(n)); }
    bool number_float(number_float_t d, const string_t& text)
    {
        if (m_keep_text) return Add(RawNumber(text));
        return Add(Json(d));
    }
    bool string(string_t& s) { return Add(Json(std::move(s))); }
    bool binary(binary_t&) { return false; }
    bool start_object(std::size_t) { return Open(Json::object()); }
    bool key(string_t& k)
    {
        m_key = std::move(k);
        return true;
    }
    bool end_object() { return Close(); }
    bool start_array(std::size_t) { return Open(Json::array()); }
    bool end_array() { return Close(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

    Json& Result() { return m_root; }

private:
    /** Stores v at the current position; nullptr when it repeats a key of its object (dropped). */
    Json* Insert(Json&& v)
    {
        if (m_stack.empty()) {
            m_root = std::move(v);
            return &m_root;
        }
        Json& parent = *m_stack.back();
        if (parent.is_array()) {
            parent.push_back(std::move(v));
            return &parent.back();
        }
        // One linear search, as operator[] of the ordered map would do anyway.
        auto [it, inserted] = parent.get_ref<Json::object_t&>().emplace(m_key, std::move(v));
        if (!inserted) {
            if (m_duplicates) m_duplicates->push_back({m_path, m_key});
            return nullptr;
        }
        return &it->second;
    }
    bool Add(Json&& v)
    {
        if (m_skip_depth == 0) Insert(std::move(v));
        return true;
    }
    bool Open(Json&& container)
    {
        if (m_stack.size() + m_skip_depth >= MAX_JSON_DEPTH) return false;
        if (m_skip_depth > 0) {
            ++m_skip_depth;
            return true;
        }
        std::string name;
        if (!m_stack.empty()) name = m_stack.back()->is_array() ? std::to_string(m_stack.back()->size()) : m_key;
        Json* slot = Insert(std::move(container));
        if (!slot) {
            m_skip_depth = 1; // a repeated key: skip its whole value
            return true;
        }
        if (!m_stack.empty()) m_path.push_back(std::move(name));
        m_stack.push_back(slot);
        return true;
    }
    bool Close()
    {
        if (m_skip_depth > 0) {
            --m_skip_depth;
            return true;
        }
        m_stack.pop_back();
        if (!m_path.empty() && m_stack.size() == m_path.size()) m_path.pop_back();
        return true;
    }

    bool m_keep_text;
    std::vector<JsonDuplicateKey>* m_duplicates;
    Json m_root;
    std::vector<Json*> m_stack;
    std::vector<std::string> m_path; // keys (array indexes as text) from the root to m_stack.back()
    size_t m_skip_depth{0};          // containers open inside a skipped value
    std::string m_key;
};

/**
 * Feeds a simdjson DOM value to the builder with the events nlohmann's SAX parser gives: a
 * non-negative integer is unsigned, a negative one an integer, a number with a fraction or an
 * exponent a float. False when the builder refuses (its depth limit).
 */
bool Walk(const simdjson::dom::element& v, Builder& b)
{
    using simdjson::dom::element_type;
    switch (v.type()) {
    case element_type::OBJECT:
        if (!b.start_object(0)) return false;
        for (const simdjson::dom::key_value_pair kv : simdjson::dom::object(v)) {
            std::string key(kv.key);
            b.key(key);
            if (!Walk(kv.value, b)) return false;
        }
        return b.end_object();
    case element_type::ARRAY:
        if (!b.start_array(0)) return false;
        for (const simdjson::dom::element child : simdjson::dom::array(v)) {
            if (!Walk(child, b)) return false;
        }
        return b.end_array();
    case element_type::INT64: {
        const int64_t i = int64_t(v);
        return i >= 0 ? b.number_unsigned(static_cast<uint64_t>(i)) : b.number_integer(i);
    }
    case element_type::UINT64: return b.number_unsigned(uint64_t(v));
    case element_type::DOUBLE: return b.number_float(double(v), {});
    case element_type::STRING: {
        std::string str{std::string_view(v)};
        return b.string(str);
    }
    case element_type::BOOL: return b.boolean(bool(v));
    case element_type::NULL_VALUE: return b.null();
    }
    return false;
}

/**
 * simdjson's validating parser (its fastest kernel for this CPU, chosen at run time): several
 * times nlohmann's speed on long strings, such as a block's hex in submitblock. nullopt on
 * anything it does not accept (numbers beyond 64 bits among them); the caller then asks
 * nlohmann, whose verdict stands. Not for keep_number_text, which needs a float's text.
 */
std::optional<Json> ParseFast(std::string_view text, std::vector<JsonDuplicateKey>* duplicates)
{
    // simdjson's parser takes ~14 bytes per byte of text while it works (its tape, string
    // and index buffers): past 8 MiB (a 4 MB block's hex fits) nlohmann reads instead.
    if (text.size() > MAX_FAST_PARSE_BYTES) return std::nullopt;
    // "-0" is nlohmann's signed integer 0 but simdjson's plain 0: such a text (or any with
    // "-0" in it, a date in a string say) is left to nlohmann.
    if (text.find("-0") != std::string_view::npos) return std::nullopt;
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(simdjson::padded_string(text)).get(root) != simdjson::SUCCESS) return std::nullopt;
    Builder builder(/*keep_text=*/false, duplicates);
    if (!Walk(root, builder)) return std::nullopt;
    return std::move(builder.Result());
}

} // namespace

Json RawNumber(std::string_view literal)
{
    if (!IsJsonNumberLiteral(literal)) throw std::invalid_argument("not a JSON number: " + std::string(literal));
    return Json::binary(std::vector<std::uint8_t>(literal.begin(), literal.end()), RAW_NUMBER_SUBTYPE);
}

bool IsRawNumber(const Json& value)
{
    if (!value.is_binary()) return false;
    const auto& bin = value.get_binary();
    return bin.has_subtype() && bin.subtype() == RAW_NUMBER_SUBTYPE;
}

std::string RawNumberText(const Json& value)
{
    if (!IsRawNumber(value)) return {};
    const auto& bin = value.get_binary();
    return std::string(bin.begin(), bin.end());
}

bool IsNumeric(const Json& value) { return value.is_number() || IsRawNumber(value); }

double NumericAsDouble(const Json& value)
{
    if (value.is_number()) return value.get<double>();
    if (IsRawNumber(value)) return std::strtod(RawNumberText(value).c_str(), nullptr);
    return 0;
}

std::string WriteJson(const Json& value, unsigned indent)
{
    std::string out;
    Write(value, indent, indent ? 1 : 0, out);
    return out;
}

std::optional<Json> ParseJson(std::string_view text, bool keep_number_text, std::vector<JsonDuplicateKey>* duplicates)
{
    if (!keep_number_text) {
        const size_t reported = duplicates ? duplicates->size() : 0;
        try {
            if (auto fast = ParseFast(text, duplicates)) return fast;
        } catch (const std::exception&) { // out of memory: nlohmann decides below
        }
        if (duplicates) duplicates->resize(reported); // what the refused attempt reported
    }
    Builder builder(keep_number_text, duplicates);
    bool ok = false;
    try {
        ok = Json::sax_parse(text.begin(), text.end(), &builder, nlohmann::detail::input_format_t::json, true);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (!ok) return std::nullopt;
    return std::move(builder.Result());
}

std::string JsonTypeName(const Json& value)
{
    if (IsRawNumber(value)) return "number";
    switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "bool";
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "array";
    case Json::value_t::string: return "string";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "number";
    default: return "null";
    }
}

} // namespace common::rpc
