//! `stigg-emulator` command line.

use std::path::PathBuf;

use clap::Parser;

/// A local, stateful Stigg API emulator (GraphQL, Edge, WebSocket).
#[derive(Debug, Parser)]
#[command(name = "stigg-emulator", version)]
struct Args {
    /// Catalog file (YAML or JSON); default: the built-in example catalog.
    #[arg(long)]
    catalog: Option<PathBuf>,
    /// Main port (GraphQL, WebSocket, Edge, admin).
    #[arg(long, default_value_t = 4000)]
    port: u16,
    /// Second port serving the same routes (the Node SDK derives 3060 for localhost); 0 = ephemeral.
    #[arg(long, default_value_t = stigg_emulator::DEFAULT_EDGE_PORT)]
    edge_port: u16,
    /// Accepted API key (repeatable); default: server-emulator-key.
    #[arg(long = "api-key")]
    api_keys: Vec<String>,
    /// Persist state in this SQLite file.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Bind address.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let mut b = stigg_emulator::Emulator::builder()
        .host(args.host)
        .port(args.port)
        .edge_port(args.edge_port);
    if let Some(c) = args.catalog {
        b = b.catalog_path(c);
    }
    if !args.api_keys.is_empty() {
        b = b.api_keys(args.api_keys);
    }
    if let Some(d) = args.data {
        b = b.data_path(d);
    }
    match b.start().await {
        Ok(emu) => {
            println!(
                "stigg-emulator listening: GraphQL {}/graphql, WebSocket {}, Edge {}",
                emu.base_url(),
                emu.ws_url(),
                emu.edge_url()
            );
            let _ = tokio::signal::ctrl_c().await;
            emu.shutdown().await;
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("stigg-emulator: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
