//! Python's `asyncio.streams` over TCP: [`open_connection`], [`start_server`],
//! [`StreamReader`], [`StreamWriter`], [`Server`], on Unix and Windows; and over Unix-domain
//! sockets, on Unix: `open_unix_connection`, `start_unix_server`.
//!
//! Every wait is one leaf, [`IoWait`]: it tries its operation on the non-blocking socket
//! (or the stream's buffer) and, when the socket would block, registers a reader or writer
//! whose callback completes a future, suspends on that future, and tries again when woken.

use alloc::boxed::Box;
use alloc::rc::{Rc, Weak};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::fmt;
use core::pin::Pin;
use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
#[cfg(unix)]
use std::path::{Path, PathBuf};

use socket2::{Domain, SockAddr, Type};

use super::event_loop::{EventLoop, running_loop};
use super::future::Future;
use super::leaf::{Await, once};
use super::locks::{Leaf, Op, leaf_awaitable};
use super::selector::{Interest, Pollable, Waiter};
use super::{AsyncError, Cancelled, Resume, Suspend};
use crate::{Generator, GeneratorState, IntoGenerator};

/// The default limit of a [`StreamReader`]'s buffer for [`readline`](StreamReader::readline)
/// and [`readuntil`](StreamReader::readuntil): 64 KiB, as Python's.
///
/// ```
/// use cogen::asyncio::DEFAULT_LIMIT;
///
/// assert_eq!(DEFAULT_LIMIT, 64 * 1024);
/// ```
pub const DEFAULT_LIMIT: usize = 64 * 1024;

/// A [`StreamWriter`] whose buffer holds more than this makes [`drain`](StreamWriter::drain)
/// wait (Python's default high-water mark of a transport).
const HIGH_WATER: usize = 64 * 1024;
/// ... until it is down to this.
const LOW_WATER: usize = HIGH_WATER / 4;
/// How much one read of a socket asks for.
const CHUNK: usize = 64 * 1024;

/// The error of the stream operations: an I/O error, one of Python's two stream errors, or
/// a cancellation. Cloneable (the I/O error is shared), so tasks can fail with it.
///
/// ```
/// use std::io;
/// use cogen::asyncio::{AsyncError, Cancelled, IoError};
///
/// let error = IoError::from(io::Error::from(io::ErrorKind::ConnectionReset));
/// assert_eq!(error.kind(), io::ErrorKind::ConnectionReset);
/// assert!(IoError::from(Cancelled).is_cancelled());
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum IoError {
    /// The task was cancelled ([`Cancelled`]).
    // Not `Cancelled`: a second item of that name makes rustc's messages spell the type
    // `cogen::asyncio::Cancelled` in full (tests/ui).
    TaskCancelled,
    /// An error of the socket.
    Io(Arc<io::Error>),
    /// The stream ended before the data asked for (Python's `IncompleteReadError`).
    IncompleteRead(IncompleteReadError),
    /// The separator was not found within the reader's limit (Python's
    /// `LimitOverrunError`).
    LimitOverrun(LimitOverrunError),
}

impl IoError {
    /// The [`io::ErrorKind`] this error is closest to: `UnexpectedEof` for an incomplete
    /// read, `InvalidData` for a limit overrun, `Interrupted` for a cancellation.
    ///
    /// ```
    /// use cogen::asyncio::{IncompleteReadError, IoError};
    /// let error = IoError::IncompleteRead(IncompleteReadError { partial: b"ab".to_vec(), expected: Some(3) });
    /// assert_eq!(error.kind(), std::io::ErrorKind::UnexpectedEof);
    /// ```
    pub fn kind(&self) -> io::ErrorKind {
        match self {
            IoError::TaskCancelled => io::ErrorKind::Interrupted,
            IoError::Io(error) => error.kind(),
            IoError::IncompleteRead(_) => io::ErrorKind::UnexpectedEof,
            IoError::LimitOverrun(_) => io::ErrorKind::InvalidData,
        }
    }
}

impl fmt::Display for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IoError::TaskCancelled => f.write_str("cancelled"),
            IoError::Io(error) => error.fmt(f),
            IoError::IncompleteRead(error) => error.fmt(f),
            IoError::LimitOverrun(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for IoError {}

impl From<Cancelled> for IoError {
    fn from(_: Cancelled) -> Self {
        IoError::TaskCancelled
    }
}

impl From<io::Error> for IoError {
    fn from(error: io::Error) -> Self {
        IoError::Io(Arc::new(error))
    }
}

/// A timeout of [`wait_for`](super::wait_for) or [`timeout`](super::timeout) over a stream's
/// wait: an [`io::ErrorKind::TimedOut`] error (Python 3.11's `asyncio.TimeoutError` is the
/// built-in `TimeoutError`, an `OSError`), so that `wait_for(reader.readline(), ..)` needs
/// no error type of its own.
///
/// ```
/// use std::io::ErrorKind;
/// use cogen::asyncio::{IoError, TimeoutError};
///
/// let IoError::Io(error) = IoError::from(TimeoutError) else { unreachable!() };
/// assert_eq!(error.kind(), ErrorKind::TimedOut);
/// assert_eq!(error.to_string(), "timed out");
/// ```
impl From<super::TimeoutError> for IoError {
    fn from(timeout: super::TimeoutError) -> Self {
        IoError::Io(Arc::new(io::Error::new(io::ErrorKind::TimedOut, timeout)))
    }
}

impl AsyncError for IoError {
    fn is_cancelled(&self) -> bool {
        matches!(self, IoError::TaskCancelled)
    }
}

/// Python's `IncompleteReadError`: the stream ended after `partial`, before `expected`
/// bytes ([`readexactly`](StreamReader::readexactly)) or the separator (`None`,
/// [`readuntil`](StreamReader::readuntil)).
///
/// ```
/// use cogen::asyncio::IncompleteReadError;
/// let error = IncompleteReadError { partial: b"ab".to_vec(), expected: Some(4) };
/// assert_eq!(error.to_string(), "2 bytes read on a total of 4 expected bytes");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncompleteReadError {
    /// What was read before the end of the stream.
    pub partial: Vec<u8>,
    /// How many bytes were asked for; `None` for a read until a separator.
    pub expected: Option<usize>,
}

impl fmt::Display for IncompleteReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.expected {
            Some(n) => write!(
                f,
                "{} bytes read on a total of {n} expected bytes",
                self.partial.len()
            ),
            None => write!(
                f,
                "{} bytes read on a total of undefined expected bytes",
                self.partial.len()
            ),
        }
    }
}

/// Python's `LimitOverrunError`: the separator was not found within the limit; `consumed`
/// bytes of the buffer were searched.
///
/// ```
/// use cogen::asyncio::LimitOverrunError;
/// let error = LimitOverrunError { consumed: 70000 };
/// assert!(error.to_string().contains("limit"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitOverrunError {
    /// How many bytes were searched for the separator.
    pub consumed: usize,
}

impl fmt::Display for LimitOverrunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "separator is not found, and chunk exceed the limit ({} bytes consumed)",
            self.consumed
        )
    }
}

// ---------------------------------------------------------------------------------------
// The leaf
// ---------------------------------------------------------------------------------------

