//! Unix signals on the loop (Python's `loop.add_signal_handler`): the handler runs on the
//! loop's thread, once per delivery, and the signal's default action is back when the last
//! handler goes. Signals are process-wide, so these tests take turns (`one_at_a_time`), and
//! the ones that end by the default action (termination) run in a child process: this test
//! binary again, with only that test and an environment variable saying so.
#![cfg(unix)]

use std::cell::{Cell, RefCell};
use std::os::unix::process::ExitStatusExt;
use std::process::Command;
use std::rc::Rc;
use std::sync::{Mutex, MutexGuard};
use std::thread;

use cogen::asyncio::signal::{SIGHUP, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, raise_signal};
use cogen::asyncio::{self, Cancelled, EventLoop};
use cogen::yield_from;

mod support;
use support::{AddOnDrop, entries, new_trace, push};

fn one_at_a_time() -> MutexGuard<'static, ()> {
    static SIGNALS: Mutex<()> = Mutex::new(());
    SIGNALS.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// Runs `test` (this binary's test of that name) in a child process with `CHILD` set, and
/// returns the signal that ended the child, if one did.
fn run_in_child(test: &str) -> Option<i32> {
    let status = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--test-threads=1", "--nocapture"])
        .env(CHILD, test)
        .status()
        .expect("run the test binary");
    status.signal()
}

const CHILD: &str = "COGEN_SIGNAL_TEST_CHILD";

fn is_child(test: &str) -> bool {
    std::env::var(CHILD).as_deref() == Ok(test)
}

#[test]
#[cfg_attr(
    miri,
    ignore = "signals are delivered through a socket the OS poller watches"
)]
fn the_handler_runs_on_the_loop_thread_once_per_delivery() {
    let _turn = one_at_a_time();
    let lp = EventLoop::new();
    let trace = new_trace();
    let calls = Rc::new(Cell::new(0));
    let third = lp.create_future::<(), Cancelled>();
    let (t, n, done, loop_thread) = (
        trace.clone(),
        calls.clone(),
        third.clone(),
        thread::current().id(),
    );
    lp.add_signal_handler(SIGWINCH, move || {
        n.set(n.get() + 1);
        assert_eq!(thread::current().id(), loop_thread);
        push(&t, format!("handler {}", n.get()));
        if n.get() == 3 {
            let _ = done.set_result(());
        }
    })
    .unwrap();
    for _ in 0..3 {
        raise_signal(SIGWINCH).unwrap();
    }
    push(&trace, "raised 3");
    assert_eq!(lp.run_until_complete(&third), Ok(()));
    assert!(lp.remove_signal_handler(SIGWINCH));
    assert_eq!(
        entries(&trace),
        ["raised 3", "handler 1", "handler 2", "handler 3"]
    );
}

#[test]
#[cfg_attr(
    miri,
    ignore = "signals are delivered through a socket the OS poller watches"
)]
fn a_handler_can_cancel_the_main_task_as_ctrl_c_would() {
    #[asyncio::coroutine]
    fn serve(trace: support::Trace) -> Result<(), Cancelled> {
        push(&trace, "serving");
        let stopped = yield_from!(asyncio::sleep(std::time::Duration::from_secs(3600)));
        push(&trace, format!("serve: {stopped:?}"));
        stopped
    }

    let _turn = one_at_a_time();
    let lp = EventLoop::new();
    let trace = new_trace();
    let server = lp.create_task(serve(trace.clone()));
    let (task, t) = (server.clone(), trace.clone());
    lp.add_signal_handler(SIGTERM, move || {
        push(&t, "SIGTERM");
        task.cancel();
    })
    .unwrap();
    lp.call_soon(|| raise_signal(SIGTERM).unwrap());
    assert_eq!(lp.run_until_complete(&server), Err(Cancelled));
    assert!(lp.remove_signal_handler(SIGTERM));
    assert_eq!(
        entries(&trace),
        ["serving", "SIGTERM", "serve: Err(Cancelled)"]
    );
}

