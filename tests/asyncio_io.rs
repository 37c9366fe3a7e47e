//! Behaviour of `cogen::asyncio`'s selector loop and streams over real sockets: the loop
//! waits in the OS poller (no spinning), `call_soon_threadsafe` wakes it, and
//! `open_connection`/`start_server` carry every byte of many concurrent clients, big
//! messages, clients that leave mid-line, over-long lines, and a server closed under its
//! clients.
//!
//! Every socket is on 127.0.0.1 with an ephemeral port (bind port 0). Every test runs under
//! a [`Watchdog`] that aborts the test process if the test has not finished in time, so a
//! hang fails rather than blocks. Nothing here is Unix-only: `scripts/windows` runs it on
//! Windows too (under wine).

use std::cell::RefCell;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use cogen::asyncio::{
    self, Cancelled, EventLoop, IncompleteReadError, IoError, StreamReader, StreamWriter,
};
use cogen::yield_from;

mod support;

/// Aborts the process if it is not dropped within its time.
struct Watchdog(Arc<AtomicBool>);

impl Watchdog {
    fn new(name: &'static str, secs: u64) -> Watchdog {
        let done = Arc::new(AtomicBool::new(false));
        let flag = done.clone();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(secs);
            while Instant::now() < deadline {
                if flag.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            eprintln!("watchdog: {name} did not finish within {secs} s");
            std::process::abort();
        });
        Watchdog(done)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// CPU time (user + system) of the calling thread, from /proc/thread-self/stat.
#[cfg(target_os = "linux")]
fn thread_cpu_time() -> Duration {
    let stat =
        std::fs::read_to_string("/proc/thread-self/stat").expect("read /proc/thread-self/stat");
    // Fields after the command name (which is in parentheses and may hold spaces).
    let after = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 here, in ticks.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_millis(ticks * 10) // USER_HZ is 100 on Linux
}

/// Two ends of a TCP connection on 127.0.0.1 (what a socket pair is on every OS).
fn socket_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let near = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (far, _) = listener.accept().unwrap();
    (near, far)
}

#[asyncio::coroutine]
fn sleep_for(d: Duration) -> Result<(), Cancelled> {
    yield_from!(asyncio::sleep(d))?;
    Ok(())
}

#[test]
fn an_idle_loop_with_a_silent_socket_waits_in_the_poller_without_spinning() {
    let _watchdog = Watchdog::new("idle loop", 20);
    let lp = EventLoop::new();
    let (_peer, silent) = socket_pair();
    let silent = Rc::new(silent);
    lp.add_reader(silent.clone(), || panic!("nothing is ever sent"));
    #[cfg(target_os = "linux")]
    let cpu = thread_cpu_time();
    let wall = Instant::now();
    lp.run_until_complete(sleep_for(Duration::from_millis(200)))
        .unwrap();
    let waited = wall.elapsed();
    assert!(waited >= Duration::from_millis(200), "{waited:?}");
    assert!(waited < Duration::from_secs(2), "{waited:?}");
    // One tick starts the task and the sleep, one waits, one wakes the task: no spinning.
    assert!(lp.ticks() <= 6, "{} ticks", lp.ticks());
    #[cfg(target_os = "linux")]
    {
        let used = thread_cpu_time() - cpu;
        assert!(used <= Duration::from_millis(30), "{used:?} of CPU time");
    }
    assert!(lp.remove_reader(&*silent));
}

#[test]
fn an_idle_loop_on_a_sleep_alone_waits_without_spinning() {
    let _watchdog = Watchdog::new("idle sleep", 20);
    let lp = EventLoop::new();
    let wall = Instant::now();
    lp.run_until_complete(sleep_for(Duration::from_millis(200)))
        .unwrap();
    assert!(wall.elapsed() >= Duration::from_millis(200));
    assert!(lp.ticks() <= 6, "{} ticks", lp.ticks());
}

#[test]
fn a_reader_is_called_when_data_arrives_and_not_after_it_is_removed() {
    let _watchdog = Watchdog::new("reader", 20);
    let lp = EventLoop::new();
    let (mut peer, ours) = socket_pair();
    ours.set_nonblocking(true).unwrap();
    let ours = Rc::new(ours);
    let got = Rc::new(RefCell::new(Vec::new()));
    let done = lp.create_future::<(), Cancelled>();
    let (reader, log, fut, lp2) = (ours.clone(), got.clone(), done.clone(), lp.clone());
    lp.add_reader(ours.clone(), move || {
        let mut buf = [0; 16];
        let n = (&*reader).read(&mut buf).unwrap();
        log.borrow_mut().extend_from_slice(&buf[..n]);
        if log.borrow().ends_with(b".") {
            lp2.remove_reader(&*reader);
            let _ = fut.set_result(());
        }
    });
    let writer = std::thread::spawn(move || {
        for part in [&b"one "[..], b"two", b"."] {
            std::thread::sleep(Duration::from_millis(20));
            peer.write_all(part).unwrap();
        }
        peer
    });
    lp.run_until_complete(&done).unwrap();
    assert_eq!(*got.borrow(), b"one two.");
    let _peer = writer.join().unwrap();
    lp.run_until_idle(); // nothing registered any more: returns
}