/// What an attempt of an [`IoWait`] came to.
enum Attempt<T> {
    Done(Result<T, IoError>),
    /// Wait until the socket is ready for the interest (the attempt would block), then
    /// try again.
    Source(Rc<Socket>, Interest),
    /// Wait until this future is done, then try again.
    Future(Future<(), Cancelled>),
}

type AttemptFn<T> = Box<dyn FnMut() -> Attempt<T>>;

/// A connection's socket (TCP, or Unix-domain), registered with the poller of the loop it
/// waits in from its first wait until it is closed.
type Socket = Pollable<socket2::Socket>;

/// The socket a wait set a callback of.
type Registered = (Rc<Socket>, Interest);

struct IoOp<T> {
    attempt: AttemptFn<T>,
    /// The wait in progress, and the source registered for it.
    wait: Option<(Await<(), Cancelled>, Option<Registered>)>,
}

impl<T> IoOp<T> {
    fn unregister(&mut self) {
        if let Some((_, Some((socket, interest)))) = self.wait.take() {
            socket.unregister(interest);
        }
    }
}

impl<T: 'static> Op for IoOp<T> {
    type Output = Result<T, IoError>;

    fn step(&mut self, resumed: Option<Resume>) -> GeneratorState<Suspend, Self::Output> {
        // The wait's own outcome: its future may have been cancelled (the task's
        // cancellation reaches the future it waits on) even if the task is resumed with
        // `Ok(())`.
        let outcome = match (resumed, self.wait.as_mut()) {
            (Some(arg), Some((wait, _))) => once(Pin::new(wait).resume(arg)),
            (Some(arg), None) => arg,
            (None, _) => Ok(()),
        };
        self.unregister();
        if outcome.is_err() {
            return GeneratorState::Complete(Err(IoError::TaskCancelled));
        }
        let (future, registered) = match (self.attempt)() {
            Attempt::Done(result) => return GeneratorState::Complete(result),
            Attempt::Future(future) => (future, None),
            Attempt::Source(socket, interest) => {
                let event_loop = running_loop("a stream operation");
                let future: Future<(), Cancelled> = event_loop.create_future();
                socket.register(event_loop.inner(), interest, Waiter::Wake(future.clone()));
                (future, Some((socket, interest)))
            }
        };
        let mut wait = future.into_generator();
        let step = Pin::new(&mut wait).start();
        match step {
            GeneratorState::Yielded(suspend) => {
                self.wait = Some((wait, registered));
                GeneratorState::Yielded(suspend)
            }
            // Already done: try again at once.
            GeneratorState::Complete(_) => {
                self.wait = None;
                if let Some((socket, interest)) = registered {
                    socket.unregister(interest);
                }
                self.step(None)
            }
        }
    }

    fn abandon(&mut self) {
        self.unregister();
    }
}

/// The awaitable of every stream operation ([`StreamReader::read`], [`readline`](StreamReader::readline),
/// [`open_connection`], [`StreamWriter::drain`], ...): `yield_from!` it for a
/// `Result<T, IoError>`. Dropping it while it waits gives up the operation (what it had
/// already read stays in the reader's buffer).
///
/// ```no_run
/// use cogen::yield_from;
/// use cogen::asyncio::{self, IoError};
///
/// #[asyncio::coroutine]
/// fn hello() -> Result<Vec<u8>, IoError> {
///     let (mut reader, mut writer) = yield_from!(asyncio::open_connection("127.0.0.1:7"))?;
///     writer.write(b"hello\n");
///     yield_from!(writer.drain())?;
///     yield_from!(reader.readline())
/// }
/// # let _ = asyncio::run(hello());
/// ```
pub struct IoWait<T: 'static>(Leaf<IoOp<T>>);

leaf_awaitable!(IoWait<T> -> Result<T, IoError> where T: 'static);

impl<T: 'static> IoWait<T> {
    fn new(attempt: impl FnMut() -> Attempt<T> + 'static) -> Self {
        IoWait(Leaf::new(IoOp {
            attempt: Box::new(attempt),
            wait: None,
        }))
    }
}

fn would_block(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::WouldBlock
}

// ---------------------------------------------------------------------------------------
// open_connection
// ---------------------------------------------------------------------------------------

/// Connect to `addr` over TCP and return the connection's reader and writer (Python:
/// `reader, writer = await asyncio.open_connection(host, port)`). The connection is made
/// without blocking the loop; the name is resolved when this is called (blocking for a
/// host name: pass a `SocketAddr` to avoid it), and each address is tried in turn.
///
/// ```no_run
/// use cogen::yield_from;
/// use cogen::asyncio::{self, IoError};
///
/// #[asyncio::coroutine]
/// fn greet() -> Result<(), IoError> {
///     let (_reader, mut writer) = yield_from!(asyncio::open_connection("127.0.0.1:8888"))?;
///     println!("connected to {}", writer.peer_addr()?);
///     writer.write(b"hi\n");
///     writer.close();
///     yield_from!(writer.wait_closed())?;
///     Ok(())
/// }
/// # let _ = asyncio::run(greet());
/// ```
pub fn open_connection(addr: impl ToSocketAddrs) -> IoWait<(StreamReader, StreamWriter)> {
    let mut addrs = match addr.to_socket_addrs() {
        Ok(addrs) => addrs.collect::<Vec<_>>().into_iter(),
        Err(error) => {
            let mut error = Some(IoError::from(error));
            return IoWait::new(move || Attempt::Done(Err(error.take().expect("tried once"))));
        }
    };
    let mut connecting: Option<Rc<Socket>> = None;
    let mut last_error: Option<io::Error> = None;
    IoWait::new(move || {
        loop {
            if let Some(stream) = connecting.take() {
                // Woken writable: connected, or failed.
                match stream.take_error() {
                    Ok(None) => match stream.peer_addr() {
                        Ok(_) => return Attempt::Done(Ok(stream_pair(stream, DEFAULT_LIMIT))),
                        Err(error) if error.kind() == io::ErrorKind::NotConnected => {
                            connecting = Some(stream.clone());
                            return Attempt::Source(stream, Interest::Write);
                        }
                        Err(error) => last_error = Some(error),
                    },
                    Ok(Some(error)) | Err(error) => last_error = Some(error),
                }
            }
            let Some(addr) = addrs.next() else {
                let error = last_error.take().unwrap_or_else(|| {
                    io::Error::new(io::ErrorKind::InvalidInput, "no address to connect to")
                });
                return Attempt::Done(Err(error.into()));
            };
            match start_connect(&addr.into()) {
                Ok((stream, true)) => {
                    let stream = Rc::new(Pollable::new(stream));
                    return Attempt::Done(Ok(stream_pair(stream, DEFAULT_LIMIT)));
                }
                Ok((stream, false)) => {
                    let stream = Rc::new(Pollable::new(stream));
                    connecting = Some(stream.clone());
                    return Attempt::Source(stream, Interest::Write);
                }
                Err(error) => last_error = Some(error),
            }
        }
    })
}

