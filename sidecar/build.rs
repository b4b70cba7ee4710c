//! Compiles `proto/stigg/sidecar/v1/sidecar.proto` without a system `protoc`: protox builds the file
//! descriptor set in Rust, tonic-prost-build generates the messages, the server and the client.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto = "proto/stigg/sidecar/v1/sidecar.proto";
    println!("cargo:rerun-if-changed={proto}");
    let fds = protox::compile([proto], ["proto"])?;
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_fds(fds)?;
    Ok(())
}
