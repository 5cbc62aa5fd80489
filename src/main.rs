use clap::Parser;

// The server allocates many small short-lived values per request (GraphQL values, rows,
// strings); mimalloc serves them with less time in the allocator than the system's malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    ehcp::cli::run(ehcp::cli::Cli::parse()).await
}
