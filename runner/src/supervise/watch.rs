//! Watches one running worker from the supervisor's own thread: its stdout and stderr read with
//! poll(2), each stdout line handed over with the moment its read returned, the time limit and the
//! `abort` flag checked between reads.
//!
//! No thread is started for a worker: on a 2-core machine, creating reader threads just after the
//! spawn competed with the worker's own start and added to the cold start it measures (a Wasmtime
//! worker's spawn to ready, median of 60: 0.85-1.09 ms with two threads made after the spawn,
//! 0.79-0.81 ms read this way; 2 vCPU AMD EPYC VM).

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::io::Read;
use std::os::fd::AsFd;
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How often the supervisor looks at the `abort` flag while a worker runs.
const ABORT_POLL: Duration = Duration::from_millis(50);

/// How a watch ended.
pub(super) struct Watched {
    /// The worker outlived its time limit and was killed.
    pub timed_out: bool,
    /// Everything it wrote to stderr.
    pub stderr: String,
}

/// Reads the child's stdout (each complete line to `line`, with the moment it was read) and its
/// stderr until both close. Past `deadline`, or once `abort` is set, `kill` is called once and the
/// pipes are read until the killed processes close them.
pub(super) fn watch(
    child: &mut Child,
    deadline: Instant,
    abort: &AtomicBool,
    kill: impl Fn(&mut Child),
    mut line: impl FnMut(&str, Instant),
) -> Watched {
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let (mut pending, mut stderr) = (Vec::new(), Vec::new());
    let mut buf = vec![0u8; 64 << 10];
    let (mut killed, mut timed_out) = (false, false);
    while out.is_some() || err.is_some() {
        if !killed && abort.load(Ordering::SeqCst) {
            kill(child);
            killed = true;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if !killed && left.is_zero() {
            timed_out = true;
            kill(child);
            killed = true;
        }
        let [out_ready, err_ready] = readable(out.as_ref(), err.as_ref(), left.clamp(Duration::ZERO, ABORT_POLL));
        if out_ready {
            let read = out.as_mut().map_or(Ok(0), |o| o.read(&mut buf));
            let at = Instant::now();
            match read {
                Ok(0) | Err(_) => {
                    out = None;
                    if !pending.is_empty() {
                        line(&String::from_utf8_lossy(&pending), at);
                        pending.clear();
                    }
                }
                Ok(n) => {
                    pending.extend_from_slice(&buf[..n]);
                    while let Some(end) = pending.iter().position(|&b| b == b'\n') {
                        let text: Vec<u8> = pending.drain(..=end).collect();
                        line(String::from_utf8_lossy(&text[..end]).trim_end_matches('\r'), at);
                    }
                }
            }
        }
        if err_ready {
            match err.as_mut().map_or(Ok(0), |e| e.read(&mut buf)) {
                Ok(0) | Err(_) => err = None,
                Ok(n) => stderr.extend_from_slice(&buf[..n]),
            }
        }
    }
    Watched { timed_out, stderr: String::from_utf8_lossy(&stderr).into_owned() }
}

/// Which of the open pipes can be read now (or have closed), waiting at most `wait`.
fn readable(out: Option<&impl AsFd>, err: Option<&impl AsFd>, wait: Duration) -> [bool; 2] {
    let mut fds = Vec::with_capacity(2);
    let mut which = Vec::with_capacity(2);
    for (i, fd) in [out.map(|o| o.as_fd()), err.map(|e| e.as_fd())].into_iter().enumerate() {
        if let Some(fd) = fd {
            fds.push(PollFd::new(fd, PollFlags::POLLIN));
            which.push(i);
        }
    }
    let timeout = PollTimeout::try_from(wait).unwrap_or(PollTimeout::MAX);
    let mut ready = [false; 2];
    // EINTR (a signal, Ctrl-C) and any other failure: nothing is ready; the caller looks again.
    if poll(&mut fds, timeout).is_ok_and(|n| n > 0) {
        for (fd, i) in fds.iter().zip(which) {
            ready[i] = fd.revents().is_some_and(|r| !r.is_empty());
        }
    }
    ready
}
