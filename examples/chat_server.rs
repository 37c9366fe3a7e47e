//! A TCP chat server on cogen's asyncio: each client sends its name as its first line, then
//! every line it sends is broadcast as `name: line` to every other connected client.
//!
//! ```text
//! cargo run --example chat_server -- [ADDRESS] [--clients N]
//! ```
//!
//! `ADDRESS` defaults to `127.0.0.1:8888` (port 0 picks a free port: the first line says
//! which). With `--clients N` the server closes after `N` clients have left. Try it with
//! `nc 127.0.0.1 8888` in a few terminals.
//!
//! Each client has an unbounded `asyncio::Queue` of lines to send, and a writer task that
//! takes them from the queue and writes them: broadcasting is `put_nowait` to every other
//! client's queue, so a slow client delays nobody else.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use cogen::asyncio::{self, IoError, Queue, Server, StreamReader, StreamWriter};
use cogen::yield_from;

/// A line to send, or `None`: stop the writer.
type Outbox = Queue<Option<Rc<[u8]>>>;

#[derive(Default)]
struct Room {
    next_id: Cell<u64>,
    members: RefCell<Vec<(u64, Outbox)>>,
    /// With `--clients N`: how many clients are left to serve, and the server to close.
    left: Cell<Option<usize>>,
    server: RefCell<Option<Server>>,
}

impl Room {
    fn broadcast(&self, from: u64, line: &[u8]) {
        let line: Rc<[u8]> = line.into();
        for (id, outbox) in self.members.borrow().iter() {
            if *id != from {
                let _ = outbox.put_nowait(Some(line.clone()));
            }
        }
    }
}

/// Send what arrives in `outbox` until `None`.
#[asyncio::coroutine]
fn send_lines(mut writer: StreamWriter, outbox: Outbox) -> Result<(), IoError> {
    while let Some(line) = yield_from!(outbox.get())? {
        writer.write(&line);
        yield_from!(writer.drain())?;
    }
    writer.close();
    yield_from!(writer.wait_closed())?;
    Ok(())
}

#[asyncio::coroutine]
fn handle_client(
    mut reader: StreamReader,
    writer: StreamWriter,
    room: Rc<Room>,
) -> Result<(), IoError> {
    let peer = writer.peer_addr()?;
    let name = yield_from!(reader.readline())?;
    let name = String::from_utf8_lossy(&name).trim().to_string();
    let id = room.next_id.get();
    room.next_id.set(id + 1);
    let outbox: Outbox = Queue::new();
    let sender = asyncio::create_task(send_lines(writer, outbox.clone()));
    room.members.borrow_mut().push((id, outbox.clone()));
    println!("{name} joined from {peer}");
    let _ = outbox.put_nowait(Some(format!("welcome {name}\n").into_bytes().into()));
    // Until the client leaves (the end of its stream, or an error of its connection).
    while let Ok(line) = yield_from!(reader.readline()) {
        if line.is_empty() {
            break;
        }
        let mut message = format!("{name}: ").into_bytes();
        message.extend_from_slice(&line);
        if !message.ends_with(b"\n") {
            message.push(b'\n');
        }
        room.broadcast(id, &message);
    }
    room.members
        .borrow_mut()
        .retain(|(member, _)| *member != id);
    println!("{name} left");
    let _ = outbox.put_nowait(None);
    let _ = yield_from!(&sender);
    if let Some(left) = room.left.get() {
        room.left.set(Some(left - 1));
        if left == 1
            && let Some(server) = room.server.borrow_mut().take()
        {
            server.close();
        }
    }
    Ok(())
}

#[asyncio::coroutine]
fn main_coro(addr: String, clients: Option<usize>) -> Result<(), IoError> {
    let room = Rc::new(Room::default());
    room.left.set(clients);
    let handler_room = room.clone();
    let server = asyncio::start_server(
        move |reader, writer| handle_client(reader, writer, handler_room.clone()),
        addr.as_str(),
    )?;
    println!("Serving on {}", server.local_addr());
    *room.server.borrow_mut() = Some(server.clone());
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
        eprintln!("chat_server: {error}");
        std::process::exit(1);
    }
}
