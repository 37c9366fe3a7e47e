//! The loop's selector: the OS poller (the `polling` crate: epoll, kqueue, IOCP), the
//! readers and writers registered on it, and the calls other threads send.
//!
//! Sources are keyed by their file descriptor (a socket on Windows), in one of two modes:
//!
//! * **Oneshot** (`add_reader`/`add_writer`, a server's listener): registered while it has
//!   a callback; an event disarms it, the loop schedules its callbacks and re-arms it (with
//!   the interest it then has) just before it next waits. The registration keeps an `Rc`
//!   of the source's owner, so the descriptor stays open.
//! * **Edge-triggered** (a stream's socket, a [`Pollable`]): registered once, for reading
//!   and writing, at its first wait, and deleted when the `Pollable` is dropped; a wait only
//!   sets or clears a callback (no system call). A wait starts after the operation would
//!   block, so the next change of readiness is an event.
//!
//! IOCP (Windows) has no edge-triggered mode, so there a `Pollable` is oneshot too (as
//! `os::EDGE` says): added with the interest of its first wait, re-armed after an event as
//! the others are, and when a wait adds an interest. The OS-specific part is the `os`
//! module alone: what a descriptor is, and whether the poller has edge mode.

use alloc::boxed::Box;
use alloc::rc::{Rc, Weak};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::fmt;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use polling::{Event, Events, PollMode, Poller};

use super::Cancelled;
use super::event_loop::{LoopInner, call};
use super::future::Future;

use os::Raw;

/// What a source is to the OS (a file descriptor on Unix, a socket on Windows), and what
/// its poller can do: all that differs between them.
#[cfg(unix)]
mod os {
    use std::os::fd::AsRawFd;
    pub use std::os::fd::{AsFd as AsHandle, BorrowedFd as Borrowed, RawFd as Raw};

    /// epoll and kqueue have an edge-triggered mode.
    pub const EDGE: bool = true;

    /// What the panic messages call a source.
    pub const KIND: &str = "file descriptor";

    pub fn borrow<T: AsHandle + ?Sized>(io: &T) -> Borrowed<'_> {
        io.as_fd()
    }

    pub fn raw<T: AsHandle + ?Sized>(io: &T) -> Raw {
        io.as_fd().as_raw_fd()
    }

    /// # Safety
    /// `raw` is open for `'a` (`BorrowedFd::borrow_raw`'s contract).
    pub unsafe fn borrow_raw<'a>(raw: Raw) -> Borrowed<'a> {
        // SAFETY: the caller's.
        unsafe { Borrowed::borrow_raw(raw) }
    }
}

/// What a source is to the OS (a file descriptor on Unix, a socket on Windows), and what
/// its poller can do: all that differs between them.
#[cfg(windows)]
mod os {
    use std::os::windows::io::AsRawSocket;
    pub use std::os::windows::io::{
        AsSocket as AsHandle, BorrowedSocket as Borrowed, RawSocket as Raw,
    };

    /// IOCP (`polling`'s AFD polls) has no edge-triggered mode: level-triggered or oneshot
    /// only.
    pub const EDGE: bool = false;

    /// What the panic messages call a source.
    pub const KIND: &str = "socket";

    pub fn borrow<T: AsHandle + ?Sized>(io: &T) -> Borrowed<'_> {
        io.as_socket()
    }

    pub fn raw<T: AsHandle + ?Sized>(io: &T) -> Raw {
        io.as_socket().as_raw_socket()
    }

    /// # Safety
    /// `raw` is open for `'a` (`BorrowedSocket::borrow_raw`'s contract).
    pub unsafe fn borrow_raw<'a>(raw: Raw) -> Borrowed<'a> {
        // SAFETY: the caller's.
        unsafe { Borrowed::borrow_raw(raw) }
    }
}