#[test]
fn call_soon_threadsafe_wakes_a_loop_waiting_in_its_poller() {
    let _watchdog = Watchdog::new("threadsafe", 20);
    let lp = EventLoop::new();
    let handle = lp.threadsafe_handle();
    thread_local! {
        static DONE: RefCell<Option<asyncio::Future<u32, Cancelled>>> = const { RefCell::new(None) };
    }
    let done = lp.create_future::<u32, Cancelled>();
    DONE.with(|slot| *slot.borrow_mut() = Some(done.clone()));
    let started = Instant::now();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        handle.call_soon_threadsafe(|| {
            DONE.with(|slot| slot.borrow_mut().take().unwrap().set_result(7).unwrap());
        });
    });
    assert_eq!(lp.run_until_complete(&done), Ok(7));
    assert!(started.elapsed() >= Duration::from_millis(50));
    assert!(lp.ticks() <= 4, "{} ticks", lp.ticks());
    sender.join().unwrap();
}

#[test]
fn a_virtual_clock_with_io_registered_waits_for_real_and_follows_the_real_time() {
    let _watchdog = Watchdog::new("virtual", 20);
    let lp = EventLoop::with_virtual_clock();
    let (_peer, silent) = socket_pair();
    let silent = Rc::new(silent);
    lp.add_reader(silent.clone(), || {});
    let wall = Instant::now();
    lp.run_until_complete(sleep_for(Duration::from_millis(50)))
        .unwrap();
    assert!(
        wall.elapsed() >= Duration::from_millis(45),
        "{:?}",
        wall.elapsed()
    );
    assert_eq!(lp.time(), Duration::from_millis(50));
    lp.remove_reader(&*silent);
    // Timer-only again: the virtual clock jumps.
    let wall = Instant::now();
    lp.run_until_complete(sleep_for(Duration::from_secs(3600)))
        .unwrap();
    assert!(wall.elapsed() < Duration::from_secs(1));
}

// ---------------------------------------------------------------------------------------
// Streams
// ---------------------------------------------------------------------------------------

const ANY: &str = "127.0.0.1:0";

/// The echo handler: every line back, until the client's end of the stream.
#[asyncio::coroutine]
fn echo_lines(mut reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    loop {
        let line = yield_from!(reader.readline())?;
        if line.is_empty() {
            break;
        }
        writer.write(&line);
        yield_from!(writer.drain())?;
    }
    writer.close();
    yield_from!(writer.wait_closed())?;
    Ok(())
}

/// A client sending `lines` lines (all, then reading all back), checking every byte.
#[asyncio::coroutine]
fn echo_client(addr: SocketAddr, id: usize, lines: usize) -> Result<usize, IoError> {
    let (mut reader, mut writer) = yield_from!(asyncio::open_connection(addr))?;
    let mut sent = Vec::new();
    for i in 0..lines {
        let line = format!("client {id} line {i} {}\n", "x".repeat(i % 50));
        writer.write(line.as_bytes());
        yield_from!(writer.drain())?;
        sent.push(line);
    }
    for line in &sent {
        let got = yield_from!(reader.readline())?;
        assert_eq!(got, line.as_bytes(), "client {id}");
    }
    writer.close();
    yield_from!(writer.wait_closed())?;
    Ok(sent.iter().map(String::len).sum())
}

#[asyncio::coroutine]
fn many_echo_clients(clients: usize, lines: usize) -> Result<usize, IoError> {
    let server = asyncio::start_server(echo_lines, ANY)?;
    let addr = server.local_addr();
    let all = asyncio::gather((0..clients).map(|id| echo_client(addr, id, lines)));
    let bytes: usize = yield_from!(all)?.into_iter().sum();
    server.close();
    yield_from!(server.wait_closed())?;
    Ok(bytes)
}

