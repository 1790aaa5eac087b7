//! The `livreur` binary. All the work is in the library; see `server::cli`.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use clap::Parser;
    livreur::server::cli::run(livreur::server::config::Cli::parse()).await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser build has no binary: `hydrate()` in lib.rs is its entry point.
}