/// What [`EventLoop::add_reader`](super::EventLoop::add_reader) and
/// [`add_writer`](super::EventLoop::add_writer) watch: on Unix, anything with a file
/// descriptor ([`AsFd`](https://doc.rust-lang.org/std/os/fd/trait.AsFd.html): sockets,
/// pipes, ...); on Windows, a socket
/// ([`AsSocket`](https://doc.rust-lang.org/std/os/windows/io/trait.AsSocket.html):
/// `TcpStream`, `TcpListener`, `UdpSocket`, `socket2::Socket`, ...).
///
/// It is implemented for every such type and for nothing else, and names no method of its
/// own, so a program that watches sockets compiles on both:
///
/// ```
/// use std::net::TcpListener;
/// use std::rc::Rc;
/// use cogen::asyncio::{AsSource, EventLoop};
///
/// fn watch(lp: &EventLoop, source: Rc<impl AsSource + 'static>) {
///     lp.add_reader(source, || println!("readable"));
/// }
///
/// let lp = EventLoop::new();
/// let listener = Rc::new(TcpListener::bind("127.0.0.1:0").unwrap());
/// watch(&lp, listener.clone());
/// assert!(lp.remove_reader(&*listener));
/// ```
pub trait AsSource: os::AsHandle {}

impl<T: os::AsHandle + ?Sized> AsSource for T {}

/// Which callback of a source.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Interest {
    Read,
    Write,
}

/// A reader or writer callback; `live` is cleared when it is removed or replaced, so that
/// a call already scheduled is skipped.
pub(crate) struct Callback {
    call: Box<dyn Fn()>,
    live: Cell<bool>,
}

struct Source {
    /// `Some` for a oneshot source: kept so that the descriptor stays open while it is
    /// registered. `None` for an edge-triggered one: its [`Pollable`] deletes it from the
    /// poller before it closes the descriptor.
    owner: Option<Rc<dyn AsSource>>,
    reader: Option<Waiter>,
    writer: Option<Waiter>,
}

/// What a source's event does for one interest.
pub(crate) enum Waiter {
    /// Schedule this callback on the loop (it is skipped if removed by then).
    Call(Rc<Callback>),
    /// Complete this future at once (a stream operation's wait: no allocation besides the
    /// future; the future schedules the task awaiting it).
    Wake(Future<(), Cancelled>),
}

impl Waiter {
    pub(crate) fn call(callback: impl Fn() + 'static) -> Waiter {
        Waiter::Call(Rc::new(Callback {
            call: Box::new(callback),
            live: Cell::new(true),
        }))
    }

    /// It was removed or replaced: a call already scheduled is skipped.
    fn retire(&self) {
        if let Waiter::Call(callback) = self {
            callback.live.set(false);
        }
    }
}

impl Source {
    fn event(&self, fd: Raw) -> Event {
        Event::new(fd as usize, self.reader.is_some(), self.writer.is_some())
    }

    /// Whether an event disarms it (and the loop re-arms it): one of `add_reader`'s, or a
    /// [`Pollable`]'s where the poller has no edge mode.
    fn oneshot(&self) -> bool {
        !os::EDGE || self.owner.is_some()
    }

    fn slot(&mut self, interest: Interest) -> &mut Option<Waiter> {
        match interest {
            Interest::Read => &mut self.reader,
            Interest::Write => &mut self.writer,
        }
    }
}

/// A descriptor registered with the poller of the loop it waits in, edge-triggered, from its
/// first wait until it is dropped (what a stream's socket is): a wait costs no system call
/// with the poller. Wait only after the descriptor's operation would block.
pub(crate) struct Pollable<T: AsSource> {
    io: T,
    /// The loop whose poller has it (`Weak::new()` before its first wait).
    registered: RefCell<Weak<LoopInner>>,
}

impl<T: AsSource> Pollable<T> {
    pub(crate) fn new(io: T) -> Self {
        Pollable {
            io,
            registered: RefCell::new(Weak::new()),
        }
    }

    pub(crate) fn get(&self) -> &T {
        &self.io
    }

