// A small blocking HTTP/1.1 client (Boost.Beast behind a pimpl) for minicash-cli and tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace node::cli {

/** A received response; header names are lower-case. */
struct HttpResponse {
    int status{0};
    std::string body;
    std::map<std::string, std::string> headers;
};

/**
 * One connection to an HTTP server, reused across requests while the server keeps it alive.
 * Not thread-safe: use one client per thread. A timeout of zero means no timeout.
 */
class HttpClient {
public:
    HttpClient();
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    /** Connects to host:port; false with error (the system's message) when it cannot. */
    bool Connect(const std::string& host, uint16_t port, std::chrono::milliseconds timeout, std::string& error);
    /**
     * Sends a request and reads the full response. Returns nullopt with error when the
     * connection fails or times out (the connection is then closed).
     */
    std::optional<HttpResponse> Request(const std::string& method, const std::string& target,
                                        const std::vector<std::pair<std::string, std::string>>& headers,
                                        const std::string& body, std::chrono::milliseconds timeout, std::string& error);
    /** Whether the connection is open (the server may still have closed its side). */
    bool IsOpen() const;
    /** Closes the connection. */
    void Close();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace node::cli