#[test]
fn a_hundred_concurrent_clients_get_every_line_back_in_order() {
    let _watchdog = Watchdog::new("100 x 10", 60);
    let bytes = asyncio::run(many_echo_clients(100, 10)).unwrap();
    assert!(bytes > 100 * 10 * 15);
}

#[test]
fn a_thousand_concurrent_clients_of_a_hundred_lines_each_get_every_byte_back() {
    let _watchdog = Watchdog::new("1000 x 100", 120);
    let started = Instant::now();
    let bytes = asyncio::run(many_echo_clients(1000, 100)).unwrap();
    assert!(bytes > 1000 * 100 * 15);
    eprintln!("1000 x 100 echoed {bytes} bytes in {:?}", started.elapsed());
}

/// What a server's `readline`s gave: lines, or an error's message.
type LineLog = Rc<RefCell<Vec<Result<Vec<u8>, String>>>>;

/// The server side of one connection reports what `readline` gave, and what came after.
#[asyncio::coroutine]
fn report_lines(
    mut reader: StreamReader,
    writer: StreamWriter,
    log: LineLog,
) -> Result<(), IoError> {
    loop {
        match yield_from!(reader.readline()) {
            Ok(line) if line.is_empty() => break,
            Ok(line) => log.borrow_mut().push(Ok(line)),
            Err(error) => {
                log.borrow_mut().push(Err(error.to_string()));
                break;
            }
        }
    }
    assert!(reader.at_eof() || !log.borrow().iter().all(Result::is_ok));
    drop(writer);
    Ok(())
}

