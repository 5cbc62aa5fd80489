use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    ehcp::cli::run(ehcp::cli::Cli::parse()).await
}
