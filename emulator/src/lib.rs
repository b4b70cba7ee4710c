//! # stigg-emulator
//!
//! A local, stateful emulator of the Stigg API for development and tests: GraphQL over HTTP,
//! the Edge read API, graphql-transport-ws streaming, an SQLite-persisted state, and admin hooks
//! for fault injection and clock control. See `emulator/README.md` for every URL.
//!
//! ```no_run
//! # async fn demo() -> Result<(), stigg_emulator::EmulatorError> {
//! let emu = stigg_emulator::Emulator::builder().port(0).edge_port(0).start().await?;
//! println!("GraphQL at {}/graphql, Edge at {}", emu.base_url(), emu.edge_url());
//! emu.shutdown().await;
//! # Ok(()) }
//! ```

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
#![warn(missing_docs)]
#![recursion_limit = "512"]

pub mod catalog;
pub mod clock;
pub mod engine;
pub mod error;
pub mod graphql;
pub mod period;
pub mod persist;
pub mod render;
pub mod server;
pub mod state;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use catalog::Catalog;
pub use engine::Engine;

/// The API key accepted when none is configured.
pub const DEFAULT_API_KEY: &str = "server-emulator-key";
/// The Edge port the official Node SDK derives for `localhost` base URIs.
pub const DEFAULT_EDGE_PORT: u16 = 3060;

/// Errors starting the emulator.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// Catalog error.
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    /// Persistence error.
    #[error(transparent)]
    Persist(#[from] persist::PersistError),
    /// Schema error (a bug in the SDL).
    #[error("schema: {0}")]
    Schema(String),
    /// Socket error.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address.
        addr: SocketAddr,
        /// Cause.
        source: std::io::Error,
    },
}

/// Entry point: `Emulator::builder()`.
pub struct Emulator;

impl Emulator {
    /// A builder with defaults: example catalog, key `server-emulator-key`, `127.0.0.1:0`,
    /// Edge port 3060, in-memory state.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }
}

/// Configures and starts an emulator.
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    catalog_path: Option<PathBuf>,
    catalog: Option<Catalog>,
    api_keys: Vec<String>,
    host: IpAddr,
    port: u16,
    edge_port: Option<u16>,
    data: Option<PathBuf>,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            catalog_path: None,
            catalog: None,
            api_keys: Vec::new(),
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            edge_port: Some(DEFAULT_EDGE_PORT),
            data: None,
        }
    }
}

impl EmulatorBuilder {
    /// Load the catalog from a YAML/JSON file (default: the built-in example catalog).
    pub fn catalog_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.catalog_path = Some(path.into());
        self
    }
    /// Use this catalog.
    pub fn catalog(mut self, catalog: Catalog) -> Self {
        self.catalog = Some(catalog);
        self
    }
    /// Accepted API keys (default: [`DEFAULT_API_KEY`]).
    pub fn api_keys<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.api_keys = keys.into_iter().map(Into::into).collect();
        self
    }
    /// Bind address (default 127.0.0.1).
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }
    /// Main port (0 = ephemeral, the default).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }
    /// Second port serving the same routes (Edge; default 3060, 0 = ephemeral).
    pub fn edge_port(mut self, port: u16) -> Self {
        self.edge_port = Some(port);
        self
    }
    /// Do not open a second port; Edge is then only served on the main port.
    pub fn no_edge_port(mut self) -> Self {
        self.edge_port = None;
        self
    }
    /// Persist state in this SQLite file.
    pub fn data_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.data = Some(path.into());
        self
    }

    /// Start listening.
    pub async fn start(self) -> Result<RunningEmulator, EmulatorError> {
        let catalog = match (self.catalog, &self.catalog_path) {
            (Some(c), _) => c,
            (None, Some(p)) => Catalog::load(p)?,
            (None, None) => Catalog::example()?,
        };
        let store = match &self.data {
            Some(p) => Some(persist::Store::open(p)?),
            None => None,
        };
        let engine = Arc::new(Engine::new(catalog, store)?);
        let (schema, registry) =
            graphql::build(engine.clone()).map_err(|e| EmulatorError::Schema(e.0))?;
        let keys = if self.api_keys.is_empty() {
            vec![DEFAULT_API_KEY.to_string()]
        } else {
            self.api_keys
        };
        let state = server::AppState::new(
            engine.clone(),
            schema,
            registry,
            keys,
            self.catalog_path.clone(),
        );
        let (stop_tx, stop_rx) = watch::channel(false);
        let bind = |port: u16| async move {
            let addr = SocketAddr::new(self.host, port);
            TcpListener::bind(addr)
                .await
                .map_err(|source| EmulatorError::Bind { addr, source })
        };
        let main = bind(self.port).await?;
        let main_addr = main.local_addr().map_err(|source| EmulatorError::Bind {
            addr: SocketAddr::new(self.host, self.port),
            source,
        })?;
        let mut tasks = vec![serve(main, server::router(state.clone()), stop_rx.clone())];
        let edge_addr = match self.edge_port {
            Some(p) => {
                let l = bind(p).await?;
                let a = l.local_addr().map_err(|source| EmulatorError::Bind {
                    addr: SocketAddr::new(self.host, p),
                    source,
                })?;
                tasks.push(serve(l, server::router(state.clone()), stop_rx.clone()));
                a
            }
            None => main_addr,
        };
        Ok(RunningEmulator {
            main_addr,
            edge_addr,
            engine,
            state,
            stop: stop_tx,
            tasks,
        })
    }
}

fn serve(
    listener: TcpListener,
    router: axum::Router,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let shutdown = async move {
            while !*stop.borrow() {
                if stop.changed().await.is_err() {
                    break;
                }
            }
        };
        if let Err(e) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!("server error: {e}");
        }
    })
}

/// A running emulator. Dropping it does not stop the servers; call [`RunningEmulator::shutdown`].
pub struct RunningEmulator {
    main_addr: SocketAddr,
    edge_addr: SocketAddr,
    engine: Arc<Engine>,
    state: server::AppState,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT` (GraphQL at `{base_url}/graphql`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.main_addr)
    }
    /// Edge base URL (the second port, or the main one with `no_edge_port`).
    pub fn edge_url(&self) -> String {
        format!("http://{}", self.edge_addr)
    }
    /// `ws://127.0.0.1:PORT/graphql`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/graphql", self.main_addr)
    }
    /// Main socket address.
    pub fn addr(&self) -> SocketAddr {
        self.main_addr
    }
    /// The engine (state, clock, catalog) for in-process inspection.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }
    /// Close every WebSocket with this code and reason.
    pub fn drop_websockets(&self, code: u16, reason: &str) -> usize {
        self.state
            .ws_kill
            .send((code, reason.to_string()))
            .unwrap_or(0)
    }
    /// Stop both listeners and wait for them (open WebSockets are closed with 1001).
    pub async fn shutdown(self) {
        let _ = self
            .state
            .ws_kill
            .send((1001, "Emulator shutting down".into()));
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}