#[asyncio::coroutine]
fn disconnect_mid_line(log: LineLog) -> Result<(), IoError> {
    let handler_log = log.clone();
    let server = asyncio::start_server(move |r, w| report_lines(r, w, handler_log.clone()), ANY)?;
    let (_reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    writer.write(b"whole line\nhalf a li");
    yield_from!(writer.drain())?;
    writer.close(); // mid-line
    yield_from!(writer.wait_closed())?;
    server.close();
    yield_from!(server.wait_closed())?;
    Ok(())
}

#[test]
fn a_client_that_disconnects_mid_line_leaves_the_partial_line_as_the_last_readline() {
    let _watchdog = Watchdog::new("mid-line", 20);
    let log = Rc::new(RefCell::new(Vec::new()));
    asyncio::run(disconnect_mid_line(log.clone())).unwrap();
    assert_eq!(
        *log.borrow(),
        [Ok(b"whole line\n".to_vec()), Ok(b"half a li".to_vec())]
    );
}

/// A handler that fails with the first line it reads as its error.
#[asyncio::coroutine]
fn fails_with_the_first_line(
    mut reader: StreamReader,
    _writer: StreamWriter,
) -> Result<(), IoError> {
    let line = yield_from!(reader.readline())?;
    let why = String::from_utf8_lossy(&line).trim().to_string();
    Err(std::io::Error::other(why).into())
}

#[asyncio::coroutine]
fn connect_to_a_failing_handler() -> Result<(), IoError> {
    let server = asyncio::start_server(fails_with_the_first_line, ANY)?;
    let (mut reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    writer.write(b"no such command\n");
    let rest = yield_from!(reader.read_to_end())?; // the handler's end closes the socket
    assert!(rest.is_empty());
    server.close();
    yield_from!(server.wait_closed())?;
    Ok(())
}

#[test]
fn a_server_handlers_error_is_reported_not_lost() {
    // Python logs a failed client_connected_cb's task: "Task exception was never retrieved".
    let _watchdog = Watchdog::new("failing handler", 20);
    let lp = EventLoop::new();
    let reports = Rc::new(RefCell::new(Vec::new()));
    let sink = reports.clone();
    lp.set_exception_handler(move |_, message| sink.borrow_mut().push(message.to_string()));
    lp.run_until_complete(connect_to_a_failing_handler())
        .unwrap();
    drop(lp);
    let reports = reports.borrow();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert!(reports[0].contains("never retrieved"), "{}", reports[0]);
    assert!(reports[0].contains("IoError"), "{}", reports[0]);
}

/// A `writelines` whose iterator panics part way writes nothing.
#[asyncio::coroutine]
fn writelines_that_panics() -> Result<Vec<u8>, IoError> {
    let server = asyncio::start_server(echo_to_eof, ANY)?;
    let (mut reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    let chunks = ["chunk0;", "chunk1;", "never"]
        .into_iter()
        .inspect(|&chunk| assert_ne!(chunk, "never", "the iterator fails"));
    let panicked =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| writer.writelines(chunks)));
    assert!(panicked.is_err());
    writer.writelines(["after;", "end"]);
    writer.write_eof();
    let echoed = yield_from!(reader.read_to_end())?;
    server.close();
    yield_from!(server.wait_closed())?;
    Ok(echoed)
}

#[asyncio::coroutine]
fn echo_to_eof(mut reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    let data = yield_from!(reader.read_to_end())?;
    writer.write(&data);
    writer.close();
    Ok(())
}

#[test]
fn a_writelines_whose_iterator_panics_writes_none_of_its_chunks() {
    let _watchdog = Watchdog::new("writelines", 20);
    assert_eq!(
        asyncio::run(writelines_that_panics()).unwrap(),
        b"after;end"
    );
}

const TEN_MIB: usize = 10 * 1024 * 1024;

#[asyncio::coroutine]
fn echo_exactly(mut reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    let message = yield_from!(reader.readexactly(TEN_MIB))?;
    writer.write(&message);
    yield_from!(writer.drain())?;
    writer.close();
    yield_from!(writer.wait_closed())?;
    Ok(())
}

#[asyncio::coroutine]
fn big_message() -> Result<bool, IoError> {
    let server = asyncio::start_server(echo_exactly, ANY)?;
    let (mut reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    let message: Vec<u8> = (0..TEN_MIB).map(|i| (i % 251) as u8).collect();
    writer.write(&message);
    yield_from!(writer.drain())?;
    let echoed = yield_from!(reader.readexactly(TEN_MIB))?;
    // And then the end of the stream: one more byte is an incomplete read.
    let more = yield_from!(reader.readexactly(1));
    assert!(
        matches!(&more, Err(IoError::IncompleteRead(IncompleteReadError { partial, expected: Some(1) })) if partial.is_empty()),
        "{more:?}"
    );
    server.close();
    yield_from!(server.wait_closed())?;
    Ok(echoed == message)
}

#[test]
fn a_ten_mib_message_goes_through_readexactly_intact() {
    let _watchdog = Watchdog::new("10 MiB", 60);
    assert!(asyncio::run(big_message()).unwrap());
}

/// Echoes lines; a line over the limit gets an error line back and ends the connection.
#[asyncio::coroutine]
fn echo_or_refuse(mut reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    reader.set_limit(1024);
    loop {
        match yield_from!(reader.readline()) {
            Ok(line) if line.is_empty() => break,
            Ok(line) => writer.write(&line),
            Err(IoError::LimitOverrun(error)) => {
                writer.write(format!("error: {error}\n").as_bytes());
                break;
            }
            Err(error) => return Err(error),
        }
        yield_from!(writer.drain())?;
    }
    writer.close();
    yield_from!(writer.wait_closed())?;
    Ok(())
}

#[asyncio::coroutine]
fn sends_a_long_line(addr: SocketAddr) -> Result<Vec<u8>, IoError> {
    let (mut reader, mut writer) = yield_from!(asyncio::open_connection(addr))?;
    writer.write(b"short\n");
    writer.write(&vec![b'y'; 100 * 1024]);
    writer.write(b"\n");
    yield_from!(writer.drain())?;
    let mut got = yield_from!(reader.readline())?;
    got.extend(yield_from!(reader.readline())?);
    // Then the server closed the connection.
    let more = yield_from!(reader.read(1))?;
    assert!(more.is_empty());
    assert!(reader.at_eof());
    Ok(got)
}

#[asyncio::coroutine]
fn long_line_and_neighbours() -> Result<(Vec<u8>, usize), IoError> {
    let server = asyncio::start_server(echo_or_refuse, ANY)?;
    let addr = server.local_addr();
    let long = asyncio::create_task(sends_a_long_line(addr));
    let others = asyncio::gather((0..10).map(|id| echo_client(addr, id, 20)));
    let got = yield_from!(&long)?;
    let bytes: usize = yield_from!(others)?.into_iter().sum();
    server.close();
    yield_from!(server.wait_closed())?;
    Ok((got, bytes))
}

#[test]
fn a_line_longer_than_the_limit_is_a_clear_error_that_ends_only_its_connection() {
    let _watchdog = Watchdog::new("limit", 30);
    let (got, bytes) = asyncio::run(long_line_and_neighbours()).unwrap();
    let got = String::from_utf8(got).unwrap();
    assert!(
        got.starts_with("short\nerror: separator is not found, and chunk exceed the limit"),
        "{got}"
    );
    assert!(bytes > 10 * 20 * 15);
}

#[asyncio::coroutine]
fn one_line_then_wait(addr: SocketAddr, proceed: asyncio::Event) -> Result<Vec<u8>, IoError> {
    let (mut reader, mut writer) = yield_from!(asyncio::open_connection(addr))?;
    writer.write(b"before\n");
    let mut got = yield_from!(reader.readline())?;
    yield_from!(proceed.wait())?;
    writer.write(b"after close\n");
    got.extend(yield_from!(reader.readline())?);
    writer.close();
    Ok(got)
}

#[asyncio::coroutine]
fn close_under_clients() -> Result<(), IoError> {
    let server = asyncio::start_server(echo_lines, ANY)?;
    let addr = server.local_addr();
    let proceed = asyncio::Event::new();
    let clients: Vec<_> = (0..3)
        .map(|_| asyncio::create_task(one_line_then_wait(addr, proceed.clone())))
        .collect();
    while server.connections() < 3 {
        yield_from!(asyncio::sleep(Duration::from_millis(1)))?;
    }
    server.close();
    assert!(!server.is_serving());
    // No new connections...
    let refused = yield_from!(asyncio::open_connection(addr));
    assert_eq!(
        refused.map(|_| ()).unwrap_err().kind(),
        std::io::ErrorKind::ConnectionRefused
    );
    // ...but the connected clients are still served, and wait_closed waits for them.
    let closed = asyncio::create_task(wait_closed(server.clone()));
    yield_from!(asyncio::sleep(Duration::from_millis(20)))?;
    assert!(!closed.done());
    proceed.set();
    for client in &clients {
        let got = yield_from!(client)?;
        assert_eq!(got, b"before\nafter close\n");
    }
    yield_from!(&closed)?;
    assert_eq!(server.connections(), 0);
    Ok(())
}

#[asyncio::coroutine]
fn wait_closed(server: asyncio::Server) -> Result<(), Cancelled> {
    yield_from!(server.wait_closed())
}

#[test]
fn a_server_closed_while_clients_are_connected_refuses_new_ones_and_serves_the_others() {
    let _watchdog = Watchdog::new("close under clients", 30);
    asyncio::run(close_under_clients()).unwrap();
}

#[asyncio::coroutine]
fn connect_to(addr: SocketAddr) -> Result<(), IoError> {
    yield_from!(asyncio::open_connection(addr))?;
    Ok(())
}

#[test]
fn connecting_to_a_closed_port_is_connection_refused() {
    let _watchdog = Watchdog::new("refused", 20);
    let addr = TcpListener::bind(ANY).unwrap().local_addr().unwrap(); // closed at once
    let error = asyncio::run(connect_to(addr)).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::ConnectionRefused);
    assert!(matches!(error, IoError::Io(_)));
}

#[asyncio::coroutine]
fn reads_until(addr: SocketAddr) -> Result<(Vec<u8>, Vec<u8>, IoError), IoError> {
    let (mut reader, _writer) = yield_from!(asyncio::open_connection(addr))?;
    let header = yield_from!(reader.readuntil(b"\r\n\r\n"))?;
    let four = yield_from!(reader.readexactly(4))?;
    let error = yield_from!(reader.readuntil(b"END")).unwrap_err();
    Ok((header, four, error))
}

#[test]
fn readuntil_finds_a_separator_across_reads_and_reports_an_incomplete_read_at_the_end() {
    let _watchdog = Watchdog::new("readuntil", 20);
    let listener = TcpListener::bind(ANY).unwrap();
    let addr = listener.local_addr().unwrap();
    let peer = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        for part in [&b"GET / HTTP/1.1\r\nHost: x\r"[..], b"\n\r", b"\nbodytail"] {
            stream.write_all(part).unwrap();
            std::thread::sleep(Duration::from_millis(10));
        }
    });
    let (header, four, error) = asyncio::run(reads_until(addr)).unwrap();
    assert_eq!(header, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(four, b"body");
    match error {
        IoError::IncompleteRead(error) => {
            assert_eq!(error.partial, b"tail");
            assert_eq!(error.expected, None);
        }
        other => panic!("{other:?}"),
    }
    peer.join().unwrap();
}