/// Connect to the Unix-domain socket at `path` and return the connection's reader and
/// writer (Python: `reader, writer = await asyncio.open_unix_connection(path)`); as
/// [`open_connection`] otherwise. The connection's [`StreamWriter::peer_addr`] and
/// [`local_addr`](StreamWriter::local_addr) are errors: it has no IP address. Unix only.
///
/// ```no_run
/// use cogen::yield_from;
/// use cogen::asyncio::{self, IoError};
///
/// #[asyncio::coroutine]
/// fn ask() -> Result<Vec<u8>, IoError> {
///     let (mut reader, mut writer) = yield_from!(asyncio::open_unix_connection("/run/app.sock"))?;
///     writer.write(b"status\n");
///     yield_from!(reader.readline())
/// }
/// # let _ = asyncio::run(ask());
/// ```
#[cfg(unix)]
pub fn open_unix_connection(path: impl AsRef<Path>) -> IoWait<(StreamReader, StreamWriter)> {
    let mut address = Some(SockAddr::unix(path.as_ref()));
    IoWait::new(move || {
        let connected = address
            .take()
            .expect("tried once")
            .and_then(|address| start_connect(&address));
        Attempt::Done(match connected {
            Ok((socket, _)) => Ok(stream_pair(Rc::new(Pollable::new(socket)), DEFAULT_LIMIT)),
            Err(error) => Err(error.into()),
        })
    })
}

/// A non-blocking socket connecting to `addr`, and whether it is connected already.
fn start_connect(addr: &SockAddr) -> io::Result<(socket2::Socket, bool)> {
    let socket = socket2::Socket::new(addr.domain(), Type::STREAM, None)?;
    socket.set_nonblocking(true)?;
    // A Unix-domain connect does not go on in the background: it is made at once, or
    // refused (`WouldBlock` there is a full backlog).
    let tcp = addr.is_ipv4() || addr.is_ipv6();
    let connected = match socket.connect(addr) {
        Ok(()) => true,
        Err(error)
            if tcp
                && (would_block(&error) || error.raw_os_error() == Some(CONNECT_IN_PROGRESS)) =>
        {
            false
        }
        Err(error) => return Err(error),
    };
    if tcp {
        let _ = socket.set_tcp_nodelay(true);
    }
    Ok((socket, connected))
}

/// The error of a non-blocking `connect` that goes on: `EINPROGRESS` on Unix,
/// `WSAEWOULDBLOCK` (which is also `WouldBlock`) on Windows.
#[cfg(any(target_os = "linux", target_os = "android"))]
const CONNECT_IN_PROGRESS: i32 = 115;
#[cfg(all(unix, not(any(target_os = "linux", target_os = "android"))))]
const CONNECT_IN_PROGRESS: i32 = 36;
#[cfg(windows)]
const CONNECT_IN_PROGRESS: i32 = 10035;

fn stream_pair(stream: Rc<Socket>, limit: usize) -> (StreamReader, StreamWriter) {
    (
        StreamReader {
            state: Rc::new(RefCell::new(ReaderState {
                stream: stream.clone(),
                buffer: Vec::new(),
                eof: false,
                limit,
            })),
        },
        StreamWriter::new(stream),
    )
}

// ---------------------------------------------------------------------------------------
// StreamReader
// ---------------------------------------------------------------------------------------

/// The reading half of a connection (Python's `asyncio.StreamReader`): reads go through a
/// buffer, filled from the socket as needed. One task at a time should read it.
///
/// ```no_run
/// use cogen::yield_from;
/// use cogen::asyncio::{self, IoError};
///
/// #[asyncio::coroutine]
/// fn first_line() -> Result<Vec<u8>, IoError> {
///     let (mut reader, _writer) = yield_from!(asyncio::open_connection("127.0.0.1:8888"))?;
///     let line = yield_from!(reader.readline())?;
///     let header = yield_from!(reader.readexactly(4))?;
///     let rest = yield_from!(reader.readuntil(b"\r\n\r\n"))?;
///     let some = yield_from!(reader.read(100))?;
///     assert!(some.len() <= 100);
///     let _ = (header, rest, reader.at_eof());
///     Ok(line)
/// }
/// # let _ = asyncio::run(first_line());
/// ```
pub struct StreamReader {
    state: Rc<RefCell<ReaderState>>,
}

struct ReaderState {
    stream: Rc<Socket>,
    buffer: Vec<u8>,
    eof: bool,
    limit: usize,
}

/// What one read of the socket gave.
enum Filled {
    /// More data, or the end of the stream.
    Some,
    WouldBlock,
}

impl ReaderState {
    /// Read once from the socket into the buffer, straight into its spare capacity (at
    /// most [`CHUNK`] bytes; nothing is zeroed or copied first).
    fn fill(&mut self) -> Result<Filled, IoError> {
        if self.eof {
            return Ok(Filled::Some);
        }
        let len = self.buffer.len();
        self.buffer.reserve(CHUNK);
        let socket = socket2::SockRef::from(self.stream.get());
        loop {
            let spare = self.buffer.spare_capacity_mut();
            let take = spare.len().min(CHUNK);
            match socket.recv(&mut spare[..take]) {
                Ok(n) => {
                    // SAFETY: `recv` initialised the first `n` bytes of `spare` (it returns
                    // how many it wrote, at most `spare.len()`), which are the `n` bytes
                    // after the buffer's `len` initialised ones; `len + n` is within its
                    // capacity.
                    unsafe { self.buffer.set_len(len + n) };
                    if n == 0 {
                        self.eof = true;
                    }
                    return Ok(Filled::Some);
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => {
                    if would_block(&error) {
                        return Ok(Filled::WouldBlock);
                    }
                    // A reset connection ends the stream, as Python's reader sees it.
                    self.eof = true;
                    return Err(error.into());
                }
            }
        }
    }

    /// The first `n` bytes of the buffer, removed from it. They are copied out, so the
    /// buffer keeps its capacity for the next read.
    fn take_front(&mut self, n: usize) -> Vec<u8> {
        let front = self.buffer[..n].to_vec();
        self.buffer.drain(..n);
        front
    }
}

impl StreamReader {
    /// Run `check` on the buffer until it gives an answer, filling the buffer from the
    /// socket between tries.
    fn wait<T: 'static>(
        &mut self,
        mut check: impl FnMut(&mut ReaderState) -> Option<Result<T, IoError>> + 'static,
    ) -> IoWait<T> {
        let state = self.state.clone();
        IoWait::new(move || {
            let mut state = state.borrow_mut();
            loop {
                if let Some(result) = check(&mut state) {
                    return Attempt::Done(result);
                }
                match state.fill() {
                    Ok(Filled::Some) => {}
                    Ok(Filled::WouldBlock) => {
                        return Attempt::Source(state.stream.clone(), Interest::Read);
                    }
                    Err(error) => return Attempt::Done(Err(error)),
                }
            }
        })
    }

    /// Read up to `n` bytes: what the buffer has, or else what arrives next; empty at the
    /// end of the stream (or if `n` is 0) (Python: `await reader.read(n)`).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn send(_reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     writer.write(b"hello\nworld");
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(send, "127.0.0.1:0")?;
    ///     let (mut reader, _writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     let data = yield_from!(reader.read(100))?; // what has arrived, at most 100 bytes
    ///     assert!(!data.is_empty() && b"hello\nworld".starts_with(&data));
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    pub fn read(&mut self, n: usize) -> IoWait<Vec<u8>> {
        self.wait(move |state| {
            if n == 0 {
                return Some(Ok(Vec::new()));
            }
            if !state.buffer.is_empty() || state.eof {
                let n = n.min(state.buffer.len());
                return Some(Ok(state.take_front(n)));
            }
            None
        })
    }