    /// Set what the events of `interest` in `event_loop` do (until
    /// [`unregister`](Pollable::unregister)); registers the descriptor with that loop's
    /// poller first if it is not (deleting it from the poller of another loop).
    pub(crate) fn register(&self, event_loop: &Rc<LoopInner>, interest: Interest, waiter: Waiter) {
        let fd = os::raw(&self.io);
        let old = self.registered.replace(Rc::downgrade(event_loop));
        if !Weak::ptr_eq(&old, &self.registered.borrow())
            && let Some(old) = old.upgrade()
            && let Some(io) = old.io.get()
        {
            io.remove_edge(fd);
        }
        // SAFETY: `Io::set_edge` requires the descriptor to stay open until it is deleted
        // from the poller. `self` owns it (`io`), and is registered with one loop at a
        // time (the one in `registered`: the old one's registration was deleted just
        // above); dropping `self` deletes it from that loop's poller before `io` is
        // dropped (`Drop::drop` runs before the fields are dropped). If the drop cannot
        // reach that loop (it is being dropped, or is gone), the loop deleted every source
        // from its poller first (`Io::close`, which `LoopInner::close` and its drop call
        // before they drop tasks, and `Io`'s drop calls before the poller closes).
        unsafe {
            event_loop
                .io()
                .set_edge(os::borrow(&self.io), interest, waiter)
        };
    }

    /// Stop calling the callback of `interest`.
    pub(crate) fn unregister(&self, interest: Interest) {
        if let Some(event_loop) = self.registered.borrow().upgrade()
            && let Some(io) = event_loop.io.get()
        {
            io.unregister(&self.io, interest);
        }
    }
}

impl<T: AsSource> core::ops::Deref for Pollable<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.io
    }
}

impl<T: AsSource> Drop for Pollable<T> {
    fn drop(&mut self) {
        if let Some(event_loop) = self.registered.get_mut().upgrade()
            && let Some(io) = event_loop.io.get()
        {
            io.remove_edge(os::raw(&self.io));
        }
    }
}

/// What other threads share with the loop: the poller (to wake it) and their calls.
pub(crate) struct Remote {
    /// Made the first time the loop registers a source or waits in it (not before: a
    /// loop whose thread-safe calls are all sent while it runs never needs one).
    poller: OnceLock<Poller>,
    calls: Mutex<Vec<Box<dyn FnOnce() + Send>>>,
}

impl Remote {
    /// The poller, made on first use (on the loop's thread).
    fn poller(&self) -> &Poller {
        self.poller.get_or_init(|| match Poller::new() {
            Ok(poller) => poller,
            Err(error) => panic!("cannot make the event loop's OS poller: {error}"),
        })
    }

    fn has_calls(&self) -> bool {
        !self
            .calls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .is_empty()
    }
}

/// A handle to an event loop that other threads can use (it is `Send` and `Sync`, and
/// `Clone` shares it): [`call_soon_threadsafe`](ThreadsafeHandle::call_soon_threadsafe)
/// schedules a callback on the loop and wakes it if it waits. Made by
/// [`EventLoop::threadsafe_handle`](super::EventLoop::threadsafe_handle).
///
/// ```
/// use cogen::asyncio::EventLoop;
///
/// let lp = EventLoop::new();
/// let handle = lp.threadsafe_handle();
/// std::thread::spawn(move || handle.call_soon_threadsafe(|| println!("on the loop")))
///     .join()
///     .unwrap();
/// lp.run_briefly(); // prints "on the loop"
/// ```
#[derive(Clone)]
pub struct ThreadsafeHandle {
    remote: Arc<Remote>,
}

impl ThreadsafeHandle {
    /// Schedule `callback` to run on the loop's thread on its next tick, and wake the loop
    /// if it waits in its poller (Python: `loop.call_soon_threadsafe`). If the loop is
    /// closed before it runs, it is dropped, on the loop's thread or on this one.
    ///
    /// ```
    /// use cogen::asyncio::EventLoop;
    /// use std::sync::{Arc, atomic::{AtomicBool, Ordering}};
    ///
    /// let lp = EventLoop::new();
    /// let ran = Arc::new(AtomicBool::new(false));
    /// let (handle, flag) = (lp.threadsafe_handle(), ran.clone());
    /// std::thread::spawn(move || {
    ///     handle.call_soon_threadsafe(move || flag.store(true, Ordering::SeqCst));
    /// })
    /// .join()
    /// .unwrap();
    /// lp.run_briefly();
    /// assert!(ran.load(Ordering::SeqCst));
    /// ```
    pub fn call_soon_threadsafe(&self, callback: impl FnOnce() + Send + 'static) {
        self.remote
            .calls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(Box::new(callback));
        // A failed wake-up leaves the call queued for the loop's next tick. No poller yet:
        // the loop is not waiting in it, and looks at the calls once it has made it.
        if let Some(poller) = self.remote.poller.get() {
            let _ = poller.notify();
        }
    }
}

