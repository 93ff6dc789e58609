//! Just enough HTTP/1.1 for the lab: one request per connection, bodies
//! by Content-Length, and server-sent events. The lab serves one user on
//! loopback, so a thread per connection is plenty.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// Longest request line plus headers.
const MAX_HEAD: usize = 16 << 10;

/// A request.
#[derive(Debug)]
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, without the query string.
    pub path: String,
    /// The body.
    pub body: Vec<u8>,
}

/// Why a request could not be read: the status to answer and the message.
#[derive(Debug)]
pub struct BadRequest(pub u16, pub String);

/// Reads one request; bodies over `max_body` bytes are refused.
pub fn read_request(stream: &TcpStream, max_body: usize) -> Result<Request, BadRequest> {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    let mut content_length = 0usize;
    let mut line = String::new();
    let bad = |m: &str| BadRequest(400, m.to_string());
    loop {
        line.clear();
        let n = (&mut reader).take((MAX_HEAD - head.len().min(MAX_HEAD)) as u64 + 1).read_line(&mut line).map_err(|e| bad(&format!("cannot read the request: {e}")))?;
        if n == 0 {
            return Err(bad("the connection closed before the request ended"));
        }
        if head.len() + n > MAX_HEAD {
            return Err(BadRequest(431, "request headers too large".into()));
        }
        if line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            content_length = value.trim().parse().map_err(|_| bad("Content-Length is not a number"))?;
        }
        head.push_str(&line);
    }
    let mut words = head.lines().next().unwrap_or("").split_whitespace();
    let (Some(method), Some(target)) = (words.next(), words.next()) else {
        return Err(bad("malformed request line"));
    };
    if content_length > max_body {
        return Err(BadRequest(413, format!("the request body is {content_length} bytes; at most {max_body} are accepted")));
    }
    let mut body = vec![0u8; content_length];
    reader.read_exact(&mut body).map_err(|_| bad("the request body is shorter than its Content-Length"))?;
    let path = target.split('?').next().unwrap_or("/").to_string();
    Ok(Request { method: method.to_string(), path, body })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Writes a whole response and closes the exchange.
pub fn respond(mut stream: &TcpStream, status: u16, content_type: &str, body: &[u8], extra: &[(&str, &str)]) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        reason(status),
        body.len()
    );
    for (name, value) in extra {
        head += &format!("{name}: {value}\r\n");
    }
    head += "\r\n";
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

/// A JSON body `{"error": message}`.
pub fn error_json(message: &str) -> Vec<u8> {
    serde_json::json!({ "error": message }).to_string().into_bytes()
}

/// Starts a server-sent event stream.
pub fn start_events(mut stream: &TcpStream) -> std::io::Result<()> {
    stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n")?;
    stream.flush()
}

/// Sends one event (`data` must be one line, as JSON from serde is).
pub fn send_event(mut stream: &TcpStream, event: &str, data: &str) -> std::io::Result<()> {
    stream.write_all(format!("event: {event}\ndata: {data}\n\n").as_bytes())?;
    stream.flush()
}
