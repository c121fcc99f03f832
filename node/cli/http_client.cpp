// HttpClient: asynchronous Beast operations driven to completion on a private io_context,
// which gives blocking calls with real timeouts.
#include "node/cli/http_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>

namespace node::cli {

namespace beast = boost::beast;
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct HttpClient::Impl {
    asio::io_context ioc;
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    std::string host;

    void Expire(std::chrono::milliseconds timeout)
    {
        if (timeout.count() > 0) {
            stream->expires_after(timeout);
        } else {
            stream->expires_never();
        }
    }
    void RunAll()
    {
        ioc.restart();
        ioc.run();
    }
};

HttpClient::HttpClient() : m_impl(std::make_unique<Impl>()) {}
HttpClient::~HttpClient() { Close(); }

bool HttpClient::Connect(const std::string& host, uint16_t port, std::chrono::milliseconds timeout, std::string& error)
{
    Close();
    Impl& s = *m_impl;
    beast::error_code ec;
    tcp::resolver resolver(s.ioc);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec) {
        error = ec.message();
        return false;
    }
    s.stream.emplace(s.ioc);
    s.Expire(timeout);
    beast::error_code result = asio::error::would_block;
    s.stream->async_connect(results, [&](beast::error_code e, const tcp::endpoint&) { result = e; });
    s.RunAll();
    if (result) {
        error = result.message();
        s.stream.reset();
        return false;
    }
    s.host = host;
    s.buffer.clear();
    return true;
}

std::optional<HttpResponse> HttpClient::Request(const std::string& method, const std::string& target,
                                                const std::vector<std::pair<std::string, std::string>>& headers,
                                                const std::string& body, std::chrono::milliseconds timeout,
                                                std::string& error)
{
    Impl& s = *m_impl;
    if (!s.stream) {
        error = "not connected";
        return std::nullopt;
    }
    bhttp::request<bhttp::string_body> req;
    req.version(11);
    req.method_string(method);
    req.target(target);
    req.set(bhttp::field::host, s.host);
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    req.prepare_payload();

    beast::error_code result = asio::error::would_block;
    s.Expire(timeout);
    bhttp::async_write(*s.stream, req, [&](beast::error_code e, size_t) { result = e; });
    s.RunAll();
    if (result) {
        error = result.message();
        Close();
        return std::nullopt;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    result = asio::error::would_block;
    s.Expire(timeout);
    bhttp::async_read(*s.stream, s.buffer, parser, [&](beast::error_code e, size_t) { result = e; });
    s.RunAll();
    if (result) {
        error = result.message();
        Close();
        return std::nullopt;
    }
    auto res = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    for (const auto& field : res) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        out.headers[name] = std::string(field.value());
    }
    if (!res.keep_alive()) Close();
    return out;
}

bool HttpClient::IsOpen() const { return m_impl->stream.has_value() && m_impl->stream->socket().is_open(); }

void HttpClient::Close()
{
    Impl& s = *m_impl;
    if (s.stream) {
        beast::error_code ec;
        s.stream->socket().shutdown(tcp::socket::shutdown_both, ec);
        s.stream->socket().close(ec);
        s.stream.reset();
    }
    s.buffer.clear();
}

} // namespace node::cli
