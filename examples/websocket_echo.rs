//! A WebSocket (RFC 6455) echo server and client on cogen's asyncio streams: what the study
//! notes set out to understand ("async came up with websockets", note 000). The handshake
//! is an HTTP upgrade answered with `Sec-WebSocket-Accept` (base64 of a SHA-1 of the key);
//! then messages go both ways as frames, masked from the client, fragmented or not, with
//! ping/pong and the closing handshake. `examples/support/websocket_echo.py` is the Python
//! twin (asyncio streams alone), which prints the same trace.
//!
//! ```text
//! cargo run --example websocket_echo                         # server and client, the trace below
//! cargo run --example websocket_echo -- --serve 127.0.0.1:8765   # serve until stopped
//! ```
//!
//! With `--serve`, any WebSocket client can connect (a browser's
//! `new WebSocket("ws://127.0.0.1:8765/")`, `websocat`, Python's `websockets`); the loop
//! runs with `run_forever` until the process is interrupted.
//!
//! ```text
//! client: HTTP/1.1 101 Switching Protocols, Sec-WebSocket-Accept s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
//! client: sent 'hello', got 'hello' (opcode 1)
//! ...
//! server: 5 messages, 1 ping, 1 refused
//! ```

use std::cell::Cell;
use std::io;
use std::rc::Rc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use cogen::asyncio::{self, EventLoop, IoError, StreamReader, StreamWriter};
use cogen::yield_from;
use sha1::{Digest, Sha1};

const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/// RFC 6455 section 1.3's sample key (and, in the trace, the accept value it gives).
const SAMPLE_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

const CONTINUATION: u8 = 0x0;
const TEXT: u8 = 0x1;
const BINARY: u8 = 0x2;
const CLOSE: u8 = 0x8;
const PING: u8 = 0x9;
const PONG: u8 = 0xA;

/// The largest message the server takes (a client could announce 2^63 bytes).
const MAX_MESSAGE: u64 = 1 << 20;

fn accept_of(key: &str) -> String {
    BASE64.encode(Sha1::digest(format!("{key}{GUID}")))
}

fn protocol_error(what: &str) -> IoError {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string()).into()
}

/// A client's masking keys. RFC 6455 wants them unpredictable; a fixed sequence
/// (xorshift32 from a fixed seed, as in the Python twin) keeps the trace reproducible.
struct Masks(u32);

impl Masks {
    fn next_key(&mut self) -> [u8; 4] {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x.to_be_bytes()
    }
}