#[asyncio::coroutine]
fn read_one_line(mut reader: StreamReader) -> Result<(Vec<u8>, StreamReader), IoError> {
    let line = yield_from!(reader.readline())?;
    Ok((line, reader))
}

#[asyncio::coroutine]
fn cancel_a_reader() -> Result<(u64, Vec<u8>), IoError> {
    let server = asyncio::start_server(echo_lines, ANY)?;
    let (mut reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    writer.write(b"first half ");
    yield_from!(writer.drain())?;
    yield_from!(asyncio::sleep(Duration::from_millis(20)))?;
    // A readline that gets "first half " but no newline, then is cancelled...
    let waiting = asyncio::create_task(read_some_then_wait(&mut reader));
    yield_from!(asyncio::sleep(Duration::from_millis(20)))?;
    waiting.cancel();
    let cancelled = yield_from!(&waiting);
    assert!(
        matches!(cancelled, Err(IoError::TaskCancelled)),
        "{cancelled:?}"
    );
    // ...leaves the socket unregistered: data arriving now wakes nothing, the loop idles.
    writer.write(b"second half\n");
    yield_from!(writer.drain())?;
    let lp = asyncio::get_running_loop().unwrap();
    let ticks = lp.ticks();
    yield_from!(asyncio::sleep(Duration::from_millis(100)))?;
    let idle_ticks = lp.ticks() - ticks;
    // ...and nothing read before the cancellation is lost.
    let (line, _reader) = yield_from!(read_one_line(reader))?;
    server.close();
    Ok((idle_ticks, line))
}

/// Reads into the reader's buffer (the line is incomplete), then waits for more.
fn read_some_then_wait(reader: &mut StreamReader) -> asyncio::IoWait<Vec<u8>> {
    reader.readline()
}

#[test]
fn a_cancelled_readline_unregisters_its_socket_and_loses_nothing() {
    let _watchdog = Watchdog::new("cancel readline", 20);
    let (idle_ticks, line) = asyncio::run(cancel_a_reader()).unwrap();
    assert!(idle_ticks <= 8, "{idle_ticks} ticks while idle");
    assert_eq!(line, b"first half second half\n");
}

/// Reads everything, then answers with its length: needs the client's `write_eof`.
#[asyncio::coroutine]
fn count_until_eof(mut reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    let all = yield_from!(reader.read_to_end())?;
    writer.write(format!("{} bytes\n", all.len()).as_bytes());
    writer.close();
    yield_from!(writer.wait_closed())?;
    Ok(())
}

#[asyncio::coroutine]
fn half_close() -> Result<Vec<u8>, IoError> {
    let server = asyncio::start_server(count_until_eof, ANY)?;
    let (mut reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    writer.write(&vec![b'z'; 300 * 1024]); // more than the socket takes at once
    writer.write_eof();
    yield_from!(writer.drain())?;
    let answer = yield_from!(reader.read_to_end())?;
    server.close();
    Ok(answer)
}

#[test]
fn write_eof_ends_the_other_ends_stream_after_the_buffer_and_keeps_reading() {
    let _watchdog = Watchdog::new("write_eof", 20);
    assert_eq!(asyncio::run(half_close()).unwrap(), b"307200 bytes\n");
}

#[asyncio::coroutine]
fn read_all(mut reader: StreamReader) -> Result<Vec<u8>, IoError> {
    yield_from!(reader.read_to_end())
}

/// The client reads on a task of its own, waiting for the answer (which comes only after
/// the end of the write) while the write waits for room: one socket waits for both at once.
#[asyncio::coroutine]
fn read_while_writing() -> Result<(bool, Vec<u8>), IoError> {
    let server = asyncio::start_server(count_until_eof, ANY)?;
    let (reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    let answer = asyncio::create_task(read_all(reader));
    yield_from!(asyncio::yield_now())?; // the reader runs to its wait
    let reader_waits = !answer.done();
    writer.write(&vec![b'w'; 8 << 20]); // far more than the socket takes at once
    writer.write_eof();
    yield_from!(writer.drain())?;
    let answer = yield_from!(&answer)?;
    server.close();
    Ok((reader_waits, answer))
}

#[test]
fn a_read_and_a_write_wait_on_one_socket_at_once() {
    let _watchdog = Watchdog::new("read while writing", 30);
    let (reader_waited, answer) = asyncio::run(read_while_writing()).unwrap();
    assert!(reader_waited);
    assert_eq!(answer, b"8388608 bytes\n");
}

/// A connection kept between the runs of a test.
type Connection = Rc<RefCell<Option<(StreamReader, StreamWriter)>>>;

/// Connect to `addr` (the first call) or take the kept connection, make one round trip of
/// `line` on it, and keep it for the next.
#[asyncio::coroutine]
fn round_trip(addr: SocketAddr, kept: Connection, line: &'static [u8]) -> Result<Vec<u8>, IoError> {
    let taken = kept.borrow_mut().take();
    let (mut reader, mut writer) = match taken {
        Some(connection) => connection,
        None => yield_from!(asyncio::open_connection(addr))?,
    };
    writer.write(line);
    yield_from!(writer.drain())?;
    let echoed = yield_from!(reader.readline())?;
    *kept.borrow_mut() = Some((reader, writer));
    Ok(echoed)
}

#[test]
fn a_connection_waits_in_each_loop_that_runs_it_while_the_first_lives_and_after_it_is_gone() {
    // A stream's socket is registered with the poller of the loop it first waits in, and
    // moves to the loop of a later wait: each readline below blocks until the peer's echo
    // (the peer sleeps before answering), in three loops in turn.
    let _watchdog = Watchdog::new("connection across loops", 30);
    let listener = TcpListener::bind(ANY).unwrap();
    let addr = listener.local_addr().unwrap();
    let peer = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut line = [0; 6];
        for _ in 0..3 {
            stream.read_exact(&mut line).unwrap();
            std::thread::sleep(Duration::from_millis(20));
            stream.write_all(&line).unwrap();
        }
    });
    let kept = Connection::default();
    let first = EventLoop::new();
    let echoed = first.run_until_complete(round_trip(addr, kept.clone(), b"first\n"));
    assert_eq!(echoed.unwrap(), b"first\n");
    let second = EventLoop::new(); // `first` still lives
    let echoed = second.run_until_complete(round_trip(addr, kept.clone(), b"secnd\n"));
    assert_eq!(echoed.unwrap(), b"secnd\n");
    drop((first, second));
    let third = EventLoop::new();
    let echoed = third.run_until_complete(round_trip(addr, kept.clone(), b"third\n"));
    assert_eq!(echoed.unwrap(), b"third\n");
    peer.join().unwrap();
}

#[asyncio::coroutine]
fn echo_over(server_addr: &'static str) -> Result<(SocketAddr, SocketAddr, usize), IoError> {
    let server = asyncio::start_server(echo_lines, server_addr)?;
    let addr = server.local_addr();
    let (_, mut writer) = yield_from!(asyncio::open_connection(addr))?;
    let client_side = writer.local_addr()?;
    writer.close();
    let bytes = yield_from!(echo_client(addr, 0, 20))?;
    server.close();
    yield_from!(server.wait_closed())?;
    Ok((addr, client_side, bytes))
}

#[test]
fn a_server_and_its_clients_speak_ipv6_over_the_ipv6_loopback() {
    // A machine without an IPv6 loopback cannot run this: say so rather than fail.
    if let Err(error) = TcpListener::bind("[::1]:0") {
        eprintln!("skipped: no IPv6 loopback here ({error})");
        return;
    }
    let _watchdog = Watchdog::new("IPv6 echo", 30);
    let (server, client, bytes) = asyncio::run(echo_over("[::1]:0")).unwrap();
    assert!(server.is_ipv6() && server.ip().is_loopback(), "{server}");
    assert!(client.is_ipv6(), "{client}");
    assert!(bytes > 20 * 15);
}

// ---------------------------------------------------------------------------------------
// Unix-domain sockets
// ---------------------------------------------------------------------------------------

/// A socket path of this test process alone.
#[cfg(unix)]
fn socket_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("cogen-{}-{name}.sock", std::process::id()))
}