    /// Read until the end of the stream (Python: `await reader.read()`).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn send(_reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     writer.write(b"hello\nworld");
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(send, "127.0.0.1:0")?;
    ///     let (mut reader, _writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     let all = yield_from!(reader.read_to_end())?;
    ///     assert_eq!(all, b"hello\nworld");
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    pub fn read_to_end(&mut self) -> IoWait<Vec<u8>> {
        self.wait(|state| state.eof.then(|| Ok(core::mem::take(&mut state.buffer))))
    }

    /// Read exactly `n` bytes (Python: `await reader.readexactly(n)`). If the stream ends
    /// first, [`IoError::IncompleteRead`] with what was read (the buffer is then empty).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn send(_reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     writer.write(b"hello\nworld");
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(send, "127.0.0.1:0")?;
    ///     let (mut reader, _writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     let first = yield_from!(reader.readexactly(5))?;
    ///     assert_eq!(first, b"hello");
    ///     let too_many = yield_from!(reader.readexactly(100));
    ///     assert!(matches!(too_many, Err(IoError::IncompleteRead(_))));
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    pub fn readexactly(&mut self, n: usize) -> IoWait<Vec<u8>> {
        self.wait(move |state| {
            if state.buffer.len() >= n {
                return Some(Ok(state.take_front(n)));
            }
            if state.eof {
                return Some(Err(IoError::IncompleteRead(IncompleteReadError {
                    partial: core::mem::take(&mut state.buffer),
                    expected: Some(n),
                })));
            }
            None
        })
    }

    /// Read up to and including `separator` (Python: `await reader.readuntil(sep)`).
    /// [`IoError::LimitOverrun`] if it is not within the reader's limit (the data stays in
    /// the buffer); [`IoError::IncompleteRead`] if the stream ends first (with all that was
    /// left, the buffer is then empty).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn send(_reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     writer.write(b"hello\nworld");
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(send, "127.0.0.1:0")?;
    ///     let (mut reader, _writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     let head = yield_from!(reader.readuntil(b"\n"))?;
    ///     assert_eq!(head, b"hello\n");
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    ///
    /// # Panics
    /// If `separator` is empty.
    pub fn readuntil(&mut self, separator: &[u8]) -> IoWait<Vec<u8>> {
        assert!(
            !separator.is_empty(),
            "readuntil: the separator must not be empty"
        );
        let separator = separator.to_vec();
        let mut searched = 0;
        self.wait(move |state| {
            let found = find(&state.buffer, &separator, searched);
            match found {
                Some(at) if at > state.limit => {
                    Some(Err(IoError::LimitOverrun(LimitOverrunError {
                        consumed: at,
                    })))
                }
                Some(at) => Some(Ok(state.take_front(at + separator.len()))),
                None => {
                    searched = (state.buffer.len() + 1).saturating_sub(separator.len());
                    if searched > state.limit {
                        return Some(Err(IoError::LimitOverrun(LimitOverrunError {
                            consumed: searched,
                        })));
                    }
                    if state.eof {
                        return Some(Err(IoError::IncompleteRead(IncompleteReadError {
                            partial: core::mem::take(&mut state.buffer),
                            expected: None,
                        })));
                    }
                    None
                }
            }
        })
    }

    /// Read a line, up to and including `\n`; at the end of the stream, what is left (empty
    /// when nothing is) (Python: `await reader.readline()`). A line longer than the limit
    /// is [`IoError::LimitOverrun`], and, as in Python, it is dropped from the buffer: up
    /// to its end if that arrived, else all that had arrived.
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn send(_reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     writer.write(b"hello\nworld");
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(send, "127.0.0.1:0")?;
    ///     let (mut reader, _writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     let first = yield_from!(reader.readline())?;
    ///     assert_eq!(first, b"hello\n");
    ///     let rest = yield_from!(reader.readline())?;
    ///     assert_eq!(rest, b"world"); // the end of the stream: what is left
    ///     let none = yield_from!(reader.readline())?;
    ///     assert!(none.is_empty());
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    pub fn readline(&mut self) -> IoWait<Vec<u8>> {
        let mut searched = 0;
        self.wait(move |state| {
            let found = find(&state.buffer, b"\n", searched);
            match found {
                Some(at) if at > state.limit => {
                    state.buffer.drain(..=at);
                    Some(Err(IoError::LimitOverrun(LimitOverrunError {
                        consumed: at,
                    })))
                }
                Some(at) => Some(Ok(state.take_front(at + 1))),
                None => {
                    searched = state.buffer.len();
                    if searched > state.limit {
                        state.buffer.clear();
                        return Some(Err(IoError::LimitOverrun(LimitOverrunError {
                            consumed: searched,
                        })));
                    }
                    state.eof.then(|| Ok(core::mem::take(&mut state.buffer)))
                }
            }
        })
    }

    /// Whether the stream has ended and the buffer is empty (Python: `reader.at_eof()`).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn send(_reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     writer.write(b"hello\nworld");
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(send, "127.0.0.1:0")?;
    ///     let (mut reader, _writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     assert!(!reader.at_eof());
    ///     yield_from!(reader.read_to_end())?;
    ///     assert!(reader.at_eof());
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    pub fn at_eof(&self) -> bool {
        let state = self.state.borrow();
        state.eof && state.buffer.is_empty()
    }

    /// The limit of [`readline`](StreamReader::readline) and
    /// [`readuntil`](StreamReader::readuntil) ([`DEFAULT_LIMIT`] unless set).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn send(_reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     writer.write(b"hello\nworld");
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(send, "127.0.0.1:0")?;
    ///     let (mut reader, _writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     assert_eq!(reader.limit(), asyncio::DEFAULT_LIMIT);
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    pub fn limit(&self) -> usize {
        self.state.borrow().limit
    }

    /// Set the limit of [`readline`](StreamReader::readline) and
    /// [`readuntil`](StreamReader::readuntil) (Python's `limit=` argument).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn send(_reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     writer.write(b"hello\nworld");
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(send, "127.0.0.1:0")?;
    ///     let (mut reader, _writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     reader.set_limit(4);
    ///     assert_eq!(reader.limit(), 4);
    ///     let line = yield_from!(reader.readline()); // "hello\n" is longer than 4 bytes
    ///     assert!(matches!(line, Err(IoError::LimitOverrun(_))));
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    pub fn set_limit(&mut self, limit: usize) {
        self.state.borrow_mut().limit = limit;
    }
}

impl fmt::Debug for StreamReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.borrow();
        f.debug_struct("StreamReader")
            .field("buffered", &state.buffer.len())
            .field("eof", &state.eof)
            .finish_non_exhaustive()
    }
}

/// Where `needle` starts in `haystack`, searching from `from`.
fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if haystack.len() < needle.len() {
        return None;
    }
    let from = from.min(haystack.len());
    if needle.len() == 1 {
        return haystack[from..]
            .iter()
            .position(|&b| b == needle[0])
            .map(|at| at + from);
    }
    haystack[from..]
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| at + from)
}

