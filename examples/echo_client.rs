//! The TCP echo client of Python's asyncio documentation ("Streams": "TCP echo client using
//! streams"): sends a message, prints the echo, closes.
//!
//! ```text
//! cargo run --example echo_client -- [ADDRESS] [MESSAGE]
//! ```
//!
//! `ADDRESS` defaults to `127.0.0.1:8888`, `MESSAGE` to `Hello World!`. Start the
//! `echo_server` example first.
//!
//! ```text
//! Send: "Hello World!"
//! Received: "Hello World!"
//! Close the connection
//! ```

use cogen::asyncio::{self, IoError};
use cogen::yield_from;

#[asyncio::coroutine]
fn tcp_echo_client(addr: String, message: String) -> Result<(), IoError> {
    let (mut reader, mut writer) = yield_from!(asyncio::open_connection(addr.as_str()))?;
    println!("Send: {message:?}");
    writer.write(message.as_bytes());
    yield_from!(writer.drain())?;
    let data = yield_from!(reader.read(100))?;
    println!("Received: {:?}", String::from_utf8_lossy(&data));
    println!("Close the connection");
    writer.close();
    yield_from!(writer.wait_closed())?;
    Ok(())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8888".into());
    let message = args.next().unwrap_or_else(|| "Hello World!".into());
    if let Err(error) = asyncio::run(tcp_echo_client(addr, message)) {
        eprintln!("echo_client: {error}");
        std::process::exit(1);
    }
}
