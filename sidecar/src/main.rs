//! `stigg-sidecar`: serves `stigg.sidecar.v1.SidecarService`, configured by environment variables
//! (see the `config` module and sidecar/README.md). Exits non-zero with a message naming the variable
//! when the configuration is invalid. SIGTERM or SIGINT stops it gracefully.

use std::process::ExitCode;

use stigg_sidecar::config::{LogFormat, SidecarConfig};

fn init_logging(config: &SidecarConfig) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(config.log_level.as_str()));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn main() -> ExitCode {
    let config = match SidecarConfig::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("stigg-sidecar: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config);
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = config.worker_threads {
        builder.worker_threads(n);
    }
    let runtime = match builder.enable_all().thread_name("stigg-sidecar").build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("stigg-sidecar: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let running = match stigg_sidecar::start(config).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("stigg-sidecar: {e}");
                return ExitCode::FAILURE;
            }
        };
        // One machine-readable line on stdout, for supervisors and tests that use ephemeral ports.
        println!(
            "stigg-sidecar listening: grpc={} health={}",
            running.grpc_addr(),
            running.health_addr()
        );
        shutdown_signal().await;
        tracing::info!("shutdown signal received; draining in-flight calls");
        running.shutdown().await;
        ExitCode::SUCCESS
    })
}