#[cfg(unix)]
#[asyncio::coroutine]
fn unix_echo_client(path: std::path::PathBuf, id: usize, lines: usize) -> Result<usize, IoError> {
    let (mut reader, mut writer) = yield_from!(asyncio::open_unix_connection(&path))?;
    let mut echoed = 0;
    for i in 0..lines {
        let line = format!("unix client {id} line {i}\n");
        writer.write(line.as_bytes());
        yield_from!(writer.drain())?;
        let got = yield_from!(reader.readline())?;
        assert_eq!(got, line.as_bytes(), "client {id}");
        echoed += got.len();
    }
    writer.close();
    yield_from!(writer.wait_closed())?;
    Ok(echoed)
}

#[cfg(unix)]
#[asyncio::coroutine]
fn unix_echo(path: std::path::PathBuf, clients: usize) -> Result<(usize, bool, bool), IoError> {
    let server = asyncio::start_unix_server(echo_lines, &path)?;
    let listening = path.exists();
    let all = asyncio::gather((0..clients).map(|id| unix_echo_client(path.clone(), id, 20)));
    let bytes: usize = yield_from!(all)?.into_iter().sum();
    server.close();
    yield_from!(server.wait_closed())?;
    Ok((bytes, listening, path.exists()))
}

#[test]
#[cfg(unix)]
fn a_unix_domain_server_echoes_its_clients_and_removes_its_socket_file_when_closed() {
    let _watchdog = Watchdog::new("unix echo", 30);
    let path = socket_path("echo");
    let (bytes, listening, left_behind) = asyncio::run(unix_echo(path, 50)).unwrap();
    let expected: usize = (0..50)
        .flat_map(|id| (0..20).map(move |i| format!("unix client {id} line {i}\n").len()))
        .sum();
    assert_eq!(bytes, expected);
    assert!(listening, "the socket file exists while the server listens");
    assert!(!left_behind, "close removes the socket file");
}

