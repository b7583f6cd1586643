use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = kefu::cli::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("KEFU_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(cli.default_log_filter()));
    // Structured logs for log collectors: KEFU_LOG_FORMAT=json.
    let subscriber = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("KEFU_LOG_FORMAT").is_ok_and(|f| f == "json") {
        subscriber.json().init();
    } else {
        subscriber.init();
    }
    match kefu::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error[{}]: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}
