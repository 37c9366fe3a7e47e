//! Unix signals delivered to the loop (Python's `loop.add_signal_handler`): the OS handler,
//! installed through `signal-hook`, only writes a byte to a socket pair; the loop reads the
//! other end as any reader and calls the handler on its own thread, once per delivery. So
//! the handler is an ordinary callback: it may cancel tasks, set futures, stop servers.
//!
//! Process-wide, a signal whose disposition was the default one before its first handler
//! gets that default back when its last handler (of any loop) goes, as Python restores it
//! on `remove_signal_handler` (signal-hook alone would leave the signal ignored).

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::collections::btree_map::Entry;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use core::cell::{Cell, RefCell};
use std::io::{self, Read};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::EventLoop;

/// Signal numbers and [`raise_signal`](signal::raise_signal), as in Python's `signal`
/// module, for [`EventLoop::add_signal_handler`]. Unix only.
pub mod signal {
    /// The signals a program most often handles (the platform's `<signal.h>` values, as
    /// Python's `signal.SIGINT`...); any other catchable signal number is accepted too.
    pub use libc::{
        SIGALRM, SIGCHLD, SIGHUP, SIGINT, SIGPIPE, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH,
    };

    /// Send `signal` to this process, to the calling thread (Python:
    /// `signal.raise_signal(sig)`): with a handler installed, the handler's byte is written
    /// before this returns.
    ///
    /// ```
    /// use cogen::asyncio::{EventLoop, Future};
    /// use cogen::asyncio::signal::{SIGUSR2, raise_signal};
    ///
    /// let lp = EventLoop::new();
    /// let got = lp.create_future::<&str, cogen::asyncio::Cancelled>();
    /// let fut = got.clone();
    /// lp.add_signal_handler(SIGUSR2, move || {
    ///     let _ = fut.set_result("SIGUSR2");
    /// })
    /// .unwrap();
    /// raise_signal(SIGUSR2).unwrap();
    /// assert_eq!(lp.run_until_complete(&got), Ok("SIGUSR2"));
    /// # lp.remove_signal_handler(SIGUSR2);
    /// ```
    pub fn raise_signal(signal: i32) -> std::io::Result<()> {
        signal_hook::low_level::raise(signal)
    }
}

/// A loop's handlers, by signal number.
#[derive(Default)]
pub(crate) struct LoopSignals(RefCell<BTreeMap<i32, Rc<Handler>>>);

impl LoopSignals {
    /// Drop every handler (the loop closes); one whose drop adds another is dropped too.
    pub(crate) fn clear(&self) {
        loop {
            // Taken out before they are dropped: their destructors may use the loop.
            let handlers = self.0.take();
            if handlers.is_empty() {
                break;
            }
            for handler in handlers.values() {
                handler.active.set(false);
            }
            drop(handlers);
        }
    }
}

/// One handler of one loop: the read end the OS handler writes to, and the callback.
pub(crate) struct Handler {
    reader: Rc<UnixStream>,
    callback: Box<dyn Fn()>,
    /// Cleared when the handler is removed or replaced, so that deliveries already read
    /// but not yet handled are not handed to it.
    active: Cell<bool>,
}

/// The OS-level registration of a handler: unregistered when the loop's reader callback
/// that owns it is dropped (removed, replaced, or the loop closed).
struct Registration {
    signal: i32,
    id: signal_hook::SigId,
}

impl Drop for Registration {
    fn drop(&mut self) {
        signal_hook::low_level::unregister(self.id);
        let mut process = PROCESS.lock().unwrap_or_else(|poison| poison.into_inner());
        if let Some(state) = process.get_mut(&self.signal) {
            state.handlers -= 1;
            if let (0, Some(restore)) = (state.handlers, &state.restore_default) {
                restore.store(true, Ordering::SeqCst);
            }
        }
    }
}

/// What the process knows of a signal cogen has handled.
struct ProcessSignal {
    /// Handlers registered now, over every loop.
    handlers: usize,
    /// Set when no handler is left, if the signal's disposition was the default one before
    /// its first handler: a signal-hook action then runs the default action (terminate,
    /// stop...) as if nothing had been installed.
    restore_default: Option<Arc<AtomicBool>>,
}

static PROCESS: Mutex<BTreeMap<i32, ProcessSignal>> = Mutex::new(BTreeMap::new());

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// Installs the OS-level part of a handler of `signal`, writing to `writer`.
fn register(signal: i32, writer: UnixStream) -> io::Result<Registration> {
    if signal_hook::consts::FORBIDDEN.contains(&signal) {
        return Err(invalid(format!(
            "signal {signal} cannot be handled (SIGKILL, SIGSTOP and the fault signals)"
        )));
    }
    if signal_hook::low_level::signal_name(signal).is_none() {
        return Err(invalid(format!("{signal} is not a known signal")));
    }
    let mut process = PROCESS.lock().unwrap_or_else(|poison| poison.into_inner());
    let state = match process.entry(signal) {
        Entry::Occupied(known) => known.into_mut(),
        Entry::Vacant(first) => {
            let restore_default = if disposition_is_default(signal)? {
                // Set until the first handler is in: the default action goes on meanwhile.
                let restore = Arc::new(AtomicBool::new(true));
                signal_hook::flag::register_conditional_default(signal, restore.clone())?;
                Some(restore)
            } else {
                None
            };
            first.insert(ProcessSignal {
                handlers: 0,
                restore_default,
            })
        }
    };
    let id = signal_hook::low_level::pipe::register(signal, writer)?;
    state.handlers += 1;
    if let Some(restore) = &state.restore_default {
        restore.store(false, Ordering::SeqCst);
    }
    Ok(Registration { signal, id })
}

