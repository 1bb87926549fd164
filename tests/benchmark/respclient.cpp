#include "respclient.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <charconv>
#include <stdexcept>

namespace stampede::bench {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string encodeCommand(const std::vector<std::string_view> &args)
{
    // Appends only: GCC 12 warns falsely (-Wrestrict) about "literal" + std::string.
    std::string out;
    out.push_back('*');
    out.append(std::to_string(args.size()));
    out.append("\r\n");
    for (const auto a : args) {
        out.push_back('$');
        out.append(std::to_string(a.size()));
        out.append("\r\n");
        out.append(a);
        out.append("\r\n");
    }
    return out;
}

namespace {

// The line at pos up to CRLF (excluded); nullopt if the CRLF has not arrived.
std::optional<std::string_view> line(std::string_view buf, std::size_t pos)
{
    const auto end = buf.find("\r\n", pos);
    if (end == std::string_view::npos)
        return std::nullopt;
    return buf.substr(pos, end - pos);
}

std::int64_t toInt(std::string_view s)
{
    std::int64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size())
        throw std::runtime_error("RESP: bad integer '" + std::string(s) + "'");
    return v;
}

} // namespace

bool parseResp(std::string_view buf, std::size_t &pos, RespValue &out)
{
    if (pos >= buf.size())
        return false;
    const auto head = line(buf, pos + 1);
    if (!head)
        return false;
    std::size_t next = pos + 1 + head->size() + 2;
    RespValue v;
    switch (buf[pos]) {
    case '+':
        v.type = RespValue::Type::Simple;
        v.text = std::string(*head);
        break;
    case '-':
        v.type = RespValue::Type::Error;
        v.text = std::string(*head);
        break;
    case ':':
        v.type = RespValue::Type::Integer;
        v.integer = toInt(*head);
        break;
    case '$': {
        const auto len = toInt(*head);
        if (len < 0) {
            v.type = RespValue::Type::Null;
            break;
        }
        const auto n = static_cast<std::size_t>(len);
        if (buf.size() < next + n + 2)
            return false;
        v.type = RespValue::Type::Bulk;
        v.text = std::string(buf.substr(next, n));
        next += n + 2;
        break;
    }
    case '*': {
        const auto count = toInt(*head);
        if (count < 0) {
            v.type = RespValue::Type::Null;
            break;
        }
        v.type = RespValue::Type::Array;
        for (std::int64_t i = 0; i < count; ++i) {
            RespValue e;
            if (!parseResp(buf, next, e))
                return false;
            v.elements.push_back(std::move(e));
        }
        break;
    }
    default:
        throw std::runtime_error(std::string("RESP: unexpected type byte '") + buf[pos] + "'");
    }
    out = std::move(v);
    pos = next;
    return true;
}

RespConnection::RespConnection()
    : m_socket(m_io)
{
}

bool RespConnection::connect(std::uint16_t port, std::string *error)
{
    boost::system::error_code ec;
    if (m_socket.is_open())
        m_socket.close(ec);
    m_socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port), ec);
    if (ec) {
        if (error)
            *error = ec.message();
        return false;
    }
    m_socket.set_option(tcp::no_delay(true), ec);
    m_buffer.clear();
    return true;
}

RespValue RespConnection::command(const std::vector<std::string_view> &args)
{
    asio::write(m_socket, asio::buffer(encodeCommand(args)));
    for (;;) {
        std::size_t pos = 0;
        RespValue v;
        if (parseResp(m_buffer, pos, v)) {
            m_buffer.erase(0, pos);
            return v;
        }
        char chunk[4096];
        const std::size_t n = m_socket.read_some(asio::buffer(chunk));
        m_buffer.append(chunk, n);
    }
}

} // namespace stampede::bench
