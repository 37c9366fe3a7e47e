//! The loop's selector: the OS poller (the `polling` crate: epoll, kqueue, IOCP), the
//! readers and writers registered on it, and the calls other threads send.
//!
//! Sources are registered in oneshot mode, keyed by their file descriptor: an event
//! disarms its source, the loop schedules the source's callbacks, and re-arms the source
//! (with the interest it then has) just before it next waits.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::fmt;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use polling::{Event, Events, Poller};

use super::event_loop::{LoopInner, call};

#[cfg(unix)]
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

/// Which callback of a source.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Interest {
    Read,
    Write,
}

/// A reader or writer callback; `live` is cleared when it is removed or replaced, so that
/// a call already scheduled is skipped.
struct Callback {
    call: Box<dyn Fn()>,
    live: Cell<bool>,
}

#[cfg(unix)]
struct Source {
    /// Kept so that the descriptor stays open while it is registered.
    owner: Rc<dyn AsFd>,
    reader: Option<Rc<Callback>>,
    writer: Option<Rc<Callback>>,
}

#[cfg(unix)]
impl Source {
    fn event(&self, fd: RawFd) -> Event {
        Event::new(fd as usize, self.reader.is_some(), self.writer.is_some())
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
    #[cfg(unix)]
    sources: RefCell<HashMap<RawFd, Source>>,
    /// Sources that had an event since the last wait, to re-arm.
    #[cfg(unix)]
    rearm: RefCell<Vec<RawFd>>,
}

impl Io {
    pub(crate) fn new() -> Io {
        Io {
            remote: Arc::new(Remote {
                poller: OnceLock::new(),
                calls: Mutex::new(Vec::new()),
            }),
            events: RefCell::new(Events::new()),
            #[cfg(unix)]
            sources: RefCell::new(HashMap::new()),
            #[cfg(unix)]
            rearm: RefCell::new(Vec::new()),
        }
    }

    pub(crate) fn threadsafe_handle(&self) -> ThreadsafeHandle {
        ThreadsafeHandle {
            remote: self.remote.clone(),
        }
    }

    /// Whether the loop must wait in the poller: sources are registered, or another
    /// thread may send a call.
    pub(crate) fn active(&self) -> bool {
        #[cfg(unix)]
        let sources = !self.sources.borrow().is_empty();
        #[cfg(not(unix))]
        let sources = false;
        sources || Arc::strong_count(&self.remote) > 1
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
        #[cfg(unix)]
        self.rearm_sources();
        let mut events = self.events.borrow_mut();
        events.clear();
        match poller.wait(&mut events, timeout) {
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(error) => panic!("the event loop's OS poller failed: {error}"),
        }
        let mut woke = !events.is_empty();
        #[cfg(unix)]
        {
            let sources = self.sources.borrow();
            let mut rearm = self.rearm.borrow_mut();
            for event in events.iter() {
                let fd = event.key as RawFd;
                let Some(source) = sources.get(&fd) else {
                    continue;
                };
                rearm.push(fd);
                let ready = [
                    (event.readable, &source.reader),
                    (event.writable, &source.writer),
                ];
                for (is_ready, callback) in ready {
                    if is_ready && let Some(callback) = callback {
                        let callback = callback.clone();
                        event_loop.schedule(call(move || {
                            if callback.live.get() {
                                (callback.call)();
                            }
                        }));
                    }
                }
            }
        }
        drop(events);
        woke |= self.take_remote_calls(event_loop);
        woke
    }

    #[cfg(unix)]
    fn rearm_sources(&self) {
        let sources = self.sources.borrow();
        for fd in self.rearm.take() {
            if let Some(source) = sources.get(&fd) {
                self.modify(source, fd);
            }
        }
    }

    #[cfg(unix)]
    fn modify(&self, source: &Source, fd: RawFd) {
        if let Err(error) = self
            .remote
            .poller()
            .modify(source.owner.as_fd(), source.event(fd))
        {
            panic!("cannot change the interest of file descriptor {fd} in the OS poller: {error}");
        }
    }

    #[cfg(unix)]
    pub(crate) fn register(
        &self,
        owner: Rc<dyn AsFd>,
        interest: Interest,
        callback: Box<dyn Fn()>,
    ) {
        let callback = Rc::new(Callback {
            call: callback,
            live: Cell::new(true),
        });
        let fd = owner.as_fd().as_raw_fd();
        let mut sources = self.sources.borrow_mut();
        let old;
        if let Some(source) = sources.get_mut(&fd) {
            let slot = match interest {
                Interest::Read => &mut source.reader,
                Interest::Write => &mut source.writer,
            };
            old = slot.replace(callback);
            source.owner = owner;
            let source = &sources[&fd];
            self.modify(source, fd);
        } else {
            let (reader, writer) = match interest {
                Interest::Read => (Some(callback), None),
                Interest::Write => (None, Some(callback)),
            };
            let source = Source {
                owner,
                reader,
                writer,
            };
            // SAFETY: `polling` requires the descriptor to stay open until it is deleted
            // from the poller. The loop keeps `source.owner`, the `AsFd` value that the
            // descriptor belongs to (by I/O safety, it cannot be closed while that value
            // lives), in `sources` until `unregister` or `close` has deleted it, and `Io`'s
            // drop deletes what is left before `owner` is dropped.
            let added = unsafe { self.remote.poller().add(fd, source.event(fd)) };
            if let Err(error) = added {
                panic!("cannot add file descriptor {fd} to the OS poller: {error}");
            }
            sources.insert(fd, source);
            old = None;
        }
        drop(sources);
        if let Some(old) = old {
            old.live.set(false);
        }
    }

    #[cfg(unix)]
    pub(crate) fn unregister(&self, fd: BorrowedFd<'_>, interest: Interest) -> bool {
        let raw = fd.as_raw_fd();
        let mut sources = self.sources.borrow_mut();
        let Some(source) = sources.get_mut(&raw) else {
            return false;
        };
        let slot = match interest {
            Interest::Read => &mut source.reader,
            Interest::Write => &mut source.writer,
        };
        let Some(old) = slot.take() else {
            return false;
        };
        old.live.set(false);
        if source.reader.is_none() && source.writer.is_none() {
            let source = sources.remove(&raw).expect("present");
            drop(sources);
            let _ = self.remote.poller().delete(source.owner.as_fd());
            // `old` and `source` (callbacks may hold anything) drop here, with no borrow.
        } else {
            self.modify(&sources[&raw], raw);
            drop(sources);
        }
        drop(old);
        true
    }

    /// Delete every source from the poller and drop their callbacks (the loop closes).
    pub(crate) fn close(&self) {
        #[cfg(unix)]
        loop {
            let sources = self.sources.take();
            if sources.is_empty() {
                break;
            }
            for (_, source) in sources.iter() {
                let _ = self.remote.poller().delete(source.owner.as_fd());
            }
            drop(sources);
        }
        #[cfg(unix)]
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