#[cfg(unix)]
#[asyncio::coroutine]
fn serve_at(path: std::path::PathBuf) -> Result<(), IoError> {
    let server = asyncio::start_unix_server(echo_lines, &path)?;
    server.close();
    Ok(())
}

#[test]
#[cfg(unix)]
fn a_stale_socket_file_is_replaced_and_any_other_file_is_left_alone() {
    let path = socket_path("stale");
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap()); // leaves its file behind
    assert!(path.exists());
    asyncio::run(serve_at(path.clone())).unwrap();
    assert!(!path.exists());

    std::fs::write(&path, b"not a socket").unwrap();
    let refused = asyncio::run(serve_at(path.clone())).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::AddrInUse);
    assert_eq!(std::fs::read(&path).unwrap(), b"not a socket");
    std::fs::remove_file(&path).unwrap();
}

#[cfg(unix)]
#[asyncio::coroutine]
fn addresses_of_unix_streams(path: std::path::PathBuf) -> Result<String, IoError> {
    let server = asyncio::start_unix_server(echo_lines, &path)?;
    assert_eq!(server.path(), Some(path.as_path()));
    let (_reader, writer) = yield_from!(asyncio::open_unix_connection(&path))?;
    let peer = writer.peer_addr().unwrap_err();
    assert_eq!(peer.kind(), std::io::ErrorKind::InvalidInput);
    assert_eq!(
        writer.local_addr().unwrap_err().kind(),
        std::io::ErrorKind::InvalidInput
    );
    let message = support::expect_panic(|| server.local_addr());
    server.close();
    Ok(format!("{peer} / {message}"))
}