impl ThreadsafeHandle {
    /// A handle that does not keep the loop waiting for other threads (see `Io::active`):
    /// what the wakers of std futures hold (asyncio/std_future.rs).
    pub(crate) fn downgrade(&self) -> WeakThreadsafeHandle {
        WeakThreadsafeHandle {
            remote: Arc::downgrade(&self.remote),
        }
    }
}

/// A [`ThreadsafeHandle`] that does not count as one: its calls reach the loop while its
/// selector exists, and are dropped after.
pub(crate) struct WeakThreadsafeHandle {
    remote: alloc::sync::Weak<Remote>,
}

impl WeakThreadsafeHandle {
    /// [`ThreadsafeHandle::call_soon_threadsafe`], or `false` (and `callback` dropped here)
    /// if the loop's selector is gone.
    pub(crate) fn call_soon_threadsafe(&self, callback: impl FnOnce() + Send + 'static) -> bool {
        match self.remote.upgrade() {
            Some(remote) => {
                ThreadsafeHandle { remote }.call_soon_threadsafe(callback);
                true
            }
            None => false,
        }
    }
}

impl fmt::Debug for ThreadsafeHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadsafeHandle").finish_non_exhaustive()
    }
}

/// The I/O half of a loop.
pub(crate) struct Io {
    remote: Arc<Remote>,
    events: RefCell<Events>,
    sources: RefCell<HashMap<Raw, Source>>,
    /// Oneshot sources that had an event since the last wait, to re-arm.
    rearm: RefCell<Vec<Raw>>,
    /// How many reader and writer callbacks are set, in all sources.
    callbacks: Cell<usize>,
}

impl Io {
    pub(crate) fn new() -> Io {
        Io {
            remote: Arc::new(Remote {
                poller: OnceLock::new(),
                calls: Mutex::new(Vec::new()),
            }),
            events: RefCell::new(Events::new()),
            sources: RefCell::new(HashMap::new()),
            rearm: RefCell::new(Vec::new()),
            callbacks: Cell::new(0),
        }
    }

    pub(crate) fn threadsafe_handle(&self) -> ThreadsafeHandle {
        ThreadsafeHandle {
            remote: self.remote.clone(),
        }
    }

    /// Whether the loop must wait in the poller: a reader or writer callback is set, or
    /// another thread may send a call.
    pub(crate) fn active(&self) -> bool {
        self.callbacks.get() > 0 || Arc::strong_count(&self.remote) > 1
    }

