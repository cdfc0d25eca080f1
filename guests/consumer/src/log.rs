//! The consumer's logging: one line per message, formatted with `core::fmt` as a real log line is,
//! then handed to a sink. Which sink is decided at build time: none (the `logging = off` axis
//! value, which compiles the logging away), or the environment's way out of the guest: a host
//! import under `bare`, WASI `fd_write` (through std's stdout) under `wasi`, and a buffer the
//! native worker keeps for the native twin.

use core::fmt::Write;
use wasmatrix_proto::Reply;

/// Where log lines go.
pub trait LogSink {
    /// False for the sink that drops everything, so logging compiles away.
    const ON: bool = true;
    fn line(&mut self, line: &[u8]);
}

/// No logging.
#[derive(Default)]
pub struct NoLog;

impl LogSink for NoLog {
    const ON: bool = false;
    fn line(&mut self, _: &[u8]) {}
}

/// Lines kept in memory, as a host keeps what a guest logs: the native twin's sink.
#[derive(Default)]
pub struct BufferLog {
    pub buffer: Vec<u8>,
}

impl LogSink for BufferLog {
    #[inline]
    fn line(&mut self, line: &[u8]) {
        self.buffer.extend_from_slice(line);
    }
}

/// Formats the log line for `reply` into `line` (reused) and hands it to `sink`.
#[inline]
pub fn write_line(sink: &mut impl LogSink, line: &mut String, reply: &Reply) {
    line.clear();
    let _ = writeln!(
        line,
        "consumed record {}: {} request bytes, digest {:016x}",
        reply.timestamp, reply.request_bytes, reply.digest
    );
    sink.line(line.as_bytes());
}

/// The wasm guests' sinks (feature `logging`).
#[cfg(all(target_arch = "wasm32", feature = "logging"))]
pub mod wasm {
    use super::LogSink;

    /// The environment's way out of the guest.
    #[derive(Default)]
    pub struct EnvironmentLog;

    /// `bare`: the host's `env.wasmatrix_log(ptr, len)`, which appends the line to its buffer.
    #[cfg(target_os = "unknown")]
    impl LogSink for EnvironmentLog {
        #[inline]
        #[allow(unsafe_code)] // the one call of the host's import
        fn line(&mut self, line: &[u8]) {
            #[link(wasm_import_module = "env")]
            extern "C" {
                fn wasmatrix_log(ptr: u32, len: u32);
            }
            // SAFETY: the host only reads `len` bytes at `ptr` of this guest's memory during the
            // call; the slice outlives it.
            unsafe { wasmatrix_log(line.as_ptr() as usize as u32, line.len() as u32) }
        }
    }

    /// `wasi`: std's stdout, whose line buffering makes one `fd_write` per line.
    #[cfg(not(target_os = "unknown"))]
    impl LogSink for EnvironmentLog {
        #[inline]
        fn line(&mut self, line: &[u8]) {
            use std::io::Write;
            let _ = std::io::stdout().write_all(line);
        }
    }
}