#[test]
#[cfg_attr(
    miri,
    ignore = "signals are delivered through a socket the OS poller watches"
)]
fn a_second_handler_of_a_signal_replaces_the_first_on_its_loop() {
    let _turn = one_at_a_time();
    let lp = EventLoop::new();
    let trace = new_trace();
    let got = lp.create_future::<(), Cancelled>();
    let t = trace.clone();
    lp.add_signal_handler(SIGWINCH, move || push(&t, "first"))
        .unwrap();
    let (t, done) = (trace.clone(), got.clone());
    lp.add_signal_handler(SIGWINCH, move || {
        push(&t, "second");
        let _ = done.set_result(());
    })
    .unwrap();
    raise_signal(SIGWINCH).unwrap();
    assert_eq!(lp.run_until_complete(&got), Ok(()));
    assert!(lp.remove_signal_handler(SIGWINCH));
    assert!(!lp.remove_signal_handler(SIGWINCH));
    assert_eq!(entries(&trace), ["second"]);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "signals are delivered through a socket the OS poller watches"
)]
fn a_handler_that_removes_itself_misses_the_deliveries_after() {
    let _turn = one_at_a_time();
    let lp = EventLoop::new();
    let trace = new_trace();
    let (t, lp2) = (trace.clone(), lp.clone());
    lp.add_signal_handler(SIGWINCH, move || {
        push(&t, "handled, removing");
        assert!(lp2.remove_signal_handler(SIGWINCH));
    })
    .unwrap();
    raise_signal(SIGWINCH).unwrap();
    raise_signal(SIGWINCH).unwrap();
    lp.run_until_idle();
    assert_eq!(entries(&trace), ["handled, removing"]);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "signals are delivered through a socket the OS poller watches"
)]
fn every_loop_with_a_handler_of_the_signal_gets_it() {
    let _turn = one_at_a_time();
    let (installed_tx, installed) = std::sync::mpsc::channel();
    let other = thread::spawn(move || {
        let lp = EventLoop::new();
        let got = lp.create_future::<&str, Cancelled>();
        let done = got.clone();
        lp.add_signal_handler(SIGHUP, move || {
            let _ = done.set_result("other loop");
        })
        .unwrap();
        installed_tx.send(()).unwrap();
        let result = lp.run_until_complete(&got);
        lp.remove_signal_handler(SIGHUP);
        result
    });
    let lp = EventLoop::new();
    let got = lp.create_future::<&str, Cancelled>();
    let done = got.clone();
    lp.add_signal_handler(SIGHUP, move || {
        let _ = done.set_result("this loop");
    })
    .unwrap();
    installed.recv().unwrap();
    raise_signal(SIGHUP).unwrap();
    assert_eq!(lp.run_until_complete(&got), Ok("this loop"));
    assert_eq!(other.join().unwrap(), Ok("other loop"));
    assert!(lp.remove_signal_handler(SIGHUP));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "a handler's socket pair is set non-blocking by an ioctl miri lacks"
)]
fn signals_that_cannot_be_caught_and_unknown_numbers_are_invalid_input() {
    let lp = EventLoop::new();
    for signal in [
        9,  /* SIGKILL */
        19, /* SIGSTOP on Linux */
        11, /* SIGSEGV */
        0, 1000,
    ] {
        if cfg!(not(target_os = "linux")) && signal == 19 {
            continue;
        }
        let error = lp.add_signal_handler(signal, || {}).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{signal}");
    }
    assert!(!lp.remove_signal_handler(9));
}

#[test]
#[cfg_attr(miri, ignore = "runs a child process")]
fn once_the_last_handler_is_removed_the_signal_terminates_the_process_again() {
    const TEST: &str = "once_the_last_handler_is_removed_the_signal_terminates_the_process_again";
    if is_child(TEST) {
        let lp = EventLoop::new();
        let got = lp.create_future::<(), Cancelled>();
        let done = got.clone();
        lp.add_signal_handler(SIGUSR1, move || {
            let _ = done.set_result(());
        })
        .unwrap();
        raise_signal(SIGUSR1).unwrap(); // handled: the process goes on
        assert_eq!(lp.run_until_complete(&got), Ok(()));
        assert!(lp.remove_signal_handler(SIGUSR1));
        raise_signal(SIGUSR1).unwrap(); // the default action: terminate
        unreachable!("SIGUSR1 did not terminate the process after its handler was removed");
    }
    assert_eq!(run_in_child(TEST), Some(SIGUSR1));
}

#[test]
#[cfg_attr(miri, ignore = "runs a child process")]
fn a_closed_loop_leaves_no_handler_behind() {
    const TEST: &str = "a_closed_loop_leaves_no_handler_behind";
    if is_child(TEST) {
        let lp = EventLoop::new();
        lp.add_signal_handler(SIGUSR2, || unreachable!("the loop was dropped"))
            .unwrap();
        drop(lp);
        raise_signal(SIGUSR2).unwrap();
        unreachable!("SIGUSR2 did not terminate the process after its loop was dropped");
    }
    assert_eq!(run_in_child(TEST), Some(SIGUSR2));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "a handler's socket pair is set non-blocking by an ioctl miri lacks"
)]
fn closing_the_loop_drops_its_signal_handlers_also_one_that_holds_the_loop() {
    // Python's `loop.close()` removes the signal handlers. One that holds a handle of its
    // loop (taken with `get_running_loop`, as a handler that stops the loop would) would
    // otherwise keep the closed loop, and all it holds, alive for good.
    let _turn = one_at_a_time();
    let lp = EventLoop::new();
    let found = Rc::new(RefCell::new(None));
    let slot = found.clone();
    lp.call_soon(move || *slot.borrow_mut() = asyncio::get_running_loop());
    lp.run_briefly();
    let handle: EventLoop = found.borrow_mut().take().unwrap();
    let dropped = Rc::new(Cell::new(0));
    let guard = AddOnDrop(dropped.clone(), 1);
    lp.add_signal_handler(SIGWINCH, move || {
        let _ = (&handle, &guard);
    })
    .unwrap();
    drop(lp);
    assert_eq!(dropped.get(), 1, "the handler was dropped with its loop");
}
