//! The TCP echo server of Python's asyncio documentation ("Streams": "TCP echo server using
//! streams"): each client's message (up to 100 bytes) is printed and sent back.
//!
//! ```text
//! cargo run --example echo_server -- [ADDRESS] [--clients N]
//! ```
//!
//! `ADDRESS` defaults to `127.0.0.1:8888` (port 0 picks a free port: the first line says
//! which). With `--clients N` the server closes after serving `N` clients (the Python one
//! serves forever; this makes it usable in tests). Try it with the `echo_client` example.
//!
//! ```text
//! Serving on 127.0.0.1:8888
//! Received "Hello World!" from 127.0.0.1:50262
//! Send: "Hello World!"
//! Close the connection
//! ```

use std::cell::Cell;
use std::rc::Rc;

use cogen::asyncio::{self, IoError, Server, StreamReader, StreamWriter};
use cogen::yield_from;

/// With `--clients N`: how many clients are left, and the server to close after the last.
type StopAfter = Option<(Rc<Cell<usize>>, Rc<Cell<Option<Server>>>)>;

#[asyncio::coroutine]
fn handle_echo(
    mut reader: StreamReader,
    mut writer: StreamWriter,
    stop_after: StopAfter,
) -> Result<(), IoError> {
    let data = yield_from!(reader.read(100))?;
    let message = String::from_utf8_lossy(&data).into_owned();
    let addr = writer.peer_addr()?;
    println!("Received {message:?} from {addr}");
    println!("Send: {message:?}");
    writer.write(&data);
    yield_from!(writer.drain())?;
    println!("Close the connection");
    writer.close();
    yield_from!(writer.wait_closed())?;
    if let Some((left, server)) = stop_after {
        left.set(left.get() - 1);
        if left.get() == 0
            && let Some(server) = server.take()
        {
            server.close();
        }
    }
    Ok(())
}

#[asyncio::coroutine]
fn main_coro(addr: String, clients: Option<usize>) -> Result<(), IoError> {
    let slot = Rc::new(Cell::new(None));
    let stop_after = clients.map(|n| (Rc::new(Cell::new(n)), slot.clone()));
    let server = asyncio::start_server(
        move |reader, writer| handle_echo(reader, writer, stop_after.clone()),
        addr.as_str(),
    )?;
    println!("Serving on {}", server.local_addr());
    slot.set(Some(server.clone()));
    yield_from!(server.serve_forever())?;
    yield_from!(server.wait_closed())?;
    Ok(())
}

fn main() {
    let mut addr = String::from("127.0.0.1:8888");
    let mut clients = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--clients" {
            let n = args.next().and_then(|n| n.parse().ok());
            clients = Some(
                n.filter(|&n| n > 0)
                    .expect("--clients takes a positive number"),
            );
        } else {
            addr = arg;
        }
    }
    if let Err(error) = asyncio::run(main_coro(addr, clients)) {
        eprintln!("echo_server: {error}");
        std::process::exit(1);
    }
}
