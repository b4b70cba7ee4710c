//! The tokio runtime a client runs its network work on.
//!
//! Created inside a tokio runtime (an async Rust application), a client shares that runtime. Created
//! anywhere else (a binding's host thread), it owns a small multi-threaded runtime of its own (two
//! workers), shut down in the background when the last handle goes away. Bindings never start one.

use std::future::Future;
use std::sync::Mutex;

use tokio::runtime::{Builder, Handle};

use crate::error::{Result, StiggError};

/// Worker threads of an owned runtime.
const WORKERS: usize = 2;

/// How long dropping an owned runtime from a host thread waits for its workers to stop.
const SHUTDOWN_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

pub(crate) struct ClientRuntime {
    handle: Handle,
    owned: Mutex<Option<tokio::runtime::Runtime>>,
}

impl ClientRuntime {
    pub(crate) fn current_or_new() -> Result<Self> {
        if let Ok(handle) = Handle::try_current() {
            return Ok(ClientRuntime {
                handle,
                owned: Mutex::new(None),
            });
        }
        let rt = Builder::new_multi_thread()
            .worker_threads(WORKERS)
            .thread_name("stigg-runtime")
            .enable_all()
            .build()
            .map_err(|e| StiggError::Network(format!("cannot start the client runtime: {e}")))?;
        Ok(ClientRuntime {
            handle: rt.handle().clone(),
            owned: Mutex::new(Some(rt)),
        })
    }

    pub(crate) fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Runs `f` to completion from a thread outside any runtime (blocking calls of the bindings).
    /// Inside a runtime this would deadlock, so it refuses.
    pub(crate) fn block_on<F: Future>(&self, f: F) -> Result<F::Output> {
        if Handle::try_current().is_ok() {
            return Err(StiggError::invalid(
                "thread",
                "a blocking Stigg call was made from inside an async runtime; use the async method",
            ));
        }
        Ok(self.handle.block_on(f))
    }
}

impl Drop for ClientRuntime {
    fn drop(&mut self) {
        let owned = self.owned.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(rt) = owned {
            if Handle::try_current().is_ok() {
                // Dropped on a runtime thread (a task held the last handle): joining would deadlock.
                rt.shutdown_background();
            } else {
                // Dropped by the host (e.g. `stigg_client_free`): join the workers, so no client
                // thread outlives the client (leak checkers, `dlclose`, fork after free).
                rt.shutdown_timeout(SHUTDOWN_WAIT);
            }
        }
    }
}

impl super::Stigg {
    /// The tokio runtime this client runs its network work on (its own, or the one it was created
    /// in). Language bindings spawn the client's futures here and settle their host's promise when
    /// they finish, so no binding ever starts a runtime of its own.
    pub fn runtime_handle(&self) -> &Handle {
        self.inner.runtime.handle()
    }
}