/// Whether `signal`'s disposition is the default action (not ignored, no handler).
fn disposition_is_default(signal: i32) -> io::Result<bool> {
    // SAFETY: `sigaction` with a null new action only reads the current one into `old`,
    // a zeroed `sigaction` (a plain C struct, for which all-zero bytes are valid) that we
    // own; `signal` was checked to be a known signal number.
    let old = unsafe {
        let mut old: libc::sigaction = core::mem::zeroed();
        if libc::sigaction(signal, core::ptr::null(), &mut old) != 0 {
            return Err(io::Error::last_os_error());
        }
        old
    };
    Ok(old.sa_sigaction == libc::SIG_DFL)
}

impl EventLoop {
    /// Call `callback` on this loop's thread each time the process receives `signal`,
    /// until [`remove_signal_handler`](EventLoop::remove_signal_handler) (Python:
    /// `loop.add_signal_handler(sig, callback)`). Unix only.
    ///
    /// The OS handler only writes to a socket pair that the loop reads, so `callback` runs
    /// as an ordinary callback of the loop, once per delivery (deliveries that come faster
    /// than the loop reads them may be folded into fewer, as the OS itself folds pending
    /// signals). While a handler is installed the signal's default action (terminating the
    /// process, for SIGINT and SIGTERM) does not happen; it comes back when the last handler
    /// of the signal, of any loop, is removed or its loop is closed. A second handler of the
    /// same signal on this loop replaces the first. Several loops may each have a handler of
    /// a signal: each is called.
    ///
    /// Errors: `InvalidInput` for a signal that cannot be caught (SIGKILL, SIGSTOP, the
    /// fault signals SIGSEGV, SIGBUS, SIGILL, SIGFPE) or an unknown number; an OS error if
    /// the socket pair cannot be made.
    ///
    /// A server stopped by Ctrl-C (the signal is raised here by the program itself):
    ///
    /// ```
    /// use std::time::Duration;
    /// use cogen::yield_from;
    /// use cogen::asyncio::{self, Cancelled, EventLoop, signal::SIGINT};
    ///
    /// #[asyncio::coroutine]
    /// fn serve() -> Result<(), Cancelled> {
    ///     loop {
    ///         yield_from!(asyncio::sleep(Duration::from_secs(3600)))?; // stand-in for serving
    ///     }
    /// }
    ///
    /// let lp = EventLoop::new();
    /// let server = lp.create_task(serve());
    /// let task = server.clone();
    /// lp.add_signal_handler(SIGINT, move || {
    ///     task.cancel();
    /// })
    /// .unwrap();
    /// lp.call_soon(|| asyncio::signal::raise_signal(SIGINT).unwrap()); // what Ctrl-C does
    /// assert_eq!(lp.run_until_complete(&server), Err(Cancelled));
    /// assert!(lp.remove_signal_handler(SIGINT));
    /// ```
    pub fn add_signal_handler(&self, signal: i32, callback: impl Fn() + 'static) -> io::Result<()> {
        let (reader, writer) = UnixStream::pair()?;
        reader.set_nonblocking(true)?;
        let registration = register(signal, writer)?;
        let reader = Rc::new(reader);
        let handler = Rc::new(Handler {
            reader: reader.clone(),
            callback: Box::new(callback),
            active: Cell::new(true),
        });
        let delivered = handler.clone();
        self.remove_signal_handler(signal);
        self.inner().signals.0.borrow_mut().insert(signal, handler);
        self.add_reader(reader, move || {
            let _registration = &registration;
            let mut bytes = [0; 64];
            loop {
                let n = match (&*delivered.reader).read(&mut bytes) {
                    Ok(0) => return, // the writer is closed only with the registration
                    Ok(n) => n,
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                    Err(_) => return, // WouldBlock: every delivery read
                };
                for _ in 0..n {
                    if !delivered.active.get() {
                        return;
                    }
                    (delivered.callback)();
                }
            }
        });
        Ok(())
    }

    /// Remove this loop's handler of `signal`; returns whether there was one (Python:
    /// `loop.remove_signal_handler(sig)`). When it was the last handler of the signal in
    /// the process, the signal's default action is back (if it was the default before the
    /// first handler). Unix only.
    ///
    /// ```
    /// use cogen::asyncio::{EventLoop, signal::SIGUSR1};
    ///
    /// let lp = EventLoop::new();
    /// lp.add_signal_handler(SIGUSR1, || println!("got SIGUSR1")).unwrap();
    /// assert!(lp.remove_signal_handler(SIGUSR1));
    /// assert!(!lp.remove_signal_handler(SIGUSR1));
    /// ```
    pub fn remove_signal_handler(&self, signal: i32) -> bool {
        let Some(handler) = self.inner().signals.0.borrow_mut().remove(&signal) else {
            return false;
        };
        handler.active.set(false);
        // Drops the reader callback, and with it the OS-level registration.
        self.remove_reader(&*handler.reader);
        true
    }
}