#[test]
#[cfg(unix)]
fn a_unix_stream_has_no_ip_address_and_its_server_tells_its_path_instead() {
    let path = socket_path("addresses");
    let said = asyncio::run(addresses_of_unix_streams(path.clone())).unwrap();
    assert_eq!(
        said,
        format!(
            "a Unix-domain stream has no IP address / Server::local_addr: a Unix-domain server \
             has no IP address; it listens on {} (Server::path)",
            path.display()
        )
    );
}

#[cfg(unix)]
#[asyncio::coroutine]
fn connect_to_path(path: std::path::PathBuf) -> Result<(), IoError> {
    yield_from!(asyncio::open_unix_connection(&path))?;
    Ok(())
}

#[test]
#[cfg(unix)]
fn connecting_to_a_missing_unix_socket_is_not_found() {
    let error = asyncio::run(connect_to_path(socket_path("missing"))).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
}

/// A handler that says nothing for a while, then one line.
#[asyncio::coroutine]
fn answers_late(_reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    yield_from!(asyncio::sleep(Duration::from_millis(200)))?;
    writer.write(b"late\n");
    yield_from!(writer.drain())?;
    writer.close();
    yield_from!(writer.wait_closed())?;
    Ok(())
}

/// Python: `await asyncio.wait_for(reader.readline(), 0.05)` raises `TimeoutError`, and the
/// reader still works after it.
#[asyncio::coroutine]
fn readline_with_a_timeout() -> Result<(std::io::ErrorKind, Vec<u8>), IoError> {
    let server = asyncio::start_server(answers_late, ANY)?;
    let (mut reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    let timed_out = yield_from!(asyncio::wait_for(
        reader.readline(),
        Some(Duration::from_millis(50))
    ));
    let Err(IoError::Io(error)) = timed_out else {
        panic!("expected a timeout, got {timed_out:?}")
    };
    let line = yield_from!(reader.readline())?;
    writer.close();
    yield_from!(writer.wait_closed())?;
    server.close();
    yield_from!(server.wait_closed())?;
    Ok((error.kind(), line))
}

#[test]
fn wait_for_over_a_readline_times_out_as_an_io_error_and_the_reader_goes_on() {
    let _watchdog = Watchdog::new("readline timeout", 30);
    let (kind, line) = asyncio::run(readline_with_a_timeout()).unwrap();
    assert_eq!(kind, std::io::ErrorKind::TimedOut);
    assert_eq!(line, b"late\n");
}
