//! E1 TCP echo: `clients` connections over loopback, each making `trips` round trips (write
//! [`MESSAGE`], wait for it to come back, check it), served by an echo server in the same
//! single-threaded event loop. Both implementations here (cogen's `asyncio`, tokio's
//! current-thread runtime) and those of `python/echo.py` (CPython asyncio, uvloop) have the
//! same shape: one thread, one loop, the server and every client in it; the server reads a
//! line and writes it back; a client writes a line, then reads one.

use std::time::{Duration, Instant};

/// The line every round trip sends and gets back.
pub const MESSAGE: &[u8] = b"cogen echo benchmark, one line per round trip\n";

/// The size of a run.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub clients: usize,
    pub trips: usize,
}

impl Default for Config {
    /// 100 clients x 2,000 round trips (issue 10 asks for 100 x 10,000; 2,000 keeps a run of
    /// `bench/run.sh` short, and the rate is the same within noise).
    fn default() -> Self {
        Config {
            clients: 100,
            trips: 2_000,
        }
    }
}

impl Config {
    /// Round trips in one run.
    pub fn requests(&self) -> usize {
        self.clients * self.trips
    }
}

/// One run: how long the clients took (from the first connect to the last echo), and how
/// many bytes of echoes they checked.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    pub elapsed: Duration,
    pub echoed: usize,
}

/// The CPU time this process has used so far, in user space and in the kernel. Over a run,
/// the kernel's share is the loopback TCP work and the syscalls, which every implementation
/// pays alike; the user-space share is the implementation's own.
#[derive(Clone, Copy, Debug)]
pub struct CpuTime {
    pub user: Duration,
    pub system: Duration,
}

impl CpuTime {
    pub fn now() -> CpuTime {
        // SAFETY: `getrusage` writes a `rusage` into the zeroed, properly aligned value we
        // hand it and reads nothing else; RUSAGE_SELF is a valid `who`.
        let usage = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            assert_eq!(
                libc::getrusage(libc::RUSAGE_SELF, &mut usage),
                0,
                "getrusage"
            );
            usage
        };
        let duration = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        };
        CpuTime {
            user: duration(usage.ru_utime),
            system: duration(usage.ru_stime),
        }
    }

    /// The CPU time used since `earlier`.
    pub fn since(self, earlier: CpuTime) -> CpuTime {
        CpuTime {
            user: self.user - earlier.user,
            system: self.system - earlier.system,
        }
    }
}

/// A run of one implementation.
pub type Impl = fn(&Config) -> Run;

/// The Rust implementations, by name (the bench ids of `src/bin/echo.rs`'s output).
pub const IMPLS: [(&str, Impl); 2] = [("cogen", cogen), ("tokio", tokio)];

pub fn cogen(config: &Config) -> Run {
    use cogen::asyncio::{self, IoError, StreamReader, StreamWriter};
    use cogen::yield_from;

    #[asyncio::coroutine]
    fn serve(mut reader: StreamReader, mut writer: StreamWriter) -> Result<(), IoError> {
        loop {
            let line = yield_from!(reader.readline())?;
            if line.is_empty() {
                break;
            }
            writer.write(&line);
            yield_from!(writer.drain())?;
        }
        writer.close();
        Ok(())
    }

    #[asyncio::coroutine]
    fn client(addr: std::net::SocketAddr, trips: usize) -> Result<usize, IoError> {
        let (mut reader, mut writer) = yield_from!(asyncio::open_connection(addr))?;
        let mut echoed = 0;
        for _ in 0..trips {
            writer.write(MESSAGE);
            yield_from!(writer.drain())?;
            let line = yield_from!(reader.readline())?;
            assert_eq!(line, MESSAGE, "cogen: wrong echo");
            echoed += line.len();
        }
        writer.close();
        yield_from!(writer.wait_closed())?;
        Ok(echoed)
    }

    #[asyncio::coroutine]
    fn main_coro(config: Config) -> Result<Run, IoError> {
        let server = asyncio::start_server(serve, "127.0.0.1:0")?;
        let addr = server.local_addr();
        let started = Instant::now();
        let clients: Vec<_> = (0..config.clients)
            .map(|_| asyncio::create_task(client(addr, config.trips)))
            .collect();
        let echoed = yield_from!(asyncio::gather(clients))?;
        let elapsed = started.elapsed();
        server.close();
        yield_from!(server.wait_closed())?;
        Ok(Run {
            elapsed,
            echoed: echoed.iter().sum(),
        })
    }

    asyncio::run(main_coro(*config)).expect("cogen echo")
}

pub fn tokio(config: &Config) -> Run {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::{TcpListener, TcpStream};

    async fn serve(stream: TcpStream) -> std::io::Result<()> {
        stream.set_nodelay(true)?;
        let (reader, mut writer) = stream.into_split();
        let mut reader = BufReader::new(reader);
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line).await? == 0 {
                return Ok(());
            }
            writer.write_all(&line).await?;
        }
    }

    async fn client(addr: std::net::SocketAddr, trips: usize) -> std::io::Result<usize> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (reader, mut writer) = stream.into_split();
        let mut reader = BufReader::new(reader);
        let mut line = Vec::new();
        let mut echoed = 0;
        for _ in 0..trips {
            writer.write_all(MESSAGE).await?;
            line.clear();
            reader.read_until(b'\n', &mut line).await?;
            assert_eq!(line, MESSAGE, "tokio: wrong echo");
            echoed += line.len();
        }
        Ok(echoed)
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("tokio runtime");
    let config = *config;
    runtime.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let server = tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.expect("accept");
                tokio::spawn(serve(stream));
            }
        });
        let started = Instant::now();
        let clients: Vec<_> = (0..config.clients)
            .map(|_| tokio::spawn(client(addr, config.trips)))
            .collect();
        let mut echoed = 0;
        for client in clients {
            echoed += client.await.expect("client task").expect("tokio echo");
        }
        let elapsed = started.elapsed();
        server.abort();
        Run { elapsed, echoed }
    })
}