// ---------------------------------------------------------------------------------------
// StreamWriter
// ---------------------------------------------------------------------------------------

/// The writing half of a connection (Python's `asyncio.StreamWriter`):
/// [`write`](StreamWriter::write) sends what it can at once and buffers the rest, which the
/// loop sends as the socket accepts it; [`drain`](StreamWriter::drain) waits while the
/// buffer is full. Dropping the writer closes it (after what is buffered is sent).
///
/// ```no_run
/// use cogen::yield_from;
/// use cogen::asyncio::{self, IoError};
///
/// #[asyncio::coroutine]
/// fn send() -> Result<(), IoError> {
///     let (_reader, mut writer) = yield_from!(asyncio::open_connection("127.0.0.1:8888"))?;
///     for _ in 0..1000 {
///         writer.write(&[b'x'; 1024]);
///         yield_from!(writer.drain())?; // flow control
///     }
///     writer.close();
///     yield_from!(writer.wait_closed())?;
///     Ok(())
/// }
/// # let _ = asyncio::run(send());
/// ```
pub struct StreamWriter {
    state: Rc<RefCell<WriterState>>,
    closed: Future<(), Cancelled>,
}

struct WriterState {
    stream: Rc<Socket>,
    buffer: Vec<u8>,
    /// Sent bytes at the front of `buffer`.
    sent: usize,
    /// The loop the writer callback is registered on, while it is.
    flushing: Option<EventLoop>,
    closing: bool,
    /// `write_eof` was called; `eof_pending` until the buffer is sent and the write half
    /// shut down.
    eof: bool,
    eof_pending: bool,
    closed: Future<(), Cancelled>,
    error: Option<IoError>,
    drain_waiters: Vec<Future<(), Cancelled>>,
}

impl WriterState {
    fn pending(&self) -> usize {
        self.buffer.len() - self.sent
    }

    /// Send what the socket takes; then, if everything is sent, stop the writer
    /// callback and finish a close. Wakes the drain waiters below the low-water mark.
    fn flush(this: &Rc<RefCell<WriterState>>) {
        let mut state = this.borrow_mut();
        while state.pending() > 0 && state.error.is_none() {
            let sent = state.sent;
            match state.stream.get().write(&state.buffer[sent..]) {
                Ok(0) => state.error = Some(io::Error::from(io::ErrorKind::WriteZero).into()),
                Ok(n) => state.sent += n,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) if would_block(&error) => break,
                Err(error) => state.error = Some(error.into()),
            }
        }
        if state.error.is_some() {
            state.buffer.clear();
            state.sent = 0;
            state.closing = true;
        }
        if state.pending() == 0 {
            state.buffer.clear();
            state.sent = 0;
        } else if state.sent > CHUNK && state.sent * 2 > state.buffer.len() {
            let sent = state.sent;
            state.buffer.drain(..sent);
            state.sent = 0;
        }
        let waiters = if state.pending() <= LOW_WATER || state.error.is_some() {
            core::mem::take(&mut state.drain_waiters)
        } else {
            Vec::new()
        };
        let done = state.pending() == 0;
        let stop = if done { state.flushing.take() } else { None };
        let close = done && state.closing && !state.closed.done();
        let shut_write = done && core::mem::take(&mut state.eof_pending);
        let stream = state.stream.clone();
        let closed = state.closed.clone();
        drop(state);
        if !done && this.borrow().flushing.is_none() {
            let event_loop = running_loop("StreamWriter::write");
            let callback_state = this.clone();
            // Only after a write would block (`!done`), as an edge-triggered wait must.
            stream.register(
                event_loop.inner(),
                Interest::Write,
                Waiter::call(move || WriterState::flush(&callback_state)),
            );
            this.borrow_mut().flushing = Some(event_loop);
        }
        if stop.is_some() {
            stream.unregister(Interest::Write);
        }
        for waiter in waiters {
            let _ = waiter.set_result(());
        }
        if shut_write && !close {
            let _ = stream.shutdown(Shutdown::Write);
        }
        if close {
            let _ = stream.shutdown(Shutdown::Both);
            let _ = closed.set_result(());
        }
    }
}

impl StreamWriter {
    fn new(stream: Rc<Socket>) -> Self {
        let closed = Future::new();
        StreamWriter {
            state: Rc::new(RefCell::new(WriterState {
                stream,
                buffer: Vec::new(),
                sent: 0,
                flushing: None,
                closing: false,
                eof: false,
                eof_pending: false,
                closed: closed.clone(),
                error: None,
                drain_waiters: Vec::new(),
            })),
            closed,
        }
    }

    /// Send `data`: what the socket takes now, the rest from the buffer as it can (Python:
    /// `writer.write(data)`). After [`close`](StreamWriter::close), or once the connection
    /// failed, it does nothing ([`drain`](StreamWriter::drain) reports the failure).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn echo(mut reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     let data = yield_from!(reader.read_to_end())?;
    ///     writer.write(&data);
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(echo, "127.0.0.1:0")?;
    ///     let (mut reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     writer.write(b"ping ");
    ///     writer.write(b"pong");
    ///     writer.write_eof();
    ///     let echoed = yield_from!(reader.read_to_end())?;
    ///     assert_eq!(echoed, b"ping pong");
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    ///
    /// # Panics
    /// If the socket does not take it all at once and no loop is running on this thread
    /// (the rest is sent by the running loop).
    #[track_caller]
    pub fn write(&mut self, data: &[u8]) {
        {
            let mut state = self.state.borrow_mut();
            if state.closing || state.eof || state.error.is_some() || data.is_empty() {
                return;
            }
            state.buffer.extend_from_slice(data);
            if state.flushing.is_some() {
                return; // the writer callback sends it
            }
        }
        WriterState::flush(&self.state);
    }

