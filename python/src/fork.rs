//! Fork detection. A tokio runtime does not survive `fork()`: the child has the parent's memory but
//! none of its worker threads, so a client created before the fork would hang on its first network
//! call in the child. A `pthread_atfork` child handler bumps a process-wide generation (one atomic
//! add, async-signal-safe); every client remembers the generation it was built in and, when that
//! changed, rebuilds itself (see `client.rs`). This catches every fork, `os.fork()` and C-level
//! forks of pre-fork servers (uwsgi) alike.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;

static GENERATION: AtomicU64 = AtomicU64::new(0);
static INSTALL: Once = Once::new();

extern "C" fn after_fork_in_child() {
    GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// Registers the child handler (once per process).
pub fn install() {
    INSTALL.call_once(|| {
        // SAFETY: the handler only performs an atomic add, which is async-signal-safe.
        let rc = unsafe { libc::pthread_atfork(None, None, Some(after_fork_in_child)) };
        if rc != 0 {
            tracing::warn!(rc, "pthread_atfork failed; clients will not detect fork()");
        }
    });
}

/// The number of forks between the process start and this process.
#[inline]
pub fn generation() -> u64 {
    GENERATION.load(Ordering::Relaxed)
}