/// One frame: `first` is the header's first byte (FIN and opcode); masked with `mask` if
/// given (a client's frames).
fn frame(first: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let bit = if mask.is_some() { 0x80 } else { 0 };
    let mut out = vec![first];
    match payload.len() {
        n @ 0..=125 => out.push(bit | n as u8),
        n @ 126..=0xFFFF => {
            out.push(bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(bit | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    match mask {
        Some(mask) => {
            out.extend_from_slice(&mask);
            out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        }
        None => out.extend_from_slice(payload),
    }
    out
}

/// One frame as read: its FIN bit, opcode, whether it was masked, and the payload (unmasked).
struct Frame {
    fin: bool,
    opcode: u8,
    masked: bool,
    payload: Vec<u8>,
}

#[asyncio::coroutine]
fn read_frame(reader: &mut StreamReader) -> Result<Frame, IoError> {
    let head = yield_from!(reader.readexactly(2))?;
    let (fin, opcode) = (head[0] & 0x80 != 0, head[0] & 0x0F);
    let masked = head[1] & 0x80 != 0;
    let len = match head[1] & 0x7F {
        126 => u64::from(u16::from_be_bytes(
            yield_from!(reader.readexactly(2))?.try_into().unwrap(),
        )),
        127 => u64::from_be_bytes(yield_from!(reader.readexactly(8))?.try_into().unwrap()),
        n => u64::from(n),
    };
    if len > MAX_MESSAGE {
        return Err(protocol_error("frame too large"));
    }
    let mask = if masked {
        Some(yield_from!(reader.readexactly(4))?)
    } else {
        None
    };
    let mut payload = yield_from!(reader.readexactly(len as usize))?;
    if let Some(mask) = mask {
        for (i, byte) in payload.iter_mut().enumerate() {
            *byte ^= mask[i % 4];
        }
    }
    Ok(Frame {
        fin,
        opcode,
        masked,
        payload,
    })
}

/// A whole message: a data frame and its continuations, or one control frame.
#[asyncio::coroutine]
fn read_message(reader: &mut StreamReader) -> Result<(u8, bool, Vec<u8>), IoError> {
    let mut first = yield_from!(read_frame(reader))?;
    while !first.fin {
        let more = yield_from!(read_frame(reader))?;
        if more.opcode != CONTINUATION {
            return Err(protocol_error("expected a continuation frame"));
        }
        first.payload.extend_from_slice(&more.payload);
        if first.payload.len() as u64 > MAX_MESSAGE {
            return Err(protocol_error("message too large"));
        }
        first.fin = more.fin;
    }
    Ok((first.opcode, first.masked, first.payload))
}

/// What the server did, for its last line.
#[derive(Default)]
struct Stats {
    messages: Cell<usize>,
    pings: Cell<usize>,
    refused: Cell<usize>,
}

/// The value of header `name` (case-insensitive) in an HTTP head.
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.split("\r\n").skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

#[asyncio::coroutine]
fn serve(
    mut reader: StreamReader,
    mut writer: StreamWriter,
    stats: Rc<Stats>,
) -> Result<(), IoError> {
    let request = yield_from!(reader.readuntil(b"\r\n\r\n"))?;
    let request = String::from_utf8_lossy(&request);
    let upgrade = header(&request, "upgrade").is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let Some(key) = header(&request, "sec-websocket-key").filter(|_| upgrade) else {
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        writer.close();
        stats.refused.set(stats.refused.get() + 1);
        return Ok(());
    };
    writer.writelines([
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n",
        &format!("Sec-WebSocket-Accept: {}\r\n\r\n", accept_of(key)),
    ]);
    loop {
        let (opcode, masked, payload) = yield_from!(read_message(&mut reader))?;
        if !masked {
            let mut reason = 1002u16.to_be_bytes().to_vec();
            reason.extend_from_slice(b"unmasked frame");
            writer.write(&frame(0x80 | CLOSE, &reason, None));
            break;
        }
        match opcode {
            PING => {
                stats.pings.set(stats.pings.get() + 1);
                writer.write(&frame(0x80 | PONG, &payload, None));
            }
            CLOSE => {
                writer.write(&frame(0x80 | CLOSE, &payload, None));
                break;
            }
            _ => {
                stats.messages.set(stats.messages.get() + 1);
                writer.write(&frame(0x80 | opcode, &payload, None));
            }
        }
        yield_from!(writer.drain())?;
    }
    yield_from!(writer.drain())?;
    writer.close();
    yield_from!(writer.wait_closed())?;
    Ok(())
}

#[asyncio::coroutine]
fn client(addr: std::net::SocketAddr) -> Result<(), IoError> {
    let (mut reader, mut writer) = yield_from!(asyncio::open_connection(addr))?;
    writer.writelines([
        "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n",
        &format!("Sec-WebSocket-Key: {SAMPLE_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"),
    ]);
    let response = yield_from!(reader.readuntil(b"\r\n\r\n"))?;
    let response = String::from_utf8_lossy(&response);
    let status = response.split("\r\n").next().unwrap_or_default();
    let accept = header(&response, "sec-websocket-accept").unwrap_or_default();
    assert_eq!(accept, accept_of(SAMPLE_KEY));
    println!("client: {status}, Sec-WebSocket-Accept {accept}");

    let mut masks = Masks(0x2545_F491);
    for text in ["hello", "websockets over yield from", "웹소켓"] {
        writer.write(&frame(0x80 | TEXT, text.as_bytes(), Some(masks.next_key())));
        let (opcode, _, payload) = yield_from!(read_message(&mut reader))?;
        let got = String::from_utf8_lossy(&payload);
        println!("client: sent '{text}', got '{got}' (opcode {opcode})");
    }
    // A message in three fragments (FIN clear on the first two), echoed whole.
    writer.writelines([
        frame(TEXT, b"frag", Some(masks.next_key())),
        frame(CONTINUATION, b"ment", Some(masks.next_key())),
        frame(0x80 | CONTINUATION, b"ed", Some(masks.next_key())),
    ]);
    let (_, _, payload) = yield_from!(read_message(&mut reader))?;
    println!(
        "client: sent 3 fragments, got '{}'",
        String::from_utf8_lossy(&payload)
    );
    // Over 64 KiB: a 64-bit length, and `drain` waits for the socket.
    let big: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    writer.write(&frame(0x80 | BINARY, &big, Some(masks.next_key())));
    yield_from!(writer.drain())?;
    let (_, _, payload) = yield_from!(read_message(&mut reader))?;
    let equal = if payload == big { "True" } else { "False" };
    println!(
        "client: sent {} bytes, got {} back, equal: {equal}",
        big.len(),
        payload.len()
    );
    writer.write(&frame(
        0x80 | PING,
        b"are you there?",
        Some(masks.next_key()),
    ));
    let (opcode, _, payload) = yield_from!(read_message(&mut reader))?;
    let payload = String::from_utf8_lossy(&payload);
    println!("client: ping, got opcode {opcode} '{payload}'");
    let mut goodbye = 1000u16.to_be_bytes().to_vec();
    goodbye.extend_from_slice(b"bye");
    writer.write(&frame(0x80 | CLOSE, &goodbye, Some(masks.next_key())));
    let (_, _, payload) = yield_from!(read_message(&mut reader))?;
    let code = u16::from_be_bytes([payload[0], payload[1]]);
    let reason = String::from_utf8_lossy(&payload[2..]);
    println!("client: close, server answered {code} '{reason}'");
    let rest = yield_from!(reader.read_to_end())?;
    println!(
        "client: connection closed, {} bytes after the close frame",
        rest.len()
    );
    writer.close();
    yield_from!(writer.wait_closed())?;
    Ok(())
}

#[asyncio::coroutine]
fn plain_http(addr: std::net::SocketAddr) -> Result<(), IoError> {
    let (mut reader, mut writer) = yield_from!(asyncio::open_connection(addr))?;
    writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    let response = yield_from!(reader.read_to_end())?;
    let response = String::from_utf8_lossy(&response);
    println!(
        "plain HTTP client: {}",
        response.split("\r\n").next().unwrap_or_default()
    );
    writer.close();
    Ok(())
}

#[asyncio::coroutine]
fn main_coro() -> Result<(), IoError> {
    let stats = Rc::new(Stats::default());
    let handler_stats = stats.clone();
    let server = asyncio::start_server(
        move |reader, writer| serve(reader, writer, handler_stats.clone()),
        "127.0.0.1:0",
    )?;
    yield_from!(client(server.local_addr()))?;
    yield_from!(plain_http(server.local_addr()))?;
    server.close();
    yield_from!(server.wait_closed())?;
    println!(
        "server: {} messages, {} ping, {} refused",
        stats.messages.get(),
        stats.pings.get(),
        stats.refused.get()
    );
    Ok(())
}

#[asyncio::coroutine]
fn serve_until_interrupted(addr: String) -> Result<(), IoError> {
    let stats = Rc::new(Stats::default());
    let server = asyncio::start_server(move |r, w| serve(r, w, stats.clone()), addr.as_str())?;
    println!("serving WebSockets on ws://{}/", server.local_addr());
    yield_from!(server.serve_forever())?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => asyncio::run(main_coro())?,
        (Some("--serve"), Some(addr)) => {
            let lp = EventLoop::new();
            let server = lp.create_task(serve_until_interrupted(addr));
            // The loop runs until the server's task ends (it only does if it fails).
            server.add_done_callback(|_| asyncio::get_running_loop().unwrap().stop());
            lp.run_forever();
            server.result().expect("the server's task is done")?;
        }
        _ => return Err("usage: websocket_echo [--serve ADDRESS]".into()),
    }
    Ok(())
}