    /// Schedule the calls other threads sent.
    pub(crate) fn take_remote_calls(&self, event_loop: &LoopInner) -> bool {
        let calls = core::mem::take(
            &mut *self
                .remote
                .calls
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        let any = !calls.is_empty();
        for callback in calls {
            event_loop.schedule(call(callback));
        }
        any
    }

    /// Wait in the poller up to `timeout` (`None`: until woken), then schedule the
    /// callbacks of the ready sources and the calls of other threads. Returns whether
    /// anything woke it before the timeout.
    pub(crate) fn poll(&self, event_loop: &LoopInner, mut timeout: Option<Duration>) -> bool {
        let poller = match self.remote.poller.get() {
            Some(poller) => poller,
            // No poller, so no source: only the calls can be ready, and not waiting needs
            // no poller (nor an OS that has one: miri).
            None if timeout == Some(Duration::ZERO) => return self.take_remote_calls(event_loop),
            None => {
                let poller = self.remote.poller();
                // A call sent before the poller existed did not notify it.
                if self.remote.has_calls() {
                    timeout = Some(Duration::ZERO);
                }
                poller
            }
        };
        self.rearm_sources();
        let mut events = self.events.borrow_mut();
        events.clear();
        match poller.wait(&mut events, timeout) {
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => panic!("the event loop's OS poller failed: {error}"),
        }
        let mut woke = !events.is_empty();
        {
            let sources = self.sources.borrow();
            let mut rearm = self.rearm.borrow_mut();
            for event in events.iter() {
                let fd = event.key as Raw;
                let Some(source) = sources.get(&fd) else {
                    continue;
                };
                if source.oneshot() {
                    rearm.push(fd);
                }
                let ready = [
                    (event.readable, &source.reader),
                    (event.writable, &source.writer),
                ];
                for (is_ready, waiter) in ready {
                    match waiter {
                        Some(Waiter::Call(callback)) if is_ready => {
                            let callback = callback.clone();
                            event_loop.schedule(call(move || {
                                if callback.live.get() {
                                    (callback.call)();
                                }
                            }));
                        }
                        // Completing a future only schedules its callbacks (a second
                        // event before its wait ends finds it done: nothing happens).
                        Some(Waiter::Wake(future)) if is_ready => {
                            let _ = future.set_result(());
                        }
                        _ => {}
                    }
                }
            }
        }
        drop(events);
        woke |= self.take_remote_calls(event_loop);
        woke
    }

    fn rearm_sources(&self) {
        let sources = self.sources.borrow();
        for fd in self.rearm.take() {
            if let Some(source) = sources.get(&fd) {
                self.modify(source, fd);
            }
        }
    }

    /// Re-arm a oneshot source with the interest it has.
    fn modify(&self, source: &Source, fd: Raw) {
        if !source.oneshot() {
            return;
        }
        // SAFETY: `fd` is open while it is in `sources` (`source` is): a oneshot source's
        // `owner` keeps it open, and a `Pollable`'s is there only while the `Pollable`
        // (which owns it) lives. The borrow ends with the call.
        let handle = unsafe { os::borrow_raw(fd) };
        if let Err(error) = self.remote.poller().modify(handle, source.event(fd)) {
            panic!(
                "cannot change the interest of {} {fd} in the OS poller: {error}",
                os::KIND
            );
        }
    }

    /// Set the `interest` waiter of the edge-triggered source `fd`, adding it to the
    /// poller (for reading and writing) if it is not there.
    ///
    /// # Safety
    /// `fd` must stay open until [`remove_edge`](Io::remove_edge) or [`close`](Io::close)
    /// has deleted it (`polling`'s contract).
    unsafe fn set_edge(&self, fd: os::Borrowed<'_>, interest: Interest, waiter: Waiter) {
        let raw = os::raw(&fd);
        let mut sources = self.sources.borrow_mut();
        let mut added = false;
        let source = match sources.entry(raw) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                // Edge mode: for both interests, for good. Oneshot: for this one, until its
                // event or a wait for the other (below).
                let (event, mode) = if os::EDGE {
                    (Event::all(raw as usize), PollMode::Edge)
                } else {
                    let read = interest == Interest::Read;
                    (Event::new(raw as usize, read, !read), PollMode::Oneshot)
                };
                // SAFETY: the caller keeps `fd` open until it is deleted.
                let result = unsafe { self.remote.poller().add_with_mode(raw, event, mode) };
                if let Err(error) = result {
                    panic!("cannot add {} {raw} to the OS poller: {error}", os::KIND);
                }
                added = true;
                entry.insert(Source {
                    owner: None,
                    reader: None,
                    writer: None,
                })
            }
        };
        assert!(
            source.owner.is_none(),
            "cogen: {} {raw} is both a stream's and an `add_reader`/`add_writer` source",
            os::KIND
        );
        let old = source.slot(interest).replace(waiter);
        // Oneshot: armed for the interest it had (or disarmed by an event, then re-armed
        // before the loop waits), so an interest it did not have is armed now.
        if !os::EDGE && old.is_none() && !added {
            self.modify(source, raw);
        }
        drop(sources);
        self.replaced(old);
    }

    /// Delete the edge-triggered source `fd` (its [`Pollable`] is dropped), if it is here.
    fn remove_edge(&self, fd: Raw) {
        let mut sources = self.sources.borrow_mut();
        // Only an edge-triggered source (one of `add_reader`'s is not a `Pollable`'s).
        if sources.get(&fd).is_none_or(|source| source.owner.is_some()) {
            return;
        }
        let mut source = sources.remove(&fd).expect("present");
        drop(sources);
        // SAFETY: the descriptor is open (its `Pollable` is being dropped, and closes it
        // after this); `delete` only uses it for the duration of the call.
        let _ = self.remote.poller().delete(unsafe { os::borrow_raw(fd) });
        for interest in [Interest::Read, Interest::Write] {
            if let Some(old) = source.slot(interest).take() {
                old.retire();
                self.callbacks.set(self.callbacks.get() - 1);
            }
        }
        // The callbacks (which may hold anything) drop here, with no borrow.
    }

    /// Count a callback that replaced `old` in its slot, and retire `old`.
    fn replaced(&self, old: Option<Waiter>) {
        match old {
            Some(old) => old.retire(),
            None => self.callbacks.set(self.callbacks.get() + 1),
        }
    }

    /// Set the `interest` callback of the oneshot source `owner` (`add_reader`,
    /// `add_writer`, a server's listener), adding it to the poller or re-arming it.
    pub(crate) fn register(
        &self,
        owner: Rc<dyn AsSource>,
        interest: Interest,
        callback: Box<dyn Fn()>,
    ) {
        let callback = Waiter::Call(Rc::new(Callback {
            call: callback,
            live: Cell::new(true),
        }));
        let fd = os::raw(&*owner);
        let mut sources = self.sources.borrow_mut();
        let old;
        if let Some(source) = sources.get_mut(&fd) {
            assert!(
                source.owner.is_some(),
                "cogen: {} {fd} is both a stream's and an `add_reader`/`add_writer` source",
                os::KIND
            );
            old = source.slot(interest).replace(callback);
            source.owner = Some(owner);
            let source = &sources[&fd];
            self.modify(source, fd);
        } else {
            let mut source = Source {
                owner: None,
                reader: None,
                writer: None,
            };
            *source.slot(interest) = Some(callback);
            // SAFETY: `polling` requires the descriptor to stay open until it is deleted
            // from the poller. The loop keeps `source.owner`, the `AsSource` value that the
            // descriptor belongs to (by I/O safety, it cannot be closed while that value
            // lives), in `sources` until `unregister` or `close` has deleted it, and `Io`'s
            // drop deletes what is left before `owner` is dropped.
            let added = unsafe { self.remote.poller().add(fd, source.event(fd)) };
            if let Err(error) = added {
                panic!("cannot add {} {fd} to the OS poller: {error}", os::KIND);
            }
            source.owner = Some(owner);
            sources.insert(fd, source);
            old = None;
        }
        drop(sources);
        self.replaced(old);
    }

    /// Clear the `interest` callback of `fd`; returns whether it had one. A oneshot source
    /// left with no callback is deleted from the poller; an edge-triggered one stays
    /// registered until its [`Pollable`] is dropped.
    pub(crate) fn unregister(&self, source: &(impl AsSource + ?Sized), interest: Interest) -> bool {
        let fd = os::borrow(source);
        let raw = os::raw(&fd);
        let mut sources = self.sources.borrow_mut();
        let Some(source) = sources.get_mut(&raw) else {
            return false;
        };
        let Some(old) = source.slot(interest).take() else {
            return false;
        };
        old.retire();
        self.callbacks.set(self.callbacks.get() - 1);
        if source.owner.is_none() {
            drop(sources);
        } else if source.reader.is_none() && source.writer.is_none() {
            let source = sources.remove(&raw).expect("present");
            drop(sources);
            let _ = self.remote.poller().delete(fd);
            // `old` and `source` (callbacks may hold anything) drop here, with no borrow.
            drop(source);
        } else {
            self.modify(&sources[&raw], raw);
            drop(sources);
        }
        drop(old);
        true
    }

    /// Delete every source from the poller and drop their callbacks (the loop closes).
    pub(crate) fn close(&self) {
        loop {
            let sources = self.sources.take();
            if sources.is_empty() {
                break;
            }
            for (&fd, source) in sources.iter() {
                // SAFETY: the descriptor is open: a oneshot source's `owner` keeps it open,
                // and an edge-triggered source is in `sources` only while its `Pollable`
                // (which owns the descriptor) lives. `delete` only uses it during the call.
                let _ = self.remote.poller().delete(unsafe { os::borrow_raw(fd) });
                for callback in [&source.reader, &source.writer].into_iter().flatten() {
                    callback.retire();
                    self.callbacks.set(self.callbacks.get() - 1);
                }
            }
            drop(sources);
        }
        self.rearm.take();
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        self.close();
        self.remote
            .calls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }
}