    /// Write each of `chunks` in order, as one [`write`](StreamWriter::write) of them all
    /// (Python: `writer.writelines(data)`; nothing is added between them).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn echo(mut reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     let data = yield_from!(reader.read_to_end())?;
    ///     writer.writelines([&b"echo: "[..], data.as_slice()]);
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(echo, "127.0.0.1:0")?;
    ///     let (mut reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     writer.writelines(["GET / HTTP/1.0\r\n", "\r\n"]);
    ///     writer.write_eof();
    ///     let echoed = yield_from!(reader.read_to_end())?;
    ///     assert_eq!(echoed, b"echo: GET / HTTP/1.0\r\n\r\n");
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    ///
    /// # Panics
    /// As [`write`](StreamWriter::write).
    #[track_caller]
    pub fn writelines<I>(&mut self, chunks: I)
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        // Joined before the writer's state is touched: the chunks come from the caller's
        // iterator, which may panic (the write is then all or nothing) or use this stream.
        let mut joined = Vec::new();
        for chunk in chunks {
            joined.extend_from_slice(chunk.as_ref());
        }
        self.write(&joined);
    }

    /// Wait until the buffer is small enough to write more (Python: `await
    /// writer.drain()`): at once if it holds at most 64 KiB, else until it is down to
    /// 16 KiB. The connection's error, if it failed.
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn echo(mut reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     let data = yield_from!(reader.read_to_end())?;
    ///     writer.write(&data);
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(echo, "127.0.0.1:0")?;
    ///     let (mut reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     writer.write(&[7; 100_000]); // more than 64 KiB: drain waits until it is sent
    ///     yield_from!(writer.drain())?;
    ///     writer.write_eof();
    ///     let echoed = yield_from!(reader.read_to_end())?;
    ///     assert_eq!(echoed.len(), 100_000);
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    pub fn drain(&mut self) -> IoWait<()> {
        let state = self.state.clone();
        let mut waited = false;
        IoWait::new(move || {
            let mut state = state.borrow_mut();
            if let Some(error) = &state.error {
                return Attempt::Done(Err(error.clone()));
            }
            let limit = if waited { LOW_WATER } else { HIGH_WATER };
            if state.pending() <= limit {
                return Attempt::Done(Ok(()));
            }
            waited = true;
            let future = Future::new();
            state.drain_waiters.push(future.clone());
            Attempt::Future(future)
        })
    }

    /// Close the connection once the buffer is sent (Python: `writer.close()`); the reader
    /// of the other end then sees the end of the stream. Calling it again does nothing.
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn send(_reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     writer.write(b"hello\nworld");
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(send, "127.0.0.1:0")?;
    ///     let (mut reader, _writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     let all = yield_from!(reader.read_to_end())?; // the server's `close` ended the stream
    ///     assert_eq!(all, b"hello\nworld");
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    pub fn close(&mut self) {
        let flush = {
            let mut state = self.state.borrow_mut();
            if state.closing {
                false
            } else {
                state.closing = true;
                state.flushing.is_none()
            }
        };
        if flush {
            let state = self.state.borrow();
            if state.pending() == 0 && !state.closed.done() {
                let _ = state.stream.shutdown(Shutdown::Both);
                let _ = state.closed.set_result(());
            }
        }
    }

    /// Close the write half once the buffer is sent (Python: `writer.write_eof()`): the
    /// other end reads the end of the stream, and can still send; this end can still read.
    /// Later writes do nothing.
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn echo(mut reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     let data = yield_from!(reader.read_to_end())?;
    ///     writer.write(&data);
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(echo, "127.0.0.1:0")?;
    ///     let (mut reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     writer.write(b"bye");
    ///     writer.write_eof(); // the server reads to the end, and can still answer
    ///     let echoed = yield_from!(reader.read_to_end())?;
    ///     assert_eq!(echoed, b"bye");
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    pub fn write_eof(&mut self) {
        let mut state = self.state.borrow_mut();
        if state.closing || state.eof {
            return;
        }
        state.eof = true;
        if state.flushing.is_some() {
            state.eof_pending = true; // the writer callback shuts it down when done
        } else {
            let _ = state.stream.shutdown(Shutdown::Write);
        }
    }

    /// Whether [`close`](StreamWriter::close) was called, or the connection failed (Python:
    /// `writer.is_closing()`).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn echo(mut reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     let data = yield_from!(reader.read_to_end())?;
    ///     writer.write(&data);
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(echo, "127.0.0.1:0")?;
    ///     let (mut reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     assert!(!writer.is_closing());
    ///     writer.close();
    ///     assert!(writer.is_closing());
    ///     yield_from!(writer.wait_closed())?;
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    pub fn is_closing(&self) -> bool {
        self.state.borrow().closing
    }

    /// Wait until the connection is closed: the buffer sent after
    /// [`close`](StreamWriter::close) (Python: `await writer.wait_closed()`).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn echo(mut reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     let data = yield_from!(reader.read_to_end())?;
    ///     writer.write(&data);
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(echo, "127.0.0.1:0")?;
    ///     let (mut reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     writer.write(b"last words");
    ///     writer.close();
    ///     yield_from!(writer.wait_closed())?; // sent and closed
    ///     assert!(writer.is_closing());
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    pub fn wait_closed(&self) -> Await<(), Cancelled> {
        self.closed.clone().into_generator()
    }

    /// The address of the other end (Python: `writer.get_extra_info("peername")`).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn echo(mut reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     let data = yield_from!(reader.read_to_end())?;
    ///     writer.write(&data);
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(echo, "127.0.0.1:0")?;
    ///     let (mut reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     assert_eq!(writer.peer_addr()?, server.local_addr());
    ///     writer.close();
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        ip_address(self.state.borrow().stream.peer_addr()?)
    }

    /// The address of this end (Python: `writer.get_extra_info("sockname")`).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn echo(mut reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
    ///     let data = yield_from!(reader.read_to_end())?;
    ///     writer.write(&data);
    ///     writer.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(echo, "127.0.0.1:0")?;
    ///     let (mut reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     let here = writer.local_addr()?;
    ///     assert!(here.ip().is_loopback());
    ///     assert_ne!(here.port(), server.local_addr().port());
    ///     writer.close();
    ///     server.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        ip_address(self.state.borrow().stream.local_addr()?)
    }
}

/// A TCP stream's address; a Unix-domain stream has none.
fn ip_address(address: SockAddr) -> io::Result<SocketAddr> {
    address.as_socket().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "a Unix-domain stream has no IP address",
        )
    })
}

impl Drop for StreamWriter {
    fn drop(&mut self) {
        self.close();
    }
}

impl fmt::Debug for StreamWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.borrow();
        f.debug_struct("StreamWriter")
            .field("buffered", &state.pending())
            .field("closing", &state.closing)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------

/// Listen on `addr` and run `handler(reader, writer)` as a task for each connection
/// (Python: `server = await asyncio.start_server(handler, host, port)`). Binding is
/// immediate (with `SO_REUSEADDR` and a backlog of 1024 connections); connections
/// are accepted by the running loop. Port 0 picks a free port:
/// [`Server::local_addr`] tells which.
///
/// ```
/// use cogen::yield_from;
/// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
///
/// #[asyncio::coroutine]
/// fn echo(mut reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
///     let line = yield_from!(reader.readline())?;
///     writer.write(&line);
///     yield_from!(writer.drain())?;
///     Ok(())
/// }
///
/// #[asyncio::coroutine]
/// fn main_coro() -> Result<Vec<u8>, IoError> {
///     let server = asyncio::start_server(echo, "127.0.0.1:0")?;
///     let (mut reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
///     writer.write(b"ping\n");
///     let echoed = yield_from!(reader.readline())?;
///     server.close();
///     yield_from!(server.wait_closed())?;
///     Ok(echoed)
/// }
///
/// assert_eq!(asyncio::run(main_coro()).unwrap(), b"ping\n");
/// ```
///
/// # Panics
/// Outside a running loop.
#[track_caller]
pub fn start_server<H, G, E>(handler: H, addr: impl ToSocketAddrs) -> io::Result<Server>
where
    H: FnMut(StreamReader, StreamWriter) -> G + 'static,
    G: Generator<Resume, Yield = Suspend, Return = Result<(), E>> + 'static,
    E: AsyncError + 'static,
{
    let event_loop = running_loop("asyncio::start_server");
    let listener = listen(addr)?;
    let address = ip_address(listener.local_addr()?)?;
    Ok(serve(event_loop, listener, Address::Ip(address), handler))
}

