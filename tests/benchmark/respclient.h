#pragma once

// A minimal client for the Redis protocol (RESP2): an encoder for commands, an incremental
// parser for replies, and a blocking connection for setup commands. Enough to load a script
// and call it; not a general Redis client.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stampede::bench {

struct RespValue {
    enum class Type { Simple, Error, Integer, Bulk, Null, Array };
    Type type = Type::Null;
    std::string text; // Simple, Error, Bulk
    std::int64_t integer = 0; // Integer
    std::vector<RespValue> elements; // Array
};

// "*N\r\n$len\r\narg\r\n..." for one command.
std::string encodeCommand(const std::vector<std::string_view> &args);

// Parses one reply from buf at pos. Returns true and advances pos past it, or false when the
// reply is not complete yet (pos unchanged). A malformed reply throws std::runtime_error.
bool parseResp(std::string_view buf, std::size_t &pos, RespValue &out);

// A blocking connection for a handful of commands (PING, SET, SCRIPT LOAD, GET).
class RespConnection {
public:
    RespConnection();
    // False (with *error) when nothing listens there.
    bool connect(std::uint16_t port, std::string *error);
    // Sends one command and waits for its reply; throws on I/O or protocol errors.
    RespValue command(const std::vector<std::string_view> &args);

private:
    boost::asio::io_context m_io;
    boost::asio::ip::tcp::socket m_socket;
    std::string m_buffer;
};

} // namespace stampede::bench
