//! `octoscope serve [--config octoscope.toml]`: read config, set up logging, bind, serve, and
//! shut down gracefully on SIGTERM or Ctrl-C. `octoscope slo rules` writes the SLOs' Prometheus rules.

use octoscope::config::Config;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: octoscope serve [--config FILE]\n       octoscope slo rules [--dir provisioning/slos] [--out DIR]\n       octoscope dashboards check DIR|FILE...   (what Octoscope does not render, by JSON path)\n       octoscope passwd NAME ROLE < password   (prints a users-file line)\n       octoscope --version\n\n\
Environment overrides: OCTOSCOPE_LISTEN, OCTOSCOPE_PROVISIONING, OCTOSCOPE_SITE_ROOT,\n\
OCTOSCOPE_LOG_FORMAT (json|pretty), OCTOSCOPE_LOG (filter, e.g. info,octoscope=debug),\n\
OCTOSCOPE_AUTH_MODE, OCTOSCOPE_AUTH_ANONYMOUS_ROLE, OCTOSCOPE_AUTH_PROXY_HEADER,\n\
OCTOSCOPE_AUTH_TRUSTED_PROXIES, OCTOSCOPE_AUTH_USERS_FILE, OCTOSCOPE_SESSION_KEY,\n\
OCTOSCOPE_EMBEDDING_ALLOWED_ORIGINS.";

fn parse_args() -> Result<Option<PathBuf>, String> {
    let mut args = std::env::args().skip(1);
    let mut config = None;
    match args.next().as_deref() {
        None | Some("serve") => {}
        Some("--version" | "-V") => {
            println!("octoscope {}", env!("CARGO_PKG_VERSION"));
            std::process::exit(0);
        }
        Some("--help" | "-h" | "help") => {
            println!("{USAGE}");
            std::process::exit(0);
        }
        Some("slo") => {
            let rest: Vec<String> = args.collect();
            if rest.first().map(String::as_str) != Some("rules") {
                return Err("`octoscope slo` has one subcommand: rules".into());
            }
            match octoscope::slo_rules::run(&rest[1..]) {
                Ok(code) => std::process::exit(code.into()),
                Err(e) => {
                    eprintln!("octoscope: {e}");
                    std::process::exit(2);
                }
            }
        }
        Some("dashboards") => {
            let rest: Vec<String> = args.collect();
            if rest.first().map(String::as_str) != Some("check") {
                return Err("`octoscope dashboards` has one subcommand: check".into());
            }
            match octoscope::dashboards_check::run(&rest[1..]) {
                Ok(code) => std::process::exit(code.into()),
                Err(e) => {
                    eprintln!("octoscope: {e}");
                    std::process::exit(2);
                }
            }
        }
        Some("passwd") => {
            let rest: Vec<String> = args.collect();
            let [name, role] = rest.as_slice() else {
                return Err("usage: octoscope passwd NAME viewer|editor|admin < password".into());
            };
            if !matches!(role.as_str(), "viewer" | "editor" | "admin") || name.contains(':') {
                return Err(format!(
                    "{role:?} is not viewer, editor or admin, or the name has a ':'"
                ));
            }
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']);
            if password.is_empty() {
                return Err("the password (first line of stdin) is empty".into());
            }
            println!("{name}:{role}:{}", octoscope::auth::hash_password(password));
            std::process::exit(0);
        }
        Some(other) => return Err(format!("unknown command {other:?}")),
    }
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" | "-c" => config = Some(args.next().ok_or("--config needs a file")?.into()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    // Without --config, ./octoscope.toml is used when present.
    Ok(config.or_else(|| Some(PathBuf::from("octoscope.toml")).filter(|p| p.is_file())))
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("OCTOSCOPE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "pretty" {
        builder.init();
    } else {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}

#[tokio::main]
async fn main() -> ExitCode {
    let config_path = match parse_args() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("octoscope: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let config = match Config::load(config_path.as_deref(), &|k| std::env::var(k).ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("octoscope: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config.server.log_format);
    let state = match octoscope::build_state(&config) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(config.server.listen).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(
                "cannot listen on {}: {e}; pick another address with OCTOSCOPE_LISTEN",
                config.server.listen
            );
            return ExitCode::FAILURE;
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    tracing::info!(%addr, site_root = %state.leptos_options.site_root, "octoscope listening on http://{addr}");
    // SIGHUP re-reads provisioning and the users file without dropping a request.
    let reloadable = state.clone();
    tokio::spawn(async move {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        while hup.recv().await.is_some() {
            reloadable.reload();
        }
    });
    let timeouts = octoscope::serve::Timeouts::from_config(&config.server);
    let (draining, drain) = (state.draining.clone(), config.server.drain_seconds);
    let stop = async move {
        shutdown_signal().await;
        // Unready first: balancers stop sending before the listener closes.
        draining.store(true, std::sync::atomic::Ordering::SeqCst);
        if drain > 0 {
            tracing::info!("draining for {drain} s: /api/ready answers 503");
            tokio::time::sleep(std::time::Duration::from_secs(drain)).await;
        }
    };
    octoscope::serve::serve(listener, octoscope::router(state), timeouts, stop).await;
    ExitCode::SUCCESS
}