/// Listen on the Unix-domain socket at `path` and run `handler(reader, writer)` as a new
/// task for each connection (Python: `await asyncio.start_unix_server(handler, path)`);
/// as [`start_server`] otherwise. Unix only.
///
/// As Python's, a socket file already at `path` (left by a server that did not clean up)
/// is replaced; any other file there makes this fail with `AddrInUse`. [`Server::close`]
/// removes the socket file, unless another one has taken its place meanwhile.
///
/// ```
/// use cogen::yield_from;
/// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
///
/// #[asyncio::coroutine]
/// fn echo(mut reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
///     let line = yield_from!(reader.readline())?;
///     writer.write(&line);
///     yield_from!(writer.drain())?;
///     Ok(())
/// }
///
/// #[asyncio::coroutine]
/// fn main_coro(path: std::path::PathBuf) -> Result<Vec<u8>, IoError> {
///     let server = asyncio::start_unix_server(echo, &path)?;
///     let (mut reader, mut writer) = yield_from!(asyncio::open_unix_connection(&path))?;
///     writer.write(b"ping\n");
///     let echoed = yield_from!(reader.readline())?;
///     server.close(); // removes the socket file
///     yield_from!(server.wait_closed())?;
///     Ok(echoed)
/// }
///
/// let path = std::env::temp_dir().join(format!("cogen-doc-{}.sock", std::process::id()));
/// assert_eq!(asyncio::run(main_coro(path.clone())).unwrap(), b"ping\n");
/// assert!(!path.exists());
/// ```
///
/// # Panics
/// Outside a running loop.
#[cfg(unix)]
#[track_caller]
pub fn start_unix_server<H, G, E>(handler: H, path: impl AsRef<Path>) -> io::Result<Server>
where
    H: FnMut(StreamReader, StreamWriter) -> G + 'static,
    G: Generator<Resume, Yield = Suspend, Return = Result<(), E>> + 'static,
    E: AsyncError + 'static,
{
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let event_loop = running_loop("asyncio::start_unix_server");
    let path = path.as_ref();
    match std::fs::symlink_metadata(path) {
        Ok(stale) if stale.file_type().is_socket() => std::fs::remove_file(path)?,
        _ => {} // nothing there, or a file that `bind` refuses (AddrInUse)
    }
    let listener = socket2::Socket::new(Domain::UNIX, Type::STREAM, None)?;
    listener.bind(&SockAddr::unix(path)?)?;
    listener.listen(BACKLOG)?;
    listener.set_nonblocking(true)?;
    let inode = std::fs::symlink_metadata(path)?.ino();
    let address = Address::Unix {
        path: PathBuf::from(path),
        inode,
    };
    Ok(serve(event_loop, listener, address, handler))
}

/// The server of a listening socket: accepts on each readiness, a handler task per
/// connection.
fn serve<H, G, E>(
    event_loop: EventLoop,
    listener: socket2::Socket,
    address: Address,
    handler: H,
) -> Server
where
    H: FnMut(StreamReader, StreamWriter) -> G + 'static,
    G: Generator<Resume, Yield = Suspend, Return = Result<(), E>> + 'static,
    E: AsyncError + 'static,
{
    let listener = Rc::new(listener);
    let state = Rc::new(ServerState {
        listener: RefCell::new(Some(listener.clone())),
        address,
        event_loop: event_loop.clone(),
        connections: Cell::new(0),
        serving: Future::new(),
        closed: Future::new(),
    });
    let weak = Rc::downgrade(&state);
    let handler = RefCell::new(handler);
    event_loop.inner().io().register(
        listener,
        Interest::Read,
        Box::new(move || {
            let Some(state) = weak.upgrade() else { return };
            accept(&state, &mut *handler.borrow_mut());
        }),
    );
    Server { state }
}

/// How many connections the OS queues for the server to accept.
const BACKLOG: i32 = 1024;

/// A non-blocking listener on the first of `addr`'s addresses that can be bound, with
/// `SO_REUSEADDR` (as Python's) and a backlog of [`BACKLOG`].
fn listen(addr: impl ToSocketAddrs) -> io::Result<socket2::Socket> {
    let mut last_error = None;
    for addr in addr.to_socket_addrs()? {
        let bound = (|| {
            let socket = socket2::Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
            socket.set_reuse_address(true)?;
            socket.bind(&addr.into())?;
            socket.listen(BACKLOG)?;
            socket.set_nonblocking(true)?;
            Ok(socket)
        })();
        match bound {
            Ok(listener) => return Ok(listener),
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error
        .unwrap_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no address to listen on")))
}

fn accept<H, G, E>(state: &Rc<ServerState>, handler: &mut H)
where
    H: FnMut(StreamReader, StreamWriter) -> G + 'static,
    G: Generator<Resume, Yield = Suspend, Return = Result<(), E>> + 'static,
    E: AsyncError + 'static,
{
    let Some(listener) = state.listener.borrow().clone() else {
        return;
    };
    // A bounded batch, so that a flood of connections does not starve the loop.
    for _ in 0..128 {
        match listener.accept() {
            Ok((stream, _)) => {
                if stream.set_nonblocking(true).is_err() {
                    continue;
                }
                if !state.address.is_unix() {
                    let _ = stream.set_tcp_nodelay(true);
                }
                let (reader, writer) = stream_pair(Rc::new(Pollable::new(stream)), DEFAULT_LIMIT);
                let task = state.event_loop.create_task(handler(reader, writer));
                state.connections.set(state.connections.get() + 1);
                let weak: Weak<ServerState> = Rc::downgrade(state);
                task.future().on_done(move |_| {
                    if let Some(state) = weak.upgrade() {
                        state.connections.set(state.connections.get() - 1);
                        state.maybe_closed();
                    }
                });
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            // WouldBlock: all accepted. Other errors (a connection reset before it was
            // accepted, too many open files) end this batch; the next readiness retries.
            Err(_) => break,
        }
    }
}

struct ServerState {
    listener: RefCell<Option<Rc<socket2::Socket>>>,
    address: Address,
    event_loop: EventLoop,
    /// Handler tasks still running.
    connections: Cell<usize>,
    /// Done when the server is closed.
    serving: Future<(), Cancelled>,
    /// Done when it is closed and every handler has finished.
    closed: Future<(), Cancelled>,
}

/// Where a server listens.
#[derive(Debug)]
enum Address {
    Ip(SocketAddr),
    /// A Unix-domain socket file, and its inode, to remove it at close only if it is still
    /// the one this server made (Python 3.13's `cleanup_socket`).
    #[cfg(unix)]
    Unix {
        path: PathBuf,
        inode: u64,
    },
}

impl Address {
    fn is_unix(&self) -> bool {
        match self {
            Address::Ip(_) => false,
            #[cfg(unix)]
            Address::Unix { .. } => true,
        }
    }
}

impl ServerState {
    fn maybe_closed(&self) {
        if self.serving.done() && self.connections.get() == 0 {
            let _ = self.closed.set_result(());
        }
    }
}

/// A listening TCP server made by [`start_server`] (Python's `asyncio.Server`). Dropping
/// the handle does not stop it; [`close`](Server::close) does.
///
/// ```
/// use cogen::yield_from;
/// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
///
/// #[asyncio::coroutine]
/// fn ignore(_reader: StreamReader, _writer: StreamWriter) -> Result<(), IoError> {
///     Ok(())
/// }
///
/// #[asyncio::coroutine]
/// fn main_coro() -> Result<(), IoError> {
///     let server = asyncio::start_server(ignore, "127.0.0.1:0")?;
///     assert!(server.is_serving());
///     let stopper = server.clone();
///     asyncio::get_running_loop().unwrap().call_soon(move || stopper.close());
///     yield_from!(server.serve_forever())?; // until closed
///     assert!(!server.is_serving());
///     yield_from!(server.wait_closed())?;
///     Ok(())
/// }
///
/// asyncio::run(main_coro()).unwrap();
/// ```
#[derive(Clone)]
pub struct Server {
    state: Rc<ServerState>,
}

impl Server {
    /// The address the server listens on (Python: `server.sockets[0].getsockname()`).
    ///
    /// ```
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn ignore(_reader: StreamReader, _writer: StreamWriter) -> Result<(), IoError> {
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(ignore, "127.0.0.1:0")?;
    ///     assert!(server.local_addr().ip().is_loopback());
    ///     assert_ne!(server.local_addr().port(), 0); // the port picked
    ///     server.close();
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    ///
    /// # Panics
    /// For a server of [`start_unix_server`], which has no IP address (see
    /// [`path`](Server::path)).
    #[track_caller]
    pub fn local_addr(&self) -> SocketAddr {
        match &self.state.address {
            Address::Ip(address) => *address,
            #[cfg(unix)]
            Address::Unix { path, .. } => panic!(
                "Server::local_addr: a Unix-domain server has no IP address; it listens on {} \
                 (Server::path)",
                path.display()
            ),
        }
    }

    /// The path of a Unix-domain server's socket ([`start_unix_server`]); `None` for a TCP
    /// server. Unix only.
    ///
    /// ```
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn ignore(_reader: StreamReader, _writer: StreamWriter) -> Result<(), IoError> {
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let path = std::env::temp_dir().join(format!("cogen-path-{}.sock", std::process::id()));
    ///     let server = asyncio::start_unix_server(ignore, &path)?;
    ///     assert_eq!(server.path(), Some(path.as_path()));
    ///     server.close();
    ///     let tcp = asyncio::start_server(ignore, "127.0.0.1:0")?;
    ///     assert_eq!(tcp.path(), None);
    ///     tcp.close();
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    #[cfg(unix)]
    pub fn path(&self) -> Option<&Path> {
        match &self.state.address {
            Address::Unix { path, .. } => Some(path),
            Address::Ip(_) => None,
        }
    }

    /// Wait until the server is closed (Python: `await server.serve_forever()`, which
    /// raises `CancelledError` where this returns `Ok(())`).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, Server, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn ignore(_reader: StreamReader, _writer: StreamWriter) -> Result<(), IoError> {
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn stop_later(server: Server) -> Result<(), IoError> {
    ///     yield_from!(asyncio::sleep(std::time::Duration::from_millis(10)))?;
    ///     server.close();
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<bool, IoError> {
    ///     let server = asyncio::start_server(ignore, "127.0.0.1:0")?;
    ///     asyncio::create_task(stop_later(server.clone()));
    ///     yield_from!(server.serve_forever())?; // until `stop_later` closes it
    ///     Ok(server.is_serving())
    /// }
    ///
    /// assert!(!asyncio::run(main_coro()).unwrap());
    /// ```
    pub fn serve_forever(&self) -> Await<(), Cancelled> {
        self.state.serving.clone().into_generator()
    }

    /// Stop listening (Python: `server.close()`): new connections are refused; those
    /// already accepted go on. Calling it again does nothing.
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn ignore(_reader: StreamReader, _writer: StreamWriter) -> Result<(), IoError> {
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(ignore, "127.0.0.1:0")?;
    ///     assert!(server.is_serving());
    ///     server.close();
    ///     assert!(!server.is_serving());
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    pub fn close(&self) {
        let Some(listener) = self.state.listener.borrow_mut().take() else {
            return;
        };
        if let Some(io) = self.state.event_loop.inner().io.get() {
            io.unregister(&*listener, Interest::Read);
        }
        drop(listener);
        #[cfg(unix)]
        if let Address::Unix { path, inode } = &self.state.address {
            use std::os::unix::fs::MetadataExt;
            if std::fs::symlink_metadata(path).is_ok_and(|file| file.ino() == *inode) {
                let _ = std::fs::remove_file(path);
            }
        }
        let _ = self.state.serving.set_result(());
        self.state.maybe_closed();
    }

    /// Whether the server still accepts connections (Python: `server.is_serving()`): from
    /// [`start_server`] until [`close`](Server::close). See [`close`](Server::close) for an
    /// example.
    pub fn is_serving(&self) -> bool {
        self.state.listener.borrow().is_some()
    }

    /// How many connections are being handled (handler tasks not finished).
    ///
    /// ```
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn wait_for_eof(mut reader: StreamReader, _writer: StreamWriter) -> Result<(), IoError> {
    ///     yield_from!(reader.read_to_end())?;
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<(), IoError> {
    ///     let server = asyncio::start_server(wait_for_eof, "127.0.0.1:0")?;
    ///     assert_eq!(server.connections(), 0);
    ///     let (mut reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     while server.connections() == 0 {
    ///         yield_from!(asyncio::yield_now())?; // until the loop accepts it
    ///     }
    ///     assert_eq!(server.connections(), 1);
    ///     writer.close();
    ///     yield_from!(reader.read_to_end())?;
    ///     server.close();
    ///     yield_from!(server.wait_closed())?; // once the handler is done
    ///     assert_eq!(server.connections(), 0);
    ///     Ok(())
    /// }
    ///
    /// asyncio::run(main_coro()).unwrap();
    /// ```
    pub fn connections(&self) -> usize {
        self.state.connections.get()
    }

    /// Wait until the server is closed and every connection's handler has finished
    /// (Python 3.12: `await server.wait_closed()`).
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc};
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    ///
    /// #[asyncio::coroutine]
    /// fn until_eof(mut reader: StreamReader, finished: Rc<Cell<bool>>) -> Result<(), IoError> {
    ///     yield_from!(reader.read_to_end())?; // until the client leaves
    ///     finished.set(true);
    ///     Ok(())
    /// }
    ///
    /// #[asyncio::coroutine]
    /// fn main_coro() -> Result<bool, IoError> {
    ///     let finished = Rc::new(Cell::new(false));
    ///     let flag = finished.clone();
    ///     let handler = move |reader, _writer: StreamWriter| until_eof(reader, flag.clone());
    ///     let server = asyncio::start_server(handler, "127.0.0.1:0")?;
    ///     let (_reader, mut writer) = yield_from!(asyncio::open_connection(server.local_addr()))?;
    ///     while server.connections() == 0 {
    ///         yield_from!(asyncio::yield_now())?;
    ///     }
    ///     server.close(); // stops accepting; the handler still runs
    ///     writer.close();
    ///     yield_from!(server.wait_closed())?;
    ///     Ok(finished.get())
    /// }
    ///
    /// assert!(asyncio::run(main_coro()).unwrap());
    /// ```
    pub fn wait_closed(&self) -> Await<(), Cancelled> {
        self.state.closed.clone().into_generator()
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("address", &self.state.address)
            .field("serving", &self.is_serving())
            .field("connections", &self.connections())
            .finish()
    }
}
